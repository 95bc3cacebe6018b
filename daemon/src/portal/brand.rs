//! A brand's custom CSS and JavaScript as the portal serves them: content hashes for their
//! URLs, the `<script src>` tags split out of `custom_js`, and the Content-Security-Policy that
//! lets exactly those scripts run.

use axum::body::Bytes;
use portico_protocol::Domain;
use sha2::{Digest, Sha256};

/// Length of the content hashes in asset URLs, in hex digits.
pub const HASH_LEN: usize = 16;

/// The first [`HASH_LEN`] hex digits of the SHA-256 of `content`.
pub fn content_hash(content: &[u8]) -> String {
    let mut hex = hex::encode(Sha256::digest(content));
    hex.truncate(HASH_LEN);
    hex
}

/// What a domain's custom CSS and JS become on its pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrandAssets {
    /// The custom CSS, served as `brand-<hash>.css`.
    pub css: String,
    /// The raw JavaScript left after the `<script>` tags were taken out, served as
    /// `brand-<hash>.js`.
    pub js: String,
    /// The external scripts, in the order the admin wrote them.
    pub scripts: Vec<ExternalScript>,
}

impl BrandAssets {
    /// Splits the domain's custom JS and takes its custom CSS.
    pub fn of(domain: &Domain) -> Self {
        let (js, scripts) = split_custom_js(&domain.custom_js);
        Self {
            css: domain.custom_css.trim().to_owned(),
            js,
            scripts,
        }
    }

    /// Hash of the custom CSS, or `None` when there is none to link.
    pub fn css_hash(&self) -> Option<String> {
        (!self.css.is_empty()).then(|| content_hash(self.css.as_bytes()))
    }

    /// Hash of the raw custom JS, or `None` when there is none to link.
    pub fn js_hash(&self) -> Option<String> {
        (!self.js.is_empty()).then(|| content_hash(self.js.as_bytes()))
    }

    /// The Content-Security-Policy of the domain's pages.
    pub fn page_csp(&self) -> String {
        let mut origins: Vec<&str> = Vec::new();
        for script in &self.scripts {
            if !origins.contains(&script.origin.as_str()) {
                origins.push(&script.origin);
            }
        }
        let mut script_src = String::from("'self'");
        for origin in origins {
            script_src.push(' ');
            script_src.push_str(origin);
        }
        format!(
            "default-src 'self'; img-src 'self' data:; style-src 'self'; \
             script-src {script_src}; object-src 'none'; base-uri 'none'; \
             frame-ancestors 'none'; form-action 'self'"
        )
    }
}

/// What a brand's custom CSS and JS make of every page (links, script tags, the CSP) and the
/// files themselves, worked out once per version of the domain (see [`super::site::Sites`])
/// instead of on every request.
#[derive(Debug)]
pub struct BrandPage {
    /// `/_portico/brand-<hash>.css`, when there is custom CSS.
    pub css_href: Option<String>,
    /// `/_portico/brand-<hash>.js`, when there is raw custom JS.
    pub js_href: Option<String>,
    /// The hash in `css_href` and the file it names.
    pub css: Option<(String, Bytes)>,
    /// The hash in `js_href` and the file it names.
    pub js: Option<(String, Bytes)>,
    /// The external scripts.
    pub scripts: Vec<ExternalScript>,
    /// The Content-Security-Policy of the domain's pages.
    pub csp: String,
}

impl BrandPage {
    /// Works it out from the domain's custom CSS and JS.
    pub fn of(domain: &Domain) -> Self {
        let brand = BrandAssets::of(domain);
        let css = brand
            .css_hash()
            .map(|h| (h, Bytes::from(brand.css.clone())));
        let js = brand.js_hash().map(|h| (h, Bytes::from(brand.js.clone())));
        BrandPage {
            css_href: css
                .as_ref()
                .map(|(h, _)| format!("/_portico/brand-{h}.css")),
            js_href: js.as_ref().map(|(h, _)| format!("/_portico/brand-{h}.js")),
            css,
            js,
            csp: brand.page_csp(),
            scripts: brand.scripts,
        }
    }
}

