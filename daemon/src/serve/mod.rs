//! Every HTTP listener's accept loop and connections (portal over HTTP and HTTPS, the CDR
//! endpoint), and the limits that keep a slow or hostile client from holding the daemon:
//!
//! - connection slots per listener and per client address (IPv6: per /64); a connection over
//!   either cap is closed as soon as it is accepted ([`slots`]);
//! - a TLS handshake deadline (in [`crate::tls::listener`], from [`Limits::handshake`]);
//! - a deadline for each request head (hyper's `header_read_timeout`, which also closes idle
//!   HTTP/1.1 keep-alive connections), and for the first request of any connection;
//! - a cap on the request head (HTTP/1.1 read buffer, HTTP/2 header list): 431;
//! - a cap on the request body, checked on `Content-Length` before anything is read (413) and
//!   again while reading (413 from the extractors), and a deadline for the body to arrive;
//! - an idle timeout: a connection with no request under way for [`Limits::idle`] is closed.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderValue, Request, Response, StatusCode, Version, header};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};

mod body;
pub mod limits;
mod slots;

pub use limits::Limits;
use slots::{Full, Slots};

/// How long open connections may take to finish at shutdown.
const DRAIN: Duration = Duration::from_secs(10);
/// A full listener is logged at most this often (an attack would flood the log otherwise).
const WARN_EVERY: Duration = Duration::from_secs(60);

/// Accepts connections on `listener` until `shutdown` resolves, giving each one that gets a
/// slot to `handle` on its own task; then waits (a bounded time) for open connections to end.
/// `what` names the listener in logs.
pub async fn run<F, Fut>(
    listener: TcpListener,
    limits: Arc<Limits>,
    what: &'static str,
    shutdown: impl Future<Output = ()> + Send + 'static,
    handle: F,
) where
    F: Fn(TcpStream, SocketAddr, Watcher) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let slots = Slots::new(limits.max_connections, limits.max_per_client);
    let graceful = GracefulShutdown::new();
    let started = Instant::now();
    let last_warned = AtomicU64::new(0);
    tokio::pin!(shutdown);
    loop {
        let (tcp, peer) = tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors, mostly: wait for connections to end.
                    tracing::warn!(listener = what, error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let slot = match slots.take(peer.ip()) {
            Ok(slot) => slot,
            Err(full) => {
                let now = started.elapsed().as_secs() + WARN_EVERY.as_secs();
                let last = last_warned.load(Ordering::Relaxed);
                if now >= last + WARN_EVERY.as_secs() {
                    last_warned.store(now, Ordering::Relaxed);
                    match full {
                        Full::Listener => tracing::warn!(
                            listener = what,
                            max = limits.max_connections,
                            %peer,
                            "connection refused: the listener holds its maximum of connections (http.max_connections)"
                        ),
                        Full::Client => tracing::warn!(
                            listener = what,
                            max = limits.max_per_client,
                            %peer,
                            "connection refused: this client holds its maximum of connections (http.max_connections_per_client)"
                        ),
                    }
                }
                drop(tcp);
                continue;
            }
        };
        let _ = tcp.set_nodelay(true);
        let connection = handle(tcp, peer, graceful.watcher());
        tokio::spawn(async move {
            connection.await;
            drop(slot);
        });
    }
    if tokio::time::timeout(DRAIN, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            listener = what,
            "connections did not finish within {DRAIN:?}; closing them"
        );
    }
}

/// The server name (SNI) a TLS client asked for, as a request extension of HTTPS requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsServerName(pub Option<String>);

/// Serves HTTP/1.1 or HTTP/2 (whichever the client speaks) on one connection with `router`,
/// within `limits`, until the client is done, a limit is hit, or `watcher` says shut down.
/// The router sees the peer as `ConnectInfo<SocketAddr>`, and `sni` (when the connection is
/// TLS) as [`TlsServerName`].
pub async fn connection<I>(
    io: I,
    peer: SocketAddr,
    router: Router,
    limits: Arc<Limits>,
    watcher: Watcher,
    sni: Option<TlsServerName>,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let activity = body::Activity::new();
    let service = {
        let (activity, limits) = (activity.clone(), limits.clone());
        hyper::service::service_fn(move |request: Request<Incoming>| {
            let in_flight = activity.begin();
            let router = router.clone();
            let limits = limits.clone();
            let sni = sni.clone();
            async move {
                let response = answer(router, request, peer, sni, &limits).await;
                Ok::<_, Infallible>(response.map(|b| Body::new(body::Tracked::new(b, in_flight))))
            }
        })
    };
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read)
        .max_buf_size(limits.max_header_bytes.max(8192));
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_header_list_size(u32::try_from(limits.max_header_bytes).unwrap_or(u32::MAX))
        .max_concurrent_streams(limits.max_streams);
    let conn = builder.serve_connection_with_upgrades(TokioIo::new(io), service);
    let conn = watcher.watch(conn.into_owned());
    tokio::select! {
        ended = conn => {
            if let Err(e) = ended {
                tracing::debug!(%peer, error = %e, "connection ended with an error");
            }
        }
        () = activity.idle(limits.header_read, limits.idle) => {
            tracing::debug!(%peer, "closing a connection with no request under way");
        }
    }
}

/// One request: refused with 413 when it announces a body over the limit, otherwise given to
/// `router` with a body that must arrive in time and stay under the limit.
async fn answer(
    mut router: Router,
    request: Request<Incoming>,
    peer: SocketAddr,
    sni: Option<TlsServerName>,
    limits: &Limits,
) -> Response<Body> {
    let announced = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if announced.is_some_and(|n| n > limits.max_body_bytes as u64) {
        tracing::info!(%peer, announced, max = limits.max_body_bytes, "request body refused: too large");
        return too_large(request.version(), limits.max_body_bytes);
    }
    let (mut parts, incoming) = request.into_parts();
    parts.extensions.insert(ConnectInfo(peer));
    if let Some(sni) = sni {
        parts.extensions.insert(sni);
    }
    let body = http_body_util::Limited::new(
        body::Deadline::new(incoming, limits.body_read),
        limits.max_body_bytes,
    );
    let request = Request::from_parts(parts, Body::new(body));
    match tower_service::Service::call(&mut router, request).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

fn too_large(version: Version, max: usize) -> Response<Body> {
    let mut response = Response::new(Body::from(format!(
        "The request body is larger than this server takes ({max} bytes).\n"
    )));
    *response.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    // The body was not read: the connection cannot carry another request.
    if version < Version::HTTP_2 {
        headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

/// Serves `router` over plain HTTP on `listener` within `limits` until `shutdown` resolves.
pub async fn plain(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    what: &'static str,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let limits = Arc::new(limits);
    let per_connection = limits.clone();
    run(
        listener,
        limits,
        what,
        shutdown,
        move |tcp, peer, watcher| {
            connection(
                tcp,
                peer,
                router.clone(),
                per_connection.clone(),
                watcher,
                None,
            )
        },
    )
    .await;
}
