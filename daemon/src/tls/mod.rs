//! Automatic HTTPS: the certificate resolver (SNI → certificate, hot-swapped), the DNS check
//! that gates orders, ACME orders and renewals, uploaded certificates and the local CA.
//!
//! [`Tls`] is the narrow interface the rest of the daemon sees: the listeners ask it for the
//! rustls config and HTTP-01 answers, the admin service for status, checks and uploads, and
//! [`Tls::run`] is the scheduler that orders and renews.

pub mod acme;
pub mod certs;
pub mod dns;
pub mod listener;
pub mod local_ca;
pub mod resolver;
mod scheduler;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use portico_protocol::{AdminError, AdminResult, CertInfo, CertSource, DomainTls, TlsState};
use tokio::sync::Notify;

use crate::config::{TlsConfig, TlsMode};
use crate::store::{CertRecord, Store, StoreError, TlsStateRecord, Tx};
pub use resolver::Resolver;

/// A Unix time as an admin reads it (UTC, RFC 3339).
pub fn when(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| unix.to_string())
}

/// What the listeners, the admin service and the scheduler share.
pub struct Shared {
    pub(crate) config: TlsConfig,
    pub(crate) store: Store,
    pub(crate) resolver: Resolver,
    tokens: RwLock<HashMap<String, String>>,
    pub(crate) dns: Option<dns::DnsChecker>,
    pub(crate) acme: Option<acme::Acme>,
    wake: Notify,
    /// Serial of the certificate each name is served with, to reload only what changed.
    loaded: RwLock<HashMap<String, String>>,
}

impl Shared {
    pub(crate) fn put_token(&self, token: &str, key_authorization: &str) {
        if let Ok(mut map) = self.tokens.write() {
            map.insert(token.to_string(), key_authorization.to_string());
        }
    }

    pub(crate) fn drop_token(&self, token: &str) {
        if let Ok(mut map) = self.tokens.write() {
            map.remove(token);
        }
    }

    /// Unix seconds now, plus the test clock's offset when `[tls] clock_file` is set.
    pub(crate) fn now(&self) -> i64 {
        let real = time::OffsetDateTime::now_utc().unix_timestamp();
        let skew = self
            .config
            .clock_file
            .as_ref()
            .and_then(|p| std::fs::read_to_string(p).ok())
            .and_then(|t| t.trim().parse::<i64>().ok())
            .unwrap_or(0);
        real + skew
    }
}

/// The TLS side of the daemon. Cloning shares it.
#[derive(Clone)]
pub struct Tls {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tls")
            .field("mode", &self.shared.config.mode)
            .field("certificates", &self.shared.resolver.len())
            .finish()
    }
}

/// Why TLS could not start.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The DNS resolver or the local CA could not be set up.
    #[error("tls: {0}")]
    Setup(String),
}

impl Tls {
    /// Sets TLS up: the DNS checker, the ACME client, the local CA (created once), and every
    /// stored certificate loaded into the resolver, so that a restart serves them at once
    /// without ordering again. It reads the store (blocking): call it from a blocking thread.
    pub fn new(config: TlsConfig, store: Store) -> Result<Tls, TlsError> {
        let dns = match (&config.mode, &config.cname_target) {
            (TlsMode::Acme, Some(target)) => Some(
                dns::DnsChecker::new(&config.name_servers, target, config.caa_identities.clone())
                    .map_err(TlsError::Setup)?,
            ),
            _ => None,
        };
        let acme = (config.mode == TlsMode::Acme).then(|| {
            acme::Acme::new(
                config.acme_directory.clone(),
                config.acme_root.clone(),
                config.acme_contact.clone(),
            )
        });
        let resolver = Resolver::new(config.default_sni.as_deref());
        let shared = Arc::new(Shared {
            config,
            store,
            resolver,
            tokens: RwLock::new(HashMap::new()),
            dns,
            acme,
            wake: Notify::new(),
            loaded: RwLock::new(HashMap::new()),
        });
        let tls = Tls { shared };
        if tls.shared.config.mode == TlsMode::Local {
            tls.local_ca()?;
        }
        tls.reload_all()?;
        Ok(tls)
    }

