//! The portal's form bodies for the fuzz target `form_bodies` (`fuzz/`); not an API.
//!
//! Each posted form goes through axum's `Form` extractor, as the routes take it, and then
//! through the checks its handler makes before it touches the store.

use axum::body::Body;
use axum::extract::{Form, FromRequest};
use axum::http::{Request, header};
use jiff::tz::TimeZone;
use portico_protocol::CustomerKind;
use serde::de::DeserializeOwned;

use super::breakout::{self, BreakoutParams};
use super::cdr::{self, CdrParams};
use super::rates::RatesParams;
use super::{alerts, contracts, login, login_code, profile, reset, signup, two_factor};
use crate::model::{contact, money, password, text};

/// A fixed "now" (2026-03-29 01:30 UTC, inside a DST change in Europe), so runs repeat.
const NOW: i64 = 1_774_747_800;

/// What axum's `Form` extractor makes of `body` posted as a form.
fn form<T: DeserializeOwned>(body: &[u8]) -> Option<T> {
    let request = Request::builder()
        .method("POST")
        .uri("/")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body.to_vec()))
        .ok()?;
    futures::executor::block_on(Form::<T>::from_request(request, &()))
        .ok()
        .map(|Form(t)| t)
}

/// Feeds `body` to every form of the portal and to the checks behind it.
pub fn form_bodies(body: &[u8]) {
    let _ = form::<login::LoginForm>(body).map(|f| contact::normalize_email("email", &f.email));
    let _ = form::<login::CsrfForm>(body);
    if let Some(f) = form::<signup::SignupForm>(body) {
        let currencies = ["EUR".to_owned(), "USD".to_owned()];
        for kind in [CustomerKind::Customer, CustomerKind::Carrier] {
            let _ = signup::check(&currencies, &f, kind);
        }
    }
    if let Some(f) = form::<profile::ProfilePost>(body) {
        let _ = text::check_required("name", &f.name, 200);
        let _ = profile::check_phone(&f.phone);
        let _ = profile::check_zone(&f.time_zone);
    }
    if let Some(f) = form::<profile::PasswordPost>(body) {
        let _ = password::check_policy(&f.new);
    }
    let _ = form::<profile::Saved>(body);
    let _ = form::<alerts::Saved>(body);
    if let Some(f) = form::<contracts::ApprovalPost>(body) {
        let _ = contracts::same_name(&f.name, "Ada Lovelace");
    }
    if let Some(f) = form::<alerts::AlertPost>(body) {
        let _ = money::parse_money("threshold", &f.threshold);
        let _ = contact::normalize_email("email", &f.email);
    }
    let _ = form::<two_factor::CodePost>(body);
    let _ = form::<two_factor::CsrfPost>(body);
    let _ = form::<login_code::CodeForm>(body);
    if let Some(f) = form::<reset::ForgotForm>(body) {
        let _ = contact::normalize_email("email", &f.email);
    }
    if let Some(f) = form::<reset::ResetForm>(body) {
        let _ = password::check_policy(&f.password);
    }
    // The report filters come in the URL query; the same deserialiser reads them.
    if let Some(p) = form::<CdrParams>(body) {
        for zone in [
            TimeZone::UTC,
            zone("Pacific/Kiritimati"),
            zone("America/St_Johns"),
        ] {
            let filter = cdr::Filter::of(&p, &zone, NOW);
            let _ = filter.cursor(p.before.as_deref());
        }
    }
    if let Some(p) = form::<BreakoutParams>(body) {
        let _ = breakout::Filter::of(&p, NOW);
    }
    let _ = form::<RatesParams>(body);
}

fn zone(name: &str) -> TimeZone {
    TimeZone::get(name).unwrap_or(TimeZone::UTC)
}
