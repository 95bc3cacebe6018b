//! `[tls]`: HTTPS listeners and where certificates come from.
//!
//! ```toml
//! [tls]
//! mode = "acme"                        # "acme", "local" (Portico's own CA) or "off"
//! listen = ["0.0.0.0:443", "[::]:443"] # HTTPS
//! cname_target = "portico.carrier.example"  # brands point their portal names here
//! name_servers = ["192.0.2.53:53"]     # default: the system's (/etc/resolv.conf)
//! acme_directory = "https://acme-v02.api.letsencrypt.org/directory"
//! acme_root = "/etc/portico/private-ca.pem"  # trust this root for the CA's API
//! acme_contact = "mailto:ops@carrier.example"
//! challenge = "http-01"                # or "tls-alpn-01"
//! orders_per_hour = 20
//! hsts_max_age = 31536000              # 0: no HSTS header
//! redirect = true                      # plain HTTP → HTTPS for names with a certificate
//! caa_identities = ["letsencrypt.org"] # the CA's CAA name (default for Let's Encrypt)
//! default_sni = "portal.carrier.example"  # certificate for clients that send no SNI
//! session_resumption = true            # TLS session tickets and cache
//! ```

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use super::{ConfigError, invalid};

/// Let's Encrypt's production directory.
pub const LETS_ENCRYPT: &str = "https://acme-v02.api.letsencrypt.org/directory";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTls {
    mode: Option<String>,
    listen: Option<Vec<String>>,
    cname_target: Option<String>,
    name_servers: Option<Vec<String>>,
    acme_directory: Option<String>,
    acme_root: Option<PathBuf>,
    acme_contact: Option<String>,
    challenge: Option<String>,
    orders_per_hour: Option<u32>,
    hsts_max_age: Option<u64>,
    redirect: Option<bool>,
    check_interval_ms: Option<u64>,
    dns_recheck_secs: Option<u64>,
    retry_base_secs: Option<u64>,
    retry_max_secs: Option<u64>,
    clock_file: Option<PathBuf>,
    caa_identities: Option<Vec<String>>,
    default_sni: Option<String>,
    session_resumption: Option<bool>,
}

/// Where certificates come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// No HTTPS listener; the portal is plain HTTP only.
    Off,
    /// Certificates from an ACME CA, after the domain's CNAME check.
    Acme,
    /// Certificates from Portico's own CA, without a DNS check (`--dev`, air-gapped).
    Local,
}

/// The ACME challenge answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Challenge {
    /// A token over plain HTTP on port 80.
    Http01,
    /// A special certificate over TLS on port 443 (ALPN `acme-tls/1`).
    TlsAlpn01,
}

/// `[tls]`, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsConfig {
    /// Where certificates come from.
    pub mode: TlsMode,
    /// HTTPS listen addresses.
    pub listen: Vec<SocketAddr>,
    /// The name every portal domain must have a CNAME to (ACME mode).
    pub cname_target: Option<String>,
    /// DNS servers to ask; empty: the system's.
    pub name_servers: Vec<SocketAddr>,
    /// The ACME directory URL.
    pub acme_directory: String,
    /// A root certificate (PEM file) to trust for the ACME API instead of the system's.
    pub acme_root: Option<PathBuf>,
    /// Contact URLs of the ACME account.
    pub acme_contact: Vec<String>,
    /// The challenge answered.
    pub challenge: Challenge,
    /// At most this many orders in any hour.
    pub orders_per_hour: u32,
    /// `Strict-Transport-Security: max-age=...`; 0: none.
    pub hsts_max_age: u64,
    /// Plain HTTP redirects to HTTPS for names that have a certificate.
    pub redirect: bool,
    /// How often the scheduler looks at every domain.
    pub check_interval: Duration,
    /// How long a DNS check result is trusted before the scheduler asks again.
    pub dns_recheck: Duration,
    /// The first wait after a failed order; doubled after each further failure.
    pub retry_base: Duration,
    /// The longest wait between two orders of one domain.
    pub retry_max: Duration,
    /// Tests: a file holding a number of seconds added to the clock.
    pub clock_file: Option<PathBuf>,
    /// CAA issuer names of the CA (`letsencrypt.org`); empty: CAA is not checked.
    pub caa_identities: Vec<String>,
    /// The domain whose certificate a client that sends no SNI gets (old clients, IP URLs);
    /// `None`: such a client gets no certificate.
    pub default_sni: Option<String>,
    /// Returning clients may resume their TLS session (tickets, and a session cache for
    /// TLS 1.2) instead of a full handshake.
    pub session_resumption: bool,
}

