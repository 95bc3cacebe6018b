//! `/breakout` and `/breakout.csv`: traffic per destination (and per day) over a range of UTC
//! days, with the domain's breakout columns in its order. It reads the daily rollups, never the
//! raw calls, so a month costs the same as a day.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use jiff::tz::TimeZone;
use portico_protocol::{BreakoutColumn, BreakoutRow, ReportQuery, Section, Traffic};
use serde::Deserialize;

use super::cells::Cell;
use super::pages::{Chrome, html, internal_error};
use super::report::{self, DayRange};
use super::session::Account;
use super::tenant::{Portal, blocking};
use crate::model::currency::minor_units;
use crate::model::domain_defaults;
use crate::reports;
use crate::store::cdr::RollupDelta;

/// Days of the breakout are UTC days.
static UTC: TimeZone = TimeZone::UTC;

/// The filter form's fields, as they come in the URL.
#[derive(Debug, Default, Deserialize)]
pub struct BreakoutParams {
    pub from: Option<String>,
    pub to: Option<String>,
    pub per_day: Option<String>,
}

/// What a request asks for, checked.
#[derive(Debug)]
pub(super) struct Filter {
    range: DayRange,
    /// The person ticked "per day".
    per_day_asked: bool,
    problem: Option<String>,
}

impl Filter {
    pub(super) fn of(params: &BreakoutParams, now: i64) -> Self {
        // Rollups are per UTC day, so the range is in UTC days (the page says so).
        let tz = TimeZone::UTC;
        let today = report::today(now, &tz);
        let default = DayRange::new(today.first_of_month(), today, &tz).unwrap_or(DayRange {
            first: today,
            last: today,
            from: now - now.rem_euclid(86_400),
            to: now - now.rem_euclid(86_400) + 86_400,
        });
        let (range, problem) =
            DayRange::from_form(params.from.as_deref(), params.to.as_deref(), default, &tz);
        Filter {
            range,
            per_day_asked: params.per_day.as_deref().is_some_and(|v| !v.is_empty()),
            problem,
        }
    }

    fn link(&self) -> String {
        let (from, to) = (self.range.first.to_string(), self.range.last.to_string());
        report::query_string(&[
            ("from", &from),
            ("to", &to),
            ("per_day", if self.per_day_asked { "1" } else { "" }),
        ])
    }
}

/// The columns shown, and whether rows are per day. DESIGN.md: choosing `call_time` groups by
/// day; ticking "per day" without it adds the day as the first column, so every row says which
/// day it is.
fn columns(account: &Account, per_day_asked: bool) -> (Vec<BreakoutColumn>, bool) {
    let (configured, default): (&[BreakoutColumn], fn() -> Vec<BreakoutColumn>) =
        if account.is_carrier() {
            (
                &account.site.domain.carrier_breakout_columns,
                domain_defaults::default_carrier_breakout_columns,
            )
        } else {
            (
                &account.site.domain.breakout_columns,
                domain_defaults::default_breakout_columns,
            )
        };
    let mut cols = if configured.is_empty() {
        default()
    } else {
        configured.to_vec()
    };
    let by_day = cols.contains(&BreakoutColumn::CallTime);
    if per_day_asked && !by_day {
        cols.insert(0, BreakoutColumn::CallTime);
    }
    (cols, by_day || per_day_asked)
}

/// A column's header, named for people.
pub fn label(col: BreakoutColumn) -> &'static str {
    match col {
        BreakoutColumn::CallTime => "Day",
        BreakoutColumn::DestinationName => "Destination",
        BreakoutColumn::Attempts => "Calls",
        BreakoutColumn::Connected => "Connected",
        BreakoutColumn::Asr => "ASR %",
        BreakoutColumn::Acd => "ACD",
        BreakoutColumn::Duration => "Minutes",
        BreakoutColumn::BilledDuration => "Billed minutes",
        BreakoutColumn::Charge => "Charge",
    }
}

/// A column of the table.
#[derive(Debug)]
pub struct Head {
    pub col: BreakoutColumn,
    pub label: &'static str,
    pub num: bool,
    /// Long text (destination names) that wraps instead of widening the table.
    pub wrap: bool,
}

/// `/breakout`.
#[derive(Template)]
#[template(path = "portal/breakout.html")]
pub struct BreakoutPage {
    pub chrome: Chrome,
    pub heads: Vec<Head>,
    pub rows: Vec<BreakoutRow>,
    pub total: Traffic,
    pub currency: String,
    pub minor: u32,
    pub from: String,
    pub to: String,
    pub per_day: bool,
    pub per_day_fixed: bool,
    pub problem: Option<String>,
    pub csv: String,
}

impl BreakoutPage {
    /// The positions of the numeric columns, for the table's `data-num`
    /// ([`report::positions`]).
    pub fn num_at(&self) -> String {
        report::positions(self.heads.iter().map(|h| h.num))
    }

    /// The positions of the wrapping columns, for the table's `data-wrap`.
    pub fn wrap_at(&self) -> String {
        report::positions(self.heads.iter().map(|h| h.wrap))
    }

