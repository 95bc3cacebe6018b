//! 1,000 domains with certificates in the store: how long the daemon takes to start and serve
//! them, its memory (RSS) then, and the cost of one SNI lookup in the resolver. Prints figures;
//! asserts nothing about time.
//!
//! ```sh
//! cargo bench -p porticod --bench tls_domains -- [--domains 1000]
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::os::unix::net::UnixStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use portico_protocol::{CertSource, DomainPatch};
use porticod::admin::ops;
use porticod::config::{Config, Overrides};
use porticod::store::Store;
use porticod::tls::{Tls, certs, local_ca};

fn main() {
    let mut domains = 1000usize;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--domains" {
            domains = args
                .next()
                .and_then(|v| v.parse().ok())
                .expect("--domains N");
        }
    }
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("portico.redb")).unwrap();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let names: Vec<String> = (0..domains)
        .map(|i| format!("portal{i:04}.brand{i:04}.example"))
        .collect();

    let started = Instant::now();
    let ca = local_ca::create(now).unwrap();
    let mut records = Vec::new();
    for name in &names {
        let (chain, key) = local_ca::issue(&ca, name, now).unwrap();
        records.push(
            certs::record(CertSource::LocalCa, name, &chain, &key, now)
                .unwrap()
                .0,
        );
    }
    store
        .write(|tx| {
            tx.put_local_ca(&ca)?;
            for (name, record) in names.iter().zip(&records) {
                let patch = DomainPatch {
                    currencies: Some(vec!["USD".into()]),
                    ..Default::default()
                };
                ops::domain::add(tx, now, name, patch)
                    .map_err(|e| porticod::store::StoreError::Corrupt(e.to_string()))?;
                tx.put_managed_cert(name, record)?;
            }
            Ok::<_, porticod::store::StoreError>(())
        })
        .unwrap();
    println!(
        "setup: {domains} domains with certificates stored in {:.2} s",
        started.elapsed().as_secs_f64()
    );

    // Loading every stored certificate into the resolver (what start-up does).
    let config = Config::from_toml(
        "[tls]\nmode = \"local\"\n",
        &Overrides {
            dev: true,
            ..Default::default()
        },
    )
    .unwrap();
    let t = Instant::now();
    let tls = Tls::new(config.tls.clone(), store.clone()).unwrap();
    println!(
        "load into the resolver: {domains} certificates in {:.1} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    assert_eq!(tls.resolver().len(), domains);

    // One SNI lookup: the map read the resolver makes for every handshake.
    let rounds = 2_000_000;
    let t = Instant::now();
    for i in 0..rounds {
        black_box(tls.resolver().lookup(&names[i % domains]));
    }
    let per = t.elapsed().as_nanos() as f64 / rounds as f64;
    println!("SNI lookup: {per:.0} ns (mean of {rounds}, {domains} names)");
    drop(tls);
    drop(store);

    // The real daemon on that store: time until the admin socket accepts, and RSS then.
    let exe = env!("CARGO_BIN_EXE_porticod");
    let socket = dir.path().join("admin.sock");
    let port = |l: std::net::TcpListener| l.local_addr().unwrap().port();
    let http = port(std::net::TcpListener::bind("127.0.0.1:0").unwrap());
    let https = port(std::net::TcpListener::bind("127.0.0.1:0").unwrap());
    let t = Instant::now();
    let mut child = Command::new(exe)
        .arg("--dev")
        .arg("--data-dir")
        .arg(dir.path())
        .arg("--admin-socket")
        .arg(&socket)
        .arg("--http-listen")
        .arg(format!("127.0.0.1:{http}"))
        .arg("--https-listen")
        .arg(format!("127.0.0.1:{https}"))
        .env("PORTICO_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    while UnixStream::connect(&socket).is_err() {
        assert!(
            t.elapsed() < Duration::from_secs(60),
            "porticod did not start"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    let startup = t.elapsed();
    std::thread::sleep(Duration::from_millis(500));
    let status = std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap();
    let rss = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .unwrap_or("VmRSS: ?")
        .to_string();
    let _ = Command::new("kill").arg(child.id().to_string()).status();
    let _ = child.wait();
    println!(
        "porticod start-up with {domains} domains: {:.0} ms to the admin socket; {rss} (0.5 s later)",
        startup.as_secs_f64() * 1e3
    );
}
