//! The account pages through the router: each shows exactly the account's data, hidden
//! sections answer 404, forms need their token, bad input changes nothing, and two-factor
//! login works end to end with codes computed here from the stored secret.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::http::{StatusCode, header};
use portico_protocol::{
    AlertSpec, ContractSpec, PackageSpec, Payment, PaymentSpec, PaymentStatus, Section,
};

use super::Portal;
use super::tests::{
    Brands, PASSWORD, add_account, header_of, hidden_csrf, log_in, send, set_cookies, source,
};
use crate::admin::ops::account as ops;
use crate::store::Store;

type Jar = Vec<(String, String)>;

/// Sets the sections alpha.example shows.
fn set_access(store: &Store, sections: &[Section]) {
    store
        .write(|tx| {
            let mut record = tx.domain("alpha.example")?.unwrap();
            record.domain.access = sections.to_vec();
            tx.put_domain(&record)
        })
        .unwrap();
}

/// Two accounts on alpha.example; pat is logged in.
struct Fixture {
    brands: Brands,
    portal: Portal,
    pat: u64,
    sam: u64,
    jar: Jar,
}

async fn fixture(sections: &[Section]) -> Fixture {
    let brands = source();
    let portal = Portal::new(brands.store.clone());
    let pat = add_account(&brands.store, "alpha.example", "pat@alpha.example", vec![]);
    let sam = add_account(&brands.store, "alpha.example", "sam@alpha.example", vec![]);
    set_access(&brands.store, sections);
    let (response, jar, _) = log_in(&brands, &portal, "alpha.example", "pat@alpha.example").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    Fixture {
        brands,
        portal,
        pat,
        sam,
        jar,
    }
}

impl Fixture {
    async fn get(&self, path: &str) -> (StatusCode, String) {
        self.get_with(&self.jar, path).await
    }

    async fn get_with(&self, jar: &Jar, path: &str) -> (StatusCode, String) {
        let (response, body) = send(
            &self.brands,
            &self.portal,
            "GET",
            "alpha.example",
            path,
            jar,
            None,
        )
        .await;
        (response.status(), body)
    }

    /// Posts `fields` plus the session's CSRF token (read from `/profile`, a page every account
    /// has).
    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> (StatusCode, String) {
        self.post_with(&self.jar.clone(), path, fields).await.0
    }

    async fn post_with(
        &self,
        jar: &Jar,
        path: &str,
        fields: &[(&str, &str)],
    ) -> ((StatusCode, String), Jar) {
        let (_, page) = self.get_with(jar, "/profile").await;
        let csrf = hidden_csrf(&page);
        let mut all = fields.to_vec();
        all.push(("csrf", &csrf));
        let (response, body) = send(
            &self.brands,
            &self.portal,
            "POST",
            "alpha.example",
            path,
            jar,
            Some(&all),
        )
        .await;
        let cookies = set_cookies(&response);
        let location = response
            .headers()
            .get(header::LOCATION)
            .map(|v| v.to_str().unwrap().to_owned());
        let body = match location {
            Some(to) => format!("-> {to}\n{body}"),
            None => body,
        };
        ((response.status(), body), cookies)
    }

    fn store(&self) -> &Store {
        &self.brands.store
    }

    fn write<T>(&self, f: impl FnOnce(&mut crate::store::Tx) -> T) -> T {
        self.store()
            .write(|tx| Ok::<_, crate::store::StoreError>(f(tx)))
            .unwrap()
    }
}

fn payment(amount: &str, status: PaymentStatus, description: &str) -> PaymentSpec {
    PaymentSpec {
        amount: amount.into(),
        status: Some(status),
        description: description.into(),
    }
}

