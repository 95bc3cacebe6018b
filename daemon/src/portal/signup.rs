//! Self sign-up (`/signup` for customers, `/signup/carrier` for carriers) and the e-mail
//! confirmation link (`/confirm/{token}`).
//!
//! A new account is made from the domain's template customer in ONE write transaction, through
//! the admin ops (so the admin's validation applies): the customer, its routes, payments,
//! alerts, packages and contracts, its contact, the confirmation token or the first session, and
//! the audit entry. With SMTP the address is confirmed by a mailed link before the contact can
//! log in; without SMTP the new contact is logged in at once.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use portico_protocol::{
    AdminError, AdminResult, Alert, AlertSpec, AuditEntry, ContactSpec, Contract, ContractSpec,
    CustomerKind, CustomerPatch, CustomerStatus, Domain, Package, PackageSpec, Payment,
    PaymentSpec, PaymentStatus, SignupStatus,
};
use serde::Deserialize;
use serde_json::json;

use super::links::LinkBase;
use super::login::{check_form_token, login_page, pre_login_page};
use super::pages::{Chrome, html, internal_error};
use super::session::{self, ClientAddr, SESSION_COOKIE, SESSION_SECONDS};
use super::site::Site;
use super::tenant::{Portal, Tenant, blocking};
use super::throttle::AttemptKeys;
use crate::admin::ops::{self, contact::NewPassword};
use crate::mail::{Mailer, Outgoing};
use crate::model::{contact, password, text};
use crate::store::{SessionRecord, TokenRecord, Tx};

/// Sign-ups allowed per client address (IPv6: per /64) and window.
pub const SIGNUPS_PER_WINDOW: u32 = 5;
/// The sign-up window.
pub const SIGNUP_WINDOW: std::time::Duration = std::time::Duration::from_secs(60 * 60);
/// How long a confirmation link works.
pub const CONFIRM_SECONDS: i64 = 48 * 60 * 60;
/// Purpose of confirmation tokens.
pub const CONFIRM: &str = "confirm";

/// The sign-up page.
#[derive(Template)]
#[template(path = "portal/signup.html")]
pub struct SignupPage {
    pub chrome: Chrome,
    pub title: &'static str,
    pub action: &'static str,
    pub csrf: String,
    pub company: String,
    pub name: String,
    pub email: String,
    pub currency: String,
    pub currencies: Vec<String>,
    pub error: Option<String>,
}

/// A page that says one thing, with an optional link (check your mail, link expired, ...).
#[derive(Template)]
#[template(path = "portal/message.html")]
pub struct MessagePage {
    pub chrome: Chrome,
    /// The `id` of the card, for tests and custom CSS.
    pub id: &'static str,
    pub title: String,
    pub paragraphs: Vec<String>,
    pub link: Option<(String, String)>,
}

/// Renders a [`MessagePage`] of `domain`.
pub(super) async fn message(
    portal: &Portal,
    site: &Site,
    status: StatusCode,
    id: &'static str,
    title: &str,
    paragraphs: Vec<String>,
    link: Option<(&str, &str)>,
) -> Response {
    let (chrome, csp) = match Chrome::load(portal, site).await {
        Ok(c) => c,
        Err(response) => return response,
    };
    let page = MessagePage {
        chrome,
        id,
        title: title.to_owned(),
        paragraphs,
        link: link.map(|(h, l)| (h.to_owned(), l.to_owned())),
    };
    html(status, &csp, &page)
}

/// The posted sign-up form.
#[derive(Debug, Default, Deserialize)]
pub struct SignupForm {
    #[serde(default)]
    pub(super) company: String,
    #[serde(default)]
    pub(super) name: String,
    #[serde(default)]
    pub(super) email: String,
    #[serde(default)]
    pub(super) password: String,
    #[serde(default)]
    pub(super) password2: String,
    #[serde(default)]
    pub(super) currency: String,
    /// The honeypot: hidden from people by CSS; only robots fill it in.
    #[serde(default)]
    pub(super) website: String,
    #[serde(default)]
    pub(super) csrf: String,
}

fn allowed(domain: &Domain, kind: CustomerKind) -> bool {
    match kind {
        CustomerKind::Customer => domain.customer_signup,
        CustomerKind::Carrier => domain.carrier_signup,
    }
}

