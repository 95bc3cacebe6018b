//! `porticod.toml`: read once at start into validated settings. Errors name the file and key.
//!
//! ```toml
//! data_dir = "/var/lib/portico"
//! [admin]
//! socket = "/run/portico/admin.sock"
//! group = "portico-admin"
//! [http]
//! listen = ["0.0.0.0:80", "[::]:80"]
//! [log]
//! level = "info"
//! [ingest]                              # optional: CDRs that come in on their own
//! listen = ["127.0.0.1:8090"]           # FreeSWITCH mod_json_cdr posts here
//! username = "freeswitch"               # its `cred` is username:password
//! password = "a long random secret"
//! customer_variable = "portico_account" # FreeSWITCH variable holding the account code
//! time_zone = "UTC"                     # zone of times written without an offset
//! [[ingest.watch]]                      # a file the switch appends to
//! path = "/var/log/asterisk/cdr-csv/Master.csv"
//! format = "asterisk-csv"
//! time_zone = "Europe/Paris"
//! poll_ms = 1000
//! ```

use std::collections::{BTreeMap, HashSet};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use jiff::tz::TimeZone;
use serde::Deserialize;

use crate::ingest::formats::{Format, GenericMapping};

mod tls;
pub use tls::{Challenge, TlsConfig, TlsMode};
pub mod keys;
mod summary;

/// Where the packaged config lives.
pub const DEFAULT_CONFIG: &str = "/etc/portico/porticod.toml";

