//! The router driven end to end with an in-memory source of two brands.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::body::Body;
use axum::http::{Request, Response, StatusCode, header};
use portico_protocol::{Domain, FileInfo, SignupStatus};
use tower::ServiceExt;

use super::brand::content_hash;
use super::{Portal, router};
use crate::store::{DomainRecord, Store};

const A_JS: &str = "<script src=\"https://cdn.example.com/x.js\"></script>\n\
                    fetch('https://tracker.raw.example/p');";
const A_CSS: &str = ":root { --portico-accent: #0b6e4f; }";
const B_CSS: &str = ":root { --portico-accent: #7a1fa2; }";
const LOGO: &[u8] = b"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"120\" height=\"40\"/>";

pub(super) fn domain(fqdn: &str, brand: &str, footer: &str, css: &str, js: &str) -> Domain {
    Domain {
        fqdn: fqdn.to_owned(),
        brand_name: brand.to_owned(),
        customer_signup: false,
        carrier_signup: false,
        signup_status: SignupStatus::Active,
        currencies: vec!["USD".to_owned()],
        template_customer: None,
        access: Vec::new(),
        cdr_columns: Vec::new(),
        carrier_cdr_columns: Vec::new(),
        breakout_columns: Vec::new(),
        carrier_breakout_columns: Vec::new(),
        custom_js: js.to_owned(),
        custom_css: css.to_owned(),
        logo: None,
        footer: footer.to_owned(),
        smtp: None,
        created_at: 0,
        updated_at: 0,
    }
}

fn logo_info() -> FileInfo {
    use sha2::Digest;
    FileInfo {
        name: "alpha-logo.svg".to_owned(),
        size: LOGO.len() as u64,
        content_type: "image/svg+xml".to_owned(),
        width: Some(120),
        height: Some(40),
        sha256: hex::encode(sha2::Sha256::digest(LOGO)),
        uploaded_at: 0,
    }
}

/// A store with two brands, and the temp dir that holds it.
pub(super) struct Brands {
    pub(super) store: Store,
    _dir: tempfile::TempDir,
}

pub(super) fn source() -> Brands {
    let mut a = domain(
        "alpha.example",
        "Alpha Telecom",
        "Alpha Telecom Ltd · 1 Main St",
        A_CSS,
        A_JS,
    );
    a.logo = Some("alpha-logo.svg".to_owned());
    let b = domain(
        "bravo.example",
        "Bravo <b>Voice</b> & Co",
        "<script>alert('footer')</script>",
        B_CSS,
        "",
    );
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("portico.redb")).unwrap();
    store
        .write(|tx| {
            for domain in [a.clone(), b.clone()] {
                tx.put_domain(&DomainRecord {
                    domain,
                    smtp_password: None,
                })?;
            }
            tx.put_file(&logo_info(), LOGO)
        })
        .unwrap();
    Brands { store, _dir: dir }
}

pub(super) async fn get(
    source: Brands,
    host: Option<&str>,
    path: &str,
) -> (Response<Body>, String) {
    let mut request = Request::get(path);
    if let Some(host) = host {
        request = request.header(header::HOST, host);
    }
    let response = router(Portal::new(source.store.clone()))
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    (Response::from_parts(parts, Body::empty()), text)
}

pub(super) fn header_of(response: &Response<Body>, name: header::HeaderName) -> &str {
    response
        .headers()
        .get(&name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .unwrap()
}

#[tokio::test]
async fn brand_page_shows_its_own_brand_only() {
    let (response, body) = get(source(), Some("Alpha.Example:8080"), "/login").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        header_of(&response, header::CONTENT_TYPE),
        "text/html; charset=utf-8"
    );
    assert!(body.contains("Alpha Telecom"), "{body}");
    assert!(body.contains("Alpha Telecom Ltd · 1 Main St"), "{body}");
    let a_css = format!("/_portico/brand-{}.css", content_hash(A_CSS.as_bytes()));
    let b_css = format!("/_portico/brand-{}.css", content_hash(B_CSS.as_bytes()));
    assert!(body.contains(&a_css), "{body}");
    assert!(!body.contains(&b_css), "{body}");
    assert!(!body.contains("Bravo"), "{body}");
    // The log-in form posts back here with its form token.
    assert!(
        body.contains("<form class=\"form\" method=\"post\" action=\"/login\">"),
        "{body}"
    );
    assert!(body.contains("name=\"csrf\""), "{body}");
    // The logo replaces the name in the top bar.
    let logo_url = format!(
        "/_portico/logo/{}/alpha-logo.svg",
        &logo_info().sha256[..16]
    );
    assert!(body.contains(&format!("src=\"{logo_url}\"")), "{body}");
    assert_eq!(
        header_of(&response, header::X_CONTENT_TYPE_OPTIONS),
        "nosniff"
    );
    assert_eq!(header_of(&response, header::REFERRER_POLICY), "same-origin");
}