/// A `<script src="https://...">` of a brand, emitted as its own element on every page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalScript {
    /// The script's URL, entity-decoded (the template escapes it again).
    pub src: String,
    /// `https://host[:port]`, lower-case, for `script-src`.
    pub origin: String,
    /// The tag had `async`.
    pub is_async: bool,
    /// The tag had `defer`.
    pub defer: bool,
    /// The tag's `integrity`, if any.
    pub integrity: Option<String>,
    /// The tag's `crossorigin`: `anonymous` or `use-credentials`.
    pub crossorigin: Option<String>,
}

impl ExternalScript {
    fn from_attrs(attrs: &[(String, String)]) -> Option<Self> {
        let get = |name: &str| {
            attrs
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        };
        let src = get("src")?.trim().to_owned();
        let origin = https_origin(&src)?;
        Some(Self {
            origin,
            is_async: get("async").is_some(),
            defer: get("defer").is_some(),
            integrity: get("integrity")
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned),
            crossorigin: get("crossorigin").map(|v| {
                if v.trim().eq_ignore_ascii_case("use-credentials") {
                    "use-credentials".to_owned()
                } else {
                    "anonymous".to_owned()
                }
            }),
            src,
        })
    }
}

/// The origin of an `https://` URL, or `None` for any other URL. The host is checked strictly
/// because the origin goes into a header: nothing but a DNS name and a port gets through.
pub fn https_origin(url: &str) -> Option<String> {
    let scheme = url.get(..8)?;
    if !scheme.eq_ignore_ascii_case("https://") {
        return None;
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    let rest = &url[8..];
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = rest[..end].to_ascii_lowercase();
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority.as_str(), None),
    };
    let host_ok = !host.is_empty()
        && !host.starts_with('.')
        && !host.contains("..")
        && host
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
    let port_ok =
        port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    if !host_ok || !port_ok {
        return None;
    }
    Some(match port {
        Some(p) if p != "443" => format!("https://{host}:{p}"),
        _ => format!("https://{host}"),
    })
}

/// Splits `custom_js` into the raw JavaScript (text outside tags, plus the bodies of inline
/// `<script>` tags) and the external `<script src="https://...">` tags. A `src` that is not
/// https is dropped (and logged): the page could only load it by weakening the CSP.
///
/// This is not an HTML parser: a `<script` inside a JS string literal of the raw code would be
/// taken for a tag. Admins write either a snippet of tags or plain code, so that is accepted.
pub fn split_custom_js(custom_js: &str) -> (String, Vec<ExternalScript>) {
    let (js, scripts, refused) = split_and_refuse(custom_js);
    if !refused.is_empty() {
        tracing::warn!(
            count = refused.len(),
            "custom_js: dropped <script src> tags that are not https"
        );
    }
    (js, scripts)
}

/// The `src` of every `<script src>` tag in `custom_js` that is not a plain https URL: the
/// portal would drop it, so the admin is told when saving.
pub fn refused_script_srcs(custom_js: &str) -> Vec<String> {
    split_and_refuse(custom_js).2
}

fn split_and_refuse(custom_js: &str) -> (String, Vec<ExternalScript>, Vec<String>) {
    let mut inline: Vec<&str> = Vec::new();
    let mut scripts = Vec::new();
    let mut refused = Vec::new();
    let mut rest = custom_js;
    while let Some(start) = find_open_tag(rest) {
        inline.push(&rest[..start]);
        let Some((attrs, after_tag)) = parse_attrs(&rest[start + "<script".len()..]) else {
            // No end to the tag: it was code after all.
            inline.push(&rest[start..]);
            rest = "";
            break;
        };
        let (body, after) = match find_ci(after_tag, "</script") {
            Some(i) => {
                let close = &after_tag[i..];
                let end = close.find('>').map_or(close.len(), |j| j + 1);
                (&after_tag[..i], &close[end..])
            }
            None => (after_tag, ""),
        };
        if attrs.iter().any(|(name, _)| name == "src") {
            match ExternalScript::from_attrs(&attrs) {
                Some(script) => scripts.push(script),
                None => refused.push(
                    attrs
                        .iter()
                        .find(|(name, _)| name == "src")
                        .map(|(_, v)| v.clone())
                        .unwrap_or_default(),
                ),
            }
        } else {
            inline.push(body);
        }
        rest = after;
    }
    inline.push(rest);
    let js = inline
        .iter()
        .map(|part| part.trim())
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    (js, scripts, refused)
}

