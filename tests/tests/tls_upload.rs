//! Uploaded certificates: a PEM chain and key that match and cover the domain are served at
//! once instead of the automatic certificate; a wrong upload is refused and changes nothing;
//! removing the upload goes back to the automatic certificate.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

use portico_tests::Daemon;
use portico_tests::certs::TestCa;
use portico_tests::https::{self, state, wait_status};

#[test]
fn an_uploaded_certificate_is_checked_served_and_removable() {
    let d = Daemon::start();
    d.cli().ok([
        "domain",
        "add",
        "portal.acme.test",
        "--currencies",
        "USD",
        "--brand-name",
        "Acme Voice",
    ]);
    let local = wait_status(&d, "portal.acme.test", "active", |s| state(s) == "active");
    assert_eq!(local["cert"]["source"], "local_ca");
    let port = d.https_port();

    let ca = TestCa::new("Acme Private CA");
    let dir = d.dir();
    let write = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_string()
    };
    let good = ca.leaf(&["portal.acme.test"]);
    let other_name = ca.leaf(&["www.acme.test"]);
    let other_key = ca.leaf(&["portal.acme.test"]);

    // A key that is not the certificate's, and a certificate for another name: refused,
    // with what to do, and the automatic certificate stays.
    let chain = write("chain.pem", &good.chain_pem);
    let wrong_key = write("wrong.key", &other_key.key_pem);
    let run = d.cli().fail([
        "domain",
        "cert",
        "upload",
        "portal.acme.test",
        "--chain",
        &chain,
        "--key",
        &wrong_key,
    ]);
    assert!(
        run.stderr.contains("does not belong to the certificate"),
        "{run}"
    );
    let www_chain = write("www.pem", &other_name.chain_pem);
    let www_key = write("www.key", &other_name.key_pem);
    let run = d.cli().fail([
        "domain",
        "cert",
        "upload",
        "portal.acme.test",
        "--chain",
        &www_chain,
        "--key",
        &www_key,
    ]);
    assert!(
        run.stderr.contains("does not cover portal.acme.test"),
        "{run}"
    );
    assert!(run.stderr.contains("www.acme.test"), "{run}");
    let run = d.cli().fail([
        "domain",
        "cert",
        "upload",
        "portal.acme.test",
        "--chain",
        &wrong_key,
        "--key",
        &wrong_key,
    ]);
    assert!(run.stderr.contains("no certificate"), "{run}");
    let unchanged = d.cli().json(["domain", "status", "portal.acme.test"]);
    assert_eq!(unchanged, local);

    // The good one is served at once, to a client that trusts only the private CA.
    let key = write("good.key", &good.key_pem);
    let uploaded = d.cli().json([
        "domain",
        "cert",
        "upload",
        "portal.acme.test",
        "--chain",
        &chain,
        "--key",
        &key,
    ]);
    assert_eq!(uploaded["cert"]["source"], "uploaded");
    assert_eq!(state(&uploaded), "active");
    assert!(uploaded["cert"]["renew_at"].is_null());
    let ca_path = write("private-ca.pem", &ca.pem);
    let page = https::get(
        "portal.acme.test",
        port,
        "/login",
        std::path::Path::new(&ca_path),
    )
    .unwrap();
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Acme Voice"));
    assert_eq!(
        https::serial_key(&https::served_serial("portal.acme.test", port).unwrap()),
        https::serial_key(uploaded["cert"]["serial"].as_str().unwrap())
    );
    let audit = d.cli().ok(["audit"]);
    assert!(audit.contains("domain_cert_upload"), "{audit}");
    assert!(
        !audit.contains("PRIVATE KEY"),
        "the key never reaches the audit log"
    );

    // Removed: the automatic certificate is served again.
    d.cli().ok(["domain", "cert", "rm", "portal.acme.test"]);
    let back = d.cli().json(["domain", "status", "portal.acme.test"]);
    assert_eq!(back["cert"]["source"], "local_ca");
    assert_eq!(
        https::serial_key(&https::served_serial("portal.acme.test", port).unwrap()),
        https::serial_key(local["cert"]["serial"].as_str().unwrap())
    );
    let run = d.cli().fail(["domain", "cert", "rm", "portal.acme.test"]);
    assert!(run.stderr.contains("not found"), "{run}");
}
