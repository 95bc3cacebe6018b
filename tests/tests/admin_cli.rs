//! End-to-end tests of the admin surface: the real `porticod` (fresh data directory, loopback
//! only) driven by the real `portico` CLI, plus a raw tarpc client for the handshake rules.
//!
//! The binaries must be built first: `cargo build --workspace --bins` (`./.ci/run` does it).
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

use std::collections::BTreeSet;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;

use nix::sys::signal::Signal;
use portico_protocol::{
    AdminError, AuditEntry, BreakoutColumn, CdrColumn, Customer, CustomerDetail, Domain, FileInfo,
    PROTOCOL_VERSION, Section, SignupStatus, SmtpSecurity, SmtpSettings,
};
use portico_tests::bins::bin_path;
use portico_tests::png::png_rgb;
use portico_tests::{Cli, Daemon, admin, http};
use serde_json::Value;
use sha2::{Digest, Sha256};

// ---------------------------------------------------------------------------------------------
// helpers

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn p(path: &Path) -> String {
    path.to_str().unwrap().to_string()
}

fn typed<T: serde::de::DeserializeOwned>(value: Value) -> T {
    let text = serde_json::to_string_pretty(&value).unwrap();
    serde_json::from_value(value).unwrap_or_else(|e| {
        panic!(
            "CLI JSON is not a {}: {e}\n{text}",
            std::any::type_name::<T>()
        )
    })
}

fn add_customer(cli: &Cli, name: &str, currency: &str) -> Customer {
    typed(cli.json(["customer", "add", "--name", name, "--currency", currency]))
}

fn removed_key(value: &Value) -> String {
    value["removed"]
        .as_str()
        .unwrap_or_else(|| panic!("expected {{\"removed\": \"<key>\"}}, got {value}"))
        .to_string()
}

fn canonical_sections(given: &[Section]) -> Vec<Section> {
    Section::ALL
        .iter()
        .copied()
        .filter(|s| given.contains(s))
        .collect()
}

const CUSTOM_JS: &str = "<script src=\"https://cdn.example.com/a.js\"></script>\n\
                         window.porticoBrand = { greeting: \"Hello from Acme\" };\n\
                         console.log(window.porticoBrand.greeting);\n";
const CUSTOM_CSS: &str = ":root { --portico-accent: #c0392b; --portico-font: \"Inter\", sans-serif; }\n\
                          .brand-banner { border-bottom: 2px solid var(--portico-accent); }";
const FOOTER: &str = "© 2026 Acme Voice Ltd · 1 Example Street · all calls recorded";
const GOOD_CSV: &str = "prefix,name,rate,connect_fee,first_increment,next_increment,effective_from\n\
                        44,United Kingdom,0.0100,0,1,1,2026-01-01\n\
                        447,United Kingdom - Mobile,0.0250,0.01,30,6,2026-01-01\n";

// ---------------------------------------------------------------------------------------------
// a domain with every option, across a restart

#[test]
fn domain_with_every_option_reads_back_unchanged_after_restart() {
    let mut d = Daemon::start();
    let cli = d.cli();

    let template = add_customer(&cli, "Acme Template", "USD");
    let logo_bytes = png_rgb(120, 40);
    let logo_path = write(d.dir(), "acme-logo.png", &logo_bytes);
    let file: FileInfo =
        typed(cli.json(["file", "put", &p(&logo_path), "--name", "acme-logo.png"]));
    assert_eq!(file.name, "acme-logo.png");
    assert_eq!(file.size, logo_bytes.len() as u64);
    assert_eq!(file.content_type, "image/png");
    assert_eq!((file.width, file.height), (Some(120), Some(40)));
    assert_eq!(file.sha256, hex::encode(Sha256::digest(&logo_bytes)));
    let js_path = write(d.dir(), "brand.js", CUSTOM_JS);

    let template_id = template.id.to_string();
    let js = p(&js_path);
    let args = [
        "domain",
        "add",
        "portal.acme.example",
        "--currencies",
        "USD,EUR",
        "--brand-name",
        "Acme Voice",
        "--customer-signup",
        "yes",
        "--carrier-signup",
        "on",
        "--signup-status",
        "pending_approval",
        "--template-customer",
        &template_id,
        "--access",
        "payments,balance,cdr,rate_cards,carrier_portal,summary",
        "--cdr-columns",
        "charge,destination,call_time,duration",
        "--carrier-cdr-columns",
        "source_ip,call_id,sip_code,tech_prefix,rate",
        "--breakout-columns",
        "charge,asr,destination_name,attempts",
        "--carrier-breakout-columns",
        "acd,connected,call_time,billed_duration,duration",
        "--custom-js-file",
        &js,
        "--custom-css",
        CUSTOM_CSS,
        "--logo",
        "acme-logo.png",
        "--footer",
        FOOTER,
        "--smtp-host",
        "smtp.acme.example",
        "--smtp-port",
        "2525",
        "--smtp-security",
        "tls",
        "--smtp-username",
        "mailer",
        "--smtp-password",
        "s3cret-Pass!",
        "--smtp-from",
        "portal@acme.example",
    ];
    let added: Domain = typed(cli.json(args));

    let check = |got: &Domain| {
        let expected = Domain {
            fqdn: "portal.acme.example".into(),
            brand_name: "Acme Voice".into(),
            customer_signup: true,
            carrier_signup: true,
            signup_status: SignupStatus::PendingApproval,
            currencies: vec!["USD".into(), "EUR".into()],
            template_customer: Some(template.id),
            access: canonical_sections(&[
                Section::Payments,
                Section::Balance,
                Section::Cdr,
                Section::RateCards,
                Section::CarrierPortal,
                Section::Summary,
            ]),
            cdr_columns: vec![
                CdrColumn::Charge,
                CdrColumn::Destination,
                CdrColumn::CallTime,
                CdrColumn::Duration,
            ],
            carrier_cdr_columns: vec![
                CdrColumn::SourceIp,
                CdrColumn::CallId,
                CdrColumn::SipCode,
                CdrColumn::TechPrefix,
                CdrColumn::Rate,
            ],
            breakout_columns: vec![
                BreakoutColumn::Charge,
                BreakoutColumn::Asr,
                BreakoutColumn::DestinationName,
                BreakoutColumn::Attempts,
            ],
            carrier_breakout_columns: vec![
                BreakoutColumn::Acd,
                BreakoutColumn::Connected,
                BreakoutColumn::CallTime,
                BreakoutColumn::BilledDuration,
                BreakoutColumn::Duration,
            ],
            custom_js: CUSTOM_JS.into(),
            custom_css: CUSTOM_CSS.into(),
            logo: Some("acme-logo.png".into()),
            footer: FOOTER.into(),
            smtp: Some(SmtpSettings {
                host: "smtp.acme.example".into(),
                port: 2525,
                security: SmtpSecurity::Tls,
                username: "mailer".into(),
                password_set: true,
                from: "portal@acme.example".into(),
            }),
            created_at: got.created_at,
            updated_at: got.updated_at,
        };
        assert_eq!(*got, expected);
        assert!(
            got.created_at > 1_700_000_000,
            "created_at {}",
            got.created_at
        );
        assert!(got.updated_at >= got.created_at);
    };
    check(&added);

    let shown_json = cli.json(["domain", "show", "portal.acme.example"]);
    let shown: Domain = typed(shown_json.clone());
    check(&shown);
    assert_eq!(shown, added, "domain add and domain show disagree");
    assert!(
        !shown_json.to_string().contains("s3cret-Pass!"),
        "domain show reveals the SMTP password: {shown_json}"
    );
    let listed: Vec<Domain> = typed(cli.json(["domain", "list"]));
    assert_eq!(listed, vec![shown.clone()]);
    let detail: CustomerDetail = typed(cli.json(["customer", "show", &template_id]));
    assert_eq!(detail.template_of, vec!["portal.acme.example".to_string()]);

    let export = cli.export();
    assert!(
        !export.contains("s3cret-Pass!"),
        "the export holds the SMTP password in clear"
    );
    let text = cli.ok(["domain", "show", "portal.acme.example"]);
    assert!(text.contains("Acme Voice"), "text output: {text}");
    assert!(
        !text.contains("s3cret-Pass!"),
        "text output reveals the password: {text}"
    );

    d.restart();

    let after_json = cli.json(["domain", "show", "portal.acme.example"]);
    assert_eq!(after_json, shown_json, "domain changed across a restart");
    check(&typed(after_json));
    let files: Vec<FileInfo> = typed(cli.json(["file", "list"]));
    assert_eq!(files, vec![file], "file store changed across a restart");
}

