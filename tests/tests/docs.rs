//! The committed man pages, completions and default config are what the generator makes from
//! today's definitions, mandoc finds nothing to say about the pages, and the shipped config is
//! a valid configuration meaning the defaults.
//!
//! After changing a flag, a subcommand or a config key:
//! `PORTICO_REGENERATE=1 cargo test -p portico-tests --test docs`.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

use std::process::Command;

use portico_tests::docs::{self, workspace_root};

#[test]
fn committed_docs_match_the_definitions() {
    let root = workspace_root();
    let regenerate = std::env::var_os("PORTICO_REGENERATE").is_some();
    let mut stale = Vec::new();
    for (path, content) in docs::generate() {
        let file = root.join(path);
        let committed = std::fs::read(&file).unwrap_or_default();
        if committed == content {
            continue;
        }
        if regenerate {
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(&file, &content).unwrap();
        } else {
            let old = String::from_utf8_lossy(&committed);
            let new = String::from_utf8_lossy(&content);
            let line = old
                .lines()
                .zip(new.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(old.lines().count().min(new.lines().count()));
            stale.push(format!(
                "{path} (first difference at line {}: committed {:?}, generated {:?})",
                line + 1,
                old.lines().nth(line).unwrap_or("<end>"),
                new.lines().nth(line).unwrap_or("<end>")
            ));
        }
    }
    assert!(
        stale.is_empty(),
        "generated files differ from the definitions; run \
         `PORTICO_REGENERATE=1 cargo test -p portico-tests --test docs` and commit:\n{}",
        stale.join("\n")
    );
}

#[test]
fn mandoc_lint_finds_nothing() {
    for (path, content) in docs::generate() {
        if !path.starts_with("man/") {
            continue;
        }
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(path.trim_start_matches("man/"));
        std::fs::write(&file, &content).unwrap();
        let out = Command::new("mandoc")
            .args(["-T", "lint", "-W", "all"])
            .arg(&file)
            .output()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot run mandoc ({e}); install it: apt-get install mandoc (./.ci/run does)"
                )
            });
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.status.success() && said.trim().is_empty(),
            "mandoc -T lint on {path}:\n{said}"
        );
    }
}

#[test]
fn every_flag_and_subcommand_is_in_the_man_pages() {
    use clap::CommandFactory;
    let files = docs::generate();
    let page = |name: &str| {
        let (_, content) = files.iter().find(|(p, _)| *p == name).unwrap();
        String::from_utf8(content.clone()).unwrap()
    };
    fn walk(cmd: &clap::Command, path: String, page: &str) {
        for arg in cmd.get_arguments().filter(|a| !a.is_hide_set()) {
            if let Some(long) = arg.get_long() {
                let shown = format!("\\fB\\-\\-{}\\fR", long.replace('-', "\\-"));
                assert!(
                    page.contains(&shown),
                    "{path}: --{long} is not in the man page"
                );
            }
        }
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            let path = format!("{path} {}", sub.get_name());
            let shown = path
                .split(' ')
                .map(|w| format!("\\fB{}\\fR", w.replace('-', "\\-")))
                .collect::<Vec<_>>()
                .join(" ");
            assert!(page.contains(&shown), "`{path}` is not in the man page");
            walk(sub, path, page);
        }
    }
    walk(
        &portico::cli::args::Cli::command(),
        "portico".into(),
        &page("man/portico.1"),
    );
    walk(
        &porticod::cli::command(),
        "porticod".into(),
        &page("man/porticod.8"),
    );
    let config = page("man/porticod.toml.5");
    for key in porticod::config::keys::KEYS {
        let name = porticod::config::keys::split(key.key).1;
        assert!(
            config.contains(&format!("\\fB{}\\fR = ", name.replace('-', "\\-"))),
            "{} is not in porticod.toml(5)",
            key.key
        );
    }
}

#[test]
fn the_shipped_config_and_the_man_page_example_are_valid() {
    use porticod::config::{Config, Overrides};
    let shipped = docs::config_file::shipped_file();
    let production = Overrides::default();
    assert_eq!(
        Config::from_toml(&shipped, &production).unwrap(),
        Config::from_toml("", &production).unwrap(),
        "the shipped file must mean the defaults"
    );
    let example = docs::config_file::example();
    let parsed = Config::from_toml(&example, &production)
        .unwrap_or_else(|e| panic!("the example in porticod.toml(5) is refused: {e}\n{example}"));
    assert_eq!(parsed.ingest.watch.len(), 2, "{example}");
}
