//! Logging in and out. A failed login says the same thing whether the address exists or not,
//! takes the same time (an unknown address is checked against a dummy hash), and counts against
//! both the account and the client address.

use std::sync::LazyLock;

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use portico_protocol::CustomerStatus;
use serde::Deserialize;

use super::pages::{Chrome, html, internal_error};
use super::session::{
    self, Account, ClientAddr, FORM_COOKIE, PENDING_SECONDS, SESSION_COOKIE, SESSION_SECONDS,
};
use super::site::Site;
use super::tenant::{Portal, Tenant, blocking};
use super::throttle::AttemptKeys;
use crate::model::password;
use crate::store::SessionRecord;

/// Verified when the address is unknown, so that the answer takes as long as for a real one.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| password::hash("portico timing equaliser").unwrap_or_default());

const WRONG: &str = "Wrong e-mail address or password.";

/// The log-in page.
#[derive(Template)]
#[template(path = "portal/login.html")]
pub struct LoginPage {
    pub chrome: Chrome,
    pub csrf: String,
    pub email: String,
    pub error: Option<String>,
    pub notice: Option<String>,
    pub signup: bool,
    pub carrier_signup: bool,
}

/// The form of the log-in page.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    pub(super) email: String,
    #[serde(default)]
    pub(super) password: String,
    #[serde(default)]
    pub(super) csrf: String,
}

/// The form token of a page shown before login: the visitor's form cookie, or a new one.
pub fn form_token(headers: &HeaderMap) -> (String, Option<HeaderValue>) {
    match session::cookie(headers, FORM_COOKIE).filter(|t| t.len() >= 32) {
        Some(token) => (token, None),
        None => {
            let (token, _) = session::new_token();
            let cookie = session::set_cookie(FORM_COOKIE, &token, 24 * 60 * 60);
            (token, Some(cookie))
        }
    }
}

/// Checks the token of a form posted before login against the visitor's form cookie.
pub fn check_form_token(headers: &HeaderMap, fqdn: &str, token: &str) -> Result<(), Response> {
    session::check_origin(headers, fqdn)?;
    match session::cookie(headers, FORM_COOKIE) {
        Some(cookie) if !token.is_empty() && session::same_secret(&cookie, token) => Ok(()),
        _ => Err(session::forbidden()),
    }
}

