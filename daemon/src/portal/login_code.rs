//! `/login/code`: the second login step of a contact with two-factor on. The password step left
//! a pending session (five minutes, good for this page only); a right TOTP code or an unused
//! recovery code replaces it with a new, full session under a new token.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::pages::{Chrome, html, internal_error};
use super::session::{
    self, ClientAddr, SESSION_COOKIE, SESSION_SECONDS, check_origin, forbidden, same_secret,
};
use super::site::Site;
use super::tenant::{Portal, Tenant, blocking};
use super::two_factor::{code_keys, use_code};
use crate::store::{SessionRecord, StoreError};

/// The code page.
#[derive(Template)]
#[template(path = "portal/login_code.html")]
pub struct CodePage {
    pub chrome: Chrome,
    pub csrf: String,
    pub error: Option<String>,
}

/// The posted code.
#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    pub(super) code: String,
    #[serde(default)]
    pub(super) csrf: String,
}

/// The pending session of the request, with its key and the contact's e-mail address.
struct Pending {
    key: [u8; 32],
    session: SessionRecord,
    email: String,
}

/// The request's pending session on `fqdn`; otherwise where to go (the dashboard for a full
/// session, the log-in page for none).
async fn pending(portal: &Portal, headers: &HeaderMap, fqdn: &str) -> Result<Pending, Response> {
    let Some(token) = session::cookie(headers, SESSION_COOKIE) else {
        return Err(Redirect::to("/login").into_response());
    };
    let key = session::token_hash(&token);
    let store = portal.store.clone();
    let found = blocking(move || {
        Ok(store.read(|tx| {
            let Some(session) = tx.session(&key)? else {
                return Ok::<_, StoreError>(None);
            };
            let email = tx.contact(session.contact_id)?.map(|r| r.contact.email);
            Ok(email.map(|email| (session, email)))
        })?)
    })
    .await;
    let now = crate::admin::service::now();
    match found {
        Ok(Some((session, email))) if session.fqdn == fqdn && session.expires_at > now => {
            if session.pending_second_factor {
                Ok(Pending {
                    key,
                    session,
                    email,
                })
            } else {
                Err(Redirect::to("/").into_response())
            }
        }
        Ok(_) => Err(Redirect::to("/login").into_response()),
        Err(err) => {
            tracing::error!(error = %err, "portal: reading a pending login failed");
            Err(internal_error())
        }
    }
}

async fn code_page(
    portal: &Portal,
    site: &Site,
    status: StatusCode,
    csrf: String,
    error: Option<String>,
) -> Response {
    match Chrome::load(portal, site).await {
        Ok((chrome, csp)) => html(
            status,
            &csp,
            &CodePage {
                chrome,
                csrf,
                error,
            },
        ),
        Err(response) => response,
    }
}

/// `GET /login/code`.
pub async fn show(
    State(portal): State<Portal>,
    Tenant { site }: Tenant,
    headers: HeaderMap,
) -> Response {
    let domain = &site.domain;
    match pending(&portal, &headers, &domain.fqdn).await {
        Ok(p) => code_page(&portal, &site, StatusCode::OK, p.session.csrf, None).await,
        Err(response) => response,
    }
}

/// `POST /login/code`.
pub async fn submit(
    State(portal): State<Portal>,
    Tenant { site }: Tenant,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    Form(form): Form<CodeForm>,
) -> Response {
    let domain = &site.domain;
    let p = match pending(&portal, &headers, &domain.fqdn).await {
        Ok(p) => p,
        Err(response) => return response,
    };
    if let Err(response) = check_origin(&headers, &domain.fqdn) {
        return response;
    }
    if !same_secret(&form.csrf, &p.session.csrf) {
        return forbidden();
    }
    let keys = code_keys(&domain.fqdn, &p.email, client);
    let wait = portal.throttle.wait(&keys);
    if !wait.is_zero() {
        let error = format!(
            "Too many wrong codes. Wait {} seconds, then try again.",
            wait.as_secs().max(1)
        );
        return code_page(
            &portal,
            &site,
            StatusCode::TOO_MANY_REQUESTS,
            p.session.csrf,
            Some(error),
        )
        .await;
    }
    let store = portal.store.clone();
    let issuer = domain.brand_name.clone();
    let old_key = p.key;
    let old = p.session.clone();
    let outcome = blocking(move || {
        Ok(store.write(|tx| {
            // The pending session must still be there: one code opens one session.
            if tx.session(&old_key)?.as_ref() != Some(&old) {
                return Ok::<_, StoreError>(None);
            }
            let Some(mut record) = tx.contact(old.contact_id)? else {
                return Ok(None);
            };
            let now = crate::admin::service::now();
            if !use_code(tx, &mut record, &issuer, &form.code, now)? {
                return Ok(None);
            }
            tx.remove_session(&old_key)?;
            let (token, key) = session::new_token();
            let (csrf, _) = session::new_token();
            tx.put_session(
                &key,
                &SessionRecord {
                    fqdn: old.fqdn.clone(),
                    contact_id: old.contact_id,
                    customer_id: old.customer_id,
                    created_at: now,
                    expires_at: now + SESSION_SECONDS,
                    csrf,
                    pending_second_factor: false,
                },
            )?;
            Ok(Some(token))
        })?)
    })
    .await;
    match outcome {
        Ok(Some(token)) => {
            portal.throttle.succeeded(&keys);
            tracing::info!(fqdn = %domain.fqdn, %client, "portal: second factor accepted");
            let mut response = Redirect::to("/").into_response();
            response.headers_mut().append(
                header::SET_COOKIE,
                session::set_cookie(SESSION_COOKIE, &token, SESSION_SECONDS),
            );
            response
        }
        Ok(None) => {
            portal.throttle.failed(&keys);
            tracing::info!(fqdn = %domain.fqdn, %client, "portal: second factor refused");
            code_page(
                &portal,
                &site,
                StatusCode::UNPROCESSABLE_ENTITY,
                p.session.csrf,
                Some(
                    "That code is not right. Type the 6-digit code your app shows now, or one \
                     of your recovery codes."
                        .to_owned(),
                ),
            )
            .await
        }
        Err(err) => {
            tracing::error!(error = %err, "portal: checking a second factor failed");
            internal_error()
        }
    }
}
