//! Running the real `porticod` in a fresh temporary directory.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::net::TcpListener;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use tempfile::TempDir;

use crate::bins::bin_path;
use crate::cli::Cli;

/// How long the daemon may take to accept on its admin socket.
const READY_TIMEOUT: Duration = Duration::from_secs(20);
/// How long the daemon may take to exit after SIGTERM before it is killed.
const STOP_GRACE: Duration = Duration::from_secs(10);
/// Attempts when the picked HTTP port was taken by someone else in the meantime.
const PORT_ATTEMPTS: u32 = 3;

/// How to start a daemon.
#[derive(Debug, Clone, Default)]
pub struct DaemonBuilder {
    demo: bool,
    http_port: Option<u16>,
    https_port: Option<u16>,
    args: Vec<String>,
    config: Option<String>,
    env: Vec<(String, String)>,
}

impl DaemonBuilder {
    /// Set an environment variable for `porticod` (e.g. `NOTIFY_SOCKET`).
    pub fn env(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    /// Start with `--demo`.
    pub fn demo(mut self) -> Self {
        self.demo = true;
        self
    }

    /// Listen for plain HTTP on `127.0.0.1:port` (default: a free port).
    pub fn http_port(mut self, port: u16) -> Self {
        self.http_port = Some(port);
        self
    }

    /// Listen for HTTPS on `127.0.0.1:port` (default: a free port).
    pub fn https_port(mut self, port: u16) -> Self {
        self.https_port = Some(port);
        self
    }

    /// Start from a config file instead of `--dev` and the command-line overrides: `text` is
    /// written to `porticod.toml` in the temporary directory, with `{dir}` replaced by that
    /// directory, `{port}` by the HTTP port and `{https_port}` by the HTTPS port, and the daemon
    /// runs `porticod --config FILE`.
    /// The file must put the admin socket at `{dir}/admin.sock`.
    pub fn config(mut self, text: impl Into<String>) -> Self {
        self.config = Some(text.into());
        self
    }

    /// Pass one more argument to `porticod`.
    pub fn arg(mut self, arg: impl Into<String>) -> Self {
        self.args.push(arg.into());
        self
    }

    /// Starts the daemon and waits until its admin socket accepts.
    ///
    /// # Panics
    /// When it does not come up within 20 s; the message holds its output.
    pub fn start(self) -> Daemon {
        let dir = tempfile::Builder::new()
            .prefix("portico-e2e-")
            .tempdir()
            .unwrap_or_else(|e| panic!("cannot create a temporary directory: {e}"));
        let fixed_port = self.http_port.is_some() || self.https_port.is_some();
        let mut daemon = Daemon {
            http_port: self.http_port.unwrap_or_else(free_port),
            https_port: self.https_port.unwrap_or_else(free_port),
            fixed_port,
            demo: self.demo,
            args: self.args,
            config: self.config,
            env: self.env,
            child: None,
            starts: 0,
            dir,
        };
        daemon.launch();
        daemon
    }
}

/// A running `porticod` with its own data directory, admin socket and HTTP port. It is stopped
/// (SIGTERM, then SIGKILL after a grace period) when dropped; when the test is panicking, its
/// output is printed first.
#[derive(Debug)]
pub struct Daemon {
    dir: TempDir,
    http_port: u16,
    https_port: u16,
    fixed_port: bool,
    demo: bool,
    args: Vec<String>,
    config: Option<String>,
    env: Vec<(String, String)>,
    child: Option<Child>,
    starts: u32,
}

impl Daemon {
    /// Starts a daemon with the defaults (`--dev`, fresh data dir, free HTTP port).
    pub fn start() -> Daemon {
        DaemonBuilder::default().start()
    }

    /// A builder for other options.
    pub fn builder() -> DaemonBuilder {
        DaemonBuilder::default()
    }

    /// The temporary directory: the data directory, its socket and the logs.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The admin socket.
    pub fn socket(&self) -> PathBuf {
        self.dir().join("admin.sock")
    }

    /// The plain-HTTP port on 127.0.0.1.
    pub fn http_port(&self) -> u16 {
        self.http_port
    }