    /// What the table shows for `col` of a row (`None`: the totals row).
    pub fn cell<'a>(&'a self, row: Option<&'a BreakoutRow>, head: &Head) -> Cell<'a> {
        let t = row.map_or(&self.total, |r| &r.traffic);
        match head.col {
            // The totals row says "Total" in its day column, else in its destination column.
            BreakoutColumn::CallTime => match row {
                Some(r) => r.day.map_or(Cell::Empty, |d| Cell::Date(d, &UTC)),
                None => Cell::Text("Total"),
            },
            BreakoutColumn::DestinationName => match row {
                Some(r) => Cell::Text(&r.destination_name),
                None if self.per_day => Cell::Empty,
                None => Cell::Text("Total"),
            },
            BreakoutColumn::Attempts => Cell::Int(t.attempts),
            BreakoutColumn::Connected => Cell::Int(t.connected),
            BreakoutColumn::Asr => Cell::Text(&t.asr),
            BreakoutColumn::Acd => Cell::Seconds(t.acd),
            BreakoutColumn::Duration => Cell::Minutes(t.duration),
            BreakoutColumn::BilledDuration => Cell::Minutes(t.billed_duration),
            BreakoutColumn::Charge => Cell::Money(t.charge.0, self.minor),
        }
    }
}

/// The figures of all rows together (ASR and ACD of the sums, not sums of ratios).
fn total(rows: &[BreakoutRow]) -> Traffic {
    let mut sum = RollupDelta::default();
    for r in rows {
        sum.add(&RollupDelta {
            attempts: r.traffic.attempts,
            connected: r.traffic.connected,
            billsec: r.traffic.duration,
            billed: r.traffic.billed_duration,
            charge: r.traffic.charge.0,
            unrated: 0,
        });
    }
    reports::traffic(&sum)
}

async fn load(
    portal: &Portal,
    account: &Account,
    filter: &Filter,
    per_day: bool,
) -> Result<Vec<BreakoutRow>, Response> {
    let q = ReportQuery {
        customer_id: account.login.customer.id,
        from: Some(filter.range.from),
        to: Some(filter.range.to),
        per_day,
    };
    let store = portal.store.clone();
    let loaded = blocking(move || Ok(store.read(|tx| reports::breakout(tx, &q))?)).await;
    loaded.map_err(|err| {
        tracing::error!(error = %err, customer = account.login.customer.id, "portal: the breakout failed");
        internal_error()
    })
}

fn params(query: Result<Query<BreakoutParams>, QueryRejection>) -> BreakoutParams {
    query.map(|Query(p)| p).unwrap_or_default()
}

/// `GET /breakout`.
pub async fn show(
    State(portal): State<Portal>,
    account: Account,
    query: Result<Query<BreakoutParams>, QueryRejection>,
) -> Response {
    if let Err(hidden) = account.require(Section::Breakout) {
        return hidden;
    }
    let filter = Filter::of(&params(query), crate::admin::service::now());
    let (cols, per_day) = columns(&account, filter.per_day_asked);
    let rows = match load(&portal, &account, &filter, per_day).await {
        Ok(rows) => rows,
        Err(failed) => return failed,
    };
    let currency = account.login.customer.currency.clone();
    let (chrome, csp) = Chrome::for_account(&account, "/breakout");
    let heads: Vec<Head> = cols
        .into_iter()
        .map(|col| Head {
            col,
            label: label(col),
            num: !matches!(
                col,
                BreakoutColumn::CallTime | BreakoutColumn::DestinationName
            ),
            wrap: col == BreakoutColumn::DestinationName,
        })
        .collect();
    let page = BreakoutPage {
        chrome,
        heads,
        total: total(&rows),
        rows,
        minor: minor_units(&currency),
        currency,
        from: filter.range.first.to_string(),
        to: filter.range.last.to_string(),
        per_day,
        // Grouping by day is the domain's choice when call_time is one of its columns.
        per_day_fixed: per_day && !filter.per_day_asked,
        problem: filter.problem.clone(),
        csv: format!("/breakout.csv{}", filter.link()),
    };
    html(StatusCode::OK, &csp, &page)
}

/// `GET /breakout.csv`: the same rows and columns, durations in minutes, days in UTC.
pub async fn csv(
    State(portal): State<Portal>,
    account: Account,
    query: Result<Query<BreakoutParams>, QueryRejection>,
) -> Response {
    if let Err(hidden) = account.require(Section::Breakout) {
        return hidden;
    }
    let filter = Filter::of(&params(query), crate::admin::service::now());
    let (cols, per_day) = columns(&account, filter.per_day_asked);
    let rows = match load(&portal, &account, &filter, per_day).await {
        Ok(rows) => rows,
        Err(failed) => return failed,
    };
    let mut out = Vec::new();
    if let Err(err) =
        reports::csv::write_breakout(&rows, &cols, &account.login.customer.currency, &mut out)
    {
        tracing::error!(error = %err, "portal: writing the breakout CSV failed");
        return internal_error();
    }
    let filename = format!(
        "breakout-{}-to-{}.csv",
        filter.range.first, filter.range.last
    );
    report::csv_file(out, &filename)
}
