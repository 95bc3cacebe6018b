//! End to end with a real SMTP server on loopback (Debian's `python3-aiosmtpd`, through
//! `portico_tests::smtp`) and the real `porticod` and `portico`: `portico domain smtp-test` delivers a mail (and names what failed
//! when it cannot), and a password reset mailed by the portal arrives with a link to the plain
//! HTTP port it was asked on, which works once.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use portico_tests::Daemon;
use portico_tests::daemon::free_port;
use portico_tests::smtp::SmtpServer;

/// One HTTP/1.1 request to `127.0.0.1:port` (one connection); answers status, headers, body.
fn request(
    port: u16,
    host: &str,
    method: &str,
    path: &str,
    cookies: &str,
    form: Option<&str>,
) -> (u16, Vec<(String, String)>, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    if !cookies.is_empty() {
        head.push_str(&format!("Cookie: {cookies}\r\n"));
    }
    let body = form.unwrap_or("");
    if form.is_some() {
        head.push_str(&format!(
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\
             Origin: http://{host}\r\n",
            body.len()
        ));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let chunked = headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"));
    let body = if chunked {
        let mut out = String::new();
        let mut rest = body;
        while let Some((size, after)) = rest.split_once("\r\n") {
            let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
            if size == 0 {
                break;
            }
            out.push_str(&after[..size]);
            rest = &after[size + 2..];
        }
        out
    } else {
        body.to_owned()
    };
    (status, headers, body)
}

fn cookies_of(headers: &[(String, String)]) -> String {
    headers
        .iter()
        .filter(|(k, _)| k == "set-cookie")
        .filter_map(|(_, v)| v.split(';').next())
        .collect::<Vec<_>>()
        .join("; ")
}

fn csrf_of(page: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let at = page.find(marker).expect("a csrf field") + marker.len();
    page[at..].split('"').next().unwrap().to_owned()
}

fn smtp_flags(port: u16) -> Vec<String> {
    [
        "--smtp-host",
        "127.0.0.1",
        "--smtp-port",
        &port.to_string(),
        "--smtp-security",
        "none",
        "--smtp-from",
        "noc@brand.example",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

#[test]
fn smtp_test_delivers_a_mail_and_names_what_failed() {
    let smtp = SmtpServer::start();
    let d = Daemon::start();
    let cli = d.cli();
    let mut add = vec![
        "domain".to_owned(),
        "add".into(),
        "brand.example".into(),
        "--currencies".into(),
        "USD".into(),
        "--brand-name".into(),
        "Brand Voice".into(),
    ];
    add.extend(smtp_flags(smtp.port()));
    cli.json(&add);

    let out = cli.ok([
        "domain",
        "smtp-test",
        "brand.example",
        "--to",
        "noc@customer.example",
    ]);
    assert!(
        out.contains(&format!(
            "sent a test mail to noc@customer.example through 127.0.0.1:{} (none)",
            smtp.port()
        )),
        "{out}"
    );
    let mail = smtp.wait_for_mail_to("noc@customer.example");
    assert_eq!(mail.subject, "Brand Voice: test mail from Portico");
    assert!(mail.body().contains("brand.example"), "{}", mail.body());

    // A server that is not there: the error names it and what to check.
    let closed = free_port();
    cli.ok([
        "domain",
        "set",
        "brand.example",
        "--smtp-port",
        &closed.to_string(),
    ]);
    let server = format!("127.0.0.1:{closed}");
    cli.refused(
        &[
            "domain",
            "smtp-test",
            "brand.example",
            "--to",
            "noc@customer.example",
        ],
        &[&[&server], &["connection refused"], &["--smtp-port"]],
    );
    // STARTTLS to a server whose certificate this host does not trust: a TLS error.
    let tls = SmtpServer::start_with_starttls();
    cli.ok([
        "domain",
        "set",
        "brand.example",
        "--smtp-port",
        &tls.port().to_string(),
        "--smtp-security",
        "starttls",
    ]);
    let server = format!("127.0.0.1:{}", tls.port());
    cli.refused(
        &[
            "domain",
            "smtp-test",
            "brand.example",
            "--to",
            "noc@customer.example",
        ],
        &[&[&server], &["TLS"], &["certificate"]],
    );
    assert!(tls.messages().is_empty());
    // No SMTP at all.
    cli.ok(["domain", "set", "brand.example", "--no-smtp"]);
    cli.refused(
        &[
            "domain",
            "smtp-test",
            "brand.example",
            "--to",
            "noc@customer.example",
        ],
        &[&["has no SMTP settings"], &["--smtp-host"]],
    );
    assert_eq!(smtp.messages().len(), 1);
}

#[test]
fn a_reset_mail_arrives_and_its_link_works_once() {
    let smtp = SmtpServer::start();
    let d = Daemon::start();
    let cli = d.cli();
    let port = d.http_port();
    let mut add = vec![
        "domain".to_owned(),
        "add".into(),
        "brand.example".into(),
        "--currencies".into(),
        "USD".into(),
        "--brand-name".into(),
        "Brand Voice".into(),
    ];
    add.extend(smtp_flags(smtp.port()));
    cli.json(&add);
    let customer = cli.json([
        "customer",
        "add",
        "--name",
        "Pat's Co",
        "--currency",
        "USD",
        "--domain",
        "brand.example",
    ]);
    let id = customer["id"].as_u64().unwrap().to_string();
    let pw = d.dir().join("pw.txt");
    std::fs::write(&pw, "correct horse battery").unwrap();
    cli.json([
        "contact",
        "add",
        &id,
        "--email",
        "pat@customer.example",
        "--name",
        "Pat",
        "--password-file",
        pw.to_str().unwrap(),
    ]);
    let host = format!("brand.example:{port}");

    let (status, headers, page) = request(port, &host, "GET", "/forgot", "", None);
    assert_eq!(status, 200, "{page}");
    let jar = cookies_of(&headers);
    let form = format!("email=pat%40customer.example&csrf={}", csrf_of(&page));
    let (status, _, page) = request(port, &host, "POST", "/forgot", &jar, Some(&form));
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("If an account exists for pat@customer.example"),
        "{page}"
    );

    let mail = smtp.wait_for_mail_to("pat@customer.example");
    assert_eq!(mail.subject, "Brand Voice: set a new password");
    let link = mail.link_containing("/reset/").expect("a reset link");
    // The link leads back to the plain HTTP port the request came in on.
    let prefix = format!("http://brand.example:{port}/reset/");
    assert!(link.starts_with(&prefix), "{link}");
    let path = &link[format!("http://brand.example:{port}").len()..];

    let (status, headers, page) = request(port, &host, "GET", path, "", None);
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Set a new password"), "{page}");
    let jar = cookies_of(&headers);
    let form = format!(
        "password=a+new+long+passphrase&password2=a+new+long+passphrase&csrf={}",
        csrf_of(&page)
    );
    let (status, _, page) = request(port, &host, "POST", path, &jar, Some(&form));
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Your password is changed"), "{page}");
    // Second use: refused.
    let (status, _, page) = request(port, &host, "POST", path, &jar, Some(&form));
    assert_eq!(status, 410, "{page}");
    assert!(
        page.contains("This link has expired or was already used"),
        "{page}"
    );

    // The new password logs in.
    let (_, headers, page) = request(port, &host, "GET", "/login", "", None);
    let jar = cookies_of(&headers);
    let form = format!(
        "email=pat%40customer.example&password=a+new+long+passphrase&csrf={}",
        csrf_of(&page)
    );
    let (status, headers, page) = request(port, &host, "POST", "/login", &jar, Some(&form));
    assert_eq!(status, 303, "{page}");
    assert!(
        headers.iter().any(|(k, v)| k == "location" && v == "/"),
        "{headers:?}"
    );
    let audit = cli.json(["audit", "--limit", "5"]);
    assert!(
        audit.to_string().contains("portal_password_reset"),
        "{audit}"
    );
}

#[test]
fn a_sign_up_is_confirmed_by_the_mailed_link() {
    let smtp = SmtpServer::start();
    let d = Daemon::start();
    let cli = d.cli();
    let port = d.http_port();
    let mut add = vec![
        "domain".to_owned(),
        "add".into(),
        "brand.example".into(),
        "--currencies".into(),
        "USD".into(),
        "--brand-name".into(),
        "Brand Voice".into(),
        "--customer-signup".into(),
        "yes".into(),
    ];
    add.extend(smtp_flags(smtp.port()));
    cli.json(&add);
    let host = format!("brand.example:{port}");

    let (status, headers, page) = request(port, &host, "GET", "/signup", "", None);
    assert_eq!(status, 200, "{page}");
    let jar = cookies_of(&headers);
    let form = format!(
        "company=Newco&name=Nora+New&email=nora%40newco.example&password=correct+horse+battery\
         &password2=correct+horse+battery&currency=USD&website=&csrf={}",
        csrf_of(&page)
    );
    let (status, headers, page) = request(port, &host, "POST", "/signup", &jar, Some(&form));
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("We sent a link to nora@newco.example"),
        "{page}"
    );
    assert!(
        !cookies_of(&headers).contains("__Host-portico="),
        "{headers:?}"
    );

    let log_in = || {
        let (_, headers, page) = request(port, &host, "GET", "/login", "", None);
        let jar = cookies_of(&headers);
        let form = format!(
            "email=nora%40newco.example&password=correct+horse+battery&csrf={}",
            csrf_of(&page)
        );
        request(port, &host, "POST", "/login", &jar, Some(&form))
    };
    let (status, _, page) = log_in();
    assert_eq!(status, 200);
    assert!(page.contains("Confirm your e-mail address first"), "{page}");

    let mail = smtp.wait_for_mail_to("nora@newco.example");
    assert_eq!(mail.subject, "Brand Voice: confirm your e-mail address");
    let link = mail
        .link_containing("/confirm/")
        .expect("a confirmation link");
    let base = format!("http://brand.example:{port}");
    assert!(link.starts_with(&format!("{base}/confirm/")), "{link}");
    let (status, _, page) = request(port, &host, "GET", &link[base.len()..], "", None);
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("is confirmed"), "{page}");
    let (status, _, page) = log_in();
    assert_eq!(status, 303, "{page}");
    let list = cli.json(["customer", "list"]);
    assert!(list.to_string().contains("Newco"), "{list}");
}