    /// The HTTPS port on 127.0.0.1 (`--https-listen` with `--dev`, `{https_port}` in a config).
    pub fn https_port(&self) -> u16 {
        self.https_port
    }

    /// The daemon's process id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// A CLI bound to this daemon's socket.
    pub fn cli(&self) -> Cli {
        Cli::new(&self.socket(), self.dir())
    }

    /// Everything the daemon printed so far, over all its starts.
    pub fn logs(&self) -> String {
        let read = |name: &str| std::fs::read_to_string(self.dir().join(name)).unwrap_or_default();
        format!(
            "--- porticod stdout ---\n{}\n--- porticod stderr ---\n{}",
            read("porticod.stdout.log"),
            read("porticod.stderr.log")
        )
    }

    /// Starts the daemon again after [`Daemon::stop`] or [`Daemon::stop_with`], on the same data
    /// directory and socket path, whatever the last exit left behind.
    ///
    /// # Panics
    /// When it is still running or does not come back.
    pub fn start_again(&mut self) {
        assert!(self.child.is_none(), "porticod is still running");
        self.launch();
    }

    /// Stops the daemon gracefully and starts it again on the same data directory.
    ///
    /// # Panics
    /// When it does not exit 0 after SIGTERM or does not come back.
    pub fn restart(&mut self) {
        let status = self.stop();
        assert!(
            status.success(),
            "porticod did not exit 0 on SIGTERM ({status})\n{}",
            self.logs()
        );
        self.launch();
    }

    /// Sends SIGTERM and waits for the exit (SIGKILL after 10 s).
    pub fn stop(&mut self) -> ExitStatus {
        self.stop_with(Signal::SIGTERM)
    }

    /// Sends `signal` and waits for the exit (SIGKILL after 10 s).
    ///
    /// # Panics
    /// When the daemon is not running or the wait fails.
    pub fn stop_with(&mut self, signal: Signal) -> ExitStatus {
        let Some(mut child) = self.child.take() else {
            panic!("porticod is not running");
        };
        match terminate(&mut child, signal) {
            Ok(status) => status,
            Err(e) => panic!("stopping porticod: {e}\n{}", self.logs()),
        }
    }

    fn launch(&mut self) {
        for attempt in 1..=PORT_ATTEMPTS {
            match self.try_launch() {
                Ok(()) => return,
                Err(reason) => {
                    let logs = self.logs();
                    let port_taken = logs.contains("in use") || logs.contains("AddrInUse");
                    if port_taken && !self.fixed_port && attempt < PORT_ATTEMPTS {
                        self.http_port = free_port();
                        self.https_port = free_port();
                        continue;
                    }
                    panic!("porticod did not start: {reason}\n{logs}");
                }
            }
        }
    }