// ---------------------------------------------------------------------------------------------
// normalisation of names

#[test]
fn idn_names_become_punycode_and_case_is_folded() {
    let d = Daemon::start();
    let cli = d.cli();

    let idn: Domain = typed(cli.json(["domain", "add", "Bücher.Example", "--currencies", "EUR"]));
    assert_eq!(idn.fqdn, "xn--bcher-kva.example");
    let shown: Domain = typed(cli.json(["domain", "show", "xn--bcher-kva.example"]));
    assert_eq!(shown.fqdn, "xn--bcher-kva.example");

    let upper: Domain =
        typed(cli.json(["domain", "add", "PORTAL.Example.COM", "--currencies", "USD"]));
    assert_eq!(upper.fqdn, "portal.example.com");

    let all: Vec<String> = typed::<Vec<Domain>>(cli.json(["domain", "list"]))
        .into_iter()
        .map(|d| d.fqdn)
        .collect();
    assert_eq!(all, vec!["portal.example.com", "xn--bcher-kva.example"]);

    // The same names in another spelling are the same domains.
    cli.refused(
        &["domain", "add", "bücher.example", "--currencies", "EUR"],
        &[&["xn--bcher-kva.example", "bücher.example"]],
    );
    cli.refused(
        &["domain", "add", "Portal.EXAMPLE.com", "--currencies", "USD"],
        &[&["portal.example.com"]],
    );
}

// ---------------------------------------------------------------------------------------------
// bad input: refused with a message naming the field, store unchanged

/// A daemon holding a bit of everything, so that a refused call has something to spoil.
fn seeded() -> (Daemon, Cli, Customer) {
    let d = Daemon::start();
    let cli = d.cli();
    let template = add_customer(&cli, "Seed Template", "USD");
    let customer = add_customer(&cli, "Seed Customer", "USD");
    let logo = write(d.dir(), "seed.png", png_rgb(100, 30));
    cli.json(["file", "put", &p(&logo), "--name", "seed.png"]);
    cli.json([
        "domain",
        "add",
        "existing.example",
        "--currencies",
        "USD",
        "--template-customer",
        &template.id.to_string(),
        "--logo",
        "seed.png",
    ]);
    let csv = write(d.dir(), "seed.csv", GOOD_CSV);
    cli.json([
        "ratecard",
        "import",
        "Seed Rates",
        &p(&csv),
        "--currency",
        "USD",
    ]);
    cli.json([
        "contact",
        "add",
        &customer.id.to_string(),
        "--email",
        "seed@example.com",
        "--name",
        "Seed",
        "--password",
        "a long enough password",
    ]);
    (d, cli, customer)
}

#[test]
fn bad_fqdns_are_refused_and_change_nothing() {
    let (_d, cli, _) = seeded();
    let fqdn: &[&str] = &["fqdn"];
    for bad in [
        "192.0.2.10",
        "2001:db8::1",
        "[2001:db8::1]",
        "*.example.com",
        "",
        "bad_name!.example",
    ] {
        cli.refused(&["domain", "add", bad, "--currencies", "USD"], &[fqdn]);
    }
    let long_label = format!("{}.example", "a".repeat(64));
    cli.refused(
        &["domain", "add", &long_label, "--currencies", "USD"],
        &[fqdn],
    );
    // 63 characters is the limit, and is fine.
    let ok_label = format!("{}.example", "a".repeat(63));
    cli.json(["domain", "add", &ok_label, "--currencies", "USD"]);

    // Duplicates are a conflict naming the domain.
    cli.refused(
        &["domain", "add", "existing.example", "--currencies", "EUR"],
        &[&["existing.example"]],
    );
    cli.refused(
        &["domain", "add", "EXISTING.example", "--currencies", "EUR"],
        &[&["existing.example"]],
    );
}

#[test]
fn bad_domain_settings_are_refused_and_change_nothing() {
    let (_d, cli, _) = seeded();
    let currencies: &[&str] = &["currencies", "currency"];

    cli.refused(
        &["domain", "add", "new.example", "--currencies", "USD,XYZ"],
        &[currencies, &["XYZ"]],
    );
    cli.refused(
        &["domain", "add", "new.example", "--currencies", ""],
        &[currencies],
    );
    cli.refused(
        &["domain", "set", "existing.example", "--currencies", "XYZ"],
        &[currencies, &["XYZ"]],
    );
    cli.refused(
        &["domain", "set", "existing.example", "--currencies", ""],
        &[currencies],
    );

    let section: &[&str] = &["section", "access"];
    cli.refused_or_usage(
        &[
            "domain",
            "set",
            "existing.example",
            "--access",
            "balance,bogus_section",
        ],
        &[section, &["bogus_section"]],
    );
    cli.refused_or_usage(
        &[
            "domain",
            "set",
            "existing.example",
            "--hide",
            "bogus_section",
        ],
        &[section, &["bogus_section"]],
    );
    cli.refused_or_usage(
        &[
            "domain",
            "add",
            "new.example",
            "--currencies",
            "USD",
            "--access",
            "dids",
        ],
        &[section, &["dids"]],
    );

    cli.refused_or_usage(
        &[
            "domain",
            "set",
            "existing.example",
            "--cdr-columns",
            "call_id,bogus_column",
        ],
        &[&["column", "cdr_columns", "cdr-columns"], &["bogus_column"]],
    );
    // A CDR column is not a breakout column.
    cli.refused_or_usage(
        &[
            "domain",
            "set",
            "existing.example",
            "--breakout-columns",
            "attempts,sip_code",
        ],
        &[
            &["column", "breakout_columns", "breakout-columns"],
            &["sip_code"],
        ],
    );
    let duplicate: &[&str] = &[
        "duplicate",
        "twice",
        "more than once",
        "repeated",
        "already",
    ];
    cli.refused(
        &[
            "domain",
            "set",
            "existing.example",
            "--cdr-columns",
            "call_id,charge,call_id",
        ],
        &[
            &["cdr_columns", "cdr-columns", "cdr column"],
            &["call_id"],
            duplicate,
        ],
    );
    cli.refused(
        &[
            "domain",
            "set",
            "existing.example",
            "--carrier-breakout-columns",
            "asr,acd,asr",
        ],
        &[
            &[
                "carrier_breakout_columns",
                "carrier-breakout-columns",
                "breakout column",
            ],
            &["asr"],
            duplicate,
        ],
    );

    let template: &[&str] = &[
        "template_customer",
        "template-customer",
        "template customer",
    ];
    cli.refused(
        &[
            "domain",
            "set",
            "existing.example",
            "--template-customer",
            "999999",
        ],
        &[template, &["999999"]],
    );
    cli.refused(
        &[
            "domain",
            "add",
            "new.example",
            "--currencies",
            "USD",
            "--template-customer",
            "999999",
        ],
        &[template, &["999999"]],
    );

    cli.refused_or_usage(
        &[
            "domain",
            "set",
            "existing.example",
            "--signup-status",
            "maybe",
        ],
        &[&["signup", "sign-up"], &["maybe"]],
    );
    cli.refused_or_usage(
        &[
            "domain",
            "set",
            "existing.example",
            "--customer-signup",
            "perhaps",
        ],
        &[&["perhaps"]],
    );
    // SMTP needs a host and a From address.
    cli.refused(
        &[
            "domain",
            "set",
            "existing.example",
            "--smtp-host",
            "smtp.example.com",
        ],
        &[&["from"]],
    );
    cli.refused(
        &[
            "domain",
            "set",
            "existing.example",
            "--smtp-from",
            "mail@example.com",
        ],
        &[&["host"]],
    );
    cli.refused(
        &["domain", "set", "nonexistent.example", "--brand-name", "X"],
        &[&["nonexistent.example"]],
    );
    cli.refused(
        &["domain", "rm", "nonexistent.example"],
        &[&["nonexistent.example"]],
    );
}

