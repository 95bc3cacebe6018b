//! `/`: the dashboard (balance, today, this month, latest calls), or the way to log in.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use portico_protocol::{CdrQuery, Micros, ReportQuery, Section};

use super::format;
use super::pages::{Chrome, html, internal_error};
use super::session::SessionRequest;
use super::tenant::Portal;

/// How many calls the dashboard lists.
const LATEST: u32 = 10;

/// A money figure card.
#[derive(Debug)]
pub struct BalanceCard {
    pub balance: String,
    pub debit_limit: String,
    pub available: String,
    pub low: bool,
    pub exhausted: bool,
}

/// Traffic of a period.
#[derive(Debug)]
pub struct PeriodCard {
    pub title: &'static str,
    pub attempts: u64,
    pub connected: u64,
    pub asr: String,
    pub minutes: String,
    pub charge: String,
}

/// One of the latest calls.
#[derive(Debug)]
pub struct CallRow {
    pub time: String,
    pub destination: String,
    pub destination_name: String,
    /// No rate matched the number: stored without a charge.
    pub unrated: bool,
    pub duration: String,
    pub charge: String,
    pub connected: bool,
}

/// The dashboard.
#[derive(Template)]
#[template(path = "portal/dashboard.html")]
pub struct DashboardPage {
    pub chrome: Chrome,
    pub balance: Option<BalanceCard>,
    pub periods: Vec<PeriodCard>,
    pub latest: Option<Vec<CallRow>>,
}

/// `GET /`: the account and everything the page shows come from one read transaction, in one
/// blocking call.
pub async fn show(State(portal): State<Portal>, request: SessionRequest) -> Response {
    let now = crate::admin::service::now();
    let today = now - now.rem_euclid(86_400);
    let loaded = portal
        .account_with(request, move |tx, account| {
            let customer = account.customer.id;
            let summary = if account.sections.shows(Section::Summary) {
                let q = ReportQuery {
                    customer_id: customer,
                    from: Some(month_start(now)),
                    to: Some(now + 1),
                    per_day: false,
                };
                Some(crate::reports::summary_of(tx, &q)?)
            } else {
                None
            };
            let latest = if account.sections.shows(Section::LatestCalls) {
                let q = CdrQuery {
                    customer_id: Some(customer),
                    limit: LATEST,
                    ..Default::default()
                };
                let currency = &account.customer.currency;
                let mut rows = Vec::with_capacity(LATEST as usize);
                crate::reports::cdr_page_with(tx, customer, &q, |key, c| {
                    rows.push(CallRow {
                        time: format::time(key.start, &account.zone),
                        destination: c.destination.to_owned(),
                        destination_name: c.destination_name.to_owned(),
                        unrated: !c.rated,
                        duration: format::duration(u64::from(c.billsec)),
                        charge: format::amount(Micros(c.charge), currency),
                        connected: c.connected,
                    })
                })?;
                Some(rows)
            } else {
                None
            };
            Ok((summary, latest))
        })
        .await;
    let (account, (summary, latest)) = match loaded {
        Ok((account, Ok(found))) => (account, found),
        Ok((_, Err(err))) => {
            tracing::error!(error = %err, "portal: the dashboard failed");
            return internal_error();
        }
        Err(refused) => return refused,
    };
    let currency = account.customer.currency.clone();
    let balance = account.balance.as_ref().map(|b| BalanceCard {
        balance: format::amount(b.balance, &b.currency),
        debit_limit: format::amount(b.debit_limit, &b.currency),
        available: format::amount(b.available, &b.currency),
        low: b.low_balance,
        exhausted: b.exhausted,
    });
    let mut periods = Vec::new();
    if let Some(summary) = summary {
        let pick = |rows: &[portico_protocol::SummaryRow], start: i64| {
            rows.iter()
                .find(|r| r.period == start)
                .map(|r| r.traffic.clone())
                .unwrap_or_default()
        };
        for (title, traffic) in [
            ("Today", pick(&summary.days, today)),
            ("This month", pick(&summary.months, month_start(now))),
        ] {
            periods.push(PeriodCard {
                title,
                attempts: traffic.attempts,
                connected: traffic.connected,
                asr: if traffic.attempts == 0 {
                    "—".into()
                } else {
                    format!("{}%", traffic.asr)
                },
                minutes: crate::reports::csv::minutes(traffic.duration),
                charge: format::amount(traffic.charge, &currency),
            });
        }
    }
    let (chrome, csp) = Chrome::for_account(&account, "/");
    html(
        StatusCode::OK,
        &csp,
        &DashboardPage {
            chrome,
            balance,
            periods,
            latest,
        },
    )
}

/// The first second of the UTC month of `unix`.
fn month_start(unix: i64) -> i64 {
    let ts =
        time::OffsetDateTime::from_unix_timestamp(unix).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let first = ts.date().replace_day(1).unwrap_or(ts.date());
    first.midnight().assume_utc().unix_timestamp()
}
