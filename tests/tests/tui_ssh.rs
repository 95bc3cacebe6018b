//! The admin console over a real SSH session: a real sshd on loopback (Debian's
//! openssh-server, started by the test as the user who runs it), `ssh -tt` in tmux running the
//! real `portico` on the "remote" side against a real porticod. The test types through SSH,
//! reads the screen, checks each change with `portico --json` outside SSH, and checks that the
//! console hands the remote terminal back in its normal (cooked, echoing) mode.
//!
//! A second test forwards the admin socket itself (`ssh -L local.sock:remote.sock`), the way
//! the README tells an admin to run the console on their own machine.

use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use portico_tests::Daemon;
use portico_tests::bins::bin_path;
use portico_tests::cli::Cli;
use portico_tests::ssh::{HOST, SshServer};
use portico_tests::tmux::{Tmux, shell_quote};

/// The words of `stty -a`'s answer that say whether a terminal is in raw mode.
fn tty_mode(screen: &str) -> (bool, bool) {
    let words: Vec<&str> = screen.split_whitespace().collect();
    let on = |flag: &str| {
        let off = format!("-{flag}");
        assert!(
            words.contains(&flag) || words.contains(&off.as_str()),
            "no `{flag}` in the output of `stty -a`:\n{screen}"
        );
        words.contains(&flag)
    };
    (on("icanon"), on("echo"))
}

#[test]
fn the_console_runs_over_ssh_and_takes_keys() {
    let daemon = Daemon::start();
    let cli = daemon.cli();
    let sshd = SshServer::start();

    // The remote side runs the console, then shows its terminal's mode and ends with the
    // console's exit status; the local side says how ssh ended. The environment is passed in
    // the remote command: sshd accepts none (AcceptEnv).
    let remote = format!(
        "NO_COLOR=1 TERM=xterm-256color {} --socket {}; status=$?; stty -a; exit $status",
        shell_quote(&bin_path("portico").display().to_string()),
        shell_quote(&daemon.socket().display().to_string())
    );
    let local = format!("{}; echo \"ssh exited with $?\"", sshd.command(&remote));
    let tmux = Tmux::run_command(daemon.dir(), &[], &local);

    // It renders through SSH, at the 80x24 tmux gave ssh's terminal.
    let screen = tmux.wait("the console (or ssh's end)", |s| {
        s.contains("No domains yet") || s.contains("ssh exited with")
    });
    assert!(
        screen.contains("No domains yet"),
        "ssh ended before the console showed:\n{screen}\n{}",
        sshd.report()
    );
    eprintln!("the Domains screen over SSH:\n{screen}");
    assert!(screen.contains("porticod "), "no status line:\n{screen}");

    // Add a domain through the console, then change one of its settings.
    tmux.add_domain("portal.ssh.test", "SSH Voice");
    let added = cli.json(["domain", "show", "portal.ssh.test"]);
    assert_eq!(added["brand_name"], "SSH Voice", "{added:#}");
    tmux.toggle_first_section(&cli, "portal.ssh.test");

    // Back to the Domains screen, which lists the new domain; then out.
    tmux.keys(&["q"]);
    let domains = tmux.wait_for("SSH Voice");
    assert!(domains.contains("portal.ssh.test"), "{domains}");
    tmux.keys(&["q"]);
    let end = tmux.wait_for("ssh exited with");
    eprintln!("after the console over SSH:\n{end}");
    assert!(
        end.contains("ssh exited with 0"),
        "the console (or ssh) failed:\n{end}"
    );
    // The remote terminal is back in its normal mode: line editing and echo on.
    let (canonical, echo) = tty_mode(&end);
    assert!(
        canonical && echo,
        "the console left the terminal in raw mode:\n{end}"
    );
    assert!(
        !end.contains("SSH Voice") && !end.contains("porticod "),
        "the console's screen stayed after it exited (alternate screen not left):\n{end}"
    );
    let (status, _) = tmux.wait_exit();
    assert_eq!(status, 0, "the local shell failed after ssh:\n{end}");
}

/// `ssh -N -L LOCAL:REMOTE` forwarding a Unix socket, ended when dropped.
struct Forward(Child);

impl Drop for Forward {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Forwards `remote` (the daemon's admin socket "on the server") to `local` and waits until it
/// is there.
fn forward(sshd: &SshServer, local: &Path, remote: &Path) -> Forward {
    let spec = format!("{}:{}", local.display(), remote.display());
    let mut ssh = sshd.client();
    ssh.args(["-N", "-L", &spec, HOST]);
    let command = format!("{ssh:?}");
    let child = ssh
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {command}: {e}"));
    let mut forward = Forward(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    while !local.exists() {
        if let Ok(Some(status)) = forward.0.try_wait() {
            let mut err = String::new();
            if let Some(mut stderr) = forward.0.stderr.take() {
                let _ = std::io::Read::read_to_string(&mut stderr, &mut err);
            }
            panic!("{command} exited {status}: {err}\n{}", sshd.report());
        }
        assert!(
            Instant::now() < deadline,
            "{command} did not make {} within 20 s\n{}",
            local.display(),
            sshd.report()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    forward
}

#[test]
fn the_cli_talks_to_a_socket_forwarded_with_ssh() {
    let daemon = Daemon::start();
    daemon.cli().ok([
        "domain",
        "add",
        "portal.forwarded.test",
        "--currencies",
        "USD",
        "--brand-name",
        "Forwarded Voice",
    ]);
    let sshd = SshServer::start();
    let local_dir = tempfile::tempdir().unwrap_or_else(|e| panic!("no temporary directory: {e}"));
    let local = local_dir.path().join("portico.sock");
    let _forward = forward(&sshd, &local, &daemon.socket());

    let cli = Cli::new(&local, local_dir.path());
    let shown = cli.json(["domain", "show", "portal.forwarded.test"]);
    assert_eq!(shown["brand_name"], "Forwarded Voice", "{shown:#}");
}
