//! `/payments`: the account's payments, newest first. Text from the first `#` of a description
//! on is the admins' own note and never reaches the customer; pending (bank) payments are
//! listed only when `pending_bank_payments` is visible too.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use portico_protocol::{Micros, Payment, PaymentStatus, Section};

use super::format;
use super::pages::{Chrome, html};
use super::session::Account;
use super::store_calls::read;
use super::tenant::Portal;

/// One payment as the customer sees it.
#[derive(Debug)]
pub struct PaymentRow {
    pub time: String,
    pub amount: String,
    pub status: &'static str,
    /// `completed`, `pending` or `cancelled`, for the status badge's class.
    pub status_class: &'static str,
    pub description: String,
}

/// The payments page.
#[derive(Template)]
#[template(path = "portal/payments.html")]
pub struct PaymentsPage {
    pub chrome: Chrome,
    pub rows: Vec<PaymentRow>,
    /// Sum of the completed payments.
    pub received: String,
    /// Sum of the pending payments, when those are shown.
    pub pending: Option<String>,
}

/// The part of a payment description a customer may read: everything before the first `#`.
pub fn public_description(description: &str) -> &str {
    description
        .split_once('#')
        .map_or(description, |(shown, _)| shown)
        .trim()
}

fn status_label(status: PaymentStatus) -> (&'static str, &'static str) {
    match status {
        PaymentStatus::Completed => ("Received", "completed"),
        PaymentStatus::Pending => ("Pending", "pending"),
        PaymentStatus::Cancelled => ("Cancelled", "cancelled"),
    }
}

/// `GET /payments`.
pub async fn show(State(portal): State<Portal>, account: Account) -> Response {
    if let Err(response) = account.require(Section::Payments) {
        return response;
    }
    let customer = account.login.customer.id;
    let mut payments = match read(&portal, "payments", move |tx| {
        tx.children::<Payment>(customer)
    })
    .await
    {
        Ok(p) => p,
        Err(response) => return response,
    };
    let show_pending = account.sections.shows(Section::PendingBankPayments);
    payments.retain(|p| p.customer_id == customer);
    payments.retain(|p| show_pending || p.status != PaymentStatus::Pending);
    // Newest first; ids break ties between payments of the same second.
    payments.sort_by_key(|p| std::cmp::Reverse((p.created_at, p.id)));
    let currency = &account.login.customer.currency;
    let zone = format::zone(&account.login.contact.time_zone);
    let sum = |status: PaymentStatus| {
        Micros(
            payments
                .iter()
                .filter(|p| p.status == status)
                .fold(0i64, |acc, p| acc.saturating_add(p.amount.0)),
        )
    };
    let received = format::amount(sum(PaymentStatus::Completed), currency);
    let pending = show_pending.then(|| format::amount(sum(PaymentStatus::Pending), currency));
    let rows = payments
        .iter()
        .map(|p| {
            let (status, status_class) = status_label(p.status);
            PaymentRow {
                time: format::time(p.created_at, &zone),
                amount: format::amount(p.amount, currency),
                status,
                status_class,
                description: public_description(&p.description).to_owned(),
            }
        })
        .collect();
    let (chrome, csp) = Chrome::for_account(&account, "/payments");
    html(
        StatusCode::OK,
        &csp,
        &PaymentsPage {
            chrome,
            rows,
            received,
            pending,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::public_description;

    #[test]
    fn text_from_the_first_hash_on_is_cut() {
        assert_eq!(public_description("Top-up #ref 123 #x"), "Top-up");
        assert_eq!(public_description("#only admin"), "");
        assert_eq!(public_description(" Wire transfer "), "Wire transfer");
    }
}
