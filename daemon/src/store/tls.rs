//! Certificates and their state: ACME accounts, managed and uploaded certificates with their
//! keys, the per-domain TLS state, the order log (for the per-hour cap) and the local CA.
//!
//! Keys never leave the store except through an explicit admin export (`portico ca export`
//! prints the local CA's certificate, never its key); the JSON export leaves these tables out.

use portico_protocol::{CertSource, DnsCheck, TlsState};
use redb::{ReadableTable, TableDefinition};
use serde::{Deserialize, Serialize};

use super::StoreError;
use super::codec::{Json, Record};
use super::tx::Tx;

/// Certificates Portico obtained (ACME or the local CA) by FQDN.
pub const TLS_CERTS: TableDefinition<&str, Json<CertRecord>> = TableDefinition::new("tls_certs@1");
/// Certificates admins uploaded, by FQDN; they win over managed ones.
pub const TLS_UPLOADED: TableDefinition<&str, Json<CertRecord>> =
    TableDefinition::new("tls_uploaded@1");
/// Per-domain TLS state by FQDN.
pub const TLS_STATE: TableDefinition<&str, Json<TlsStateRecord>> =
    TableDefinition::new("tls_state@1");
/// ACME accounts by directory URL.
pub const ACME_ACCOUNTS: TableDefinition<&str, Json<AcmeAccountRecord>> =
    TableDefinition::new("acme_accounts@1");
/// Orders placed: (Unix seconds, FQDN) → 0. Read for the per-hour cap.
pub const ACME_ORDERS: TableDefinition<(i64, &str), u8> = TableDefinition::new("acme_orders@1");
/// The local CA (one row, `root`).
pub const LOCAL_CA: TableDefinition<&str, Json<LocalCaRecord>> = TableDefinition::new("local_ca@1");

/// A certificate chain with its key.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertRecord {
    /// Where it comes from.
    pub source: CertSource,
    /// The chain in PEM, leaf first.
    pub chain_pem: String,
    /// The private key in PEM.
    pub key_pem: String,
    /// Start of validity (Unix seconds).
    pub not_before: i64,
    /// End of validity (Unix seconds).
    pub not_after: i64,
    /// The issuer's name.
    pub issuer: String,
    /// Serial number in hex.
    pub serial: String,
    /// Subject alternative names.
    pub names: Vec<String>,
}

impl std::fmt::Debug for CertRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CertRecord")
            .field("source", &self.source)
            .field("issuer", &self.issuer)
            .field("serial", &self.serial)
            .field("not_after", &self.not_after)
            .field("key_pem", &"<redacted>")
            .finish()
    }
}

/// Where a domain stands, as the scheduler last left it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TlsStateRecord {
    /// The state.
    pub state: TlsState,
    /// The last DNS check.
    pub dns: Option<DnsCheck>,
    /// Orders that failed in a row.
    pub failures: u32,
    /// What holds the domain back right now, if anything.
    #[serde(default)]
    pub note: Option<String>,
}

impl Default for TlsStateRecord {
    fn default() -> Self {
        TlsStateRecord {
            state: TlsState::Waiting,
            dns: None,
            failures: 0,
            note: None,
        }
    }
}

/// An ACME account: instant-acme's credentials (its key included) as JSON.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcmeAccountRecord {
    /// `instant_acme::AccountCredentials` serialized.
    pub credentials: String,
    /// When the account was created (Unix seconds).
    pub created_at: i64,
}

impl std::fmt::Debug for AcmeAccountRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AcmeAccountRecord")
            .field("created_at", &self.created_at)
            .finish_non_exhaustive()
    }
}

/// The local CA's certificate and key.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalCaRecord {
    /// The root certificate in PEM.
    pub cert_pem: String,
    /// Its key in PEM.
    pub key_pem: String,
}

impl std::fmt::Debug for LocalCaRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalCaRecord").finish_non_exhaustive()
    }
}

impl Record for CertRecord {
    const NAME: &'static str = "cert@1";
}
impl Record for TlsStateRecord {
    const NAME: &'static str = "tls_state@1";
}
impl Record for AcmeAccountRecord {
    const NAME: &'static str = "acme_account@1";
}
impl Record for LocalCaRecord {
    const NAME: &'static str = "local_ca@1";
}

/// Opens the TLS tables (migration `0004_tls_tables`).
pub(super) fn create_tables(txn: &redb::WriteTransaction) -> Result<(), StoreError> {
    txn.open_table(TLS_CERTS)?;
    txn.open_table(TLS_UPLOADED)?;
    txn.open_table(TLS_STATE)?;
    txn.open_table(ACME_ACCOUNTS)?;
    txn.open_table(ACME_ORDERS)?;
    txn.open_table(LOCAL_CA)?;
    Ok(())
}

fn get<T: Record + 'static>(
    tx: &Tx,
    def: TableDefinition<&str, Json<T>>,
    key: &str,
) -> Result<Option<T>, StoreError> {
    use super::tx::Inner;
    let value = match &tx.inner {
        Inner::Read(txn) => txn.open_table(def)?.get(key)?.map(|g| g.value()),
        Inner::Write(txn) => txn.open_table(def)?.get(key)?.map(|g| g.value()),
    };
    value.map(super::tx::decode).transpose()
}

