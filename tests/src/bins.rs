//! Finding the real binaries. Cargo only builds the binaries of the crate under test for its
//! integration tests, so `porticod` and `portico` (other crates) must be built first; they land
//! in the same `target/<profile>/` directory as this test executable's `deps/`.

use std::path::PathBuf;

/// Overrides the directory the binaries are taken from.
pub const BIN_DIR_ENV: &str = "PORTICO_BIN_DIR";

/// The path of the workspace binary `name` (`porticod` or `portico`).
///
/// # Panics
/// When the binary is missing, with the command that builds it.
pub fn bin_path(name: &str) -> PathBuf {
    let dir = bin_dir();
    let path = dir.join(name);
    if !path.is_file() {
        panic!(
            "{name} not found at {}: run `cargo build --workspace --bins` first \
             (the end-to-end tests run the real binaries; `./.ci/run` builds them), \
             or set {BIN_DIR_ENV} to the directory that holds them",
            path.display()
        );
    }
    path
}

fn bin_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os(BIN_DIR_ENV) {
        return PathBuf::from(dir);
    }
    let exe = std::env::current_exe()
        .unwrap_or_else(|e| panic!("cannot find the test executable's path: {e}"));
    // target/<profile>/deps/<test>-<hash>  →  target/<profile>/
    let mut dir = exe
        .parent()
        .map(PathBuf::from)
        .unwrap_or_else(|| panic!("test executable {} has no parent", exe.display()));
    if dir.file_name().is_some_and(|n| n == "deps") {
        dir.pop();
    }
    dir
}
