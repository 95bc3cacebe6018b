//! SIGHUP and systemd: readiness (`READY=1` once everything listens), and reloading the
//! configuration file without dropping a connection. What a reload applies is what
//! [`crate::config::keys`] marks reloadable (the log filter and the watched CDR files); a change
//! to any other key is logged as needing a restart.

use std::collections::BTreeMap;
use std::path::PathBuf;

use sd_notify::NotifyState;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

use crate::config::{Config, DEFAULT_CONFIG, Overrides, WatchConfig, keys};
use crate::ingest::pipeline::Ingest;
use crate::ingest::watch as watched;

/// Where the configuration came from, so that SIGHUP can read it again the same way.
#[derive(Debug, Clone, Default)]
pub struct ConfigSource {
    /// `--config`, or `None` for the default file.
    pub path: Option<PathBuf>,
    /// The command-line settings.
    pub overrides: Overrides,
}

impl ConfigSource {
    fn file(&self) -> PathBuf {
        self.path
            .clone()
            .unwrap_or_else(|| PathBuf::from(DEFAULT_CONFIG))
    }

    /// The file's values by dotted path (`log.level`; an array of tables is one value), for
    /// telling which keys a reload changed. An unreadable file reads as empty: `Config::load`
    /// reports it.
    fn values(&self) -> BTreeMap<String, toml::Value> {
        let text = std::fs::read_to_string(self.file()).unwrap_or_default();
        let table = text.parse::<toml::Table>().unwrap_or_default();
        let mut out = BTreeMap::new();
        flatten("", &toml::Value::Table(table), &mut out);
        out
    }
}

fn flatten(prefix: &str, value: &toml::Value, out: &mut BTreeMap<String, toml::Value>) {
    match value {
        toml::Value::Table(t) => {
            for (k, v) in t {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&path, v, out);
            }
        }
        other => {
            out.insert(prefix.to_string(), other.clone());
        }
    }
}

/// Tells systemd (when it started us with `NOTIFY_SOCKET`) what the daemon is doing.
pub fn notify(state: &[NotifyState<'_>]) {
    if let Err(e) = sd_notify::notify(state) {
        tracing::warn!(error = %e, "cannot notify systemd (NOTIFY_SOCKET)");
    }
}

/// The log filter, changeable while the daemon runs.
pub struct LogFilter {
    handle: tracing_subscriber::reload::Handle<EnvFilter, tracing_subscriber::Registry>,
    /// `PORTICO_LOG` was set: it wins over the file, also after a reload.
    from_env: bool,
    level: String,
}

impl std::fmt::Debug for LogFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogFilter")
            .field("from_env", &self.from_env)
            .field("level", &self.level)
            .finish()
    }
}

/// Warnings about a client's TLS greeting that name no fault of the daemon and that nobody can
/// act on, one per connection of such a client: rustls warns about every TLS client that sends
/// an IP address as the server name (`Illegal SNI extension`), which `wrk`, some monitoring
/// probes and scanners do. They are kept out of the log unless the level names rustls itself.
const CLIENT_NOISE: &str = "rustls::msgs::handshake=error";

/// The filter of the configured `level` (a level or `EnvFilter` directives).
fn filter_for(level: &str) -> EnvFilter {
    if level.contains("rustls") {
        EnvFilter::new(level)
    } else {
        EnvFilter::new(format!("{level},{CLIENT_NOISE}"))
    }
}

impl LogFilter {
    /// Installs the global subscriber: logs on stderr, filtered by `PORTICO_LOG` or `level`.
    pub fn install(level: &str) -> LogFilter {
        let (filter, from_env) = match EnvFilter::try_from_env("PORTICO_LOG") {
            Ok(f) => (f, true),
            Err(_) => (filter_for(level), false),
        };
        let (layer, handle) = tracing_subscriber::reload::Layer::new(filter);
        let _ = tracing_subscriber::registry()
            .with(layer)
            .with(
                tracing_subscriber::fmt::layer()
                    .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
                    .with_writer(std::io::stderr),
            )
            .try_init();
        LogFilter {
            handle,
            from_env,
            level: level.to_string(),
        }
    }

    fn set(&mut self, level: &str) {
        if level == self.level {
            return;
        }
        if self.from_env {
            tracing::info!(level, "log.level changed, but PORTICO_LOG is set and wins");
            return;
        }
        match self.handle.reload(filter_for(level)) {
            Ok(()) => {
                tracing::info!(from = %self.level, to = level, "log level changed");
                self.level = level.to_string();
            }
            Err(e) => tracing::error!(error = %e, "cannot change the log level"),
        }
    }
}

struct Running {
    config: WatchConfig,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

/// The watched CDR files, each with its own stop switch so that a reload can stop, start or
/// restart one without touching the others.
pub struct Watches {
    ingest: Ingest,
    all_stop: watch::Receiver<bool>,
    running: Vec<Running>,
}

impl std::fmt::Debug for Watches {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let paths: Vec<_> = self.running.iter().map(|r| &r.config.path).collect();
        f.debug_struct("Watches").field("paths", &paths).finish()
    }
}

