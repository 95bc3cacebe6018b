//! Sign-up, confirmation and password reset through the router, with a real store and, where
//! mail is involved, a real SMTP server (aiosmtpd) on loopback.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::http::{StatusCode, header};
use portico_protocol::{
    Access, AdminError, Alert, AlertSpec, Contract, ContractSpec, CustomerKind, CustomerPatch,
    CustomerStatus, Micros, Package, PackageSpec, Payment, PaymentSpec, PaymentStatus, Section,
    SignupStatus,
};

use crate::admin::ops;
use crate::mail::testing::Sink;
use crate::portal::Portal;
use crate::portal::tests::{
    Brands, PASSWORD, add_account, header_of, hidden_csrf, send, set_cookies, source,
};
use crate::store::Store;

const NEW_PASSWORD: &str = "a brand new passphrase";

/// Changes the stored domain `fqdn`.
fn edit_domain(store: &Store, fqdn: &str, f: impl FnOnce(&mut crate::store::DomainRecord)) {
    store
        .write(|tx| {
            let mut record = tx.domain(fqdn)?.unwrap();
            f(&mut record);
            tx.put_domain(&record)
        })
        .unwrap();
}

fn open_signup(store: &Store, fqdn: &str) {
    edit_domain(store, fqdn, |r| {
        r.domain.customer_signup = true;
        r.domain.access = vec![Section::Balance];
    });
}

fn use_sink(store: &Store, fqdn: &str, sink: &Sink) {
    edit_domain(store, fqdn, |r| {
        r.domain.smtp = Some(sink.settings(&format!("noc@{fqdn}")));
    });
}

/// A template customer on alpha: debit limit, an override, a USD and a EUR rate card, a $5.00
/// payment and a cancelled one, an alert, a package and a required contract.
fn add_template(store: &Store) -> u64 {
    store
        .write(|tx| {
            let (t, _) = ops::customer::add(
                tx,
                0,
                CustomerPatch {
                    name: Some("Template".into()),
                    currency: Some("USD".into()),
                    debit_limit: Some("10".into()),
                    ..Default::default()
                },
            )?;
            ops::customer::set_override(tx, t.id, Section::Cdr, Access::Show)?;
            let csv = "prefix,name,rate\n44,United Kingdom,0.02\n";
            ops::ratecard::import(tx, 0, "std-usd", "USD", csv, false)?;
            ops::ratecard::import(tx, 0, "std-eur", "EUR", csv, false)?;
            ops::ratecard::route_add(tx, t.id, "std-usd", "9#")?;
            ops::account::payment_add(
                tx,
                0,
                t.id,
                PaymentSpec {
                    amount: "5.00".into(),
                    status: None,
                    description: "Welcome credit #promo-2026".into(),
                },
            )?;
            ops::account::payment_add(
                tx,
                0,
                t.id,
                PaymentSpec {
                    amount: "7.00".into(),
                    status: Some(PaymentStatus::Cancelled),
                    description: "never mind".into(),
                },
            )?;
            ops::account::alert_add(
                tx,
                t.id,
                AlertSpec {
                    threshold: "2.50".into(),
                    email: "template@alpha.example".into(),
                },
            )?;
            ops::account::package_add(
                tx,
                t.id,
                PackageSpec {
                    name: "Starter".into(),
                    description: "100 minutes".into(),
                    price: "3.00".into(),
                },
            )?;
            ops::account::contract_add(
                tx,
                t.id,
                ContractSpec {
                    name: "Terms".into(),
                    text: "Be nice.".into(),
                    required: true,
                },
            )?;
            Ok::<_, AdminError>(t.id)
        })
        .unwrap()
}