fn path_of(kind: CustomerKind) -> &'static str {
    match kind {
        CustomerKind::Customer => "/signup",
        CustomerKind::Carrier => "/signup/carrier",
    }
}

async fn page(
    portal: &Portal,
    site: &Site,
    headers: &HeaderMap,
    kind: CustomerKind,
    status: StatusCode,
    form: &SignupForm,
    error: Option<String>,
) -> Response {
    let domain = &site.domain;
    pre_login_page(portal, site, headers, status, |chrome, csrf| SignupPage {
        chrome,
        title: match kind {
            CustomerKind::Customer => "Sign up",
            CustomerKind::Carrier => "Sign up as a carrier",
        },
        action: path_of(kind),
        csrf,
        company: form.company.clone(),
        name: form.name.clone(),
        email: form.email.clone(),
        currency: form.currency.clone(),
        currencies: domain.currencies.clone(),
        error,
    })
    .await
}

/// `GET /signup` and `GET /signup/carrier`: which of the two, the route says (an
/// `Extension<CustomerKind>` layered on it, see [`super::router`]).
pub async fn show(
    State(portal): State<Portal>,
    Extension(kind): Extension<CustomerKind>,
    tenant: Tenant,
    headers: HeaderMap,
) -> Response {
    if !allowed(&tenant.site.domain, kind) {
        return super::pages::not_found(State(portal), tenant).await;
    }
    let form = SignupForm {
        currency: tenant
            .site
            .domain
            .currencies
            .first()
            .cloned()
            .unwrap_or_default(),
        ..SignupForm::default()
    };
    page(
        &portal,
        &tenant.site,
        &headers,
        kind,
        StatusCode::OK,
        &form,
        None,
    )
    .await
}

/// What the sign-up did.
enum Outcome {
    /// A new account: the first session's token (without SMTP) or the confirmation token.
    Created {
        customer_id: u64,
        session: Option<String>,
        confirm: Option<String>,
    },
    /// The address is some contact's login already. `confirm`: that contact signed up here
    /// and never confirmed; a new confirmation link is mailed instead of the warning.
    Taken {
        name: String,
        confirm: Option<String>,
    },
}

/// The checked input of the form.
pub(super) struct Input {
    kind: CustomerKind,
    company: String,
    name: String,
    email: String,
    currency: String,
}

/// Longest company or person's name, in characters (as the admin's commands allow).
const MAX_NAME_CHARS: usize = 200;

pub(super) fn check(
    currencies: &[String],
    form: &SignupForm,
    kind: CustomerKind,
) -> Result<Input, String> {
    let company = form.company.trim();
    let name = form.name.trim();
    if company.is_empty() {
        return Err("Give your company's name (or your own, if you sign up as a person).".into());
    }
    if name.is_empty() {
        return Err("Give your name.".into());
    }
    // The admin's commands take the same names: one line of plain text, at most 200
    // characters (they end up in the admin's terminal and on every page).
    let plain = |label: &str, value: &str| {
        text::check_required("name", value, MAX_NAME_CHARS).map_err(|e| match e {
            AdminError::Invalid { reason, .. } => format!("{label} {reason}."),
            other => other.to_string(),
        })
    };
    let company = plain("Company name", company)?;
    let name = plain("Your name", name)?;
    let email = contact::normalize_email("email", &form.email).map_err(|e| match e {
        AdminError::Invalid { reason, .. } => format!("E-mail address: {reason}."),
        other => other.to_string(),
    })?;
    if form.password != form.password2 {
        return Err("The two passwords differ; type the same password twice.".into());
    }
    let chars = form.password.chars().count();
    if chars < password::MIN_CHARS {
        return Err(format!(
            "The password needs at least {} characters (a few words make a long password easy \
             to remember).",
            password::MIN_CHARS
        ));
    }
    if chars > password::MAX_CHARS {
        return Err(format!(
            "The password may have at most {} characters.",
            password::MAX_CHARS
        ));
    }
    let currency = form.currency.trim().to_ascii_uppercase();
    if !currencies.contains(&currency) {
        return Err(format!(
            "Pick a currency from the list: {}.",
            currencies.join(", ")
        ));
    }
    Ok(Input {
        kind,
        company,
        name,
        email,
        currency,
    })
}

