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

/// The state every portal handler shares: one reference count, since the router clones it for
/// every request (the state extractor and the middleware each take a copy).
#[derive(Clone)]
pub struct Portal(Arc<Shared>);

/// What [`Portal`] shares.
pub struct Shared {
    pub store: Store,
    pub throttle: Throttle,
    /// Every domain as its pages are made, read once per change of the domains.
    pub sites: Sites,
    /// Sessions with their contact and customer, read once per change of the accounts.
    pub logins: super::session::Logins,
    /// Customers' payments, alert thresholds and contracts due, read once per change of
    /// those.
    pub standing: super::credits::Standing,
}

impl Portal {
    /// The portal's shared state over `store`.
    pub fn new(store: Store) -> Self {
        Portal(Arc::new(Shared {
            store,
            throttle: Throttle::default(),
            sites: Sites::default(),
            logins: super::session::Logins::default(),
            standing: super::credits::Standing::default(),
        }))
    }
}

impl std::ops::Deref for Portal {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
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

/// Middleware around every request: finds the host, opens the span that carries it, logs an
/// answer that failed, and adds the headers every answer has.
///
/// The span (host, method, path) is at debug level: with `log_level = "debug"` every event of a
/// request carries it; at the usual levels it costs nothing, and a failed answer (5xx) is
/// logged here with its host, method and path, after the handler's own error line.
pub async fn per_request(mut request: Request, next: Next) -> Response {
    let host = host::request_host(request.uri(), request.headers());
    let span = tracing::debug_span!(
        "portal",
        host = host.as_deref().unwrap_or("-"),
        method = %request.method(),
        path = request.uri().path(),
    );
    let (method, uri) = (request.method().clone(), request.uri().clone());
    let logged_host = host.clone();
    request.extensions_mut().insert(RequestHost(host));
    let mut response = next.run(request).instrument(span.clone()).await;
    let status = response.status();
    span.in_scope(|| tracing::debug!(status = status.as_u16(), "answered"));
    if status.is_server_error() {
        tracing::error!(
            host = logged_host.as_deref().unwrap_or("-"),
            %method,
            path = uri.path(),
            status = status.as_u16(),
            "portal: answered with an error"
        );
    }
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

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use axum::Router;
    use axum::body::Body;
    use axum::http::{Request, StatusCode, header};
    use axum::routing::get;
    use tower::ServiceExt;

    /// Log lines, kept for the test to read.
    #[derive(Clone, Default)]
    struct Lines(Arc<Mutex<Vec<u8>>>);

    impl Write for Lines {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// At the usual log level, a failed answer is logged with its host, method and path (the
    /// request's span is for debugging), and an answer that worked logs nothing.
    #[tokio::test]
    async fn a_failed_answer_is_logged_with_its_host_and_path() {
        let lines = Lines::default();
        let writer = lines.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::INFO)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        let app = Router::new()
            .route(
                "/fails",
                get(|| async { StatusCode::INTERNAL_SERVER_ERROR }),
            )
            .route("/works", get(|| async { "fine" }))
            .layer(axum::middleware::from_fn(super::per_request));
        for (path, status) in [
            ("/works", StatusCode::OK),
            ("/fails", StatusCode::INTERNAL_SERVER_ERROR),
        ] {
            let request = Request::get(path)
                .header(header::HOST, "portal.example.com")
                .body(Body::empty())
                .unwrap();
            let response = app.clone().oneshot(request).await.unwrap();
            assert_eq!(response.status(), status);
        }
        let text = String::from_utf8(lines.0.lock().unwrap().clone()).unwrap();
        let logged: Vec<&str> = text.lines().collect();
        assert_eq!(logged.len(), 1, "{text}");
        for part in [
            "ERROR",
            "host=\"portal.example.com\"",
            "method=GET",
            "path=\"/fails\"",
            "status=500",
            "portal: answered with an error",
        ] {
            assert!(logged[0].contains(part), "{part} in {text}");
        }
    }
}
