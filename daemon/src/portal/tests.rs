//! The router driven end to end with an in-memory source of two brands.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, Response, StatusCode, header};
use portico_protocol::{Domain, FileInfo, SignupStatus};
use tower::ServiceExt;

use super::brand::content_hash;
use super::{PortalSource, SourceError, router};

const A_JS: &str = "<script src=\"https://cdn.example.com/x.js\"></script>\n\
                    fetch('https://tracker.raw.example/p');";
const A_CSS: &str = ":root { --portico-accent: #0b6e4f; }";
const B_CSS: &str = ":root { --portico-accent: #7a1fa2; }";
const LOGO: &[u8] = b"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"120\" height=\"40\"/>";

fn domain(fqdn: &str, brand: &str, footer: &str, css: &str, js: &str) -> Domain {
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

#[derive(Default)]
struct MemorySource {
    domains: BTreeMap<String, Domain>,
    files: BTreeMap<String, (FileInfo, Vec<u8>)>,
    fail: bool,
}

impl PortalSource for MemorySource {
    fn domain(&self, fqdn: &str) -> Result<Option<Domain>, SourceError> {
        if self.fail {
            return Err("store is on fire".into());
        }
        Ok(self.domains.get(fqdn).cloned())
    }

    fn public_file_info(&self, name: &str) -> Result<Option<FileInfo>, SourceError> {
        Ok(self.files.get(name).map(|(info, _)| info.clone()))
    }

    fn public_file(&self, name: &str) -> Result<Option<(FileInfo, Vec<u8>)>, SourceError> {
        Ok(self.files.get(name).cloned())
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

fn source() -> Arc<MemorySource> {
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
    let mut files = BTreeMap::new();
    files.insert("alpha-logo.svg".to_owned(), (logo_info(), LOGO.to_vec()));
    Arc::new(MemorySource {
        domains: [
            ("alpha.example".to_owned(), a),
            ("bravo.example".to_owned(), b),
        ]
        .into(),
        files,
        fail: false,
    })
}

async fn get(
    source: Arc<MemorySource>,
    host: Option<&str>,
    path: &str,
) -> (Response<Body>, String) {
    let mut request = Request::get(path);
    if let Some(host) = host {
        request = request.header(header::HOST, host);
    }
    let response = router(source)
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    (Response::from_parts(parts, Body::empty()), text)
}

fn header_of(response: &Response<Body>, name: header::HeaderName) -> &str {
    response
        .headers()
        .get(&name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .unwrap()
}

#[tokio::test]
async fn brand_page_shows_its_own_brand_only() {
    let (response, body) = get(source(), Some("Alpha.Example:8080"), "/").await;
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
    // The sign-in card is honest about not working yet.
    assert!(
        body.contains("<fieldset class=\"form-fields\" disabled>"),
        "{body}"
    );
    assert!(body.contains("opens in the next release"), "{body}");
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
    let (response, body) = get(source(), Some("bravo.example."), "/").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(body.contains("Bravo"), "{body}");
    let (response, body) = get(source(), Some("alpha.example"), "http://bravo.example/").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(body.contains("Bravo") && !body.contains("Alpha"), "{body}");
}

#[tokio::test]
async fn unknown_or_missing_host_gets_a_neutral_404() {
    for host in [Some("unknown.example"), Some("127.0.0.1:8080"), None] {
        for path in ["/", "/_portico/theme.css", "/anything"] {
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
    let (_, page) = get(source(), Some("alpha.example"), "/").await;
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
    let (_, page) = get(source(), Some("bravo.example"), "/").await;
    assert!(!page.contains(".js\""), "{page}");
}

#[tokio::test]
async fn csp_allows_script_tag_origins_and_nothing_from_raw_js() {
    let (response, body) = get(source(), Some("alpha.example"), "/").await;
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

    let (response, _) = get(source(), Some("bravo.example"), "/").await;
    assert!(
        header_of(&response, header::CONTENT_SECURITY_POLICY)
            .contains("script-src 'self'; object-src")
    );
}

#[tokio::test]
async fn brand_name_and_footer_are_escaped() {
    let (_, body) = get(source(), Some("bravo.example"), "/").await;
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
    let (_, page) = get(source(), Some("alpha.example"), "/").await;
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
async fn store_failure_is_a_neutral_500() {
    let failing = Arc::new(MemorySource {
        fail: true,
        ..MemorySource::default()
    });
    let (response, body) = get(failing, Some("alpha.example"), "/").await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(body.contains("Something went wrong"));
    assert!(!body.contains("on fire"));
}

#[tokio::test]
async fn serve_stops_on_shutdown() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(super::serve(listener, source(), async move {
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
        .unwrap()
        .unwrap();
}
