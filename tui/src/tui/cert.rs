//! The one place that knows how DNS and certificate state reaches the console: the daemon's
//! [`DomainTls`] becomes the words of the Domains table and of the editor's Certificate tab, and
//! the tab's actions become requests. Drawing stays pure: times are shown relative to the
//! app's clock, never read here.

use std::path::PathBuf;

use portico_protocol::{CertSource, DomainTls, TlsState};

use super::app::duration;
use super::io::Request;
use crate::cli::output::day;

/// Shown where a value is not known.
pub const UNKNOWN: &str = "—";

/// The DNS column: `ok`, `no` (DNS does not point here yet), or "—" before the first check.
pub fn dns_text(tls: Option<&DomainTls>) -> String {
    match tls {
        Some(t) => match (&t.dns, &t.state) {
            (Some(check), _) => if check.ok { "ok" } else { "no" }.into(),
            (None, TlsState::DnsPending { .. }) => "no".into(),
            (None, _) => UNKNOWN.into(),
        },
        None => UNKNOWN.into(),
    }
}

/// The certificate column: the state, with its expiry day when active, what DNS has when it is
/// pending, and when the next order is tried when it failed.
pub fn cert_text(tls: Option<&DomainTls>, now: i64) -> String {
    let Some(t) = tls else {
        return UNKNOWN.into();
    };
    match &t.state {
        TlsState::Active { not_after, .. } => format!("active · {}", day(*not_after)),
        TlsState::DnsPending { found } => format!("dns_pending · {found}"),
        TlsState::Failed { next_retry, .. } => format!("failed · {}", retry_in(*next_retry, now)),
        other => other.name().into(),
    }
}

/// When the next order is tried, relative to `now`.
pub fn retry_in(next_retry: i64, now: i64) -> String {
    if next_retry > now {
        format!("retry in {}", duration(next_retry - now))
    } else {
        "retry due".into()
    }
}

/// Where a certificate comes from, in words.
pub fn source_text(source: CertSource) -> &'static str {
    match source {
        CertSource::Acme => "ACME",
        CertSource::Uploaded => "uploaded",
        CertSource::LocalCa => "Portico's local CA",
    }
}

/// True when the domain serves an uploaded certificate (which can be removed).
pub fn uploaded(tls: Option<&DomainTls>) -> bool {
    tls.and_then(|t| t.cert.as_ref())
        .is_some_and(|c| c.source == CertSource::Uploaded)
}

/// An action of the Certificate tab.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertAction {
    /// Look up the CNAME now.
    RecheckDns,
    /// Try a failed order again now. The admin API has one call for both: it checks DNS and,
    /// when that passes and a certificate is due, the daemon orders at once.
    RetryNow,
    /// Serve an uploaded certificate chain and key (read by the console from these paths).
    UploadPem { chain: PathBuf, key: PathBuf },
    /// Drop the uploaded certificate; the domain goes back to automatic certificates.
    RemoveUploaded,
}

/// The request that carries out `action` for `fqdn`.
pub fn request(fqdn: &str, action: &CertAction) -> Request {
    let fqdn = fqdn.to_string();
    match action {
        CertAction::RecheckDns | CertAction::RetryNow => Request::TlsCheck(fqdn),
        CertAction::UploadPem { chain, key } => Request::CertUpload {
            fqdn,
            chain: chain.clone(),
            key: key.clone(),
        },
        CertAction::RemoveUploaded => Request::CertRemove(fqdn),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use portico_protocol::{CertInfo, DnsCheck};

    fn tls(state: TlsState, dns_ok: Option<bool>) -> DomainTls {
        DomainTls {
            fqdn: "a.test".into(),
            state,
            cert: None,
            dns: dns_ok.map(|ok| DnsCheck {
                ok,
                found: "x".into(),
                checked_at: 0,
            }),
            failures: 0,
            note: None,
        }
    }

    #[test]
    fn unknown_state_shows_a_dash_and_known_state_its_words() {
        assert_eq!(
            (dns_text(None), cert_text(None, 0)),
            ("—".into(), "—".into())
        );
        let active = tls(
            TlsState::Active {
                issuer: "CA".into(),
                not_after: 1_790_000_000,
            },
            Some(true),
        );
        assert_eq!(dns_text(Some(&active)), "ok");
        assert_eq!(cert_text(Some(&active), 0), "active · 2026-09-21");
        let pending = tls(
            TlsState::DnsPending {
                found: "NXDOMAIN".into(),
            },
            None,
        );
        assert_eq!(dns_text(Some(&pending)), "no");
        assert_eq!(cert_text(Some(&pending), 0), "dns_pending · NXDOMAIN");
        let failed = tls(
            TlsState::Failed {
                problem: "rate limited".into(),
                next_retry: 1_000 + 3_900,
            },
            Some(true),
        );
        assert_eq!(cert_text(Some(&failed), 1_000), "failed · retry in 1h 05m");
        assert_eq!(cert_text(Some(&failed), 9_000), "failed · retry due");
    }

    #[test]
    fn actions_become_requests_and_only_uploads_can_be_removed() {
        assert_eq!(
            request("a.test", &CertAction::RetryNow),
            Request::TlsCheck("a.test".into())
        );
        assert_eq!(
            request("a.test", &CertAction::RemoveUploaded),
            Request::CertRemove("a.test".into())
        );
        let mut t = tls(TlsState::Waiting, None);
        assert!(!uploaded(Some(&t)));
        t.cert = Some(CertInfo {
            source: CertSource::Uploaded,
            issuer: "CN=x".into(),
            names: vec!["a.test".into()],
            serial: "01".into(),
            not_before: 0,
            not_after: 1,
            renew_at: None,
        });
        assert!(uploaded(Some(&t)));
    }
}
