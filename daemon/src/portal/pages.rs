//! The portal's HTML pages: the branded shell (top bar, content, footer) and the neutral pages
//! for hosts without a portal and for failures.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portico_protocol::{Domain, FileInfo};

use super::assets::{self, LogoRef};
use super::brand::{BrandAssets, ExternalScript};
use super::tenant::{Portal, Tenant, blocking};

/// CSP of the neutral pages: they load nothing at all.
const NEUTRAL_CSP: &str =
    "default-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

/// What the layout of every branded page shows around its content.
#[derive(Debug)]
pub struct Chrome {
    pub brand_name: String,
    pub logo: Option<LogoView>,
    pub footer: String,
    pub theme_css: String,
    pub brand_css: Option<String>,
    pub scripts: Vec<ExternalScript>,
    pub brand_js: Option<String>,
}

/// The brand's logo in the top bar.
#[derive(Debug)]
pub struct LogoView {
    pub url: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

impl Chrome {
    /// The chrome of `domain`'s pages and the CSP that goes with it; `logo` is the domain's
    /// logo file as the store has it.
    fn new(domain: &Domain, logo: Option<&FileInfo>) -> (Self, String) {
        let brand = BrandAssets::of(domain);
        let logo = logo.and_then(|info| {
            let url = LogoRef::of(info)?.url();
            Some(LogoView {
                url,
                width: info.width,
                height: info.height,
            })
        });
        let chrome = Chrome {
            brand_name: domain.brand_name.clone(),
            logo,
            footer: domain.footer.trim().to_owned(),
            theme_css: assets::theme_css_url(),
            brand_css: brand.css_hash().map(|h| format!("/_portico/brand-{h}.css")),
            brand_js: brand.js_hash().map(|h| format!("/_portico/brand-{h}.js")),
            scripts: brand.scripts.clone(),
        };
        (chrome, brand.page_csp())
    }

    /// Reads the logo's file information (a blocking store call) and builds the chrome.
    async fn load(portal: &Portal, domain: &Domain) -> Result<(Self, String), Response> {
        let logo = match domain.logo.clone() {
            None => None,
            Some(name) => {
                let source = portal.source.clone();
                let found = blocking(move || source.public_file_info(&name)).await;
                match found {
                    Ok(Some(info)) => Some(info),
                    Ok(None) => {
                        tracing::warn!(logo = ?domain.logo, "portal: the logo file is missing");
                        None
                    }
                    Err(err) => {
                        tracing::error!(error = %err, "portal: reading the logo failed");
                        return Err(internal_error());
                    }
                }
            }
        };
        Ok(Self::new(domain, logo.as_ref()))
    }
}

/// `/`: the start page with the (not yet open) sign-in card.
#[derive(Template)]
#[template(path = "portal/landing.html")]
pub struct LandingPage {
    pub chrome: Chrome,
}

/// Any other path of a configured domain.
#[derive(Template)]
#[template(path = "portal/not_found.html")]
pub struct NotFoundPage {
    pub chrome: Chrome,
}

/// A page that shows no brand at all.
#[derive(Template)]
#[template(path = "portal/neutral.html")]
pub struct NeutralPage {
    pub title: &'static str,
    pub message: &'static str,
}

pub async fn landing(State(portal): State<Portal>, Tenant { domain }: Tenant) -> Response {
    match Chrome::load(&portal, &domain).await {
        Ok((chrome, csp)) => html(StatusCode::OK, &csp, &LandingPage { chrome }),
        Err(response) => response,
    }
}

pub async fn not_found(State(portal): State<Portal>, Tenant { domain }: Tenant) -> Response {
    match Chrome::load(&portal, &domain).await {
        Ok((chrome, csp)) => html(StatusCode::NOT_FOUND, &csp, &NotFoundPage { chrome }),
        Err(response) => response,
    }
}

/// `/healthz`, for any host.
pub async fn healthz() -> Response {
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], "ok").into_response()
}

/// The answer for a host that has no portal: no brand, no hint of the others.
pub fn no_portal() -> Response {
    html(
        StatusCode::NOT_FOUND,
        NEUTRAL_CSP,
        &NeutralPage {
            title: "Not found",
            message: "No portal is configured for this address.",
        },
    )
}

/// The answer when the portal failed; the cause is logged, not shown.
pub fn internal_error() -> Response {
    html(
        StatusCode::INTERNAL_SERVER_ERROR,
        NEUTRAL_CSP,
        &NeutralPage {
            title: "Something went wrong",
            message: "The portal could not answer this request. Please try again in a moment.",
        },
    )
}

/// Renders a page with the headers every page has.
fn html(status: StatusCode, csp: &str, page: &impl Template) -> Response {
    let body = match page.render() {
        Ok(body) => body,
        Err(err) => {
            tracing::error!(error = %err, "portal: rendering a page failed");
            return (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response();
        }
    };
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    match HeaderValue::from_str(csp) {
        Ok(value) => {
            headers.insert(header::CONTENT_SECURITY_POLICY, value);
        }
        Err(_) => {
            // Origins are checked when custom_js is split, so this cannot happen; refuse the
            // page rather than serve it without its policy.
            tracing::error!("portal: the page's CSP is not a valid header value");
            return (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response();
        }
    }
    response
}
