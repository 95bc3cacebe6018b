//! Every screen driven the way a person drives it (keys, and the daemon's replies), drawn into
//! ratatui's `TestBackend` at 80x24 and at 60x16, and compared with the committed snapshots in
//! `snapshots/`. The fixtures use fixed times, so nothing in a frame changes from run to run.

use std::collections::BTreeMap;

use insta::assert_snapshot;
use portico_protocol::{
    Access, AdminError, Alert, AuditEntry, Balance, BreakoutColumn, CdrColumn, CertInfo,
    CertSource, Contact, Contract, ContractApproval, Customer, CustomerDetail, CustomerKind,
    CustomerStatus, DnsCheck, Domain, DomainPatch, DomainTls, FileInfo, IngestStatus, Micros,
    Package, Payment, PaymentStatus, RateCard, Route, Section, SignupStatus, SmtpSecurity,
    SmtpSettings, TlsState, UnassignedGroup, VersionInfo,
};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::app::{App, Effect, press};
use super::io::{Failure, Reply, Request};
use super::render;
use super::theme::Theme;

const NOW: i64 = 1_780_000_000; // 2026-05-28 20:26:40 UTC
const STARTED: i64 = NOW - 3 * 3_600 - 25 * 60;

fn domain(fqdn: &str, brand: &str) -> Domain {
    Domain {
        fqdn: fqdn.into(),
        brand_name: brand.into(),
        customer_signup: true,
        carrier_signup: false,
        signup_status: SignupStatus::Active,
        currencies: vec!["USD".into(), "EUR".into()],
        template_customer: None,
        access: vec![
            Section::Balance,
            Section::Summary,
            Section::Cdr,
            Section::Payments,
        ],
        cdr_columns: vec![
            CdrColumn::CallTime,
            CdrColumn::Destination,
            CdrColumn::Charge,
        ],
        carrier_cdr_columns: vec![CdrColumn::CallId, CdrColumn::CallTime],
        breakout_columns: vec![BreakoutColumn::DestinationName, BreakoutColumn::Attempts],
        carrier_breakout_columns: vec![BreakoutColumn::DestinationName],
        custom_js: String::new(),
        custom_css: ":root { --portico-accent: #c00; }\nbody { margin: 0; }\n".into(),
        logo: None,
        footer: "© Acme Voice".into(),
        smtp: None,
        created_at: NOW - 86_400,
        updated_at: NOW - 3_600,
    }
}

fn customer(id: u64, name: &str, status: CustomerStatus) -> Customer {
    Customer {
        id,
        name: name.into(),
        kind: CustomerKind::Customer,
        currency: "USD".into(),
        status,
        debit_limit: Micros(50_000_000),
        account_codes: vec![format!("acct{id}")],
        overrides: BTreeMap::new(),
        created_at: NOW - 7 * 86_400,
        domain: Some("portal.alpha.test".into()),
    }
}

fn domains() -> Vec<Domain> {
    let mut b = domain("portal.beta.test", "Beta Telecom");
    b.carrier_signup = true;
    b.signup_status = SignupStatus::PendingApproval;
    b.smtp = Some(SmtpSettings {
        host: "mail.beta.test".into(),
        port: 587,
        security: SmtpSecurity::Starttls,
        username: "portal".into(),
        password_set: true,
        from: "portal@beta.test".into(),
    });
    vec![domain("portal.acme.test", "Acme Voice"), b]
}

/// 2027-02-01 12:00:00 UTC.
const EXPIRES: i64 = 1_801_483_200;

/// acme serves a certificate of the local CA; beta's DNS does not point here yet.
fn tls() -> Vec<DomainTls> {
    vec![
        DomainTls {
            fqdn: "portal.acme.test".into(),
            state: TlsState::Active {
                issuer: "CN=Portico local CA".into(),
                not_after: EXPIRES,
            },
            cert: Some(CertInfo {
                source: CertSource::LocalCa,
                issuer: "CN=Portico local CA".into(),
                names: vec!["portal.acme.test".into()],
                serial: "0a1b2c".into(),
                not_before: EXPIRES - 90 * 86_400,
                not_after: EXPIRES,
                renew_at: Some(EXPIRES - 30 * 86_400),
            }),
            dns: Some(DnsCheck {
                ok: true,
                found: "CNAME to portico.carrier.example".into(),
                checked_at: NOW - 600,
            }),
            failures: 0,
            note: None,
        },
        DomainTls {
            fqdn: "portal.beta.test".into(),
            state: TlsState::DnsPending {
                found: "A record 203.0.113.7 instead of a CNAME".into(),
            },
            cert: None,
            dns: Some(DnsCheck {
                ok: false,
                found: "A record 203.0.113.7 instead of a CNAME".into(),
                checked_at: NOW - 120,
            }),
            failures: 0,
            note: None,
        },
    ]
}