/// `POST /signup` and `POST /signup/carrier` (the kind as for [`show`]).
pub async fn submit(
    State(portal): State<Portal>,
    Extension(kind): Extension<CustomerKind>,
    tenant: Tenant,
    ClientAddr(client): ClientAddr,
    base: LinkBase,
    headers: HeaderMap,
    Form(mut form): Form<SignupForm>,
) -> Response {
    if !allowed(&tenant.site.domain, kind) {
        return super::pages::not_found(State(portal), tenant).await;
    }
    let site = &tenant.site;
    let domain = &site.domain;
    if let Err(response) = check_form_token(&headers, &domain.fqdn, &form.csrf) {
        return response;
    }
    let checked = check(&domain.currencies, &form, kind);
    let password = std::mem::take(&mut form.password);
    form.password2.clear();
    let input = match checked {
        Ok(input) => input,
        Err(error) => {
            return page(
                &portal,
                site,
                &headers,
                kind,
                StatusCode::OK,
                &cleared(form),
                Some(error),
            )
            .await;
        }
    };
    // Robots and people count alike against the address's sign-ups.
    let limit = AttemptKeys::client_only("signup", client);
    if let Err(wait) = portal
        .throttle
        .take(&limit, SIGNUPS_PER_WINDOW, SIGNUP_WINDOW)
    {
        tracing::info!(fqdn = %domain.fqdn, %client, "portal: sign-up limit reached");
        let minutes = wait.as_secs().div_ceil(60).max(1);
        let error = format!(
            "Too many sign-ups from your network ({client}): at most {SIGNUPS_PER_WINDOW} an \
             hour. Try again in {minutes} minutes, or contact {} if you need more accounts.",
            domain.brand_name
        );
        return page(
            &portal,
            site,
            &headers,
            kind,
            StatusCode::TOO_MANY_REQUESTS,
            &cleared(form),
            Some(error),
        )
        .await;
    }
    if !form.website.is_empty() {
        // The honeypot was filled in: answer as if it worked, create nothing.
        tracing::info!(fqdn = %domain.fqdn, %client, "portal: sign-up honeypot filled; nothing created");
        return if domain.smtp.is_some() {
            check_mail(&portal, site, &input.email).await
        } else {
            Redirect::to("/").into_response()
        };
    }

    let store = portal.store.clone();
    let fqdn = domain.fqdn.clone();
    let done = blocking(move || {
        let hashed = NewPassword::prepare(Some(password))?;
        let record = store
            .read(|tx| tx.domain(&fqdn))?
            .ok_or_else(|| AdminError::not_found(format!("domain {fqdn}")))?;
        let mailer = Mailer::of(&record);
        let outcome = store.write(|tx| {
            create(
                tx,
                crate::admin::service::now(),
                &record.domain,
                &input,
                hashed,
                mailer.is_some(),
                client,
            )
        })?;
        Ok((outcome, mailer, input))
    })
    .await;
    let (outcome, mailer, input) = match done {
        Ok(done) => done,
        Err(err) => {
            if let Some(AdminError::Invalid { field, reason }) = err.downcast_ref::<AdminError>() {
                let error = format!("{}: {reason}.", field_label(field));
                return page(
                    &portal,
                    site,
                    &headers,
                    kind,
                    StatusCode::OK,
                    &cleared(form),
                    Some(error),
                )
                .await;
            }
            tracing::error!(error = %err, "portal: sign-up failed");
            return internal_error();
        }
    };
    match (outcome, mailer) {
        (
            Outcome::Created {
                customer_id,
                session: Some(token),
                ..
            },
            None,
        ) => {
            tracing::info!(fqdn = %domain.fqdn, %client, customer_id, "portal: signed up and logged in");
            let mut response = Redirect::to("/").into_response();
            response.headers_mut().append(
                header::SET_COOKIE,
                session::set_cookie(SESSION_COOKIE, &token, SESSION_SECONDS),
            );
            response
        }
        (Outcome::Taken { .. }, None) => {
            tracing::info!(fqdn = %domain.fqdn, %client, "portal: sign-up with a taken address");
            let error = "This e-mail address can't be used for sign-up here; log in, or use \
                         another address."
                .to_owned();
            page(
                &portal,
                site,
                &headers,
                kind,
                StatusCode::OK,
                &cleared(form),
                Some(error),
            )
            .await
        }
        (outcome, Some(mailer)) => {
            let mail = match outcome {
                Outcome::Created {
                    confirm: Some(token),
                    customer_id,
                    ..
                } => {
                    tracing::info!(fqdn = %domain.fqdn, %client, customer_id, "portal: signed up; confirmation mailed");
                    confirm_mail(domain, &base, &input.email, &input.name, &token)
                }
                Outcome::Taken {
                    name,
                    confirm: Some(token),
                } => confirm_mail(domain, &base, &input.email, &name, &token),
                Outcome::Taken {
                    name,
                    confirm: None,
                } => {
                    tracing::info!(fqdn = %domain.fqdn, %client, "portal: sign-up with a taken address; owner told");
                    taken_mail(domain, &base, &input.email, &name)
                }
                Outcome::Created { .. } => {
                    tracing::error!("portal: sign-up with SMTP made no confirmation token");
                    return internal_error();
                }
            };
            mailer.send_later(mail);
            check_mail(&portal, site, &input.email).await
        }
        (Outcome::Created { .. }, None) => {
            tracing::error!("portal: sign-up without SMTP made no session");
            internal_error()
        }
    }
}