/// Byte offset of the next `<script` that starts a tag (followed by a space, `>` or `/`).
fn find_open_tag(s: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = find_ci(&s[from..], "<script") {
        let at = from + i;
        let next = s.as_bytes().get(at + "<script".len());
        if next.is_some_and(|&b| b.is_ascii_whitespace() || b == b'>' || b == b'/') {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// Case-insensitive search for an ASCII needle; the offset is on a char boundary because the
/// needle starts with an ASCII byte.
fn find_ci(haystack: &str, needle: &str) -> Option<usize> {
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// Reads attributes up to the `>` that ends a tag. Returns them (names lower-case, values
/// entity-decoded) and the text after the `>`, or `None` when the tag never ends.
fn parse_attrs(s: &str) -> Option<(Vec<(String, String)>, &str)> {
    let mut attrs = Vec::new();
    let mut rest = s;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == '/');
        if let Some(after) = rest.strip_prefix('>') {
            return Some((attrs, after));
        }
        if rest.is_empty() {
            return None;
        }
        let name_end = rest
            .find(|c: char| c.is_ascii_whitespace() || c == '=' || c == '>' || c == '/')
            .unwrap_or(rest.len());
        let name = rest[..name_end].to_ascii_lowercase();
        rest = rest[name_end..].trim_start_matches(|c: char| c.is_ascii_whitespace());
        let mut value = String::new();
        if let Some(after_eq) = rest.strip_prefix('=') {
            let after_eq = after_eq.trim_start_matches(|c: char| c.is_ascii_whitespace());
            let (raw, after_value) = match after_eq.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let inner = &after_eq[1..];
                    let close = inner.find(q)?;
                    (&inner[..close], &inner[close + 1..])
                }
                _ => {
                    let end = after_eq
                        .find(|c: char| c.is_ascii_whitespace() || c == '>')
                        .unwrap_or(after_eq.len());
                    (&after_eq[..end], &after_eq[end..])
                }
            };
            value = decode_entities(raw);
            rest = after_value;
        }
        if !name.is_empty() {
            attrs.push((name, value));
        }
    }
}