/// beta's DNS passed but its last order failed: a retry is due in 1h 05m.
fn beta_failed() -> DomainTls {
    DomainTls {
        fqdn: "portal.beta.test".into(),
        state: TlsState::Failed {
            problem: "urn:ietf:params:acme:error:rateLimited: too many certificates already \
                      issued for \"beta.test\""
                .into(),
            next_retry: NOW + 3_900,
        },
        cert: None,
        dns: Some(DnsCheck {
            ok: true,
            found: "CNAME to portico.carrier.example".into(),
            checked_at: NOW - 300,
        }),
        failures: 3,
        note: None,
    }
}

fn customers() -> Vec<Customer> {
    let mut carrier = customer(3, "Gamma Carrier", CustomerStatus::Active);
    carrier.kind = CustomerKind::Carrier;
    vec![
        customer(1, "Example Ltd", CustomerStatus::Active),
        customer(2, "New Signup GmbH", CustomerStatus::PendingApproval),
        carrier,
        customer(4, "Old Co", CustomerStatus::Suspended),
    ]
}

fn detail() -> CustomerDetail {
    let mut c = customer(1, "Example Ltd", CustomerStatus::Active);
    c.overrides.insert(Section::Cdr, Access::Hide);
    CustomerDetail {
        customer: c,
        contacts: vec![
            Contact {
                id: 7,
                customer_id: 1,
                email: "ann@example.test".into(),
                name: "Ann Example".into(),
                ip_allow: vec!["192.0.2.0/24".into()],
                created_at: NOW - 6 * 86_400,
                phone: "+44 20 7946 0958".into(),
                time_zone: "Europe/London".into(),
                two_factor: true,
            },
            Contact {
                id: 8,
                customer_id: 1,
                email: "bob@example.test".into(),
                name: "Bob Billing".into(),
                ip_allow: vec![],
                created_at: NOW - 5 * 86_400,
                phone: String::new(),
                time_zone: String::new(),
                two_factor: false,
            },
        ],
        routes: vec![Route {
            customer_id: 1,
            ratecard: "Retail USD".into(),
            tech_prefix: "99#".into(),
        }],
        payments: vec![Payment {
            id: 11,
            customer_id: 1,
            amount: Micros(25_000_000),
            status: PaymentStatus::Completed,
            description: "Top-up".into(),
            created_at: NOW - 2 * 86_400,
        }],
        alerts: vec![Alert {
            id: 1,
            customer_id: 1,
            threshold: Micros(10_000_000),
            email: "billing@example.test".into(),
        }],
        packages: vec![Package {
            id: 2,
            customer_id: 1,
            name: "Gold 1000".into(),
            description: "1000 minutes to the EU".into(),
            price: Micros(25_000_000),
        }],
        contracts: vec![
            Contract {
                id: 3,
                customer_id: 1,
                name: "Terms of service".into(),
                text: "…".into(),
                required: true,
            },
            Contract {
                id: 4,
                customer_id: 1,
                name: "Data processing".into(),
                text: "…".into(),
                required: true,
            },
            Contract {
                id: 5,
                customer_id: 1,
                name: "Newsletter".into(),
                text: "…".into(),
                required: false,
            },
        ],
        template_of: vec!["portal.acme.test".into()],
        balance: Some(Balance {
            customer_id: 1,
            currency: "USD".into(),
            payments: Micros(25_000_000),
            charges: Micros(1_234_500),
            balance: Micros(23_765_500),
            debit_limit: Micros(50_000_000),
            available: Micros(73_765_500),
            low_balance: false,
            exhausted: false,
        }),
        approvals: vec![ContractApproval {
            contract_id: 3,
            customer_id: 1,
            contact_id: 7,
            typed_name: "Ann Example".into(),
            approved_at: 1_779_268_500,
        }],
    }
}