/// The form to show again: what was typed, without the passwords and the honeypot.
fn cleared(form: SignupForm) -> SignupForm {
    SignupForm {
        password: String::new(),
        password2: String::new(),
        website: String::new(),
        ..form
    }
}

fn field_label(field: &str) -> &'static str {
    match field {
        "name" => "Company",
        "email" => "E-mail address",
        "password" => "Password",
        "currency" => "Currency",
        _ => "Sign-up",
    }
}

/// "Check your mail": the same page whether the address was new or taken.
async fn check_mail(portal: &Portal, site: &Site, email: &str) -> Response {
    message(
        portal,
        site,
        StatusCode::OK,
        "check-mail",
        "Check your mail",
        vec![
            format!(
                "We sent a link to {email}. Open it within 48 hours to confirm your address; \
                 then you can log in."
            ),
            "No mail after a few minutes? Look in the spam folder, or use \"Forgotten your \
             password?\" on the log-in page to get a new link."
                .to_owned(),
        ],
        Some(("/login", "Go to the log-in page")),
    )
    .await
}

fn confirm_mail(domain: &Domain, base: &LinkBase, to: &str, name: &str, token: &str) -> Outgoing {
    let link = base.url(&domain.fqdn, &format!("/confirm/{token}"));
    let brand = &domain.brand_name;
    Outgoing {
        to: to.to_owned(),
        subject: "confirm your e-mail address".to_owned(),
        text: format!(
            "Hello {name},\n\n\
             welcome to {brand}. Open this link within 48 hours to confirm your e-mail address; \
             then you can log in:\n\n\
             {link}\n\n\
             If you did not sign up at {brand}, ignore this mail: nobody can log in with this \
             address until it is confirmed.\n"
        ),
    }
}

fn taken_mail(domain: &Domain, base: &LinkBase, to: &str, name: &str) -> Outgoing {
    let brand = &domain.brand_name;
    let login = base.url(&domain.fqdn, "/login");
    let forgot = base.url(&domain.fqdn, "/forgot");
    Outgoing {
        to: to.to_owned(),
        subject: "someone tried to sign up with your address".to_owned(),
        text: format!(
            "Hello {name},\n\n\
             someone tried to sign up at {brand} with this e-mail address, which already has \
             an account. Nothing was changed.\n\n\
             If it was you: log in at {login}, or set a new password at {forgot}.\n\n\
             If it was not you, you can ignore this mail.\n"
        ),
    }
}

