//! Running the real `portico` CLI against a daemon's socket.

use std::ffi::OsStr;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::bins::bin_path;

/// How long one CLI call may take before the test gives up on it: a guard against a hung
/// command, not a speed check (a debug build importing a large file on a busy two-core machine
/// takes minutes).
const CLI_TIMEOUT: Duration = Duration::from_secs(300);

/// The `portico` CLI bound to one admin socket.
#[derive(Debug, Clone)]
pub struct Cli {
    bin: PathBuf,
    socket: PathBuf,
    cwd: PathBuf,
}

/// What one CLI call did.
#[derive(Debug, Clone)]
pub struct Run {
    /// The command line, for messages.
    pub cmd: String,
    /// The exit code (`-1` when killed by a signal).
    pub code: i32,
    /// Everything on stdout.
    pub stdout: String,
    /// Everything on stderr.
    pub stderr: String,
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "`{}` exited {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.cmd, self.code, self.stdout, self.stderr
        )
    }
}

impl Cli {
    /// A CLI that talks to `socket` and runs in `cwd` (so that its default socket,
    /// `./portico-data/admin.sock`, is never the developer's own).
    pub fn new(socket: &Path, cwd: &Path) -> Cli {
        Cli {
            bin: bin_path("portico"),
            socket: socket.to_path_buf(),
            cwd: cwd.to_path_buf(),
        }
    }

    /// The socket this CLI talks to.
    pub fn socket(&self) -> &Path {
        &self.socket
    }