/// An app that is connected and has loaded everything, on the Domains screen.
fn loaded() -> App {
    let mut app = App::new(Theme::new(false), "/run/portico/admin.sock".into(), NOW);
    app.reply(
        None,
        Reply::Up(VersionInfo {
            protocol: 1,
            daemon: "0.1.0".into(),
            started_at: STARTED,
        }),
    );
    let status = |cdrs| IngestStatus {
        cdrs,
        unassigned: 42,
        unrated: 3,
        quarantined: 1,
    };
    app.now = NOW - 30;
    app.reply(None, Reply::Ingest(status(12_000)));
    app.now = NOW;
    app.reply(None, Reply::Ingest(status(12_090)));
    app.reply(Some(1), Reply::Domains(domains()));
    app.reply(Some(2), Reply::Customers(customers()));
    app.reply(Some(7), Reply::Tls(tls()));
    app.reply(
        Some(3),
        Reply::Files(vec![FileInfo {
            name: "acme-logo.png".into(),
            size: 18_432,
            content_type: "image/png".into(),
            width: Some(240),
            height: Some(60),
            sha256: "ab".repeat(32),
            uploaded_at: NOW - 5_000,
        }]),
    );
    app.reply(
        Some(4),
        Reply::RateCards(vec![RateCard {
            name: "Retail USD".into(),
            currency: "USD".into(),
            rates: 15_230,
            created_at: NOW - 30 * 86_400,
            updated_at: NOW - 86_400,
        }]),
    );
    app.reply(
        Some(5),
        Reply::Unassigned(vec![UnassignedGroup {
            account_code: "unknown7".into(),
            cdrs: 42,
            first_call: NOW - 50_000,
            last_call: NOW - 100,
        }]),
    );
    app.reply(
        Some(6),
        Reply::Audit(vec![AuditEntry {
            seq: 17,
            at: NOW - 60,
            uid: Some(1000),
            pid: Some(4242),
            action: "domain_set".into(),
            target: "domain portal.acme.test".into(),
            detail: r#"{"hide_sections":["cdr"]}"#.into(),
        }]),
    );
    app.message = None;
    app.take_effects();
    app
}

fn draw(app: &App, w: u16, h: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| render::draw(f, app)).unwrap();
    terminal.backend().to_string()
}

/// Snapshots the app at both sizes.
fn snap(name: &str, app: &App) {
    assert_snapshot!(format!("{name}_80x24"), draw(app, 80, 24));
    assert_snapshot!(format!("{name}_60x16"), draw(app, 60, 16));
}

fn requests(app: &mut App) -> Vec<Request> {
    app.take_effects()
        .into_iter()
        .filter_map(|e| match e {
            Effect::Request(_, r) => Some(r),
            _ => None,
        })
        .collect()
}

#[test]
fn domains_screen() {
    let app = loaded();
    snap("domains", &app);
}

#[test]
fn domains_filtered_and_empty() {
    let mut app = loaded();
    press(&mut app, "/beta");
    snap("domains_filtering", &app);
    press(&mut app, "⏎");
    assert_eq!(
        super::screens::domains::shown(&app.domains, &app.data).len(),
        1
    );
    let mut empty = loaded();
    empty.reply(None, Reply::Domains(vec![]));
    snap("domains_empty", &empty);
}

#[test]
fn help_is_built_from_the_key_table() {
    let mut app = loaded();
    press(&mut app, "?");
    let frame = draw(&app, 80, 24);
    assert!(frame.contains("add"), "{frame}");
    snap("help", &app);
}

#[test]
fn adding_a_domain_shows_the_daemons_refusal_next_to_the_field() {
    let mut app = loaded();
    press(&mut app, "a");
    press(&mut app, "new.test⇥Newco⇥");
    press(&mut app, "⌫⌫⌫XYZ⏎");
    let effects = app.take_effects();
    let Some(Effect::Request(ticket, Request::AddDomain(fqdn, patch))) = effects.first() else {
        panic!("{effects:?}")
    };
    assert_eq!(fqdn, "new.test");
    assert_eq!(patch.currencies, Some(vec!["XYZ".to_string()]));
    app.reply(
        Some(*ticket),
        Reply::Failed {
            what: "adding the domain",
            failure: Failure::Admin(AdminError::invalid(
                "currencies",
                "\"XYZ\" is not an ISO 4217 code",
            )),
        },
    );
    snap("domain_add_refused", &app);
}

