//! The portal's listeners: HTTPS (TLS 1.2 and 1.3, ALPN h2 / http/1.1 / acme-tls/1, the
//! certificate chosen by SNI) with HSTS, and plain HTTP, which answers ACME HTTP-01 challenges
//! and redirects to HTTPS the names that have a certificate.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rustls::ServerConfig;
use tokio::net::TcpListener;
use tokio_rustls::LazyConfigAcceptor;

use super::Tls;
use super::resolver::{ACME_TLS_ALPN, is_acme_challenge};
use crate::serve::{Limits, TlsServerName};

/// The rustls configuration of the HTTPS listeners.
pub fn server_config(tls: &Tls) -> Result<Arc<ServerConfig>, rustls::Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])?
        .with_no_client_auth()
        .with_cert_resolver(Arc::new(tls.resolver().clone()));
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec(), ACME_TLS_ALPN.to_vec()];
    if !tls.config().session_resumption {
        // No TLS 1.3 tickets (stateful ones come from the session cache) and no cache for
        // TLS 1.2 session ids: every connection pays a full handshake.
        config.send_tls13_tickets = 0;
        config.session_storage = Arc::new(rustls::server::NoServerSessionStorage {});
    }
    Ok(Arc::new(config))
}

/// The portal router with HSTS on every answer, for requests whose host is the name the TLS
/// client asked for.
pub fn https_router(tls: &Tls, portal: Router) -> Router {
    // Mail links (sign-up, reset) are built with the scheme the request came in by.
    let portal = portal
        .layer(axum::Extension(crate::portal::links::Scheme::Https))
        .layer(axum::middleware::from_fn(host_is_sni));
    let max_age = tls.config().hsts_max_age;
    if max_age == 0 {
        return portal;
    }
    let value = HeaderValue::from_str(&format!("max-age={max_age}"))
        .unwrap_or(HeaderValue::from_static("max-age=31536000"));
    portal.layer(axum::middleware::map_response(move |mut res: Response| {
        let value = value.clone();
        async move {
            res.headers_mut()
                .insert(header::STRICT_TRANSPORT_SECURITY, value);
            res
        }
    }))
}

/// Serves `router` over TLS on `listener` within `limits` until `shutdown` resolves.
pub async fn serve_https(
    listener: TcpListener,
    config: Arc<ServerConfig>,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let limits = Arc::new(limits);
    let per_connection = limits.clone();
    crate::serve::run(
        listener,
        limits,
        "https",
        shutdown,
        move |tcp, peer, watcher| {
            connection(
                tcp,
                peer,
                config.clone(),
                router.clone(),
                per_connection.clone(),
                watcher,
            )
        },
    )
    .await;
}

async fn connection(
    tcp: tokio::net::TcpStream,
    peer: SocketAddr,
    config: Arc<ServerConfig>,
    router: Router,
    limits: Arc<Limits>,
    watcher: hyper_util::server::graceful::Watcher,
) {
    // One deadline for the whole handshake: a client that sends half a ClientHello, or stops
    // after it, is dropped when it passes.
    let deadline = tokio::time::Instant::now() + limits.handshake;
    let acceptor = LazyConfigAcceptor::new(rustls::server::Acceptor::default(), tcp);
    let start = match tokio::time::timeout_at(deadline, acceptor).await {
        Ok(Ok(start)) => start,
        Ok(Err(e)) => {
            tracing::debug!(%peer, category = "client_hello", error = %e, "tls handshake failed");
            return;
        }
        Err(_) => {
            tracing::debug!(%peer, category = "timeout", "tls handshake failed");
            return;
        }
    };
    let hello = start.client_hello();
    let sni = hello.server_name().map(str::to_owned);
    let validation = is_acme_challenge(&hello);
    let stream = match tokio::time::timeout_at(deadline, start.into_stream(config)).await {
        Ok(Ok(stream)) => stream,
        Ok(Err(e)) => {
            let category = if sni.is_none() { "no_sni" } else { "handshake" };
            tracing::info!(%peer, sni = sni.as_deref().unwrap_or("-"), category, error = %e, "tls handshake failed");
            return;
        }
        Err(_) => {
            tracing::info!(%peer, sni = sni.as_deref().unwrap_or("-"), category = "timeout", "tls handshake failed");
            return;
        }
    };
    if validation {
        // TLS-ALPN-01: the handshake itself was the answer.
        tracing::info!(%peer, sni = sni.as_deref().unwrap_or("-"), "tls: answered an acme-tls/1 validation");
        return;
    }
    let sni = TlsServerName(sni);
    crate::serve::connection(stream, peer, router, limits, watcher, Some(sni)).await;
}

