//! The customer portal over HTTP: every request is bound to one domain by its host, and answered
//! with that brand's pages and files, or with a neutral page that shows no brand at all.
//!
//! Routes:
//! - `/` the dashboard (or the way to the log-in page)
//! - `/login`, `/logout` logging in and out
//! - `/signup`, `/signup/carrier` self sign-up; `/confirm/{token}` the e-mail confirmation link
//! - `/forgot`, `/reset/{token}` forgotten passwords
//! - `/_portico/theme.css` the default theme
//! - `/_portico/brand-<hash>.css`, `/_portico/brand-<hash>.js` the brand's custom CSS and JS
//! - `/_portico/logo/<hash>/<name>` the brand's logo
//! - `/cdr`, `/cdr.csv`, `/breakout`, `/breakout.csv`, `/rates`, `/rates.csv` the reports
//! - `/healthz` `ok`, for any host

// Handlers answer refusals with a ready `Response` (a 404 page, a redirect); boxing them would
// only add noise to every handler.
#![allow(clippy::result_large_err)]

use std::future::Future;

use axum::routing::{get, post};
use axum::{Extension, Router};
use portico_protocol::CustomerKind;

pub(crate) mod access;
mod alerts;
mod assets;
pub(crate) mod brand;
mod breakout;
mod cdr;
mod cells;
pub(crate) mod contracts;
mod credits;
mod dashboard;
pub(crate) mod format;
#[doc(hidden)]
pub mod fuzzing;
pub(crate) mod host;
pub(crate) mod links;
mod login;
mod login_code;
mod packages;
pub(crate) mod pages;
mod payments;
mod profile;
mod rates;
mod report;
mod reset;
pub(crate) mod session;
mod signup;
pub(crate) mod site;
mod store_calls;
mod sweep;
mod tenant;
pub(crate) mod throttle;
mod two_factor;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_account;
#[cfg(test)]
mod tests_reports;

pub use host::normalize as normalize_host;
pub use sweep::sweep_expired;
pub use tenant::Portal;

/// An error of a blocking portal call; logged, and answered with a neutral 500 page.
pub type SourceError = Box<dyn std::error::Error + Send + Sync>;

/// The portal's routes, for every domain the store knows.
pub fn router(portal: Portal) -> Router {
    let branded = Router::new()
        .route("/", get(dashboard::show))
        .route("/login", get(login::show).post(login::submit))
        .route("/logout", post(login::logout))
        // account pages (issue 4)
        .route("/payments", get(payments::show))
        .route("/alerts", get(alerts::show).post(alerts::save))
        .route("/packages", get(packages::show))
        .route("/contracts", get(contracts::list))
        .route(
            "/contracts/{id}",
            get(contracts::show).post(contracts::approve),
        )
        .route("/profile", get(profile::show).post(profile::save))
        .route(
            "/password",
            get(profile::password_form).post(profile::change_password),
        )
        .route("/two-factor", get(two_factor::show))
        .route("/two-factor/start", post(two_factor::start))
        .route("/two-factor/confirm", post(two_factor::confirm))
        .route("/two-factor/off", post(two_factor::turn_off))
        .route(
            "/login/code",
            get(login_code::show).post(login_code::submit),
        )
        // Sign-up, e-mail confirmation and forgotten passwords.
        .route(
            "/signup",
            get(signup::show)
                .post(signup::submit)
                .layer(Extension(CustomerKind::Customer)),
        )
        .route(
            "/signup/carrier",
            get(signup::show)
                .post(signup::submit)
                .layer(Extension(CustomerKind::Carrier)),
        )
        .route("/confirm/{token}", get(signup::confirm))
        .route(
            "/forgot",
            get(reset::show_forgot).post(reset::submit_forgot),
        )
        .route(
            "/reset/{token}",
            get(reset::show_reset).post(reset::submit_reset),
        )
        // reports: calls, breakout, rates
        .route("/cdr", get(cdr::show))
        .route("/cdr.csv", get(cdr::csv))
        .route("/breakout", get(breakout::show))
        .route("/breakout.csv", get(breakout::csv))
        .route("/rates", get(rates::show))
        .route("/rates.csv", get(rates::csv))
        .route("/_portico/theme.css", get(assets::theme_css))
        .route("/_portico/{file}", get(assets::brand_file))
        .route("/_portico/logo/{hash}/{name}", get(assets::logo))
        .fallback(pages::not_found)
        .with_state(portal);
    Router::new()
        .route("/healthz", get(pages::healthz))
        .merge(branded)
        .layer(axum::middleware::from_fn(tenant::per_request))
}

/// Serves the portal on `listener` until `shutdown` resolves, then finishes the requests in
/// flight and returns.
pub async fn serve(
    listener: tokio::net::TcpListener,
    portal: Portal,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, "portal: listening (HTTP)");
    }
    let limits = crate::serve::Limits::portal(
        crate::serve::limits::DEFAULT_MAX_CONNECTIONS,
        crate::serve::limits::DEFAULT_MAX_PER_CLIENT,
    );
    crate::serve::plain(
        listener,
        router(portal).layer(axum::Extension(links::Scheme::Http)),
        limits,
        "http",
        shutdown,
    )
    .await;
}