#[test]
fn deleting_asks_first() {
    let mut app = loaded();
    press(&mut app, "d");
    snap("domain_delete_confirm", &app);
    press(&mut app, "y");
    assert_eq!(
        requests(&mut app),
        vec![Request::RemoveDomain("portal.acme.test".into())]
    );
}

#[test]
fn the_daemon_going_away_is_said() {
    let mut app = loaded();
    app.reply(
        None,
        Reply::Down("the daemon went away (connection closed); reconnecting…".into()),
    );
    snap("link_down", &app);
}

#[test]
fn editor_tabs() {
    let mut app = loaded();
    press(&mut app, "↓⏎");
    snap("editor_basic", &app);
    press(&mut app, "⇥");
    snap("editor_access", &app);
    press(&mut app, "⇥");
    snap("editor_breakout", &app);
    press(&mut app, "⇥");
    snap("editor_cdr", &app);
    press(&mut app, "⇥");
    snap("editor_advanced", &app);
    press(&mut app, "⇥");
    snap("editor_smtp", &app);
    press(&mut app, "⇥");
    snap("editor_certificate", &app);
    // DNS is pending: no order failed, so there is nothing to retry, only a DNS check.
    press(&mut app, "n");
    assert_eq!(requests(&mut app), vec![]);
    press(&mut app, "c");
    assert_eq!(
        requests(&mut app),
        vec![Request::TlsCheck("portal.beta.test".into())]
    );
}

#[test]
fn certificate_state_in_the_list_and_the_certificate_tab() {
    let mut app = loaded();
    let frame = draw(&app, 80, 24);
    assert!(frame.contains("active · 2027-02-01"), "{frame}");
    assert!(frame.contains("dns_pending"), "{frame}");
    app.reply(Some(20), Reply::TlsChecked(beta_failed()));
    snap("domains_tls_failed", &app);
    // A failed order can be retried now, which checks DNS and orders when it passes.
    press(&mut app, "↓⏎⇤");
    snap("editor_certificate_failed", &app);
    press(&mut app, "n");
    assert_eq!(
        requests(&mut app),
        vec![Request::TlsCheck("portal.beta.test".into())]
    );
    // An uploaded certificate: the chain and key paths go to the I/O task, which reads them.
    press(&mut app, "U");
    press(&mut app, "/etc/ssl/beta.pem⇥/etc/ssl/beta.key⏎");
    let effects = app.take_effects();
    let [Effect::Request(ticket, Request::CertUpload { fqdn, chain, key })] = effects.as_slice()
    else {
        panic!("{effects:?}")
    };
    assert_eq!(
        (fqdn.as_str(), chain.to_str(), key.to_str()),
        (
            "portal.beta.test",
            Some("/etc/ssl/beta.pem"),
            Some("/etc/ssl/beta.key")
        )
    );
    app.reply(
        Some(*ticket),
        Reply::Failed {
            what: "uploading the certificate",
            failure: Failure::Admin(AdminError::invalid(
                "certificate",
                "the key does not match the certificate; upload the key it was issued for",
            )),
        },
    );
    snap("editor_cert_upload_refused", &app);
    // Served once uploaded: it can be removed (after a confirmation).
    press(&mut app, "⎋");
    assert!(!app.offered().contains(&super::keys::Cmd::RemoveCert));
    let mut uploaded = tls()[0].clone();
    uploaded.fqdn = "portal.beta.test".into();
    if let Some(c) = &mut uploaded.cert {
        c.source = CertSource::Uploaded;
        c.renew_at = None;
    }
    app.reply(Some(*ticket + 1), Reply::CertUploaded(uploaded));
    press(&mut app, "X");
    press(&mut app, "y");
    assert_eq!(
        requests(&mut app),
        vec![Request::CertRemove("portal.beta.test".into())]
    );
}