impl Watches {
    /// Starts a watcher per entry; all stop when `all_stop` turns true.
    pub fn start(ingest: Ingest, configs: &[WatchConfig], all_stop: watch::Receiver<bool>) -> Self {
        let mut watches = Watches {
            ingest,
            all_stop,
            running: Vec::new(),
        };
        for c in configs {
            watches.spawn(c.clone());
        }
        watches
    }

    fn spawn(&mut self, config: WatchConfig) {
        let (stop, mut own) = watch::channel(false);
        let mut all = self.all_stop.clone();
        let shutdown = async move {
            tokio::select! {
                _ = own.wait_for(|v| *v) => {}
                _ = all.wait_for(|v| *v) => {}
            }
        };
        let watcher = watched::Watcher::new(self.ingest.clone(), &config);
        let task = tokio::spawn(watched::run(watcher, config.poll, shutdown));
        self.running.push(Running { config, stop, task });
    }

    /// Makes the running watchers those of `configs`: entries that are gone or changed stop
    /// (after the poll under way commits), new and changed ones start where their file's
    /// stored position says.
    pub async fn apply(&mut self, configs: &[WatchConfig]) {
        let (keep, stop): (Vec<Running>, Vec<Running>) = std::mem::take(&mut self.running)
            .into_iter()
            .partition(|r| configs.contains(&r.config));
        self.running = keep;
        for r in stop {
            let _ = r.stop.send(true);
            let _ = r.task.await;
            tracing::info!(path = %r.config.path.display(), "ingest: stopped watching (reload)");
        }
        for c in configs {
            if !self.running.iter().any(|r| &r.config == c) {
                self.spawn(c.clone());
            }
        }
    }

    /// Waits for every watcher to finish (after the stop switch was turned).
    pub async fn join(self) {
        for r in self.running {
            let _ = r.task.await;
        }
    }
}

/// What SIGHUP works with.
#[derive(Debug)]
pub struct Reloader {
    source: ConfigSource,
    /// The file's values when the daemon started: what the keys that need a restart still are.
    started_with: BTreeMap<String, toml::Value>,
    log: LogFilter,
}

impl Reloader {
    /// A reloader of `source`, whose values at start are the running ones.
    pub fn new(source: ConfigSource, log: LogFilter) -> Reloader {
        Reloader {
            started_with: source.values(),
            source,
            log,
        }
    }

    /// Reads the configuration again and applies what can change while running.
    pub async fn reload(&mut self, watches: &mut Watches) {
        notify(&[NotifyState::Reloading, NotifyState::Status("reloading")]);
        tracing::info!(file = %self.source.file().display(), "SIGHUP: reading the configuration again");
        match Config::load(self.source.path.as_deref(), &self.source.overrides) {
            Err(e) => {
                tracing::error!(error = %e, "the configuration was not reloaded; the daemon goes on with the settings it had");
            }
            Ok(config) => {
                self.log.set(&config.log_level);
                watches.apply(&config.ingest.watch).await;
                let now = self.source.values();
                let mut paths: Vec<&String> = now.keys().chain(self.started_with.keys()).collect();
                paths.sort();
                paths.dedup();
                for path in paths {
                    if now.get(path) != self.started_with.get(path) && !keys::reloadable(path) {
                        tracing::warn!(key = %path, "changed in the configuration file; needs a restart to apply (systemctl restart porticod)");
                    }
                }
                tracing::info!("configuration reloaded");
            }
        }
        notify(&[NotifyState::Ready, NotifyState::Status("running")]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// What a subscriber with `filter` writes for a warning of rustls's handshake module and one
    /// of the daemon.
    fn logged(filter: EnvFilter) -> String {
        let out = Arc::new(Mutex::new(Vec::<u8>::new()));
        let writer = {
            let out = out.clone();
            move || Capture(out.clone())
        };
        let subscriber = tracing_subscriber::registry().with(filter).with(
            tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(writer),
        );
        tracing::subscriber::with_default(subscriber, || {
            tracing::warn!(target: "rustls::msgs::handshake", "Illegal SNI extension");
            tracing::warn!(target: "porticod::tls", "a warning of ours");
        });
        let bytes = out.lock().map(|b| b.clone()).unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    struct Capture(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Capture {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if let Ok(mut out) = self.0.lock() {
                out.extend_from_slice(buf);
            }
            Ok(buf.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn client_tls_noise_is_left_out_unless_the_level_names_rustls() {
        for level in ["info", "warn", "debug", "info,porticod=debug"] {
            let log = logged(filter_for(level));
            assert!(log.contains("a warning of ours"), "{level}: {log}");
            assert!(!log.contains("Illegal SNI"), "{level}: {log}");
        }
        let log = logged(filter_for("info,rustls=warn"));
        assert!(log.contains("Illegal SNI"), "{log}");
    }
}
