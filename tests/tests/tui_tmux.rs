//! The admin console in a real terminal: tmux runs the real `portico`, bare, against a real
//! porticod; the test types as an admin would (send-keys), reads the screen (capture-pane) and
//! checks every change through `portico --json`, the scriptable side of the same socket.

use std::process::{Command, Output};
use std::time::{Duration, Instant};

use portico_tests::https::{state, wait_status};
use portico_tests::smtp::SmtpServer;
use portico_tests::{Cli, Daemon, bins::bin_path};
use serde_json::Value;

/// How long the screen may take to show what a key asked for.
const SCREEN_TIMEOUT: Duration = Duration::from_secs(20);

/// One tmux server of its own (`-L`), with one 80x24 session running the console.
struct Tmux {
    server: String,
}

impl Tmux {
    fn start(daemon: &Daemon) -> Tmux {
        // One server per test: tests of this file run in parallel in one process.
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let server = format!("portico-e2e-{}-{n}", std::process::id());
        let tmux = Tmux { server };
        let console = format!(
            "{} --socket {}",
            bin_path("portico").display(),
            daemon.socket().display()
        );
        tmux.run(&[
            "new-session",
            "-d",
            "-x",
            "80",
            "-y",
            "24",
            "-s",
            "console",
            "-c",
            &daemon.dir().display().to_string(),
            "-e",
            "NO_COLOR=1",
            &console,
        ]);
        tmux.run(&["set-option", "-t", "console", "remain-on-exit", "on"]);
        tmux
    }

    fn run(&self, args: &[&str]) -> Output {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.server)
            .args(args)
            .output()
            .unwrap_or_else(|e| {
                panic!("cannot run tmux ({e}); install it (it is in APT_PACKAGES of .ci/run)")
            });
        assert!(
            out.status.success(),
            "tmux {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// The screen as text.
    fn screen(&self) -> String {
        let out = self.run(&["capture-pane", "-p", "-t", "console"]);
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Keys by tmux name (`Enter`, `Tab`, `Space`, `a`, ...).
    fn keys(&self, keys: &[&str]) {
        for key in keys {
            self.run(&["send-keys", "-t", "console", key]);
        }
    }

    /// Text typed literally.
    fn type_text(&self, text: &str) {
        self.run(&["send-keys", "-t", "console", "-l", text]);
    }

    /// Waits until the screen satisfies `ok`; panics with the screen when it does not.
    fn wait(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + SCREEN_TIMEOUT;
        loop {
            let screen = self.screen();
            if ok(&screen) {
                return screen;
            }
            if Instant::now() > deadline {
                panic!("the console never showed {what}; the screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn wait_for(&self, text: &str) -> String {
        self.wait(&format!("{text:?}"), |s| s.contains(text))
    }

    fn wait_gone(&self, text: &str) -> String {
        self.wait(&format!("{text:?} go away"), |s| !s.contains(text))
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .arg("-L")
            .arg(&self.server)
            .arg("kill-server")
            .output();
    }
}

/// Polls `portico --json ARGS` until `ok` holds for its answer; panics with the last answer.
fn eventually(cli: &Cli, args: &[&str], what: &str, ok: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + SCREEN_TIMEOUT;
    loop {
        let value = cli.json(args);
        if ok(&value) {
            return value;
        }
        if Instant::now() > deadline {
            panic!(
                "{what} never showed in `portico --json {}`:\n{value:#}",
                args.join(" ")
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn names(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

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

    let tmux = Tmux::start(&daemon);
    let screen = tmux.wait_for("No domains yet");
    assert!(screen.contains("porticod "), "no status line:\n{screen}");

    // Add a domain: the form, then the editor opens on it.
    tmux.keys(&["a"]);
    tmux.wait_for("Add a domain");
    tmux.type_text("portal.e2e.test");
    tmux.keys(&["Tab"]);
    tmux.type_text("E2E Voice");
    tmux.keys(&["Enter"]);
    tmux.wait_for("User Access");
    let added = cli.json(["domain", "show", "portal.e2e.test"]);
    assert_eq!(added["brand_name"], "E2E Voice");
    assert_eq!(names(&added["currencies"]), vec!["USD"]);

    // Toggle the first section (balance) on the User Access tab, and save.
    let had_balance = names(&added["access"]).contains(&"balance".to_string());
    tmux.keys(&["Tab", "Space"]);
    tmux.wait_for("[modified]");
    tmux.keys(&["s"]);
    tmux.wait_gone("[modified]");
    eventually(
        &cli,
        &["domain", "show", "portal.e2e.test"],
        "the toggled section",
        |d| names(&d["access"]).contains(&"balance".to_string()) != had_balance,
    );

    // Move the second customer CDR column up, and save.
    let before = names(&added["cdr_columns"]);
    assert!(before.len() >= 2, "too few default CDR columns: {before:?}");
    tmux.keys(&["Tab", "Tab", "j", "K"]);
    tmux.wait_for("[modified]");
    tmux.keys(&["s"]);
    tmux.wait_gone("[modified]");
    let mut expected = before.clone();
    expected.swap(0, 1);
    eventually(
        &cli,
        &["domain", "show", "portal.e2e.test"],
        "the reordered column",
        |d| names(&d["cdr_columns"]) == expected,
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
    eventually(
        &cli,
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
    tmux.wait_for("[modified]");
    tmux.keys(&["s"]);
    tmux.wait_gone("[modified]");
    eventually(
        &cli,
        &["customer", "show", &other_id.to_string()],
        "the override",
        |c| c["customer"]["overrides"]["balance"] == "show",
    );

    // q twice: back to the list, then out; the console exits and gives the terminal back.
    tmux.keys(&["q", "q"]);
    tmux.wait("the console to exit", |_| {
        let out = Command::new("tmux")
            .args([
                "-L",
                &tmux.server,
                "display-message",
                "-p",
                "-t",
                "console",
                "#{pane_dead}",
            ])
            .output();
        out.is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "1")
    });
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

    let tmux = Tmux::start(&daemon);
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
