//! Forgotten passwords: `/forgot` mails a link `/reset/{token}` (through the brand's SMTP, valid
//! 30 minutes and once, on this domain only) that sets a new password.
//!
//! `/forgot` answers the same for every address, known or not, and takes about as long (the
//! mail is sent in the background); it is limited per client address and per typed address.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use portico_protocol::{AdminError, AuditEntry};
use serde::Deserialize;
use serde_json::json;

use super::links::LinkBase;
use super::login::{check_form_token, login_page, pre_login_page};
use super::pages::{Chrome, internal_error};
use super::session::{self, ClientAddr};
use super::signup::{message, take_valid_token};
use super::site::Site;
use super::tenant::{Portal, Tenant, blocking};
use super::throttle::AttemptKeys;
use crate::admin::ops::contact::NewPassword;
use crate::mail::{Mailer, Outgoing};
use crate::model::{contact, password};
use crate::store::TokenRecord;

/// How long a reset link works.
pub const RESET_SECONDS: i64 = 30 * 60;
/// Purpose of reset tokens.
pub const RESET: &str = "reset";
/// Reset requests per client address and hour.
pub const PER_CLIENT: u32 = 10;
/// Reset requests per typed address and hour.
pub const PER_ACCOUNT: u32 = 3;
const WINDOW: std::time::Duration = std::time::Duration::from_secs(60 * 60);

/// The forgotten-password page.
#[derive(Template)]
#[template(path = "portal/forgot.html")]
pub struct ForgotPage {
    pub chrome: Chrome,
    pub csrf: String,
    pub email: String,
    pub error: Option<String>,
    /// The domain has no SMTP settings: no link can be mailed.
    pub no_mail: bool,
}

/// The new-password page of a reset link.
#[derive(Template)]
#[template(path = "portal/reset.html")]
pub struct ResetPage {
    pub chrome: Chrome,
    pub csrf: String,
    pub action: String,
    pub error: Option<String>,
}

/// The posted forms.
#[derive(Debug, Default, Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    pub(super) email: String,
    #[serde(default)]
    pub(super) csrf: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    pub(super) password: String,
    #[serde(default)]
    pub(super) password2: String,
    #[serde(default)]
    pub(super) csrf: String,
}

async fn forgot_page(
    portal: &Portal,
    site: &Site,
    headers: &HeaderMap,
    status: StatusCode,
    email: String,
    error: Option<String>,
) -> Response {
    let domain = &site.domain;
    pre_login_page(portal, site, headers, status, |chrome, csrf| ForgotPage {
        chrome,
        csrf,
        email,
        error,
        no_mail: domain.smtp.is_none(),
    })
    .await
}

/// `GET /forgot`.
pub async fn show_forgot(
    State(portal): State<Portal>,
    Tenant { site }: Tenant,
    headers: HeaderMap,
) -> Response {
    forgot_page(
        &portal,
        &site,
        &headers,
        StatusCode::OK,
        String::new(),
        None,
    )
    .await
}

