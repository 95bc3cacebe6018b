//! `portico backup FILE` while the daemon runs and changes keep coming, `porticod --restore
//! FILE` with it stopped (refused while it runs), and the store fixture written by release
//! 0.1.0, which every later release must open.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use portico_tests::Daemon;
use portico_tests::daemon::run_porticod;
use portico_tests::docs::workspace_root;

fn restore_args(file: &Path, data: &Path) -> Vec<String> {
    vec![
        "--dev".into(),
        "--data-dir".into(),
        data.to_str().unwrap().into(),
        "--restore".into(),
        file.to_str().unwrap().into(),
    ]
}

fn fqdns(d: &Daemon) -> Vec<String> {
    let list = d.cli().json(["domain", "list"]);
    list.as_array()
        .unwrap()
        .iter()
        .map(|v| v["fqdn"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_backup_taken_under_writes_is_consistent_and_restores() {
    let mut d = Daemon::builder().demo().start();
    let cli = d.cli();
    // Domains are added one after another while the backup runs: a consistent copy holds
    // exactly the first k of them, and the audit log has one entry per domain it holds.
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (cli, stop) = (cli.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut n = 0u32;
            while !stop.load(Ordering::Relaxed) && n < 400 {
                cli.json([
                    "domain",
                    "add",
                    &format!("d{n:04}.example"),
                    "--currencies",
                    "USD",
                ]);
                n += 1;
            }
            n
        })
    };
    while fqdns(&d).len() < 5 {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let file = d.dir().join("backup.redb");
    let out = cli.ok(["backup", file.to_str().unwrap()]);
    assert!(out.contains("backup written to"), "{out}");
    assert!(!d.dir().join("backup.redb.partial").exists());
    stop.store(true, Ordering::Relaxed);
    let written = writer.join().unwrap();
    // Refused while the daemon holds the store; nothing changes.
    let before = std::fs::read(d.dir().join("portico.redb")).unwrap().len();
    let refused = run_porticod(restore_args(&file, d.dir()), d.dir());
    assert_eq!(refused.code, 1, "{refused}");
    assert!(refused.stderr.contains("running"), "{refused}");
    assert!(refused.stderr.contains("stop it first"), "{refused}");
    assert_eq!(
        std::fs::read(d.dir().join("portico.redb")).unwrap().len(),
        before
    );

    let status = d.stop();
    assert!(status.success());
    let leftovers: Vec<_> = std::fs::read_dir(d.dir())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(".portico-backup-")
        })
        .collect();
    assert!(
        leftovers.is_empty(),
        "backup copies are left: {leftovers:?}"
    );
    let restored = run_porticod(restore_args(&file, d.dir()), d.dir());
    assert_eq!(restored.code, 0, "{restored}");
    assert!(restored.stdout.contains("before-restore-"), "{restored}");
    let kept: Vec<PathBuf> = std::fs::read_dir(d.dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains("portico.redb.before-restore-"))
        .collect();
    assert_eq!(kept.len(), 1, "the replaced store is kept");

    d.start_again();
    let domains = fqdns(&d);
    let added: Vec<&String> = domains.iter().filter(|f| f.starts_with('d')).collect();
    let k = added.len();
    assert!(k >= 5 && k as u32 <= written, "{k} of {written}");
    let expected: Vec<String> = (0..k).map(|n| format!("d{n:04}.example")).collect();
    assert_eq!(
        added,
        expected.iter().collect::<Vec<_>>(),
        "not a prefix: not consistent"
    );
    assert!(
        domains.contains(&"portal.localhost".to_string()),
        "the demo data is restored"
    );
    let audit = d.cli().json(["audit", "--limit", "1000"]);
    let adds = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            e["action"] == "domain_add" && e["target"].as_str().unwrap_or("").contains(".example")
        })
        .count();
    assert_eq!(adds, k, "the audit log and the domains disagree");
}

#[test]
fn a_damaged_or_missing_backup_is_refused_and_the_store_kept() {
    let mut d = Daemon::start();
    d.cli()
        .json(["domain", "add", "keep.example", "--currencies", "USD"]);
    d.stop();
    let junk = d.dir().join("junk.redb");
    std::fs::write(&junk, b"not a store at all").unwrap();
    for file in [junk, d.dir().join("absent.redb")] {
        let run = run_porticod(restore_args(&file, d.dir()), d.dir());
        assert_eq!(run.code, 1, "{run}");
        assert!(run.stderr.contains(file.to_str().unwrap()), "{run}");
    }
    d.start_again();
    assert_eq!(fqdns(&d), vec!["keep.example".to_string()]);
}

/// The fixture: `tests/fixtures/store-0.1.0.redb`, written by release 0.1.0 with `porticod
/// --demo` and `portico backup`. Never regenerate it: later releases must open it as it is.
fn fixture() -> PathBuf {
    workspace_root().join("tests/fixtures/store-0.1.0.redb")
}

#[test]
fn the_store_written_by_0_1_0_opens_with_its_data() {
    let fixture = fixture();
    if std::env::var_os("PORTICO_WRITE_STORE_FIXTURE").is_some() && !fixture.exists() {
        let d = Daemon::builder().demo().start();
        d.cli().json([
            "domain",
            "add",
            "fixture.example",
            "--currencies",
            "USD,EUR",
        ]);
        d.cli().ok(["backup", fixture.to_str().unwrap()]);
    }
    assert!(
        fixture.is_file(),
        "{} is missing: it is the store release 0.1.0 wrote, kept for upgrade tests",
        fixture.display()
    );
    let mut d = Daemon::start();
    d.stop();
    let run = run_porticod(restore_args(&fixture, d.dir()), d.dir());
    assert_eq!(run.code, 0, "{run}");
    d.start_again();
    assert_eq!(
        fqdns(&d),
        vec![
            "fixture.example".to_string(),
            "portal.localhost".to_string()
        ]
    );
    let customers = d.cli().json(["customer", "list"]);
    assert!(!customers.as_array().unwrap().is_empty(), "{customers}");
    let rates = d.cli().json(["ratecard", "list"]);
    assert!(!rates.as_array().unwrap().is_empty(), "{rates}");
}
