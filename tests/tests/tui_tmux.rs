//! The admin console in a real terminal: tmux runs the real `portico`, bare, against a real
//! porticod; the test types as an admin would (send-keys), reads the screen (capture-pane) and
//! checks every change through `portico --json`, the scriptable side of the same socket.

use portico_tests::Daemon;
use portico_tests::cli::strings;
use portico_tests::https::{state, wait_status};
use portico_tests::smtp::SmtpServer;
use portico_tests::tmux::Tmux;

#[test]
fn an_admin_sets_up_a_brand_and_its_customers_from_the_console() {
    let daemon = Daemon::start();
    let cli = daemon.cli();
    let pending = cli.json([
        "customer",
        "add",
        "--name",
        "Signup Pending Ltd",
        "--currency",
        "USD",
        "--status",
        "pending_approval",
    ]);
    let Some(pending_id) = pending["id"].as_u64() else {
        panic!("no customer id in {pending}")
    };
    let other = cli.json([
        "customer",
        "add",
        "--name",
        "Override Co",
        "--currency",
        "USD",
    ]);
    let Some(other_id) = other["id"].as_u64() else {
        panic!("no customer id in {other}")
    };

    let tmux = Tmux::console(&daemon);
    let screen = tmux.wait_for("No domains yet");
    assert!(screen.contains("porticod "), "no status line:\n{screen}");

    // Add a domain: the form, then the editor opens on it.
    tmux.add_domain("portal.e2e.test", "E2E Voice");
    let added = cli.json(["domain", "show", "portal.e2e.test"]);
    assert_eq!(added["brand_name"], "E2E Voice");
    assert_eq!(strings(&added["currencies"]), vec!["USD"]);

    // Toggle the first section (balance) on the User Access tab, and save.
    tmux.toggle_first_section(&cli, "portal.e2e.test");

    // Move the second customer CDR column up, and save.
    let before = strings(&added["cdr_columns"]);
    assert!(before.len() >= 2, "too few default CDR columns: {before:?}");
    tmux.keys(&["Tab", "Tab", "j", "K"]);
    tmux.save_changes();
    let mut expected = before.clone();
    expected.swap(0, 1);
    cli.json_until(
        &["domain", "show", "portal.e2e.test"],
        "the reordered column",
        |d| strings(&d["cdr_columns"]) == expected,
    );

    // Back on the Domains screen, the new domain is listed.
    tmux.keys(&["q"]);
    let domains = tmux.wait_for("E2E Voice");
    eprintln!("the Domains screen:\n{domains}");
    assert!(domains.contains("portal.e2e.test"), "{domains}");

    // Customers: the pending sign-up is listed first; approve it.
    tmux.keys(&["2"]);
    tmux.wait_for("PENDING");
    tmux.keys(&["A"]);
    tmux.wait_gone("PENDING");
    cli.json_until(
        &["customer", "show", &pending_id.to_string()],
        "the approval",
        |c| c["customer"]["status"] == "active",
    );

    // Open the other customer and show the balance section whatever the domain says.
    tmux.keys(&["/"]);
    tmux.type_text("Override");
    tmux.keys(&["Enter", "Enter"]);
    tmux.wait_for("Portal Access");
    tmux.wait_for("Override Co");
    tmux.keys(&["Tab", "Tab", "Tab", "Tab"]);
    tmux.wait_for("effective on");
    tmux.keys(&["Space"]);
    tmux.save_changes();
    cli.json_until(
        &["customer", "show", &other_id.to_string()],
        "the override",
        |c| c["customer"]["overrides"]["balance"] == "show",
    );

    // q twice: back to the list, then out; the console exits and gives the terminal back.
    tmux.keys(&["q", "q"]);
    let (status, screen) = tmux.wait_exit();
    assert_eq!(status, 0, "the console exited {status}:\n{screen}");
}

/// The certificate the local CA of `--dev` issued shows in the Domains table with its expiry
/// day and in the Certificate tab; the SMTP tab's "send test mail" delivers through a real SMTP
/// server and shows the daemon's answer.
#[test]
fn the_console_shows_certificate_state_and_sends_a_test_mail() {
    let smtp = SmtpServer::start();
    let daemon = Daemon::start();
    let cli = daemon.cli();
    let port = smtp.port().to_string();
    cli.ok([
        "domain",
        "add",
        "portal.tls.test",
        "--currencies",
        "USD",
        "--brand-name",
        "TLS Voice",
    ]);
    cli.ok([
        "domain",
        "set",
        "portal.tls.test",
        "--smtp-host",
        "127.0.0.1",
        "--smtp-port",
        &port,
        "--smtp-security",
        "none",
        "--smtp-from",
        "noc@tls.test",
    ]);
    let status = wait_status(&daemon, "portal.tls.test", "active", |s| {
        state(s) == "active"
    });
    let Some(not_after) = status["cert"]["not_after"].as_i64() else {
        panic!("no expiry in {status}")
    };
    let expires = time::OffsetDateTime::from_unix_timestamp(not_after)
        .unwrap_or_else(|e| panic!("bad expiry {not_after}: {e}"))
        .date()
        .to_string();

    let tmux = Tmux::console(&daemon);
    let shown = format!("active · {expires}");
    let screen = tmux.wait_for(&shown);
    eprintln!("the Domains screen:\n{screen}");
    let row = screen
        .lines()
        .find(|l| l.contains("portal.tls.test"))
        .unwrap_or_else(|| panic!("no row for the domain:\n{screen}"));
    assert!(row.contains(&shown), "{row}");

    // The Certificate tab (the last one: Shift-Tab from Basic) says where it came from.
    tmux.keys(&["Enter"]);
    tmux.wait_for("User Access");
    tmux.keys(&["BTab"]);
    let cert = tmux.wait_for("Portico's local CA");
    eprintln!("the Certificate tab:\n{cert}");
    assert!(cert.contains("active"), "{cert}");

    // SMTP (one more Shift-Tab): send a test mail; the daemon's answer shows on the tab.
    tmux.keys(&["BTab"]);
    tmux.wait_for("noc@tls.test");
    tmux.keys(&["t"]);
    tmux.wait_for("Send a test mail");
    tmux.type_text("ops@customer.test");
    tmux.keys(&["Enter"]);
    let answer = tmux.wait_for("sent a test mail to ops@customer.test");
    eprintln!("the SMTP tab:\n{answer}");
    assert!(answer.contains(&format!("127.0.0.1:{port}")), "{answer}");
    let mail = smtp.wait_for_mail_to("ops@customer.test");
    assert_eq!(mail.subject, "TLS Voice: test mail from Portico");
    assert!(mail.body().contains("portal.tls.test"), "{}", mail.body());
}