/// `POST /forgot`.
pub async fn submit_forgot(
    State(portal): State<Portal>,
    Tenant { site }: Tenant,
    ClientAddr(client): ClientAddr,
    base: LinkBase,
    headers: HeaderMap,
    Form(form): Form<ForgotForm>,
) -> Response {
    let domain = &site.domain;
    if let Err(response) = check_form_token(&headers, &domain.fqdn, &form.csrf) {
        return response;
    }
    let email = match contact::normalize_email("email", &form.email) {
        Ok(email) => email,
        Err(_) => {
            return forgot_page(
                &portal,
                &site,
                &headers,
                StatusCode::OK,
                form.email,
                Some("Type the e-mail address you log in with.".to_owned()),
            )
            .await;
        }
    };
    let limits = [
        (AttemptKeys::client_only("forgot", client), PER_CLIENT),
        (
            AttemptKeys::subject("forgot", &format!("{} {email}", domain.fqdn)),
            PER_ACCOUNT,
        ),
    ];
    for (keys, max) in &limits {
        if let Err(wait) = portal.throttle.take(keys, *max, WINDOW) {
            tracing::info!(fqdn = %domain.fqdn, %client, "portal: reset request limit reached");
            let minutes = wait.as_secs().div_ceil(60).max(1);
            let error = format!(
                "Too many requests for new passwords from your network or for this address. \
                 Try again in {minutes} minutes; a link mailed earlier still works for 30 \
                 minutes after it was sent."
            );
            return forgot_page(
                &portal,
                &site,
                &headers,
                StatusCode::TOO_MANY_REQUESTS,
                email,
                Some(error),
            )
            .await;
        }
    }
    let store = portal.store.clone();
    let fqdn = domain.fqdn.clone();
    let lookup = email.clone();
    let found = blocking(move || {
        let found = store.read(|tx| {
            let Some(record) = tx.domain(&fqdn)? else {
                return Ok::<_, crate::store::StoreError>(None);
            };
            let Some(mailer) = Mailer::of(&record) else {
                return Ok(None);
            };
            let Some(c) = tx.contact_by_email(&lookup)? else {
                return Ok(None);
            };
            let on_this_domain = tx
                .customer(c.contact.customer_id)?
                .is_some_and(|cu| cu.domain.as_deref() == Some(fqdn.as_str()));
            Ok(on_this_domain.then_some((mailer, c.contact)))
        })?;
        let Some((mailer, contact)) = found else {
            return Ok(None);
        };
        let (token, key) = session::new_token();
        let record = TokenRecord {
            purpose: RESET.to_owned(),
            fqdn: fqdn.clone(),
            contact_id: contact.id,
            expires_at: crate::admin::service::now() + RESET_SECONDS,
        };
        store.write(|tx| tx.put_token(&key, &record))?;
        Ok(Some((mailer, contact, token)))
    })
    .await;
    match found {
        Ok(Some((mailer, contact, token))) => {
            tracing::info!(fqdn = %domain.fqdn, %client, contact = contact.id, "portal: reset link mailed");
            let link = base.url(&domain.fqdn, &format!("/reset/{token}"));
            let brand = &domain.brand_name;
            mailer.send_later(Outgoing {
                to: contact.email.clone(),
                subject: "set a new password".to_owned(),
                text: format!(
                    "Hello {},\n\n\
                     someone (hopefully you) asked to set a new password for {} at {brand}. \
                     Open this link within 30 minutes to choose one; it works once:\n\n\
                     {link}\n\n\
                     If you did not ask for this, ignore this mail: your password stays as it \
                     is.\n",
                    contact.name, contact.email
                ),
            });
        }
        Ok(None) => {
            tracing::info!(fqdn = %domain.fqdn, %client, "portal: reset asked for an address without a login here (or no SMTP)");
        }
        Err(err) => {
            tracing::error!(error = %err, "portal: reset request failed");
            return internal_error();
        }
    }
    message(
        &portal,
        &site,
        StatusCode::OK,
        "reset-sent",
        "Check your mail",
        vec![
            format!(
                "If an account exists for {email}, a link to set a new password is on its way. \
                 It works once, within 30 minutes."
            ),
            "No mail after a few minutes? Look in the spam folder, check the address, or \
             contact your provider."
                .to_owned(),
        ],
        Some(("/login", "Back to the log-in page")),
    )
    .await
}

async fn expired(portal: &Portal, site: &Site) -> Response {
    message(
        portal,
        site,
        StatusCode::GONE,
        "link-expired",
        "This link has expired or was already used",
        vec![
            "A link to set a new password works once, within 30 minutes, on the portal that \
             sent it. Ask for a new one."
                .to_owned(),
        ],
        Some(("/forgot", "Ask for a new link")),
    )
    .await
}

fn token_valid(t: Option<TokenRecord>, fqdn: &str) -> bool {
    t.is_some_and(|t| {
        t.purpose == RESET && t.fqdn == fqdn && t.expires_at > crate::admin::service::now()
    })
}

async fn reset_page(
    portal: &Portal,
    site: &Site,
    headers: &HeaderMap,
    token: &str,
    error: Option<String>,
) -> Response {
    pre_login_page(portal, site, headers, StatusCode::OK, |chrome, csrf| {
        ResetPage {
            chrome,
            csrf,
            action: format!("/reset/{token}"),
            error,
        }
    })
    .await
}