#[tokio::test]
async fn trailing_dot_and_absolute_form_find_the_domain() {
    let (response, body) = get(source(), Some("bravo.example."), "/login").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(body.contains("Bravo"), "{body}");
    let (response, body) = get(
        source(),
        Some("alpha.example"),
        "http://bravo.example/login",
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(body.contains("Bravo") && !body.contains("Alpha"), "{body}");
}

#[tokio::test]
async fn unknown_or_missing_host_gets_a_neutral_404() {
    for host in [Some("unknown.example"), Some("127.0.0.1:8080"), None] {
        for path in ["/", "/login", "/_portico/theme.css", "/anything"] {
            let (response, body) = get(source(), host, path).await;
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{host:?} {path}");
            assert!(body.contains("No portal is configured for this address."));
            for brand in ["Alpha", "Bravo", "portico-accent", "_portico"] {
                assert!(!body.contains(brand), "{host:?} {path}: {body}");
            }
            assert!(
                header_of(&response, header::CONTENT_SECURITY_POLICY)
                    .starts_with("default-src 'none'")
            );
        }
    }
}

#[tokio::test]
async fn unknown_path_of_a_brand_is_a_branded_404() {
    let (response, body) = get(source(), Some("alpha.example"), "/nope").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(body.contains("Page not found") && body.contains("Alpha Telecom"));
}

#[tokio::test]
async fn brand_css_and_js_are_immutable_files() {
    let css_hash = content_hash(A_CSS.as_bytes());
    let (response, body) = get(
        source(),
        Some("alpha.example"),
        &format!("/_portico/brand-{css_hash}.css"),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        header_of(&response, header::CONTENT_TYPE),
        "text/css; charset=utf-8"
    );
    assert_eq!(
        header_of(&response, header::CACHE_CONTROL),
        "public, max-age=31536000, immutable"
    );
    assert_eq!(body, A_CSS);

    let raw_js = "fetch('https://tracker.raw.example/p');";
    let js_hash = content_hash(raw_js.as_bytes());
    let (_, page) = get(source(), Some("alpha.example"), "/login").await;
    assert!(
        page.contains(&format!("/_portico/brand-{js_hash}.js")),
        "{page}"
    );
    let (response, body) = get(
        source(),
        Some("alpha.example"),
        &format!("/_portico/brand-{js_hash}.js"),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        header_of(&response, header::CONTENT_TYPE),
        "text/javascript; charset=utf-8"
    );
    assert_eq!(
        header_of(&response, header::CACHE_CONTROL),
        "public, max-age=31536000, immutable"
    );
    assert_eq!(body, raw_js);
}

#[tokio::test]
async fn wrong_or_foreign_hash_is_404() {
    let a_hash = content_hash(A_CSS.as_bytes());
    let b_hash = content_hash(B_CSS.as_bytes());
    for (host, path) in [
        (
            "alpha.example",
            "/_portico/brand-0123456789abcdef.css".to_owned(),
        ),
        ("alpha.example", format!("/_portico/brand-{b_hash}.css")),
        ("bravo.example", format!("/_portico/brand-{a_hash}.css")),
        ("alpha.example", format!("/_portico/brand-{a_hash}.js")),
        ("alpha.example", format!("/_portico/brand-{a_hash}.html")),
        // Bravo has no custom JS at all: nothing is linked and nothing is served.
        (
            "bravo.example",
            format!("/_portico/brand-{}.js", content_hash(b"")),
        ),
        (
            "alpha.example",
            "/_portico/logo/0123456789abcdef/alpha-logo.svg".to_owned(),
        ),
    ] {
        let (response, _) = get(source(), Some(host), &path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{host} {path}");
    }
    let (_, page) = get(source(), Some("bravo.example"), "/login").await;
    assert!(!page.contains(".js\""), "{page}");
}

#[tokio::test]
async fn csp_allows_script_tag_origins_and_nothing_from_raw_js() {
    let (response, body) = get(source(), Some("alpha.example"), "/login").await;
    let csp = header_of(&response, header::CONTENT_SECURITY_POLICY);
    assert_eq!(
        csp,
        "default-src 'self'; img-src 'self' data:; style-src 'self'; \
         script-src 'self' https://cdn.example.com; object-src 'none'; base-uri 'none'; \
         frame-ancestors 'none'; form-action 'self'"
    );
    assert!(!csp.contains("raw.example"));
    assert!(
        body.contains("<script src=\"https://cdn.example.com/x.js\"></script>"),
        "{body}"
    );

    let (response, _) = get(source(), Some("bravo.example"), "/login").await;
    assert!(
        header_of(&response, header::CONTENT_SECURITY_POLICY)
            .contains("script-src 'self'; object-src")
    );
}

#[tokio::test]
async fn brand_name_and_footer_are_escaped() {
    let (_, body) = get(source(), Some("bravo.example"), "/login").await;
    assert!(
        body.contains("Bravo &#60;b&#62;Voice&#60;/b&#62; &#38; Co"),
        "{body}"
    );
    assert!(!body.contains("<b>Voice</b>"), "{body}");
    assert!(!body.contains("<script>alert"), "{body}");
    assert!(body.contains("&#60;script&#62;alert("), "{body}");
}

#[tokio::test]
async fn logo_is_served_with_its_content_type() {
    let hash = &logo_info().sha256[..16];
    let path = format!("/_portico/logo/{hash}/alpha-logo.svg");
    let (response, body) = get(source(), Some("alpha.example"), &path).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header_of(&response, header::CONTENT_TYPE), "image/svg+xml");
    assert_eq!(
        header_of(&response, header::CACHE_CONTROL),
        "public, max-age=31536000, immutable"
    );
    assert!(header_of(&response, header::CONTENT_SECURITY_POLICY).contains("sandbox"));
    assert_eq!(body.as_bytes(), LOGO);
    // Another brand cannot serve it.
    let (response, _) = get(source(), Some("bravo.example"), &path).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn theme_is_served_to_brands() {
    let (_, page) = get(source(), Some("alpha.example"), "/login").await;
    let start = page.find("/_portico/theme.css?v=").unwrap();
    let url = &page[start..page[start..].find('"').unwrap() + start];
    let (response, body) = get(source(), Some("alpha.example"), url).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        header_of(&response, header::CONTENT_TYPE),
        "text/css; charset=utf-8"
    );
    assert_eq!(
        header_of(&response, header::CACHE_CONTROL),
        "public, max-age=31536000, immutable"
    );
    for property in [
        "--portico-accent:",
        "--portico-bg:",
        "--portico-text:",
        "--portico-font:",
    ] {
        assert!(body.contains(property), "{property}");
    }
    let (response, _) = get(source(), Some("alpha.example"), "/_portico/theme.css").await;
    assert_eq!(header_of(&response, header::CACHE_CONTROL), "no-cache");
}

#[tokio::test]
async fn healthz_answers_for_any_host() {
    for host in [Some("alpha.example"), Some("unknown.example"), None] {
        let (response, body) = get(source(), host, "/healthz").await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(body, "ok");
    }
}

#[tokio::test]
async fn serve_stops_on_shutdown() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let brands = source();
    let portal = Portal::new(brands.store.clone());
    let server = tokio::spawn(super::serve(listener, portal, async move {
        let _ = stopped.await;
    }));
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: alpha.example\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.ends_with("ok"), "{answer}");
    stop.send(()).unwrap();
    tokio::time::timeout(std::time::Duration::from_secs(5), server)
        .await
        .unwrap()
        .unwrap();
}

