//! A scripted cross-tenant attack set against two brands on one real daemon, over HTTPS with
//! the local CA: the customer of brand A (Alpha) tries every door into brand B (Beta) and its
//! customer. Each attempt is listed with what must happen and what did; the test prints the
//! table and fails if any attempt got through. SECURITY.md lists the same set.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

use std::path::PathBuf;
use std::thread;
use std::time::Duration;

use portico_tests::https::{self, Fetched, Opts, state, wait_status};
use portico_tests::portal::{asterisk_line, customer_id, smtp_flags};
use portico_tests::smtp::SmtpServer;
use portico_tests::{Cli, Daemon};

const A: &str = "portal.alpha.test";
const B: &str = "portal.beta.test";
const PASSWORD: &str = "correct horse battery staple";
const SESSION: &str = "__Host-portico";
const FORM: &str = "__Host-portico-form";

/// Strings only brand B and its customer's data contain: none may show up in an answer to A.
const B_MARKERS: &[&str] = &[
    "Bob Beta Secret",
    "bob@beta.test",
    "4420794606",
    "beta-secret-payment",
    "Beta Secret Contract",
    "Beta Secret Destination",
    "BetaCard",
];

struct World {
    daemon: Daemon,
    smtp: SmtpServer,
    root: PathBuf,
    customer_b: String,
    contract_b: String,
}

impl World {
    fn cli(&self) -> Cli {
        self.daemon.cli()
    }

    fn port(&self) -> u16 {
        self.daemon.https_port()
    }

    /// A request to `path` on a connection made for `sni`.
    fn call(&self, sni: &str, path: &str, opts: &Opts) -> Fetched {
        https::call(sni, self.port(), path, &self.root, opts)
            .unwrap_or_else(|e| panic!("https://{sni}{path}: {e}"))
    }

    fn origin(&self, fqdn: &str) -> String {
        format!("https://{fqdn}:{}", self.port())
    }
}

/// A logged-in session: its cookie and its CSRF token.
#[derive(Debug, Clone)]
struct Session {
    cookie: String,
    csrf: String,
}

impl Session {
    fn opts(&self) -> Opts {
        Opts::default().cookie(SESSION, &self.cookie)
    }
}

/// The value of the first `name="csrf"` input of a page.
fn csrf_of(html: &str) -> String {
    let at = html
        .find("name=\"csrf\" value=\"")
        .unwrap_or_else(|| panic!("no CSRF field in:\n{html}"));
    let rest = &html[at + "name=\"csrf\" value=\"".len()..];
    rest[..rest.find('"').unwrap()].to_string()
}

/// A form page's token and form cookie (a first visit gets a new cookie).
fn form_token(w: &World, fqdn: &str, path: &str, from: Option<&str>) -> (String, String) {
    let mut opts = Opts::default();
    if let Some(from) = from {
        opts = opts.from(from);
    }
    let page = w.call(fqdn, path, &opts);
    assert_eq!(page.status, 200, "{page:?}");
    let cookie = page.set_cookie(FORM).expect("a form cookie");
    (csrf_of(&page.body), cookie)
}

/// Posts the log-in form of `fqdn` (from loopback address `from`).
fn try_login(w: &World, fqdn: &str, email: &str, password: &str, from: &str) -> Fetched {
    let (csrf, cookie) = form_token(w, fqdn, "/login", Some(from));
    w.call(
        fqdn,
        "/login",
        &Opts::default()
            .from(from)
            .cookie(FORM, &cookie)
            .header("Origin", &w.origin(fqdn))
            .post(&[("email", email), ("password", password), ("csrf", &csrf)]),
    )
}

fn log_in(w: &World, fqdn: &str, email: &str) -> Session {
    let answer = try_login(w, fqdn, email, PASSWORD, "127.0.0.1");
    let cookie = answer
        .set_cookie(SESSION)
        .unwrap_or_else(|| panic!("{email} could not log in on {fqdn}: {answer:?}"));
    let profile = w.call(fqdn, "/profile", &Opts::default().cookie(SESSION, &cookie));
    assert_eq!(profile.status, 200, "{profile:?}");
    Session {
        csrf: csrf_of(&profile.body),
        cookie,
    }
}

fn write(w: &Daemon, name: &str, content: &[u8]) -> String {
    let path = w.dir().join(name);
    std::fs::write(&path, content).unwrap();
    path.to_str().unwrap().to_string()
}

