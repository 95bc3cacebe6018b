//! End-to-end tests of `porticod`'s configuration file and start-up refusals.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

use std::os::unix::fs::PermissionsExt;

use portico_tests::daemon::{free_port, run_porticod};
use portico_tests::{Daemon, http};

#[test]
fn a_config_file_sets_the_data_dir_socket_and_listen_address() {
    let d = Daemon::builder()
        .config(
            r#"
data_dir = "{dir}/data"
[admin]
socket = "{dir}/admin.sock"
group = ""
[http]
listen = ["127.0.0.1:{port}"]
[log]
level = "debug"
"#,
        )
        .start();
    d.cli()
        .json(["domain", "add", "cfg.example", "--currencies", "USD"]);
    assert!(
        d.dir().join("data/portico.redb").is_file(),
        "the store is not in data_dir"
    );
    let mode = std::fs::metadata(d.socket()).unwrap().permissions().mode();
    assert_eq!(mode & 0o7777, 0o660, "{mode:o}");
    let unknown = http::get(d.http_port(), "unknown.example", "/");
    assert_eq!(unknown.status, 404);
}

#[test]
fn a_bad_config_is_refused_naming_the_key_and_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("[htttp]\nlisten = []\n", "htttp"),
        ("[http]\nlisten = [\"localhost\"]\n", "http.listen"),
        ("data_dir = 5\n", "data_dir"),
    ];
    for (text, key) in cases {
        let path = dir.path().join("porticod.toml");
        std::fs::write(&path, text).unwrap();
        let run = run_porticod(["--config", path.to_str().unwrap()], dir.path());
        assert_ne!(run.code, 0, "{run}");
        assert!(
            run.stderr.contains(key),
            "the error should name {key}:\n{run}"
        );
        assert!(
            run.stderr.contains("porticod.toml"),
            "the error should name the file:\n{run}"
        );
    }
    let missing = dir.path().join("absent.toml");
    let run = run_porticod(["--config", missing.to_str().unwrap()], dir.path());
    assert_ne!(run.code, 0, "{run}");
    assert!(run.stderr.contains(missing.to_str().unwrap()), "{run}");
    // An explicit --config must exist, also with --dev.
    let run = run_porticod(["--dev", "--config", missing.to_str().unwrap()], dir.path());
    assert_ne!(run.code, 0, "{run}");
}

#[test]
fn a_second_daemon_on_the_same_data_is_refused_and_the_first_keeps_running() {
    let d = Daemon::start();
    d.cli()
        .json(["domain", "add", "first.example", "--currencies", "USD"]);
    let run = run_porticod(
        [
            "--dev".to_string(),
            "--data-dir".into(),
            d.dir().to_str().unwrap().into(),
            "--admin-socket".into(),
            d.socket().to_str().unwrap().into(),
            "--http-listen".into(),
            format!("127.0.0.1:{}", free_port()),
        ],
        d.dir(),
    );
    assert_ne!(
        run.code, 0,
        "a second daemon started on the same data:\n{run}"
    );
    assert!(!run.stderr.trim().is_empty(), "{run}");
    assert!(
        d.socket().exists(),
        "the second daemon removed the first one's socket"
    );
    let list = d.cli().json(["domain", "list"]);
    assert_eq!(list[0]["fqdn"], "first.example");
}

#[test]
fn check_config_validates_without_starting_anything() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let path = dir.path().join("porticod.toml");
    std::fs::write(
        &path,
        format!(
            "data_dir = \"{}\"\n[http]\nlisten = [\"127.0.0.1:{}\"]\n[ingest]\nlisten = [\"127.0.0.1:{}\"]\nusername = \"fs\"\npassword = \"secret-value\"\n",
            data.display(),
            free_port(),
            free_port()
        ),
    )
    .unwrap();
    let run = run_porticod(
        ["--check-config", "--config", path.to_str().unwrap()],
        dir.path(),
    );
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stdout.contains("porticod.toml: OK"), "{run}");
    assert!(run.stdout.contains("basic auth"), "{run}");
    assert!(
        !run.stdout.contains("secret-value"),
        "a password is shown:\n{run}"
    );
    assert!(!data.exists(), "--check-config created the data directory");

    std::fs::write(&path, "[store]\ncache_mib = 3\n").unwrap();
    let run = run_porticod(
        ["--check-config", "--config", path.to_str().unwrap()],
        dir.path(),
    );
    assert_eq!(run.code, 1, "{run}");
    assert!(run.stdout.is_empty(), "{run}");
    assert!(
        run.stderr
            .contains("porticod.toml: store.cache_mib: 3 is out of range"),
        "{run}"
    );
}
