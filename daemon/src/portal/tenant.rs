//! Binds each request to one domain by its host, before any handler sees it.

use std::sync::Arc;

use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tracing::Instrument;

use super::site::{Site, Sites};
use super::throttle::Throttle;
use super::{SourceError, host, pages};
use crate::store::Store;

/// The state every portal handler shares.
#[derive(Clone)]
pub struct Portal {
    pub store: Store,
    pub throttle: Arc<Throttle>,
    /// Every domain as its pages are made, read once per change of the domains.
    pub sites: Arc<Sites>,
    /// Sessions with their contact and customer, read once per change of the accounts.
    pub logins: Arc<super::session::Logins>,
    /// Customers' payments and alert thresholds, read once per change of those.
    pub credits: Arc<super::credits::Credits>,
}

/// The normalized host of a request (`None`: it names no portal), found once by [`per_request`].
#[derive(Debug, Clone)]
pub struct RequestHost(pub Option<String>);

/// The domain a request is for. Extracting it answers an unknown host with the neutral 404 page
/// and a failing store with the neutral 500 page, so a handler that takes a `Tenant` only ever
/// runs for a configured domain.
#[derive(Debug, Clone)]
pub struct Tenant {
    pub site: Arc<Site>,
}

impl FromRequestParts<Portal> for Tenant {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &Portal) -> Result<Self, Response> {
        let host = match parts.extensions.get::<RequestHost>() {
            Some(RequestHost(host)) => host.clone(),
            None => host::request_host(&parts.uri, &parts.headers),
        };
        let Some(host) = host else {
            return Err(pages::no_portal());
        };
        match state.site(&host) {
            Ok(Some(site)) => Ok(Tenant { site }),
            Ok(None) => Err(pages::no_portal()),
            Err(err) => {
                tracing::error!(error = %err, "portal: reading the domain failed");
                Err(pages::internal_error())
            }
        }
    }
}

impl Portal {
    /// The site of `fqdn`, when it is a configured domain.
    pub fn site(&self, fqdn: &str) -> Result<Option<Arc<Site>>, SourceError> {
        read_now(|| Ok(self.sites.get(&self.store, fqdn)?))
    }
}

/// Runs a short store read right here, on the async worker; a panic in it becomes an error.
///
/// For the reads every page starts with (the domain, the session and account, a page of calls,
/// the dashboard's figures): a handful of records from redb's page cache, tens of microseconds.
/// Handing each of them to tokio's blocking pool cost more than the read itself, and under load
/// (every request waiting on the pool at once) grew the pool to a hundred threads and more
/// taking turns on the CPU. Long reads (CSV exports, a breakout over many days) and writes
/// still go through [`blocking`].
pub fn read_now<T>(f: impl FnOnce() -> Result<T, SourceError>) -> Result<T, SourceError> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(_) => Err("a portal store read panicked".into()),
    }
}

/// Runs a blocking store call off the async runtime; a panic in it becomes an error.
pub async fn blocking<T, F>(f: F) -> Result<T, SourceError>
where
    F: FnOnce() -> Result<T, SourceError> + Send + 'static,
    T: Send + 'static,
{
    match tokio::task::spawn_blocking(f).await {
        Ok(result) => result,
        Err(join) => Err(Box::new(join)),
    }
}

/// Middleware around every request: finds the host, opens the span that carries it, and adds
/// the headers every answer has.
pub async fn per_request(mut request: Request, next: Next) -> Response {
    let host = host::request_host(request.uri(), request.headers());
    let span = tracing::info_span!(
        "portal",
        host = host.as_deref().unwrap_or("-"),
        method = %request.method(),
        path = request.uri().path(),
    );
    request.extensions_mut().insert(RequestHost(host));
    let mut response = next.run(request).instrument(span.clone()).await;
    span.in_scope(|| tracing::debug!(status = response.status().as_u16(), "answered"));
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    response.into_response()
}