#[test]
fn smtp_test_mail_shows_the_daemons_answer_or_error() {
    let mut app = loaded();
    press(&mut app, "↓⏎⇤⇤");
    press(&mut app, "t");
    press(&mut app, "ops@beta.test");
    snap("editor_test_mail_form", &app);
    press(&mut app, "⏎");
    let effects = app.take_effects();
    let [Effect::Request(ticket, Request::TestMail(fqdn, to))] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(
        (fqdn.as_str(), to.as_str()),
        ("portal.beta.test", "ops@beta.test")
    );
    app.reply(
        Some(*ticket),
        Reply::TestMailSent {
            fqdn: fqdn.clone(),
            answer: "sent a test mail to ops@beta.test through mail.beta.test:587 (starttls)"
                .into(),
        },
    );
    assert!(app.popup.is_none());
    snap("editor_test_mail_sent", &app);
    // A second one fails: the daemon's words show next to the address.
    press(&mut app, "t⏎");
    let ticket = match app.take_effects().as_slice() {
        [Effect::Request(t, Request::TestMail(..))] => *t,
        other => panic!("{other:?}"),
    };
    app.reply(
        Some(ticket),
        Reply::Failed {
            what: "sending the test mail",
            failure: Failure::Admin(AdminError::invalid(
                "smtp",
                "cannot connect to mail.beta.test:587: connection refused; check smtp host and port",
            )),
        },
    );
    snap("editor_test_mail_failed", &app);
    // An unsaved SMTP change is not what the test would use: it asks to save first.
    press(&mut app, "⎋↓↓ t");
    assert!(app.popup.is_none());
    assert!(
        matches!(&app.message, Some(super::app::Message::Error(e)) if e.contains("save the SMTP")),
        "{:?}",
        app.message
    );
}

#[test]
fn editing_saves_only_what_changed() {
    let mut app = loaded();
    press(&mut app, "⏎");
    // Basic: brand name, then carrier sign-up.
    press(&mut app, "↓⏎⌫⌫⌫⌫⌫Tel⏎↓↓ ");
    // Access: hide balance (row 0), show latest_calls (row 3).
    press(&mut app, "⇥ ↓↓↓ ");
    // CDR: move charge (3rd) to the top for customers; carriers: include destination.
    press(&mut app, "⇥⇥↓↓KK");
    press(&mut app, "l↓↓↓↓↓ ");
    snap("editor_modified", &app);
    press(&mut app, "s");
    let sent = requests(&mut app);
    let [Request::SetDomain(fqdn, patch)] = sent.as_slice() else {
        panic!("{sent:?}")
    };
    assert_eq!(fqdn, "portal.acme.test");
    assert_eq!(
        patch,
        &DomainPatch {
            brand_name: Some("Acme Tel".into()),
            carrier_signup: Some(true),
            show_sections: vec![Section::LatestCalls],
            hide_sections: vec![Section::Balance],
            cdr_columns: Some(vec![
                CdrColumn::Charge,
                CdrColumn::CallTime,
                CdrColumn::Destination
            ]),
            carrier_cdr_columns: Some(vec![
                CdrColumn::CallId,
                CdrColumn::CallTime,
                CdrColumn::Destination
            ]),
            ..DomainPatch::default()
        }
    );
}

#[test]
fn a_refused_save_names_the_field_on_its_tab() {
    let mut app = loaded();
    press(&mut app, "⏎↓⏎⌫⌫⌫⌫⌫⌫⌫⌫⌫⌫x⏎s");
    let ticket = match app.take_effects().as_slice() {
        [Effect::Request(t, Request::SetDomain(..))] => *t,
        other => panic!("{other:?}"),
    };
    // Leave the tab: the error brings the admin back to the field.
    press(&mut app, "⇥⇥");
    app.reply(
        Some(ticket),
        Reply::Failed {
            what: "saving the domain",
            failure: Failure::Admin(AdminError::invalid(
                "brand_name",
                "must be at least 2 characters",
            )),
        },
    );
    snap("editor_refused", &app);
}

#[test]
fn pickers_filter_as_you_type() {
    let mut app = loaded();
    press(&mut app, "⏎↓↓↓↓↓↓⏎");
    press(&mut app, "gam");
    snap("editor_template_picker", &app);
    press(&mut app, "⏎");
    assert_eq!(
        app.editor.as_ref().unwrap().draft.template_customer,
        Some(3)
    );
}

#[test]
fn customers_pending_first_and_approval() {
    let mut app = loaded();
    press(&mut app, "2");
    app.take_effects();
    snap("customers", &app);
    press(&mut app, "A");
    assert_eq!(requests(&mut app), vec![Request::Approve(2)]);
    press(&mut app, "f");
    snap("customers_pending_only", &app);
    press(&mut app, "R");
    snap("customer_reject_confirm", &app);
    press(&mut app, "y");
    assert_eq!(requests(&mut app), vec![Request::Reject(2)]);
}