    /// TLS off, for tests of other parts.
    pub fn off(store: Store) -> Tls {
        Tls {
            shared: Arc::new(Shared {
                config: TlsConfig::off(),
                store,
                resolver: Resolver::default(),
                tokens: RwLock::new(HashMap::new()),
                dns: None,
                acme: None,
                wake: Notify::new(),
                loaded: RwLock::new(HashMap::new()),
            }),
        }
    }

    /// The settings.
    pub fn config(&self) -> &TlsConfig {
        &self.shared.config
    }

    /// The resolver the HTTPS listeners serve from.
    pub fn resolver(&self) -> &Resolver {
        &self.shared.resolver
    }

    /// The key authorization of an HTTP-01 token being validated right now.
    pub fn http01_answer(&self, token: &str) -> Option<String> {
        self.shared.tokens.read().ok()?.get(token).cloned()
    }

    /// Wakes the scheduler (a domain was added, checked, or a certificate uploaded).
    pub fn wake(&self) {
        self.shared.wake.notify_one();
    }

    /// The local CA, created and stored on first use.
    pub fn local_ca(&self) -> Result<crate::store::LocalCaRecord, TlsError> {
        let store = &self.shared.store;
        if let Some(ca) = store.read(|tx| tx.local_ca())? {
            return Ok(ca);
        }
        let ca = local_ca::create(self.shared.now()).map_err(|e| TlsError::Setup(e.0))?;
        store
            .write(|tx| {
                // Another caller may have created it in the meantime: keep the first.
                match tx.local_ca()? {
                    Some(existing) => Ok::<_, StoreError>(existing),
                    None => {
                        tx.put_local_ca(&ca)?;
                        tracing::info!("local CA created");
                        Ok(ca)
                    }
                }
            })
            .map_err(TlsError::from)
    }

    /// Loads what the store holds into the resolver: each domain's uploaded certificate, or
    /// else its obtained one; names without a domain are dropped. Only changed ones are parsed.
    pub fn reload_all(&self) -> Result<usize, TlsError> {
        let (domains, managed, uploaded) = self.shared.store.read(|tx| {
            Ok::<_, StoreError>((
                tx.domains()?
                    .into_iter()
                    .map(|d| d.domain.fqdn)
                    .collect::<Vec<_>>(),
                tx.managed_certs()?.into_iter().collect::<HashMap<_, _>>(),
                tx.uploaded_certs()?.into_iter().collect::<HashMap<_, _>>(),
            ))
        })?;
        let mut served = 0;
        let mut loaded = self
            .shared
            .loaded
            .write()
            .map_err(|_| TlsError::Setup("certificate table poisoned".into()))?;
        let wanted: std::collections::HashSet<&str> = domains.iter().map(String::as_str).collect();
        let gone: Vec<String> = loaded
            .keys()
            .filter(|k| !wanted.contains(k.as_str()))
            .cloned()
            .collect();
        for fqdn in gone {
            self.shared.resolver.remove(&fqdn);
            loaded.remove(&fqdn);
        }
        for fqdn in &domains {
            let Some(record) = uploaded.get(fqdn).or_else(|| managed.get(fqdn)) else {
                if loaded.remove(fqdn).is_some() {
                    self.shared.resolver.remove(fqdn);
                }
                continue;
            };
            served += 1;
            let key = format!("{}:{}", record.source, record.serial);
            if loaded.get(fqdn) == Some(&key) {
                continue;
            }
            match certs::certified_key(&record.chain_pem, &record.key_pem) {
                Ok(ck) => {
                    self.shared.resolver.insert(fqdn, ck);
                    loaded.insert(fqdn.clone(), key);
                }
                Err(e) => {
                    tracing::error!(domain = %fqdn, error = %e, "stored certificate unusable")
                }
            }
        }
        Ok(served)
    }

    /// Runs the scheduler until `stop` resolves: DNS checks, orders, renewals.
    pub async fn run(self, stop: impl std::future::Future<Output = ()> + Send) {
        scheduler::run(self.shared.clone(), self.clone(), stop).await;
    }

    // ---- admin --------------------------------------------------------------------------

    /// Every domain's status, sorted by FQDN.
    pub fn status_all(&self, tx: &Tx) -> AdminResult<Vec<DomainTls>> {
        let mut out = Vec::new();
        for d in tx.domains()? {
            out.push(self.status_in(tx, &d.domain.fqdn)?);
        }
        Ok(out)
    }

