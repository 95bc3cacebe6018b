//! The scheduler: on start, every `[tls] check_interval`, and when woken (a domain added,
//! checked or uploaded), it looks at every domain and orders what is due: a first certificate
//! once DNS passed, a renewal at two thirds of the lifetime, a retry once the backoff is over,
//! never more orders in an hour than `[tls] orders_per_hour`.

use std::sync::Arc;
use std::time::Duration;

use portico_protocol::{CertSource, DnsCheck, TlsState};

use super::{Shared, Tls, certs, local_ca};
use crate::config::TlsMode;
use crate::store::{CertRecord, Store, StoreError, TlsStateRecord};

pub(super) async fn run(
    shared: Arc<Shared>,
    tls: Tls,
    stop: impl std::future::Future<Output = ()>,
) {
    if shared.config.mode == TlsMode::Off {
        return;
    }
    tokio::pin!(stop);
    loop {
        tokio::select! {
            _ = &mut stop => return,
            result = scan(&shared, &tls) => {
                if let Err(e) = result {
                    tracing::error!(error = %e, "tls: scheduler pass failed");
                }
            }
        }
        tokio::select! {
            _ = &mut stop => return,
            _ = shared.wake.notified() => {}
            _ = tokio::time::sleep(shared.config.check_interval) => {}
        }
    }
}

struct Due {
    fqdn: String,
    state: TlsStateRecord,
    managed: Option<CertRecord>,
    uploaded: bool,
}

async fn blocking<T: Send + 'static>(
    store: &Store,
    f: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, String> {
    let store = store.clone();
    tokio::task::spawn_blocking(move || f(&store))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())
}

async fn put_state(shared: &Shared, fqdn: &str, state: &TlsStateRecord) -> Result<(), String> {
    let (fqdn, state) = (fqdn.to_string(), state.clone());
    blocking(&shared.store, move |s| {
        s.write(|tx| tx.put_tls_state(&fqdn, &state))
    })
    .await
}

async fn scan(shared: &Arc<Shared>, tls: &Tls) -> Result<(), String> {
    let work = blocking(&shared.store, |s| {
        s.read(|tx| {
            let mut out = Vec::new();
            for d in tx.domains()? {
                let fqdn = d.domain.fqdn;
                out.push(Due {
                    state: tx.tls_state(&fqdn)?,
                    managed: tx.managed_cert(&fqdn)?,
                    uploaded: tx.uploaded_cert(&fqdn)?.is_some(),
                    fqdn,
                });
            }
            Ok(out)
        })
    })
    .await?;
    {
        let tls = tls.clone();
        tokio::task::spawn_blocking(move || tls.reload_all())
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?;
    }
    for due in work {
        if due.uploaded {
            continue;
        }
        domain(shared, tls, due).await?;
    }
    Ok(())
}