/// Makes the account, inside one write transaction.
fn create(
    tx: &mut Tx,
    now: i64,
    domain: &Domain,
    input: &Input,
    password: NewPassword,
    with_smtp: bool,
    client: std::net::IpAddr,
) -> AdminResult<Outcome> {
    if let Some(existing) = tx.contact_by_email(&input.email)? {
        // A contact that signed up here and never confirmed gets a new link; anyone else the
        // warning. Either way nothing about the account changes.
        let owner = tx.customer(existing.contact.customer_id)?;
        let same_domain = owner.and_then(|c| c.domain).as_deref() == Some(domain.fqdn.as_str());
        let confirm = if with_smtp && same_domain && existing.unconfirmed {
            Some(put_confirm_token(
                tx,
                now,
                &domain.fqdn,
                existing.contact.id,
            )?)
        } else {
            None
        };
        return Ok(Outcome::Taken {
            name: existing.contact.name,
            confirm,
        });
    }
    let template = match domain.template_customer {
        Some(id) => {
            let found = tx.customer(id)?;
            if found.is_none() {
                tracing::warn!(fqdn = %domain.fqdn, template = id, "portal: the template customer is missing; signing up a bare account");
            }
            found
        }
        None => None,
    };
    let status = match domain.signup_status {
        SignupStatus::Active => CustomerStatus::Active,
        SignupStatus::PendingApproval => CustomerStatus::PendingApproval,
    };
    let (customer, _) = ops::customer::add(
        tx,
        now,
        CustomerPatch {
            name: Some(input.company.clone()),
            kind: Some(input.kind),
            currency: Some(input.currency.clone()),
            status: Some(status),
            debit_limit: template.as_ref().map(|t| t.debit_limit.to_string()),
            // Account codes match CDRs to one account: never copied.
            account_codes: None,
            domain: Some(Some(domain.fqdn.clone())),
        },
    )?;
    let id = customer.id;
    if let Some(t) = &template {
        copy_template(tx, now, t.id, id, &input.currency, &input.email)?;
        for (section, access) in &t.overrides {
            ops::customer::set_override(tx, id, *section, *access)?;
        }
    }
    let (created, _) = ops::contact::add(
        tx,
        now,
        id,
        ContactSpec {
            email: input.email.clone(),
            name: input.name.clone(),
            password: None,
            ip_allow: Vec::new(),
        },
        password,
    )?;
    let contact_id = created.contact.id;
    let (session, confirm) = if with_smtp {
        let mut record = tx
            .contact(contact_id)?
            .ok_or_else(|| AdminError::internal("the new contact vanished"))?;
        record.unconfirmed = true;
        tx.put_contact(&record)?;
        (
            None,
            Some(put_confirm_token(tx, now, &domain.fqdn, contact_id)?),
        )
    } else {
        let (token, key) = session::new_token();
        let (csrf, _) = session::new_token();
        tx.put_session(
            &key,
            &SessionRecord {
                fqdn: domain.fqdn.clone(),
                contact_id,
                customer_id: id,
                created_at: now,
                expires_at: now + SESSION_SECONDS,
                csrf,
                pending_second_factor: false,
            },
        )?;
        (Some(token), None)
    };
    // A new account may change how CDRs match and price, as an admin's change does.
    tx.bump_counter(crate::ingest::pipeline::GENERATION, 1)?;
    tx.audit(AuditEntry {
        seq: 0,
        at: now,
        uid: None,
        pid: None,
        action: "portal_signup".to_owned(),
        target: format!("customer #{id} {}", customer.name),
        detail: json!({
            "fqdn": domain.fqdn,
            "kind": input.kind,
            "currency": input.currency,
            "email": input.email,
            "status": status,
            "template_customer": template.as_ref().map(|t| t.id),
            "client": client.to_string(),
            "confirmation": with_smtp,
        })
        .to_string(),
    })?;
    Ok(Outcome::Created {
        customer_id: id,
        session,
        confirm,
    })
}

/// Copies what the template customer `from` owns to the new account `to`.
fn copy_template(
    tx: &mut Tx,
    now: i64,
    from: u64,
    to: u64,
    currency: &str,
    email: &str,
) -> AdminResult<()> {
    // Routes: a rate card prices calls in its own currency, and a customer is rated only on
    // cards of the currency it pays in (route_add refuses others; converting rates is not
    // something a template can say). So the new account gets the template's cards in the
    // currency it chose, and none of the others: a brand that offers several currencies gives
    // its template one card per currency. With none in that currency the account starts
    // without routes (its calls stay unrated until an admin assigns a card), which is logged.
    let routes = tx.routes_of(from)?;
    let mut copied = 0;
    for route in &routes {
        let card = tx.ratecard(&route.ratecard)?;
        if card.is_some_and(|c| c.currency == currency) {
            ops::ratecard::route_add(tx, to, &route.ratecard, &route.tech_prefix)?;
            copied += 1;
        }
    }
    if copied == 0 && !routes.is_empty() {
        tracing::warn!(
            template = from,
            customer = to,
            currency,
            "portal: the template customer has no rate card in the chosen currency; the new \
             account has no routes"
        );
    }
    // Payments are created again, dated now. A cancelled payment gives nothing, so it is not
    // copied; the amount is kept as it is, in the new account's currency.
    for p in tx.children::<Payment>(from)? {
        if p.status == PaymentStatus::Cancelled {
            continue;
        }
        ops::account::payment_add(
            tx,
            now,
            to,
            PaymentSpec {
                amount: p.amount.to_string(),
                status: Some(p.status),
                description: p.description,
            },
        )?;
    }
    // Alerts go to the new contact's address.
    for a in tx.children::<Alert>(from)? {
        ops::account::alert_add(
            tx,
            to,
            AlertSpec {
                threshold: a.threshold.to_string(),
                email: email.to_owned(),
            },
        )?;
    }
    for p in tx.children::<Package>(from)? {
        ops::account::package_add(
            tx,
            to,
            PackageSpec {
                name: p.name,
                description: p.description,
                price: p.price.to_string(),
            },
        )?;
    }
    for c in tx.children::<Contract>(from)? {
        ops::account::contract_add(
            tx,
            to,
            ContractSpec {
                name: c.name,
                text: c.text,
                required: c.required,
            },
        )?;
    }
    Ok(())
}

