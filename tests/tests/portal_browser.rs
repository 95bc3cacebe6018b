//! The portal's branded pages in a real browser (headless chromium through chromedriver): the
//! real `porticod` serves two brands set up with the real CLI, and the browser shows what a
//! customer sees on a laptop and on a phone.
//!
//! These tests select only what every branded page has (DESIGN.md, "How the portal looks"): the
//! top bar's brand (`.topbar .brand`, its logo `img.brand-logo` or its name `.brand-name`), the
//! footer (`.site-footer-text`) and the theme's custom properties, so they hold whatever page `/`
//! becomes. Screenshots land in `<target>/portal-screenshots/<test>/`.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

use portico_tests::Daemon;
use portico_tests::browser::{Browser, Cookie, HttpsFiles, Viewport};
use portico_tests::png::png_rgb;
use portico_tests::portal::{LOGIN_FORM, customer_id, log_in};

/// Brand A's custom CSS: one theme property and one rule of its own.
const A_CSS: &str = ":root { --portico-accent: #0b6e4f; }\n\
                     .site-footer-text { letter-spacing: 3px; }";
/// Brand A's own JavaScript: marks the page so that the test sees it ran.
const A_JS: &str = "document.documentElement.setAttribute('data-brand-js', 'acme');";
/// Brand B's.
const B_CSS: &str = ":root { --portico-accent: #7a1fa2; }";
const B_JS: &str = "document.documentElement.setAttribute('data-brand-js', 'globex');";
/// What the brand's external script (served by the HTTPS file server) does.
const EXTERNAL_JS: &str = "document.documentElement.setAttribute('data-external-js', 'ran');";

const A_NAME: &str = "Acme Telecom";
const A_FOOTER: &str = "Acme Telecom Ltd · 1 Test Street · support@acme.test";
const B_NAME: &str = "Globex Voice";
const B_FOOTER: &str = "Globex Voice Inc.";

/// The two brands on one daemon, and the HTTPS server that stands in for brand A's script CDN.
struct Brands {
    daemon: Daemon,
    cdn: HttpsFiles,
}

impl Brands {
    fn start() -> Brands {
        let daemon = Daemon::start();
        let cli = daemon.cli();
        let cdn = HttpsFiles::start(&["cdn.test", "evil.test"]);
        cdn.put("/brand.js", EXTERNAL_JS);
        cdn.put(
            "/evil.js",
            "document.documentElement.setAttribute('data-evil', 'ran');",
        );

        let logo = daemon.dir().join("acme-logo.png");
        std::fs::write(&logo, png_rgb(160, 48)).unwrap();
        cli.json(["file", "put", logo.to_str().unwrap()]);
        let js = format!(
            "<script src=\"{}\"></script>\n{A_JS}\n",
            cdn.url("cdn.test", "/brand.js")
        );
        cli.json([
            "domain",
            "add",
            "acme.test",
            "--currencies",
            "USD",
            "--brand-name",
            A_NAME,
            "--footer",
            A_FOOTER,
            "--custom-css",
            A_CSS,
            "--custom-js",
            &js,
            "--logo",
            "acme-logo.png",
        ]);
        cli.json([
            "domain",
            "add",
            "globex.test",
            "--currencies",
            "EUR",
            "--brand-name",
            B_NAME,
            "--footer",
            B_FOOTER,
            "--custom-css",
            B_CSS,
            "--custom-js",
            B_JS,
        ]);
        Brands { daemon, cdn }
    }

    fn url(&self, host: &str, path: &str) -> String {
        format!("http://{host}:{}{path}", self.daemon.http_port())
    }

    fn browser(&self, viewport: Viewport) -> Browser {
        Browser::builder()
            .viewport(viewport)
            .accept_insecure_certs()
            .start()
    }
}

/// Waits until the brand's own script has run, and returns its mark.
fn brand_js_mark(b: &Browser) -> String {
    b.wait_for("html[data-brand-js]");
    b.attr("html", "data-brand-js").unwrap_or_default()
}

