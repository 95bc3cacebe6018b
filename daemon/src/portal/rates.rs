//! `/rates` and `/rates.csv`: the account's routes (rate card and tech prefix) and the rates
//! each card charges now. Only cards the account's own routes name are read.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use jiff::tz::TimeZone;
use portico_protocol::{Rate, Route, Section};
use serde::Deserialize;

use super::cells::{Cell, decimals};
use super::format;
use super::pages::{Chrome, html, internal_error};
use super::report;
use super::session::Account;
use super::tenant::{Portal, blocking};
use crate::model::currency::minor_units;

/// Rates the page lists at most (over all cards); the download has them all.
pub const SHOWN: usize = 500;

/// The search field, as it comes in the URL.
#[derive(Debug, Default, Deserialize)]
pub struct RatesParams {
    pub q: Option<String>,
}

/// One route with the rates of its card in effect now (those the search selects).
#[derive(Debug)]
pub struct RouteRates {
    pub route: Route,
    pub currency: String,
    pub rates: Vec<Rate>,
    /// How many rates the search selects (`rates` may hold fewer: the page's cap).
    pub matching: usize,
    /// Decimals of the rate column and of the connect fee column: the card's minor units, or
    /// more when a price has them, the same for every row so the column lines up.
    pub rate_decimals: u32,
    pub fee_decimals: u32,
}

/// What a search text selects: a number finds the prefixes it starts with (the rates that
/// would price a call to it) and the prefixes that start with it; other text finds names.
#[derive(Debug)]
enum Search {
    All,
    Digits(String),
    Name(String),
}

impl Search {
    fn new(text: &str) -> Self {
        let text = text.trim();
        let digits = text.strip_prefix('+').unwrap_or(text);
        if text.is_empty() {
            Search::All
        } else if digits.bytes().all(|b| b.is_ascii_digit()) && !digits.is_empty() {
            Search::Digits(digits.to_owned())
        } else {
            Search::Name(text.to_lowercase())
        }
    }

    fn selects(&self, rate: &Rate) -> bool {
        match self {
            Search::All => true,
            Search::Digits(d) => d.starts_with(&rate.prefix) || rate.prefix.starts_with(d),
            Search::Name(n) => rate.name.to_lowercase().contains(n.as_str()),
        }
    }
}

/// The rates of `all` (sorted by prefix, then effective date) in effect at `now`: per prefix,
/// the latest one that started at or before `now`.
fn current(all: Vec<Rate>, now: i64) -> Vec<Rate> {
    let mut out: Vec<Rate> = Vec::new();
    for rate in all.into_iter().filter(|r| r.effective_from <= now) {
        match out.last_mut() {
            Some(last) if last.prefix == rate.prefix => *last = rate,
            _ => out.push(rate),
        }
    }
    out
}

/// Reads the account's routes and their cards' current rates in one read transaction; at most
/// `cap` rates in all are kept (every match is counted).
fn load(
    store: &crate::store::Store,
    customer: u64,
    search: &Search,
    now: i64,
    cap: usize,
) -> Result<Vec<RouteRates>, super::SourceError> {
    Ok(store.read(|tx| {
        let mut out = Vec::new();
        let mut room = cap;
        for route in tx.routes_of(customer)? {
            let currency = tx
                .ratecard(&route.ratecard)?
                .map(|c| c.currency)
                .unwrap_or_default();
            let mut rates: Vec<Rate> = current(tx.rates(&route.ratecard)?, now)
                .into_iter()
                .filter(|r| search.selects(r))
                .collect();
            let matching = rates.len();
            rates.truncate(room);
            room -= rates.len();
            let minor = minor_units(&currency);
            let widest = |price: fn(&Rate) -> i64| {
                rates
                    .iter()
                    .map(|r| decimals(price(r)))
                    .fold(minor, u32::max)
            };
            out.push(RouteRates {
                rate_decimals: widest(|r| r.rate_per_min.0),
                fee_decimals: widest(|r| r.connect_fee.0),
                route,
                currency,
                rates,
                matching,
            });
        }
        Ok::<_, crate::store::StoreError>(out)
    })?)
}

/// `/rates`.
#[derive(Template)]
#[template(path = "portal/rates.html")]
pub struct RatesPage {
    pub chrome: Chrome,
    pub routes: Vec<RouteRates>,
    pub search: String,
    pub zone: TimeZone,
    pub zone_name: String,
    pub capped: bool,
    pub shown: usize,
    pub csv: String,
}