/// Fills in and posts the sign-up form at `path`; returns the answer, its body and the cookies.
async fn sign_up(
    brands: &Brands,
    portal: &Portal,
    host: &str,
    path: &str,
    fields: &[(&str, &str)],
) -> (
    axum::http::Response<axum::body::Body>,
    String,
    Vec<(String, String)>,
) {
    let (response, page) = send(brands, portal, "GET", host, path, &[], None).await;
    assert_eq!(response.status(), StatusCode::OK, "{page}");
    let mut jar = set_cookies(&response);
    let csrf = hidden_csrf(&page);
    let mut form: Vec<(&str, &str)> = vec![
        ("company", "Newco Ltd"),
        ("name", "Nora New"),
        ("email", "nora@newco.example"),
        ("password", PASSWORD),
        ("password2", PASSWORD),
        ("currency", "USD"),
        ("website", ""),
    ];
    for (k, v) in fields {
        match form.iter_mut().find(|(fk, _)| fk == k) {
            Some(slot) => slot.1 = v,
            None => form.push((k, v)),
        }
    }
    form.push(("csrf", &csrf));
    let (response, body) = send(brands, portal, "POST", host, path, &jar, Some(&form)).await;
    jar.extend(set_cookies(&response));
    (response, body, jar)
}

fn customers(store: &Store) -> Vec<portico_protocol::Customer> {
    store.read(|tx| tx.customers()).unwrap()
}

fn newest(store: &Store) -> portico_protocol::Customer {
    customers(store).into_iter().max_by_key(|c| c.id).unwrap()
}

fn path_of(link: &str) -> String {
    let rest = link.split_once("://").unwrap().1;
    format!("/{}", rest.split_once('/').unwrap().1)
}

#[tokio::test]
async fn sign_up_from_a_template_copies_it_and_logs_in() {
    let brands = source();
    let portal = Portal::new(brands.store.clone());
    let template = add_template(&brands.store);
    open_signup(&brands.store, "alpha.example");
    edit_domain(&brands.store, "alpha.example", |r| {
        r.domain.template_customer = Some(template);
        r.domain.signup_status = SignupStatus::PendingApproval;
        r.domain.currencies = vec!["USD".into(), "EUR".into()];
    });

    let (response, body, jar) = sign_up(&brands, &portal, "alpha.example", "/signup", &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{body}");
    assert_eq!(header_of(&response, header::LOCATION), "/");
    assert!(jar.iter().any(|(k, _)| k == "__Host-portico"), "{jar:?}");

    let c = newest(&brands.store);
    assert_eq!(c.name, "Newco Ltd");
    assert_eq!(c.kind, CustomerKind::Customer);
    assert_eq!(c.currency, "USD");
    assert_eq!(c.status, CustomerStatus::PendingApproval);
    assert_eq!(c.domain.as_deref(), Some("alpha.example"));
    assert_eq!(c.debit_limit, Micros(10_000_000));
    assert_eq!(c.overrides.get(&Section::Cdr), Some(&Access::Show));
    assert!(c.account_codes.is_empty());
    let (routes, payments, alerts, packages, contracts, contacts, balance, audit) = brands
        .store
        .read(|tx| {
            Ok::<_, AdminError>((
                tx.routes_of(c.id)?,
                tx.children::<Payment>(c.id)?,
                tx.children::<Alert>(c.id)?,
                tx.children::<Package>(c.id)?,
                tx.children::<Contract>(c.id)?,
                tx.contacts_of(c.id)?,
                crate::reports::balance(tx, c.id)?,
                tx.audit_recent(5)?,
            ))
        })
        .unwrap();
    assert_eq!(routes.len(), 1);
    assert_eq!(
        (routes[0].ratecard.as_str(), routes[0].tech_prefix.as_str()),
        ("std-usd", "9#")
    );
    assert_eq!(payments.len(), 1, "the cancelled payment is not copied");
    assert_eq!(payments[0].amount, Micros(5_000_000));
    assert_eq!(payments[0].status, PaymentStatus::Completed);
    assert!(payments[0].created_at > 1_700_000_000, "dated at sign-up");
    assert_eq!(balance.balance, Micros(5_000_000));
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].threshold, Micros(2_500_000));
    assert_eq!(alerts[0].email, "nora@newco.example");
    assert_eq!(packages.len(), 1);
    assert_eq!(packages[0].name, "Starter");
    assert_eq!(contracts.len(), 1);
    assert!(contracts[0].required);
    assert_eq!(contacts.len(), 1);
    assert_eq!(contacts[0].email, "nora@newco.example");
    assert_eq!(contacts[0].name, "Nora New");
    assert_eq!(audit[0].action, "portal_signup");
    assert!(
        audit[0].detail.contains("alpha.example"),
        "{}",
        audit[0].detail
    );

    // The new session opens the dashboard: $5.00, and the pending notice.
    let (response, page) = send(&brands, &portal, "GET", "alpha.example", "/", &jar, None).await;
    assert_eq!(response.status(), StatusCode::OK, "{page}");
    assert!(page.contains("$5.00"), "{page}");
    assert!(page.contains("id=\"pending-notice\""), "{page}");
    // The template itself is untouched.
    let t = brands
        .store
        .read(|tx| tx.customer(template))
        .unwrap()
        .unwrap();
    assert_eq!(t.name, "Template");
}

