//! `/alerts`: the account's low-balance alerts; with `editable_balance_alert` visible too, a
//! form that changes the threshold and e-mail of the account's alert (or creates it).

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use portico_protocol::{AdminError, Alert, Section};
use serde::Deserialize;

use super::format;
use super::pages::{Chrome, html, internal_error};
use super::session::Account;
use super::store_calls::{audited_write, contact_target, read};
use super::tenant::{Portal, blocking};
use crate::model::{contact, money};

/// One alert as the customer sees it.
#[derive(Debug)]
pub struct AlertRow {
    pub threshold: String,
    pub email: String,
}

/// The alert form's values and what was wrong with them.
#[derive(Debug, Default)]
pub struct AlertForm {
    pub threshold: String,
    pub email: String,
    pub threshold_error: Option<String>,
    pub email_error: Option<String>,
}

/// The alerts page.
#[derive(Template)]
#[template(path = "portal/alerts.html")]
pub struct AlertsPage {
    pub chrome: Chrome,
    pub rows: Vec<AlertRow>,
    /// The edit form, when the account may edit its alert.
    pub form: Option<AlertForm>,
    pub currency: String,
    pub csrf: String,
    pub saved: bool,
}

/// `?saved=1` after a change.
#[derive(Debug, Deserialize)]
pub struct Saved {
    #[serde(default)]
    pub(super) saved: Option<String>,
}

/// The posted alert form.
#[derive(Debug, Deserialize)]
pub struct AlertPost {
    #[serde(default)]
    pub(super) threshold: String,
    #[serde(default)]
    pub(super) email: String,
    #[serde(default)]
    pub(super) csrf: String,
}

async fn alerts_of(portal: &Portal, customer: u64) -> Result<Vec<Alert>, Response> {
    let alerts = read(portal, "alerts", move |tx| tx.children::<Alert>(customer)).await?;
    Ok(alerts
        .into_iter()
        .filter(|a| a.customer_id == customer)
        .collect())
}

fn page(
    account: &Account,
    alerts: &[Alert],
    form: Option<AlertForm>,
    saved: bool,
) -> (AlertsPage, String) {
    let currency = account.login.customer.currency.clone();
    let rows = alerts
        .iter()
        .map(|a| AlertRow {
            threshold: format::amount(a.threshold, &currency),
            email: a.email.clone(),
        })
        .collect();
    let (chrome, csp) = Chrome::for_account(account, "/alerts");
    let page = AlertsPage {
        chrome,
        rows,
        form,
        currency,
        csrf: account.login.session.csrf.clone(),
        saved,
    };
    (page, csp)
}

/// The form prefilled with the account's alert (the first one), or empty.
fn current_form(account: &Account, alerts: &[Alert]) -> AlertForm {
    match alerts.first() {
        Some(alert) => AlertForm {
            threshold: format::number(alert.threshold, &account.login.customer.currency),
            email: alert.email.clone(),
            ..AlertForm::default()
        },
        None => AlertForm {
            email: account.login.contact.email.clone(),
            ..AlertForm::default()
        },
    }
}

/// `GET /alerts`.
pub async fn show(
    State(portal): State<Portal>,
    account: Account,
    Query(saved): Query<Saved>,
) -> Response {
    if let Err(response) = account.require(Section::Alerts) {
        return response;
    }
    let alerts = match alerts_of(&portal, account.login.customer.id).await {
        Ok(a) => a,
        Err(response) => return response,
    };
    let form = account
        .sections
        .shows(Section::EditableBalanceAlert)
        .then(|| current_form(&account, &alerts));
    let (page, csp) = page(&account, &alerts, form, saved.saved.is_some());
    html(StatusCode::OK, &csp, &page)
}

fn reason(label: &str, err: AdminError) -> String {
    match err {
        AdminError::Invalid { reason, .. } => format!("{label} {reason}"),
        other => format!("{label}: {other}"),
    }
}

/// `POST /alerts`: changes the account's alert (or creates it).
pub async fn save(
    State(portal): State<Portal>,
    account: Account,
    headers: HeaderMap,
    Form(post): Form<AlertPost>,
) -> Response {
    if let Err(response) = account
        .require(Section::Alerts)
        .and_then(|()| account.require(Section::EditableBalanceAlert))
    {
        return response;
    }
    if let Err(response) = account.check_form(&headers, &post.csrf) {
        return response;
    }
    let threshold = money::parse_money("threshold", &post.threshold);
    let email = contact::normalize_email("email", &post.email);
    let (threshold, email) = match (threshold, email) {
        (Ok(t), Ok(e)) => (t, e),
        (threshold, email) => {
            let alerts = match alerts_of(&portal, account.login.customer.id).await {
                Ok(a) => a,
                Err(response) => return response,
            };
            let form = AlertForm {
                threshold: post.threshold,
                email: post.email,
                threshold_error: threshold.err().map(|e| reason("Threshold", e)),
                email_error: email.err().map(|e| reason("E-mail address", e)),
            };
            let (page, csp) = page(&account, &alerts, Some(form), false);
            return html(StatusCode::UNPROCESSABLE_ENTITY, &csp, &page);
        }
    };
    let store = portal.store.clone();
    let customer = account.login.customer.id;
    let target = contact_target(&account.login.contact);
    let detail = serde_json::json!({ "threshold": threshold.to_string(), "email": email });
    let written = blocking(move || {
        Ok(audited_write(
            &store,
            "portal_alert_set",
            detail,
            |tx, _| {
                let existing = tx
                    .children::<Alert>(customer)?
                    .into_iter()
                    .find(|a| a.customer_id == customer);
                let alert = match existing {
                    Some(alert) => Alert {
                        threshold,
                        email,
                        ..alert
                    },
                    None => Alert {
                        id: tx.next_id("alert")?,
                        customer_id: customer,
                        threshold,
                        email,
                    },
                };
                tx.put_child(&alert)?;
                Ok::<_, crate::store::StoreError>(((), format!("{target} alert #{}", alert.id)))
            },
        )?)
    })
    .await;
    match written {
        Ok(()) => Redirect::to("/alerts?saved=1").into_response(),
        Err(err) => {
            tracing::error!(error = %err, "portal: saving the alert failed");
            internal_error()
        }
    }
}