#[test]
fn brand_css_js_logo_and_footer_show_in_a_browser() {
    let brands = Brands::start();
    let b = brands.browser(Viewport::Laptop);

    b.open(&brands.url("acme.test", "/"));
    assert_eq!(b.status(), 200, "{}", b.report());
    assert!(b.title().contains(A_NAME), "title {:?}", b.title());

    // Custom JS runs: the brand's own code, and its external <script src>.
    assert_eq!(brand_js_mark(&b), "acme");
    b.wait_for("html[data-external-js=ran]");
    assert!(
        brands
            .cdn
            .requests()
            .iter()
            .any(|r| r.contains("GET /brand.js")),
        "the external script was not fetched: {:?}",
        brands.cdn.requests()
    );

    // Custom CSS restyles the page: a theme property and a rule of the brand's own.
    assert_eq!(b.computed_style("html", "--portico-accent"), "#0b6e4f");
    assert_eq!(
        b.computed_style(".site-footer-text", "letter-spacing"),
        "3px"
    );

    // The logo is shown in the top bar, loaded, at its size; the brand name is its alt text.
    assert!(b.is_displayed(".topbar .brand img.brand-logo"));
    assert_eq!(b.prop("img.brand-logo", "complete"), true);
    assert_eq!(b.prop("img.brand-logo", "naturalWidth"), 160);
    assert_eq!(b.prop("img.brand-logo", "naturalHeight"), 48);
    assert_eq!(b.attr("img.brand-logo", "alt").as_deref(), Some(A_NAME));
    let (_, _, w, h) = b.rect("img.brand-logo");
    assert!(w > 0.0 && h > 0.0, "the logo is {w}x{h}");

    // The footer text sits at the bottom of the page.
    assert_eq!(b.text(".site-footer-text"), A_FOOTER);
    let (_, footer_y, _, _) = b.rect(".site-footer");
    let (_, main_y, _, main_h) = b.rect("main");
    assert!(
        footer_y >= main_y + main_h - 1.0,
        "the footer (y {footer_y}) is above the end of the content ({})",
        main_y + main_h
    );

    assert_eq!(
        b.csp_violations(),
        vec![],
        "the brand's own files broke the CSP"
    );
    assert_eq!(b.page_errors(), Vec::<String>::new());
    b.screenshot("acme-start");

    // The brand's files, fetched from the page as the browser does: the CSS is served, and a
    // stale or made-up hash is not.
    let css_href = b
        .attr("link[rel=stylesheet][href*='/_portico/brand-']", "href")
        .unwrap();
    let css = b.fetch("GET", &css_href, None);
    assert_eq!(css.status, 200, "{css_href}");
    assert!(css.body.contains("letter-spacing: 3px"), "{}", css.body);
    assert!(
        css.header("content-type")
            .is_some_and(|t| t.starts_with("text/css")),
        "{:?}",
        css.headers
    );
    let made_up = b.fetch("GET", "/_portico/brand-0123456789abcdef.css", None);
    assert_eq!(made_up.status, 404);

    // A page that does not exist still wears the brand (whether it answers 404 or sends a
    // visitor who is not logged in to the login page).
    b.open(&brands.url("acme.test", "/no/such/page"));
    assert!(
        b.status() == 404 || b.path() != "/no/such/page",
        "{} answered {}",
        b.url(),
        b.status()
    );
    assert_eq!(brand_js_mark(&b), "acme");
    assert_eq!(b.text(".site-footer-text"), A_FOOTER);
    assert!(b.is_displayed("img.brand-logo"));
    b.screenshot("acme-not-found");
}