/// Why the configuration could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid TOML or has unknown or mistyped keys.
    #[error("{path}: {message}")]
    Parse {
        /// The file.
        path: String,
        /// toml's message, which names the key and shows the line.
        message: String,
    },
    /// A value is not acceptable.
    #[error("{path}: {key}: {reason}")]
    Invalid {
        /// The file (or `command line`).
        path: String,
        /// The key.
        key: String,
        /// What to do.
        reason: String,
    },
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    data_dir: Option<PathBuf>,
    #[serde(default)]
    admin: RawAdmin,
    #[serde(default)]
    http: RawHttp,
    #[serde(default)]
    log: RawLog,
    #[serde(default)]
    ingest: RawIngest,
    #[serde(default)]
    store: RawStore,
    tls: Option<tls::RawTls>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStore {
    cache_mib: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAdmin {
    socket: Option<PathBuf>,
    group: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHttp {
    listen: Option<Vec<String>>,
    max_connections: Option<u64>,
    max_connections_per_client: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLog {
    level: Option<String>,
}

/// Settings given on the command line; they win over the file.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    /// `--data-dir`.
    pub data_dir: Option<PathBuf>,
    /// `--admin-socket`.
    pub admin_socket: Option<PathBuf>,
    /// `--http-listen` (repeatable).
    pub http_listen: Vec<String>,
    /// `--https-listen` (repeatable).
    pub https_listen: Vec<String>,
    /// `--dev`: development defaults, and a missing config file is fine.
    pub dev: bool,
}

/// The validated configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Directory of `portico.redb`.
    pub data_dir: PathBuf,
    /// The admin socket's path.
    pub admin_socket: PathBuf,
    /// The group the admin socket is given, when it exists.
    pub admin_group: Option<String>,
    /// Plain-HTTP listen addresses of the portal.
    pub http_listen: Vec<SocketAddr>,
    /// Connections each portal listener (HTTP and HTTPS) holds at once.
    pub http_max_connections: usize,
    /// Connections one client address (IPv6: one /64) may hold on a portal listener.
    pub http_max_connections_per_client: usize,
    /// Log filter (tracing `EnvFilter` syntax).
    pub log_level: String,
    /// Development mode.
    pub dev: bool,
    /// `[ingest]`: the HTTP endpoint for mod_json_cdr and the watched files.
    pub ingest: IngestConfig,
    /// redb's page cache in bytes (`[store] cache_mib`, default 256).
    pub store_cache_bytes: usize,
    /// `[tls]`: HTTPS listeners and certificates.
    pub tls: TlsConfig,
}

impl Config {
    /// The store file.
    pub fn store_path(&self) -> PathBuf {
        self.data_dir.join("portico.redb")
    }

    /// Reads `path` (or the default file), applies `overrides`, and validates.
    pub fn load(path: Option<&Path>, overrides: &Overrides) -> Result<Config, ConfigError> {
        let explicit = path.is_some();
        let path = path.unwrap_or(Path::new(DEFAULT_CONFIG));
        let shown = path.display().to_string();
        let raw = match std::fs::read_to_string(path) {
            Ok(text) => toml::from_str::<RawConfig>(&text).map_err(|e| ConfigError::Parse {
                path: shown.clone(),
                message: e.to_string().trim_end().to_string(),
            })?,
            // Development runs need no file; a daemon in production must have its config.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && overrides.dev && !explicit => {
                RawConfig::default()
            }
            Err(source) => {
                return Err(ConfigError::Read {
                    path: shown,
                    source,
                });
            }
        };
        Config::from_raw(raw, &shown, overrides)
    }

    /// Validates a configuration given as TOML text (used by tests and `load`).
    pub fn from_toml(text: &str, overrides: &Overrides) -> Result<Config, ConfigError> {
        let raw = toml::from_str::<RawConfig>(text).map_err(|e| ConfigError::Parse {
            path: "config".into(),
            message: e.to_string().trim_end().to_string(),
        })?;
        Config::from_raw(raw, "config", overrides)
    }

    fn from_raw(raw: RawConfig, shown: &str, o: &Overrides) -> Result<Config, ConfigError> {
        let data_dir = o.data_dir.clone().or(raw.data_dir).unwrap_or_else(|| {
            PathBuf::from(if o.dev {
                "portico-data"
            } else {
                "/var/lib/portico"
            })
        });
        let admin_socket = o
            .admin_socket
            .clone()
            .or(raw.admin.socket)
            .unwrap_or_else(|| {
                if o.dev {
                    data_dir.join("admin.sock")
                } else {
                    PathBuf::from("/run/portico/admin.sock")
                }
            });
        let (http_max_connections, http_max_connections_per_client) =
            connection_caps(&raw.http, shown)?;
        let (listen_src, listen) = if !o.http_listen.is_empty() {
            ("command line", o.http_listen.clone())
        } else if let Some(list) = raw.http.listen {
            (shown, list)
        } else if o.dev {
            ("default", vec!["127.0.0.1:8080".to_string()])
        } else {
            ("default", vec!["0.0.0.0:80".to_string()])
        };
        let mut http_listen = Vec::new();
        for addr in &listen {
            http_listen.push(addr.parse::<SocketAddr>().map_err(|_| ConfigError::Invalid {
                path: listen_src.to_string(),
                key: "http.listen".into(),
                reason: format!(
                    "\"{addr}\" is not an address with a port; write it like 127.0.0.1:8080 or [::]:80"
                ),
            })?);
        }
        let group = match raw.admin.group {
            Some(g) if g.trim().is_empty() => None,
            Some(g) => Some(g),
            None if o.dev => None,
            None => Some("portico-admin".to_string()),
        };
        let ingest = IngestConfig::from_raw(raw.ingest, shown, &http_listen)?;
        let cache_mib = raw.store.cache_mib.unwrap_or(256);
        if !(16..=65_536).contains(&cache_mib) {
            return Err(ConfigError::Invalid {
                path: shown.to_string(),
                key: "store.cache_mib".into(),
                reason: format!(
                    "{cache_mib} is out of range; give the page cache between 16 and 65536 MiB \
                     (256 suits most installs)"
                ),
            });
        }
        let tls = TlsConfig::from_raw(raw.tls, shown, o.dev, &o.https_listen)?;
        if let Some(both) = tls.listen.iter().find(|a| http_listen.contains(a)) {
            return Err(invalid(
                shown,
                "tls.listen",
                format!(
                    "{both} is also a plain-HTTP address (http.listen); give HTTPS its own port"
                ),
            ));
        }
        Ok(Config {
            tls,
            data_dir,
            admin_socket,
            admin_group: group,
            http_listen,
            http_max_connections,
            http_max_connections_per_client,
            log_level: raw.log.level.unwrap_or_else(|| "info".into()),
            dev: o.dev,
            ingest,
            store_cache_bytes: (cache_mib as usize) << 20,
        })
    }
}