#[test]
fn bad_logos_and_files_are_refused_and_change_nothing() {
    let (d, cli, _) = seeded();
    let logo: &[&str] = &["logo"];

    // A text file named .png: the file store may keep it (it is a public file), but it is
    // never accepted as a logo; or the store refuses it outright because it is not an image.
    let fake = write(d.dir(), "fake.png", "this is text, not a picture\n");
    refused_as_logo(&cli, &fake, "fake.png", &[logo]);
    // Wider than 350 px.
    let wide = write(d.dir(), "wide.png", png_rgb(400, 30));
    refused_as_logo(&cli, &wide, "wide.png", &[logo, &["350"]]);
    // A real, narrow PNG over 1 MiB.
    let big_bytes = png_rgb(300, 1200);
    assert!(big_bytes.len() > 1024 * 1024);
    let big = write(d.dir(), "big.png", &big_bytes);
    refused_as_logo(&cli, &big, "big.png", &[logo]);

    cli.refused(
        &["domain", "set", "existing.example", "--logo", "missing.png"],
        &[logo, &["missing.png"]],
    );
    // The logo in use cannot be removed.
    cli.refused(&["file", "rm", "seed.png"], &[&["seed.png"]]);
    cli.refused(
        &["file", "rm", "nothing-here.png"],
        &[&["nothing-here.png"]],
    );
    // File names are plain names.
    let good = write(d.dir(), "good.png", png_rgb(10, 10));
    cli.refused(
        &["file", "put", &p(&good), "--name", "../escape.png"],
        &[&["name"]],
    );
    // A logo at the limits is fine.
    let edge = write(d.dir(), "edge.png", png_rgb(350, 20));
    cli.json(["file", "put", &p(&edge)]);
    let domain: Domain =
        typed(cli.json(["domain", "set", "existing.example", "--logo", "edge.png"]));
    assert_eq!(domain.logo.as_deref(), Some("edge.png"));
}

/// Uploads `path` as `name` and tries to make it the logo of `existing.example`. Either step may
/// refuse; one must, with a message holding `needles`, and the refused step changes nothing.
fn refused_as_logo(cli: &Cli, path: &Path, name: &str, needles: &[&[&str]]) {
    let before = cli.export();
    let put = cli.run(["file", "put", &p(path), "--name", name]);
    if put.code == 0 {
        cli.refused(
            &["domain", "set", "existing.example", "--logo", name],
            needles,
        );
        // Nor may a new domain use it.
        cli.refused(
            &[
                "domain",
                "add",
                "logo.example",
                "--currencies",
                "USD",
                "--logo",
                name,
            ],
            needles,
        );
    } else {
        assert_eq!(put.code, 1, "{put}");
        portico_tests::assert_one_error_line(&put);
        let after = cli.export();
        assert!(
            before == after,
            "refused file put changed the store:\n{}",
            portico_tests::first_difference(&before, &after)
        );
    }
    let domain: Domain = typed(cli.json(["domain", "show", "existing.example"]));
    assert_eq!(domain.logo.as_deref(), Some("seed.png"));
}

#[test]
fn bad_customer_money_and_contact_input_is_refused_and_changes_nothing() {
    let (_d, cli, customer) = seeded();
    let id = customer.id.to_string();
    let debit: &[&str] = &["debit_limit", "debit-limit", "debit limit"];
    for bad in ["1,50", "1.0000001", "abc", "$5"] {
        cli.refused(
            &[
                "customer",
                "add",
                "--name",
                "Money",
                "--currency",
                "USD",
                "--debit-limit",
                bad,
            ],
            &[debit, &[bad]],
        );
        cli.refused(
            &["customer", "set", &id, "--debit-limit", bad],
            &[debit, &[bad]],
        );
        cli.refused(&["payment", "add", &id, bad], &[&["amount"], &[bad]]);
    }
    cli.refused(
        &["customer", "add", "--name", "Money", "--currency", "XYZ"],
        &[&["currency"], &["XYZ"]],
    );
    cli.refused(
        &["customer", "add", "--name", "", "--currency", "USD"],
        &[&["name"]],
    );
    cli.refused_or_usage(
        &["customer", "set", &id, "--status", "sleeping"],
        &[&["status"], &["sleeping"]],
    );
    cli.refused_or_usage(
        &["customer", "override", &id, "bogus_section", "hide"],
        &[&["section"], &["bogus_section"]],
    );
    cli.refused(&["customer", "show", "999999"], &[&["999999"]]);
    cli.refused(&["customer", "rm", "999999"], &[&["999999"]]);
    cli.refused(&["payment", "add", "999999", "5.00"], &[&["999999"]]);
    cli.refused(
        &[
            "alert",
            "add",
            &id,
            "--threshold",
            "1,50",
            "--email",
            "a@example.com",
        ],
        &[&["threshold"], &["1,50"]],
    );
    cli.refused(
        &[
            "alert",
            "add",
            &id,
            "--threshold",
            "5",
            "--email",
            "not-an-email",
        ],
        &[&["email"]],
    );
    cli.refused(
        &["package", "add", &id, "--name", "Gold", "--price", "9,99"],
        &[&["price"], &["9,99"]],
    );

    // The domain's template customer cannot be deleted.
    let domain: Domain = typed(cli.json(["domain", "show", "existing.example"]));
    let template = domain.template_customer.unwrap().to_string();
    cli.refused(
        &["customer", "rm", &template],
        &[&["template"], &["existing.example"]],
    );

    let email: &[&str] = &["email", "e-mail"];
    for bad in [
        "not-an-email",
        "two@@example.com",
        "spaces in@example.com",
        "",
    ] {
        cli.refused(
            &[
                "contact",
                "add",
                &id,
                "--email",
                bad,
                "--name",
                "Bad",
                "--password",
                "a long enough password",
            ],
            &[email],
        );
    }
    cli.refused(
        &[
            "contact",
            "add",
            &id,
            "--email",
            "short@example.com",
            "--name",
            "S",
            "--password",
            "abc",
        ],
        &[&["password"]],
    );
    cli.refused(
        &[
            "contact",
            "reset-password",
            "seed@example.com",
            "--password",
            "abc",
        ],
        &[&["password"]],
    );
    cli.refused(
        &[
            "contact",
            "add",
            &id,
            "--email",
            "SEED@example.com",
            "--name",
            "Again",
            "--password",
            "a long enough password",
        ],
        &[&["seed@example.com"]],
    );
    cli.refused(
        &[
            "contact",
            "add",
            &id,
            "--email",
            "ip@example.com",
            "--name",
            "Ip",
            "--password",
            "a long enough password",
            "--ip-allow",
            "300.1.2.3/8",
        ],
        &[&["ip_allow", "ip-allow", "ip allow"]],
    );
    cli.refused(
        &[
            "contact",
            "add",
            "999999",
            "--email",
            "x@example.com",
            "--name",
            "X",
            "--password",
            "a long enough password",
        ],
        &[&["999999"]],
    );
    cli.refused(
        &["contact", "rm", "nobody@example.com"],
        &[&["nobody@example.com"]],
    );
}