#[test]
fn customer_view_tabs_and_overrides() {
    let mut app = loaded();
    press(&mut app, "2");
    app.take_effects();
    press(&mut app, "↓⏎");
    assert_eq!(requests(&mut app), vec![Request::Customer(1)]);
    app.reply(Some(9), Reply::Customer(Box::new(detail())));
    snap("customer_fields", &app);
    press(&mut app, "⇥");
    snap("customer_contacts", &app);
    press(&mut app, "⇥");
    snap("customer_routes", &app);
    press(&mut app, "⇥");
    snap("customer_payments", &app);
    press(&mut app, "⇥");
    // balance: default → show; cdr: hide → default.
    press(&mut app, " ↓↓ ");
    snap("customer_access", &app);
    press(&mut app, "⇥");
    snap("customer_account", &app);
    press(&mut app, "s");
    assert_eq!(
        requests(&mut app),
        vec![Request::Overrides(
            1,
            vec![
                (Section::Balance, Access::Show),
                (Section::Cdr, Access::Default)
            ]
        )]
    );
}

#[test]
fn customer_fields_are_edited_and_generated_passwords_shown_once() {
    let mut app = loaded();
    press(&mut app, "2↓⏎");
    app.reply(Some(9), Reply::Customer(Box::new(detail())));
    app.take_effects();
    // Row 1 is the name; status cycles with Space.
    press(&mut app, "↓⏎⌫⌫⌫Inc⏎↓↓↓ s");
    let sent = requests(&mut app);
    let [Request::SetCustomer(1, patch)] = sent.as_slice() else {
        panic!("{sent:?}")
    };
    assert_eq!(patch.name.as_deref(), Some("Example Inc"));
    assert_eq!(patch.status, Some(CustomerStatus::PendingApproval));
    app.reply(
        Some(20),
        Reply::ContactCreated(portico_protocol::ContactCreated {
            contact: detail().contacts[0].clone(),
            generated_password: Some("correct-horse-battery".into()),
        }),
    );
    snap("customer_password_notice", &app);
}

#[test]
fn files_ratecards_cdrs_and_audit() {
    let mut app = loaded();
    press(&mut app, "3");
    snap("files", &app);
    press(&mut app, "u");
    snap("file_upload_form", &app);
    press(&mut app, "⎋4");
    snap("ratecards", &app);
    app.reply(Some(30), Reply::ImportProgress { done: 3, total: 8 });
    snap("ratecard_import_progress", &app);
    press(&mut app, "5");
    snap("unassigned_cdrs", &app);
    press(&mut app, "⏎");
    snap("assign_picker", &app);
    press(&mut app, "Example⏎");
    assert!(requests(&mut app).contains(&Request::Assign("unknown7".into(), 1)));
    press(&mut app, "6");
    snap("audit", &app);
}

#[test]
fn user_strings_cannot_drive_the_terminal() {
    let mut app = loaded();
    let mut evil = domain("evil.test", "Evil\u{1b}[31mRed\u{7}");
    evil.footer = "x".into();
    app.reply(None, Reply::Domains(vec![evil]));
    let frame = draw(&app, 80, 24);
    assert!(!frame.contains('\u{1b}'), "{frame}");
    assert!(frame.contains("Evil\\u{1b}"), "{frame}");
}

/// What outsiders can put in front of the admin: CDR account codes come from switches and
/// callers; customer and contact names from the portal's sign-up. An OSC title change with its
/// bell, C1's CSI and a carriage return.
const HOSTILE: &str = "\u{1b}]0;pwned\u{7}\u{9b}2J\r<b>";