/// `http.max_connections` and `http.max_connections_per_client`, checked.
fn connection_caps(raw: &RawHttp, shown: &str) -> Result<(usize, usize), ConfigError> {
    use crate::serve::limits::{DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_PER_CLIENT};
    let total = raw
        .max_connections
        .unwrap_or(DEFAULT_MAX_CONNECTIONS as u64);
    if !(1..=1_000_000).contains(&total) {
        return Err(invalid(
            shown,
            "http.max_connections",
            format!(
                "{total} is out of range; give between 1 and 1000000 (4096 suits most installs)"
            ),
        ));
    }
    let per_client = raw
        .max_connections_per_client
        .unwrap_or(DEFAULT_MAX_PER_CLIENT as u64);
    if !(1..=total).contains(&per_client) {
        return Err(invalid(
            shown,
            "http.max_connections_per_client",
            format!(
                "{per_client} is out of range; give between 1 and http.max_connections ({total})"
            ),
        ));
    }
    Ok((total as usize, per_client as usize))
}

// ---------------------------------------------------------------------------------------------
// [ingest]

/// Default interval between two looks at a watched file.
pub const DEFAULT_POLL_MS: u64 = 1000;

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIngest {
    listen: Option<Vec<String>>,
    username: Option<String>,
    password: Option<String>,
    #[serde(default)]
    allow_anonymous: bool,
    customer_variable: Option<String>,
    time_zone: Option<String>,
    #[serde(default)]
    watch: Vec<RawWatch>,
}

// No Debug derive: the raw section holds the password in clear.
impl std::fmt::Debug for RawIngest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawIngest")
            .field("listen", &self.listen)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("allow_anonymous", &self.allow_anonymous)
            .field("customer_variable", &self.customer_variable)
            .field("time_zone", &self.time_zone)
            .field("watch", &self.watch)
            .finish()
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWatch {
    path: PathBuf,
    format: String,
    time_zone: Option<String>,
    poll_ms: Option<u64>,
    mapping: Option<RawMapping>,
}

/// A generic CSV mapping, as a table (`{ call_id = "UUID" }`) or as the CLI writes it
/// (`"call_id=UUID,destination=Called"`).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawMapping {
    Table(BTreeMap<String, String>),
    Text(String),
}

/// `[ingest]`: the ways CDRs come in without an admin: the HTTP endpoint FreeSWITCH's
/// mod_json_cdr posts to, and watched files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngestConfig {
    /// Listen addresses of the mod_json_cdr endpoint; empty: no endpoint.
    pub listen: Vec<SocketAddr>,
    /// The credentials a poster must send (HTTP basic auth); `None` only when
    /// `allow_anonymous = true` on loopback addresses, or without a listener.
    pub auth: Option<BasicAuth>,
    /// The FreeSWITCH channel variable whose value is matched to customers' account codes.
    pub customer_variable: Option<String>,
    /// The zone of times written without an offset (default UTC).
    pub time_zone: TimeZone,
    /// The watched files.
    pub watch: Vec<WatchConfig>,
}

impl Default for IngestConfig {
    fn default() -> Self {
        IngestConfig {
            listen: Vec::new(),
            auth: None,
            customer_variable: None,
            time_zone: TimeZone::UTC,
            watch: Vec::new(),
        }
    }
}

/// HTTP basic-auth credentials (mod_json_cdr's `cred` = `username:password`).
#[derive(Clone, PartialEq, Eq)]
pub struct BasicAuth {
    /// The user name.
    pub username: String,
    /// The password, in clear (it is a shared secret with the switch's config file).
    pub password: String,
}

