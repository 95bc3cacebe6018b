//! A real OpenSSH server on loopback for the console-over-SSH test: Debian's `openssh-server`
//! (`/usr/sbin/sshd -D -e -f CONFIG`) on 127.0.0.1 and a free port, as the user who runs the
//! tests, with its own host key, and one fresh client key as the only authorized key; the
//! client is Debian's `openssh-client` (`ssh`, `ssh-keygen`). Nothing outside its temporary
//! directory is read or written, except `/run/sshd`, the privilege separation directory sshd
//! insists on when it runs as root (made when missing, as the package's service does).
//!
//! ```no_run
//! use portico_tests::ssh::SshServer;
//! let sshd = SshServer::start();
//! // a shell command line that runs `tty` on the server, with a terminal:
//! let command = sshd.command("tty");
//! ```

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use tempfile::TempDir;

use crate::browser::tool_or;
use crate::daemon::start_on_free_port;
use crate::tmux::shell_quote;

/// Where Debian's `openssh-server` puts the daemon (sshd re-executes itself, so the path must be
/// absolute).
const SSHD: &str = "/usr/sbin/sshd";
/// The privilege separation directory of Debian's sshd, needed when it runs as root.
const PRIVSEP_DIR: &str = "/run/sshd";
/// How long sshd may take to listen.
const START_TIMEOUT: Duration = Duration::from_secs(20);
/// The address the server listens on and clients connect to.
pub const HOST: &str = "127.0.0.1";

/// A running sshd on 127.0.0.1 that lets the current user in with [`SshServer::key`]; stopped
/// when dropped (its log is printed first when the test is panicking).
#[derive(Debug)]
pub struct SshServer {
    dir: TempDir,
    port: u16,
    child: Child,
    ssh: PathBuf,
}

