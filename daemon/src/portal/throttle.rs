//! Login throttling: failures counted per account and per client address, each answered with a
//! growing wait, the same way whether the e-mail address exists or not.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures allowed before waits start.
const FREE_FAILURES: u32 = 4;
/// The longest wait.
const MAX_WAIT: Duration = Duration::from_secs(15 * 60);
/// An entry with no failure for this long is forgotten.
const FORGET_AFTER: Duration = Duration::from_secs(60 * 60);
/// Entries kept before old ones are pruned (bounds memory under a spray of addresses).
const PRUNE_AT: usize = 50_000;

#[derive(Debug, Clone, Copy)]
struct Entry {
    failures: u32,
    last: Instant,
}

impl Entry {
    fn wait(&self, now: Instant) -> Duration {
        if self.failures <= FREE_FAILURES {
            return Duration::ZERO;
        }
        let exp = (self.failures - FREE_FAILURES - 1).min(16);
        let wait = Duration::from_secs(1u64 << exp).min(MAX_WAIT);
        (self.last + wait).saturating_duration_since(now)
    }
}

/// What may be tried, and what was tried.
#[derive(Debug, Default)]
pub struct Throttle {
    entries: Mutex<HashMap<String, Entry>>,
}

/// The keys one login attempt counts against.
#[derive(Debug, Clone)]
pub struct AttemptKeys {
    account: String,
    client: String,
}

impl AttemptKeys {
    /// `email` on `fqdn` from `client` (IPv6 clients count per /64, the unit they are given).
    pub fn new(fqdn: &str, email: &str, client: IpAddr) -> Self {
        let client = match client {
            IpAddr::V4(v4) => v4.to_string(),
            IpAddr::V6(v6) => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        };
        AttemptKeys {
            account: format!("account {fqdn} {}", email.trim().to_lowercase()),
            client: format!("client {client}"),
        }
    }

    /// A key for an action that is limited per client address only (sign-up, reset mails).
    pub fn client_only(action: &str, client: IpAddr) -> Self {
        let keys = Self::new("", "", client);
        AttemptKeys {
            account: format!("{action} {}", keys.client),
            client: format!("{action} {}", keys.client),
        }
    }

    /// A key for an action limited per subject, e.g. reset mails per account (`subject` is
    /// the typed e-mail address, so the limit says nothing about whether it exists).
    pub fn subject(action: &str, subject: &str) -> Self {
        let key = format!("{action} subject {}", subject.trim().to_lowercase());
        AttemptKeys {
            account: key.clone(),
            client: key,
        }
    }
}

impl Throttle {
    /// How long the attempt must wait; zero when it may go ahead.
    pub fn wait(&self, keys: &AttemptKeys) -> Duration {
        self.wait_at(keys, Instant::now())
    }

    fn wait_at(&self, keys: &AttemptKeys, now: Instant) -> Duration {
        let entries = self.lock();
        [&keys.account, &keys.client]
            .into_iter()
            .filter_map(|k| entries.get(k))
            .map(|e| e.wait(now))
            .max()
            .unwrap_or(Duration::ZERO)
    }

    /// Counts a failed attempt.
    pub fn failed(&self, keys: &AttemptKeys) {
        self.failed_at(keys, Instant::now());
    }

    fn failed_at(&self, keys: &AttemptKeys, now: Instant) {
        let mut entries = self.lock();
        if entries.len() >= PRUNE_AT {
            entries.retain(|_, e| now.duration_since(e.last) < FORGET_AFTER);
        }
        for key in [&keys.account, &keys.client] {
            let entry = entries.entry(key.clone()).or_insert(Entry {
                failures: 0,
                last: now,
            });
            if now.duration_since(entry.last) >= FORGET_AFTER {
                entry.failures = 0;
            }
            entry.failures = entry.failures.saturating_add(1);
            entry.last = now;
        }
    }

    /// A successful login clears its account's count (the client's stays: one address trying
    /// many accounts is still slowed down).
    pub fn succeeded(&self, keys: &AttemptKeys) {
        self.lock().remove(&keys.account);
    }

    /// For actions allowed `max` times per `window` (sign-ups, reset mails; keys of their own,
    /// see [`AttemptKeys::client_only`]): counts this one and answers `Ok`, or, when `max` were
    /// counted in the window already, counts nothing and answers how long until it ends.
    /// `window` is at most an hour (entries are forgotten after that).
    pub fn take(&self, keys: &AttemptKeys, max: u32, window: Duration) -> Result<(), Duration> {
        self.take_at(keys, max, window.min(FORGET_AFTER), Instant::now())
    }