impl std::fmt::Debug for BasicAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BasicAuth")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// One `[[ingest.watch]]` entry: a file a switch appends CDR lines to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchConfig {
    /// The file's path (absolute); its read position is stored under this path.
    pub path: PathBuf,
    /// A line format: `asterisk-csv`, `freeswitch-csv` or `generic-csv`.
    pub format: Format,
    /// The zone of its local times (default: `[ingest] time_zone`).
    pub time_zone: TimeZone,
    /// How often the file is looked at.
    pub poll: Duration,
    /// The generic CSV mapping (`generic-csv` only).
    pub mapping: Option<GenericMapping>,
}

fn invalid(path: &str, key: impl Into<String>, reason: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        path: path.to_string(),
        key: key.into(),
        reason: reason.into(),
    }
}

fn time_zone(shown: &str, key: &str, name: &str) -> Result<TimeZone, ConfigError> {
    TimeZone::get(name.trim()).map_err(|_| {
        invalid(
            shown,
            key,
            format!(
                "\"{name}\" is not a known time zone; write an IANA name such as \
                 \"Europe/Paris\", \"America/New_York\" or \"UTC\""
            ),
        )
    })
}

impl IngestConfig {
    fn from_raw(
        raw: RawIngest,
        shown: &str,
        http_listen: &[SocketAddr],
    ) -> Result<IngestConfig, ConfigError> {
        let mut listen = Vec::new();
        for addr in raw.listen.iter().flatten() {
            let parsed = addr.trim().parse::<SocketAddr>().map_err(|_| {
                invalid(
                    shown,
                    "ingest.listen",
                    format!(
                        "\"{addr}\" is not an address with a port; write it like 127.0.0.1:8090"
                    ),
                )
            })?;
            if http_listen.contains(&parsed) {
                return Err(invalid(
                    shown,
                    "ingest.listen",
                    format!(
                        "{parsed} is also a portal address (http.listen); give the CDR \
                         endpoint a port of its own"
                    ),
                ));
            }
            if listen.contains(&parsed) {
                return Err(invalid(
                    shown,
                    "ingest.listen",
                    format!("{parsed} is listed twice"),
                ));
            }
            listen.push(parsed);
        }
        let auth = Self::auth(&raw, shown, &listen)?;

        let customer_variable = match raw.customer_variable.as_deref().map(str::trim) {
            None => None,
            Some(v)
                if !v.is_empty()
                    && v.chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')) =>
            {
                Some(v.to_string())
            }
            Some(v) => {
                return Err(invalid(
                    shown,
                    "ingest.customer_variable",
                    format!(
                        "\"{v}\" is not a FreeSWITCH variable name; use letters, digits, \
                         '_', '-' or '.', e.g. \"portico_account\""
                    ),
                ));
            }
        };
        let zone = match &raw.time_zone {
            Some(name) => time_zone(shown, "ingest.time_zone", name)?,
            None => TimeZone::UTC,
        };

        let mut watch = Vec::new();
        let mut paths = HashSet::new();
        for (i, w) in raw.watch.into_iter().enumerate() {
            let key = |k: &str| format!("ingest.watch[{i}].{k}");
            let shown_path = w.path.display().to_string();
            if !w.path.is_absolute() {
                return Err(invalid(
                    shown,
                    key("path"),
                    format!(
                        "\"{shown_path}\" is not an absolute path; write the full path, \
                         e.g. /var/log/asterisk/cdr-csv/Master.csv"
                    ),
                ));
            }
            if w.path.to_str().is_none() {
                return Err(invalid(
                    shown,
                    key("path"),
                    format!("\"{shown_path}\" is not valid UTF-8"),
                ));
            }
            if !paths.insert(w.path.clone()) {
                return Err(invalid(
                    shown,
                    key("path"),
                    format!("\"{shown_path}\" is watched twice; keep one entry"),
                ));
            }
            let format: Format = w
                .format
                .trim()
                .parse()
                .map_err(|e: String| invalid(shown, key("format"), e))?;
            if format == Format::FreeswitchJson {
                return Err(invalid(
                    shown,
                    key("format"),
                    "freeswitch-json is not a line format: mod_json_cdr writes one file per \
                     call; point its url at [ingest] listen instead, or watch a line format \
                     (asterisk-csv, freeswitch-csv, generic-csv)",
                ));
            }
            let time_zone = match &w.time_zone {
                Some(name) => time_zone(shown, &key("time_zone"), name)?,
                None => zone.clone(),
            };
            let poll_ms = w.poll_ms.unwrap_or(DEFAULT_POLL_MS);
            if !(10..=3_600_000).contains(&poll_ms) {
                return Err(invalid(
                    shown,
                    key("poll_ms"),
                    format!("{poll_ms} is out of range; give milliseconds from 10 to 3600000"),
                ));
            }
            let mapping = match w.mapping {
                None => None,
                Some(_) if format != Format::GenericCsv => {
                    return Err(invalid(
                        shown,
                        key("mapping"),
                        format!("a mapping is for generic-csv only, and this file is {format}"),
                    ));
                }
                Some(RawMapping::Text(text)) => Some(
                    text.parse::<GenericMapping>()
                        .map_err(|e| invalid(shown, key("mapping"), e))?,
                ),
                Some(RawMapping::Table(table)) => {
                    let mut mapping = GenericMapping::new();
                    for (field, column) in table {
                        // The mapping's text form (CLI, protocol) separates with ',' and '='.
                        if column.contains([',', '=']) {
                            return Err(invalid(
                                shown,
                                key("mapping"),
                                format!(
                                    "{field} = \"{column}\": a column name with ',' or '=' \
                                     cannot be mapped"
                                ),
                            ));
                        }
                        mapping
                            .map(&field, &column)
                            .map_err(|e| invalid(shown, key("mapping"), e))?;
                    }
                    Some(mapping)
                }
            };
            watch.push(WatchConfig {
                path: w.path,
                format,
                time_zone,
                poll: Duration::from_millis(poll_ms),
                mapping,
            });
        }
        Ok(IngestConfig {
            listen,
            auth,
            customer_variable,
            time_zone: zone,
            watch,
        })
    }