#[tokio::test]
async fn payments_show_this_account_only_and_never_the_admin_note() {
    let f = fixture(&[Section::Payments]).await;
    let (pat, sam) = (f.pat, f.sam);
    f.write(|tx| {
        ops::payment_add(
            tx,
            1_000,
            pat,
            payment("10", PaymentStatus::Completed, "Top-up #ref-internal-1"),
        )
        .unwrap();
        ops::payment_add(
            tx,
            2_000,
            pat,
            payment("2.5", PaymentStatus::Pending, "Bank wire #bank-note"),
        )
        .unwrap();
        ops::payment_add(
            tx,
            3_000,
            pat,
            payment("0.125", PaymentStatus::Completed, "Promo"),
        )
        .unwrap();
        ops::payment_add(
            tx,
            4_000,
            sam,
            payment("99", PaymentStatus::Completed, "Sam's payment #x"),
        )
        .unwrap();
    });
    let (status, page) = f.get("/payments").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Top-up") && page.contains("$10.00"), "{page}");
    // Minor units of the currency, rounded.
    assert!(page.contains("$0.13"), "{page}");
    // Newest first.
    assert!(page.find("Promo").unwrap() < page.find("Top-up").unwrap());
    // Totals of the received payments.
    assert!(page.contains("$10.13"), "{page}");
    for hidden in [
        "ref-internal",
        "bank-note",
        "#",
        "Bank wire",
        "$2.50",
        "Sam",
        "$99",
    ] {
        assert!(
            !page[page.find("<main").unwrap()..].contains(hidden),
            "{hidden}: {page}"
        );
    }
    assert!(!page.contains("id=\"payments-pending\""), "{page}");

    set_access(
        f.store(),
        &[Section::Payments, Section::PendingBankPayments],
    );
    let (_, page) = f.get("/payments").await;
    assert!(
        page.contains("Bank wire") && page.contains("$2.50"),
        "{page}"
    );
    assert!(page.contains("id=\"payments-pending\""), "{page}");
    assert!(!page.contains("bank-note") && !page.contains("ref-internal"));

    set_access(f.store(), &[Section::PendingBankPayments]);
    let (status, page) = f.get("/payments").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!page.contains("Top-up"), "{page}");
    assert!(!page.contains("href=\"/payments\""), "{page}");
}