#[test]
fn csp_allows_the_brands_script_origin_and_nothing_else() {
    let brands = Brands::start();
    let b = brands.browser(Viewport::Laptop);
    b.open(&brands.url("acme.test", "/"));
    b.wait_for("html[data-external-js=ran]");
    assert_eq!(b.csp_violations(), vec![]);
    let _ = b.console();

    // An inline script (as an injected <script> would be) is refused.
    b.eval(
        "const s = document.createElement('script'); \
         s.textContent = \"document.documentElement.setAttribute('data-inline', 'ran')\"; \
         document.body.appendChild(s);",
    );
    // A script from an origin the brand did not reference is refused too.
    let evil = brands.cdn.url("evil.test", "/evil.js");
    b.eval_with(
        "const s = document.createElement('script'); s.src = arguments[0]; \
         document.body.appendChild(s);",
        vec![evil.clone().into()],
    );
    b.wait_until("two CSP violations", || b.csp_violations().len() >= 2);
    let violations = b.csp_violations();
    assert!(
        violations
            .iter()
            .any(|v| v.blocked == "inline" && v.directive.starts_with("script-src")),
        "{violations:?}"
    );
    assert!(
        violations
            .iter()
            .any(|v| v.blocked.starts_with("https://evil.test")
                && v.directive.starts_with("script-src")),
        "{violations:?}"
    );
    assert!(!b.exists("html[data-inline]"), "the inline script ran");
    assert!(
        !b.exists("html[data-evil]"),
        "the other origin's script ran"
    );
    assert!(
        !brands.cdn.requests().iter().any(|r| r.contains("/evil.js")),
        "the browser fetched a script the CSP forbids"
    );
    let console = b.console();
    assert!(
        console
            .iter()
            .any(|l| l.level == "SEVERE" && l.message.contains("Content Security Policy")),
        "the console does not report the refusal: {console:?}"
    );

    // Brand B referenced no external script: brand A's CDN is not allowed there.
    b.open(&brands.url("globex.test", "/"));
    assert_eq!(brand_js_mark(&b), "globex");
    b.eval_with(
        "const s = document.createElement('script'); s.src = arguments[0]; \
         document.body.appendChild(s);",
        vec![brands.cdn.url("cdn.test", "/brand.js").into()],
    );
    b.wait_until("a CSP violation on brand B", || {
        !b.csp_violations().is_empty()
    });
    assert!(!b.exists("html[data-external-js]"));
}

#[test]
fn one_brand_never_shows_anothers() {
    let brands = Brands::start();
    let b = brands.browser(Viewport::Laptop);

    b.open(&brands.url("globex.test", "/"));
    assert_eq!(brand_js_mark(&b), "globex");
    assert_eq!(b.text(".topbar .brand"), B_NAME);
    assert!(!b.exists("img.brand-logo"), "brand B has no logo");
    assert_eq!(b.text(".site-footer-text"), B_FOOTER);
    assert_eq!(b.computed_style("html", "--portico-accent"), "#7a1fa2");
    assert_ne!(
        b.computed_style(".site-footer-text", "letter-spacing"),
        "3px",
        "brand A's CSS applies on brand B"
    );
    let source = b.source();
    let text = b.text("body");
    for a_thing in ["Acme", "acme-logo", "acme.test", "cdn.test"] {
        assert!(
            !source.contains(a_thing),
            "brand B's page shows {a_thing:?}"
        );
    }
    assert!(!text.contains("Acme"), "{text}");
    assert!(!b.exists("html[data-external-js]"));
    b.screenshot("globex-start");

    // And the other way round.
    b.open(&brands.url("acme.test", "/"));
    assert_eq!(brand_js_mark(&b), "acme");
    let source = b.source();
    for b_thing in ["Globex", "globex", "#7a1fa2"] {
        assert!(
            !source.contains(b_thing),
            "brand A's page shows {b_thing:?}"
        );
    }
    assert_eq!(b.computed_style("html", "--portico-accent"), "#0b6e4f");

    // An unknown name shows no brand at all.
    b.open(&brands.url("nobody.test", "/"));
    assert_eq!(b.status(), 404);
    let source = b.source();
    for brand in ["Acme", "Globex"] {
        assert!(!source.contains(brand), "an unknown host shows {brand}");
    }
    assert!(!b.exists("html[data-brand-js]"));
}

