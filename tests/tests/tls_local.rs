//! HTTPS with the local CA (`--dev`, air-gapped installs): every added domain gets a
//! certificate without restart, a name without a certificate gets none, HSTS on HTTPS answers,
//! and plain HTTP redirects the names that have a certificate.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

use portico_tests::Daemon;
use portico_tests::https::{self, state, wait_status};

fn export_root(d: &Daemon) -> std::path::PathBuf {
    let pem = d.cli().ok(["ca", "export"]);
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"), "{pem}");
    let path = d.dir().join("local-ca.pem");
    std::fs::write(&path, pem).unwrap();
    path
}

#[test]
fn dev_serves_every_added_domain_over_https_from_the_local_ca() {
    let d = Daemon::start();
    let root = export_root(&d);
    let port = d.https_port();
    // Nothing added yet: no certificate for any name.
    let err = https::get("portal.acme.test", port, "/", &root).unwrap_err();
    assert!(!err.is_empty());

    d.cli().ok([
        "domain",
        "add",
        "portal.acme.test",
        "--currencies",
        "USD",
        "--brand-name",
        "Acme Voice",
    ]);
    let status = wait_status(&d, "portal.acme.test", "active", |s| state(s) == "active");
    assert_eq!(status["cert"]["source"], "local_ca");
    assert_eq!(status["cert"]["names"][0], "portal.acme.test");

    // Served without a restart, to a client that trusts only the exported root, over h2.
    let page = https::get("portal.acme.test", port, "/login", &root).unwrap();
    assert_eq!(page.status, 200, "{page:?}");
    assert!(page.body.contains("Acme Voice"), "{}", page.body);
    assert_eq!(page.http_version, "2");
    assert_eq!(
        https::serial_key(&https::served_serial("portal.acme.test", port).unwrap()),
        https::serial_key(status["cert"]["serial"].as_str().unwrap())
    );
    assert!(
        https::served_issuer("portal.acme.test", port)
            .unwrap()
            .contains("Portico local CA")
    );
    // Returning clients resume their session by default.
    assert!(https::resumes("portal.acme.test", port));

    // A second brand is added while the first is served: both names have their own
    // certificate, and a name nobody added gets none (not another brand's).
    d.cli()
        .ok(["domain", "add", "portal.beta.test", "--currencies", "EUR"]);
    let beta = wait_status(&d, "portal.beta.test", "active", |s| state(s) == "active");
    assert_ne!(beta["cert"]["serial"], status["cert"]["serial"]);
    assert!(https::get("portal.beta.test", port, "/", &root).is_ok());
    let unknown = https::served_serial("unknown.test", port);
    assert!(unknown.is_err(), "an unknown name got {unknown:?}");
    let no_sni = https::served_serial_without_sni(port);
    assert!(no_sni.is_err(), "a client without SNI got {no_sni:?}");
    let err = https::get("unknown.test", port, "/", &root).unwrap_err();
    assert!(!err.contains("Acme"), "{err}");

    // A removed domain's certificate is no longer served (no restart either).
    d.cli().ok(["domain", "rm", "portal.beta.test"]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while https::served_serial("portal.beta.test", port).is_ok() {
        assert!(
            std::time::Instant::now() < deadline,
            "a removed domain is still served"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }

    // --dev stays usable over plain HTTP (no redirect) and sends no HSTS.
    let plain = portico_tests::http::get(d.http_port(), "portal.acme.test", "/login");
    assert_eq!(plain.status, 200);
    assert_eq!(page.header("strict-transport-security"), None);

    // The same root after a restart; the stored certificate is served again, not a new one.
    let mut d = d;
    d.restart();
    let again = https::served_serial("portal.acme.test", port).unwrap();
    assert_eq!(
        https::serial_key(&again),
        https::serial_key(status["cert"]["serial"].as_str().unwrap())
    );
    assert_eq!(export_root(&d), root);
    assert_eq!(
        std::fs::read_to_string(&root).unwrap(),
        d.cli().ok(["ca", "export"])
    );
}

#[test]
fn production_https_sends_hsts_and_plain_http_redirects_names_with_a_certificate() {
    let d = Daemon::builder()
        .config(
            r#"
data_dir = "{dir}"
[admin]
socket = "{dir}/admin.sock"
group = ""
[http]
listen = ["127.0.0.1:{port}"]
[tls]
mode = "local"
listen = ["127.0.0.1:{https_port}"]
check_interval_ms = 200
default_sni = "portal.beta.test"
session_resumption = false
"#,
        )
        .start();
    d.cli()
        .ok(["domain", "add", "portal.acme.test", "--currencies", "USD"]);
    d.cli()
        .ok(["domain", "add", "portal.beta.test", "--currencies", "USD"]);
    wait_status(&d, "portal.acme.test", "active", |s| state(s) == "active");
    let beta = wait_status(&d, "portal.beta.test", "active", |s| state(s) == "active");
    // A client without SNI gets the configured default's certificate; an unknown name none.
    assert_eq!(
        https::serial_key(&https::served_serial_without_sni(d.https_port()).unwrap()),
        https::serial_key(beta["cert"]["serial"].as_str().unwrap())
    );
    assert!(https::served_serial("unknown.test", d.https_port()).is_err());
    // session_resumption = false: every connection is a full handshake.
    assert!(!https::resumes("portal.acme.test", d.https_port()));
    let root = export_root(&d);
    let page = https::get("portal.acme.test", d.https_port(), "/login", &root).unwrap();
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("strict-transport-security").as_deref(),
        Some("max-age=31536000")
    );

    let plain = portico_tests::http::get(d.http_port(), "portal.acme.test", "/calls?page=2");
    assert_eq!(plain.status, 308, "{}", plain.text());
    assert_eq!(
        plain.header("location"),
        Some(format!("https://portal.acme.test:{}/calls?page=2", d.https_port()).as_str())
    );
    // ACME HTTP-01 paths are answered on plain HTTP, never redirected; an unknown token is a 404.
    let challenge = portico_tests::http::get(
        d.http_port(),
        "portal.acme.test",
        "/.well-known/acme-challenge/nope",
    );
    assert_eq!(challenge.status, 404);
    // A host nobody added is not redirected to HTTPS (it has no certificate there).
    let unknown = portico_tests::http::get(d.http_port(), "unknown.test", "/");
    assert_ne!(unknown.status, 308);
}