impl TlsConfig {
    /// HTTPS off: no listener, no certificates.
    pub fn off() -> TlsConfig {
        TlsConfig {
            mode: TlsMode::Off,
            listen: Vec::new(),
            cname_target: None,
            name_servers: Vec::new(),
            acme_directory: LETS_ENCRYPT.to_string(),
            acme_root: None,
            acme_contact: Vec::new(),
            challenge: Challenge::Http01,
            orders_per_hour: 20,
            hsts_max_age: 0,
            redirect: false,
            check_interval: Duration::from_secs(10),
            dns_recheck: Duration::from_secs(300),
            retry_base: Duration::from_secs(60),
            retry_max: Duration::from_secs(86_400),
            clock_file: None,
            caa_identities: Vec::new(),
            default_sni: None,
            session_resumption: true,
        }
    }

    /// The port HTTP redirects go to (omitted from the URL when it is 443).
    pub fn https_port(&self) -> Option<u16> {
        self.listen.first().map(SocketAddr::port)
    }

    pub(super) fn from_raw(
        raw: Option<RawTls>,
        shown: &str,
        dev: bool,
        https_override: &[String],
    ) -> Result<TlsConfig, ConfigError> {
        let present = raw.is_some();
        let raw = raw.unwrap_or_default();
        let mode = match raw.mode.as_deref().map(str::trim) {
            Some("acme") => TlsMode::Acme,
            Some("local") => TlsMode::Local,
            Some("off") => TlsMode::Off,
            Some(other) => {
                return Err(invalid(
                    shown,
                    "tls.mode",
                    format!("\"{other}\" is not a mode; write \"acme\", \"local\" or \"off\""),
                ));
            }
            None if dev => TlsMode::Local,
            // Without a [tls] section a production daemon serves plain HTTP only, as before
            // certificates existed; the packaged config has the section.
            None if !present => TlsMode::Off,
            None => TlsMode::Acme,
        };
        let (listen_src, listen) = if !https_override.is_empty() {
            ("command line", https_override.to_vec())
        } else if let Some(list) = raw.listen {
            (shown, list)
        } else if dev {
            ("default", vec!["127.0.0.1:8443".to_string()])
        } else {
            ("default", vec!["0.0.0.0:443".to_string()])
        };
        let mut addrs = Vec::new();
        for addr in &listen {
            let parsed = addr.trim().parse::<SocketAddr>().map_err(|_| {
                invalid(
                    listen_src,
                    "tls.listen",
                    format!(
                        "\"{addr}\" is not an address with a port; write it like \
                         0.0.0.0:443 or [::]:443"
                    ),
                )
            })?;
            addrs.push(parsed);
        }
        let cname_target = match raw.cname_target.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(t) => Some(
                crate::portal::normalize_host(t)
                    .filter(|n| !n.contains(':'))
                    .ok_or_else(|| {
                        invalid(
                            shown,
                            "tls.cname_target",
                            format!(
                                "\"{t}\" is not a host name; write the name brands point \
                                 their CNAME at, e.g. \"portico.carrier.example\""
                            ),
                        )
                    })?,
            ),
        };
        if mode == TlsMode::Acme && cname_target.is_none() {
            return Err(invalid(
                shown,
                "tls.cname_target",
                "is required with mode = \"acme\": write the host name brands point their \
                 portal names at with a CNAME, e.g. \"portico.carrier.example\" (or set \
                 mode = \"local\" or \"off\")",
            ));
        }
        let mut name_servers = Vec::new();
        for ns in raw.name_servers.iter().flatten() {
            let parsed = ns
                .trim()
                .parse::<SocketAddr>()
                .or_else(|_| {
                    ns.trim()
                        .parse::<std::net::IpAddr>()
                        .map(|ip| SocketAddr::new(ip, 53))
                })
                .map_err(|_| {
                    invalid(
                        shown,
                        "tls.name_servers",
                        format!(
                            "\"{ns}\" is not an IP address (with an optional port), e.g. \
                             \"192.0.2.53\" or \"127.0.0.1:5353\""
                        ),
                    )
                })?;
            name_servers.push(parsed);
        }
        let acme_directory = raw
            .acme_directory
            .map(|d| d.trim().to_string())
            .unwrap_or_else(|| LETS_ENCRYPT.to_string());
        if !acme_directory.starts_with("https://") {
            return Err(invalid(
                shown,
                "tls.acme_directory",
                format!(
                    "\"{acme_directory}\" is not an https:// URL; write the CA's directory URL, \
                     e.g. \"{LETS_ENCRYPT}\""
                ),
            ));
        }
        if let Some(root) = &raw.acme_root
            && !root.is_absolute()
        {
            return Err(invalid(
                shown,
                "tls.acme_root",
                format!("\"{}\" is not an absolute path", root.display()),
            ));
        }
        let acme_contact = match raw.acme_contact.as_deref().map(str::trim) {
            None | Some("") => Vec::new(),
            Some(c) if c.starts_with("mailto:") => vec![c.to_string()],
            Some(c) if c.contains('@') => vec![format!("mailto:{c}")],
            Some(c) => {
                return Err(invalid(
                    shown,
                    "tls.acme_contact",
                    format!("\"{c}\" is not an e-mail address, e.g. \"ops@carrier.example\""),
                ));
            }
        };
        let challenge = match raw.challenge.as_deref().map(str::trim) {
            None | Some("http-01") => Challenge::Http01,
            Some("tls-alpn-01") => Challenge::TlsAlpn01,
            Some(other) => {
                return Err(invalid(
                    shown,
                    "tls.challenge",
                    format!("\"{other}\" is not a challenge; write \"http-01\" or \"tls-alpn-01\""),
                ));
            }
        };
        let orders_per_hour = raw.orders_per_hour.unwrap_or(20);
        if orders_per_hour == 0 {
            return Err(invalid(
                shown,
                "tls.orders_per_hour",
                "must be at least 1 (Let's Encrypt allows 300 new orders per 3 hours; 20 is safe)",
            ));
        }
        let secs = |key: &str, v: Option<u64>, default: u64, max: u64| {
            let v = v.unwrap_or(default);
            if v == 0 || v > max {
                Err(invalid(
                    shown,
                    format!("tls.{key}"),
                    format!("{v} is out of range; give 1 to {max}"),
                ))
            } else {
                Ok(v)
            }
        };
        let check_ms = secs(
            "check_interval_ms",
            raw.check_interval_ms,
            10_000,
            3_600_000,
        )?;
        let dns_recheck = secs("dns_recheck_secs", raw.dns_recheck_secs, 300, 86_400)?;
        let retry_base = secs("retry_base_secs", raw.retry_base_secs, 60, 86_400)?;
        let retry_max = secs("retry_max_secs", raw.retry_max_secs, 86_400, 7 * 86_400)?;
        let caa_identities = match raw.caa_identities {
            Some(list) => list
                .into_iter()
                .map(|i| i.trim().to_ascii_lowercase())
                .filter(|i| !i.is_empty())
                .collect(),
            None if acme_directory.contains("letsencrypt.org") => {
                vec!["letsencrypt.org".to_string()]
            }
            None => Vec::new(),
        };
        let default_sni = match raw.default_sni.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(name) => Some(crate::portal::normalize_host(name).ok_or_else(|| {
                invalid(
                    shown,
                    "tls.default_sni",
                    format!("\"{name}\" is not a domain name; write a portal domain's FQDN"),
                )
            })?),
        };
        Ok(TlsConfig {
            default_sni,
            caa_identities,
            mode,
            listen: if mode == TlsMode::Off {
                Vec::new()
            } else {
                addrs
            },
            cname_target,
            name_servers,
            acme_directory,
            acme_root: raw.acme_root,
            acme_contact,
            challenge,
            orders_per_hour,
            hsts_max_age: raw.hsts_max_age.unwrap_or(if dev { 0 } else { 31_536_000 }),
            redirect: raw.redirect.unwrap_or(!dev),
            check_interval: Duration::from_millis(check_ms),
            dns_recheck: Duration::from_secs(dns_recheck),
            retry_base: Duration::from_secs(retry_base),
            retry_max: Duration::from_secs(retry_max.max(retry_base)),
            clock_file: raw.clock_file,
            session_resumption: raw.session_resumption.unwrap_or(true),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Config, Overrides};
    use super::*;

    fn load(text: &str, dev: bool) -> Result<Config, String> {
        Config::from_toml(
            text,
            &Overrides {
                dev,
                ..Default::default()
            },
        )
        .map_err(|e| e.to_string())
    }

    #[test]
    fn dev_serves_https_from_the_local_ca_on_8443() {
        let c = load("", true).unwrap();
        assert_eq!(c.tls.mode, TlsMode::Local);
        assert_eq!(c.tls.listen, vec!["127.0.0.1:8443".parse().unwrap()]);
        assert!(!c.tls.redirect, "--dev stays usable over plain HTTP");
    }

    #[test]
    fn production_without_a_section_is_plain_http_and_with_one_needs_a_cname_target() {
        let c = load("", false).unwrap();
        assert_eq!(c.tls.mode, TlsMode::Off);
        assert!(c.tls.listen.is_empty());
        let err = load("[tls]\n", false).unwrap_err();
        assert!(err.contains("tls.cname_target"), "{err}");
        let c = load(
            "[tls]\ncname_target = \"Portico.Carrier.example.\"\nname_servers = [\"127.0.0.1:5353\", \"192.0.2.1\"]\nchallenge = \"tls-alpn-01\"\n",
            false,
        )
        .unwrap();
        assert_eq!(c.tls.mode, TlsMode::Acme);
        assert_eq!(
            c.tls.cname_target.as_deref(),
            Some("portico.carrier.example")
        );
        assert_eq!(
            c.tls.name_servers,
            vec![
                "127.0.0.1:5353".parse().unwrap(),
                "192.0.2.1:53".parse().unwrap()
            ]
        );
        assert_eq!(c.tls.challenge, Challenge::TlsAlpn01);
        assert_eq!(c.tls.listen, vec!["0.0.0.0:443".parse().unwrap()]);
        assert_eq!(c.tls.hsts_max_age, 31_536_000);
        assert!(c.tls.redirect);
    }

    #[test]
    fn bad_values_name_the_key() {
        for (text, key) in [
            ("[tls]\nmode = \"magic\"\n", "tls.mode"),
            ("[tls]\nmode = \"local\"\nlisten = [\"x\"]\n", "tls.listen"),
            (
                "[tls]\nmode = \"local\"\nname_servers = [\"dns\"]\n",
                "tls.name_servers",
            ),
            (
                "[tls]\nmode = \"local\"\nchallenge = \"dns-01\"\n",
                "tls.challenge",
            ),
            (
                "[tls]\nmode = \"local\"\nacme_directory = \"http://x\"\n",
                "tls.acme_directory",
            ),
            (
                "[tls]\nmode = \"local\"\norders_per_hour = 0\n",
                "tls.orders_per_hour",
            ),
            (
                "[tls]\nmode = \"local\"\ndefault_sni = \"10.0.0.1\"\n",
                "tls.default_sni",
            ),
        ] {
            let err = load(text, false).unwrap_err();
            assert!(err.contains(key), "{text}: {err}");
        }
    }
}