#[test]
fn bad_rate_cards_are_refused_naming_the_line_and_change_nothing() {
    let (d, cli, customer) = seeded();
    let bad_rate = write(
        d.dir(),
        "bad-rate.csv",
        "prefix,name,rate,connect_fee,first_increment,next_increment,effective_from\n\
         44,United Kingdom,0.0100,0,1,1,2026-01-01\n\
         447,United Kingdom - Mobile,abc,0.01,30,6,2026-01-01\n\
         33,France,0.0200,0,1,1,2026-01-01\n",
    );
    cli.refused(
        &[
            "ratecard",
            "import",
            "New Rates",
            &p(&bad_rate),
            "--currency",
            "USD",
        ],
        &[&["line 3"]],
    );
    // The whole import is refused, also into an existing card.
    cli.refused(
        &[
            "ratecard",
            "import",
            "Seed Rates",
            &p(&bad_rate),
            "--currency",
            "USD",
        ],
        &[&["line 3"]],
    );
    let bad_date = write(
        d.dir(),
        "bad-date.csv",
        "prefix,name,rate,effective_from\n\
         44,United Kingdom,0.01,2026-01-01\n\
         33,France,0.02,2026-01-01\n\
         49,Germany,0.03,2026-13-45\n",
    );
    cli.refused(
        &[
            "ratecard",
            "import",
            "New Rates",
            &p(&bad_date),
            "--currency",
            "USD",
        ],
        &[&["line 4"]],
    );
    let comma_money = write(
        d.dir(),
        "comma.csv",
        "prefix,name,rate\n44,United Kingdom,\"0,01\"\n",
    );
    cli.refused(
        &[
            "ratecard",
            "import",
            "New Rates",
            &p(&comma_money),
            "--currency",
            "USD",
        ],
        &[&["line 2"]],
    );
    let no_header = write(d.dir(), "no-header.csv", "44,United Kingdom,0.01\n");
    cli.refused(
        &[
            "ratecard",
            "import",
            "New Rates",
            &p(&no_header),
            "--currency",
            "USD",
        ],
        &[&["header", "prefix", "column"]],
    );
    let good = write(d.dir(), "good.csv", GOOD_CSV);
    cli.refused(
        &[
            "ratecard",
            "import",
            "New Rates",
            &p(&good),
            "--currency",
            "XYZ",
        ],
        &[&["currency"], &["XYZ"]],
    );
    cli.refused(&["ratecard", "show", "No Such Card"], &[&["No Such Card"]]);
    cli.refused(
        &["route", "add", &customer.id.to_string(), "No Such Card"],
        &[&["No Such Card"]],
    );
}

// ---------------------------------------------------------------------------------------------
// the rest of the surface, used the right way

#[test]
fn domain_set_edits_only_what_it_is_given() {
    let d = Daemon::start();
    let cli = d.cli();
    let t = add_customer(&cli, "Template", "GBP");
    let logo = write(d.dir(), "l.png", png_rgb(50, 20));
    cli.json(["file", "put", &p(&logo)]);
    let base: Domain = typed(cli.json([
        "domain",
        "add",
        "edit.example",
        "--currencies",
        "GBP",
        "--access",
        "balance,cdr,payments",
    ]));
    assert_eq!(base.currencies, vec!["GBP"]);
    assert_eq!(
        base.access,
        vec![Section::Balance, Section::Cdr, Section::Payments]
    );
    assert_eq!(base.smtp, None);
    assert_eq!(base.template_customer, None);
    assert_eq!(base.logo, None);

    let hidden: Domain = typed(cli.json(["domain", "set", "edit.example", "--hide", "cdr"]));
    assert_eq!(hidden.access, vec![Section::Balance, Section::Payments]);
    let shown: Domain = typed(cli.json([
        "domain",
        "set",
        "edit.example",
        "--show",
        "summary",
        "--show",
        "alerts",
    ]));
    assert_eq!(
        shown.access,
        vec![
            Section::Balance,
            Section::Summary,
            Section::Payments,
            Section::Alerts
        ]
    );
    // Everything but access is as it was.
    assert_eq!(
        Domain {
            access: base.access.clone(),
            updated_at: base.updated_at,
            ..shown.clone()
        },
        base
    );

    let smtp: Domain = typed(cli.json([
        "domain",
        "set",
        "edit.example",
        "--smtp-host",
        "mail.example.com",
        "--smtp-from",
        "noreply@edit.example",
        "--smtp-password",
        "pw-1",
    ]));
    assert_eq!(
        smtp.smtp,
        Some(SmtpSettings {
            host: "mail.example.com".into(),
            port: 587,
            security: SmtpSecurity::Starttls,
            username: String::new(),
            password_set: true,
            from: "noreply@edit.example".into(),
        })
    );
    // --smtp-* on `set` merges with what is stored; the password is kept.
    let merged: Domain = typed(cli.json([
        "domain",
        "set",
        "edit.example",
        "--smtp-port",
        "465",
        "--smtp-security",
        "tls",
    ]));
    assert_eq!(
        merged.smtp,
        Some(SmtpSettings {
            port: 465,
            security: SmtpSecurity::Tls,
            ..smtp.smtp.clone().unwrap()
        })
    );
    let pw_file = write(d.dir(), "smtp-pw", "pw-from-file\n");
    let from_file: Domain = typed(cli.json([
        "domain",
        "set",
        "edit.example",
        "--smtp-username",
        "bob",
        "--smtp-password-file",
        &p(&pw_file),
    ]));
    let s = from_file.smtp.clone().unwrap();
    assert_eq!(
        (s.username.as_str(), s.password_set, s.port),
        ("bob", true, 465)
    );

    let with: Domain = typed(cli.json([
        "domain",
        "set",
        "edit.example",
        "--template-customer",
        &t.id.to_string(),
        "--logo",
        "l.png",
        "--customer-signup",
        "true",
        "--carrier-signup",
        "no",
        "--brand-name",
        "Edit & Co <Brand>",
        "--custom-css",
        "body{}",
        "--footer",
        "",
    ]));
    assert_eq!(with.template_customer, Some(t.id));
    assert_eq!(with.logo.as_deref(), Some("l.png"));
    assert!(with.customer_signup);
    assert!(!with.carrier_signup);
    assert_eq!(with.brand_name, "Edit & Co <Brand>");
    assert_eq!(with.footer, "");
    let css_file = write(d.dir(), "b.css", "h1 { color: red; }\n");
    let css: Domain = typed(cli.json([
        "domain",
        "set",
        "edit.example",
        "--custom-css-file",
        &p(&css_file),
        "--custom-js",
        "console.log(1);",
    ]));
    assert_eq!(css.custom_css, "h1 { color: red; }\n");
    assert_eq!(css.custom_js, "console.log(1);");
    // While it is the template and the logo, neither may go.
    cli.refused(&["customer", "rm", &t.id.to_string()], &[&["template"]]);
    cli.refused(&["file", "rm", "l.png"], &[&["l.png"]]);

    // Removing the domain frees its template customer and its logo.
    assert_eq!(
        removed_key(&cli.json(["domain", "rm", "edit.example"])),
        "edit.example"
    );
    cli.fail(["domain", "show", "edit.example"]);
    assert_eq!(removed_key(&cli.json(["file", "rm", "l.png"])), "l.png");
    assert_eq!(
        removed_key(&cli.json(["customer", "rm", &t.id.to_string()])),
        t.id.to_string()
    );
    let list: Vec<Domain> = typed(cli.json(["domain", "list"]));
    assert!(list.is_empty());
}