#[test]
fn pages_fit_a_phone_and_a_laptop() {
    let brands = Brands::start();
    // A brand with a long name and footer and no logo: the name must wrap, not push the page
    // wider than a phone.
    brands.daemon.cli().json([
        "domain",
        "add",
        "long.test",
        "--currencies",
        "USD",
        "--brand-name",
        "Intercontinental Wholesale Telecommunications Cooperative",
        "--footer",
        "Registered office: Intercontinental-Wholesale-Telecommunications-Cooperative-Headquarters, \
         Building 12, Floor 3 · VAT GB123456789 · https://long.test/terms-and-conditions-of-service",
    ]);
    for viewport in Viewport::ALL {
        let b = brands.browser(viewport);
        for (host, path, shot) in [
            ("acme.test", "/", "acme-start"),
            ("acme.test", "/missing", "acme-not-found"),
            ("globex.test", "/", "globex-start"),
            ("long.test", "/", "long-name-start"),
        ] {
            b.open(&brands.url(host, path));
            b.wait_for(".site-footer-text");
            let shot = b.screenshot(shot);
            assert!(
                !b.has_horizontal_scroll(),
                "{host}{path} scrolls sideways at {} px: {:?} (see {})",
                viewport.width(),
                b.overflowing_elements(),
                shot.display()
            );
            // The top bar and the footer span the window.
            let (_, _, bar_w, _) = b.rect(".topbar");
            let (_, _, foot_w, _) = b.rect(".site-footer");
            let width = f64::from(viewport.width());
            assert!(
                (bar_w - width).abs() < 1.0 && (foot_w - width).abs() < 1.0,
                "{host}{path} at {width}: top bar {bar_w}, footer {foot_w}"
            );
            let png = std::fs::read(&shot).unwrap();
            assert_eq!(
                png_width(&png),
                viewport.width(),
                "screenshot {} is not {} px wide",
                shot.display(),
                viewport.width()
            );
        }
    }
}

/// The width in a PNG's IHDR.
fn png_width(png: &[u8]) -> u32 {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    u32::from_be_bytes([png[16], png[17], png[18], png[19]])
}

// ---------------------------------------------------------------------------------------------
// Logging in. Sessions are Secure cookies: over plain HTTP a browser keeps them only for
// `*.localhost` names (a secure context), so these brands live there until the portal has HTTPS.

const ALICE: &str = "alice@acme.test";
const ALICE_PASSWORD: &str = "correct horse battery staple";
const BOB: &str = "bob@globex.test";
const BOB_PASSWORD: &str = "another long passphrase";

/// Two brands on `*.localhost`, each with a customer and a contact who can log in; Alice's
/// account holds a $12.34 payment.
struct Accounts {
    daemon: Daemon,
}

impl Accounts {
    fn start() -> Accounts {
        let daemon = Daemon::start();
        let cli = daemon.cli();
        for (fqdn, name, footer, css) in [
            ("acme.localhost", A_NAME, A_FOOTER, A_CSS),
            ("globex.localhost", B_NAME, B_FOOTER, B_CSS),
        ] {
            cli.json([
                "domain",
                "add",
                fqdn,
                "--currencies",
                "USD",
                "--brand-name",
                name,
                "--footer",
                footer,
                "--custom-css",
                css,
            ]);
        }
        for (fqdn, company, email, password, payment) in [
            (
                "acme.localhost",
                "Alice Ltd",
                ALICE,
                ALICE_PASSWORD,
                Some("12.34"),
            ),
            ("globex.localhost", "Bob Inc", BOB, BOB_PASSWORD, None),
        ] {
            let customer = cli.json([
                "customer",
                "add",
                "--name",
                company,
                "--currency",
                "USD",
                "--domain",
                fqdn,
            ]);
            let id = customer_id(&customer);
            cli.json([
                "contact",
                "add",
                &id,
                "--email",
                email,
                "--name",
                company,
                "--password",
                password,
            ]);
            if let Some(amount) = payment {
                cli.json(["payment", "add", &id, amount]);
            }
        }
        Accounts { daemon }
    }

    fn url(&self, host: &str, path: &str) -> String {
        format!("http://{host}:{}{path}", self.daemon.http_port())
    }
}

/// The cookies that are session-like: HttpOnly ones.
fn http_only_cookies(b: &Browser) -> Vec<Cookie> {
    b.cookies().into_iter().filter(|c| c.http_only).collect()
}

/// `GET path` on the daemon with `cookie`, outside the browser: (status, Location).
fn get_with_cookie(port: u16, host: &str, path: &str, cookie: &str) -> (u16, Option<String>) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw);
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad answer: {text}"));
    let location = text.lines().take_while(|l| !l.is_empty()).find_map(|l| {
        let (name, value) = l.split_once(':')?;
        name.eq_ignore_ascii_case("location")
            .then(|| value.trim().to_string())
    });
    (status, location)
}