fn put_confirm_token(tx: &mut Tx, now: i64, fqdn: &str, contact_id: u64) -> AdminResult<String> {
    let (token, key) = session::new_token();
    tx.put_token(
        &key,
        &TokenRecord {
            purpose: CONFIRM.to_owned(),
            fqdn: fqdn.to_owned(),
            contact_id,
            expires_at: now + CONFIRM_SECONDS,
        },
    )?;
    Ok(token)
}

/// Uses up the token `token` of `purpose` on `fqdn` when it is valid: a token of another
/// purpose or domain is left alone (and answers `None`, like an expired or used one).
pub(super) fn take_valid_token(
    tx: &mut Tx,
    token: &str,
    purpose: &str,
    fqdn: &str,
    now: i64,
) -> AdminResult<Option<TokenRecord>> {
    let key = session::token_hash(token);
    match tx.token(&key)? {
        Some(t) if t.purpose == purpose && t.fqdn == fqdn && t.expires_at > now => {
            tx.take_token(&key)?;
            Ok(Some(t))
        }
        Some(t) if t.expires_at <= now => {
            tx.take_token(&key)?;
            Ok(None)
        }
        _ => Ok(None),
    }
}

/// `GET /confirm/{token}`: confirms the address, then shows the log-in page.
pub async fn confirm(
    State(portal): State<Portal>,
    Tenant { site }: Tenant,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Response {
    let domain = &site.domain;
    let store = portal.store.clone();
    let fqdn = domain.fqdn.clone();
    let done = blocking(move || {
        Ok(store.write(|tx| {
            let now = crate::admin::service::now();
            let Some(t) = take_valid_token(tx, &token, CONFIRM, &fqdn, now)? else {
                return Ok::<_, AdminError>(None);
            };
            let Some(mut record) = tx.contact(t.contact_id)? else {
                return Ok(None);
            };
            record.unconfirmed = false;
            tx.put_contact(&record)?;
            tx.audit(AuditEntry {
                seq: 0,
                at: now,
                uid: None,
                pid: None,
                action: "portal_confirm".to_owned(),
                target: format!("contact {}", record.contact.email),
                detail: json!({"fqdn": fqdn}).to_string(),
            })?;
            Ok(Some(record.contact.email))
        })?)
    })
    .await;
    match done {
        Ok(Some(email)) => {
            let notice = format!("Your e-mail address {email} is confirmed. Log in to start.");
            login_page(
                &portal,
                &site,
                &headers,
                StatusCode::OK,
                email,
                None,
                Some(notice),
            )
            .await
        }
        Ok(None) => {
            message(
                &portal,
                &site,
                StatusCode::GONE,
                "link-expired",
                "This link has expired or was already used",
                vec![
                    "If your address is confirmed already, just log in. If not, ask for a new \
                     link: \"Forgotten your password?\" mails one that also confirms your \
                     address."
                        .to_owned(),
                ],
                Some(("/forgot", "Ask for a new link")),
            )
            .await
        }
        Err(err) => {
            tracing::error!(error = %err, "portal: confirming an address failed");
            internal_error()
        }
    }
}

#[cfg(test)]
mod tests;
