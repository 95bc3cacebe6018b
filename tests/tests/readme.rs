//! The README's admin examples run as written against a fresh daemon, so that the README never
//! advertises a command that does not work.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

use std::path::Path;
use std::process::Command;

use portico_tests::Daemon;
use portico_tests::bins::bin_path;
use portico_tests::png::png_rgb;

/// The fenced `sh` blocks of the README.
fn sh_blocks(readme: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in readme.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```sh") => current = Some(String::new()),
            (Some(_), "```") => blocks.extend(current.take()),
            (Some(block), _) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

#[test]
fn the_readmes_admin_examples_work() {
    let readme_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md");
    let readme = std::fs::read_to_string(&readme_path).unwrap();
    let examples = sh_blocks(&readme)
        .into_iter()
        .find(|b| b.contains("portico domain add"))
        .expect("the README has an sh block with `portico domain add`");

    let d = Daemon::start();
    let dir = d.dir();
    std::fs::write(dir.join("acme-logo.png"), png_rgb(200, 60)).unwrap();
    std::fs::write(dir.join("acme.css"), ":root { --portico-accent: #0a7; }\n").unwrap();
    std::fs::write(dir.join("pw.txt"), "smtp-password\n").unwrap();
    std::fs::write(dir.join("terms.txt"), "Terms of service.\n").unwrap();
    std::fs::write(
        dir.join("rates.csv"),
        "prefix,name,rate\n44,United Kingdom,0.01\n447,United Kingdom - Mobile,0.025\n",
    )
    .unwrap();

    let bin_dir = bin_path("portico").parent().unwrap().to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .args(["-euo", "pipefail", "-x", "-c", &examples])
        .env("PATH", path)
        .env("PORTICO_SOCKET", d.socket())
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the README's examples failed:\n{examples}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let export = std::fs::read_to_string(dir.join("portico-export.json")).unwrap();
    assert!(export.contains("portal.acme.example"), "{export}");
}

#[test]
fn sh_blocks_are_found() {
    let text = "a\n```sh\necho 1\n```\nb\n```toml\nx = 1\n```\n```sh\necho 2\n```\n";
    assert_eq!(sh_blocks(text), vec!["echo 1\n", "echo 2\n"]);
}