async fn domain(shared: &Arc<Shared>, tls: &Tls, due: Due) -> Result<(), String> {
    let Due {
        fqdn,
        mut state,
        managed,
        ..
    } = due;
    let now = shared.now();
    let config = &shared.config;
    if let Some(cert) = &managed
        && now < certs::renew_at(cert.not_before, cert.not_after)
    {
        let active = TlsState::Active {
            issuer: cert.issuer.clone(),
            not_after: cert.not_after,
        };
        if state.state != active {
            state.state = active;
            state.failures = 0;
            state.note = None;
            put_state(shared, &fqdn, &state).await?;
        }
        return Ok(());
    }
    if let TlsState::Failed { next_retry, .. } = state.state
        && now < next_retry
    {
        return Ok(());
    }
    if config.mode == TlsMode::Acme {
        let fresh = state.dns.as_ref().is_some_and(|d| {
            d.ok && now.saturating_sub(d.checked_at) < config.dns_recheck.as_secs() as i64
        });
        let pending_recently = matches!(state.state, TlsState::DnsPending { .. })
            && state.dns.as_ref().is_some_and(|d| {
                now.saturating_sub(d.checked_at) < config.dns_recheck.as_secs() as i64
            });
        if pending_recently {
            return Ok(());
        }
        if !fresh {
            let Some(checker) = &shared.dns else {
                return Ok(());
            };
            let finding = checker.check(&fqdn).await;
            tracing::info!(domain = %fqdn, ok = finding.ok, found = %finding.found, "tls: DNS check");
            state.dns = Some(DnsCheck {
                ok: finding.ok,
                found: finding.found.clone(),
                checked_at: now,
            });
            if finding.lookup_failed {
                // No answer is not a wrong record: a failed attempt, retried with backoff;
                // a certificate already held is served meanwhile.
                fail(shared, &fqdn, &mut state, finding.found).await?;
                return Ok(());
            }
            if !finding.ok {
                state.state = TlsState::DnsPending {
                    found: finding.found,
                };
                put_state(shared, &fqdn, &state).await?;
                return Ok(());
            }
        }
        let cap = config.orders_per_hour;
        let used = blocking(&shared.store, move |s| {
            s.read(|tx| tx.orders_since(now - 3600))
        })
        .await?;
        if used >= u64::from(cap) {
            state.note = Some(format!(
                "waiting: {used} orders in the last hour reached [tls] orders_per_hour = {cap}"
            ));
            put_state(shared, &fqdn, &state).await?;
            return Ok(());
        }
    }
    state.state = TlsState::Issuing;
    state.note = None;
    {
        let (f, st, log) = (fqdn.clone(), state.clone(), config.mode == TlsMode::Acme);
        blocking(&shared.store, move |s| {
            s.write(|tx| {
                tx.put_tls_state(&f, &st)?;
                if log {
                    tx.log_order(now, &f)?;
                }
                Ok(())
            })
        })
        .await?;
    }
    let renewal = managed.is_some();
    tracing::info!(domain = %fqdn, renewal, "tls: ordering a certificate");
    let issued = match config.mode {
        TlsMode::Local => {
            let tls = tls.clone();
            let name = fqdn.clone();
            tokio::task::spawn_blocking(move || {
                let ca = tls.local_ca().map_err(|e| e.to_string())?;
                local_ca::issue(&ca, &name, now).map_err(|e| e.0)
            })
            .await
            .map_err(|e| e.to_string())?
            .map(|issued| (issued, CertSource::LocalCa))
            .map_err(|problem| super::acme::OrderError {
                problem,
                account_unknown: false,
            })
        }
        _ => match &shared.acme {
            Some(acme) => acme
                .order(shared, &fqdn, config.challenge)
                .await
                .map(|issued| (issued, CertSource::Acme)),
            None => return Ok(()),
        },
    };
    let real_now = time::OffsetDateTime::now_utc().unix_timestamp();
    let outcome = issued.and_then(|((chain, key), source)| {
        certs::record(source, &fqdn, &chain, &key, real_now)
            .map(|(record, _)| record)
            .map_err(|e| super::acme::OrderError {
                problem: format!("the CA's certificate is unusable: {e}"),
                account_unknown: false,
            })
    });
    match outcome {
        Ok(record) => {
            tracing::info!(domain = %fqdn, serial = %record.serial, not_after = %super::when(record.not_after), "tls: certificate stored");
            state.state = TlsState::Active {
                issuer: record.issuer.clone(),
                not_after: record.not_after,
            };
            state.failures = 0;
            state.note = None;
            let (f, st) = (fqdn.clone(), state.clone());
            blocking(&shared.store, move |s| {
                s.write(|tx| {
                    tx.put_managed_cert(&f, &record)?;
                    tx.put_tls_state(&f, &st)
                })
            })
            .await?;
            let tls = tls.clone();
            tokio::task::spawn_blocking(move || tls.reload_all())
                .await
                .map_err(|e| e.to_string())?
                .map_err(|e| e.to_string())?;
        }
        Err(e) => {
            if e.account_unknown
                && let Some(acme) = &shared.acme
            {
                acme.forget_account(&shared.store).await;
            }
            fail(shared, &fqdn, &mut state, e.problem).await?;
        }
    }
    Ok(())
}

/// Records a failed attempt: `failed {problem, next_retry}`, the wait doubling at each failure
/// in a row. The wait counts from the failure, not from the start of the attempt: an attempt
/// that took longer than the wait (a DNS server that never answers, an order polled for a
/// minute) would otherwise be retried at once, and the backoff would not back off.
async fn fail(
    shared: &Shared,
    fqdn: &str,
    state: &mut TlsStateRecord,
    problem: String,
) -> Result<(), String> {
    let config = &shared.config;
    state.failures = state.failures.saturating_add(1);
    let wait = backoff(config.retry_base, config.retry_max, state.failures);
    let next_retry = shared.now() + wait.as_secs() as i64;
    tracing::warn!(domain = %fqdn, failures = state.failures, %problem, next_retry = %super::when(next_retry), "tls: order failed");
    state.state = TlsState::Failed {
        problem,
        next_retry,
    };
    put_state(shared, fqdn, state).await
}

/// The wait after the `failures`-th failure in a row: base, 2·base, 4·base, ... up to max.
fn backoff(base: Duration, max: Duration, failures: u32) -> Duration {
    let factor = 1u32
        .checked_shl(failures.saturating_sub(1))
        .unwrap_or(u32::MAX);
    base.checked_mul(factor).unwrap_or(max).min(max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_maximum() {
        let (b, m) = (Duration::from_secs(60), Duration::from_secs(3600));
        assert_eq!(backoff(b, m, 1), Duration::from_secs(60));
        assert_eq!(backoff(b, m, 2), Duration::from_secs(120));
        assert_eq!(backoff(b, m, 3), Duration::from_secs(240));
        assert_eq!(backoff(b, m, 7), Duration::from_secs(3600));
        assert_eq!(backoff(b, m, 40), Duration::from_secs(3600));
    }
}