    /// A `Command` for `portico --socket SOCK ARGS...`, not yet started.
    pub fn command<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = Command::new(&self.bin);
        cmd.arg("--socket")
            .arg(&self.socket)
            .args(args)
            .current_dir(&self.cwd)
            .env_remove("PORTICO_SOCKET")
            .stdin(Stdio::null());
        cmd
    }

    /// Starts `portico ARGS...` without waiting (for concurrency tests); see [`Cli::wait`].
    pub fn spawn<I, S>(&self, args: I) -> (String, Child)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = self.command(args);
        let text = describe(&cmd);
        let child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start `{text}`: {e}"));
        (text, child)
    }

    /// Waits for a process started by [`Cli::spawn`], killing it after a minute.
    pub fn wait(cmd: String, mut child: Child) -> Run {
        let out = child.stdout.take().map(reader);
        let err = child.stderr.take().map(reader);
        let deadline = Instant::now() + CLI_TIMEOUT;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break Some(status),
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(5))
                }
                Ok(None) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    break None;
                }
                Err(e) => panic!("waiting for `{cmd}`: {e}"),
            }
        };
        let stdout = out.map(join).unwrap_or_default();
        let stderr = err.map(join).unwrap_or_default();
        let Some(status) = status else {
            panic!(
                "`{cmd}` did not finish within {CLI_TIMEOUT:?}\nstdout: {stdout}\nstderr: {stderr}"
            );
        };
        Run {
            cmd,
            code: status.code().unwrap_or(-1),
            stdout,
            stderr,
        }
    }

    /// Runs `portico ARGS...` and returns what it did, whatever the exit code.
    pub fn run<I, S>(&self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let (cmd, child) = self.spawn(args);
        Cli::wait(cmd, child)
    }

    /// Runs `portico ARGS...`, asserts exit 0 and returns stdout.
    pub fn ok<I, S>(&self, args: I) -> String
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let run = self.run(args);
        assert_eq!(run.code, 0, "expected success:\n{run}");
        run.stdout
    }

    /// Runs `portico --json ARGS...`, asserts exit 0 and parses stdout as JSON.
    pub fn json<I, S>(&self, args: I) -> serde_json::Value
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut all: Vec<std::ffi::OsString> = vec!["--json".into()];
        all.extend(args.into_iter().map(|a| a.as_ref().to_os_string()));
        let run = self.run(&all);
        assert_eq!(run.code, 0, "expected success:\n{run}");
        serde_json::from_str(&run.stdout)
            .unwrap_or_else(|e| panic!("stdout of `{}` is not JSON ({e}):\n{run}", run.cmd))
    }

    /// Polls `portico --json ARGS...` until `ok` holds for its answer (a change made elsewhere,
    /// e.g. in the console, may take a moment); panics with the last answer after 20 s.
    pub fn json_until(&self, args: &[&str], what: &str, ok: impl Fn(&serde_json::Value) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let value = self.json(args);
            if ok(&value) {
                return;
            }
            if Instant::now() > deadline {
                panic!(
                    "{what} never showed in `portico --json {}`:\n{value:#}",
                    args.join(" ")
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Runs `portico ARGS...` and asserts the documented error shape: exit 1 and exactly one
    /// line `portico: <message>` on stderr. Returns the run.
    pub fn fail<I, S>(&self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let run = self.run(args);
        assert_eq!(run.code, 1, "expected exit 1 with one error line:\n{run}");
        assert_one_error_line(&run);
        run
    }

    /// The daemon's full export (`portico export`), exactly as printed.
    pub fn export(&self) -> String {
        self.ok(["export"])
    }

    /// Asserts that `portico ARGS...` is refused the documented way (exit 1, one line
    /// `portico: <message>`), that the message holds one of the alternatives of every group in
    /// `needles` (case-insensitive), and that the store is byte-for-byte unchanged (a full
    /// `portico export` before and after).
    pub fn refused<S: AsRef<OsStr>>(&self, args: &[S], needles: &[&[&str]]) -> Run {
        self.refused_impl(args, needles, false)
    }

    /// Like [`Cli::refused`], but also accepts a clap usage error (exit 2, message on stderr),
    /// for values the CLI may check itself before it calls the daemon (names of sections,
    /// columns, statuses).
    pub fn refused_or_usage<S: AsRef<OsStr>>(&self, args: &[S], needles: &[&[&str]]) -> Run {
        self.refused_impl(args, needles, true)
    }

    fn refused_impl<S: AsRef<OsStr>>(
        &self,
        args: &[S],
        needles: &[&[&str]],
        usage_ok: bool,
    ) -> Run {
        let before = self.export();
        let run = self.run(args);
        if usage_ok && run.code == 2 {
            assert!(
                !run.stderr.trim().is_empty(),
                "usage error without a message:\n{run}"
            );
        } else {
            assert_eq!(
                run.code, 1,
                "expected the call to be refused with exit 1:\n{run}"
            );
            assert_one_error_line(&run);
        }
        assert_mentions(&run, needles);
        let after = self.export();
        if before != after {
            panic!(
                "the refused call `{}` changed the store:\n{}",
                run.cmd,
                first_difference(&before, &after)
            );
        }
        run
    }
}

/// Asserts that stderr holds, for every group of `needles`, one of its alternatives
/// (case-insensitive).
pub fn assert_mentions(run: &Run, needles: &[&[&str]]) {
    let text = run.stderr.to_lowercase();
    for group in needles {
        assert!(
            group.iter().any(|n| text.contains(&n.to_lowercase())),
            "the error should mention {}:\n{run}",
            group
                .iter()
                .map(|n| format!("{n:?}"))
                .collect::<Vec<_>>()
                .join(" or ")
        );
    }
}

/// Where two texts first differ, with some context, for failure messages.
pub fn first_difference(before: &str, after: &str) -> String {
    let at = before
        .bytes()
        .zip(after.bytes())
        .position(|(a, b)| a != b)
        .unwrap_or(before.len().min(after.len()));
    let window = |s: &str| {
        let mut start = at.saturating_sub(300).min(s.len());
        while !s.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = (at + 300).min(s.len());
        while !s.is_char_boundary(end) {
            end += 1;
        }
        s[start..end].to_string()
    };
    format!(
        "first difference at byte {at} (lengths {} and {})\n--- before ---\n{}\n--- after ---\n{}",
        before.len(),
        after.len(),
        window(before),
        window(after)
    )
}

/// Asserts that stderr is exactly one line starting with `portico: `.
pub fn assert_one_error_line(run: &Run) {
    let text = run.stderr.trim_end_matches('\n');
    assert!(
        text.starts_with("portico: ")
            && !text.contains('\n')
            && !text["portico: ".len()..].trim().is_empty(),
        "expected exactly one line `portico: <message>` on stderr:\n{run}"
    );
}

fn describe(cmd: &Command) -> String {
    let mut text = cmd.get_program().to_string_lossy().into_owned();
    if let Some(name) = Path::new(&text).file_name() {
        text = name.to_string_lossy().into_owned();
    }
    for arg in cmd.get_args() {
        let a = arg.to_string_lossy();
        if a.is_empty() || a.contains(' ') {
            text.push_str(&format!(" '{a}'"));
        } else {
            text.push(' ');
            text.push_str(&a);
        }
    }
    text
}

fn reader<R: Read + Send + 'static>(mut r: R) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = r.read_to_end(&mut buf);
        String::from_utf8_lossy(&buf).into_owned()
    })
}

fn join(handle: std::thread::JoinHandle<String>) -> String {
    handle.join().unwrap_or_default()
}

/// The strings of a JSON array (`access`, `currencies`, `cdr_columns` of `--json` answers);
/// empty when `value` is not an array.
pub fn strings(value: &serde_json::Value) -> Vec<String> {
    value
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}
