//! The portal's listeners: HTTPS (TLS 1.2 and 1.3, ALPN h2 / http/1.1 / acme-tls/1, the
//! certificate chosen by SNI) with HSTS, and plain HTTP, which answers ACME HTTP-01 challenges
//! and redirects to HTTPS the names that have a certificate.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use rustls::ServerConfig;
use tokio::net::TcpListener;
use tokio_rustls::LazyConfigAcceptor;

use super::Tls;
use super::resolver::{ACME_TLS_ALPN, is_acme_challenge};

/// How long a client may take to send its ClientHello and finish the handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long open connections may take to finish at shutdown.
const DRAIN: Duration = Duration::from_secs(10);

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

/// The portal router with HSTS on every answer.
pub fn https_router(tls: &Tls, portal: Router) -> Router {
    // Mail links (sign-up, reset) are built with the scheme the request came in by.
    let portal = portal.layer(axum::Extension(crate::portal::links::Scheme::Https));
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

/// Serves `router` over TLS on `listener` until `shutdown` resolves.
pub async fn serve_https(
    listener: TcpListener,
    config: Arc<ServerConfig>,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (tcp, peer) = tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    tracing::warn!(error = %e, "https: accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let config = config.clone();
        let router = router.clone();
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            connection(tcp, peer, config, router, watcher).await;
        });
    }
    if tokio::time::timeout(DRAIN, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("https: connections did not finish within {DRAIN:?}; closing them");
    }
}

async fn connection(
    tcp: tokio::net::TcpStream,
    peer: SocketAddr,
    config: Arc<ServerConfig>,
    router: Router,
    watcher: hyper_util::server::graceful::Watcher,
) {
    let _ = tcp.set_nodelay(true);
    let acceptor = LazyConfigAcceptor::new(rustls::server::Acceptor::default(), tcp);
    let start = match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor).await {
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
    let stream = match tokio::time::timeout(HANDSHAKE_TIMEOUT, start.into_stream(config)).await {
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
    // The portal reads the client's address (allow-lists, throttling) from ConnectInfo.
    let service =
        TowerToHyperService::new(router.layer(axum::Extension(axum::extract::ConnectInfo(peer))));
    let builder = auto::Builder::new(TokioExecutor::new());
    let conn = builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
    if let Err(e) = watcher.watch(conn.into_owned()).await {
        tracing::debug!(%peer, error = %e, "https connection ended with an error");
    }
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
