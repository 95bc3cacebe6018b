//! Connection slots: how many connections a listener holds at once, in all and per client, so
//! that one client (or one IPv6 /64, which a single host usually has) cannot take them all.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::{Arc, Mutex, PoisonError};

/// Who a connection is counted against: an IPv4 address, or the /64 of an IPv6 address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClientKey {
    V4([u8; 4]),
    V6Prefix([u8; 8]),
}

impl ClientKey {
    /// The key of `ip` (an IPv4-mapped IPv6 address counts as its IPv4 address).
    pub fn of(ip: IpAddr) -> ClientKey {
        match ip {
            IpAddr::V4(v4) => ClientKey::V4(v4.octets()),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => ClientKey::V4(v4.octets()),
                None => ClientKey::V6Prefix(prefix64(v6)),
            },
        }
    }
}

fn prefix64(v6: Ipv6Addr) -> [u8; 8] {
    let o = v6.octets();
    [o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7]]
}

/// Why a connection got no slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Full {
    /// The listener holds its maximum.
    Listener,
    /// This client holds its maximum.
    Client,
}

/// The slots of one listener.
#[derive(Debug, Clone)]
pub struct Slots {
    inner: Arc<Mutex<Counts>>,
    max_total: usize,
    max_per_client: usize,
}

#[derive(Debug, Default)]
struct Counts {
    total: usize,
    per_client: HashMap<ClientKey, usize>,
}

/// One taken slot, given back when dropped (when the connection ends).
#[derive(Debug)]
pub struct Slot {
    inner: Arc<Mutex<Counts>>,
    key: ClientKey,
}

impl Slots {
    /// Slots for at most `max_total` connections, `max_per_client` of them from one client.
    pub fn new(max_total: usize, max_per_client: usize) -> Slots {
        Slots {
            inner: Arc::default(),
            max_total: max_total.max(1),
            max_per_client: max_per_client.max(1),
        }
    }

    /// A slot for a connection from `ip`, unless the listener or that client is full.
    pub fn take(&self, ip: IpAddr) -> Result<Slot, Full> {
        let key = ClientKey::of(ip);
        let mut counts = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if counts.total >= self.max_total {
            return Err(Full::Listener);
        }
        let held = counts.per_client.entry(key).or_insert(0);
        if *held >= self.max_per_client {
            return Err(Full::Client);
        }
        *held += 1;
        counts.total += 1;
        Ok(Slot {
            inner: self.inner.clone(),
            key,
        })
    }

    /// Connections open now.
    #[cfg(test)]
    fn open(&self) -> usize {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .total
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut counts = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        counts.total = counts.total.saturating_sub(1);
        if let Some(held) = counts.per_client.get_mut(&self.key) {
            *held = held.saturating_sub(1);
            if *held == 0 {
                counts.per_client.remove(&self.key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn one_client_cannot_take_every_slot_and_slots_come_back() {
        let slots = Slots::new(3, 2);
        let a1 = slots.take(ip("192.0.2.1")).unwrap();
        let _a2 = slots.take(ip("192.0.2.1")).unwrap();
        assert_eq!(slots.take(ip("192.0.2.1")).unwrap_err(), Full::Client);
        // The mapped form of the same address is the same client.
        assert_eq!(
            slots.take(ip("::ffff:192.0.2.1")).unwrap_err(),
            Full::Client
        );
        let _b = slots.take(ip("192.0.2.2")).unwrap();
        assert_eq!(slots.take(ip("192.0.2.3")).unwrap_err(), Full::Listener);
        drop(a1);
        assert_eq!(slots.open(), 2);
        let _a3 = slots.take(ip("192.0.2.1")).unwrap();
    }

    #[test]
    fn an_ipv6_client_is_its_64() {
        let slots = Slots::new(10, 1);
        let _x = slots.take(ip("2001:db8:1:2::1")).unwrap();
        assert_eq!(
            slots.take(ip("2001:db8:1:2:ffff::9")).unwrap_err(),
            Full::Client
        );
        assert!(slots.take(ip("2001:db8:1:3::1")).is_ok());
    }
}
