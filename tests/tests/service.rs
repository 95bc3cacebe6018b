//! The daemon as systemd runs it: `READY=1` on `NOTIFY_SOCKET` once it listens (and never when
//! a listener cannot be bound), and SIGHUP re-reading the configuration: the log level and the
//! watched files change, other keys are reported as needing a restart, an invalid file changes
//! nothing, and no connection is dropped.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::net::UnixDatagram;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use portico_protocol::PROTOCOL_VERSION;
use portico_tests::bins::bin_path;
use portico_tests::daemon::free_port;
use portico_tests::{Daemon, admin};

/// Receives notifications until one contains `want`; returns everything received.
fn wait_for(sock: &UnixDatagram, want: &str, d: &Daemon) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut seen = String::new();
    let mut buf = [0u8; 4096];
    while Instant::now() < deadline {
        if let Ok(n) = sock.recv(&mut buf) {
            seen.push_str(&String::from_utf8_lossy(&buf[..n]));
            seen.push('|');
            if seen.contains(want) {
                return seen;
            }
        }
    }
    panic!(
        "no {want} on NOTIFY_SOCKET within 30 s; got {seen:?}\n{}",
        d.logs()
    );
}

fn notify_socket(dir: &Path) -> UnixDatagram {
    let sock = UnixDatagram::bind(dir.join("notify.sock")).unwrap();
    sock.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    sock
}

/// One request on an open keep-alive connection; returns the status line.
fn request(conn: &mut TcpStream) -> String {
    conn.write_all(b"GET / HTTP/1.1\r\nHost: nobody.example\r\n\r\n")
        .unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        conn.read_exact(&mut byte).unwrap();
        head.push(byte[0]);
    }
    let head = String::from_utf8(head).unwrap();
    let length: usize = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .map(|v| v.trim().parse().unwrap())
        })
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    conn.read_exact(&mut body).unwrap();
    head.lines().next().unwrap().to_string()
}

fn cdr_count(d: &Daemon) -> u64 {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let c = admin::connect_raw(&d.socket()).await.unwrap();
        c.version(tarpc::context::current(), PROTOCOL_VERSION)
            .await
            .unwrap()
            .unwrap();
        c.ingest_status(tarpc::context::current())
            .await
            .unwrap()
            .unwrap()
            .cdrs
    })
}

fn asterisk_line(n: u32) -> String {
    format!(
        "\"\",\"1001\",\"4420{n:07}\",\"from-trunk\",\"\",\"SIP/1001-{n:08x}\",\"SIP/carrier-{n:08x}\",\
         \"Dial\",\"SIP/carrier/4420{n:07}\",\"2026-03-01 10:00:{n:02}\",\"2026-03-01 10:00:{n:02}\",\
         \"2026-03-01 10:01:{n:02}\",60,60,\"ANSWERED\",\"DOCUMENTATION\",\"1772359200.{n}\",\"\"\n"
    )
}

const BASE: &str = r#"
data_dir = "{dir}"
[admin]
socket = "{dir}/admin.sock"
group = ""
[http]
listen = ["127.0.0.1:{port}"]
"#;

fn write_config(d: &Daemon, text: &str) {
    let text = text
        .replace("{dir}", d.dir().to_str().unwrap())
        .replace("{port}", &d.http_port().to_string());
    std::fs::write(d.dir().join("porticod.toml"), text).unwrap();
}

fn hup(d: &Daemon) {
    let pid = Pid::from_raw(i32::try_from(d.pid().unwrap()).unwrap());
    kill(pid, Signal::SIGHUP).unwrap();
}

fn wait_until(what: &str, d: &Daemon, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !f() {
        assert!(
            Instant::now() < deadline,
            "{what} within 30 s\n{}",
            d.logs()
        );
        std::thread::sleep(Duration::from_millis(25));
    }
}

#[test]
fn ready_once_listening_and_sighup_reloads_without_dropping_connections() {
    let notify_dir = tempfile::tempdir().unwrap();
    let sock = notify_socket(notify_dir.path());
    let d = Daemon::builder()
        .config(format!("{BASE}[log]\nlevel = \"info\"\n"))
        .env(
            "NOTIFY_SOCKET",
            notify_dir.path().join("notify.sock").to_str().unwrap(),
        )
        .start();
    wait_for(&sock, "READY=1", &d);

    // A keep-alive connection opened before the reload is served after it.
    let mut conn = TcpStream::connect(("127.0.0.1", d.http_port())).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let before = request(&mut conn);
    assert!(before.starts_with("HTTP/1.1 4"), "{before}");

    let master = d.dir().join("Master.csv");
    std::fs::write(&master, (1..=3).map(asterisk_line).collect::<String>()).unwrap();
    let other_port = free_port();
    write_config(
        &d,
        &format!(
            "{}[log]\nlevel = \"debug\"\n[[ingest.watch]]\npath = \"{}\"\nformat = \"asterisk-csv\"\npoll_ms = 50\n",
            BASE.replace("{port}", &other_port.to_string()),
            master.display()
        ),
    );
    hup(&d);
    let said = wait_for(&sock, "READY=1", &d);
    assert!(said.contains("RELOADING=1"), "{said}");
    wait_until("the newly watched file is read", &d, || cdr_count(&d) == 3);

    let logs = d.logs();
    assert!(logs.contains("log level changed"), "{logs}");
    assert!(
        logs.lines()
            .any(|l| l.contains("http.listen") && l.contains("needs a restart")),
        "{logs}"
    );
    assert!(
        TcpStream::connect(("127.0.0.1", other_port)).is_err(),
        "http.listen needs a restart, yet the new address listens"
    );
    assert_eq!(
        request(&mut conn),
        before,
        "the open connection was dropped"
    );

    // Removing the entry stops its watcher; an invalid file changes nothing.
    write_config(&d, BASE);
    hup(&d);
    wait_for(&sock, "READY=1", &d);
    wait_until("the watcher stops", &d, || {
        d.logs().contains("stopped watching (reload)")
    });
    write_config(&d, &format!("{BASE}[store]\ncache_mib = 1\n"));
    hup(&d);
    wait_for(&sock, "READY=1", &d);
    let logs = d.logs();
    assert!(
        logs.lines()
            .any(|l| l.contains("store.cache_mib") && l.contains("not reloaded")),
        "{logs}"
    );
    assert_eq!(request(&mut conn), before);
    assert_eq!(cdr_count(&d), 3);
}

#[test]
fn no_ready_when_a_listener_cannot_be_bound() {
    let dir = tempfile::tempdir().unwrap();
    let sock = notify_socket(dir.path());
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let config = dir.path().join("porticod.toml");
    std::fs::write(
        &config,
        BASE.replace("{dir}", dir.path().to_str().unwrap())
            .replace("{port}", &port.to_string()),
    )
    .unwrap();
    let out = Command::new(bin_path("porticod"))
        .arg("--config")
        .arg(&config)
        .env("NOTIFY_SOCKET", dir.path().join("notify.sock"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("http.listen"), "{stderr}");
    let mut buf = [0u8; 4096];
    let mut said = String::new();
    while let Ok(n) = sock.recv(&mut buf) {
        said.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    assert!(
        !said.contains("READY=1"),
        "READY=1 sent by a daemon that failed: {said}"
    );
}
