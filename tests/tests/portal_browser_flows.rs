//! What a customer does on the portal, in a real browser (headless chromium through
//! chromedriver) against the real `porticod` set up with the real CLI: signing up from a template
//! customer, the CDR page's configured columns and its CSV, hidden sections and per-customer
//! overrides, two-factor enrolment and login, a password reset mailed to a real SMTP server on
//! loopback, and screenshots of the main pages at laptop and phone widths (under
//! `<target>/portal-screenshots/<test>/`).
//!
//! Sessions are `__Host-`/Secure cookies: over plain HTTP a browser keeps them only for
//! `*.localhost` names, so the brands here live on such names. Every test runs its own daemon,
//! browser and SMTP server on free ports in temporary directories.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

use portico_tests::browser::{Browser, Viewport};
use portico_tests::portal::{LOGIN_FORM, asterisk_line, customer_id, log_in, smtp_flags};
use portico_tests::smtp::SmtpServer;
use portico_tests::{Cli, Daemon};

const HOST: &str = "alpha.localhost";
const BRAND: &str = "Alpha Voice";
const PASSWORD: &str = "correct horse battery staple";

/// A daemon with one brand on [`HOST`].
struct Portal {
    daemon: Daemon,
}

impl Portal {
    /// Starts a daemon and adds [`HOST`] with `flags` (`domain add` flags).
    fn start(flags: &[&str]) -> Portal {
        let daemon = Daemon::start();
        let mut add = vec![
            "domain",
            "add",
            HOST,
            "--currencies",
            "USD",
            "--brand-name",
            BRAND,
            "--footer",
            "Alpha Voice Ltd · support@alpha.test",
        ];
        add.extend_from_slice(flags);
        daemon.cli().json(&add);
        Portal { daemon }
    }

    fn cli(&self) -> Cli {
        self.daemon.cli()
    }

    fn url(&self, path: &str) -> String {
        format!("http://{HOST}:{}{path}", self.daemon.http_port())
    }

    /// Adds a USD customer of [`HOST`] (with `flags`, e.g. `--account-codes`) and returns its id.
    fn customer(&self, name: &str, flags: &[&str]) -> String {
        let mut add = vec![
            "customer",
            "add",
            "--name",
            name,
            "--currency",
            "USD",
            "--domain",
            HOST,
        ];
        add.extend_from_slice(flags);
        customer_id(&self.cli().json(&add))
    }

    /// Adds a contact who logs in with `email` and [`PASSWORD`].
    fn contact(&self, customer: &str, email: &str, name: &str) {
        self.cli().json([
            "contact",
            "add",
            customer,
            "--email",
            email,
            "--name",
            name,
            "--password",
            PASSWORD,
        ]);
    }

    /// A browser at `viewport` on the log-in page, logged in as `email`.
    fn logged_in(&self, viewport: Viewport, email: &str) -> Browser {
        let b = Browser::start(viewport);
        b.open(&self.url("/login"));
        log_in(&b, email, PASSWORD);
        assert!(
            !b.exists(LOGIN_FORM),
            "{email} could not log in:\n{}",
            b.text("main")
        );
        b
    }
}

/// Waits until the page's document answered `status` (the browser has navigated).
fn assert_status(b: &Browser, status: u16) {
    assert_eq!(b.status(), status, "{} answered {}", b.url(), b.status());
}

// ---------------------------------------------------------------------------------------------
// Sign-up

