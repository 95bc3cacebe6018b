//! End-to-end tests of the portal's plain-HTTP page shell: the real `porticod` serves each
//! domain's brand by Host, with custom CSS and JS as separate files.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

use portico_tests::png::png_rgb;
use portico_tests::{Daemon, http};

const CSS: &str = ".acme-test-marker { color: #123456; }";
const JS_CODE: &str = "window.acmeTestMarker = 42;";

/// Every `"…"`/`'…'` attribute value in `html` that starts with `prefix`.
fn urls_starting_with(html: &str, prefix: &str) -> Vec<String> {
    let mut found = Vec::new();
    for quote in ['"', '\''] {
        let opener = format!("{quote}{prefix}");
        let mut rest = html;
        while let Some(at) = rest.find(&opener) {
            let value = &rest[at + 1..];
            let end = value.find(quote).unwrap_or(value.len());
            found.push(value[..end].replace("&amp;", "&"));
            rest = &value[end..];
        }
    }
    found
}

/// `html` with the numeric forms of `&`, `<`, `>` and `"` written as named entities, so that
/// checks do not depend on which escaping style the template engine uses.
fn named_entities(html: &str) -> String {
    html.replace("&#38;", "&amp;")
        .replace("&#x26;", "&amp;")
        .replace("&#60;", "&lt;")
        .replace("&#x3c;", "&lt;")
        .replace("&#62;", "&gt;")
        .replace("&#x3e;", "&gt;")
        .replace("&#34;", "&quot;")
        .replace("&#x22;", "&quot;")
}

fn path_of(url: &str) -> &str {
    url.split(['?', '#']).next().unwrap_or(url)
}

/// The `src` of the first `<img` in `html`.
fn first_img_src(html: &str) -> Option<String> {
    let img = &html[html.find("<img")?..];
    let tag = &img[..img.find('>')?];
    let at = tag.find("src=")?;
    let value = &tag[at + 4..];
    let quote = value.chars().next()?;
    let value = &value[1..];
    Some(value[..value.find(quote)?].replace("&amp;", "&"))
}

#[test]
fn brand_page_shows_the_domains_settings_and_serves_its_files() {
    let d = Daemon::start();
    let cli = d.cli();
    let port = d.http_port();
    let logo = png_rgb(120, 40);
    let logo_path = d.dir().join("brand-logo.png");
    std::fs::write(&logo_path, &logo).unwrap();
    cli.json(["file", "put", logo_path.to_str().unwrap()]);
    let js = format!("<script src=\"https://cdn.example.com/a.js\"></script>\n{JS_CODE}\n");
    cli.json([
        "domain",
        "add",
        "brand.example",
        "--currencies",
        "USD",
        "--brand-name",
        "Acme & Sons <Voice>",
        "--footer",
        "Footer text <b>not bold</b>",
        "--custom-css",
        CSS,
        "--custom-js",
        &js,
        "--logo",
        "brand-logo.png",
    ]);
    cli.json([
        "domain",
        "add",
        "other.example",
        "--currencies",
        "USD",
        "--brand-name",
        "Other Brand",
    ]);

    let page = http::get_following(port, "brand.example", "/");
    let html = named_entities(&page.text());
    assert_eq!(page.status, 200, "{html}");
    assert!(
        page.header("content-type")
            .is_some_and(|t| t.starts_with("text/html")),
        "{:?}",
        page.headers
    );
    // Admin text is escaped, never markup.
    assert!(html.contains("Acme &amp; Sons &lt;Voice&gt;"), "{html}");
    assert!(!html.contains("<Voice>"), "{html}");
    assert!(
        html.contains("Footer text &lt;b&gt;not bold&lt;/b&gt;"),
        "{html}"
    );
    assert!(!html.contains("Other Brand"), "{html}");

    // Custom CSS and JS are separate files, not inline.
    assert!(
        !html.contains("acme-test-marker"),
        "custom CSS is inline: {html}"
    );
    assert!(
        !html.contains("acmeTestMarker"),
        "custom JS is inline: {html}"
    );
    let files = urls_starting_with(&html, "/_portico/brand-");
    let css_url = files
        .iter()
        .find(|u| path_of(u).ends_with(".css"))
        .unwrap_or_else(|| panic!("no /_portico/brand-*.css in {html}"));
    let js_url = files
        .iter()
        .find(|u| path_of(u).ends_with(".js"))
        .unwrap_or_else(|| panic!("no /_portico/brand-*.js in {html}"));
    let css = http::get(port, "brand.example", css_url);
    assert_eq!(css.status, 200, "{css_url}");
    assert!(css.text().contains(CSS), "{}", css.text());
    assert!(
        css.header("content-type")
            .is_some_and(|t| t.starts_with("text/css")),
        "{:?}",
        css.headers
    );
    let script = http::get(port, "brand.example", js_url);
    assert_eq!(script.status, 200, "{js_url}");
    assert!(script.text().contains(JS_CODE), "{}", script.text());
    assert!(!script.text().contains("<script"), "{}", script.text());
    // The external script the admin referenced is loaded by the page.
    assert!(html.contains("https://cdn.example.com/a.js"), "{html}");
    if let Some(csp) = page.header("content-security-policy") {
        assert!(csp.contains("https://cdn.example.com"), "CSP {csp}");
    }

    // The logo is served as uploaded.
    let src = first_img_src(&html).unwrap_or_else(|| panic!("no <img> for the logo in {html}"));
    assert!(src.starts_with('/'), "logo src {src}");
    let image = http::get(port, "brand.example", &src);
    assert_eq!(image.status, 200, "{src}");
    assert_eq!(image.body, logo, "logo bytes differ");
    assert_eq!(image.header("content-type"), Some("image/png"));

    // Another brand's files are not served under this host.
    let other = http::get_following(port, "other.example", "/");
    assert_eq!(other.status, 200);
    assert!(other.text().contains("Other Brand"));
    assert!(!named_entities(&other.text()).contains("Acme &amp; Sons"));
    let cross = http::get(port, "other.example", css_url);
    assert!(
        !cross.text().contains(CSS),
        "brand.example's CSS is served to other.example"
    );

    // A change is served at once.
    cli.json([
        "domain",
        "set",
        "brand.example",
        "--custom-css",
        ".changed-marker{}",
    ]);
    let html = named_entities(&http::get_following(port, "brand.example", "/").text());
    let new_css = urls_starting_with(&html, "/_portico/brand-")
        .into_iter()
        .find(|u| path_of(u).ends_with(".css"))
        .unwrap_or_else(|| panic!("no css after the change: {html}"));
    assert!(
        http::get(port, "brand.example", &new_css)
            .text()
            .contains(".changed-marker{}")
    );

    // A removed domain is an unknown host.
    cli.json(["domain", "rm", "brand.example"]);
    let gone = http::get(port, "brand.example", "/");
    assert_eq!(gone.status, 404);
    assert!(!gone.text().contains("Acme"), "{}", gone.text());
}

#[test]
fn url_helpers_find_attribute_values() {
    let html = r#"<link href="/_portico/brand-ab.css?v=1"><script src='/_portico/brand-cd.js'></script><img alt="x" src="/_portico/file/l.png">"#;
    assert_eq!(
        urls_starting_with(html, "/_portico/brand-"),
        vec!["/_portico/brand-ab.css?v=1", "/_portico/brand-cd.js"]
    );
    assert_eq!(path_of("/a.css?v=1"), "/a.css");
    assert_eq!(first_img_src(html).as_deref(), Some("/_portico/file/l.png"));
}