fn all<T: Record + 'static>(
    tx: &Tx,
    def: TableDefinition<&str, Json<T>>,
) -> Result<Vec<(String, T)>, StoreError> {
    fn rows<T: Record + 'static>(
        t: &impl ReadableTable<&'static str, Json<T>>,
    ) -> Result<Vec<(String, T)>, StoreError> {
        let mut out = Vec::new();
        for row in t.iter()? {
            let (k, v) = row?;
            out.push((k.value().to_string(), super::tx::decode(v.value())?));
        }
        Ok(out)
    }
    use super::tx::Inner;
    match &tx.inner {
        Inner::Read(txn) => rows(&txn.open_table(def)?),
        Inner::Write(txn) => rows(&txn.open_table(def)?),
    }
}

fn put<T: Record + 'static>(
    tx: &mut Tx,
    def: TableDefinition<&str, Json<T>>,
    key: &str,
    value: &T,
) -> Result<(), StoreError> {
    tx.w()?.open_table(def)?.insert(key, Ok(value.clone()))?;
    Ok(())
}

fn remove<T: Record + 'static>(
    tx: &mut Tx,
    def: TableDefinition<&str, Json<T>>,
    key: &str,
) -> Result<bool, StoreError> {
    let removed = tx.w()?.open_table(def)?.remove(key)?.is_some();
    Ok(removed)
}

impl Tx {
    /// The certificate Portico obtained for `fqdn`.
    pub fn managed_cert(&self, fqdn: &str) -> Result<Option<CertRecord>, StoreError> {
        get(self, TLS_CERTS, fqdn)
    }
    /// Every obtained certificate.
    pub fn managed_certs(&self) -> Result<Vec<(String, CertRecord)>, StoreError> {
        all(self, TLS_CERTS)
    }
    /// Stores an obtained certificate.
    pub fn put_managed_cert(&mut self, fqdn: &str, cert: &CertRecord) -> Result<(), StoreError> {
        put(self, TLS_CERTS, fqdn, cert)
    }
    /// The uploaded certificate of `fqdn`.
    pub fn uploaded_cert(&self, fqdn: &str) -> Result<Option<CertRecord>, StoreError> {
        get(self, TLS_UPLOADED, fqdn)
    }
    /// Every uploaded certificate.
    pub fn uploaded_certs(&self) -> Result<Vec<(String, CertRecord)>, StoreError> {
        all(self, TLS_UPLOADED)
    }
    /// Stores an uploaded certificate.
    pub fn put_uploaded_cert(&mut self, fqdn: &str, cert: &CertRecord) -> Result<(), StoreError> {
        put(self, TLS_UPLOADED, fqdn, cert)
    }
    /// Drops an uploaded certificate; false when there was none.
    pub fn remove_uploaded_cert(&mut self, fqdn: &str) -> Result<bool, StoreError> {
        remove(self, TLS_UPLOADED, fqdn)
    }
    /// Drops everything TLS knows of a removed domain (its certificates and state).
    pub fn forget_tls(&mut self, fqdn: &str) -> Result<(), StoreError> {
        remove(self, TLS_CERTS, fqdn)?;
        remove(self, TLS_UPLOADED, fqdn)?;
        remove(self, TLS_STATE, fqdn)?;
        Ok(())
    }
    /// The TLS state of `fqdn` (the default when none is stored yet).
    pub fn tls_state(&self, fqdn: &str) -> Result<TlsStateRecord, StoreError> {
        Ok(get(self, TLS_STATE, fqdn)?.unwrap_or_default())
    }
    /// Stores the TLS state of `fqdn`.
    pub fn put_tls_state(&mut self, fqdn: &str, state: &TlsStateRecord) -> Result<(), StoreError> {
        put(self, TLS_STATE, fqdn, state)
    }
    /// The ACME account for a directory URL.
    pub fn acme_account(&self, directory: &str) -> Result<Option<AcmeAccountRecord>, StoreError> {
        get(self, ACME_ACCOUNTS, directory)
    }
    /// Stores the ACME account of a directory URL.
    pub fn put_acme_account(
        &mut self,
        directory: &str,
        account: &AcmeAccountRecord,
    ) -> Result<(), StoreError> {
        put(self, ACME_ACCOUNTS, directory, account)
    }
    /// Drops the ACME account of a directory URL (the CA no longer knows it).
    pub fn remove_acme_account(&mut self, directory: &str) -> Result<bool, StoreError> {
        remove(self, ACME_ACCOUNTS, directory)
    }
    /// Logs an order placed at `at` for `fqdn`.
    pub fn log_order(&mut self, at: i64, fqdn: &str) -> Result<(), StoreError> {
        self.w()?.open_table(ACME_ORDERS)?.insert((at, fqdn), 0)?;
        Ok(())
    }
    /// Orders placed at or after `since`.
    pub fn orders_since(&self, since: i64) -> Result<u64, StoreError> {
        fn count(
            t: &impl ReadableTable<(i64, &'static str), u8>,
            since: i64,
        ) -> Result<u64, StoreError> {
            let mut n = 0;
            for row in t.range((since, "")..)? {
                row?;
                n += 1;
            }
            Ok(n)
        }
        use super::tx::Inner;
        match &self.inner {
            Inner::Read(txn) => count(&txn.open_table(ACME_ORDERS)?, since),
            Inner::Write(txn) => count(&txn.open_table(ACME_ORDERS)?, since),
        }
    }
    /// The local CA, once created.
    pub fn local_ca(&self) -> Result<Option<LocalCaRecord>, StoreError> {
        get(self, LOCAL_CA, "root")
    }
    /// Stores the local CA.
    pub fn put_local_ca(&mut self, ca: &LocalCaRecord) -> Result<(), StoreError> {
        put(self, LOCAL_CA, "root", ca)
    }
}
