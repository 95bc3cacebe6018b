//! `/`: the dashboard (balance, today, this month, latest calls), or the way to log in.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use portico_protocol::{CdrQuery, Micros, Section, Traffic};

use super::cells::Clock;
use super::format;
use super::pages::{Chrome, html, internal_error};
use super::session::SessionRequest;
use super::tenant::Portal;
use crate::store::Texts;
use crate::store::cdr::RollupDelta;

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
    let loaded = portal
        .account_with(request, move |tx, account| {
            let customer = account.login.customer.id;
            let summary = if account.sections.shows(Section::Summary) {
                Some(today_and_month(tx, customer, now)?)
            } else {
                None
            };
            let latest = if account.sections.shows(Section::LatestCalls) {
                let q = CdrQuery {
                    customer_id: Some(customer),
                    limit: LATEST,
                    ..Default::default()
                };
                let money =
                    format::Money::with(&account.login.customer.currency, account.login.money);
                let mut rows = Vec::with_capacity(LATEST as usize);
                let texts = Texts::DESTINATION.and(Texts::DESTINATION_NAME);
                let mut clock = Clock::new(&account.login.zone);
                crate::reports::cdr_page_with(tx, customer, &q, texts, |key, c| {
                    let mut time = String::with_capacity(16);
                    clock.push(&mut time, key.start, false);
                    rows.push(CallRow {
                        time,
                        destination: c.destination.to_owned(),
                        destination_name: c.destination_name.to_owned(),
                        unrated: !c.rated,
                        duration: format::duration(u64::from(c.billsec)),
                        charge: money.amount(Micros(c.charge)),
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
    let money = format::Money::with(&account.login.customer.currency, account.login.money);
    let balance = account.balance.as_ref().map(|b| {
        let money = format::Money::with(&b.currency, account.login.money);
        BalanceCard {
            balance: money.amount(b.balance),
            debit_limit: money.amount(b.debit_limit),
            available: money.amount(b.available),
            low: b.low_balance,
            exhausted: b.exhausted,
        }
    });
    let mut periods = Vec::new();
    if let Some((day, month)) = summary {
        for (title, traffic) in [("Today", day), ("This month", month)] {
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
                charge: money.amount(traffic.charge),
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

/// Today's and this month's traffic (UTC days), summed from the month's daily rollups in one
/// pass: the dashboard needs these two totals, not a row per day.
fn today_and_month(
    tx: &crate::store::Tx,
    customer: u64,
    now: i64,
) -> Result<(Traffic, Traffic), crate::store::StoreError> {
    let today = now.div_euclid(86_400);
    let (mut day, mut month) = (RollupDelta::default(), RollupDelta::default());
    for (d, delta) in tx.rollups_by_day(customer, month_start(now).div_euclid(86_400), today + 1)? {
        month.add(&delta);
        if d == today {
            day.add(&delta);
        }
    }
    Ok((
        crate::reports::traffic(&day),
        crate::reports::traffic(&month),
    ))
}

/// The first second of the UTC month of `unix`.
fn month_start(unix: i64) -> i64 {
    let ts =
        time::OffsetDateTime::from_unix_timestamp(unix).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let first = ts.date().replace_day(1).unwrap_or(ts.date());
    first.midnight().assume_utc().unix_timestamp()
}