/// Every screen and popup that shows such strings: no control character in any cell, and the
/// string shows as escapes where it was (not silently shortened).
#[test]
fn hostile_strings_show_escaped_on_every_screen_and_popup() {
    let mut app = loaded();
    app.reply(
        None,
        Reply::Domains(vec![domain("evil.test", &format!("Brand{HOSTILE}"))]),
    );
    app.reply(
        None,
        Reply::Customers(vec![customer(
            1,
            &format!("Cust{HOSTILE}"),
            CustomerStatus::Active,
        )]),
    );
    app.reply(
        None,
        Reply::Unassigned(vec![UnassignedGroup {
            account_code: format!("code{HOSTILE}"),
            cdrs: 2,
            first_call: NOW - 600,
            last_call: NOW - 60,
        }]),
    );
    // Columns may cut the rest; the escape right after the name must be there.
    let escaped = r"\u{1b}";
    let check = |app: &App, what: &str, shows: &str| {
        for (w, h) in [(80, 24), (120, 30)] {
            let frame = draw(app, w, h);
            assert!(
                !frame.chars().any(|c| c.is_control() && c != '\n'),
                "{what} at {w}x{h}: a control character reached the frame:\n{frame:?}"
            );
            assert!(
                frame.contains(&format!("{shows}{escaped}")),
                "{what} at {w}x{h}: {shows}{escaped} not shown:\n{frame}"
            );
        }
    };
    press(&mut app, "1");
    check(&app, "domains", "Brand");
    press(&mut app, "2");
    check(&app, "customers", "Cust");
    press(&mut app, "⏎");
    let mut evil = detail();
    evil.customer.name = format!("Cust{HOSTILE}");
    evil.contacts[0].name = format!("Ann{HOSTILE}");
    app.reply(None, Reply::Customer(Box::new(evil)));
    check(&app, "customer view", "Cust");
    press(&mut app, "⇥");
    check(&app, "customer contacts", "Ann");
    press(&mut app, "⎋5");
    check(&app, "unassigned CDRs", "code");
    press(&mut app, "⏎");
    check(&app, "the assign picker", "Assign \"code");
    press(&mut app, "⎋");
}

/// The bytes a real terminal gets (crossterm's own sequences aside): no bell, no OSC, no C1
/// control, no carriage return, whatever the strings hold.
#[test]
fn hostile_strings_never_reach_the_terminal_as_bytes() {
    use std::cell::RefCell;
    use std::rc::Rc;

    use ratatui::backend::CrosstermBackend;
    use ratatui::layout::Rect;
    use ratatui::{TerminalOptions, Viewport};

    /// The terminal's bytes, kept for reading after the draw.
    #[derive(Clone, Default)]
    struct Tty(Rc<RefCell<Vec<u8>>>);
    impl std::io::Write for Tty {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    let mut app = loaded();
    app.reply(
        None,
        Reply::Unassigned(vec![UnassignedGroup {
            account_code: format!("code{HOSTILE}"),
            cdrs: 2,
            first_call: NOW - 600,
            last_call: NOW - 60,
        }]),
    );
    app.reply(
        None,
        Reply::Customers(vec![customer(
            1,
            &format!("Cust{HOSTILE}"),
            CustomerStatus::Active,
        )]),
    );
    for keys in ["2", "5", "⏎"] {
        press(&mut app, keys);
        let tty = Tty::default();
        let mut terminal = Terminal::with_options(
            CrosstermBackend::new(tty.clone()),
            TerminalOptions {
                viewport: Viewport::Fixed(Rect::new(0, 0, 80, 24)),
            },
        )
        .unwrap();
        terminal.draw(|f| render::draw(f, &app)).unwrap();
        let text = String::from_utf8(tty.0.borrow().clone()).unwrap();
        for bad in ["\u{7}", "\u{1b}]", "\u{9b}", "\r"] {
            assert!(
                !text.contains(bad),
                "after {keys:?}: {bad:?} reached the terminal"
            );
        }
        assert!(
            text.contains("pwned"),
            "after {keys:?}: the string is not shown at all"
        );
    }
}

#[test]
fn no_color_draws_no_colour() {
    let app = loaded();
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    terminal.draw(|f| render::draw(f, &app)).unwrap();
    let buffer = terminal.backend().buffer();
    assert!(
        buffer
            .content()
            .iter()
            .all(|c| c.fg == ratatui::style::Color::Reset && c.bg == ratatui::style::Color::Reset)
    );
    let mut colored = loaded();
    colored.theme = Theme::new(true);
    terminal.draw(|f| render::draw(f, &colored)).unwrap();
    let buffer = terminal.backend().buffer();
    assert!(
        buffer
            .content()
            .iter()
            .any(|c| c.fg != ratatui::style::Color::Reset)
    );
}

#[test]
fn drawing_is_only_asked_for_when_something_changed() {
    let mut app = loaded();
    app.dirty = false;
    // Same minute of uptime: nothing to draw.
    assert!(!app.tick(NOW + 10));
    assert!(!app.dirty);
    assert!(app.tick(NOW + 70));
    assert!(app.dirty);
}