    fn take_at(
        &self,
        keys: &AttemptKeys,
        max: u32,
        window: Duration,
        now: Instant,
    ) -> Result<(), Duration> {
        let mut entries = self.lock();
        if entries.len() >= PRUNE_AT {
            entries.retain(|_, e| now.duration_since(e.last) < FORGET_AFTER);
        }
        let mut keys_of = vec![&keys.account];
        if keys.client != keys.account {
            keys_of.push(&keys.client);
        }
        // Here `last` is when the window started and `failures` what it counted.
        let mut wait = Duration::ZERO;
        for key in &keys_of {
            if let Some(e) = entries.get(*key) {
                let age = now.duration_since(e.last);
                if age < window && e.failures >= max {
                    wait = wait.max(window - age);
                }
            }
        }
        if !wait.is_zero() {
            return Err(wait);
        }
        for key in keys_of {
            let entry = entries.entry(key.clone()).or_insert(Entry {
                failures: 0,
                last: now,
            });
            if now.duration_since(entry.last) >= window {
                *entry = Entry {
                    failures: 0,
                    last: now,
                };
            }
            entry.failures = entry.failures.saturating_add(1);
        }
        Ok(())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        // A panic while holding the lock leaves counts that are still meaningful.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(email: &str, ip: &str) -> AttemptKeys {
        AttemptKeys::new(
            "a.example",
            email,
            ip.parse().unwrap_or(IpAddr::from([0, 0, 0, 0])),
        )
    }

    #[test]
    fn waits_grow_after_the_free_failures_and_success_clears_the_account() {
        let t = Throttle::default();
        let k = keys("x@a.example", "192.0.2.1");
        let now = Instant::now();
        for _ in 0..FREE_FAILURES {
            t.failed_at(&k, now);
        }
        assert_eq!(t.wait_at(&k, now), Duration::ZERO);
        t.failed_at(&k, now);
        assert_eq!(t.wait_at(&k, now), Duration::from_secs(1));
        t.failed_at(&k, now);
        assert_eq!(t.wait_at(&k, now), Duration::from_secs(2));
        t.failed_at(&k, now);
        assert_eq!(t.wait_at(&k, now), Duration::from_secs(4));
        assert_eq!(
            t.wait_at(&k, now + Duration::from_secs(3)),
            Duration::from_secs(1)
        );
        // Another account from the same address is slowed by the address's count.
        let other = keys("y@a.example", "192.0.2.1");
        assert_eq!(t.wait_at(&other, now), Duration::from_secs(4));
        // The same account from another address is slowed by the account's count.
        let moved = keys("X@A.example ", "198.51.100.9");
        assert_eq!(t.wait_at(&moved, now), Duration::from_secs(4));
        t.succeeded(&moved);
        assert_eq!(t.wait_at(&moved, now), Duration::ZERO);
        assert_eq!(t.wait_at(&other, now), Duration::from_secs(4));
    }

    #[test]
    fn take_allows_max_per_window() {
        let t = Throttle::default();
        let ip = IpAddr::from([192, 0, 2, 7]);
        let k = AttemptKeys::client_only("signup", ip);
        let hour = Duration::from_secs(3600);
        let now = Instant::now();
        for _ in 0..5 {
            assert_eq!(t.take_at(&k, 5, hour, now), Ok(()));
        }
        let later = now + Duration::from_secs(600);
        assert_eq!(
            t.take_at(&k, 5, hour, later),
            Err(Duration::from_secs(3000))
        );
        // Its own action and other addresses are not touched; a new window starts afresh.
        let other = AttemptKeys::client_only("signup", IpAddr::from([192, 0, 2, 8]));
        assert_eq!(t.take_at(&other, 5, hour, later), Ok(()));
        assert_eq!(
            t.wait_at(&keys("x@a.example", "192.0.2.7"), later),
            Duration::ZERO
        );
        assert_eq!(t.take_at(&k, 5, hour, now + hour), Ok(()));
        let s = AttemptKeys::subject("forgot", "Pat@A.example ");
        assert_eq!(t.take_at(&s, 1, hour, now), Ok(()));
        assert!(
            t.take_at(
                &AttemptKeys::subject("forgot", "pat@a.example"),
                1,
                hour,
                now
            )
            .is_err()
        );
    }

    #[test]
    fn waits_are_capped_and_ipv6_counts_per_64() {
        let t = Throttle::default();
        let a = keys("x@a.example", "2001:db8:1:2::1");
        let b = keys("y@a.example", "2001:db8:1:2:ffff::9");
        let now = Instant::now();
        for _ in 0..40 {
            t.failed_at(&a, now);
        }
        assert_eq!(t.wait_at(&a, now), MAX_WAIT);
        assert_eq!(t.wait_at(&b, now), MAX_WAIT);
        let c = keys("y@a.example", "2001:db8:1:3::1");
        assert_eq!(t.wait_at(&c, now), Duration::ZERO);
    }
}
