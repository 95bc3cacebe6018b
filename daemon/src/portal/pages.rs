//! The portal's HTML pages: the branded shell (top bar, content, footer) and the neutral pages
//! for hosts without a portal and for failures.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portico_protocol::{Domain, FileInfo};

use portico_protocol::{CustomerStatus, Section};

use super::assets::{self, LogoRef};
use super::brand::{BrandPage, ExternalScript};
use super::format;
use super::session::Account;
use super::site::Site;
use super::tenant::{Portal, Tenant, read_now};

/// What a rendered page is given to start with (a dashboard is about 6 KB).
const PAGE_BYTES: usize = 8 << 10;

/// CSP of the neutral pages: they load nothing at all.
const NEUTRAL_CSP: &str =
    "default-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

/// What the layout of every branded page shows around its content.
#[derive(Debug)]
pub struct Chrome {
    pub brand_name: String,
    pub logo: Option<LogoView>,
    pub footer: String,
    pub theme_css: &'static str,
    pub brand_css: Option<String>,
    pub scripts: Vec<ExternalScript>,
    pub brand_js: Option<String>,
    /// The top bar's account part, when someone is logged in.
    pub account: Option<AccountBar>,
    /// The left navigation (empty before login).
    pub nav: Vec<NavItem>,
    /// A required contract to approve, linked from every page.
    pub contract_due: Option<super::contracts::ContractDue>,
}

/// The brand's logo in the top bar.
#[derive(Debug)]
pub struct LogoView {
    pub url: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

/// The right side of the top bar for a logged-in account.
#[derive(Debug)]
pub struct AccountBar {
    /// The contact's name.
    pub name: String,
    /// The account's (company) name.
    pub account_name: String,
    /// The balance, when the balance section is visible.
    pub balance: Option<String>,
    /// The balance is below the low-balance alert.
    pub balance_low: bool,
    /// Now, in the contact's time zone.
    pub now: String,
    /// The contact's time zone's name.
    pub zone: String,
    /// The CSRF token of the log-out form.
    pub csrf: String,
    /// The account waits for approval.
    pub pending_approval: bool,
}

/// One entry of the left navigation.
#[derive(Debug)]
pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

/// The pages of the navigation and the section each needs (`None`: always there).
const NAV: &[(&str, &str, Option<Section>)] = &[
    ("/", "Dashboard", None),
    ("/cdr", "Calls", Some(Section::Cdr)),
    ("/breakout", "Breakout", Some(Section::Breakout)),
    ("/rates", "Rates", Some(Section::RateCards)),
    ("/payments", "Payments", Some(Section::Payments)),
    ("/alerts", "Alerts", Some(Section::Alerts)),
    ("/packages", "Packages", Some(Section::Packages)),
    ("/contracts", "Contracts", Some(Section::Contracts)),
];

impl Chrome {
    /// The chrome of `domain`'s pages and the CSP that goes with it; `logo` is the domain's
    /// logo file as the store has it.
    fn new(domain: &Domain, logo: Option<&FileInfo>, brand: &BrandPage) -> (Self, String) {
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
            brand_css: brand.css_href.clone(),
            brand_js: brand.js_href.clone(),
            scripts: brand.scripts.clone(),
            account: None,
            nav: Vec::new(),
            contract_due: None,
        };
        (chrome, brand.csp.clone())
    }

    /// Reads the logo's file information (a short store read) and builds the chrome of a page
    /// shown before login.
    pub async fn load(portal: &Portal, site: &Site) -> Result<(Self, String), Response> {
        let domain = &site.domain;
        let logo = match domain.logo.clone() {
            None => None,
            Some(name) => {
                let found = read_now(|| Ok(portal.store.read(|tx| tx.file_info(&name))?));
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
        Ok(Self::new(domain, logo.as_ref(), &site.brand))
    }

    /// The chrome of a logged-in page; `current` is the navigation entry to mark.
    pub fn for_account(account: &Account, current: &str) -> (Self, String) {
        let (mut chrome, csp) = Self::new(
            &account.site.domain,
            account.logo.as_ref(),
            &account.site.brand,
        );
        let zone = &account.login.zone;
        chrome.account = Some(AccountBar {
            name: account.login.contact.name.clone(),
            account_name: account.login.customer.name.clone(),
            balance: account
                .balance
                .as_ref()
                .map(|b| format::Money::with(&b.currency, account.login.money).amount(b.balance)),
            balance_low: account.balance.as_ref().is_some_and(|b| b.low_balance),
            now: format::time_with_zone(crate::admin::service::now(), zone),
            zone: zone.iana_name().unwrap_or("UTC").to_owned(),
            csrf: account.login.session.csrf.clone(),
            pending_approval: account.login.customer.status == CustomerStatus::PendingApproval,
        });
        chrome.contract_due = account.contract_due.clone();
        chrome.nav = NAV
            .iter()
            .filter(|(_, _, section)| section.is_none_or(|s| account.sections.shows(s)))
            .map(|&(href, label, _)| NavItem {
                href,
                label,
                current: href == current,
            })
            .collect();
        (chrome, csp)
    }
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

pub async fn not_found(State(portal): State<Portal>, Tenant { site }: Tenant) -> Response {
    match Chrome::load(&portal, &site).await {
        Ok((chrome, csp)) => html(StatusCode::NOT_FOUND, &csp, &NotFoundPage { chrome }),
        Err(response) => response,
    }
}

/// The branded 404 of a logged-in page: a hidden section answers exactly like a missing page.
pub fn not_found_for(account: &Account) -> Response {
    let (chrome, csp) = Chrome::for_account(account, "");
    html(StatusCode::NOT_FOUND, &csp, &NotFoundPage { chrome })
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
pub fn html<T: Template>(status: StatusCode, csp: &str, page: &T) -> Response {
    html_sized(status, csp, page, 0)
}

/// [`html`] for a page that writes `extra` bytes beyond its template (rows written ahead).
pub fn html_sized<T: Template>(status: StatusCode, csp: &str, page: &T, extra: usize) -> Response {
    // Room for a whole branded page up front: growing the buffer while rendering would copy
    // the page again at every doubling.
    let mut body = String::with_capacity(T::SIZE_HINT.max(PAGE_BYTES) + extra);
    if let Err(err) = page.render_into(&mut body) {
        tracing::error!(error = %err, "portal: rendering a page failed");
        return (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response();
    }
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