fn setup() -> World {
    let daemon = Daemon::start();
    let smtp = SmtpServer::start();
    let cli = daemon.cli();
    for (fqdn, brand, from) in [
        (A, "Alpha Voice", "noc@alpha.test"),
        (B, "Beta Telecom", "noc@beta.test"),
    ] {
        let mut add: Vec<String> = ["domain", "add", fqdn, "--currencies", "USD", "--brand-name"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        add.push(brand.into());
        add.extend(smtp_flags(smtp.port(), from));
        cli.json(&add);
    }
    cli.json([
        "domain",
        "set",
        B,
        "--custom-css",
        "body { --beta-secret: 1; }",
    ]);
    let logo = write(
        &daemon,
        "beta-logo.png",
        &portico_tests::png::png_rgb(60, 20),
    );
    cli.json(["file", "put", &logo, "--name", "beta-logo.png"]);
    cli.json(["domain", "set", B, "--logo", "beta-logo.png"]);
    wait_status(&daemon, A, "active", |s| state(s) == "active");
    wait_status(&daemon, B, "active", |s| state(s) == "active");
    let root = daemon.dir().join("local-ca.pem");
    std::fs::write(&root, cli.ok(["ca", "export"])).unwrap();

    let std_card = write(
        &daemon,
        "std.csv",
        b"prefix,name,rate,connect_fee,first_increment,next_increment\n44,United Kingdom,0.0120,0,1,1\n",
    );
    let beta_card = write(
        &daemon,
        "beta.csv",
        b"prefix,name,rate,connect_fee,first_increment,next_increment\n44,Beta Secret Destination,0.0330,0,1,1\n",
    );
    cli.json(["ratecard", "import", "Std", &std_card, "--currency", "USD"]);
    cli.json([
        "ratecard",
        "import",
        "BetaCard",
        &beta_card,
        "--currency",
        "USD",
    ]);
    let customer = |name: &str, fqdn: &str, code: &str| {
        customer_id(&cli.json([
            "customer",
            "add",
            "--name",
            name,
            "--currency",
            "USD",
            "--domain",
            fqdn,
            "--account-codes",
            code,
        ]))
    };
    let customer_a = customer("Alice Alpha Ltd", A, "acct-alpha");
    let customer_b = customer("Bob Beta Secret Ltd", B, "acct-beta");
    cli.json(["route", "add", &customer_a, "Std"]);
    cli.json(["route", "add", &customer_b, "BetaCard"]);
    for (customer, email, name) in [
        (&customer_a, "alice@alpha.test", "Alice"),
        (&customer_a, "rita@alpha.test", "Rita"),
        (&customer_a, "victim@alpha.test", "Victor"),
        (&customer_b, "bob@beta.test", "Bob"),
    ] {
        cli.json([
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
    cli.json([
        "payment",
        "add",
        &customer_b,
        "77.77",
        "--description",
        "beta-secret-payment",
    ]);
    let contract = cli.json([
        "contract",
        "add",
        &customer_b,
        "--name",
        "Beta Secret Contract",
        "--text",
        "Bob agrees.",
        "--required",
    ]);
    let contract_b = contract["id"].to_string();
    // A has three calls; B has sixty (more than a page, so B's page has a paging cursor).
    let mut lines = String::new();
    for n in 1..=3 {
        lines.push_str(&asterisk_line("acct-alpha", n, i64::from(n) * 5, true));
    }
    for n in 600..660 {
        lines.push_str(&asterisk_line(
            "acct-beta",
            n,
            i64::from(n - 590),
            n % 3 != 0,
        ));
    }
    let master = write(&daemon, "Master.csv", lines.as_bytes());
    let report = cli.json(["cdr", "import", "--format", "asterisk-csv", &master]);
    assert_eq!(report["imported"], 63, "{report}");
    World {
        daemon,
        smtp,
        root,
        customer_b,
        contract_b,
    }
}

/// One row of the table.
struct Row {
    attempt: String,
    expected: &'static str,
    result: String,
    refused: bool,
}

#[derive(Default)]
struct Table {
    rows: Vec<Row>,
}

impl Table {
    fn add(
        &mut self,
        attempt: impl Into<String>,
        expected: &'static str,
        result: String,
        refused: bool,
    ) {
        self.rows.push(Row {
            attempt: attempt.into(),
            expected,
            result,
            refused,
        });
    }

    fn print(&self) -> String {
        let mut out = format!("{:<72} | {:<34} | result\n", "attempt", "expected");
        out.push_str(&format!("{}\n", "-".repeat(140)));
        for r in &self.rows {
            out.push_str(&format!(
                "{:<72} | {:<34} | {}{}\n",
                r.attempt,
                r.expected,
                if r.refused {
                    "refused: "
                } else {
                    "GOT THROUGH: "
                },
                r.result
            ));
        }
        out
    }
}

fn leaks(body: &str) -> Option<&'static str> {
    B_MARKERS.iter().copied().find(|m| body.contains(m))
}

fn summary(f: &Fetched) -> String {
    let location = f
        .header("location")
        .map(|l| format!(" → {l}"))
        .unwrap_or_default();
    format!("{}{location}", f.status)
}

/// A request whose answer must show nothing of B (and, when `own` is given, A's own data).
fn no_leak(t: &mut Table, w: &World, what: String, path: &str, opts: &Opts, own: Option<&str>) {
    let f = w.call(A, path, opts);
    let leak = leaks(&f.body);
    let own_ok = own.is_none_or(|o| f.body.contains(o));
    let result = match leak {
        Some(m) => format!("{}, shows {m:?}", summary(&f)),
        None if !own_ok => format!("{}, not the account's own data", summary(&f)),
        None => format!("{}, own data only", summary(&f)),
    };
    t.add(
        what,
        "own data only, nothing of B",
        result,
        leak.is_none() && own_ok && f.status < 500,
    );
}

fn sessions_and_hosts(t: &mut Table, w: &World, a: &Session) {
    for path in ["/", "/cdr", "/cdr.csv", "/payments", "/profile"] {
        let f = w.call(B, path, &a.opts());
        let to_login =
            (300..400).contains(&f.status) && f.header("location").as_deref() == Some("/login");
        t.add(
            format!("A's session cookie replayed on B: GET {path}"),
            "redirect to B's /login",
            summary(&f),
            to_login && leaks(&f.body).is_none(),
        );
    }
    // The connection is made for one name, the request names another.
    for (sni, host, path, cookie) in [
        (A, B, "/", true),
        (A, B, "/login", false),
        (B, A, "/", true),
        (B, A, "/login", false),
        (A, "unknown.test", "/", false),
    ] {
        let mut opts = Opts::default().host(&format!("{host}:{}", w.port()));
        if cookie {
            opts = opts.cookie(SESSION, &a.cookie);
        }
        let f = w.call(sni, path, &opts);
        let brands = ["Alpha Voice", "Beta Telecom", "Alice Alpha"];
        let shown: Vec<_> = brands.iter().filter(|b| f.body.contains(*b)).collect();
        t.add(
            format!(
                "SNI {sni}, Host {host}{}: GET {path}",
                if cookie { ", A's session" } else { "" }
            ),
            "421, no brand's page",
            format!(
                "{}{}",
                summary(&f),
                if shown.is_empty() {
                    String::new()
                } else {
                    format!(", shows {shown:?}")
                }
            ),
            f.status == 421 && shown.is_empty(),
        );
    }
}

fn ids_and_keys(t: &mut Table, w: &World, a: &Session, b: &Session) {
    let id = &w.customer_b;
    let foreign = format!("customer={id}&customer_id={id}&account={id}&account_id={id}&id={id}");
    // B's own paging cursor, from B's own CDR page.
    let b_page = w.call(B, "/cdr", &b.opts());
    assert!(
        b_page.body.contains("4420794606"),
        "B sees its calls: {}",
        b_page.body
    );
    let cursor = b_page
        .body
        .split("before=")
        .nth(1)
        .map(|rest| rest.split(['"', '&']).next().unwrap_or("").to_string())
        .expect("B's CDR page links to the next page");
    let own_cdr = Some("442079460001");
    for (path, own) in [
        (format!("/cdr?{foreign}"), own_cdr),
        (format!("/cdr?before={cursor}"), None),
        (format!("/cdr?before={cursor}&{foreign}"), None),
        (format!("/cdr.csv?{foreign}"), own_cdr),
        (format!("/cdr.csv?before={cursor}&{foreign}"), None),
        // A search for digits only B's numbers have (the page echoes the search itself).
        (format!("/cdr?q=0606&{foreign}"), None),
        (format!("/breakout?{foreign}"), Some("United Kingdom")),
        (
            format!("/breakout.csv?{foreign}&per_day=1"),
            Some("United Kingdom"),
        ),
        (
            format!("/rates?{foreign}&card=BetaCard"),
            Some("United Kingdom"),
        ),
        (
            format!("/rates.csv?{foreign}&card=BetaCard&ratecard=BetaCard"),
            Some("United Kingdom"),
        ),
        (format!("/payments?{foreign}"), None),
        (format!("/contracts?{foreign}"), None),
        (format!("/?{foreign}"), None),
    ] {
        no_leak(
            t,
            w,
            format!("B's ids swapped into A's URL: GET {path}"),
            &path,
            &a.opts(),
            own,
        );
    }
    // B's contract by id.
    let path = format!("/contracts/{}", w.contract_b);
    let f = w.call(A, &path, &a.opts());
    t.add(
        format!("B's contract id in A's URL: GET {path}"),
        "404, nothing of B",
        summary(&f),
        f.status == 404 && leaks(&f.body).is_none(),
    );
    let f = w.call(
        A,
        &path,
        &a.opts().header("Origin", &w.origin(A)).post(&[
            ("csrf", &a.csrf),
            ("name", "Alice"),
            ("agree", "yes"),
        ]),
    );
    let still_due = w.call(B, &path, &b.opts());
    t.add(
        format!("A approves B's contract: POST {path} (valid token)"),
        "404, B's contract still unapproved",
        format!(
            "{}, B's contract {}",
            summary(&f),
            if still_due.body.contains("name=\"agree\"") {
                "still unapproved"
            } else {
                "APPROVED"
            }
        ),
        f.status == 404 && still_due.body.contains("name=\"agree\""),
    );
    // B's files through A's name.
    let b_login = w.call(B, "/login", &Opts::default());
    let asset = |prefix: &str| {
        b_login
            .body
            .split(prefix)
            .nth(1)
            .map(|rest| format!("{prefix}{}", rest.split('"').next().unwrap_or("")))
            .unwrap_or_else(|| panic!("B's login page has no {prefix}: {}", b_login.body))
    };
    for path in [asset("/_portico/logo/"), asset("/_portico/brand-")] {
        let f = w.call(A, &path, &Opts::default());
        t.add(
            format!("B's file through A's name: GET {path}"),
            "404",
            summary(&f),
            f.status == 404,
        );
    }
}

fn csrf(t: &mut Table, w: &World, a: &Session, b: &Session) {
    let origin = w.origin(A);
    let attempts: Vec<(&str, Opts)> = vec![
        (
            "no token",
            a.opts()
                .header("Origin", &origin)
                .post(&[("name", "Mallory")]),
        ),
        (
            "B's session's token",
            a.opts()
                .header("Origin", &origin)
                .post(&[("name", "Mallory"), ("csrf", &b.csrf)]),
        ),
        (
            "right token, Origin https://evil.test",
            a.opts()
                .header("Origin", "https://evil.test")
                .post(&[("name", "Mallory"), ("csrf", &a.csrf)]),
        ),
        (
            "right token, Origin of brand B",
            a.opts()
                .header("Origin", &w.origin(B))
                .post(&[("name", "Mallory"), ("csrf", &a.csrf)]),
        ),
        (
            "right token, no Origin, Referer on evil.test",
            a.opts()
                .header("Referer", "https://evil.test/page")
                .post(&[("name", "Mallory"), ("csrf", &a.csrf)]),
        ),
    ];
    for (how, opts) in attempts {
        let f = w.call(A, "/profile", &opts);
        let profile = w.call(A, "/profile", &a.opts());
        let changed = profile.body.contains("Mallory");
        t.add(
            format!("CSRF: POST /profile, {how}"),
            "403, profile unchanged",
            format!(
                "{}{}",
                summary(&f),
                if changed { ", PROFILE CHANGED" } else { "" }
            ),
            f.status == 403 && !changed,
        );
    }
    let f = w.call(A, "/logout", &a.opts().header("Origin", &origin).post(&[]));
    let still_in = w.call(A, "/", &a.opts()).status == 200;
    t.add(
        "CSRF: POST /logout without a token",
        "403, session still valid",
        format!(
            "{}{}",
            summary(&f),
            if still_in { "" } else { ", LOGGED OUT" }
        ),
        f.status == 403 && still_in,
    );
    // Login CSRF: a log-in form posted without the visitor's form cookie, or with another
    // visitor's token.
    let (csrf_1, _) = form_token(w, A, "/login", None);
    let (_, cookie_2) = form_token(w, A, "/login", None);
    let login = |csrf: &str| {
        vec![
            ("email".to_string(), "alice@alpha.test".to_string()),
            ("password".to_string(), PASSWORD.to_string()),
            ("csrf".to_string(), csrf.to_string()),
        ]
    };
    let mut without_cookie = Opts::default().header("Origin", &origin);
    without_cookie.form = Some(login(&csrf_1));
    let mut other_visitor = Opts::default()
        .cookie(FORM, &cookie_2)
        .header("Origin", &origin);
    other_visitor.form = Some(login(&csrf_1));
    for (how, opts) in [
        ("no form cookie", without_cookie),
        ("another visitor's token", other_visitor),
    ] {
        let f = w.call(A, "/login", &opts);
        t.add(
            format!("login CSRF on A: {how}"),
            "403, no session",
            summary(&f),
            f.status == 403 && f.set_cookie(SESSION).is_none(),
        );
    }
    // The same form with everything right goes through: the refusals above are the checks'.
    let f = w.call(
        A,
        "/profile",
        &a.opts().header("Origin", &origin).post(&[
            ("name", "Alice"),
            ("csrf", &a.csrf),
            ("time_zone", "UTC"),
        ]),
    );
    assert!(f.status < 400, "a valid profile post was refused: {f:?}");
}

fn reset_tokens(t: &mut Table, w: &World) {
    let (csrf, cookie) = form_token(w, A, "/forgot", None);
    let asked = w.call(
        A,
        "/forgot",
        &Opts::default()
            .cookie(FORM, &cookie)
            .header("Origin", &w.origin(A))
            .post(&[("email", "rita@alpha.test"), ("csrf", &csrf)]),
    );
    assert_eq!(asked.status, 200, "{asked:?}");
    let mail = w.smtp.wait_for_mail_to("rita@alpha.test");
    let link = mail.link_containing("/reset/").expect("a reset link");
    let token = link.rsplit('/').next().unwrap().to_string();
    let path = format!("/reset/{token}");

    let f = w.call(B, &path, &Opts::default());
    t.add(
        "A's reset token on B: GET /reset/<token>",
        "410",
        summary(&f),
        f.status == 410,
    );
    let (csrf_b, cookie_b) = form_token(w, B, "/login", None);
    let f = w.call(
        B,
        &path,
        &Opts::default()
            .cookie(FORM, &cookie_b)
            .header("Origin", &w.origin(B))
            .post(&[
                ("password", "taken over by b"),
                ("password2", "taken over by b"),
                ("csrf", &csrf_b),
            ]),
    );
    t.add(
        "A's reset token on B: POST a new password",
        "410",
        summary(&f),
        f.status == 410,
    );
    // Used once on A, as meant.
    let (csrf_a, cookie_a) = form_token(w, A, &path, None);
    let new = "a brand new passphrase";
    let used = w.call(
        A,
        &path,
        &Opts::default()
            .cookie(FORM, &cookie_a)
            .header("Origin", &w.origin(A))
            .post(&[("password", new), ("password2", new), ("csrf", &csrf_a)]),
    );
    assert!(
        used.status < 400,
        "the reset link did not work once: {used:?}"
    );
    assert!(
        try_login(w, A, "rita@alpha.test", new, "127.0.0.1")
            .set_cookie(SESSION)
            .is_some()
    );
    let f = w.call(
        A,
        &path,
        &Opts::default()
            .cookie(FORM, &cookie_a)
            .header("Origin", &w.origin(A))
            .post(&[
                ("password", "second use pass"),
                ("password2", "second use pass"),
                ("csrf", &csrf_a),
            ]),
    );
    t.add(
        "reset token used a second time on A",
        "410",
        summary(&f),
        f.status == 410,
    );
}

/// Guesses passwords for `email` from `from` the way a script would, waiting out each wait
/// the portal names, until a wait of at least 8 s; returns the answers seen (status and the
/// message with numbers and the address taken out).
fn guess(w: &World, email: &str, from: &str) -> Vec<(u16, String)> {
    let mut seen = Vec::new();
    for _ in 0..40 {
        let f = try_login(w, A, email, "wrong guess 123", from);
        let message = f
            .body
            .split("role=\"alert\"")
            .nth(1)
            .map(|r| r.split('<').next().unwrap_or("").to_string())
            .unwrap_or_default();
        let wait: u64 = message
            .split_whitespace()
            .skip_while(|w| *w != "Wait")
            .nth(1)
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        let shape: String = message
            .replace(email, "EMAIL")
            .chars()
            .map(|c| if c.is_ascii_digit() { 'N' } else { c })
            .collect();
        if !seen.contains(&(f.status, shape.clone())) {
            seen.push((f.status, shape));
        }
        assert!(
            f.set_cookie(SESSION).is_none(),
            "a wrong password logged in"
        );
        if wait >= 8 {
            return seen;
        }
        if wait > 0 {
            thread::sleep(Duration::from_secs(wait));
        }
    }
    panic!("no throttling after 40 wrong passwords for {email}: {seen:?}");
}

fn brute_force(t: &mut Table, w: &World) {
    // Each from its own client address, so that neither counts against the other.
    let (known, unknown) = thread::scope(|s| {
        let known = s.spawn(|| guess(w, "victim@alpha.test", "127.0.0.3"));
        let unknown = s.spawn(|| guess(w, "nobody@alpha.test", "127.0.0.4"));
        (known.join().unwrap(), unknown.join().unwrap())
    });
    let throttled = known.iter().any(|(s, _)| *s == 429);
    t.add(
        "password guessing on victim@alpha.test",
        "429 after 5 failures",
        format!(
            "answers {:?}",
            known.iter().map(|(s, _)| *s).collect::<Vec<_>>()
        ),
        throttled,
    );
    // The right password while throttled is refused like a wrong one.
    let f = try_login(w, A, "victim@alpha.test", PASSWORD, "127.0.0.3");
    t.add(
        "the right password while throttled",
        "429, no session",
        summary(&f),
        f.status == 429 && f.set_cookie(SESSION).is_none(),
    );
    t.add(
        "password guessing on an unknown address",
        "the same answers as an existing one",
        if known == unknown {
            "the same answers".to_string()
        } else {
            format!("known {known:?} vs unknown {unknown:?}")
        },
        known == unknown,
    );
}

fn traversal(t: &mut Table, w: &World) {
    for path in [
        "/files/..%2f..%2fportico.redb",
        "/files/..%2F..%2F..%2Fetc%2Fpasswd",
        "/_portico/..%2f..%2fportico.redb",
        "/_portico/%2e%2e%2fportico.redb",
        "/_portico/logo/0000000000000000/..%2f..%2fportico.redb",
        "/_portico/logo/..%2f..%2f/beta-logo.png",
        "/_portico/brand-..%2f..%2fportico.redb.css",
    ] {
        let f = w.call(A, path, &Opts::default());
        t.add(
            format!("path traversal: GET {path}"),
            "404",
            summary(&f),
            f.status == 404 && !f.body.contains("redb") && !f.body.contains("root:"),
        );
    }
    let cli = w.cli();
    let png = write(&w.daemon, "ok.png", &portico_tests::png::png_rgb(20, 20));
    for name in [
        "../../escape.png",
        "..",
        "a/b.png",
        ".hidden.png",
        "..%2fx.png",
        "x\\..\\y.png",
    ] {
        let run = cli.run(["file", "put", &png, "--name", name]);
        let listed = cli.ok(["file", "list"]);
        t.add(
            format!("admin API: file put --name {name:?}"),
            "refused, store unchanged",
            if run.code == 0 {
                "stored".into()
            } else {
                "refused".into()
            },
            run.code != 0 && !listed.contains(name),
        );
    }
    let run = cli.run(["domain", "set", A, "--logo", "../beta-logo.png"]);
    t.add(
        "admin API: domain set --logo ../beta-logo.png",
        "refused",
        if run.code == 0 {
            "set".into()
        } else {
            "refused".into()
        },
        run.code != 0,
    );
    assert!(
        !w.daemon.dir().join("..").join("escape.png").exists(),
        "a file was written outside the data directory"
    );
}

#[test]
fn every_cross_tenant_attempt_is_refused() {
    let w = setup();
    let a = log_in(&w, A, "alice@alpha.test");
    let b = log_in(&w, B, "bob@beta.test");
    // The sessions work where they belong: the refusals below are not a broken set-up.
    let own = w.call(A, "/cdr", &a.opts());
    assert!(own.body.contains("442079460001"), "{own:?}");
    assert!(leaks(&own.body).is_none());

    let mut t = Table::default();
    sessions_and_hosts(&mut t, &w, &a);
    ids_and_keys(&mut t, &w, &a, &b);
    csrf(&mut t, &w, &a, &b);
    reset_tokens(&mut t, &w);
    traversal(&mut t, &w);
    brute_force(&mut t, &w);

    let table = t.print();
    println!("{table}");
    let through: Vec<_> = t.rows.iter().filter(|r| !r.refused).collect();
    assert!(
        through.is_empty(),
        "{} attempt(s) got through:\n{table}",
        through.len()
    );
}