#[test]
fn log_in_and_out_in_a_browser() {
    let accounts = Accounts::start();
    let port = accounts.daemon.http_port();
    let b = Browser::start(Viewport::Laptop);

    // A visitor is shown the brand's login form.
    b.open(&accounts.url("acme.localhost", "/"));
    b.wait_for(LOGIN_FORM);
    assert_eq!(b.text(".site-footer-text"), A_FOOTER);
    assert_eq!(b.computed_style("html", "--portico-accent"), "#0b6e4f");
    b.screenshot("login");

    // A wrong password keeps the visitor out, with a message.
    log_in(&b, ALICE, "not the password");
    assert!(b.exists(LOGIN_FORM), "a wrong password let Alice in");
    assert!(
        b.exists("[role=alert]"),
        "no message for a wrong password:\n{}",
        b.text("main")
    );
    let before: Vec<String> = http_only_cookies(&b).into_iter().map(|c| c.value).collect();

    // The right one opens the dashboard with the account's balance.
    log_in(&b, ALICE, ALICE_PASSWORD);
    assert!(
        !b.exists(LOGIN_FORM),
        "still on the login form: {}",
        b.url()
    );
    assert_eq!(b.path(), "/");
    b.wait_for("main");
    let body = b.text("main");
    assert!(body.contains("$12.34"), "no $12.34 balance on {body}");
    assert_eq!(b.text(".site-footer-text"), A_FOOTER);
    b.screenshot("dashboard");

    // The session is a new host-only, Secure, HttpOnly, SameSite=Lax cookie that scripts
    // cannot read.
    let session: Vec<Cookie> = http_only_cookies(&b)
        .into_iter()
        .filter(|c| !before.contains(&c.value))
        .collect();
    assert_eq!(session.len(), 1, "new cookies at login: {session:?}");
    let session = &session[0];
    assert!(session.secure, "{session:?}");
    assert_eq!(session.same_site.as_deref(), Some("Lax"), "{session:?}");
    assert_eq!(
        session.domain.as_deref(),
        Some("acme.localhost"),
        "not host-only: {session:?}"
    );
    let script_sees = b.eval_as::<String>("return document.cookie");
    assert!(
        !script_sees.contains(&session.value),
        "a script can read the session"
    );
    let cookie = format!("{}={}", session.name, session.value);
    assert_eq!(get_with_cookie(port, "acme.localhost", "/", &cookie).0, 200);

    // The session means nothing on the other brand, and Alice cannot log in there.
    let (status, location) = get_with_cookie(port, "globex.localhost", "/", &cookie);
    assert!(
        status != 200 && location.as_deref().is_some_and(|l| l.contains("/login")),
        "Alice's session on brand B: {status} {location:?}"
    );
    b.open(&accounts.url("globex.localhost", "/"));
    log_in(&b, ALICE, ALICE_PASSWORD);
    assert!(b.exists(LOGIN_FORM), "Alice logged in on brand B");
    let text = b.text("body");
    assert!(!text.contains("12.34") && !text.contains("Alice"), "{text}");
    assert_eq!(b.text(".site-footer-text"), B_FOOTER);
    b.screenshot("globex-refused");
    // Bob can.
    log_in(&b, BOB, BOB_PASSWORD);
    assert!(!b.exists(LOGIN_FORM), "Bob cannot log in on brand B");
    assert!(!b.text("body").contains("12.34"));

    // Back on brand A Alice is still logged in; a form posted without its CSRF token is
    // refused and changes nothing.
    b.open(&accounts.url("acme.localhost", "/"));
    assert!(!b.exists(LOGIN_FORM));
    let forged = b.fetch(
        "POST",
        "/logout",
        Some(("application/x-www-form-urlencoded", "")),
    );
    assert!(
        (400..500).contains(&forged.status),
        "log out without the CSRF token answered {}",
        forged.status
    );
    assert_eq!(get_with_cookie(port, "acme.localhost", "/", &cookie).0, 200);

    // Logging out ends the session on the server, not only in this browser.
    b.click(".account-menu summary");
    b.click("#logout");
    b.wait_for(LOGIN_FORM);
    b.open(&accounts.url("acme.localhost", "/"));
    assert!(b.exists(LOGIN_FORM), "still logged in after logging out");
    let (status, _) = get_with_cookie(port, "acme.localhost", "/", &cookie);
    assert_ne!(
        status, 200,
        "the old session cookie still opens the dashboard"
    );
}