impl SshServer {
    /// Makes the keys and the config in a new temporary directory and starts sshd on a free
    /// port.
    ///
    /// # Panics
    /// When openssh-server or openssh-client is missing (the message says what to install), or
    /// sshd does not listen (the message holds its log).
    pub fn start() -> SshServer {
        let sshd = Path::new(SSHD);
        assert!(
            sshd.is_file(),
            "{SSHD} is missing: the console-over-SSH test needs Debian's openssh-server \
             (`apt-get install openssh-server`; ./.ci/run installs it)"
        );
        let ssh = tool_or("ssh", "openssh-client");
        let keygen = tool_or("ssh-keygen", "openssh-client");
        let dir = tempfile::Builder::new()
            .prefix("portico-sshd-")
            .tempdir()
            .unwrap_or_else(|e| panic!("cannot create a temporary directory: {e}"));
        for name in ["host_key", "client_key"] {
            let out = Command::new(&keygen)
                .args(["-q", "-t", "ed25519", "-N", "", "-C", "portico-e2e", "-f"])
                .arg(dir.path().join(name))
                .stdin(Stdio::null())
                .output()
                .unwrap_or_else(|e| panic!("cannot run {}: {e}", keygen.display()));
            assert!(
                out.status.success(),
                "ssh-keygen could not make {name}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let public = dir.path().join("client_key.pub");
        let authorized = dir.path().join("authorized_keys");
        std::fs::copy(&public, &authorized)
            .unwrap_or_else(|e| panic!("cannot copy {}: {e}", public.display()));
        if nix::unistd::geteuid().is_root() {
            // Debian's service makes it at start (RuntimeDirectory=sshd); harmless if present.
            std::fs::create_dir_all(PRIVSEP_DIR)
                .unwrap_or_else(|e| panic!("cannot create {PRIVSEP_DIR} for sshd: {e}"));
        }

        let config = dir.path().join("sshd_config");
        let log = dir.path().join("sshd.log");
        let (child, port) = start_on_free_port("sshd", &log, START_TIMEOUT, |port| {
            std::fs::write(&config, config_text(dir.path(), port))
                .unwrap_or_else(|e| panic!("cannot write {}: {e}", config.display()));
            let log_file = File::create(&log).unwrap_or_else(|e| panic!("{}: {e}", log.display()));
            Command::new(sshd)
                .arg("-D")
                .arg("-e")
                .arg("-f")
                .arg(&config)
                .current_dir(dir.path())
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(log_file)
                .spawn()
                .unwrap_or_else(|e| panic!("cannot run {SSHD}: {e}"))
        });
        SshServer {
            dir,
            port,
            child,
            ssh,
        }
    }

    /// The port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The private key the server lets the current user in with.
    pub fn key(&self) -> PathBuf {
        self.dir.path().join("client_key")
    }

    /// What sshd logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("sshd.log")).unwrap_or_default()
    }

    /// sshd's log, with what to do about a known failure in it.
    pub fn report(&self) -> String {
        let log = self.log();
        let hint = if log.contains("chown(/dev/pts") {
            "\nsshd, not run as root, could not give the session's terminal to group tty: \
             /dev/pts must be mounted with gid=5 (as Debian does by default), or the user must \
             be in group tty, or the tests must run as root."
        } else {
            ""
        };
        format!("--- sshd log ---\n{log}{hint}")
    }

    /// `ssh` with the options that reach this server (no host, no command yet): the port, the
    /// client key and nothing else, the host key trusted without asking, never a password
    /// prompt, and neither the user's nor the machine's ssh_config.
    pub fn client(&self) -> Command {
        let mut ssh = Command::new(&self.ssh);
        ssh.args(self.client_options());
        ssh
    }

    /// A shell command line that runs `remote` (a command for the user's login shell on the
    /// server) over SSH with a terminal (`ssh -tt`), as the current user: the way an admin runs
    /// `ssh -t host portico`.
    pub fn command(&self, remote: &str) -> String {
        let mut words = vec![self.ssh.display().to_string()];
        words.extend(self.client_options());
        words.extend(["-tt".to_owned(), HOST.to_owned(), remote.to_owned()]);
        words
            .iter()
            .map(|w| shell_quote(w))
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn client_options(&self) -> Vec<String> {
        let mut options = vec![
            "-F".to_owned(),
            "/dev/null".to_owned(),
            "-p".to_owned(),
            self.port.to_string(),
            "-i".to_owned(),
            self.key().display().to_string(),
        ];
        for option in [
            "IdentitiesOnly=yes",
            "BatchMode=yes",
            "StrictHostKeyChecking=no",
            "UserKnownHostsFile=/dev/null",
            "LogLevel=ERROR",
        ] {
            options.extend(["-o".to_owned(), option.to_owned()]);
        }
        options
    }
}

impl Drop for SshServer {
    fn drop(&mut self) {
        // sshd -D ends on SIGTERM; a session still open ends with its client (the terminal).
        if let Ok(pid) = i32::try_from(self.child.id()) {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid),
                nix::sys::signal::Signal::SIGTERM,
            );
        }
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("sshd in {}:\n{}", self.dir.path().display(), self.report());
        }
    }
}

/// The sshd_config of a server in `dir` on 127.0.0.1:`port`: its own host key, PID file and
/// authorized keys; public-key logins only; no PAM (it needs no /etc/pam.d set-up and runs as any
/// user); no strict modes (the temporary directory is the test's own).
fn config_text(dir: &Path, port: u16) -> String {
    let path = |name: &str| format!("\"{}\"", dir.join(name).display());
    format!(
        "ListenAddress {HOST}:{port}\n\
         HostKey {host_key}\n\
         PidFile {pid}\n\
         AuthorizedKeysFile {authorized}\n\
         PubkeyAuthentication yes\n\
         PasswordAuthentication no\n\
         KbdInteractiveAuthentication no\n\
         PermitRootLogin prohibit-password\n\
         UsePAM no\n\
         StrictModes no\n\
         PrintMotd no\n\
         PrintLastLog no\n\
         X11Forwarding no\n",
        host_key = path("host_key"),
        pid = path("sshd.pid"),
        authorized = path("authorized_keys"),
    )
}