    fn auth(
        raw: &RawIngest,
        shown: &str,
        listen: &[SocketAddr],
    ) -> Result<Option<BasicAuth>, ConfigError> {
        let given = raw.username.is_some() || raw.password.is_some();
        if raw.allow_anonymous {
            if given {
                return Err(invalid(
                    shown,
                    "ingest.allow_anonymous",
                    "is true but username/password are set too; remove one or the other",
                ));
            }
            if let Some(open) = listen.iter().find(|a| !a.ip().is_loopback()) {
                return Err(invalid(
                    shown,
                    "ingest.allow_anonymous",
                    format!(
                        "is refused because ingest.listen has {open}, which is not a loopback \
                         address: anyone who reaches it could write CDRs; set username and \
                         password instead"
                    ),
                ));
            }
            return Ok(None);
        }
        if listen.is_empty() && !given {
            return Ok(None);
        }
        let username = raw.username.as_deref().unwrap_or_default();
        let password = raw.password.as_deref().unwrap_or_default();
        if username.is_empty() {
            return Err(invalid(
                shown,
                "ingest.username",
                "is required with ingest.listen (mod_json_cdr's cred is username:password); \
                 or set allow_anonymous = true on loopback addresses",
            ));
        }
        if username.contains(':') || username.chars().any(char::is_control) {
            return Err(invalid(
                shown,
                "ingest.username",
                "must not contain ':' or control characters (basic auth splits at the first ':')",
            ));
        }
        if password.is_empty() {
            return Err(invalid(
                shown,
                "ingest.password",
                "is required with ingest.username; choose a long random secret and put it in \
                 mod_json_cdr's cred as username:password",
            ));
        }
        Ok(Some(BasicAuth {
            username: username.to_string(),
            password: password.to_string(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dev_defaults_keep_everything_in_portico_data() {
        let c = Config::from_toml(
            "",
            &Overrides {
                dev: true,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(c.data_dir, PathBuf::from("portico-data"));
        assert_eq!(c.admin_socket, PathBuf::from("portico-data/admin.sock"));
        assert_eq!(c.http_listen, vec!["127.0.0.1:8080".parse().unwrap()]);
        assert_eq!(c.admin_group, None);
    }

    #[test]
    fn production_defaults() {
        let c = Config::from_toml("", &Overrides::default()).unwrap();
        assert_eq!(c.data_dir, PathBuf::from("/var/lib/portico"));
        assert_eq!(c.admin_socket, PathBuf::from("/run/portico/admin.sock"));
        assert_eq!(c.admin_group.as_deref(), Some("portico-admin"));
    }

    #[test]
    fn unknown_keys_and_bad_addresses_are_named() {
        let err = Config::from_toml("[http]\nlisten = [\"localhost\"]\n", &Overrides::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("http.listen"), "{err}");
        assert!(err.contains("\"localhost\""), "{err}");
        let err = Config::from_toml("[htttp]\nlisten = []\n", &Overrides::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("htttp"), "{err}");
    }

    #[test]
    fn command_line_wins_over_the_file() {
        let o = Overrides {
            data_dir: Some("/tmp/x".into()),
            http_listen: vec!["127.0.0.1:9999".into()],
            dev: true,
            ..Default::default()
        };
        let c = Config::from_toml("data_dir = \"/srv\"\n[http]\nlisten=[\"0.0.0.0:80\"]\n", &o)
            .unwrap();
        assert_eq!(c.data_dir, PathBuf::from("/tmp/x"));
        assert_eq!(c.admin_socket, PathBuf::from("/tmp/x/admin.sock"));
        assert_eq!(c.http_listen, vec!["127.0.0.1:9999".parse().unwrap()]);
    }

    #[test]
    fn the_store_cache_is_bounded() {
        let c = Config::from_toml("[store]\ncache_mib = 64\n", &Overrides::default()).unwrap();
        assert_eq!(c.store_cache_bytes, 64 << 20);
        assert_eq!(
            Config::from_toml("", &Overrides::default())
                .unwrap()
                .store_cache_bytes,
            256 << 20
        );
        let err = Config::from_toml("[store]\ncache_mib = 1\n", &Overrides::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("store.cache_mib"), "{err}");
    }

    #[test]
    fn connection_caps_are_bounded_and_the_per_client_one_by_the_total() {
        let c = Config::from_toml(
            "[http]\nmax_connections = 100\nmax_connections_per_client = 10\n",
            &Overrides::default(),
        )
        .unwrap();
        assert_eq!(
            (c.http_max_connections, c.http_max_connections_per_client),
            (100, 10)
        );
        let d = Config::from_toml("", &Overrides::default()).unwrap();
        assert_eq!(
            (d.http_max_connections, d.http_max_connections_per_client),
            (4096, 256)
        );
        for (text, key) in [
            ("[http]\nmax_connections = 0\n", "http.max_connections"),
            (
                "[http]\nmax_connections = 5\nmax_connections_per_client = 10\n",
                "http.max_connections_per_client",
            ),
        ] {
            let err = Config::from_toml(text, &Overrides::default())
                .unwrap_err()
                .to_string();
            assert!(err.contains(key), "{err}");
        }
    }

    #[test]
    fn a_missing_file_is_an_error_outside_dev() {
        let err = Config::load(
            Some(Path::new("/nonexistent/porticod.toml")),
            &Overrides::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("/nonexistent/porticod.toml"), "{err}");
    }
}

#[cfg(test)]
mod ingest_tests {
    use super::*;

    fn load(text: &str) -> Result<Config, String> {
        Config::from_toml(text, &Overrides::default()).map_err(|e| e.to_string())
    }

    fn refused(text: &str, key: &str, says: &str) {
        let err = load(text).unwrap_err();
        assert!(err.starts_with("config: "), "the file is named: {err}");
        assert!(err.contains(key), "the key {key} is named: {err}");
        assert!(err.contains(says), "{says:?} is said: {err}");
    }

    #[test]
    fn without_an_ingest_section_nothing_listens_and_nothing_is_watched() {
        let c = load("").unwrap();
        assert_eq!(c.ingest, IngestConfig::default());
        assert!(c.ingest.listen.is_empty());
        assert_eq!(c.ingest.time_zone, TimeZone::UTC);
    }

    #[test]
    fn a_full_ingest_section_is_read() {
        let c = load(
            r#"
[ingest]
listen = ["127.0.0.1:8090", "[::1]:8090"]
username = "freeswitch"
password = "pa:ss word"
customer_variable = "portico_account"
time_zone = "Europe/Paris"

[[ingest.watch]]
path = "/var/log/asterisk/cdr-csv/Master.csv"
format = "asterisk-csv"

[[ingest.watch]]
path = "/var/log/freeswitch/cdr-csv/Master.csv"
format = "freeswitch-csv"
time_zone = "America/New_York"
poll_ms = 250

[[ingest.watch]]
path = "/srv/export/calls.csv"
format = "generic-csv"
mapping = { call_id = "Call ID", destination = "Called" }
"#,
        )
        .unwrap();
        let i = &c.ingest;
        assert_eq!(
            i.listen,
            vec![
                "127.0.0.1:8090".parse::<SocketAddr>().unwrap(),
                "[::1]:8090".parse().unwrap()
            ]
        );
        let auth = i.auth.as_ref().unwrap();
        assert_eq!(auth.username, "freeswitch");
        assert_eq!(auth.password, "pa:ss word");
        assert!(
            !format!("{i:?}").contains("pa:ss word"),
            "Debug must not show the password"
        );
        assert_eq!(i.customer_variable.as_deref(), Some("portico_account"));
        let paris = TimeZone::get("Europe/Paris").unwrap();
        assert_eq!(i.time_zone, paris);
        assert_eq!(i.watch.len(), 3);
        assert_eq!(i.watch[0].format, Format::AsteriskCsv);
        assert_eq!(
            i.watch[0].time_zone, paris,
            "defaults to [ingest] time_zone"
        );
        assert_eq!(i.watch[0].poll, Duration::from_millis(DEFAULT_POLL_MS));
        assert_eq!(i.watch[0].mapping, None);
        assert_eq!(i.watch[1].format, Format::FreeswitchCsv);
        assert_eq!(
            i.watch[1].time_zone,
            TimeZone::get("America/New_York").unwrap()
        );
        assert_eq!(i.watch[1].poll, Duration::from_millis(250));
        assert_eq!(i.watch[2].format, Format::GenericCsv);
        let table = i.watch[2].mapping.clone().unwrap();
        let text: GenericMapping = "call_id=Call ID,destination=Called".parse().unwrap();
        assert_eq!(table, text, "a table and the CLI's text mean the same");
    }

    #[test]
    fn a_mapping_may_be_written_as_text() {
        let c = load(
            "[[ingest.watch]]\npath = \"/x.csv\"\nformat = \"generic-csv\"\nmapping = \"call_id=id\"\n",
        )
        .unwrap();
        assert_eq!(
            c.ingest.watch[0].mapping,
            Some("call_id=id".parse().unwrap())
        );
    }

    #[test]
    fn anonymous_posts_are_allowed_on_loopback_only() {
        let c = load("[ingest]\nlisten = [\"127.0.0.1:8090\"]\nallow_anonymous = true\n").unwrap();
        assert_eq!(c.ingest.auth, None);
        refused(
            "[ingest]\nlisten = [\"127.0.0.1:8090\", \"0.0.0.0:8090\"]\nallow_anonymous = true\n",
            "ingest.allow_anonymous",
            "0.0.0.0:8090",
        );
        refused(
            "[ingest]\nlisten = [\"[::]:8090\"]\nallow_anonymous = true\n",
            "ingest.allow_anonymous",
            "not a loopback address",
        );
        refused(
            "[ingest]\nlisten = [\"127.0.0.1:8090\"]\nallow_anonymous = true\nusername = \"u\"\npassword = \"p\"\n",
            "ingest.allow_anonymous",
            "remove one",
        );
    }

    #[test]
    fn a_listener_needs_credentials() {
        refused(
            "[ingest]\nlisten = [\"127.0.0.1:8090\"]\n",
            "ingest.username",
            "required",
        );
        refused(
            "[ingest]\nlisten = [\"127.0.0.1:8090\"]\nusername = \"fs\"\n",
            "ingest.password",
            "required",
        );
        refused(
            "[ingest]\nlisten = [\"127.0.0.1:8090\"]\nusername = \"f:s\"\npassword = \"p\"\n",
            "ingest.username",
            "':'",
        );
        refused(
            "[ingest]\nlisten = [\"127.0.0.1:8090\"]\nusername = \"fs\"\npassword = \"\"\n",
            "ingest.password",
            "required",
        );
    }

    #[test]
    fn listen_addresses_are_checked() {
        refused(
            "[ingest]\nlisten = [\"localhost:8090\"]\nallow_anonymous = true\n",
            "ingest.listen",
            "\"localhost:8090\"",
        );
        refused(
            "[http]\nlisten = [\"127.0.0.1:8080\"]\n[ingest]\nlisten = [\"127.0.0.1:8080\"]\nallow_anonymous = true\n",
            "ingest.listen",
            "portal address",
        );
        refused(
            "[ingest]\nlisten = [\"127.0.0.1:1\", \"127.0.0.1:1\"]\nallow_anonymous = true\n",
            "ingest.listen",
            "twice",
        );
    }

    #[test]
    fn time_zones_formats_and_watch_entries_are_checked() {
        refused(
            "[ingest]\ntime_zone = \"Mars/Olympus\"\n",
            "ingest.time_zone",
            "\"Mars/Olympus\" is not a known time zone",
        );
        let watch = |extra: &str| format!("[[ingest.watch]]\npath = \"/a.csv\"\n{extra}");
        refused(
            &watch("format = \"asterisk-csv\"\ntime_zone = \"Europe/Pariss\"\n"),
            "ingest.watch[0].time_zone",
            "IANA",
        );
        refused(
            &watch("format = \"asterisk\"\n"),
            "ingest.watch[0].format",
            "asterisk",
        );
        refused(
            &watch("format = \"freeswitch-json\"\n"),
            "ingest.watch[0].format",
            "not a line format",
        );
        refused(
            &watch("format = \"asterisk-csv\"\npoll_ms = 0\n"),
            "ingest.watch[0].poll_ms",
            "out of range",
        );
        refused(
            &watch("format = \"asterisk-csv\"\nmapping = { call_id = \"x\" }\n"),
            "ingest.watch[0].mapping",
            "generic-csv only",
        );
        refused(
            &watch("format = \"asterisk-csv\"\nfrequency = 3\n"),
            "frequency",
            "unknown field",
        );
        refused(
            "[[ingest.watch]]\npath = \"Master.csv\"\nformat = \"asterisk-csv\"\n",
            "ingest.watch[0].path",
            "absolute",
        );
        refused(
            &format!(
                "{}{}",
                watch("format = \"asterisk-csv\"\n"),
                watch("format = \"freeswitch-csv\"\n")
            ),
            "ingest.watch[1].path",
            "watched twice",
        );
        refused(&watch(""), "format", "missing field");
    }

    #[test]
    fn a_customer_variable_must_be_a_variable_name() {
        refused(
            "[ingest]\ncustomer_variable = \"a b\"\n",
            "ingest.customer_variable",
            "not a FreeSWITCH variable name",
        );
        let c = load("[ingest]\ncustomer_variable = \" acct_code \"\n").unwrap();
        assert_eq!(c.ingest.customer_variable.as_deref(), Some("acct_code"));
    }
}