#[test]
fn signing_up_copies_the_template_customers_payment() {
    let portal = Portal::start(&["--customer-signup", "yes"]);
    let cli = portal.cli();
    let template = portal.customer("Template Co", &[]);
    cli.json([
        "payment",
        "add",
        &template,
        "5.00",
        "--description",
        "Welcome credit",
    ]);
    cli.json(["domain", "set", HOST, "--template-customer", &template]);

    let b = Browser::start(Viewport::Laptop);
    b.open(&portal.url("/login"));
    b.click("a[href='/signup']");
    b.wait_for("#signup-submit");
    assert_eq!(b.path(), "/signup");
    let form = "form:has(#signup-submit)";
    b.fill_form(
        form,
        &[
            ("company", "Newco Telecom"),
            ("name", "Nora New"),
            ("email", "nora@newco.test"),
            ("password", PASSWORD),
            ("password2", PASSWORD),
            ("currency", "USD"),
        ],
    );
    b.submit(form);

    // Without SMTP the new account is logged in at once, on its dashboard.
    assert_eq!(b.path(), "/", "{}", b.text("main"));
    b.wait_for("#balance-value");
    assert_eq!(b.text("#balance-value"), "$5.00");
    assert_eq!(b.text("#topbar-balance"), "$5.00");
    b.screenshot("dashboard-after-signup");

    // The payment was created again for the new customer; the template keeps its own.
    let customers = cli.json(["customer", "list"]);
    let newco = customers
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Newco Telecom")
        .unwrap_or_else(|| panic!("no Newco Telecom in {customers}"));
    let newco_id = customer_id(newco);
    assert_ne!(newco_id, template);
    let payments = cli.json(["payment", "list", &newco_id]);
    let amounts: Vec<&str> = payments
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["amount"].as_str())
        .collect();
    assert_eq!(amounts, ["5.00"], "{payments}");
    assert_eq!(
        cli.json(["payment", "list", &template])
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

// ---------------------------------------------------------------------------------------------
// CDR columns

/// A CDR rate card: the UK at 1.2 ¢/min.
const RATES: &str = "prefix,name,rate,connect_fee,first_increment,next_increment\n\
                     44,United Kingdom,0.0120,0,1,1\n";

#[test]
fn the_cdr_page_and_its_csv_show_the_configured_columns_in_order() {
    // Not the default order, and columns the default does not have.
    let columns = [
        "charge",
        "destination",
        "call_time",
        "sip_code",
        "source_number",
        "duration",
        "call_id",
        "destination_name",
    ];
    let labels = [
        "Charge",
        "To",
        "Time",
        "SIP code",
        "From",
        "Duration",
        "Call ID",
        "Destination",
    ];
    let portal = Portal::start(&["--cdr-columns", &columns.join(",")]);
    let cli = portal.cli();
    let rates = portal.daemon.dir().join("rates.csv");
    std::fs::write(&rates, RATES).unwrap();
    cli.json([
        "ratecard",
        "import",
        "Std",
        rates.to_str().unwrap(),
        "--currency",
        "USD",
    ]);
    let id = portal.customer("Carol Calls", &["--account-codes", "acct-carol"]);
    cli.json(["route", "add", &id, "Std"]);
    portal.contact(&id, "carol@carol.test", "Carol");
    let master = portal.daemon.dir().join("Master.csv");
    let lines: String = [(1, 50, true), (2, 40, false), (3, 30, true)]
        .iter()
        .map(|&(n, ago, answered)| asterisk_line("acct-carol", n, ago, answered))
        .collect();
    std::fs::write(&master, lines).unwrap();
    let report = cli.json([
        "cdr",
        "import",
        "--format",
        "asterisk-csv",
        master.to_str().unwrap(),
    ]);
    assert_eq!(report["imported"], 3, "{report}");

    let b = portal.logged_in(Viewport::Laptop, "carol@carol.test");
    b.click(".sidenav-link[href='/cdr']");
    b.wait_for("#cdr-table");
    assert_eq!(b.path(), "/cdr");
    assert_eq!(b.texts("#cdr-table thead th"), labels);
    let data_columns: Vec<String> = (1..=columns.len())
        .map(|i| {
            b.attr(
                &format!("#cdr-table thead th:nth-child({i})"),
                "data-column",
            )
            .unwrap_or_default()
        })
        .collect();
    assert_eq!(data_columns, columns);
    assert_eq!(b.count("#cdr-table tbody tr"), 3);
    // Every row has one cell per column, and the destinations are in the "To" column.
    for row in 1..=3 {
        let cells = b.texts(&format!("#cdr-table tbody tr:nth-child({row}) td"));
        assert_eq!(cells.len(), columns.len(), "row {row}: {cells:?}");
        assert!(cells[1].starts_with("44207946"), "row {row}: {cells:?}");
    }
    // Numbers are right-aligned and the destination's name may wrap: the table names those
    // columns once, by position, and the theme styles their cells.
    let style =
        |css: &str, property: &str| b.computed_style(&format!("#cdr-table {css}"), property);
    for (col, align) in [
        (1, "right"),
        (2, "left"),
        (4, "right"),
        (6, "right"),
        (8, "left"),
    ] {
        assert_eq!(
            style(
                &format!("tbody tr:nth-child(1) td:nth-child({col})"),
                "text-align"
            ),
            align,
            "column {col}"
        );
        assert_eq!(
            style(&format!("thead th:nth-child({col})"), "text-align"),
            align,
            "head {col}"
        );
    }
    assert_eq!(style("tbody td:nth-child(8)", "white-space"), "normal");
    assert_eq!(style("tbody td:nth-child(2)", "white-space"), "nowrap");
    b.screenshot("cdr");

    // The download: the same columns in the same order, a line per call.
    let href = b.attr("#cdr-csv", "href").unwrap();
    let csv = b.fetch("GET", &href, None);
    assert_eq!(csv.status, 200, "{href}: {}", csv.body);
    assert!(
        csv.header("content-type")
            .is_some_and(|t| t.starts_with("text/csv")),
        "{:?}",
        csv.headers
    );
    let mut lines = csv.body.lines();
    assert_eq!(
        lines.next(),
        Some(columns.join(",").as_str()),
        "{}",
        csv.body
    );
    let rows: Vec<&str> = lines.filter(|l| !l.is_empty()).collect();
    assert_eq!(rows.len(), 3, "{}", csv.body);
    for row in rows {
        assert_eq!(row.split(',').count(), columns.len(), "{row}");
        assert!(
            row.split(',').nth(1).unwrap().starts_with("44207946"),
            "{row}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Hidden sections and overrides

/// Whether the navigation links to `href`.
fn nav_has(b: &Browser, href: &str) -> bool {
    b.exists(&format!(".sidenav-link[href='{href}']"))
}

#[test]
fn a_hidden_section_is_absent_and_answers_404_unless_overridden_for_one_customer() {
    let portal = Portal::start(&["--hide", "breakout"]);
    let shown = portal.customer("Shown Ltd", &[]);
    let other = portal.customer("Other Ltd", &[]);
    portal.contact(&shown, "sam@shown.test", "Sam");
    portal.contact(&other, "oli@other.test", "Oli");

    let sam = portal.logged_in(Viewport::Laptop, "sam@shown.test");
    let oli = portal.logged_in(Viewport::Laptop, "oli@other.test");
    let hidden_everywhere = |b: &Browser, who: &str| {
        b.open(&portal.url("/"));
        assert!(nav_has(b, "/cdr"), "{who}: no CDR link at all");
        assert!(!nav_has(b, "/breakout"), "{who} sees the hidden breakout");
        assert!(
            !b.texts(".sidenav-link").iter().any(|t| t == "Breakout"),
            "{who}: {:?}",
            b.texts(".sidenav-link")
        );
        for path in ["/breakout", "/breakout.csv", "/breakout.csv?per_day=1"] {
            b.open(&portal.url(path));
            assert_status(b, 404);
            assert!(!b.exists("#breakout-table") && !b.exists("#breakout-filters"));
            assert!(
                b.exists(".site-footer-text"),
                "{who}: {path}'s 404 is not branded"
            );
        }
        let csv = b.fetch("GET", "/breakout.csv", None);
        assert_eq!(csv.status, 404, "{who}: {}", csv.body);
        assert!(!csv.body.contains("destination_name"), "{}", csv.body);
    };
    hidden_everywhere(&sam, "Sam");
    hidden_everywhere(&oli, "Oli");
    sam.screenshot("breakout-hidden");

    // An override shows it to Sam's customer, at once, and to nobody else.
    portal
        .cli()
        .json(["customer", "override", &shown, "breakout", "show"]);
    sam.open(&portal.url("/"));
    assert!(
        nav_has(&sam, "/breakout"),
        "{:?}",
        sam.texts(".sidenav-link")
    );
    sam.click(".sidenav-link[href='/breakout']");
    sam.wait_for("#breakout-filters");
    assert_status(&sam, 200);
    assert_eq!(sam.path(), "/breakout");
    assert_eq!(
        sam.attr(".sidenav-link[href='/breakout']", "aria-current")
            .as_deref(),
        Some("page")
    );
    let csv = sam.fetch("GET", "/breakout.csv", None);
    assert_eq!(csv.status, 200, "{}", csv.body);
    assert!(
        csv.header("content-type")
            .is_some_and(|t| t.starts_with("text/csv")),
        "{:?}",
        csv.headers
    );
    hidden_everywhere(&oli, "Oli");

    // Back to the domain's rule: hidden again.
    portal
        .cli()
        .json(["customer", "override", &shown, "breakout", "default"]);
    hidden_everywhere(&sam, "Sam");
}

// ---------------------------------------------------------------------------------------------
// Two-factor login

const TOTP_STEP: u64 = 30;

/// The authenticator app: SHA-1, 6 digits, 30 s steps, from the base32 key the page shows.
fn authenticator(secret: &str) -> totp_rs::TOTP {
    let bytes = totp_rs::Secret::Encoded(secret.to_owned())
        .to_bytes()
        .unwrap_or_else(|e| panic!("the key {secret:?} is not base32: {e:?}"));
    totp_rs::TOTP::new(
        totp_rs::Algorithm::SHA1,
        6,
        1,
        TOTP_STEP,
        bytes,
        None,
        "test".to_owned(),
    )
    .unwrap()
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[test]
fn two_factor_enrolment_then_login_with_a_code() {
    let portal = Portal::start(&[]);
    let id = portal.customer("Tess Ltd", &[]);
    portal.contact(&id, "tess@tess.test", "Tess");
    let b = portal.logged_in(Viewport::Laptop, "tess@tess.test");

    b.click(".account-menu summary");
    b.click(".account-menu-list a[href='/two-factor']");
    b.wait_for("#two-factor-start");
    b.screenshot("two-factor-off");
    b.submit("form:has(#two-factor-start)");
    b.wait_for("#two-factor-secret");
    assert!(b.is_displayed("#two-factor-qr"));
    assert_eq!(b.prop("#two-factor-qr", "complete"), true);
    let secret: String = b
        .text("#two-factor-secret")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    assert!(secret.len() >= 26, "a short key: {secret:?}");
    b.screenshot("two-factor-enrol");
    let app = authenticator(&secret);

    // A wrong code does not turn it on.
    let now = unix_now();
    let good = app.generate(now);
    let wrong = format!("{:06}", (good.parse::<u32>().unwrap() + 1) % 1_000_000);
    b.fill("#two-factor-code", &wrong);
    b.submit("#two-factor-confirm-form");
    b.wait_for("#two-factor-error");
    assert!(!b.exists("#recovery-codes"));

    let enrol_time = unix_now();
    let enrol_step = enrol_time / TOTP_STEP;
    b.fill("#two-factor-code", &app.generate(enrol_time));
    b.submit("#two-factor-confirm-form");
    b.wait_for("#recovery-codes");
    let codes = b.texts("#recovery-codes li");
    assert!(codes.len() >= 5, "recovery codes: {codes:?}");
    assert!(codes.iter().all(|c| c.len() >= 8), "{codes:?}");
    b.screenshot("two-factor-recovery-codes");

    // Log out, and in again: the password leads to the code page.
    b.click(".account-menu summary");
    b.click("#logout");
    b.wait_for(LOGIN_FORM);
    log_in(&b, "tess@tess.test", PASSWORD);
    assert_eq!(b.path(), "/login/code", "{}", b.text("main"));
    b.wait_for("#login-code");
    assert!(
        !b.exists("#topbar-balance"),
        "the balance shows before the code"
    );
    b.screenshot("login-code");
    // Not logged in yet: the dashboard sends the visitor away.
    b.open(&portal.url("/"));
    assert_ne!(b.path(), "/", "the dashboard opened without the code");
    b.open(&portal.url("/login/code"));
    b.wait_for("#login-code");

    // The enrolment's code is used up; the next step's code (within the one step of drift the
    // daemon allows) logs in without waiting for the clock.
    b.fill("#login-code", &app.generate(enrol_step * TOTP_STEP));
    b.submit("form:has(#code-submit)");
    assert!(
        b.exists("#code-error"),
        "a used code was accepted again: {}",
        b.path()
    );
    b.fill("#login-code", &app.generate((enrol_step + 1) * TOTP_STEP));
    b.submit("form:has(#code-submit)");
    assert_eq!(b.path(), "/", "{}", b.text("main"));
    assert!(b.exists("#topbar-balance"), "{}", b.text("main"));
    b.open(&portal.url("/two-factor"));
    assert_eq!(b.text("#two-factor-title"), "On");
}

// ---------------------------------------------------------------------------------------------
// Password reset

#[test]
fn a_password_reset_mail_arrives_and_its_link_works_once() {
    let smtp = SmtpServer::start();
    let flags = smtp_flags(smtp.port(), "noc@alpha.test");
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let portal = Portal::start(&flags);
    let id = portal.customer("Reset Ltd", &[]);
    portal.contact(&id, "rita@reset.test", "Rita");
    let new_password = "a brand new passphrase";

    let b = Browser::start(Viewport::Laptop);
    b.open(&portal.url("/login"));
    b.click("a[href='/forgot']");
    b.wait_for("#forgot-email");
    assert!(
        !b.exists("#forgot-no-mail"),
        "the portal says it has no mail"
    );
    b.fill("#forgot-email", "rita@reset.test");
    b.submit("form:has(#forgot-submit)");
    assert!(
        b.text("main").contains("rita@reset.test"),
        "{}",
        b.text("main")
    );

    let mail = smtp.wait_for_mail_to("rita@reset.test");
    assert_eq!(mail.subject, format!("{BRAND}: set a new password"));
    let link = mail.link_containing("/reset/").expect("a reset link");
    assert!(
        link.starts_with(&portal.url("/reset/")),
        "{link} does not lead to {}",
        portal.url("/")
    );

    b.open(&link);
    assert_status(&b, 200);
    b.wait_for("#reset-password");
    b.screenshot("reset");
    b.fill("#reset-password", new_password);
    b.fill("#reset-password2", new_password);
    b.submit("form:has(#reset-submit)");
    // The log-in page, saying so.
    b.wait_for(LOGIN_FORM);
    assert!(
        b.text("main").contains("Your password is changed"),
        "{}",
        b.text("main")
    );

    // The old password no longer works; the new one does.
    log_in(&b, "rita@reset.test", PASSWORD);
    assert!(b.exists(LOGIN_FORM), "the old password still logs in");
    log_in(&b, "rita@reset.test", new_password);
    assert!(
        !b.exists(LOGIN_FORM),
        "the new password does not log in: {}",
        b.text("main")
    );
    assert_eq!(b.path(), "/");

    // The link worked once.
    b.open(&link);
    assert_status(&b, 410);
    assert!(!b.exists("#reset-password"));
    assert!(b.exists("#link-expired"), "{}", b.text("main"));
    assert_eq!(
        b.text("#message-title"),
        "This link has expired or was already used"
    );
    b.screenshot("reset-used");
}

// ---------------------------------------------------------------------------------------------
// Screenshots

/// The pages a logged-in customer sees, by path and screenshot name.
const PAGES: &[(&str, &str)] = &[
    ("/", "dashboard"),
    ("/cdr", "cdr"),
    ("/breakout", "breakout"),
    ("/rates", "rates"),
    ("/payments", "payments"),
    ("/contracts", "contracts"),
    ("/profile", "profile"),
    ("/two-factor", "two-factor"),
];

#[test]
fn screenshots_of_the_main_pages_at_both_sizes() {
    let portal = Portal::start(&[
        "--customer-signup",
        "yes",
        "--show",
        "pending_bank_payments",
        "--cdr-columns",
        "call_time,source_number,destination,destination_name,duration,billed_duration,rate,\
         charge,sip_code,release_reason",
    ]);
    let cli = portal.cli();
    let rates = portal.daemon.dir().join("rates.csv");
    std::fs::write(
        &rates,
        "prefix,name,rate,connect_fee,first_increment,next_increment\n\
         44,United Kingdom,0.0120,0,1,1\n\
         447,United Kingdom - Mobile,0.0420,0.0100,30,6\n\
         4420,\"United Kingdom - London (fixed, premium business numbers)\",0.0150,0,60,60\n",
    )
    .unwrap();
    cli.json([
        "ratecard",
        "import",
        "Standard Wholesale",
        rates.to_str().unwrap(),
        "--currency",
        "USD",
    ]);
    let id = portal.customer(
        "Intercontinental Wholesale Telecommunications Cooperative",
        &["--account-codes", "acct-shots"],
    );
    cli.json(["route", "add", &id, "Standard Wholesale"]);
    cli.json([
        "payment",
        "add",
        &id,
        "250.00",
        "--description",
        "Bank transfer REF-2026-000123 # internal note",
    ]);
    cli.json(["payment", "add", &id, "40", "--status", "pending"]);
    cli.json([
        "contract",
        "add",
        &id,
        "--name",
        "Master services agreement",
        "--text",
        "1. Services. The carrier provides voice termination.\n2. Payment. In advance.",
    ]);
    portal.contact(
        &id,
        "shots@coop.test",
        "Maximilian Alexander Featherstonehaugh",
    );
    let master = portal.daemon.dir().join("Master.csv");
    let lines: String = (1..=12)
        .map(|n| asterisk_line("acct-shots", n, i64::from(n) * 9, n % 4 != 0))
        .collect();
    std::fs::write(&master, lines).unwrap();
    cli.json([
        "cdr",
        "import",
        "--format",
        "asterisk-csv",
        master.to_str().unwrap(),
    ]);

    for viewport in Viewport::ALL {
        let b = Browser::start(viewport);
        let mut problems = Vec::new();
        let mut check = |b: &Browser, name: &str| {
            let shot = b.screenshot(name);
            if b.has_horizontal_scroll() {
                problems.push(format!(
                    "{name} scrolls sideways at {} px: {:?} (see {})",
                    viewport.width(),
                    b.overflowing_elements(),
                    shot.display()
                ));
            }
            let low = b.low_contrast_text();
            if !low.is_empty() {
                problems.push(format!("{name} at {} px: {low:#?}", viewport.width()));
            }
        };
        b.open(&portal.url("/signup"));
        b.wait_for("#signup-submit");
        check(&b, "signup");
        // The honeypot field is off screen: people never see "Leave this field empty".
        let (x, _, w, _) = b.rect(".signup-extra");
        assert!(x + w <= 0.0, "the sign-up honeypot is on screen at x {x}");
        b.open(&portal.url("/login"));
        b.wait_for(LOGIN_FORM);
        check(&b, "login");
        log_in(&b, "shots@coop.test", PASSWORD);
        assert!(!b.exists(LOGIN_FORM), "{}", b.text("main"));
        for &(path, name) in PAGES {
            b.open(&portal.url(path));
            assert_status(&b, 200);
            check(&b, name);
        }
        assert!(problems.is_empty(), "{problems:#?}");
    }
}
