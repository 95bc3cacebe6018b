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
//! ```

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

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
    /// Log filter (tracing `EnvFilter` syntax).
    pub log_level: String,
    /// Development mode.
    pub dev: bool,
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
        Ok(Config {
            data_dir,
            admin_socket,
            admin_group: group,
            http_listen,
            log_level: raw.log.level.unwrap_or_else(|| "info".into()),
            dev: o.dev,
        })
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
