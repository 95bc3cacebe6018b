//! Building the .deb and the .rpm as a user would (`cargo build --release`, `cargo deb`,
//! `cargo generate-rpm`), once per test binary, for the packaging and install tests.

use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::Instant;

use crate::docs::workspace_root;

/// The packages built by [`packages`].
#[derive(Debug)]
pub struct Packages {
    _dir: tempfile::TempDir,
    /// The .deb.
    pub deb: PathBuf,
    /// The .rpm.
    pub rpm: PathBuf,
    /// The .deb unpacked (`dpkg-deb -x`).
    pub root: PathBuf,
}

/// Runs `cmd` and returns its output.
///
/// # Panics
/// When it cannot run (naming the tool to install) or fails (with its output).
pub fn run(cmd: &mut Command) -> Output {
    let shown = format!("{cmd:?}");
    let out = cmd.output().unwrap_or_else(|e| {
        panic!("cannot run {shown}: {e}; install it (./.ci/run installs every tool the tests use)")
    });
    assert!(
        out.status.success(),
        "{shown} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs `cmd` and returns its stdout as text.
///
/// # Panics
/// Like [`run`].
pub fn stdout(cmd: &mut Command) -> String {
    String::from_utf8_lossy(&run(cmd).stdout).into_owned()
}

fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(workspace_root());
    cmd
}

/// Builds the release binaries and both packages, once per test binary.
///
/// # Panics
/// When a step fails.
pub fn packages() -> &'static Packages {
    static PACKAGES: OnceLock<Packages> = OnceLock::new();
    PACKAGES.get_or_init(|| {
        let started = Instant::now();
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("no temporary directory: {e}"));
        run(cargo().args([
            "build",
            "--release",
            "--locked",
            "-p",
            "porticod",
            "-p",
            "portico",
        ]));
        let built = started.elapsed();
        let deb_dir = dir.path().join("deb");
        std::fs::create_dir(&deb_dir).unwrap_or_else(|e| panic!("{}: {e}", deb_dir.display()));
        run(cargo()
            .args(["deb", "-p", "porticod", "--no-build", "--locked", "-o"])
            .arg(&deb_dir));
        let deb = std::fs::read_dir(&deb_dir)
            .unwrap_or_else(|e| panic!("{}: {e}", deb_dir.display()))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .find(|p| p.extension().is_some_and(|e| e == "deb"))
            .unwrap_or_else(|| panic!("cargo deb wrote no .deb"));
        let rpm = dir.path().join("portico.rpm");
        run(cargo()
            .args(["generate-rpm", "-p", "daemon", "-o"])
            .arg(&rpm));
        let root = dir.path().join("root");
        run(Command::new("dpkg-deb").arg("-x").arg(&deb).arg(&root));
        eprintln!(
            "packages built in {:.1?} (release build {built:.1?}): {} ({} KiB), {} ({} KiB)",
            started.elapsed(),
            deb.display(),
            std::fs::metadata(&deb).map(|m| m.len() / 1024).unwrap_or(0),
            rpm.display(),
            std::fs::metadata(&rpm).map(|m| m.len() / 1024).unwrap_or(0),
        );
        Packages {
            _dir: dir,
            deb,
            rpm,
            root,
        }
    })
}
