//! Certificates and HTTPS: the per-domain TLS state the admin sees, and uploaded certificates.

use serde::{Deserialize, Serialize};

/// Where a domain's certificate comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CertSource {
    /// Obtained from the configured ACME CA.
    Acme,
    /// Uploaded by an admin (PEM chain and key).
    Uploaded,
    /// Issued by Portico's own local CA (`--dev`, air-gapped installs).
    LocalCa,
}

impl std::fmt::Display for CertSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            CertSource::Acme => "acme",
            CertSource::Uploaded => "uploaded",
            CertSource::LocalCa => "local-ca",
        })
    }
}

/// Where a domain stands on its way to a certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum TlsState {
    /// Nothing was tried yet (the domain was just added, or TLS is off).
    Waiting,
    /// The domain's DNS does not point at Portico yet; `found` says what DNS has instead.
    DnsPending {
        /// What DNS answered, e.g. `A record 203.0.113.7 instead of a CNAME`.
        found: String,
    },
    /// An order is under way.
    Issuing,
    /// A certificate is served.
    Active {
        /// The issuer's name.
        issuer: String,
        /// When the certificate expires (Unix seconds).
        not_after: i64,
    },
    /// The last order failed; another is tried at `next_retry`.
    Failed {
        /// The CA's problem detail (or the connection error).
        problem: String,
        /// When the next order is tried (Unix seconds).
        next_retry: i64,
    },
}

impl TlsState {
    /// The state's snake_case name (`dns_pending`, `active`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            TlsState::Waiting => "waiting",
            TlsState::DnsPending { .. } => "dns_pending",
            TlsState::Issuing => "issuing",
            TlsState::Active { .. } => "active",
            TlsState::Failed { .. } => "failed",
        }
    }
}

/// The result of a domain's DNS check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DnsCheck {
    /// The domain points at Portico (a CNAME to `[tls] cname_target`, and no CAA record that
    /// forbids the CA).
    pub ok: bool,
    /// What was found, in words: `CNAME to portico.carrier.example`, `A record 203.0.113.7
    /// instead of a CNAME`, `NXDOMAIN`, `CAA forbids the CA (only letsencrypt.org may issue)`.
    pub found: String,
    /// When the check ran (Unix seconds).
    pub checked_at: i64,
}

/// The certificate a domain serves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertInfo {
    /// Where it comes from.
    pub source: CertSource,
    /// The issuer's distinguished name.
    pub issuer: String,
    /// The names it covers (subject alternative names).
    pub names: Vec<String>,
    /// Serial number, in hex.
    pub serial: String,
    /// Start of validity (Unix seconds).
    pub not_before: i64,
    /// End of validity (Unix seconds).
    pub not_after: i64,
    /// When Portico renews it (two thirds of its lifetime); `None` for uploaded certificates.
    pub renew_at: Option<i64>,
}

/// One domain's HTTPS state, as `portico domain status` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainTls {
    /// The domain.
    pub fqdn: String,
    /// Where it stands.
    pub state: TlsState,
    /// The certificate served, if any (it stays served while a renewal fails).
    pub cert: Option<CertInfo>,
    /// The last DNS check.
    pub dns: Option<DnsCheck>,
    /// Orders that failed in a row.
    pub failures: u32,
    /// Why nothing happens right now, when something holds it back (the per-hour order cap).
    #[serde(default)]
    pub note: Option<String>,
}

/// A certificate an admin uploads for a domain instead of ACME.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertUpload {
    /// The certificate chain in PEM, the domain's certificate first.
    pub chain_pem: String,
    /// The private key in PEM (PKCS#8, PKCS#1 or SEC1).
    pub key_pem: String,
}

impl std::fmt::Debug for CertUpload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CertUpload")
            .field("chain_pem", &format_args!("{} bytes", self.chain_pem.len()))
            .field("key_pem", &"<redacted>")
            .finish()
    }
}
