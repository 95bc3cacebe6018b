//! The admin service over a real Unix socket, in-process.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use portico_protocol::*;
use tarpc::context;
use tarpc::tokio_serde::formats::Json;
use tarpc::tokio_util::codec::length_delimited::LengthDelimitedCodec;

use super::{State, socket};
use crate::store::Store;

struct Harness {
    _dir: tempfile::TempDir,
    sock: std::path::PathBuf,
    _stop: tokio::sync::oneshot::Sender<()>,
}

async fn start() -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("portico.redb")).unwrap();
    let sock = dir.path().join("admin.sock");
    let listener = socket::bind(&sock, None).await.unwrap();
    let state = Arc::new(State {
        tls: crate::tls::Tls::off(store.clone()),
        ingest: crate::ingest::pipeline::Ingest::new(store.clone()),
        store,
        started_at: 0,
    });
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(socket::serve(listener, state, async {
        let _ = rx.await;
    }));
    Harness {
        _dir: dir,
        sock,
        _stop: tx,
    }
}

async fn raw_client(h: &Harness) -> AdminClient {
    let stream = tokio::net::UnixStream::connect(&h.sock).await.unwrap();
    let framed = LengthDelimitedCodec::builder()
        .max_frame_length(MAX_FRAME_BYTES)
        .new_framed(stream);
    let transport = tarpc::serde_transport::new(framed, Json::default());
    AdminClient::new(tarpc::client::Config::default(), transport).spawn()
}

async fn client(h: &Harness) -> AdminClient {
    let c = raw_client(h).await;
    c.version(context::current(), PROTOCOL_VERSION)
        .await
        .unwrap()
        .unwrap();
    c
}

fn ctx() -> context::Context {
    context::current()
}

async fn export(c: &AdminClient) -> String {
    c.export(ctx()).await.unwrap().unwrap()
}

#[tokio::test]
async fn another_protocol_version_and_a_skipped_handshake_are_refused() {
    let h = start().await;
    let c = raw_client(&h).await;
    let err = c.domain_list(ctx()).await.unwrap().unwrap_err();
    assert!(matches!(err, AdminError::Refused { .. }), "{err:?}");
    let err = c
        .version(ctx(), PROTOCOL_VERSION + 1)
        .await
        .unwrap()
        .unwrap_err();
    assert!(
        err.to_string().contains("install matching versions"),
        "{err}"
    );
    // Still refused after a failed handshake.
    assert!(c.domain_list(ctx()).await.unwrap().is_err());
}

#[tokio::test]
async fn the_socket_has_mode_0660_and_a_stale_one_is_replaced() {
    use std::os::unix::fs::PermissionsExt;
    let h = start().await;
    let mode = std::fs::metadata(&h.sock).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o660);
    // A live socket is refused; a dead one (a plain leftover file) is replaced.
    let err = socket::bind(&h.sock, None).await.unwrap_err();
    assert!(err.to_string().contains("already listening"), "{err}");
    let dir = tempfile::tempdir().unwrap();
    let stale = dir.path().join("admin.sock");
    drop(std::os::unix::net::UnixListener::bind(&stale).unwrap());
    assert!(stale.exists());
    socket::bind(&stale, None).await.unwrap();
}

fn full_patch(template: u64) -> DomainPatch {
    DomainPatch {
        brand_name: Some("Acme Voice".into()),
        customer_signup: Some(true),
        carrier_signup: Some(true),
        signup_status: Some(SignupStatus::PendingApproval),
        currencies: Some(vec!["usd".into(), "EUR".into()]),
        template_customer: Some(Some(template)),
        access: Some(vec![Section::Cdr, Section::Balance]),
        cdr_columns: Some(vec![CdrColumn::Charge, CdrColumn::CallTime]),
        carrier_cdr_columns: Some(vec![CdrColumn::SipCode]),
        breakout_columns: Some(vec![BreakoutColumn::Asr, BreakoutColumn::Attempts]),
        carrier_breakout_columns: Some(vec![BreakoutColumn::Charge]),
        custom_js: Some("console.log(1)".into()),
        custom_css: Some(":root{--portico-accent:#123456}".into()),
        logo: None,
        footer: Some("Acme Voice Ltd".into()),
        smtp: Some(Some(SmtpSpec {
            host: "smtp.acme.test".into(),
            port: Some(465),
            security: Some(SmtpSecurity::Tls),
            username: "mailer".into(),
            password: Some("s3cret-pass".into()),
            from: "Portal@Acme.test".into(),
        })),
        ..Default::default()
    }
}

