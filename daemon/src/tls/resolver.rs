//! The certificate resolver: a read-mostly map SNI → certificate, swapped whole when a
//! certificate is added or renewed (no restart), plus the TLS-ALPN-01 branch that answers a
//! CA's `acme-tls/1` handshake with the challenge certificate.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;

/// ALPN protocol of TLS-ALPN-01 (RFC 8737).
pub const ACME_TLS_ALPN: &[u8] = b"acme-tls/1";

type Map = Arc<HashMap<String, Arc<CertifiedKey>>>;

/// SNI → certificate. Cloning shares the same maps.
#[derive(Debug, Default, Clone)]
pub struct Resolver {
    default_sni: Option<Arc<str>>,
    certs: Arc<RwLock<Map>>,
    challenges: Arc<RwLock<HashMap<String, Arc<CertifiedKey>>>>,
}

impl Resolver {
    /// A resolver that gives clients without SNI the certificate of `default_sni`, if set.
    pub fn new(default_sni: Option<&str>) -> Resolver {
        Resolver {
            default_sni: default_sni.map(Arc::from),
            ..Resolver::default()
        }
    }

    /// Replaces every certificate at once.
    pub fn replace_all(&self, certs: HashMap<String, Arc<CertifiedKey>>) {
        if let Ok(mut guard) = self.certs.write() {
            *guard = Arc::new(certs);
        }
    }

    /// Adds or replaces one name's certificate (a copy of the map, swapped in).
    pub fn insert(&self, fqdn: &str, cert: Arc<CertifiedKey>) {
        if let Ok(mut guard) = self.certs.write() {
            let mut next = HashMap::clone(&guard);
            next.insert(fqdn.to_string(), cert);
            *guard = Arc::new(next);
        }
    }

    /// Stops serving a name.
    pub fn remove(&self, fqdn: &str) {
        if let Ok(mut guard) = self.certs.write()
            && guard.contains_key(fqdn)
        {
            let mut next = HashMap::clone(&guard);
            next.remove(fqdn);
            *guard = Arc::new(next);
        }
    }

    /// Whether a name has a certificate.
    pub fn has(&self, fqdn: &str) -> bool {
        self.lookup(fqdn).is_some()
    }

    /// The certificate of a name.
    pub fn lookup(&self, fqdn: &str) -> Option<Arc<CertifiedKey>> {
        let map = self.certs.read().ok()?.clone();
        map.get(fqdn).cloned()
    }

    /// How many names have a certificate.
    pub fn len(&self) -> usize {
        self.certs.read().map(|m| m.len()).unwrap_or(0)
    }

    /// Whether no name has a certificate.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Serves `cert` to `acme-tls/1` handshakes for `fqdn` until [`Resolver::end_challenge`].
    pub fn start_challenge(&self, fqdn: &str, cert: Arc<CertifiedKey>) {
        if let Ok(mut map) = self.challenges.write() {
            map.insert(fqdn.to_string(), cert);
        }
    }

    /// Ends a TLS-ALPN-01 challenge.
    pub fn end_challenge(&self, fqdn: &str) {
        if let Ok(mut map) = self.challenges.write() {
            map.remove(fqdn);
        }
    }
}

/// Whether a ClientHello is a TLS-ALPN-01 validation (it offers `acme-tls/1` and nothing else).
pub fn is_acme_challenge(hello: &ClientHello<'_>) -> bool {
    hello
        .alpn()
        .is_some_and(|mut protocols| protocols.all(|p| p == ACME_TLS_ALPN))
}

impl ResolvesServerCert for Resolver {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        // A name without a certificate gets none, so no brand is shown to a client that asked
        // for another name; no SNI at all gets the configured default, if any.
        let Some(name) = hello.server_name() else {
            return self.default_sni.as_deref().and_then(|n| self.lookup(n));
        };
        let name = name.to_ascii_lowercase();
        let name = name.strip_suffix('.').unwrap_or(&name);
        if is_acme_challenge(&hello) {
            return self.challenges.read().ok()?.get(name).cloned();
        }
        self.lookup(name)
    }
}