#[tokio::test]
async fn times_show_in_the_zone_the_profile_chooses() {
    let f = fixture(&[Section::Payments]).await;
    let pat = f.pat;
    f.write(|tx| {
        let id = tx.next_id("payment").unwrap();
        tx.put_child(&Payment {
            id,
            customer_id: pat,
            amount: portico_protocol::Micros(1_000_000),
            status: PaymentStatus::Completed,
            description: "Epoch".into(),
            created_at: 0,
        })
        .unwrap()
    });
    let (_, page) = f.get("/payments").await;
    assert!(page.contains("1970-01-01 00:00"), "{page}");

    // A zone that is not an IANA name is refused and nothing changes.
    let before = f.store().export().unwrap();
    let (status, page) = f
        .post(
            "/profile",
            &[
                ("name", "Pat Q"),
                ("phone", "+1 555"),
                ("time_zone", "Mars/Base"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(
        page.contains("Mars/Base") && page.contains("field-error"),
        "{page}"
    );
    assert_eq!(
        f.store().export().unwrap()["customers"],
        before["customers"]
    );
    let (status, page) = f
        .post(
            "/profile",
            &[("name", ""), ("phone", "call me"), ("time_zone", "UTC")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(
        page.contains("id=\"profile-name-error\"") && page.contains("id=\"profile-phone-error\"")
    );
    assert_eq!(
        f.store().export().unwrap()["customers"],
        before["customers"]
    );

    let (status, page) = f
        .post(
            "/profile",
            &[
                ("name", " Pat Q "),
                ("phone", "+1 555 0100"),
                ("time_zone", "America/New_York"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let contact = f
        .store()
        .read(|tx| tx.contact_by_email("pat@alpha.example"))
        .unwrap()
        .unwrap()
        .contact;
    assert_eq!(
        (
            contact.name.as_str(),
            contact.phone.as_str(),
            contact.time_zone.as_str()
        ),
        ("Pat Q", "+1 555 0100", "America/New_York")
    );
    let (_, page) = f.get("/payments").await;
    assert!(page.contains("1969-12-31 19:00"), "{page}");
    let (_, page) = f.get("/profile?saved=1").await;
    assert!(
        page.contains("<option selected>America/New_York</option>"),
        "{page}"
    );
    let audit = f.store().read(|tx| tx.audit_recent(1)).unwrap();
    assert_eq!(audit[0].action, "portal_profile_set");
    assert_eq!(audit[0].uid, None);
}

#[tokio::test]
async fn the_alert_is_edited_only_when_editable_and_bad_input_changes_nothing() {
    let f = fixture(&[Section::Alerts]).await;
    let (pat, sam) = (f.pat, f.sam);
    let alert_id = f.write(|tx| {
        let spec = |t: &str, e: &str| AlertSpec {
            threshold: t.into(),
            email: e.into(),
        };
        ops::alert_add(tx, sam, spec("7", "sam-alerts@alpha.example")).unwrap();
        ops::alert_add(tx, pat, spec("5", "pat-alerts@alpha.example"))
            .unwrap()
            .0
            .id
    });
    let (status, page) = f.get("/alerts").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("$5.00") && page.contains("pat-alerts@alpha.example"));
    assert!(
        !page.contains("$7.00") && !page.contains("sam-alerts"),
        "{page}"
    );
    assert!(!page.contains("id=\"alert-form\""), "{page}");
    let fields = [("threshold", "12.5"), ("email", "billing@alpha.example")];
    let (status, _) = f.post("/alerts", &fields).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "not editable");

    set_access(f.store(), &[Section::Alerts, Section::EditableBalanceAlert]);
    let (_, page) = f.get("/alerts").await;
    assert!(page.contains("id=\"alert-form\""), "{page}");
    assert!(page.contains("value=\"5.00\""), "{page}");

    let before = f.store().export().unwrap();
    let audit_before = f.store().read(|tx| tx.audit_len()).unwrap();
    let (status, page) = f
        .post(
            "/alerts",
            &[("threshold", "lots"), ("email", "not-an-address")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("id=\"alert-threshold-error\""), "{page}");
    assert!(page.contains("id=\"alert-email-error\""), "{page}");
    assert!(page.contains("value=\"lots\""), "{page}");
    // Without the form's token: refused.
    let (response, _) = send(
        &f.brands,
        &f.portal,
        "POST",
        "alpha.example",
        "/alerts",
        &f.jar,
        Some(&fields),
    )
    .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(f.store().export().unwrap(), before);
    assert_eq!(f.store().read(|tx| tx.audit_len()).unwrap(), audit_before);

    let (status, body) = f.post("/alerts", &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let alerts = f
        .store()
        .read(|tx| tx.children::<portico_protocol::Alert>(pat))
        .unwrap();
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].id, alert_id);
    assert_eq!(alerts[0].threshold, portico_protocol::Micros(12_500_000));
    assert_eq!(alerts[0].email, "billing@alpha.example");
    let sams = f
        .store()
        .read(|tx| tx.children::<portico_protocol::Alert>(sam))
        .unwrap();
    assert_eq!(sams[0].threshold, portico_protocol::Micros(7_000_000));
    let audit = f.store().read(|tx| tx.audit_recent(1)).unwrap();
    assert_eq!(audit[0].action, "portal_alert_set");
    assert_eq!((audit[0].uid, audit[0].pid), (None, None));
    assert!(
        audit[0].target.contains("pat@alpha.example") && audit[0].target.contains("alert #"),
        "{:?}",
        audit[0]
    );
    let (_, page) = f.get("/alerts?saved=1").await;
    assert!(
        page.contains("$12.50") && page.contains("id=\"alert-saved\""),
        "{page}"
    );

    // An account without an alert gets one.
    let (_, sam_jar, _) = log_in(&f.brands, &f.portal, "alpha.example", "sam@alpha.example").await;
    f.write(|tx| {
        ops::remove_child::<portico_protocol::Alert>(tx, sams[0].id).unwrap();
    });
    let ((status, _), _) = f
        .post_with(
            &sam_jar,
            "/alerts",
            &[("threshold", "-1"), ("email", "sam@alpha.example")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let sams = f
        .store()
        .read(|tx| tx.children::<portico_protocol::Alert>(sam))
        .unwrap();
    assert_eq!(sams.len(), 1);
    assert_eq!(sams[0].threshold, portico_protocol::Micros(-1_000_000));

    set_access(f.store(), &[Section::EditableBalanceAlert]);
    let (status, _) = f.get("/alerts").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn packages_list_this_account_only() {
    let f = fixture(&[Section::Packages]).await;
    let (pat, sam) = (f.pat, f.sam);
    f.write(|tx| {
        let spec = |n: &str, p: &str| PackageSpec {
            name: n.into(),
            description: format!("{n} <b>minutes</b>"),
            price: p.into(),
        };
        ops::package_add(tx, pat, spec("Europe 1000", "9.99")).unwrap();
        ops::package_add(tx, sam, spec("World 5000", "49")).unwrap();
    });
    let (status, page) = f.get("/packages").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Europe 1000") && page.contains("$9.99"),
        "{page}"
    );
    assert!(page.contains("&#60;b&#62;minutes"), "escaped: {page}");
    assert!(
        !page.contains("World 5000") && !page.contains("$49"),
        "{page}"
    );
    set_access(f.store(), &[Section::Payments]);
    let (status, page) = f.get("/packages").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!page.contains("Europe 1000"));
}

#[tokio::test]
async fn a_required_contract_is_approved_with_the_right_name_and_the_tick() {
    let f = fixture(&[Section::Contracts]).await;
    let (pat, sam) = (f.pat, f.sam);
    let (terms, info, foreign) = f.write(|tx| {
        let spec = |n: &str, required| ContractSpec {
            name: n.into(),
            text: format!("{n}: the whole text.\nSecond line."),
            required,
        };
        let terms = ops::contract_add(tx, pat, spec("Terms of service", true))
            .unwrap()
            .0;
        let info = ops::contract_add(tx, pat, spec("Fair use", false))
            .unwrap()
            .0;
        let foreign = ops::contract_add(tx, sam, spec("Sam's deal", true))
            .unwrap()
            .0;
        (terms, info, foreign)
    });
    // Every page links to the contract to approve.
    let link = format!("href=\"/contracts/{}\"", terms.id);
    for path in ["/", "/contracts", "/profile"] {
        let (_, page) = f.get(path).await;
        assert!(
            page.contains("id=\"contract-notice\"") && page.contains(&link),
            "{path}: {page}"
        );
    }
    let (_, page) = f.get("/contracts").await;
    assert!(page.contains("Terms of service") && page.contains("Fair use"));
    assert!(
        !page.contains("Sam&#39;s deal") && !page.contains("Sam's deal"),
        "{page}"
    );
    let (_, page) = f.get(&format!("/contracts/{}", info.id)).await;
    assert!(page.contains("Fair use: the whole text.") && !page.contains("id=\"approve-form\""));

    // Another account's contract, or no number at all: not found.
    for path in [
        format!("/contracts/{}", foreign.id),
        "/contracts/nope".to_owned(),
        "/contracts/999999".to_owned(),
    ] {
        let (status, page) = f.get(&path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(!page.contains("Sam"), "{page}");
    }
    let path = format!("/contracts/{}", foreign.id);
    let (status, _) = f
        .post(&path, &[("name", "Pat Example"), ("agree", "yes")])
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let path = format!("/contracts/{}", terms.id);
    let (_, page) = f.get(&path).await;
    assert!(page.contains("id=\"approve-form\""), "{page}");
    for (fields, error) in [
        (
            vec![("name", "Someone Else"), ("agree", "yes")],
            "approve-name-error",
        ),
        (vec![("name", ""), ("agree", "yes")], "approve-name-error"),
        (vec![("name", "Pat Example")], "approve-agree-error"),
    ] {
        let (status, page) = f.post(&path, &fields).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}");
        assert!(page.contains(error), "{fields:?}: {page}");
        let approvals = f.store().read(|tx| tx.contract_approvals(pat)).unwrap();
        assert!(approvals.is_empty());
    }
    let (status, body) = f
        .post(&path, &[("name", "  pat EXAMPLE "), ("agree", "yes")])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let approvals = f.store().read(|tx| tx.contract_approvals(pat)).unwrap();
    assert_eq!(approvals.len(), 1);
    let contact = f
        .store()
        .read(|tx| tx.contact_by_email("pat@alpha.example"))
        .unwrap()
        .unwrap()
        .contact;
    assert_eq!(approvals[0].contract_id, terms.id);
    assert_eq!(approvals[0].contact_id, contact.id);
    assert_eq!(approvals[0].typed_name, "pat EXAMPLE");
    assert!(approvals[0].approved_at > 0);
    let audit = f.store().read(|tx| tx.audit_recent(1)).unwrap();
    assert_eq!(audit[0].action, "portal_contract_approve");
    // Admins see it in the customer's detail.
    let detail = f
        .store()
        .read(|tx| crate::admin::ops::customer::show(tx, pat))
        .unwrap();
    assert_eq!(detail.approvals, approvals);
    let (_, page) = f.get(&path).await;
    assert!(page.contains("id=\"contract-approved\"") && !page.contains("id=\"approve-form\""));
    let (_, page) = f.get("/").await;
    assert!(!page.contains("id=\"contract-notice\""), "{page}");
    // A required contract added afterwards shows on the next page (the portal remembers each
    // customer's first contract due only until a contract or an approval is written).
    let later = f.write(|tx| {
        ops::contract_add(
            tx,
            pat,
            ContractSpec {
                name: "Privacy terms".into(),
                text: "The text.".into(),
                required: true,
            },
        )
        .unwrap()
        .0
    });
    let (_, page) = f.get("/").await;
    assert!(
        page.contains("id=\"contract-notice\"")
            && page.contains(&format!("href=\"/contracts/{}\"", later.id)),
        "{page}"
    );
    // Sam's own contract still waits for Sam.
    assert!(
        f.store()
            .read(|tx| tx.contract_approvals(sam))
            .unwrap()
            .is_empty()
    );

    set_access(f.store(), &[Section::Payments]);
    let (status, _) = f.get("/contracts").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = f.get(&path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Removing the customer removes its approvals.
    f.write(|tx| tx.remove_customer(pat).unwrap());
    assert!(
        f.store()
            .read(|tx| tx.contract_approvals(pat))
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_password_change_ends_the_other_sessions() {
    let f = fixture(&[]).await;
    let (_, other, _) = log_in(&f.brands, &f.portal, "alpha.example", "pat@alpha.example").await;
    assert_eq!(f.get_with(&other, "/").await.0, StatusCode::OK);
    let new = "a brand new passphrase";
    for (fields, error) in [
        (
            [
                ("current", "wrong password!"),
                ("new", new),
                ("confirm", new),
            ],
            "password-current-error",
        ),
        (
            [
                ("current", PASSWORD),
                ("new", "short"),
                ("confirm", "short"),
            ],
            "password-new-error",
        ),
        (
            [
                ("current", PASSWORD),
                ("new", new),
                ("confirm", "something else"),
            ],
            "password-confirm-error",
        ),
    ] {
        let (status, page) = f.post("/password", &fields).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
        assert!(page.contains(error), "{page}");
    }
    assert_eq!(
        f.get_with(&other, "/").await.0,
        StatusCode::OK,
        "nothing changed yet"
    );
    let (status, page) = f
        .post(
            "/password",
            &[("current", PASSWORD), ("new", new), ("confirm", new)],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("id=\"password-changed\"") && page.contains("One other session"));
    // The other session is gone, this one stays.
    assert_eq!(f.get_with(&other, "/").await.0, StatusCode::SEE_OTHER);
    assert_eq!(f.get("/").await.0, StatusCode::OK);
    let record = f
        .store()
        .read(|tx| tx.contact_by_email("pat@alpha.example"))
        .unwrap()
        .unwrap();
    assert!(crate::model::password::verify(&record.password_hash, new));
    assert!(!crate::model::password::verify(
        &record.password_hash,
        PASSWORD
    ));
    let audit = f.store().read(|tx| tx.audit_recent(1)).unwrap();
    assert_eq!(audit[0].action, "portal_password_change");
    assert!(!audit[0].detail.contains(new));
}

/// The recovery codes listed on the page.
fn recovery_codes(page: &str) -> Vec<String> {
    let list = &page[page.find("id=\"recovery-codes\"").expect("the codes")..];
    let list = &list[..list.find("</ul>").unwrap()];
    list.split("<code>")
        .skip(1)
        .map(|c| c.split("</code>").next().unwrap().to_owned())
        .collect()
}

/// Logs in with the password; returns the jar with the pending session.
async fn password_step(f: &Fixture) -> Jar {
    let (response, jar, _) =
        log_in(&f.brands, &f.portal, "alpha.example", "pat@alpha.example").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(header_of(&response, header::LOCATION), "/login/code");
    jar
}

/// Sends a code on `/login/code`; returns the status and the jar after it.
async fn code_step(f: &Fixture, jar: &Jar, code: &str) -> (StatusCode, Jar, String) {
    let (status, page) = f.get_with(jar, "/login/code").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let csrf = hidden_csrf(&page);
    let (response, body) = send(
        &f.brands,
        &f.portal,
        "POST",
        "alpha.example",
        "/login/code",
        jar,
        Some(&[("code", code), ("csrf", &csrf)]),
    )
    .await;
    let mut next = jar.clone();
    for (name, value) in set_cookies(&response) {
        next.retain(|(n, _)| n != &name);
        next.push((name, value));
    }
    (response.status(), next, body)
}

fn now() -> u64 {
    crate::admin::service::now() as u64
}

/// A code that none of the steps around now has.
fn wrong_code(totp: &totp_rs::TOTP) -> String {
    let near: Vec<String> = [now() - 30, now(), now() + 30, now() + 60]
        .iter()
        .map(|t| totp.generate(*t))
        .collect();
    (0..10u32)
        .map(|d| format!("{d}{d}{d}{d}{d}{d}"))
        .find(|c| !near.contains(c))
        .unwrap()
}

#[tokio::test]
async fn two_factor_enrolment_then_login_with_a_code_or_a_recovery_code() {
    let f = fixture(&[]).await;
    let (status, page) = f.get("/login/code").await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "a full session has no code to give: {page}"
    );
    let (_, page) = f.get("/two-factor").await;
    assert!(page.contains("id=\"two-factor-start\""), "{page}");
    let (status, _) = f.post("/two-factor/start", &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page) = f.get("/two-factor").await;
    assert!(page.contains("src=\"data:image/svg+xml;base64,"), "{page}");
    let record = f
        .store()
        .read(|tx| tx.contact_by_email("pat@alpha.example"))
        .unwrap()
        .unwrap();
    assert!(!record.contact.two_factor, "not on before the first code");
    let secret = record
        .totp_secret
        .clone()
        .expect("a secret kept server-side");
    assert!(page.contains(&secret[..4]), "the secret as text: {page}");
    let totp = super::two_factor::totp(&secret, "Alpha Telecom", "pat@alpha.example").unwrap();

    let (status, page) = f
        .post("/two-factor/confirm", &[("code", &wrong_code(&totp))])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("id=\"two-factor-error\"") && page.contains("two-factor-qr"));
    assert!(
        !f.store()
            .read(|tx| tx.contact_by_email("pat@alpha.example"))
            .unwrap()
            .unwrap()
            .contact
            .two_factor
    );
    let confirm_code = totp.generate(now());
    let (status, page) = f
        .post("/two-factor/confirm", &[("code", &confirm_code)])
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let codes = recovery_codes(&page);
    assert_eq!(codes.len(), 10, "{page}");
    let record = f
        .store()
        .read(|tx| tx.contact_by_email("pat@alpha.example"))
        .unwrap()
        .unwrap();
    assert!(record.contact.two_factor);
    assert_eq!(record.totp_secret.as_deref(), Some(secret.as_str()));
    assert_eq!(record.recovery_codes.len(), 10);
    assert!(
        record.recovery_codes.iter().all(|h| !codes.contains(h)),
        "hashes only"
    );
    // Shown once: the page now says it is on, without the codes.
    let (_, page) = f.get("/two-factor").await;
    assert!(
        !page.contains(&codes[0]) && page.contains("10 unused recovery codes"),
        "{page}"
    );
    let (_, page) = f.get("/").await;
    let csrf = hidden_csrf(&page);
    send(
        &f.brands,
        &f.portal,
        "POST",
        "alpha.example",
        "/logout",
        &f.jar,
        Some(&[("csrf", &csrf)]),
    )
    .await;

    // The password alone opens only the code page.
    let pending = password_step(&f).await;
    let (status, _) = f.get_with(&pending, "/").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _) = f.get_with(&pending, "/payments").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // A wrong code, and the code already used to confirm, are refused.
    let (status, pending, body) = code_step(&f, &pending, &wrong_code(&totp)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("id=\"code-error\""), "{body}");
    let (status, pending, _) = code_step(&f, &pending, &confirm_code).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a code is used once"
    );
    // The next step's code (within the allowed drift) logs in, with a new session token.
    let next_code = totp.generate(now() + 30);
    let (status, full, _) = code_step(&f, &pending, &next_code).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let token = |jar: &Jar| {
        jar.iter()
            .find(|(n, _)| n == super::session::SESSION_COOKIE)
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    assert_ne!(token(&full), token(&pending), "a new session token");
    let (status, page) = f.get_with(&full, "/").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Pat Example"));
    // The pending session is gone.
    let (status, _) = f.get_with(&pending, "/login/code").await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    // A recovery code works once.
    let pending = password_step(&f).await;
    let (status, _, _) = code_step(&f, &pending, &codes[3].to_uppercase()).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let pending = password_step(&f).await;
    let (status, _, _) = code_step(&f, &pending, &codes[3]).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a recovery code is used up"
    );
    let left = f
        .store()
        .read(|tx| tx.contact_by_email("pat@alpha.example"))
        .unwrap()
        .unwrap()
        .recovery_codes
        .len();
    assert_eq!(left, 9);

    // Turning it off needs a code; a recovery code does.
    let ((status, page), _) = f
        .post_with(&full, "/two-factor/off", &[("code", "999999")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    let ((status, page), _) = f
        .post_with(&full, "/two-factor/off", &[("code", &codes[5])])
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("id=\"two-factor-off\""), "{page}");
    let record = f
        .store()
        .read(|tx| tx.contact_by_email("pat@alpha.example"))
        .unwrap()
        .unwrap();
    assert!(!record.contact.two_factor && record.totp_secret.is_none());
    assert!(record.recovery_codes.is_empty());
    let (response, _, _) = log_in(&f.brands, &f.portal, "alpha.example", "pat@alpha.example").await;
    assert_eq!(header_of(&response, header::LOCATION), "/");
}

#[tokio::test]
async fn the_export_hides_a_totp_secret() {
    let f = fixture(&[]).await;
    let (status, _) = f.post("/two-factor/start", &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let secret = f
        .store()
        .read(|tx| tx.contact_by_email("pat@alpha.example"))
        .unwrap()
        .unwrap()
        .totp_secret
        .unwrap();
    let export = f.store().export().unwrap().to_string();
    assert!(!export.contains(&secret), "{export}");
    assert!(export.contains("\"totp_secret\":\"<set>\""), "{export}");
}

#[tokio::test]
async fn wrong_codes_are_slowed_down_like_wrong_passwords() {
    let f = fixture(&[]).await;
    f.post("/two-factor/start", &[]).await;
    let secret = f
        .store()
        .read(|tx| tx.contact_by_email("pat@alpha.example"))
        .unwrap()
        .unwrap()
        .totp_secret
        .unwrap();
    let totp = super::two_factor::totp(&secret, "Alpha Telecom", "pat@alpha.example").unwrap();
    let (status, _) = f
        .post("/two-factor/confirm", &[("code", &totp.generate(now()))])
        .await;
    assert_eq!(status, StatusCode::OK);
    let pending = password_step(&f).await;
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let (status, _, _) = code_step(&f, &pending, &wrong_code(&totp)).await;
        statuses.push(status);
    }
    assert_eq!(
        statuses.last(),
        Some(&StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    // While waiting, even the right code is not tried.
    let (status, _, body) = code_step(&f, &pending, &totp.generate(now() + 30)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(body.contains("Too many wrong codes"), "{body}");
    // The client's address counts for passwords too.
    let (response, _, _) = log_in(&f.brands, &f.portal, "alpha.example", "pat@alpha.example").await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
}