impl RatesPage {
    /// A price with `decimals` decimals.
    pub fn money<'a>(&self, micros: &portico_protocol::Micros, decimals: &u32) -> Cell<'a> {
        Cell::Money(micros.0, *decimals)
    }

    /// The day a rate took effect, in the contact's zone.
    pub fn day(&self, unix: &i64) -> Cell<'_> {
        Cell::Date(*unix, &self.zone)
    }
}

fn params(query: Result<Query<RatesParams>, QueryRejection>) -> RatesParams {
    query.map(|Query(p)| p).unwrap_or_default()
}

/// `GET /rates`.
pub async fn show(
    State(portal): State<Portal>,
    account: Account,
    query: Result<Query<RatesParams>, QueryRejection>,
) -> Response {
    if let Err(hidden) = account.require(Section::RateCards) {
        return hidden;
    }
    let text = params(query).q.unwrap_or_default().trim().to_owned();
    let search = Search::new(&text);
    let customer = account.login.customer.id;
    let store = portal.store.clone();
    let now = crate::admin::service::now();
    let loaded = blocking(move || load(&store, customer, &search, now, SHOWN)).await;
    let routes = match loaded {
        Ok(routes) => routes,
        Err(err) => {
            tracing::error!(error = %err, customer, "portal: the rates page failed");
            return internal_error();
        }
    };
    let zone = format::zone(&account.login.contact.time_zone);
    let (chrome, csp) = Chrome::for_account(&account, "/rates");
    let page = RatesPage {
        chrome,
        capped: routes.iter().any(|r| r.rates.len() < r.matching),
        shown: SHOWN,
        routes,
        csv: format!("/rates.csv{}", report::query_string(&[("q", &text)])),
        search: text,
        zone_name: zone.iana_name().unwrap_or("UTC").to_owned(),
        zone,
    };
    html(StatusCode::OK, &csp, &page)
}

/// `GET /rates.csv`: every current rate of the account's routes that the search selects.
pub async fn csv(
    State(portal): State<Portal>,
    account: Account,
    query: Result<Query<RatesParams>, QueryRejection>,
) -> Response {
    if let Err(hidden) = account.require(Section::RateCards) {
        return hidden;
    }
    let search = Search::new(&params(query).q.unwrap_or_default());
    let customer = account.login.customer.id;
    let store = portal.store.clone();
    let now = crate::admin::service::now();
    let written = blocking(move || {
        let routes = load(&store, customer, &search, now, usize::MAX)?;
        let mut out = Vec::new();
        crate::reports::csv::write_rates(
            routes.iter().flat_map(|r| {
                r.rates.iter().map(|rate| {
                    (
                        r.route.ratecard.as_str(),
                        r.route.tech_prefix.as_str(),
                        r.currency.as_str(),
                        rate,
                    )
                })
            }),
            &mut out,
        )?;
        Ok(out)
    })
    .await;
    match written {
        Ok(out) => report::csv_file(out, "rates.csv"),
        Err(err) => {
            tracing::error!(error = %err, customer, "portal: the rates CSV failed");
            internal_error()
        }
    }
}

#[cfg(test)]
mod tests {
    use portico_protocol::Micros;

    use super::*;

    fn rate(prefix: &str, name: &str, effective_from: i64) -> Rate {
        Rate {
            prefix: prefix.into(),
            name: name.into(),
            rate_per_min: Micros(10_000),
            connect_fee: Micros(0),
            first_increment: 1,
            next_increment: 1,
            effective_from,
        }
    }

    #[test]
    fn current_rates_take_the_latest_started_one_per_prefix() {
        let all = vec![
            rate("44", "UK old", 0),
            rate("44", "UK", 100),
            rate("44", "UK next year", 1_000),
            rate("447", "UK mobile", 50),
            rate("49", "Germany later", 500),
        ];
        let now = current(all, 200);
        let names: Vec<&str> = now.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["UK", "UK mobile"]);
    }

    #[test]
    fn a_number_finds_its_prefixes_and_text_finds_names() {
        let uk = rate("44", "United Kingdom", 0);
        let mobile = rate("447", "United Kingdom - Mobile", 0);
        let de = rate("49", "Germany", 0);
        let s = Search::new("+447700900123");
        assert!(s.selects(&uk) && s.selects(&mobile) && !s.selects(&de));
        let s = Search::new("4");
        assert!(s.selects(&uk) && s.selects(&de));
        let s = Search::new("mobile");
        assert!(!s.selects(&uk) && s.selects(&mobile));
    }
}
