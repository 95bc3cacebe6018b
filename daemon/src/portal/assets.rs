//! Files under `/_portico/`: the default theme, a brand's custom CSS and JS, and its logo.
//! Content-addressed URLs are cached for a year; a hash that does not match is a 404.

use std::sync::LazyLock;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use portico_protocol::FileInfo;

use super::brand::{HASH_LEN, content_hash};
use super::tenant::{Portal, Tenant, blocking};

/// The default theme. Brands restyle it through its custom properties.
const THEME_CSS: &str = include_str!("../../assets/theme.css");

static THEME_HASH: LazyLock<String> = LazyLock::new(|| content_hash(THEME_CSS.as_bytes()));

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Logos are shown with `<img>`, where an SVG's scripts never run; this keeps them from running
/// when a logo URL is opened directly.
const LOGO_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

/// The theme's URL as pages link it: versioned, so that it can be cached for good.
pub fn theme_css_url() -> &'static str {
    static URL: LazyLock<String> =
        LazyLock::new(|| format!("/_portico/theme.css?v={}", *THEME_HASH));
    URL.as_str()
}

/// `/_portico/theme.css`: cached for good when asked for by its current version, otherwise
/// revalidated.
pub async fn theme_css(_: Tenant, uri: Uri) -> Response {
    let current = uri
        .query()
        .and_then(|q| q.strip_prefix("v="))
        .is_some_and(|v| v == THEME_HASH.as_str());
    let cache = if current { IMMUTABLE } else { "no-cache" };
    let mut response = file_response(
        Bytes::from_static(THEME_CSS.as_bytes()),
        "text/css; charset=utf-8",
        cache,
    );
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{}\"", *THEME_HASH)) {
        response.headers_mut().insert(header::ETAG, etag);
    }
    response
}

/// `/_portico/brand-<hash>.css` and `/_portico/brand-<hash>.js`.
/// The files come from the domain's site, made when the domain was read: nothing is hashed or
/// copied per request.
pub async fn brand_file(Tenant { site }: Tenant, Path(file): Path<String>) -> Response {
    let Some((hash, ext)) = file
        .strip_prefix("brand-")
        .and_then(|rest| rest.split_once('.'))
    else {
        return missing();
    };
    let brand = &site.brand;
    let (current, content_type) = match ext {
        "css" => (&brand.css, "text/css; charset=utf-8"),
        "js" => (&brand.js, "text/javascript; charset=utf-8"),
        _ => return missing(),
    };
    match current {
        Some((current, content)) if current == hash => {
            file_response(content.clone(), content_type, IMMUTABLE)
        }
        _ => missing(),
    }
}

/// Where a logo is served: the file's name under the first hex digits of its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogoRef {
    pub hash: String,
    pub name: String,
}

impl LogoRef {
    /// `None` when the stored information cannot make a safe URL (which the store prevents).
    pub fn of(info: &FileInfo) -> Option<Self> {
        let hash = info.sha256.get(..HASH_LEN)?.to_ascii_lowercase();
        let name_ok = !info.name.is_empty()
            && !info.name.starts_with('.')
            && info
                .name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        let hash_ok = hash.bytes().all(|b| b.is_ascii_hexdigit());
        (name_ok && hash_ok).then(|| Self {
            hash,
            name: info.name.clone(),
        })
    }

    pub fn url(&self) -> String {
        format!("/_portico/logo/{}/{}", self.hash, self.name)
    }
}

/// `/_portico/logo/<hash>/<name>`: only the domain's own logo, only at its current hash.
pub async fn logo(
    State(portal): State<Portal>,
    Tenant { site }: Tenant,
    Path((hash, name)): Path<(String, String)>,
) -> Response {
    let domain = &site.domain;
    if domain.logo.as_deref() != Some(name.as_str()) {
        return missing();
    }
    let store = portal.store.clone();
    let read = move || {
        Ok(store.read(|tx| match tx.file_info(&name)? {
            Some(info) => Ok::<_, crate::store::StoreError>(
                tx.file_content(&name)?.map(|bytes| (info, bytes)),
            ),
            None => Ok(None),
        })?)
    };
    let found = match blocking(read).await {
        Ok(found) => found,
        Err(err) => {
            tracing::error!(error = %err, "portal: reading the logo failed");
            return super::pages::internal_error();
        }
    };
    let Some((info, bytes)) = found else {
        return missing();
    };
    if LogoRef::of(&info).is_none_or(|r| r.hash != hash) {
        return missing();
    }
    let mut response = file_response(bytes, &info.content_type, IMMUTABLE);
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(LOGO_CSP),
    );
    response
}

fn file_response(body: impl Into<Bytes>, content_type: &str, cache: &'static str) -> Response {
    let content_type = HeaderValue::from_str(content_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
        ],
        body.into(),
    )
        .into_response()
}

fn missing() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "not found",
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::THEME_CSS;
    use portico_protocol::{BreakoutColumn, CdrColumn};

    /// A report table aligns its columns by position (`data-num`, `data-wrap`): the theme must
    /// have both rules for every position a domain's columns can reach.
    #[test]
    fn the_theme_aligns_every_column_position_of_a_report_table() {
        let most = CdrColumn::ALL.len().max(BreakoutColumn::ALL.len());
        for at in 1..=most {
            for rule in [
                format!(".report-table[data-num~=\"{at}\"] tr > :nth-child({at})"),
                format!(".report-table[data-wrap~=\"{at}\"] td:nth-child({at})"),
            ] {
                assert!(THEME_CSS.contains(&rule), "theme.css has no `{rule}`");
            }
        }
    }
}