/// Decodes the character references that appear in URLs pasted from HTML snippets.
fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn domain(fqdn: &str, css: &str, js: &str) -> Domain {
        Domain {
            fqdn: fqdn.into(),
            brand_name: "B".into(),
            customer_signup: false,
            carrier_signup: false,
            signup_status: portico_protocol::SignupStatus::Active,
            currencies: vec!["USD".into()],
            template_customer: None,
            access: vec![],
            cdr_columns: vec![],
            carrier_cdr_columns: vec![],
            breakout_columns: vec![],
            carrier_breakout_columns: vec![],
            custom_js: js.into(),
            custom_css: css.into(),
            logo: None,
            footer: String::new(),
            smtp: None,
            created_at: 0,
            updated_at: 0,
        }
    }

    #[test]
    fn brand_page_links_the_files_it_holds() {
        let js = r#"<script src="https://cdn.a.example/x.js"></script>go();"#;
        let page = BrandPage::of(&domain("a.example", " body{color:red} ", js));
        let (css_hash, css) = page.css.as_ref().unwrap();
        assert_eq!(&css[..], b"body{color:red}");
        assert_eq!(*css_hash, content_hash(b"body{color:red}"));
        assert_eq!(
            page.css_href.as_deref(),
            Some(format!("/_portico/brand-{css_hash}.css").as_str())
        );
        let (js_hash, raw) = page.js.as_ref().unwrap();
        assert_eq!(&raw[..], b"go();");
        assert_eq!(
            page.js_href.as_deref(),
            Some(format!("/_portico/brand-{js_hash}.js").as_str())
        );
        assert!(page.csp.contains("https://cdn.a.example"));

        let plain = BrandPage::of(&domain("b.example", "", ""));
        assert!(plain.css.is_none() && plain.js.is_none());
        assert_eq!(plain.css_href, None);
        assert!(!plain.csp.contains("cdn.a.example"));
    }

    #[test]
    fn hash_is_sixteen_hex_of_sha256() {
        // SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223...
        assert_eq!(content_hash(b"abc"), "ba7816bf8f01cfea");
    }

    #[test]
    fn raw_js_stays_raw() {
        let (js, scripts) = split_custom_js("  console.log(1 < 2);\n");
        assert_eq!(js, "console.log(1 < 2);");
        assert!(scripts.is_empty());
        let (js, _) = split_custom_js("var a<script_count;");
        assert_eq!(js, "var a<script_count;");
    }

    #[test]
    fn script_tags_are_split_from_raw_js() {
        let input = r#"<script async src="https://www.GoogleTagManager.com/gtag/js?id=G-1&amp;l=dl"></script>
<SCRIPT>window.dl = window.dl || [];</SCRIPT >
<script src='https://cdn.example.com:8443/x.js' defer integrity="sha384-abc" crossorigin></script>
track();"#;
        let (js, scripts) = split_custom_js(input);
        assert_eq!(js, "window.dl = window.dl || [];\ntrack();");
        assert_eq!(scripts.len(), 2);
        assert_eq!(
            scripts[0].src,
            "https://www.GoogleTagManager.com/gtag/js?id=G-1&l=dl"
        );
        assert_eq!(scripts[0].origin, "https://www.googletagmanager.com");
        assert!(scripts[0].is_async && !scripts[0].defer);
        assert_eq!(scripts[1].origin, "https://cdn.example.com:8443");
        assert!(scripts[1].defer);
        assert_eq!(scripts[1].integrity.as_deref(), Some("sha384-abc"));
        assert_eq!(scripts[1].crossorigin.as_deref(), Some("anonymous"));
    }

    #[test]
    fn non_https_and_hostile_sources_are_dropped() {
        for src in [
            "http://cdn.example.com/x.js",
            "//cdn.example.com/x.js",
            "/local.js",
            "javascript:alert(1)",
            "https://evil.example;script-src *",
            "https://evil.example 'unsafe-inline'/x.js",
            "https://user@evil.example/x.js",
            "https:///x.js",
        ] {
            let (js, scripts) = split_custom_js(&format!("<script src=\"{src}\"></script>"));
            assert!(scripts.is_empty(), "{src}");
            assert_eq!(js, "", "{src}");
        }
    }

    #[test]
    fn csp_lists_each_script_origin_once() {
        let domain_js = "<script src=\"https://cdn.example.com/a.js\"></script>\
                         <script src=\"https://cdn.example.com/b.js\"></script>\
                         fetch('https://api.other.example/');";
        let (js, scripts) = split_custom_js(domain_js);
        let assets = BrandAssets {
            css: String::new(),
            js,
            scripts,
        };
        let csp = assets.page_csp();
        assert!(
            csp.contains("script-src 'self' https://cdn.example.com; object-src"),
            "{csp}"
        );
        assert!(!csp.contains("other.example"), "{csp}");
        assert_eq!(assets.css_hash(), None);
        assert_eq!(
            assets.js_hash(),
            Some(content_hash(b"fetch('https://api.other.example/');"))
        );
    }

    #[test]
    fn unterminated_tag_is_kept_as_code() {
        let (js, scripts) =
            split_custom_js("if (x) { y(); } <script src=\"https://a.example/x.js\"");
        assert!(scripts.is_empty());
        assert!(js.ends_with("<script src=\"https://a.example/x.js\""));
    }
}