#[test]
fn domain_set_clears_smtp_template_customer_and_logo() {
    let d = Daemon::start();
    let cli = d.cli();
    let t = add_customer(&cli, "Template", "USD");
    let logo = write(d.dir(), "l.png", png_rgb(50, 20));
    cli.json(["file", "put", &p(&logo)]);
    let set: Domain = typed(cli.json([
        "domain",
        "add",
        "clear.example",
        "--currencies",
        "USD",
        "--template-customer",
        &t.id.to_string(),
        "--logo",
        "l.png",
        "--smtp-host",
        "mail.example.com",
        "--smtp-from",
        "noreply@clear.example",
        "--smtp-password",
        "pw-1",
    ]));
    assert_eq!(set.template_customer, Some(t.id));
    assert_eq!(set.logo.as_deref(), Some("l.png"));
    assert!(set.smtp.is_some());

    let cleared: Domain = typed(cli.json(["domain", "set", "clear.example", "--no-smtp"]));
    assert_eq!(cleared.smtp, None, "--no-smtp did not clear SMTP");
    let none: Domain = typed(cli.json([
        "domain",
        "set",
        "clear.example",
        "--template-customer",
        "none",
        "--logo",
        "none",
    ]));
    assert_eq!(
        (none.template_customer, none.logo),
        (None, None),
        "--template-customer none / --logo none did not clear them"
    );
    // Now both may go.
    cli.json(["file", "rm", "l.png"]);
    cli.json(["customer", "rm", &t.id.to_string()]);
}