/// Answers 421 (Misdirected Request) when the request's host is not the name the TLS client
/// asked for: a connection made for one brand (its certificate, its session cookie) never
/// carries another brand's pages. Clients that sent no SNI are bound by the host alone.
async fn host_is_sni(req: Request, next: Next) -> Response {
    let sni = req
        .extensions()
        .get::<TlsServerName>()
        .and_then(|TlsServerName(name)| name.as_deref())
        .and_then(crate::portal::normalize_host);
    if let Some(sni) = sni
        && let Some(host) = crate::portal::host::request_host(req.uri(), req.headers())
        && host != sni
    {
        tracing::info!(%sni, %host, "https: request for another host than the TLS server name; 421");
        return (
            StatusCode::MISDIRECTED_REQUEST,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "This connection was made for another name. Open the address again in a new tab.\n",
        )
            .into_response();
    }
    next.run(req).await
}

/// The plain-HTTP router: HTTP-01 answers, redirects for names with a certificate (when
/// `[tls] redirect`), and the portal for the rest.
pub fn http_router(tls: &Tls, portal: Router) -> Router {
    portal
        .layer(axum::Extension(crate::portal::links::Scheme::Http))
        .layer(axum::middleware::from_fn_with_state(
            tls.clone(),
            plain_http,
        ))
}

async fn plain_http(State(tls): State<Tls>, req: Request, next: Next) -> Response {
    const PREFIX: &str = "/.well-known/acme-challenge/";
    if let Some(token) = req.uri().path().strip_prefix(PREFIX) {
        return match tls.http01_answer(token) {
            Some(answer) => {
                tracing::info!(token, "tls: answered an HTTP-01 validation");
                ([(header::CONTENT_TYPE, "application/octet-stream")], answer).into_response()
            }
            None => (StatusCode::NOT_FOUND, "no such challenge\n").into_response(),
        };
    }
    if tls.config().redirect
        && let Some(host) = request_host(&req)
        && tls.resolver().has(&host)
    {
        let port = match tls.config().https_port() {
            Some(443) | None => String::new(),
            Some(p) => format!(":{p}"),
        };
        let path = req
            .uri()
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/");
        let location = format!("https://{host}{port}{path}");
        if let Ok(value) = HeaderValue::from_str(&location) {
            return (StatusCode::PERMANENT_REDIRECT, [(header::LOCATION, value)]).into_response();
        }
    }
    next.run(req).await
}

fn request_host(req: &Request) -> Option<String> {
    if let Some(authority) = req.uri().authority() {
        return crate::portal::normalize_host(authority.as_str());
    }
    let host = req.headers().get(header::HOST)?.to_str().ok()?;
    crate::portal::normalize_host(host)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::routing::get;
    use tower::ServiceExt as _;

    async fn status(sni: Option<&str>, host: &str) -> StatusCode {
        let app = Router::new()
            .route("/", get(|| async { "page" }))
            .layer(axum::middleware::from_fn(host_is_sni));
        let mut request = Request::builder()
            .uri("/")
            .header(header::HOST, host)
            .body(Body::empty())
            .unwrap();
        request
            .extensions_mut()
            .insert(TlsServerName(sni.map(str::to_owned)));
        app.oneshot(request).await.unwrap().status()
    }

    #[tokio::test]
    async fn a_host_other_than_the_server_name_is_misdirected() {
        assert_eq!(
            status(Some("a.example"), "b.example").await,
            StatusCode::MISDIRECTED_REQUEST
        );
        // The same name, told differently (case, port, trailing dot), is the same host.
        assert_eq!(
            status(Some("A.example"), "a.example.:8443").await,
            StatusCode::OK
        );
        // Without SNI the host alone decides.
        assert_eq!(status(None, "b.example").await, StatusCode::OK);
    }
}
