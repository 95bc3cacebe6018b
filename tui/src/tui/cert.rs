//! The one place that knows how DNS and certificate state reaches the console. The admin API
//! does not report it yet (another branch adds it); until then every domain shows "—" and the
//! Certificate tab's actions say that this daemon cannot do them. Wiring the new API in touches
//! this file (and a `Request`/`Reply` pair in `io.rs`), not the screens.

use std::path::PathBuf;

use super::io::Request;

/// Shown where a value is not known.
pub const UNKNOWN: &str = "—";

/// What the console shows about a domain's DNS and certificate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsView {
    /// The DNS check, e.g. `ok` or `pending: A 203.0.113.7`.
    pub dns: Option<String>,
    /// The certificate's state, e.g. `active`, `issuing`, `failed`.
    pub cert: Option<String>,
    /// When the certificate expires (Unix seconds).
    pub not_after: Option<i64>,
    /// The last problem (ACME's words), if any.
    pub problem: Option<String>,
    /// When the next attempt is due (Unix seconds).
    pub next_retry: Option<i64>,
    /// Where the certificate came from: `acme`, `uploaded`, `local CA`.
    pub source: Option<String>,
}

impl TlsView {
    /// The DNS column.
    pub fn dns_text(&self) -> String {
        self.dns.clone().unwrap_or_else(|| UNKNOWN.to_string())
    }

    /// The certificate column: state and expiry day.
    pub fn cert_text(&self) -> String {
        match (&self.cert, self.not_after) {
            (Some(state), Some(at)) => format!("{state} {}", crate::cli::output::day(at)),
            (Some(state), None) => state.clone(),
            (None, _) => UNKNOWN.to_string(),
        }
    }
}

/// An action of the Certificate tab.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertAction {
    /// Look up the CNAME now.
    RecheckDns,
    /// Order the certificate now instead of at the next retry.
    RetryNow,
    /// Use an uploaded certificate chain and key.
    UploadPem { chain: PathBuf, key: PathBuf },
}

/// The request that carries out `action` for `fqdn`, or why this daemon cannot.
pub fn request(fqdn: &str, action: &CertAction) -> Result<Request, String> {
    let what = match action {
        CertAction::RecheckDns => "check DNS",
        CertAction::RetryNow => "retry certificates",
        CertAction::UploadPem { .. } => "take uploaded certificates",
    };
    Err(format!(
        "{fqdn}: this porticod cannot {what} over the admin socket yet; use the daemon's \
         configuration until it can"
    ))
}

/// What the SMTP tab's "send test mail" asks for, or why this daemon cannot.
pub fn test_mail(fqdn: &str) -> Result<Request, String> {
    Err(format!(
        "{fqdn}: this porticod has no test-mail call yet; the settings are saved with s"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_state_shows_a_dash_and_known_state_its_words() {
        let none = TlsView::default();
        assert_eq!(
            (none.dns_text(), none.cert_text()),
            ("—".into(), "—".into())
        );
        let known = TlsView {
            dns: Some("ok".into()),
            cert: Some("active".into()),
            not_after: Some(1_790_000_000),
            ..TlsView::default()
        };
        assert_eq!(known.cert_text(), "active 2026-09-21");
        assert!(request("a.test", &CertAction::RetryNow).is_err());
    }
}