#[test]
fn customers_and_everything_they_own() {
    let d = Daemon::start();
    let cli = d.cli();

    let c: Customer = typed(cli.json([
        "customer",
        "add",
        "--name",
        "Big Carrier",
        "--currency",
        "EUR",
        "--kind",
        "carrier",
        "--status",
        "pending_approval",
        "--debit-limit",
        "100.50",
        "--account-codes",
        "ACC1,ACC2",
    ]));
    assert_eq!(c.name, "Big Carrier");
    assert_eq!(c.currency, "EUR");
    assert_eq!(c.kind.as_str(), "carrier");
    assert_eq!(c.status.as_str(), "pending_approval");
    assert_eq!(c.debit_limit.to_string(), "100.50");
    assert_eq!(c.account_codes, vec!["ACC1", "ACC2"]);
    let id = c.id.to_string();
    let other = add_customer(&cli, "Small Customer", "USD");
    assert_ne!(other.id, c.id);

    let pending: Vec<Customer> =
        typed(cli.json(["customer", "list", "--status", "pending_approval"]));
    assert_eq!(pending.iter().map(|c| c.id).collect::<Vec<_>>(), vec![c.id]);
    let approved: Customer = typed(cli.json(["customer", "approve", &id]));
    assert_eq!(approved.status.as_str(), "active");
    let all: Vec<Customer> = typed(cli.json(["customer", "list"]));
    assert_eq!(all.len(), 2);

    let set: Customer = typed(cli.json([
        "customer",
        "set",
        &id,
        "--name",
        "Bigger Carrier",
        "--debit-limit",
        "0.000001",
        "--account-codes",
        "",
    ]));
    assert_eq!(set.name, "Bigger Carrier");
    assert_eq!(set.debit_limit.to_string(), "0.000001");
    assert!(set.account_codes.is_empty());
    assert_eq!(
        set.kind.as_str(),
        "carrier",
        "set changed a field it was not given"
    );

    cli.json(["customer", "override", &id, "cdr", "hide"]);
    cli.json(["customer", "override", &id, "payments", "show"]);
    let o: Customer = typed(cli.json(["customer", "override", &id, "payments", "default"]));
    let overrides: Vec<(String, String)> = o
        .overrides
        .iter()
        .map(|(s, a)| (s.to_string(), a.to_string()))
        .collect();
    assert_eq!(overrides, vec![("cdr".to_string(), "hide".to_string())]);

    let alice = cli.json([
        "contact",
        "add",
        &id,
        "--email",
        "Alice@Example.COM",
        "--name",
        "Alice",
        "--password",
        "correct horse battery staple",
        "--ip-allow",
        "192.0.2.0/24,198.51.100.7",
    ]);
    assert_eq!(alice["contact"]["email"], "alice@example.com");
    assert_eq!(alice["contact"]["customer_id"].as_u64(), Some(c.id));
    assert!(alice["generated_password"].is_null(), "{alice}");
    let ips = alice["contact"]["ip_allow"].as_array().unwrap();
    assert_eq!(ips.len(), 2);
    assert_eq!(ips[0], "192.0.2.0/24");
    let bob = cli.json([
        "contact",
        "add",
        &id,
        "--email",
        "bob@example.com",
        "--name",
        "Bob",
    ]);
    let generated = bob["generated_password"].as_str().unwrap().to_string();
    assert!(
        generated.len() >= 12,
        "generated password too short: {generated:?}"
    );
    let pw = write(d.dir(), "pw", "another long password\n");
    cli.json([
        "contact",
        "reset-password",
        "bob@example.com",
        "--password-file",
        &p(&pw),
    ]);

    let csv = write(
        d.dir(),
        "rates.csv",
        "Prefix,Destination,Rate_Per_Min,Connection_Fee,First,Next,Effective_Date\n\
         44,United Kingdom,0.0100,0,1,1,2026-01-01\n\
         447,United Kingdom - Mobile,0.0250,0.01,30,6,2026-01-01 12:00:00\n",
    );
    let imported = cli.json([
        "ratecard",
        "import",
        "Standard",
        &p(&csv),
        "--currency",
        "EUR",
    ]);
    assert_eq!(imported["inserted"].as_u64(), Some(2), "{imported}");
    assert_eq!(imported["card"]["rates"].as_u64(), Some(2), "{imported}");
    let minimal = write(d.dir(), "min.csv", "prefix,name,rate\n33,France,0.02\n");
    let again = cli.json([
        "ratecard",
        "import",
        "Standard",
        &p(&minimal),
        "--currency",
        "EUR",
    ]);
    assert_eq!(again["card"]["rates"].as_u64(), Some(3), "{again}");
    let shown = cli.json(["ratecard", "show", "Standard"]);
    let rates = shown["rates"].as_array().unwrap();
    let france = rates.iter().find(|r| r["prefix"] == "33").unwrap();
    assert_eq!(france["rate_per_min"], "0.02");
    assert_eq!(france["connect_fee"], "0.00");
    assert_eq!(france["first_increment"], 1);
    assert_eq!(france["next_increment"], 1);
    assert_eq!(france["effective_from"], 0);
    let mobile = rates.iter().find(|r| r["prefix"] == "447").unwrap();
    assert_eq!(mobile["rate_per_min"], "0.025");
    assert_eq!(mobile["connect_fee"], "0.01");
    assert_eq!(mobile["first_increment"], 30);
    assert_eq!(mobile["next_increment"], 6);
    assert_eq!(mobile["effective_from"], 1_767_268_800);
    let replaced = cli.json([
        "ratecard",
        "import",
        "Standard",
        &p(&minimal),
        "--currency",
        "EUR",
        "--replace",
    ]);
    assert_eq!(replaced["card"]["rates"].as_u64(), Some(1), "{replaced}");
    let cards = cli.json(["ratecard", "list"]);
    assert_eq!(cards.as_array().unwrap().len(), 1);

    let route = cli.json(["route", "add", &id, "Standard", "--tech-prefix", "99#"]);
    assert_eq!(route["tech_prefix"], "99#");
    assert_eq!(route["ratecard"], "Standard");

    let p1 = cli.json([
        "payment",
        "add",
        &id,
        "25.50",
        "--description",
        "Top-up # by admin",
    ]);
    assert_eq!(p1["amount"], "25.50");
    assert_eq!(p1["status"], "completed");
    let p2 = cli.json(["payment", "add", &id, "10", "--status", "pending"]);
    assert_eq!(p2["status"], "pending");
    let p2_id = p2["id"].as_u64().unwrap().to_string();
    let p2b = cli.json(["payment", "status", &p2_id, "cancelled"]);
    assert_eq!(p2b["status"], "cancelled");
    let payments = cli.json(["payment", "list", &id]);
    let ids: Vec<u64> = payments
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&p1["id"].as_u64().unwrap()));

    let alert = cli.json([
        "alert",
        "add",
        &id,
        "--threshold",
        "5",
        "--email",
        "alerts@example.com",
    ]);
    assert_eq!(alert["threshold"], "5.00");
    let package = cli.json([
        "package",
        "add",
        &id,
        "--name",
        "Gold",
        "--price",
        "9.99",
        "--description",
        "1000 minutes",
    ]);
    assert_eq!(package["price"], "9.99");
    let terms = write(d.dir(), "terms.txt", "You agree to pay.\nLine two.\n");
    let contract = cli.json([
        "contract",
        "add",
        &id,
        "--name",
        "Terms",
        "--text-file",
        &p(&terms),
        "--required",
    ]);
    assert_eq!(contract["required"], true);
    assert_eq!(contract["text"], "You agree to pay.\nLine two.\n");
    cli.json([
        "contract",
        "add",
        &id,
        "--name",
        "Optional",
        "--text",
        "Nice to have",
    ]);

    let detail: CustomerDetail = typed(cli.json(["customer", "show", &id]));
    assert_eq!(detail.customer.name, "Bigger Carrier");
    assert_eq!(detail.contacts.len(), 2);
    assert_eq!(detail.routes.len(), 1);
    assert_eq!(detail.payments.len(), 2);
    assert_eq!(detail.alerts.len(), 1);
    assert_eq!(detail.packages.len(), 1);
    assert_eq!(detail.contracts.len(), 2);
    assert!(detail.template_of.is_empty());

    // Passwords never leave the daemon in clear.
    let export = cli.export();
    for secret in [
        "correct horse battery staple",
        "another long password",
        &generated,
    ] {
        assert!(
            !export.contains(secret),
            "the export holds a clear password"
        );
    }

    let alert_id = alert["id"].as_u64().unwrap().to_string();
    assert_eq!(removed_key(&cli.json(["alert", "rm", &alert_id])), alert_id);
    let package_id = package["id"].as_u64().unwrap().to_string();
    assert_eq!(
        removed_key(&cli.json(["package", "rm", &package_id])),
        package_id
    );
    let contract_id = contract["id"].as_u64().unwrap().to_string();
    assert_eq!(
        removed_key(&cli.json(["contract", "rm", &contract_id])),
        contract_id
    );
    cli.refused(&["ratecard", "rm", "Standard"], &[&["Standard"]]);
    cli.json(["route", "rm", &id, "Standard"]);
    cli.json(["ratecard", "rm", "Standard"]);
    cli.json(["contact", "rm", "ALICE@example.com"]);
    let detail: CustomerDetail = typed(cli.json(["customer", "show", &id]));
    assert_eq!(
        (
            detail.contacts.len(),
            detail.routes.len(),
            detail.alerts.len(),
            detail.packages.len(),
            detail.contracts.len()
        ),
        (1, 0, 0, 0, 1)
    );

    assert_eq!(removed_key(&cli.json(["customer", "rm", &id])), id);
    let gone = cli.fail(["customer", "show", &id]);
    assert!(gone.stderr.contains(&id), "{gone}");
    // Its contacts went with it: the address is free again.
    cli.json([
        "contact",
        "add",
        &other.id.to_string(),
        "--email",
        "bob@example.com",
        "--name",
        "Bob again",
        "--password",
        "a long enough password",
    ]);
}

// ---------------------------------------------------------------------------------------------
// concurrency, audit

#[test]
fn twenty_concurrent_cli_writers_all_land() {
    let d = Daemon::start();
    let cli = d.cli();
    let mut children = Vec::new();
    for i in 0..20 {
        children.push(cli.spawn([
            "--json".to_string(),
            "customer".into(),
            "add".into(),
            "--name".into(),
            format!("Concurrent {i:02}"),
            "--currency".into(),
            "USD".into(),
        ]));
        if i % 4 == 0 {
            children.push(cli.spawn([
                "--json".to_string(),
                "domain".into(),
                "add".into(),
                format!("c{i:02}.example"),
                "--currencies".into(),
                "USD".into(),
            ]));
        }
    }
    for (cmd, child) in children {
        let run = Cli::wait(cmd, child);
        assert_eq!(run.code, 0, "a concurrent writer failed:\n{run}");
    }

    let customers: Vec<Customer> = typed(cli.json(["customer", "list"]));
    let names: BTreeSet<String> = customers.iter().map(|c| c.name.clone()).collect();
    let expected: BTreeSet<String> = (0..20).map(|i| format!("Concurrent {i:02}")).collect();
    assert_eq!(names, expected);
    assert_eq!(customers.len(), 20, "duplicates: {customers:?}");
    let ids: BTreeSet<u64> = customers.iter().map(|c| c.id).collect();
    assert_eq!(ids.len(), 20, "ids are not distinct: {customers:?}");
    let domains: Vec<Domain> = typed(cli.json(["domain", "list"]));
    let fqdns: Vec<String> = domains.into_iter().map(|d| d.fqdn).collect();
    assert_eq!(
        fqdns,
        vec![
            "c00.example",
            "c04.example",
            "c08.example",
            "c12.example",
            "c16.example"
        ]
    );
    // Every change is audited once.
    let audit: Vec<AuditEntry> = typed(cli.json(["audit", "--limit", "100"]));
    let count = |action: &str| audit.iter().filter(|e| e.action == action).count();
    assert_eq!(
        (count("customer_add"), count("domain_add")),
        (20, 5),
        "{audit:#?}"
    );
    let seqs: BTreeSet<u64> = audit.iter().map(|e| e.seq).collect();
    assert_eq!(seqs.len(), audit.len(), "audit sequence numbers repeat");
}