// ---- logins -----------------------------------------------------------------------------------

pub(super) const PASSWORD: &str = "correct horse battery";

/// Adds a customer bound to `fqdn` with one contact; returns the customer's id.
pub(super) fn add_account(store: &Store, fqdn: &str, email: &str, ip_allow: Vec<String>) -> u64 {
    use portico_protocol::{ContactSpec, CustomerPatch};
    let password = crate::admin::ops::contact::NewPassword::prepare(Some(PASSWORD.into())).unwrap();
    store
        .write(|tx| {
            let (customer, _) = crate::admin::ops::customer::add(
                tx,
                0,
                CustomerPatch {
                    name: Some(format!("Account of {email}")),
                    currency: Some("USD".into()),
                    domain: Some(Some(fqdn.into())),
                    ..Default::default()
                },
            )?;
            crate::admin::ops::contact::add(
                tx,
                0,
                customer.id,
                ContactSpec {
                    email: email.into(),
                    name: "Pat Example".into(),
                    password: None,
                    ip_allow,
                },
                password,
            )?;
            Ok::<_, portico_protocol::AdminError>(customer.id)
        })
        .unwrap()
}

/// One request with optional cookies and form body; returns the answer and its body.
pub(super) async fn send(
    brands: &Brands,
    portal: &Portal,
    method: &str,
    host: &str,
    path: &str,
    cookies: &[(String, String)],
    form: Option<&[(&str, &str)]>,
) -> (Response<Body>, String) {
    let _ = brands;
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, host);
    if !cookies.is_empty() {
        let value: Vec<String> = cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
        request = request.header(header::COOKIE, value.join("; "));
    }
    let body = match form {
        Some(fields) => {
            request = request.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            let mut enc = url_encoded(fields);
            enc.shrink_to_fit();
            Body::from(enc)
        }
        None => Body::empty(),
    };
    let response = router(portal.clone())
        .oneshot(request.body(body).unwrap())
        .await
        .unwrap();
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    (
        Response::from_parts(parts, Body::empty()),
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

pub(super) fn url_encoded(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| {
            format!(
                "{k}={}",
                percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// The cookies an answer sets, as name/value pairs.
pub(super) fn set_cookies(response: &Response<Body>) -> Vec<(String, String)> {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

pub(super) fn hidden_csrf(page: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let at = page.find(marker).expect("a csrf field") + marker.len();
    page[at..].split('"').next().unwrap().to_owned()
}

/// Logs in on `host`; returns the session cookie (and the form cookie).
pub(super) async fn log_in(
    brands: &Brands,
    portal: &Portal,
    host: &str,
    email: &str,
) -> (Response<Body>, Vec<(String, String)>, String) {
    let (response, page) = send(brands, portal, "GET", host, "/login", &[], None).await;
    let cookies = set_cookies(&response);
    let csrf = hidden_csrf(&page);
    let (response, body) = send(
        brands,
        portal,
        "POST",
        host,
        "/login",
        &cookies,
        Some(&[("email", email), ("password", PASSWORD), ("csrf", &csrf)]),
    )
    .await;
    let mut jar = cookies;
    jar.extend(set_cookies(&response));
    (response, jar, body)
}

#[tokio::test]
async fn login_opens_the_dashboard_on_its_own_domain_only() {
    let brands = source();
    let portal = Portal::new(brands.store.clone());
    add_account(&brands.store, "alpha.example", "pat@alpha.example", vec![]);

    // Before login, / leads to the log-in page.
    let (response, _) = send(&brands, &portal, "GET", "alpha.example", "/", &[], None).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(header_of(&response, header::LOCATION), "/login");

    let (response, jar, _) = log_in(&brands, &portal, "alpha.example", "pat@alpha.example").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "login answered");
    assert_eq!(header_of(&response, header::LOCATION), "/");
    let set = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("__Host-portico="))
        .expect("a session cookie");
    for attribute in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
        assert!(set.contains(attribute), "{set}");
    }
    assert!(!set.contains("Domain="), "{set}");

    let (response, page) = send(&brands, &portal, "GET", "alpha.example", "/", &jar, None).await;
    assert_eq!(response.status(), StatusCode::OK, "{page}");
    assert!(
        page.contains("Dashboard") && page.contains("Pat Example"),
        "{page}"
    );
    assert!(page.contains("id=\"logout\""), "{page}");

    // The same cookie on the other brand opens nothing there.
    let (response, page) = send(&brands, &portal, "GET", "bravo.example", "/", &jar, None).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{page}");
    assert!(!page.contains("Pat Example"));

    // Logging out needs the session's token; then the cookie is dead.
    let (response, _) = send(
        &brands,
        &portal,
        "POST",
        "alpha.example",
        "/logout",
        &jar,
        Some(&[("csrf", "forged")]),
    )
    .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let (_, page) = send(&brands, &portal, "GET", "alpha.example", "/", &jar, None).await;
    let csrf = hidden_csrf(&page);
    let (response, _) = send(
        &brands,
        &portal,
        "POST",
        "alpha.example",
        "/logout",
        &jar,
        Some(&[("csrf", &csrf)]),
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (response, _) = send(&brands, &portal, "GET", "alpha.example", "/", &jar, None).await;
    assert_eq!(header_of(&response, header::LOCATION), "/login");
}

#[tokio::test]
async fn a_contact_of_one_domain_cannot_log_in_on_another() {
    let brands = source();
    let portal = Portal::new(brands.store.clone());
    add_account(&brands.store, "alpha.example", "pat@alpha.example", vec![]);
    let (response, _, body) = log_in(&brands, &portal, "bravo.example", "pat@alpha.example").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(body.contains("Wrong e-mail address or password."), "{body}");
    assert!(!body.contains("Alpha"), "{body}");
    // An unknown address gets the very same answer.
    let (_, _, unknown) = log_in(&brands, &portal, "bravo.example", "nobody@bravo.example").await;
    assert!(
        unknown.contains("Wrong e-mail address or password."),
        "{unknown}"
    );
}

#[tokio::test]
async fn login_form_without_its_token_or_from_another_origin_is_refused() {
    let brands = source();
    let portal = Portal::new(brands.store.clone());
    add_account(&brands.store, "alpha.example", "pat@alpha.example", vec![]);
    let (response, page) = send(
        &brands,
        &portal,
        "GET",
        "alpha.example",
        "/login",
        &[],
        None,
    )
    .await;
    let cookies = set_cookies(&response);
    let csrf = hidden_csrf(&page);
    let fields = [("email", "pat@alpha.example"), ("password", PASSWORD)];
    let (response, _) = send(
        &brands,
        &portal,
        "POST",
        "alpha.example",
        "/login",
        &cookies,
        Some(&fields),
    )
    .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let (response, _) = send(
        &brands,
        &portal,
        "POST",
        "alpha.example",
        "/login",
        &[],
        Some(&[
            ("email", "pat@alpha.example"),
            ("password", PASSWORD),
            ("csrf", &csrf),
        ]),
    )
    .await;
    assert_eq!(
        response.status(),
        StatusCode::FORBIDDEN,
        "a token without its cookie"
    );
    let request = Request::post("/login")
        .header(header::HOST, "alpha.example")
        .header(header::ORIGIN, "https://evil.example")
        .header(header::COOKIE, format!("{}={}", cookies[0].0, cookies[0].1))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(url_encoded(&[
            ("email", "pat@alpha.example"),
            ("password", PASSWORD),
            ("csrf", &csrf),
        ])))
        .unwrap();
    let response = router(portal.clone()).oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN, "another origin");
}

#[tokio::test]
async fn repeated_failures_are_slowed_down() {
    let brands = source();
    let portal = Portal::new(brands.store.clone());
    add_account(&brands.store, "alpha.example", "pat@alpha.example", vec![]);
    let (response, page) = send(
        &brands,
        &portal,
        "GET",
        "alpha.example",
        "/login",
        &[],
        None,
    )
    .await;
    let cookies = set_cookies(&response);
    let csrf = hidden_csrf(&page);
    let mut last = String::new();
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let (response, body) = send(
            &brands,
            &portal,
            "POST",
            "alpha.example",
            "/login",
            &cookies,
            Some(&[
                ("email", "pat@alpha.example"),
                ("password", "wrong password!"),
                ("csrf", &csrf),
            ]),
        )
        .await;
        statuses.push(response.status());
        last = body;
    }
    assert_eq!(
        statuses.last(),
        Some(&StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    assert!(last.contains("Too many failed attempts"), "{last}");
    // While waiting, even the right password is not tried.
    let (response, _) = send(
        &brands,
        &portal,
        "POST",
        "alpha.example",
        "/login",
        &cookies,
        Some(&[
            ("email", "pat@alpha.example"),
            ("password", PASSWORD),
            ("csrf", &csrf),
        ]),
    )
    .await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn ip_allow_list_is_enforced_at_login() {
    let brands = source();
    let portal = Portal::new(brands.store.clone());
    // Requests without a peer address count as 0.0.0.0, outside this list.
    add_account(
        &brands.store,
        "alpha.example",
        "pat@alpha.example",
        vec!["203.0.113.0/24".into()],
    );
    let (response, _, body) = log_in(&brands, &portal, "alpha.example", "pat@alpha.example").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(body.contains("not allowed from your network"), "{body}");
}

#[tokio::test]
async fn a_live_session_follows_every_change_to_its_contact_customer_and_domain() {
    let brands = source();
    let portal = Portal::new(brands.store.clone());
    let id = add_account(&brands.store, "alpha.example", "pat@alpha.example", vec![]);
    let (_, jar, _) = log_in(&brands, &portal, "alpha.example", "pat@alpha.example").await;
    let dashboard = || async {
        let (response, page) =
            send(&brands, &portal, "GET", "alpha.example", "/", &jar, None).await;
        (response.status(), page)
    };
    let edit_contact = |allow: Vec<String>| {
        brands
            .store
            .write(|tx| {
                let mut record = tx.contact_by_email("pat@alpha.example")?.unwrap();
                record.contact.ip_allow = allow;
                tx.put_contact(&record)
            })
            .unwrap()
    };
    let edit_customer = |f: &dyn Fn(&mut portico_protocol::Customer)| {
        brands
            .store
            .write(|tx| {
                let mut customer = tx.customer(id)?.unwrap();
                f(&mut customer);
                tx.put_customer(&customer)
            })
            .unwrap()
    };
    // Twice: the second request is served from what the first read.
    for _ in 0..2 {
        let (status, page) = dashboard().await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(page.contains("Pat Example"), "{page}");
    }

    // An allow-list that leaves this client out ends the session's use at once...
    edit_contact(vec!["192.0.2.0/24".into()]);
    assert_eq!(dashboard().await.0, StatusCode::SEE_OTHER);
    edit_contact(Vec::new());
    assert_eq!(dashboard().await.0, StatusCode::OK);

    // ...so does a suspension, and a renamed account shows its new name.
    edit_customer(&|c| c.name = "Renamed Ltd".into());
    let (status, page) = dashboard().await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Renamed Ltd"), "{page}");
    edit_customer(&|c| c.status = portico_protocol::CustomerStatus::Suspended);
    assert_eq!(dashboard().await.0, StatusCode::SEE_OTHER);
    edit_customer(&|c| c.status = portico_protocol::CustomerStatus::Active);
    assert_eq!(dashboard().await.0, StatusCode::OK);

    // A payment shows in the balance on the next page (the charges are read every time).
    brands
        .store
        .write(|tx| {
            let mut record = tx.domain("alpha.example")?.unwrap();
            record.domain.access = vec![portico_protocol::Section::Balance];
            tx.put_domain(&record)
        })
        .unwrap();
    let pay = |cents: i64| {
        brands
            .store
            .write(|tx| {
                let payment = portico_protocol::Payment {
                    id: tx.next_id("payment")?,
                    customer_id: id,
                    amount: portico_protocol::Micros(cents * 10_000),
                    status: portico_protocol::PaymentStatus::Completed,
                    description: String::new(),
                    created_at: 0,
                };
                tx.put_child(&payment)
            })
            .unwrap()
    };
    let balance_shown = |page: &str| page.contains("$5.00") || page.contains("$12.50");
    let (_, page) = dashboard().await;
    assert!(!balance_shown(&page), "{page}");
    pay(500);
    let (_, page) = dashboard().await;
    assert!(page.contains("$5.00") && !page.contains("$12.50"), "{page}");
    pay(750);
    let (_, page) = dashboard().await;
    assert!(page.contains("$12.50"), "{page}");

    // A brand change shows on the next page; a removed domain answers as unknown.
    brands
        .store
        .write(|tx| {
            let mut record = tx.domain("alpha.example")?.unwrap();
            record.domain.brand_name = "Alpha Reborn".into();
            tx.put_domain(&record)
        })
        .unwrap();
    let (_, page) = dashboard().await;
    assert!(page.contains("Alpha Reborn"), "{page}");
    brands
        .store
        .write(|tx| tx.remove_domain("alpha.example"))
        .unwrap();
    let (status, page) = dashboard().await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        !page.contains("Alpha") && !page.contains("Pat Example"),
        "{page}"
    );
}
