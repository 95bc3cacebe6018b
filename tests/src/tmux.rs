//! A real terminal for the console's end-to-end tests: one tmux server of its own (`-L`) with
//! one 80x24 session; the test types as a person would (send-keys) and reads the screen
//! (capture-pane). Debian's `tmux` package (in `.ci/run`'s APT_PACKAGES).
//!
//! ```no_run
//! use portico_tests::{Daemon, tmux::Tmux};
//! let daemon = Daemon::start();
//! let tmux = Tmux::console(&daemon);
//! tmux.wait_for("No domains yet");
//! tmux.keys(&["q"]);
//! tmux.wait_exit();
//! ```

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use crate::bins::bin_path;
use crate::cli::{Cli, strings};
use crate::daemon::Daemon;

/// How long the screen may take to show what a key asked for.
pub const SCREEN_TIMEOUT: Duration = Duration::from_secs(20);

/// The session's name on its server.
const SESSION: &str = "console";

/// A tmux server of its own with one 80x24 session; killed when dropped.
#[derive(Debug)]
pub struct Tmux {
    server: String,
    /// Where the pane's shell writes its command's exit status when the command ends.
    status: tempfile::TempDir,
}

impl Tmux {
    /// The console: `portico --socket SOCKET` of `daemon`, bare, with `NO_COLOR=1`, in the
    /// daemon's directory.
    pub fn console(daemon: &Daemon) -> Tmux {
        let console = format!(
            "{} --socket {}",
            shell_quote(&bin_path("portico").display().to_string()),
            shell_quote(&daemon.socket().display().to_string())
        );
        Tmux::run_command(daemon.dir(), &[("NO_COLOR", "1")], &console)
    }

    /// Runs the shell command `command` in a new 80x24 session, in `dir`, with `env` added to
    /// the environment. The pane stays after the command ends (`remain-on-exit`), so that its
    /// last screen can be read; its exit status is written to a file by the pane's shell.
    ///
    /// The status is not read from tmux's `#{pane_dead_status}`: tmux 3.3a marks a pane dead
    /// when its terminal closes, and now and then it has not collected the status by then, nor
    /// for as long as a test waits (the pane's shell stays a zombie).
    ///
    /// # Panics
    /// When tmux is missing or refuses.
    pub fn run_command(dir: &Path, env: &[(&str, &str)], command: &str) -> Tmux {
        // One server per test: tests of one file run in parallel in one process.
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let status = tempfile::Builder::new()
            .prefix("portico-tmux-")
            .tempdir()
            .unwrap_or_else(|e| panic!("no temporary directory for the exit status: {e}"));
        let done = shell_quote(&status.path().join("status").display().to_string());
        let written = shell_quote(&status.path().join("status.part").display().to_string());
        // The command runs in a subshell, so that an `exit` in it still reaches the line after.
        let command = format!("( {command}\n); echo $? > {written} && mv {written} {done}");
        let tmux = Tmux {
            server: format!("portico-e2e-{}-{n}", std::process::id()),
            status,
        };
        let dir = dir.display().to_string();
        let env: Vec<String> = env.iter().map(|(k, v)| format!("{k}={v}")).collect();
        // The pane must stay after its command ends, even a command that ends at once: the
        // option is set for the whole server in the same call, before the session exists.
        let mut args = vec![
            "start-server",
            ";",
            "set-option",
            "-g",
            "remain-on-exit",
            "on",
            ";",
            "new-session",
            "-d",
            "-x",
            "80",
            "-y",
            "24",
            "-s",
            SESSION,
            "-c",
            &dir,
        ];
        for pair in &env {
            args.extend(["-e", pair]);
        }
        args.push(&command);
        tmux.run(&args);
        tmux
    }