#[test]
fn concurrent_show_and_hide_edits_of_one_domain_all_land() {
    let d = Daemon::start();
    let cli = d.cli();
    let all: Vec<&str> = Section::ALL.iter().map(|s| s.as_str()).collect();
    cli.json([
        "domain",
        "add",
        "edits.example",
        "--currencies",
        "USD",
        "--access",
        &all.join(","),
    ]);
    let hidden = [
        Section::Cdr,
        Section::Breakout,
        Section::Payments,
        Section::Alerts,
        Section::Packages,
        Section::Contracts,
    ];
    let children: Vec<_> = hidden
        .iter()
        .map(|s| cli.spawn(["domain", "set", "edits.example", "--hide", s.as_str()]))
        .collect();
    for (cmd, child) in children {
        let run = Cli::wait(cmd, child);
        assert_eq!(run.code, 0, "{run}");
    }
    let domain: Domain = typed(cli.json(["domain", "show", "edits.example"]));
    let expected: Vec<Section> = Section::ALL
        .iter()
        .copied()
        .filter(|s| !hidden.contains(s))
        .collect();
    assert_eq!(domain.access, expected, "a concurrent --hide was lost");
}

#[test]
fn audit_lists_each_change_with_the_callers_uid() {
    let d = Daemon::start();
    let cli = d.cli();
    let c = add_customer(&cli, "Audited", "USD");
    cli.json(["domain", "add", "audit.example", "--currencies", "USD"]);
    cli.json([
        "domain",
        "set",
        "audit.example",
        "--brand-name",
        "Audited",
        "--smtp-host",
        "h.example",
        "--smtp-from",
        "f@audit.example",
        "--smtp-password",
        "audit-secret-pw",
    ]);
    cli.fail(["domain", "add", "audit.example", "--currencies", "USD"]);
    cli.json(["customer", "rm", &c.id.to_string()]);

    let all: Vec<AuditEntry> = typed(cli.json(["audit"]));
    assert!(all.len() >= 4, "{all:#?}");
    let entries = &all[..4];
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        vec![
            "customer_remove",
            "domain_set",
            "domain_add",
            "customer_add"
        ],
        "newest first: {all:#?}"
    );
    let adds = all.iter().filter(|e| e.action == "domain_add").count();
    assert_eq!(adds, 1, "the refused domain_add was recorded: {all:#?}");
    let uid = nix::unistd::getuid().as_raw();
    for e in entries {
        assert_eq!(e.uid, Some(uid), "{e:?}");
        assert!(e.pid.is_some_and(|p| p > 0), "{e:?}");
        assert!(!e.target.is_empty(), "{e:?}");
    }
    assert!(all.windows(2).all(|w| w[0].seq > w[1].seq), "{all:#?}");
    assert!(
        entries[1].target.contains("audit.example"),
        "{:?}",
        entries[1]
    );
    assert!(
        !entries[1].detail.contains("audit-secret-pw"),
        "the audit holds a password: {:?}",
        entries[1]
    );
    let two: Vec<AuditEntry> = typed(cli.json(["audit", "--limit", "2"]));
    assert_eq!(two, all[..2].to_vec());
    let text = cli.ok(["audit"]);
    assert!(text.contains("domain_set"), "{text}");
}

// ---------------------------------------------------------------------------------------------
// the socket and the protocol

#[test]
fn admin_socket_has_mode_0660_and_a_stale_socket_is_replaced() {
    let mut d = Daemon::start();
    let meta = std::fs::metadata(d.socket()).unwrap();
    assert!(meta.file_type().is_socket());
    assert_eq!(
        meta.permissions().mode() & 0o7777,
        0o660,
        "mode {:o}",
        meta.permissions().mode()
    );

    // Killed hard, the daemon leaves its socket behind; the next start replaces it.
    let status = d.stop_with(Signal::SIGKILL);
    assert!(!status.success());
    assert!(d.socket().exists(), "SIGKILL cannot remove the socket");
    d.start_again();
    let meta = std::fs::metadata(d.socket()).unwrap();
    assert_eq!(meta.permissions().mode() & 0o7777, 0o660);
    d.cli().json(["domain", "list"]);
}

#[test]
fn other_protocol_versions_and_calls_before_the_handshake_are_refused() {
    let d = Daemon::start();
    let socket = d.socket();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let ctx = tarpc::context::current;

        let client = admin::connect_raw(&socket).await.unwrap();
        let answer = client.version(ctx(), PROTOCOL_VERSION + 1).await.unwrap();
        assert!(
            matches!(answer, Err(AdminError::Refused { .. })),
            "version({}) answered {answer:?}",
            PROTOCOL_VERSION + 1
        );
        // The failed handshake does not open the door.
        let after = client.domain_list(ctx()).await;
        assert!(
            !matches!(after, Ok(Ok(_))),
            "domain_list after a refused handshake answered {after:?}"
        );

        let client = admin::connect_raw(&socket).await.unwrap();
        let answer = client.domain_list(ctx()).await.unwrap();
        assert!(
            matches!(answer, Err(AdminError::Refused { .. })),
            "domain_list before version() answered {answer:?}"
        );
        let answer = client
            .domain_add(ctx(), "sneaky.example".into(), Default::default())
            .await
            .unwrap();
        assert!(
            matches!(answer, Err(AdminError::Refused { .. })),
            "{answer:?}"
        );

        let client = admin::connect_raw(&socket).await.unwrap();
        let info = client
            .version(ctx(), PROTOCOL_VERSION)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(info.protocol, PROTOCOL_VERSION);
        assert!(!info.daemon.is_empty());
        let list = client.domain_list(ctx()).await.unwrap().unwrap();
        assert!(list.is_empty(), "a refused call added a domain: {list:?}");
    });
    let version = d.cli().ok(["version"]);
    assert!(version.contains(env!("CARGO_PKG_VERSION")), "{version}");
}

// ---------------------------------------------------------------------------------------------
// the CLI's own rules

#[test]
fn cli_reports_an_unreachable_socket_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nothing.sock");
    let cli = Cli::new(&missing, dir.path());
    let run = cli.fail(["domain", "list"]);
    assert!(run.stderr.contains(&p(&missing)), "{run}");
}

#[test]
fn cli_finds_its_socket_by_env_and_by_the_dev_default() {
    let d = Daemon::start();
    d.cli()
        .json(["domain", "add", "where.example", "--currencies", "USD"]);
    let portico = bin_path("portico");

    let out = Command::new(&portico)
        .args(["domain", "list", "--json"])
        .env("PORTICO_SOCKET", d.socket())
        .current_dir(d.dir())
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("where.example"));

    // ./portico-data/admin.sock is the default when it exists.
    let cwd = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(d.dir(), cwd.path().join("portico-data")).unwrap();
    let out = Command::new(&portico)
        .args(["--json", "domain", "list"])
        .env_remove("PORTICO_SOCKET")
        .current_dir(cwd.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("where.example"));
}