    fn try_launch(&mut self) -> Result<(), String> {
        self.starts += 1;
        let stdout = self.log_file("porticod.stdout.log");
        let stderr = self.log_file("porticod.stderr.log");
        let mut cmd = Command::new(bin_path("porticod"));
        if let Some(text) = &self.config {
            let dir = self
                .dir()
                .to_str()
                .ok_or("temporary directory is not UTF-8")?;
            let text = text
                .replace("{dir}", dir)
                .replace("{port}", &self.http_port.to_string())
                .replace("{https_port}", &self.https_port.to_string());
            let path = self.dir().join("porticod.toml");
            std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
            cmd.arg("--config").arg(path);
        } else {
            cmd.arg("--dev")
                .arg("--data-dir")
                .arg(self.dir())
                .arg("--admin-socket")
                .arg(self.socket())
                .arg("--http-listen")
                .arg(format!("127.0.0.1:{}", self.http_port))
                .arg("--https-listen")
                .arg(format!("127.0.0.1:{}", self.https_port));
        }
        if self.demo {
            cmd.arg("--demo");
        }
        cmd.args(&self.args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .current_dir(self.dir())
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr);
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", cmd.get_program().to_string_lossy()))?;

        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                return Err(format!("it exited during start-up ({status})"));
            }
            if UnixStream::connect(self.socket()).is_ok() {
                self.child = Some(child);
                return Ok(());
            }
            if Instant::now() >= deadline {
                let _ = terminate(&mut child, Signal::SIGKILL);
                return Err(format!(
                    "its admin socket {} did not accept within {READY_TIMEOUT:?}",
                    self.socket().display()
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn log_file(&self, name: &str) -> File {
        let path = self.dir().join(name);
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()));
        let _ = writeln!(file, "=== start {} ===", self.starts);
        file
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = terminate(&mut child, Signal::SIGTERM);
        }
        if std::thread::panicking() {
            eprintln!("porticod in {}:\n{}", self.dir().display(), self.logs());
        }
    }
}

/// Sends `signal`, waits up to the grace period, then kills.
fn terminate(child: &mut Child, signal: Signal) -> std::io::Result<ExitStatus> {
    if let Some(status) = child.try_wait()? {
        return Ok(status);
    }
    let pid = Pid::from_raw(i32::try_from(child.id()).map_err(std::io::Error::other)?);
    kill(pid, signal).map_err(std::io::Error::other)?;
    let deadline = Instant::now() + STOP_GRACE;
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait()? {
            return Ok(status);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill()?;
    child.wait()
}

/// A TCP port on 127.0.0.1 that was free a moment ago.
pub fn free_port() -> u16 {
    // Ports handed to servers that start later are taken from below Linux's ephemeral range
    // (32768-60999): a port from bind(0) is released at once and can be reused by the next
    // outgoing connection of any process (Pebble validating, a client of a parallel test)
    // before the server binds it.
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0)
        ^ std::process::id().wrapping_mul(2_654_435_761);
    for _ in 0..200 {
        let n = seed.wrapping_add(NEXT.fetch_add(7_919, Ordering::Relaxed));
        let port = 20_000 + (n % 12_000) as u16;
        let tcp = TcpListener::bind(("127.0.0.1", port));
        let udp = std::net::UdpSocket::bind(("127.0.0.1", port));
        if tcp.is_ok() && udp.is_ok() {
            return port;
        }
    }
    let listener = TcpListener::bind("127.0.0.1:0")
        .unwrap_or_else(|e| panic!("cannot bind 127.0.0.1:0 to find a free port: {e}"));
    listener
        .local_addr()
        .unwrap_or_else(|e| panic!("no local address: {e}"))
        .port()
}

/// Waits until `child`, a server just started, accepts TCP on 127.0.0.1:`port`. The error
/// says that `what` exited during start-up, or did not listen within `timeout`.
pub fn wait_for_port(
    child: &mut Child,
    port: u16,
    what: &str,
    timeout: Duration,
) -> Result<(), String> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("{what} exited during start-up ({status})"));
        }
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(format!(
                "{what} did not listen on 127.0.0.1:{port} within {timeout:?}"
            ));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Starts a helper server on a free port: `spawn(port)` starts it, writing its output to `log`,
/// and it must accept on 127.0.0.1:`port` within `timeout`. A port someone else took in the
/// meantime is given up for another, up to three times.
///
/// # Panics
/// When it never listens, with the last error and the server's log.
pub fn start_on_free_port(
    what: &str,
    log: &Path,
    timeout: Duration,
    mut spawn: impl FnMut(u16) -> Child,
) -> (Child, u16) {
    let mut last = String::new();
    for _ in 0..PORT_ATTEMPTS {
        let port = free_port();
        let mut child = spawn(port);
        match wait_for_port(&mut child, port, what, timeout) {
            Ok(()) => return (child, port),
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                last = format!("{e}\n{}", std::fs::read_to_string(log).unwrap_or_default());
            }
        }
    }
    panic!("{what} did not start: {last}");
}

/// Runs `porticod ARGS...` in `cwd` to its end (killed after a minute), for the cases where it
/// must refuse to start.
pub fn run_porticod<I, S>(args: I, cwd: &Path) -> crate::Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let mut cmd = Command::new(bin_path("porticod"));
    cmd.args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let text = format!(
        "porticod {}",
        cmd.get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    );
    let child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start `{text}`: {e}"));
    Cli::wait(text, child)
}