    /// One domain's status.
    pub fn status_in(&self, tx: &Tx, fqdn: &str) -> AdminResult<DomainTls> {
        let state = tx.tls_state(fqdn)?;
        let uploaded = tx.uploaded_cert(fqdn)?;
        let cert = match uploaded {
            Some(c) => Some(c),
            None => tx.managed_cert(fqdn)?,
        };
        Ok(self.describe(fqdn, state, cert.as_ref()))
    }

    fn describe(&self, fqdn: &str, record: TlsStateRecord, cert: Option<&CertRecord>) -> DomainTls {
        let info = cert.map(|c| CertInfo {
            source: c.source,
            issuer: c.issuer.clone(),
            names: c.names.clone(),
            serial: c.serial.clone(),
            not_before: c.not_before,
            not_after: c.not_after,
            renew_at: (c.source != CertSource::Uploaded)
                .then(|| certs::renew_at(c.not_before, c.not_after)),
        });
        let mut state = record.state;
        let mut note = record.note;
        if let Some(c) = cert
            && c.source == CertSource::Uploaded
        {
            state = TlsState::Active {
                issuer: c.issuer.clone(),
                not_after: c.not_after,
            };
        }
        if self.shared.config.mode == TlsMode::Off && cert.is_none() {
            note = Some("HTTPS is off ([tls] mode = \"off\" or no [tls] section)".into());
        }
        DomainTls {
            fqdn: fqdn.to_string(),
            state,
            cert: info,
            dns: record.dns,
            failures: record.failures,
            note,
        }
    }

    /// Checks a domain's DNS now, stores what was found, and wakes the scheduler.
    pub async fn check_dns(&self, fqdn: &str) -> AdminResult<portico_protocol::DnsCheck> {
        let Some(checker) = &self.shared.dns else {
            return Err(AdminError::invalid(
                "fqdn",
                match self.shared.config.mode {
                    TlsMode::Local => {
                        "certificates come from the local CA ([tls] mode = \"local\"), which \
                         needs no DNS check"
                    }
                    _ => "HTTPS is off; set [tls] mode = \"acme\" and cname_target to check DNS",
                },
            ));
        };
        let finding = checker.check(fqdn).await;
        Ok(portico_protocol::DnsCheck {
            ok: finding.ok,
            found: finding.found,
            checked_at: self.shared.now(),
        })
    }

    /// The effect of a DNS check on a stored state (inside the admin's transaction).
    pub fn apply_check(
        tx: &mut Tx,
        fqdn: &str,
        check: portico_protocol::DnsCheck,
    ) -> AdminResult<()> {
        let mut state = tx.tls_state(fqdn)?;
        if !check.ok {
            state.state = TlsState::DnsPending {
                found: check.found.clone(),
            };
        } else if matches!(
            state.state,
            TlsState::DnsPending { .. } | TlsState::Failed { .. }
        ) {
            // Checked on demand: try now instead of waiting out the backoff.
            state.state = TlsState::Waiting;
        }
        state.dns = Some(check);
        tx.put_tls_state(fqdn, &state)?;
        Ok(())
    }

    /// Validates an upload for `fqdn` into a record.
    pub fn check_upload(
        &self,
        fqdn: &str,
        upload: &portico_protocol::CertUpload,
    ) -> AdminResult<CertRecord> {
        certs::record(
            CertSource::Uploaded,
            fqdn,
            &upload.chain_pem,
            &upload.key_pem,
            self.shared.now(),
        )
        .map(|(record, _)| record)
        .map_err(|e| AdminError::invalid("certificate", e.0))
    }

    /// The local CA's root in PEM.
    pub fn ca_export(&self) -> AdminResult<String> {
        if self.shared.config.mode != TlsMode::Local
            && self.shared.store.read(|tx| tx.local_ca())?.is_none()
        {
            return Err(AdminError::invalid(
                "ca",
                "there is no local CA: certificates come from ACME or uploads; the local CA \
                 exists with [tls] mode = \"local\" (and in --dev)",
            ));
        }
        self.local_ca()
            .map(|ca| ca.cert_pem)
            .map_err(|e| AdminError::internal(e.to_string()))
    }
}