#[test]
fn the_dashboard_fits_a_phone() {
    let accounts = Accounts::start();
    let b = Browser::start(Viewport::Phone);
    b.open(&accounts.url("acme.localhost", "/"));
    b.wait_for(LOGIN_FORM);
    assert!(!b.has_horizontal_scroll(), "{:?}", b.overflowing_elements());
    b.screenshot("login");
    log_in(&b, ALICE, ALICE_PASSWORD);
    assert!(!b.exists(LOGIN_FORM), "still on the login form");
    let shot = b.screenshot("dashboard");
    assert!(
        !b.has_horizontal_scroll(),
        "the dashboard scrolls sideways on a phone: {:?} (see {})",
        b.overflowing_elements(),
        shot.display()
    );
    // The section navigation folds into a menu.
    if b.exists("nav") {
        assert!(!b.is_displayed("nav a"), "the navigation is not folded");
        b.click("label[for=nav-toggle]");
        b.wait_until("the navigation to unfold", || b.is_displayed("nav a"));
        b.screenshot("dashboard-menu");
        assert!(!b.has_horizontal_scroll(), "{:?}", b.overflowing_elements());
    }
}

#[test]
fn text_meets_wcag_aa_contrast() {
    let accounts = Accounts::start();
    // One brand with the default theme, one with brand A's accent.
    accounts
        .daemon
        .cli()
        .json(["domain", "set", "globex.localhost", "--custom-css", ""]);
    for viewport in Viewport::ALL {
        let b = Browser::start(viewport);
        for (host, email, password) in [
            ("acme.localhost", ALICE, ALICE_PASSWORD),
            ("globex.localhost", BOB, BOB_PASSWORD),
        ] {
            b.open(&accounts.url(host, "/"));
            b.wait_for(LOGIN_FORM);
            let low = b.low_contrast_text();
            assert!(low.is_empty(), "{host} login at {viewport:?}: {low:#?}");
            log_in(&b, email, password);
            assert!(!b.exists(LOGIN_FORM), "{email} could not log in");
            let low = b.low_contrast_text();
            assert!(low.is_empty(), "{host} dashboard at {viewport:?}: {low:#?}");
            b.clear_cookies();
        }
    }
}

/// The demo's login, as `porticod --demo` prints it.
fn demo_login(daemon: &Daemon) -> (String, String) {
    let out = std::fs::read_to_string(daemon.dir().join("porticod.stdout.log")).unwrap();
    let field = |name: &str| {
        out.lines()
            .find_map(|l| l.trim().strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .map(str::to_string)
            .unwrap_or_else(|| panic!("no {name:?} in porticod --demo's output:\n{out}"))
    };
    (field("Login:"), field("Password:"))
}

#[test]
fn the_demo_portal_at_both_sizes() {
    let daemon = Daemon::builder().demo().start();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !std::fs::read_to_string(daemon.dir().join("porticod.stdout.log"))
        .unwrap_or_default()
        .contains("Password:")
    {
        assert!(
            std::time::Instant::now() < deadline,
            "porticod --demo printed no login:\n{}",
            daemon.logs()
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let (email, password) = demo_login(&daemon);
    let url = format!("http://portal.localhost:{}/", daemon.http_port());
    for viewport in Viewport::ALL {
        let b = Browser::start(viewport);
        b.open(&url);
        log_in(&b, &email, &password);
        assert!(!b.exists(LOGIN_FORM), "the demo login did not work");
        let shot = b.screenshot("demo-dashboard");
        assert!(
            !b.has_horizontal_scroll(),
            "the demo dashboard scrolls sideways at {} px: {:?} (see {})",
            viewport.width(),
            b.overflowing_elements(),
            shot.display()
        );
        let low = b.low_contrast_text();
        assert!(low.is_empty(), "{low:#?}");
    }
}
