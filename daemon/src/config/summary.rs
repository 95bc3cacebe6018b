//! What `porticod --check-config` prints about a configuration that is usable.

use std::fmt::Write as _;
use std::path::Path;

use super::Config;

impl Config {
    /// A short account of the settings in force, for `--check-config`. Never shows a password.
    pub fn summary(&self, file: &Path) -> String {
        let mut out = String::new();
        let source = if file.exists() {
            format!("{}: OK", file.display())
        } else {
            format!("{}: absent; development defaults: OK", file.display())
        };
        let list = |addrs: &[std::net::SocketAddr]| {
            addrs
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(out, "{source}");
        let _ = writeln!(out, "  store         {}", self.store_path().display());
        let _ = writeln!(
            out,
            "  admin socket  {} (group {})",
            self.admin_socket.display(),
            self.admin_group.as_deref().unwrap_or("none")
        );
        let _ = writeln!(out, "  portal        http://{}", list(&self.http_listen));
        let _ = writeln!(out, "  log level     {}", self.log_level);
        let _ = writeln!(out, "  store cache   {} MiB", self.store_cache_bytes >> 20);
        let ingest = &self.ingest;
        let endpoint = if ingest.listen.is_empty() {
            "none".to_string()
        } else {
            let auth = if ingest.auth.is_some() {
                "basic auth"
            } else {
                "anonymous, loopback only"
            };
            format!("{} ({auth})", list(&ingest.listen))
        };
        let _ = writeln!(out, "  CDR endpoint  {endpoint}");
        for w in &ingest.watch {
            let _ = writeln!(out, "  watched file  {} ({})", w.path.display(), w.format);
        }
        out
    }
}