fn with_cookie(mut response: Response, cookie: Option<HeaderValue>) -> Response {
    if let Some(cookie) = cookie {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// A page shown before login (log-in, sign-up, forgotten password, new password): `build`
/// makes it from the domain's chrome and the visitor's form token; a visitor without a form
/// cookie gets one with the answer.
pub(super) async fn pre_login_page<P: Template>(
    portal: &Portal,
    site: &Site,
    headers: &HeaderMap,
    status: StatusCode,
    build: impl FnOnce(Chrome, String) -> P,
) -> Response {
    let (chrome, csp) = match Chrome::load(portal, site).await {
        Ok(c) => c,
        Err(response) => return response,
    };
    let (csrf, cookie) = form_token(headers);
    with_cookie(html(status, &csp, &build(chrome, csrf)), cookie)
}

/// The log-in page with an optional error or notice (also shown after a confirmation link or a
/// password reset).
pub(super) async fn login_page(
    portal: &Portal,
    site: &Site,
    headers: &HeaderMap,
    status: StatusCode,
    email: String,
    error: Option<String>,
    notice: Option<String>,
) -> Response {
    let domain = &site.domain;
    pre_login_page(portal, site, headers, status, |chrome, csrf| LoginPage {
        chrome,
        csrf,
        email,
        error,
        notice,
        signup: domain.customer_signup,
        carrier_signup: domain.carrier_signup,
    })
    .await
}

/// `GET /login`.
pub async fn show(
    State(portal): State<Portal>,
    Tenant { site }: Tenant,
    headers: HeaderMap,
) -> Response {
    login_page(
        &portal,
        &site,
        &headers,
        StatusCode::OK,
        String::new(),
        None,
        None,
    )
    .await
}

enum Outcome {
    /// Logged in: the new session's token and whether a second factor is still due.
    In {
        token: String,
        second_factor: bool,
    },
    Wrong,
    /// The password was right but the client's network is not on the contact's allow-list.
    Network,
    Suspended,
    /// The password was right but the e-mail address of a self sign-up is not confirmed yet.
    Unconfirmed,
}

/// `POST /login`.
pub async fn submit(
    State(portal): State<Portal>,
    Tenant { site }: Tenant,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let domain = &site.domain;
    if let Err(response) = check_form_token(&headers, &domain.fqdn, &form.csrf) {
        return response;
    }
    let email = form.email.trim().to_lowercase();
    let keys = AttemptKeys::new(&domain.fqdn, &email, client);
    let wait = portal.throttle.wait(&keys);
    if !wait.is_zero() {
        let error = format!(
            "Too many failed attempts. Wait {} seconds, then try again.",
            wait.as_secs().max(1)
        );
        return login_page(
            &portal,
            &site,
            &headers,
            StatusCode::TOO_MANY_REQUESTS,
            email,
            Some(error),
            None,
        )
        .await;
    }
    let store = portal.store.clone();
    let fqdn = domain.fqdn.clone();
    let password = form.password;
    let lookup_email = email.clone();
    let outcome = blocking(move || {
        let found = store.read(|tx| {
            let Some(record) = tx.contact_by_email(&lookup_email)? else {
                return Ok::<_, crate::store::StoreError>(None);
            };
            let customer = tx.customer(record.contact.customer_id)?;
            Ok(customer.map(|c| (record, c)))
        })?;
        // Every path hashes once, so the time taken does not tell whether the address exists.
        let Some((record, customer)) = found else {
            password::verify(&DUMMY_HASH, &password);
            return Ok(Outcome::Wrong);
        };
        let right = password::verify(&record.password_hash, &password);
        if !right || customer.domain.as_deref() != Some(fqdn.as_str()) {
            return Ok(Outcome::Wrong);
        }
        if customer.status == CustomerStatus::Suspended {
            return Ok(Outcome::Suspended);
        }
        if record.unconfirmed {
            return Ok(Outcome::Unconfirmed);
        }
        if !session::ip_allowed(&record.contact.ip_allow, client) {
            return Ok(Outcome::Network);
        }
        let (token, key) = session::new_token();
        let (csrf, _) = session::new_token();
        let now = crate::admin::service::now();
        let second_factor = record.contact.two_factor;
        let lifetime = if second_factor {
            PENDING_SECONDS
        } else {
            SESSION_SECONDS
        };
        let record = SessionRecord {
            fqdn,
            contact_id: record.contact.id,
            customer_id: customer.id,
            created_at: now,
            expires_at: now + lifetime,
            csrf,
            pending_second_factor: second_factor,
        };
        store.write(|tx| tx.put_session(&key, &record))?;
        Ok(Outcome::In {
            token,
            second_factor,
        })
    })
    .await;
    let error = match outcome {
        Ok(Outcome::In {
            token,
            second_factor,
        }) => {
            portal.throttle.succeeded(&keys);
            tracing::info!(fqdn = %domain.fqdn, %client, second_factor, "portal: password accepted");
            // A new session at every login: a token planted before login is worthless.
            let mut response = if second_factor {
                Redirect::to("/login/code").into_response()
            } else {
                Redirect::to("/").into_response()
            };
            let lifetime = if second_factor {
                PENDING_SECONDS
            } else {
                SESSION_SECONDS
            };
            response.headers_mut().append(
                header::SET_COOKIE,
                session::set_cookie(SESSION_COOKIE, &token, lifetime),
            );
            return response;
        }
        Ok(Outcome::Wrong) => {
            portal.throttle.failed(&keys);
            tracing::info!(fqdn = %domain.fqdn, %client, "portal: login refused");
            WRONG.to_owned()
        }
        Ok(Outcome::Suspended) => {
            "This account is suspended. Contact your provider to have it reopened.".to_owned()
        }
        Ok(Outcome::Unconfirmed) => format!(
            "Confirm your e-mail address first: open the link in the mail sent to {email}. No \
             mail? Look in the spam folder, or use \"Forgotten your password?\" to get a new link."
        ),
        Ok(Outcome::Network) => {
            tracing::info!(fqdn = %domain.fqdn, %client, "portal: login from a network not allowed");
            format!(
                "This login is not allowed from your network ({client}). Ask your provider to \
                 add it to the login's allowed networks."
            )
        }
        Err(err) => {
            tracing::error!(error = %err, "portal: login failed");
            return internal_error();
        }
    };
    login_page(
        &portal,
        &site,
        &headers,
        StatusCode::OK,
        email,
        Some(error),
        None,
    )
    .await
}

/// The form of the log-out button.
#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    pub csrf: String,
}

/// `POST /logout`.
pub async fn logout(
    State(portal): State<Portal>,
    account: Account,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Response {
    if let Err(response) = account.check_form(&headers, &form.csrf) {
        return response;
    }
    let store = portal.store.clone();
    let key = account.session_key;
    if let Err(err) = blocking(move || Ok(store.write(|tx| tx.remove_session(&key))?)).await {
        tracing::error!(error = %err, "portal: logout failed");
        return internal_error();
    }
    let mut response = Redirect::to("/login").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        session::set_cookie(SESSION_COOKIE, "", 0),
    );
    response
}
