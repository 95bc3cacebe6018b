//! The command line of `porticod`, in one place: `--help`, the man page `porticod(8)` and the
//! shell completions are all built from [`Args`], so they cannot drift apart.

use std::path::PathBuf;

use clap::Parser;

use crate::config::Overrides;

const AFTER_HELP: &str = "\
Examples:
  porticod                                   # as the packaged service runs it
  porticod --check-config                    # validate /etc/portico/porticod.toml
  porticod --check-config --config ./test.toml
  porticod --dev --demo                      # try it: data in ./portico-data, portal on :8080
  porticod --restore /var/backups/portico.redb   # with the service stopped

Signals: SIGTERM and SIGINT stop the daemon gracefully (open requests get 10 seconds); SIGHUP
re-reads the configuration file and applies what can change without a restart (`man porticod`
lists it).

Exit status: 0 on success (and after a graceful stop), 1 when the configuration, the store or a
listener cannot be used (the message names the key or the file), 2 for a command line it cannot
read.";

/// Portico daemon: white-label customer portal for VoIP carriers.
#[derive(Debug, Parser)]
#[command(
    name = "porticod",
    version,
    about = "Portico daemon: white-label customer portal for VoIP carriers",
    long_about = "Portico daemon: serves the customer portal of every brand (portal domain), \
ingests and rates CDRs, and answers the admin console (portico) on a Unix socket. Everything it \
knows lives in one embedded database file, DATA_DIR/portico.redb.\n\n\
Settings come from the configuration file (see porticod.toml(5)); the flags below override it.",
    after_help = AFTER_HELP
)]
pub struct Args {
    /// Configuration file [default: /etc/portico/porticod.toml; optional with --dev]
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Directory of the store (portico.redb) [default: /var/lib/portico; ./portico-data with --dev]
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Path of the admin socket [default: /run/portico/admin.sock; DATA_DIR/admin.sock with --dev]
    #[arg(long, value_name = "PATH")]
    pub admin_socket: Option<PathBuf>,
    /// Portal plain-HTTP listen address, e.g. 127.0.0.1:8080 (repeatable)
    #[arg(long, value_name = "ADDR")]
    pub http_listen: Vec<String>,
    /// Portal HTTPS listen address, e.g. 127.0.0.1:8443 (repeatable)
    #[arg(long, value_name = "ADDR")]
    pub https_listen: Vec<String>,
    /// Development mode: data in ./portico-data, socket beside it, portal on http://127.0.0.1:8080 and https://127.0.0.1:8443 (local CA)
    #[arg(long)]
    pub dev: bool,
    /// Seed the demo brand portal.localhost: a customer with a login, a rate card, a month of calls
    #[arg(long)]
    pub demo: bool,
    /// Validate the configuration and exit: 0 when it is usable, 1 naming the key and the reason
    #[arg(
        long,
        conflicts_with = "demo",
        long_help = "Read and validate the configuration file (with the other flags applied), \
print a summary of the settings and exit 0, or print the file, the key and the reason and exit \
1. Nothing is started and the store is not opened. Run it after editing the file, before \
`systemctl reload porticod`."
    )]
    pub check_config: bool,
    /// Replace the store with a backup made by `portico backup` (the daemon must be stopped)
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with_all = ["demo", "check_config"],
        long_help = "Replace the store (DATA_DIR/portico.redb) with FILE, a backup written by `portico backup`, and exit. Refused while a daemon runs on the store: stop it first (systemctl stop porticod). FILE is checked before anything changes; the current store is kept as DATA_DIR/portico.redb.before-restore-TIME; the restored file gets the data directory's owner. A backup from an older release is upgraded when the daemon next starts."
    )]
    pub restore: Option<PathBuf>,
}

impl Args {
    /// The command-line settings that override the configuration file.
    pub fn overrides(&self) -> Overrides {
        Overrides {
            data_dir: self.data_dir.clone(),
            admin_socket: self.admin_socket.clone(),
            http_listen: self.http_listen.clone(),
            https_listen: self.https_listen.clone(),
            dev: self.dev,
        }
    }
}

/// The clap definition of `porticod`, for the man page and completion generators.
pub fn command() -> clap::Command {
    <Args as clap::CommandFactory>::command()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definition_is_consistent() {
        command().debug_assert();
    }

    #[test]
    fn check_config_takes_the_other_settings() {
        let args = Args::parse_from(["porticod", "--check-config", "--config", "/x.toml"]);
        assert!(args.check_config);
        assert_eq!(args.config, Some(PathBuf::from("/x.toml")));
        assert!(Args::try_parse_from(["porticod", "--check-config", "--demo"]).is_err());
        assert!(Args::try_parse_from(["porticod", "--restore", "f", "--check-config"]).is_err());
    }
}