/// `GET /reset/{token}`: the new-password form; the token is checked, not used up.
pub async fn show_reset(
    State(portal): State<Portal>,
    Tenant { site }: Tenant,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Response {
    let domain = &site.domain;
    let store = portal.store.clone();
    let key = session::token_hash(&token);
    let found = blocking(move || Ok(store.read(|tx| tx.token(&key))?)).await;
    match found {
        Ok(t) if token_valid(t.clone(), &domain.fqdn) => {
            reset_page(&portal, &site, &headers, &token, None).await
        }
        Ok(_) => expired(&portal, &site).await,
        Err(err) => {
            tracing::error!(error = %err, "portal: reading a reset token failed");
            internal_error()
        }
    }
}

/// `POST /reset/{token}`: sets the password, uses up the token, ends the contact's sessions,
/// and shows the log-in page.
pub async fn submit_reset(
    State(portal): State<Portal>,
    Tenant { site }: Tenant,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    Path(token): Path<String>,
    Form(form): Form<ResetForm>,
) -> Response {
    let domain = &site.domain;
    if let Err(response) = check_form_token(&headers, &domain.fqdn, &form.csrf) {
        return response;
    }
    let problem = if form.password != form.password2 {
        Some("The two passwords differ; type the same password twice.".to_owned())
    } else {
        password::check_policy(&form.password).err().map(|_| {
            format!(
                "The password needs at least {} and at most {} characters (a few words make \
                     a long password easy to remember).",
                password::MIN_CHARS,
                password::MAX_CHARS
            )
        })
    };
    if let Some(error) = problem {
        // Only a link that still works gets its form back.
        let store = portal.store.clone();
        let key = session::token_hash(&token);
        let found = blocking(move || Ok(store.read(|tx| tx.token(&key))?)).await;
        return match found {
            Ok(t) if token_valid(t.clone(), &domain.fqdn) => {
                reset_page(&portal, &site, &headers, &token, Some(error)).await
            }
            Ok(_) => expired(&portal, &site).await,
            Err(_) => internal_error(),
        };
    }
    let store = portal.store.clone();
    let fqdn = domain.fqdn.clone();
    let password = form.password;
    let done = blocking(move || {
        let hashed = NewPassword::prepare(Some(password))?;
        Ok(store.write(|tx| {
            let now = crate::admin::service::now();
            let Some(t) = take_valid_token(tx, &token, RESET, &fqdn, now)? else {
                return Ok::<_, AdminError>(None);
            };
            let Some(record) = tx.contact(t.contact_id)? else {
                return Ok(None);
            };
            let email = record.contact.email.clone();
            crate::admin::ops::contact::reset_password(tx, &email, hashed)?;
            if record.unconfirmed {
                // The link reached the mailbox: that confirms the address too.
                if let Some(mut r) = tx.contact(t.contact_id)? {
                    r.unconfirmed = false;
                    tx.put_contact(&r)?;
                }
            }
            let ended = tx.remove_sessions_of(t.contact_id, None)?;
            tx.audit(AuditEntry {
                seq: 0,
                at: now,
                uid: None,
                pid: None,
                action: "portal_password_reset".to_owned(),
                target: format!("contact {email}"),
                detail:
                    json!({"fqdn": fqdn, "client": client.to_string(), "sessions_ended": ended})
                        .to_string(),
            })?;
            Ok(Some(email))
        })?)
    })
    .await;
    match done {
        Ok(Some(email)) => {
            tracing::info!(fqdn = %domain.fqdn, %client, "portal: password reset");
            login_page(
                &portal,
                &site,
                &headers,
                StatusCode::OK,
                email,
                None,
                Some(
                    "Your password is changed, and every session of this login has ended. Log \
                     in with the new password."
                        .to_owned(),
                ),
            )
            .await
        }
        Ok(None) => expired(&portal, &site).await,
        Err(err) => {
            tracing::error!(error = %err, "portal: password reset failed");
            internal_error()
        }
    }
}