    /// Runs `tmux ARGS` against this server.
    ///
    /// # Panics
    /// When tmux is missing or fails.
    pub fn run(&self, args: &[&str]) -> Output {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.server)
            .args(args)
            .output()
            .unwrap_or_else(|e| {
                panic!("cannot run tmux ({e}); install it (it is in APT_PACKAGES of .ci/run)")
            });
        assert!(
            out.status.success(),
            "tmux {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// The screen as text.
    pub fn screen(&self) -> String {
        let out = self.run(&["capture-pane", "-p", "-t", SESSION]);
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Keys by tmux name (`Enter`, `Tab`, `Space`, `a`, ...).
    pub fn keys(&self, keys: &[&str]) {
        for key in keys {
            self.run(&["send-keys", "-t", SESSION, key]);
        }
    }

    /// Text typed literally.
    pub fn type_text(&self, text: &str) {
        self.run(&["send-keys", "-t", SESSION, "-l", text]);
    }

    /// Waits until the screen satisfies `ok`; panics with the screen when it does not.
    pub fn wait(&self, what: &str, mut ok: impl FnMut(&str) -> bool) -> String {
        let deadline = Instant::now() + SCREEN_TIMEOUT;
        loop {
            let screen = self.screen();
            if ok(&screen) {
                return screen;
            }
            if Instant::now() > deadline {
                panic!("the terminal never showed {what}; the screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until the screen shows `text`.
    pub fn wait_for(&self, text: &str) -> String {
        self.wait(&format!("{text:?}"), |s| s.contains(text))
    }

    /// Waits until the screen no longer shows `text`.
    pub fn wait_gone(&self, text: &str) -> String {
        self.wait(&format!("{text:?} go away"), |s| !s.contains(text))
    }

    /// In the console's Domains screen: adds a domain with the form (`a`, the FQDN, Tab, the
    /// brand name, Enter) and waits for the editor to open on it.
    pub fn add_domain(&self, fqdn: &str, brand_name: &str) {
        self.keys(&["a"]);
        self.wait_for("Add a domain");
        self.type_text(fqdn);
        self.keys(&["Tab"]);
        self.type_text(brand_name);
        self.keys(&["Enter"]);
        self.wait_for("User Access");
    }

    /// In a console editor with a change: waits for `[modified]`, saves (`s`) and waits until
    /// the editor says it is saved.
    pub fn save_changes(&self) {
        self.wait_for("[modified]");
        self.keys(&["s"]);
        self.wait_gone("[modified]");
    }

    /// In the domain editor on its Basic tab: toggles the User Access tab's first section
    /// (`balance`), saves, and waits until `portico --json domain show FQDN` shows the change.
    pub fn toggle_first_section(&self, cli: &Cli, fqdn: &str) {
        let has_balance =
            |d: &serde_json::Value| strings(&d["access"]).contains(&"balance".to_string());
        let before = has_balance(&cli.json(["domain", "show", fqdn]));
        self.keys(&["Tab", "Space"]);
        self.save_changes();
        cli.json_until(&["domain", "show", fqdn], "the toggled section", |d| {
            has_balance(d) != before
        });
    }

    /// The pane's command has ended: its exit status, 128 + the signal's number when a signal
    /// ended it (`None` while it runs).
    pub fn exit_status(&self) -> Option<i32> {
        let text = std::fs::read_to_string(self.status.path().join("status")).ok()?;
        let status = text.trim();
        Some(
            status
                .parse()
                .unwrap_or_else(|e| panic!("the pane's shell wrote {status:?} as the status: {e}")),
        )
    }

    /// Waits until the pane's command ends, and returns its exit status and last screen.
    pub fn wait_exit(&self) -> (i32, String) {
        let mut status = None;
        let screen = self.wait("the program exit", |_| {
            status = self.exit_status();
            status.is_some()
        });
        let status = status.unwrap_or_else(|| unreachable!("wait returns once a status is known"));
        (status, screen)
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .arg("-L")
            .arg(&self.server)
            .arg("kill-server")
            .output();
    }
}

/// `text` quoted for a POSIX shell: `'...'`, with each `'` written `'\''`.
pub fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_survives_single_quotes_and_spaces() {
        assert_eq!(shell_quote("/a b/c"), "'/a b/c'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote(""), "''");
    }

    #[test]
    fn the_exit_status_is_the_commands_own_or_its_signals() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("no temporary directory: {e}"));
        let cases = [
            ("echo done", 0),
            ("echo failing; exit 3", 3),
            ("sh -c 'kill -TERM $$'", 128 + 15),
        ];
        for (command, want) in cases {
            let tmux = Tmux::run_command(dir.path(), &[], command);
            let (status, screen) = tmux.wait_exit();
            assert_eq!(status, want, "`{command}` ended with {status}:\n{screen}");
        }
    }
}
