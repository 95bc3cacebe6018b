//! The mailer against a real SMTP server (aiosmtpd) on loopback, and its errors.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use portico_protocol::SmtpSecurity;

use super::testing::{Sink, domain_record};
use super::{Mailer, Outgoing};

fn mailer(settings: portico_protocol::SmtpSettings, password: Option<&str>) -> Mailer {
    let mut record = domain_record("alpha.example", "Alpha Telecom");
    record.domain.smtp = Some(settings);
    record.smtp_password = password.map(str::to_owned);
    Mailer::of(&record).unwrap()
}

fn outgoing(to: &str) -> Outgoing {
    Outgoing {
        to: to.to_owned(),
        subject: "Test".to_owned(),
        text: "Hello.\n\nhttps://alpha.example/reset/abc\n".to_owned(),
    }
}

#[tokio::test]
async fn a_mail_reaches_the_server_from_the_brand() {
    let sink = Sink::start();
    let m = mailer(sink.settings("noc@alpha.example"), None);
    m.send(outgoing("pat@customer.example")).await.unwrap();
    let mail = sink.wait_for("pat@customer.example", 1).await;
    assert_eq!(mail.mail_from, "noc@alpha.example");
    assert_eq!(mail.subject, "Alpha Telecom: Test");
    assert!(mail.from.contains("Alpha Telecom"), "{}", mail.from);
    assert!(mail.from.contains("noc@alpha.example"), "{}", mail.from);
    assert_eq!(
        mail.link_with("/reset/").as_deref(),
        Some("https://alpha.example/reset/abc")
    );
}

#[tokio::test]
async fn a_refused_connection_names_the_server_and_what_to_check() {
    // A port nobody listens on: bound, then closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let sink = Sink::start();
    let mut settings = sink.settings("noc@alpha.example");
    settings.port = port;
    let err = mailer(settings, None)
        .send(outgoing("pat@customer.example"))
        .await
        .unwrap_err()
        .0;
    assert!(err.contains(&format!("127.0.0.1:{port}")), "{err}");
    assert!(err.contains("connection refused"), "{err}");
    assert!(err.contains("--smtp-port"), "{err}");
}

#[tokio::test]
async fn tls_to_a_plain_server_is_a_tls_error() {
    let sink = Sink::start();
    let mut settings = sink.settings("noc@alpha.example");
    settings.security = SmtpSecurity::Tls;
    let err = mailer(settings, None)
        .send(outgoing("pat@customer.example"))
        .await
        .unwrap_err()
        .0;
    assert!(
        err.starts_with("TLS with the SMTP server 127.0.0.1:"),
        "{err}"
    );
    assert!(err.contains("--smtp-security"), "{err}");
    // STARTTLS required, but this server does not offer it.
    let mut settings = sink.settings("noc@alpha.example");
    settings.security = SmtpSecurity::Starttls;
    let err = mailer(settings, None)
        .send(outgoing("pat@customer.example"))
        .await
        .unwrap_err()
        .0;
    assert!(err.contains("does not offer STARTTLS"), "{err}");
    assert!(sink.mails().is_empty());
}

#[tokio::test]
async fn a_login_the_server_cannot_take_is_named() {
    let sink = Sink::start();
    let mut settings = sink.settings("noc@alpha.example");
    settings.username = "noc".to_owned();
    let err = mailer(settings, Some("secret"))
        .send(outgoing("pat@customer.example"))
        .await
        .unwrap_err()
        .0;
    assert!(err.contains("127.0.0.1:"), "{err}");
    assert!(err.contains("login"), "{err}");
    assert!(!err.contains("secret"), "{err}");
}

#[tokio::test]
async fn a_bad_from_address_is_named_before_connecting() {
    let sink = Sink::start();
    let err = mailer(sink.settings("not an address"), None)
        .send(outgoing("pat@customer.example"))
        .await
        .unwrap_err()
        .0;
    assert!(err.contains("\"not an address\""), "{err}");
    assert!(err.contains("--smtp-from"), "{err}");
}