#[tokio::test]
async fn a_eur_sign_up_gets_only_the_eur_cards() {
    let brands = source();
    let portal = Portal::new(brands.store.clone());
    let template = add_template(&brands.store);
    open_signup(&brands.store, "alpha.example");
    edit_domain(&brands.store, "alpha.example", |r| {
        r.domain.template_customer = Some(template);
        r.domain.currencies = vec!["USD".into(), "EUR".into()];
    });
    let (response, body, _) = sign_up(
        &brands,
        &portal,
        "alpha.example",
        "/signup",
        &[("currency", "EUR")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{body}");
    let c = newest(&brands.store);
    assert_eq!(c.currency, "EUR");
    let routes = brands.store.read(|tx| tx.routes_of(c.id)).unwrap();
    assert!(
        routes.is_empty(),
        "a USD card is not given to a EUR account: {routes:?}"
    );
    // A currency the domain does not offer is refused.
    let before = customers(&brands.store).len();
    let (_, body, _) = sign_up(
        &brands,
        &portal,
        "alpha.example",
        "/signup",
        &[("currency", "GBP"), ("email", "other@newco.example")],
    )
    .await;
    assert!(
        body.contains("Pick a currency from the list: USD, EUR."),
        "{body}"
    );
    assert_eq!(customers(&brands.store).len(), before);
}

#[tokio::test]
async fn without_a_template_a_bare_carrier_signs_up() {
    let brands = source();
    let portal = Portal::new(brands.store.clone());
    edit_domain(&brands.store, "alpha.example", |r| {
        r.domain.carrier_signup = true
    });
    let (response, body, _) =
        sign_up(&brands, &portal, "alpha.example", "/signup/carrier", &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{body}");
    let c = newest(&brands.store);
    assert_eq!(c.kind, CustomerKind::Carrier);
    assert_eq!(c.status, CustomerStatus::Active);
    assert_eq!(c.debit_limit, Micros(0));
    let payments = brands
        .store
        .read(|tx| tx.children::<Payment>(c.id))
        .unwrap();
    assert!(payments.is_empty());
}

#[tokio::test]
async fn disabled_sign_up_is_a_404() {
    let brands = source();
    let portal = Portal::new(brands.store.clone());
    edit_domain(&brands.store, "alpha.example", |r| {
        r.domain.carrier_signup = true
    });
    for path in ["/signup"] {
        let (response, _) = send(&brands, &portal, "GET", "alpha.example", path, &[], None).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        let (response, _) = send(
            &brands,
            &portal,
            "POST",
            "alpha.example",
            path,
            &[],
            Some(&[("company", "X")]),
        )
        .await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "POST {path}");
    }
    for path in ["/signup", "/signup/carrier"] {
        let (response, _) = send(&brands, &portal, "GET", "bravo.example", path, &[], None).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "bravo {path}");
    }
    let (response, page) = send(
        &brands,
        &portal,
        "GET",
        "alpha.example",
        "/signup/carrier",
        &[],
        None,
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(page.contains("Sign up as a carrier"), "{page}");
    assert!(page.contains("class=\"signup-extra\""), "{page}");
    assert!(!page.contains("type=\"hidden\" name=\"website\""), "{page}");
}

#[tokio::test]
async fn the_honeypot_pretends_and_creates_nothing() {
    let brands = source();
    let portal = Portal::new(brands.store.clone());
    open_signup(&brands.store, "alpha.example");
    let before = customers(&brands.store).len();
    let (response, _, jar) = sign_up(
        &brands,
        &portal,
        "alpha.example",
        "/signup",
        &[("website", "http://spam.example")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(!jar.iter().any(|(k, _)| k == "__Host-portico"));
    assert_eq!(customers(&brands.store).len(), before);
    let contact = brands
        .store
        .read(|tx| tx.contact_by_email("nora@newco.example"))
        .unwrap();
    assert!(contact.is_none());
}

#[tokio::test]
async fn sign_ups_are_limited_per_client_address() {
    let brands = source();
    let portal = Portal::new(brands.store.clone());
    open_signup(&brands.store, "alpha.example");
    for i in 0..super::SIGNUPS_PER_WINDOW {
        let email = format!("n{i}@newco.example");
        let (response, body, _) = sign_up(
            &brands,
            &portal,
            "alpha.example",
            "/signup",
            &[("email", &email)],
        )
        .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "#{i}: {body}");
    }
    let before = customers(&brands.store).len();
    let (response, body, _) = sign_up(
        &brands,
        &portal,
        "alpha.example",
        "/signup",
        &[("email", "late@newco.example")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(
        body.contains("Too many sign-ups from your network"),
        "{body}"
    );
    assert!(body.contains("at most 5 an hour"), "{body}");
    assert!(
        body.contains("value=\"late@newco.example\""),
        "typed values kept: {body}"
    );
    assert_eq!(customers(&brands.store).len(), before);
}

#[tokio::test]
async fn bad_input_is_named_and_changes_nothing() {
    let brands = source();
    let portal = Portal::new(brands.store.clone());
    open_signup(&brands.store, "alpha.example");
    let before = customers(&brands.store).len();
    for (fields, says) in [
        (
            vec![("password2", "something else!")],
            "The two passwords differ",
        ),
        (
            vec![("password", "short"), ("password2", "short")],
            "at least 10 characters",
        ),
        (vec![("email", "not-an-address")], "E-mail address:"),
        (vec![("company", "  ")], "company"),
    ] {
        let (response, body, _) =
            sign_up(&brands, &portal, "alpha.example", "/signup", &fields).await;
        assert_eq!(response.status(), StatusCode::OK, "{fields:?}");
        assert!(body.contains(says), "{fields:?}: {body}");
        assert!(body.contains("id=\"signup-error\""), "{body}");
        assert!(!body.contains(PASSWORD), "passwords are not echoed");
    }
    // Without the form token: refused.
    let (response, _) = send(
        &brands,
        &portal,
        "POST",
        "alpha.example",
        "/signup",
        &[],
        Some(&[("company", "X"), ("email", "x@newco.example")]),
    )
    .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(customers(&brands.store).len(), before);
}

/// The company and the person's name become the customer's and the contact's names, which the
/// admin's terminal shows: control characters (an escape sequence, C1's CSI, a bell) are
/// refused as the admin's own commands refuse them, and so are names longer than theirs.
#[tokio::test]
async fn control_characters_and_overlong_names_are_refused() {
    let brands = source();
    let portal = Portal::new(brands.store.clone());
    open_signup(&brands.store, "alpha.example");
    let before = customers(&brands.store).len();
    let long = "N".repeat(201);
    for (field, value, says) in [
        ("company", "Evil\u{1b}]0;pwned\u{7}Co", "U+001B"),
        ("company", "Evil\u{9b}2JCo", "U+009B"),
        ("name", "Eve\rMallory", "U+000D"),
        ("company", long.as_str(), "201 characters"),
        ("name", long.as_str(), "201 characters"),
    ] {
        let (response, body, _) = sign_up(
            &brands,
            &portal,
            "alpha.example",
            "/signup",
            &[(field, value)],
        )
        .await;
        assert_eq!(response.status(), StatusCode::OK, "{field}={value:?}");
        assert!(
            body.contains("id=\"signup-error\""),
            "{field}={value:?}: {body}"
        );
        assert!(body.contains(says), "{field}={value:?}: {body}");
        assert_eq!(customers(&brands.store).len(), before, "{field}={value:?}");
    }
}

#[tokio::test]
async fn a_taken_address_without_smtp_gets_the_generic_refusal() {
    let brands = source();
    let portal = Portal::new(brands.store.clone());
    open_signup(&brands.store, "alpha.example");
    // Contact e-mails are unique across the whole carrier: one on bravo blocks alpha too.
    add_account(&brands.store, "bravo.example", "pat@bravo.example", vec![]);
    let before = customers(&brands.store).len();
    let (response, body, jar) = sign_up(
        &brands,
        &portal,
        "alpha.example",
        "/signup",
        &[("email", "Pat@Bravo.example")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        body.contains("This e-mail address can&#39;t be used for sign-up here; log in, or use another address."),
        "{body}"
    );
    assert!(
        !body.contains("Voice"),
        "no word of the other brand: {body}"
    );
    assert!(!jar.iter().any(|(k, _)| k == "__Host-portico"));
    assert_eq!(customers(&brands.store).len(), before);
}

#[tokio::test]
async fn with_smtp_the_address_is_confirmed_by_a_mailed_link() {
    let sink = Sink::start();
    let brands = source();
    let portal = Portal::new(brands.store.clone());
    open_signup(&brands.store, "alpha.example");
    use_sink(&brands.store, "alpha.example", &sink);

    let (response, body, jar) = sign_up(&brands, &portal, "alpha.example", "/signup", &[]).await;
    assert_eq!(response.status(), StatusCode::OK, "{body}");
    assert!(body.contains("id=\"check-mail\""), "{body}");
    assert!(
        body.contains("We sent a link to nora@newco.example"),
        "{body}"
    );
    assert!(!jar.iter().any(|(k, _)| k == "__Host-portico"));

    // Not confirmed yet: the right password is not enough.
    let (_, _, page) =
        crate::portal::tests::log_in(&brands, &portal, "alpha.example", "nora@newco.example").await;
    assert!(page.contains("Confirm your e-mail address first"), "{page}");

    let mail = sink.wait_for("nora@newco.example", 1).await;
    assert_eq!(mail.subject, "Alpha Telecom: confirm your e-mail address");
    assert_eq!(mail.mail_from, "noc@alpha.example");
    assert!(mail.text.contains("Hello Nora New"), "{}", mail.text);
    let link = mail.link_with("/confirm/").expect("a confirmation link");
    assert!(link.starts_with("https://alpha.example/confirm/"), "{link}");
    let path = path_of(&link);

    // The link of one brand does nothing on another, and is not used up there.
    let (response, _) = send(&brands, &portal, "GET", "bravo.example", &path, &[], None).await;
    assert_eq!(response.status(), StatusCode::GONE);
    let (response, page) = send(&brands, &portal, "GET", "alpha.example", &path, &[], None).await;
    assert_eq!(response.status(), StatusCode::OK, "{page}");
    assert!(page.contains("is confirmed. Log in to start."), "{page}");
    let (response, _, _) =
        crate::portal::tests::log_in(&brands, &portal, "alpha.example", "nora@newco.example").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(header_of(&response, header::LOCATION), "/");
    // Once only.
    let (response, page) = send(&brands, &portal, "GET", "alpha.example", &path, &[], None).await;
    assert_eq!(response.status(), StatusCode::GONE);
    assert!(
        page.contains("This link has expired or was already used"),
        "{page}"
    );
}

#[tokio::test]
async fn with_smtp_a_taken_address_looks_like_success_and_its_owner_is_told() {
    let sink = Sink::start();
    let brands = source();
    let portal = Portal::new(brands.store.clone());
    open_signup(&brands.store, "alpha.example");
    use_sink(&brands.store, "alpha.example", &sink);
    add_account(&brands.store, "alpha.example", "pat@alpha.example", vec![]);
    let before = customers(&brands.store).len();

    let (fresh_status, fresh, _) = sign_up(&brands, &portal, "alpha.example", "/signup", &[]).await;
    let (taken_status, taken, _) = sign_up(
        &brands,
        &portal,
        "alpha.example",
        "/signup",
        &[("email", "pat@alpha.example")],
    )
    .await;
    assert_eq!(fresh_status.status(), taken_status.status());
    assert_eq!(
        fresh.replace("nora@newco.example", "ADDRESS"),
        taken.replace("pat@alpha.example", "ADDRESS"),
        "the same page either way"
    );
    assert_eq!(customers(&brands.store).len(), before + 1);
    let mail = sink.wait_for("pat@alpha.example", 1).await;
    assert_eq!(
        mail.subject,
        "Alpha Telecom: someone tried to sign up with your address"
    );
    assert!(mail.text.contains("Nothing was changed"), "{}", mail.text);
    assert!(mail.link_with("/forgot").is_some(), "{}", mail.text);
    // The owner's password still works.
    let (response, _, _) =
        crate::portal::tests::log_in(&brands, &portal, "alpha.example", "pat@alpha.example").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

/// Asks for a reset link on `host`; returns the page.
async fn forgot(brands: &Brands, portal: &Portal, host: &str, email: &str) -> (StatusCode, String) {
    let (response, page) = send(brands, portal, "GET", host, "/forgot", &[], None).await;
    assert_eq!(response.status(), StatusCode::OK, "{page}");
    let jar = set_cookies(&response);
    let csrf = hidden_csrf(&page);
    let (response, body) = send(
        brands,
        portal,
        "POST",
        host,
        "/forgot",
        &jar,
        Some(&[("email", email), ("csrf", &csrf)]),
    )
    .await;
    (response.status(), body)
}

#[tokio::test]
async fn a_reset_link_arrives_by_mail_and_works_once() {
    let sink = Sink::start();
    let brands = source();
    let portal = Portal::new(brands.store.clone());
    use_sink(&brands.store, "alpha.example", &sink);
    add_account(&brands.store, "alpha.example", "pat@alpha.example", vec![]);
    // A session from before the reset.
    let (_, old_jar, _) =
        crate::portal::tests::log_in(&brands, &portal, "alpha.example", "pat@alpha.example").await;
    let (response, _) = send(
        &brands,
        &portal,
        "GET",
        "alpha.example",
        "/",
        &old_jar,
        None,
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);

    let (status, known) = forgot(&brands, &portal, "alpha.example", "pat@alpha.example").await;
    assert_eq!(status, StatusCode::OK);
    let (status, unknown) = forgot(&brands, &portal, "alpha.example", "nobody@alpha.example").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        known.replace("pat@alpha.example", "ADDRESS"),
        unknown.replace("nobody@alpha.example", "ADDRESS"),
        "the same answer for unknown addresses"
    );
    assert!(
        known.contains("If an account exists for pat@alpha.example"),
        "{known}"
    );

    let mail = sink.wait_for("pat@alpha.example", 1).await;
    assert_eq!(mail.subject, "Alpha Telecom: set a new password");
    let path = path_of(&mail.link_with("/reset/").expect("a reset link"));

    // Another brand's host does not take it (nor use it up).
    let (response, _) = send(&brands, &portal, "GET", "bravo.example", &path, &[], None).await;
    assert_eq!(response.status(), StatusCode::GONE);
    // GET shows the form and does not use the link up.
    for _ in 0..2 {
        let (response, page) =
            send(&brands, &portal, "GET", "alpha.example", &path, &[], None).await;
        assert_eq!(response.status(), StatusCode::OK, "{page}");
        assert!(page.contains("Set a new password"), "{page}");
    }
    let (response, page) = send(&brands, &portal, "GET", "alpha.example", &path, &[], None).await;
    let jar = set_cookies(&response);
    let csrf = hidden_csrf(&page);
    let post = |password: &'static str| {
        let fields = vec![
            ("password", password.to_owned()),
            ("password2", password.to_owned()),
            ("csrf", csrf.clone()),
        ];
        (fields, jar.clone(), path.clone())
    };
    // A password against the policy keeps the link alive.
    let (fields, jar, path) = post("short");
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (response, page) = send(
        &brands,
        &portal,
        "POST",
        "alpha.example",
        &path,
        &jar,
        Some(&fields),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(page.contains("id=\"reset-error\""), "{page}");
    let (fields, jar, path) = post(NEW_PASSWORD);
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (response, page) = send(
        &brands,
        &portal,
        "POST",
        "alpha.example",
        &path,
        &jar,
        Some(&fields),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK, "{page}");
    assert!(page.contains("Your password is changed"), "{page}");
    // The old session is over, the old password too; the new one works.
    let (response, _) = send(
        &brands,
        &portal,
        "GET",
        "alpha.example",
        "/",
        &old_jar,
        None,
    )
    .await;
    assert_eq!(header_of(&response, header::LOCATION), "/login");
    let (_, _, page) =
        crate::portal::tests::log_in(&brands, &portal, "alpha.example", "pat@alpha.example").await;
    assert!(page.contains("Wrong e-mail address or password."), "{page}");
    let record = brands
        .store
        .read(|tx| tx.contact_by_email("pat@alpha.example"))
        .unwrap()
        .unwrap();
    assert!(crate::model::password::verify(
        &record.password_hash,
        NEW_PASSWORD
    ));
    let audit = brands.store.read(|tx| tx.audit_recent(1)).unwrap();
    assert_eq!(audit[0].action, "portal_password_reset");
    // Second use: refused, and nothing changes.
    let (fields, jar, path) = post("yet another passphrase");
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (response, page) = send(
        &brands,
        &portal,
        "POST",
        "alpha.example",
        &path,
        &jar,
        Some(&fields),
    )
    .await;
    assert_eq!(response.status(), StatusCode::GONE);
    assert!(
        page.contains("This link has expired or was already used"),
        "{page}"
    );
    assert!(page.contains("href=\"/forgot\""), "{page}");
    let (response, _) = send(&brands, &portal, "GET", "alpha.example", &path, &[], None).await;
    assert_eq!(response.status(), StatusCode::GONE);
    // Only the known address got mail.
    assert!(
        sink.mails()
            .iter()
            .all(|m| m.rcpt_tos == ["pat@alpha.example"]),
        "{:?}",
        sink.mails()
    );
}

#[tokio::test]
async fn reset_requests_are_limited_and_need_smtp_and_the_domain() {
    let sink = Sink::start();
    let brands = source();
    let portal = Portal::new(brands.store.clone());
    use_sink(&brands.store, "alpha.example", &sink);
    add_account(&brands.store, "bravo.example", "pat@bravo.example", vec![]);
    add_account(&brands.store, "alpha.example", "pat@alpha.example", vec![]);
    // A contact of bravo asking on alpha: the same answer, no token, no mail.
    let (status, page) = forgot(&brands, &portal, "alpha.example", "pat@bravo.example").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("If an account exists"), "{page}");
    // bravo has no SMTP: its form says so; a request gets the same answer all the same.
    let (_, page) = send(
        &brands,
        &portal,
        "GET",
        "bravo.example",
        "/forgot",
        &[],
        None,
    )
    .await;
    assert!(page.contains("id=\"forgot-no-mail\""), "{page}");
    let (_, page) = send(
        &brands,
        &portal,
        "GET",
        "alpha.example",
        "/forgot",
        &[],
        None,
    )
    .await;
    assert!(!page.contains("id=\"forgot-no-mail\""), "{page}");
    let (status, page) = forgot(&brands, &portal, "bravo.example", "pat@bravo.example").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("If an account exists"), "{page}");
    for _ in 0..super::super::reset::PER_ACCOUNT {
        let (status, _) = forgot(&brands, &portal, "alpha.example", "pat@alpha.example").await;
        assert_eq!(status, StatusCode::OK);
    }
    let (status, page) = forgot(&brands, &portal, "alpha.example", "pat@alpha.example").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        page.contains("Too many requests for new passwords"),
        "{page}"
    );
    sink.wait_for("pat@alpha.example", 3).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let mails = sink.mails();
    assert_eq!(mails.len(), 3, "{mails:?}");
    assert!(mails.iter().all(|m| m.rcpt_tos == ["pat@alpha.example"]));
}