#[test]
fn cli_has_help_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let cli = Cli::new(&dir.path().join("unused.sock"), dir.path());
    let commands: &[&[&str]] = &[
        &[],
        &["version"],
        &["domain"],
        &["domain", "list"],
        &["domain", "show"],
        &["domain", "add"],
        &["domain", "set"],
        &["domain", "rm"],
        &["file"],
        &["file", "put"],
        &["file", "list"],
        &["file", "rm"],
        &["customer"],
        &["customer", "list"],
        &["customer", "show"],
        &["customer", "add"],
        &["customer", "set"],
        &["customer", "override"],
        &["customer", "approve"],
        &["customer", "rm"],
        &["contact", "add"],
        &["contact", "reset-password"],
        &["contact", "rm"],
        &["ratecard", "import"],
        &["ratecard", "list"],
        &["ratecard", "show"],
        &["ratecard", "rm"],
        &["route", "add"],
        &["route", "rm"],
        &["payment", "add"],
        &["payment", "list"],
        &["payment", "status"],
        &["alert", "add"],
        &["alert", "rm"],
        &["package", "add"],
        &["package", "rm"],
        &["contract", "add"],
        &["contract", "rm"],
        &["audit"],
        &["export"],
    ];
    for command in commands {
        let mut args: Vec<&str> = command.to_vec();
        args.push("--help");
        let run = cli.run(&args);
        assert_eq!(run.code, 0, "{run}");
        assert!(run.stdout.contains("Usage"), "{run}");
    }
    let add = cli.ok(["domain", "add", "--help"]);
    for flag in [
        "--brand-name",
        "--customer-signup",
        "--carrier-signup",
        "--signup-status",
        "--currencies",
        "--template-customer",
        "--access",
        "--show",
        "--hide",
        "--cdr-columns",
        "--carrier-cdr-columns",
        "--breakout-columns",
        "--carrier-breakout-columns",
        "--custom-js",
        "--custom-js-file",
        "--custom-css",
        "--custom-css-file",
        "--logo",
        "--footer",
        "--smtp-host",
        "--smtp-port",
        "--smtp-security",
        "--smtp-username",
        "--smtp-password",
        "--smtp-password-file",
        "--smtp-from",
    ] {
        assert!(
            add.contains(flag),
            "`domain add --help` lacks {flag}:\n{add}"
        );
    }
    let usage = cli.run(["domain", "add"]);
    assert_eq!(
        usage.code, 2,
        "a missing argument is a usage error:\n{usage}"
    );
}

// ---------------------------------------------------------------------------------------------
// the daemon's life: --demo, signals

#[test]
fn demo_seeds_a_brand_that_the_portal_serves_by_host() {
    let mut d = Daemon::builder().demo().start();
    let cli = d.cli();

    let domain: Domain = typed(cli.json(["domain", "show", "portal.localhost"]));
    assert_eq!(domain.brand_name, "Portico Demo");
    let template = domain
        .template_customer
        .expect("the demo domain has a template customer");
    let template: CustomerDetail = typed(cli.json(["customer", "show", &template.to_string()]));
    assert_eq!(template.template_of, vec!["portal.localhost".to_string()]);
    let customers: Vec<Customer> = typed(cli.json(["customer", "list"]));
    let demo = customers
        .iter()
        .find(|c| c.name == "Demo Customer")
        .unwrap_or_else(|| panic!("no Demo Customer in {customers:?}"));
    let detail: CustomerDetail = typed(cli.json(["customer", "show", &demo.id.to_string()]));
    assert!(
        detail
            .contacts
            .iter()
            .any(|c| c.email == "demo@portal.localhost"),
        "{detail:?}"
    );
    let cards = cli.json(["ratecard", "list"]);
    assert!(
        cards
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["name"] == "Demo Rates"),
        "{cards}"
    );
    let mut payments = 0;
    for c in &customers {
        payments += cli
            .json(["payment", "list", &c.id.to_string()])
            .as_array()
            .unwrap()
            .len();
    }
    assert!(payments >= 1, "the demo seeds a payment");

    let logs = d.logs();
    assert!(
        logs.contains("portal.localhost"),
        "the demo says what to open:\n{logs}"
    );
    assert!(
        logs.contains("demo@portal.localhost"),
        "the demo says how to log in:\n{logs}"
    );

    let port = d.http_port();
    let page = http::get_following(port, "portal.localhost", "/");
    assert_eq!(page.status, 200, "{}", page.text());
    assert!(page.text().contains("Portico Demo"), "{}", page.text());
    // Browsers send the port in Host.
    let with_port = http::get_following(port, &format!("portal.localhost:{port}"), "/");
    assert_eq!(with_port.status, 200, "{}", with_port.text());
    assert!(with_port.text().contains("Portico Demo"));
    let upper = http::get_following(port, "PORTAL.localhost", "/");
    assert_eq!(upper.status, 200, "Host is case-insensitive");

    for host in ["unknown.example", "localhost", "127.0.0.1"] {
        let other = http::get(port, host, "/");
        assert_eq!(other.status, 404, "Host {host}: {}", other.text());
        assert!(
            !other.text().contains("Portico Demo"),
            "Host {host} shows the demo brand"
        );
    }

    // Starting with --demo again on the same data does not fail or seed twice.
    d.restart();
    let customers: Vec<Customer> = typed(cli.json(["customer", "list"]));
    let demos = customers
        .iter()
        .filter(|c| c.name == "Demo Customer")
        .count();
    assert_eq!(demos, 1, "{customers:?}");
    let domains: Vec<Domain> = typed(cli.json(["domain", "list"]));
    assert_eq!(domains.len(), 1);
}

#[test]
fn sigterm_and_sigint_stop_the_daemon_cleanly() {
    for signal in [Signal::SIGTERM, Signal::SIGINT] {
        let mut d = Daemon::start();
        d.cli()
            .json(["domain", "add", "kept.example", "--currencies", "USD"]);
        let status = d.stop_with(signal);
        assert_eq!(status.code(), Some(0), "{signal}: {status}\n{}", d.logs());
        assert!(!d.socket().exists(), "{signal}: the socket is still there");
        d.start_again();
        let list: Vec<Domain> = typed(d.cli().json(["domain", "list"]));
        assert_eq!(list.len(), 1, "{signal}: data lost");
    }
}

/// `Some(None)` in a patch means "clear"; it must survive the JSON wire (where a plain
/// `Option<Option<T>>` turns it into `null`, read back as `None`, "keep").
#[test]
fn patches_that_clear_a_value_survive_the_wire() {
    let d = Daemon::start();
    let cli = d.cli();
    let t = add_customer(&cli, "Template", "USD");
    cli.json([
        "domain",
        "add",
        "wire.example",
        "--currencies",
        "USD",
        "--template-customer",
        &t.id.to_string(),
        "--smtp-host",
        "mail.example.com",
        "--smtp-from",
        "noreply@wire.example",
    ]);
    let socket = d.socket();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let domain = rt.block_on(async {
        let ctx = tarpc::context::current;
        let client = admin::connect_raw(&socket).await.unwrap();
        client
            .version(ctx(), PROTOCOL_VERSION)
            .await
            .unwrap()
            .unwrap();
        let patch = portico_protocol::DomainPatch {
            template_customer: Some(None),
            smtp: Some(None),
            ..Default::default()
        };
        client
            .domain_set(ctx(), "wire.example".into(), patch)
            .await
            .unwrap()
            .unwrap()
    });
    assert_eq!(
        (domain.template_customer, domain.smtp),
        (None, None),
        "DomainPatch {{ template_customer: Some(None), smtp: Some(None) }} kept both"
    );
}