#[tokio::test]
async fn a_domain_with_every_option_is_stored_normalised_and_audited() {
    let h = start().await;
    let c = client(&h).await;
    let t = c
        .customer_add(
            ctx(),
            CustomerPatch {
                name: Some("Template".into()),
                currency: Some("USD".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .unwrap();
    let d = c
        .domain_add(ctx(), "Portal.Acme.TEST.".into(), full_patch(t.id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(d.fqdn, "portal.acme.test");
    assert_eq!(d.currencies, vec!["USD", "EUR"]);
    assert_eq!(d.access, vec![Section::Balance, Section::Cdr]);
    assert_eq!(d.cdr_columns, vec![CdrColumn::Charge, CdrColumn::CallTime]);
    let smtp = d.smtp.clone().unwrap();
    assert!(smtp.password_set);
    assert_eq!(smtp.from, "portal@acme.test");
    assert_eq!(
        c.domain_show(ctx(), "PORTAL.acme.test".into())
            .await
            .unwrap()
            .unwrap(),
        d
    );

    // SMTP changes without a password keep the stored one.
    let mut patch = DomainPatch::default();
    let mut spec = full_patch(t.id).smtp.unwrap().unwrap();
    spec.password = None;
    spec.port = Some(587);
    patch.smtp = Some(Some(spec));
    let d2 = c
        .domain_set(ctx(), d.fqdn.clone(), patch)
        .await
        .unwrap()
        .unwrap();
    assert!(d2.smtp.unwrap().password_set);

    let audit = c.audit_list(ctx(), 10).await.unwrap().unwrap();
    let actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(actions, vec!["domain_set", "domain_add", "customer_add"]);
    assert_eq!(audit[0].uid, Some(nix::unistd::getuid().as_raw()));
    assert!(
        !audit[1].detail.contains("s3cret-pass"),
        "{}",
        audit[1].detail
    );
    assert!(!export(&c).await.contains("s3cret-pass"));
}

#[tokio::test]
async fn refused_calls_leave_the_store_as_it_was() {
    let h = start().await;
    let c = client(&h).await;
    let t = c
        .customer_add(
            ctx(),
            CustomerPatch {
                name: Some("Template".into()),
                currency: Some("USD".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .unwrap();
    c.domain_add(ctx(), "portal.acme.test".into(), full_patch(t.id))
        .await
        .unwrap()
        .unwrap();
    let before = export(&c).await;

    let cases: Vec<(DomainPatch, &str)> = vec![
        (
            DomainPatch {
                currencies: Some(vec!["XYZ".into()]),
                ..Default::default()
            },
            "currencies",
        ),
        (
            DomainPatch {
                currencies: Some(vec![]),
                ..Default::default()
            },
            "currencies",
        ),
        (
            DomainPatch {
                template_customer: Some(Some(999)),
                ..Default::default()
            },
            "template_customer",
        ),
        (
            DomainPatch {
                cdr_columns: Some(vec![CdrColumn::Rate, CdrColumn::Rate]),
                ..Default::default()
            },
            "cdr_columns",
        ),
        (
            DomainPatch {
                logo: Some(Some("missing.png".into())),
                ..Default::default()
            },
            "logo",
        ),
        // A valid change together with a bad one: nothing of it lands.
        (
            DomainPatch {
                brand_name: Some("Changed".into()),
                currencies: Some(vec!["ZZZ".into()]),
                ..Default::default()
            },
            "currencies",
        ),
    ];
    for (patch, field) in cases {
        let err = c
            .domain_set(ctx(), "portal.acme.test".into(), patch)
            .await
            .unwrap()
            .unwrap_err();
        match &err {
            AdminError::Invalid { field: f, .. } => assert_eq!(f, field, "{err}"),
            other => panic!("expected Invalid {field}, got {other:?}"),
        }
    }
    for bad in [
        "1.2.3.4",
        "[::1]",
        "*.acme.test",
        &format!("{}.test", "a".repeat(64)),
    ] {
        let err = c
            .domain_add(
                ctx(),
                bad.into(),
                DomainPatch {
                    currencies: Some(vec!["USD".into()]),
                    ..Default::default()
                },
            )
            .await
            .unwrap()
            .unwrap_err();
        assert!(
            matches!(&err, AdminError::Invalid { field, .. } if field == "fqdn"),
            "{bad}: {err:?}"
        );
    }
    let err = c.customer_remove(ctx(), t.id).await.unwrap().unwrap_err();
    assert!(
        err.to_string()
            .contains("template customer of portal.acme.test"),
        "{err}"
    );
    let err = c
        .payment_add(
            ctx(),
            t.id,
            PaymentSpec {
                amount: "1,50".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .unwrap_err();
    assert!(
        matches!(&err, AdminError::Invalid { field, .. } if field == "amount"),
        "{err:?}"
    );
    let err = c
        .ratecard_import(
            ctx(),
            "Bad".into(),
            "USD".into(),
            "prefix,name,rate\n44,UK,0.01\nxx,Bad,0.02\n".into(),
            false,
        )
        .await
        .unwrap()
        .unwrap_err();
    assert!(err.to_string().contains("line 3"), "{err}");
    assert_eq!(export(&c).await, before);
}

#[tokio::test]
async fn twenty_concurrent_writers_all_land() {
    let h = start().await;
    let mut tasks = Vec::new();
    for i in 0..20 {
        let c = client(&h).await;
        tasks.push(tokio::spawn(async move {
            c.customer_add(
                ctx(),
                CustomerPatch {
                    name: Some(format!("Customer {i}")),
                    currency: Some("EUR".into()),
                    account_codes: Some(vec![format!("acct{i}")]),
                    ..Default::default()
                },
            )
            .await
            .unwrap()
            .unwrap()
            .id
        }));
    }
    let mut ids = Vec::new();
    for t in tasks {
        ids.push(t.await.unwrap());
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 20);
    let c = client(&h).await;
    assert_eq!(
        c.customer_list(ctx(), None).await.unwrap().unwrap().len(),
        20
    );
}

#[tokio::test]
async fn customers_contacts_rates_routes_and_payments() {
    let h = start().await;
    let c = client(&h).await;
    let cu = c
        .customer_add(
            ctx(),
            CustomerPatch {
                name: Some("Acme".into()),
                currency: Some("usd".into()),
                debit_limit: Some("12.5".into()),
                account_codes: Some(vec!["1001".into()]),
                status: Some(CustomerStatus::PendingApproval),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(cu.debit_limit, Micros(12_500_000));
    let err = c
        .customer_add(
            ctx(),
            CustomerPatch {
                name: Some("Other".into()),
                currency: Some("USD".into()),
                account_codes: Some(vec!["1001".into()]),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .unwrap_err();
    assert!(matches!(err, AdminError::Conflict { .. }), "{err:?}");
    let approved = c.customer_approve(ctx(), cu.id).await.unwrap().unwrap();
    assert_eq!(approved.status, CustomerStatus::Active);
    let with_override = c
        .customer_override(ctx(), cu.id, Section::Cdr, Access::Hide)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        with_override.overrides.get(&Section::Cdr),
        Some(&Access::Hide)
    );
    let back = c
        .customer_override(ctx(), cu.id, Section::Cdr, Access::Default)
        .await
        .unwrap()
        .unwrap();
    assert!(back.overrides.is_empty());

    let created = c
        .contact_add(
            ctx(),
            cu.id,
            ContactSpec {
                email: "Ops@Acme.test".into(),
                name: "Ops".into(),
                password: None,
                ip_allow: vec!["192.0.2.7".into()],
            },
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(created.contact.email, "ops@acme.test");
    assert_eq!(created.contact.ip_allow, vec!["192.0.2.7/32"]);
    assert!(
        created
            .generated_password
            .as_ref()
            .is_some_and(|p| p.len() >= 12)
    );
    let err = c
        .contact_reset_password(ctx(), "ops@acme.test".into(), Some("short".into()))
        .await
        .unwrap()
        .unwrap_err();
    assert!(
        matches!(&err, AdminError::Invalid { field, .. } if field == "password"),
        "{err:?}"
    );

    let csv = "prefix,name,rate,connect_fee,first_increment,next_increment,effective_from\n\
               44,UK,0.0100,0,1,1,2026-01-01\n447,UK Mobile,0.0250,0.01,30,6,2026-01-01\n";
    let imported = c
        .ratecard_import(ctx(), "Std".into(), "USD".into(), csv.into(), false)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (imported.inserted, imported.replaced, imported.card.rates),
        (2, 0, 2)
    );
    let again = c
        .ratecard_import(ctx(), "Std".into(), "USD".into(), csv.into(), false)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (again.inserted, again.replaced, again.card.rates),
        (0, 2, 2)
    );
    let shown = c.ratecard_show(ctx(), "Std".into()).await.unwrap().unwrap();
    assert_eq!(shown.rates[1].rate_per_min, Micros(25_000));
    c.route_add(ctx(), cu.id, "Std".into(), "99#".into())
        .await
        .unwrap()
        .unwrap();
    let err = c
        .ratecard_remove(ctx(), "Std".into())
        .await
        .unwrap()
        .unwrap_err();
    assert!(matches!(err, AdminError::Conflict { .. }));

    c.payment_add(
        ctx(),
        cu.id,
        PaymentSpec {
            amount: "5.00".into(),
            status: None,
            description: "Top-up #internal".into(),
        },
    )
    .await
    .unwrap()
    .unwrap();
    let p2 = c
        .payment_add(
            ctx(),
            cu.id,
            PaymentSpec {
                amount: "7".into(),
                status: Some(PaymentStatus::Pending),
                description: String::new(),
            },
        )
        .await
        .unwrap()
        .unwrap();
    let listed = c.payment_list(ctx(), cu.id).await.unwrap().unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0].id, p2.id, "newest first");
    let done = c
        .payment_set_status(ctx(), p2.id, PaymentStatus::Completed)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(done.status, PaymentStatus::Completed);

    let detail = c.customer_show(ctx(), cu.id).await.unwrap().unwrap();
    assert_eq!(detail.contacts.len(), 1);
    assert_eq!(detail.routes[0].tech_prefix, "99#");
    c.customer_remove(ctx(), cu.id).await.unwrap().unwrap();
    assert!(
        c.contact_remove(ctx(), "ops@acme.test".into())
            .await
            .unwrap()
            .is_err()
    );
    // The account code is free again.
    c.customer_add(
        ctx(),
        CustomerPatch {
            name: Some("Other".into()),
            currency: Some("USD".into()),
            account_codes: Some(vec!["1001".into()]),
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .unwrap();
}

#[tokio::test]
async fn concurrent_show_and_hide_of_different_sections_are_all_kept() {
    let h = start().await;
    let c = client(&h).await;
    c.domain_add(
        ctx(),
        "portal.acme.test".into(),
        DomainPatch {
            currencies: Some(vec!["USD".into()]),
            access: Some(vec![]),
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .unwrap();
    let mut tasks = Vec::new();
    for section in Section::ALL.iter().copied() {
        let c = client(&h).await;
        tasks.push(tokio::spawn(async move {
            c.domain_set(
                ctx(),
                "portal.acme.test".into(),
                DomainPatch {
                    show_sections: vec![section],
                    ..Default::default()
                },
            )
            .await
            .unwrap()
            .unwrap();
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let d = c
        .domain_show(ctx(), "portal.acme.test".into())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(d.access, Section::ALL.to_vec());
    let err = c
        .domain_set(
            ctx(),
            "portal.acme.test".into(),
            DomainPatch {
                show_sections: vec![Section::Cdr],
                hide_sections: vec![Section::Cdr],
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .unwrap_err();
    assert!(
        matches!(&err, AdminError::Invalid { field, .. } if field == "access"),
        "{err:?}"
    );
}
