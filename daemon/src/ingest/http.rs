//! The HTTP endpoint FreeSWITCH's `mod_json_cdr` posts to (its `url` and `cred` settings).
//!
//! mod_json_cdr posts one document per call leg to `url?uuid=<uuid>`: the JSON itself
//! (`Content-Type: application/json`, `encode` off), or the form body `cdr=<url-encoded JSON>`
//! (`application/x-www-form-urlencoded`, `encode` on) or `cdr=<base64>`
//! (`application/x-www-form-base64-encoded`, `encode=base64`). It counts any 2xx as delivered
//! and anything else as a failure to retry (`retries`, `delay`) and finally to write to its
//! error directory. So this endpoint answers 200 only once the CDR is committed durably, 200
//! again for a document it holds already (a retry after a lost answer), a 4xx with the reason
//! for a document it can never take (quarantined, so the admin sees it), and 5xx when the
//! store failed (worth a retry).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use base64::Engine as _;
use sha2::{Digest, Sha256};

use super::formats::{self, ParseOptions};
use super::pipeline::{Batch, Ingest, Rejected};
use crate::config::{BasicAuth, IngestConfig};

/// The largest document taken; mod_json_cdr documents are a few tens of KiB.
pub const MAX_BODY: usize = 1024 * 1024;
/// Characters of a refused document kept in the quarantine.
const EXCERPT_CHARS: usize = 200;
/// The realm in `WWW-Authenticate`.
const REALM: &str = "Basic realm=\"portico cdr\", charset=\"UTF-8\"";

/// What the endpoint needs: the ingest, the credentials and how to parse.
pub struct Endpoint {
    ingest: Ingest,
    auth: Option<BasicAuth>,
    opts: ParseOptions,
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("auth", &self.auth)
            .field("opts", &self.opts)
            .finish()
    }
}

/// What became of one posted document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Committed.
    Stored {
        /// Its call id.
        call_id: String,
        /// `a` or `b`.
        leg: &'static str,
    },
    /// Held already (same call id and leg); nothing changed.
    Duplicate {
        /// Its call id.
        call_id: String,
        /// `a` or `b`.
        leg: &'static str,
    },
    /// Not a document that can be read; quarantined.
    Refused {
        /// Why.
        reason: String,
    },
    /// The store failed; nothing was committed.
    Failed {
        /// The store's error.
        error: String,
        /// It failed because the disk is full (answered 507, not 500).
        disk_full: bool,
    },
}

fn failed(e: &crate::store::StoreError) -> Outcome {
    Outcome::Failed {
        error: e.to_string(),
        disk_full: matches!(e, crate::store::StoreError::DiskFull(_)),
    }
}

impl Endpoint {
    /// An endpoint storing through `ingest` (whose customer variable it uses), configured by
    /// `[ingest]`.
    pub fn new(ingest: Ingest, config: &IngestConfig) -> Endpoint {
        Endpoint {
            opts: ParseOptions {
                time_zone: config.time_zone.clone(),
                customer_variable: ingest.customer_variable().map(str::to_string),
                mapping: None,
            },
            ingest,
            auth: config.auth.clone(),
        }
    }

    /// Whether `headers` carry the configured credentials (always true without credentials).
    pub fn authorized(&self, headers: &HeaderMap) -> bool {
        let Some(auth) = &self.auth else {
            return true;
        };
        let Some((user, pass)) = basic_credentials(headers) else {
            return false;
        };
        // Both comparisons always run: `&`, not `&&`.
        same_secret(&user, auth.username.as_bytes()) & same_secret(&pass, auth.password.as_bytes())
    }

    /// Parses and stores one document from `peer`. Blocking (parse and commit): call it from a
    /// blocking thread. Returns once the outcome is durable.
    pub fn take(&self, peer: SocketAddr, body: &[u8]) -> Outcome {
        let source = format!("http {peer}");
        match formats::parse_json(body, &self.opts) {
            Ok(cdr) => {
                let call_id = cdr.call_id.clone();
                let leg = cdr.leg.as_str();
                let batch = Batch {
                    source,
                    lines: 1,
                    cdrs: vec![(0, cdr)],
                    rejected: Vec::new(),
                };
                match self.ingest.ingest(batch, |_| Ok(())) {
                    Ok(report) if report.imported == 0 && report.duplicates > 0 => {
                        Outcome::Duplicate { call_id, leg }
                    }
                    Ok(_) => Outcome::Stored { call_id, leg },
                    Err(e) => failed(&e),
                }
            }
            Err(reason) => {
                let batch = Batch {
                    source,
                    lines: 1,
                    cdrs: Vec::new(),
                    rejected: vec![Rejected {
                        line: 0,
                        reason: reason.clone(),
                        excerpt: excerpt(body),
                    }],
                };
                match self.ingest.ingest(batch, |_| Ok(())) {
                    Ok(_) => Outcome::Refused { reason },
                    Err(e) => failed(&e),
                }
            }
        }
    }
}

/// The endpoint's routes: `POST /cdr` and `POST /`, behind basic auth, bodies up to
/// [`MAX_BODY`].
pub fn router(endpoint: Arc<Endpoint>) -> Router {
    Router::new()
        .route("/", post(post_cdr))
        .route("/cdr", post(post_cdr))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .route_layer(middleware::from_fn_with_state(
            endpoint.clone(),
            require_auth,
        ))
        .with_state(endpoint)
}

/// Serves the endpoint on `listener` until `shutdown` completes; requests under way finish
/// (their commit and answer) first. Clients are held to [`crate::serve::Limits::ingest`].
pub async fn serve(
    listener: tokio::net::TcpListener,
    endpoint: Arc<Endpoint>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    crate::serve::plain(
        listener,
        router(endpoint),
        crate::serve::Limits::ingest(),
        "ingest",
        shutdown,
    )
    .await;
}

/// Refuses a request without the right credentials, or announcing a body over
/// [`MAX_BODY`], before its body is read (libcurl sends `Expect: 100-continue` and waits for
/// the go-ahead, which is then never given).
async fn require_auth(
    State(endpoint): State<Arc<Endpoint>>,
    request: Request,
    next: Next,
) -> Response {
    if endpoint.authorized(request.headers()) {
        let announced = request
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if announced.is_some_and(|n| n > MAX_BODY as u64) {
            return (
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("a CDR document is at most {MAX_BODY} bytes\n"),
            )
                .into_response();
        }
        return next.run(request).await;
    }
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(p)| p.to_string())
        .unwrap_or_default();
    let presented = request.headers().contains_key(header::AUTHORIZATION);
    // Neither the user name nor the password is logged: a mistyped one may be a secret.
    tracing::warn!(%peer, credentials_presented = presented, "ingest: CDR post refused: wrong or missing credentials");
    let mut response = (
        StatusCode::UNAUTHORIZED,
        "credentials required: set mod_json_cdr's cred to the username:password of [ingest]\n",
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(REALM));
    response
}

async fn post_cdr(
    State(endpoint): State<Arc<Endpoint>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    uri: Uri,
    body: Bytes,
) -> Response {
    let hint = uuid_param(&uri).unwrap_or_default();
    let outcome = tokio::task::spawn_blocking(move || endpoint.take(peer, &body)).await;
    match outcome {
        Ok(Outcome::Stored { call_id, leg }) => {
            tracing::info!(%peer, %call_id, leg, result = "stored", "ingest: CDR posted");
            (StatusCode::OK, format!("stored {call_id} {leg}\n")).into_response()
        }
        Ok(Outcome::Duplicate { call_id, leg }) => {
            tracing::info!(%peer, %call_id, leg, result = "duplicate", "ingest: CDR posted");
            (
                StatusCode::OK,
                format!("duplicate {call_id} {leg}: stored before\n"),
            )
                .into_response()
        }
        Ok(Outcome::Refused { reason }) => {
            tracing::warn!(%peer, call_id = %hint, result = "quarantined", %reason, "ingest: CDR posted");
            (
                StatusCode::BAD_REQUEST,
                format!("not a mod_json_cdr document: {reason}\n"),
            )
                .into_response()
        }
        Ok(Outcome::Failed { error, disk_full }) => {
            tracing::error!(%peer, call_id = %hint, result = "store failed", %error, "ingest: CDR posted");
            if disk_full {
                // 507 Insufficient Storage: mod_json_cdr keeps the document and retries.
                return (
                    StatusCode::INSUFFICIENT_STORAGE,
                    "the CDR could not be stored: the disk holding Portico's store is full; \
                     retry later\n",
                )
                    .into_response();
            }
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the CDR could not be stored; retry later\n",
            )
                .into_response()
        }
        Err(e) => {
            tracing::error!(%peer, call_id = %hint, error = %e, "ingest: CDR handler failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the CDR could not be stored; retry later\n",
            )
                .into_response()
        }
    }
}

/// The `uuid` query parameter mod_json_cdr adds to its URL (for logs before parsing).
fn uuid_param(uri: &Uri) -> Option<String> {
    uri.query()?
        .split('&')
        .find_map(|kv| kv.strip_prefix("uuid="))
        .filter(|v| {
            v.len() <= 64
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .map(str::to_string)
}

/// The user and password of a `Basic` authorization header.
fn basic_credentials(headers: &HeaderMap) -> Option<(Vec<u8>, Vec<u8>)> {
    let value = headers.get(header::AUTHORIZATION)?.as_bytes();
    let space = value.iter().position(|b| *b == b' ')?;
    let (scheme, rest) = value.split_at(space);
    if !scheme.eq_ignore_ascii_case(b"basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(rest.trim_ascii())
        .ok()?;
    let colon = decoded.iter().position(|b| *b == b':')?;
    Some((decoded[..colon].to_vec(), decoded[colon + 1..].to_vec()))
}

/// Compares two secrets in time that does not depend on where they differ (or on their
/// lengths): both are hashed, and the digests are compared without an early exit.
fn same_secret(given: &[u8], expected: &[u8]) -> bool {
    let (a, b) = (Sha256::digest(given), Sha256::digest(expected));
    let diff = a
        .iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

fn excerpt(body: &[u8]) -> String {
    String::from_utf8_lossy(body)
        .chars()
        .take(EXCERPT_CHARS)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use axum::body::Body;
    use tower::ServiceExt as _;

    fn endpoint(auth: Option<(&str, &str)>) -> (tempfile::TempDir, Arc<Endpoint>) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("portico.redb")).unwrap();
        let config = IngestConfig {
            auth: auth.map(|(u, p)| BasicAuth {
                username: u.into(),
                password: p.into(),
            }),
            ..IngestConfig::default()
        };
        (dir, Arc::new(Endpoint::new(Ingest::new(store), &config)))
    }

    fn basic(user: &str, pass: &str) -> String {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"))
        )
    }

    fn request(auth: Option<&str>, body: impl Into<Body>) -> axum::http::Request<Body> {
        let mut r = axum::http::Request::post("/cdr?uuid=abc")
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(a) = auth {
            r = r.header(header::AUTHORIZATION, a);
        }
        let mut req = r.body(body.into()).unwrap();
        req.extensions_mut().insert(ConnectInfo(
            "127.0.0.1:40000".parse::<SocketAddr>().unwrap(),
        ));
        req
    }

    #[test]
    fn basic_credentials_are_decoded_and_compared_exactly() {
        let (_d, ep) = endpoint(Some(("fs", "s3cr:et")));
        let mut h = HeaderMap::new();
        assert!(!ep.authorized(&h), "no header");
        h.insert(
            header::AUTHORIZATION,
            basic("fs", "s3cr:et").parse().unwrap(),
        );
        assert!(ep.authorized(&h));
        for (u, p) in [
            ("fs", "s3cr:eT"),
            ("fs", "s3cr"),
            ("Fs", "s3cr:et"),
            ("", ""),
        ] {
            h.insert(header::AUTHORIZATION, basic(u, p).parse().unwrap());
            assert!(!ep.authorized(&h), "{u}:{p}");
        }
        h.insert(
            header::AUTHORIZATION,
            "Bearer Zm9vOmJhcg==".parse().unwrap(),
        );
        assert!(!ep.authorized(&h));
        h.insert(header::AUTHORIZATION, "Basic !!!".parse().unwrap());
        assert!(!ep.authorized(&h));
        // The scheme is case-insensitive.
        let lower = basic("fs", "s3cr:et").replacen("Basic", "basic", 1);
        h.insert(header::AUTHORIZATION, lower.parse().unwrap());
        assert!(ep.authorized(&h));
    }

    #[test]
    fn secrets_compare_by_value() {
        assert!(same_secret(b"abc", b"abc"));
        assert!(!same_secret(b"abc", b"abd"));
        assert!(!same_secret(b"abc", b"abcd"));
        assert!(!same_secret(b"", b"a"));
    }

    #[test]
    fn uuid_parameter_is_taken_only_when_it_looks_like_an_id() {
        let u: Uri = "/cdr?x=1&uuid=3da8bf84-c133".parse().unwrap();
        assert_eq!(uuid_param(&u).as_deref(), Some("3da8bf84-c133"));
        let u: Uri = "/cdr?uuid=%0Aforged".parse().unwrap();
        assert_eq!(uuid_param(&u), None);
        let u: Uri = "/cdr".parse().unwrap();
        assert_eq!(uuid_param(&u), None);
    }

    #[tokio::test]
    async fn missing_or_wrong_credentials_get_401_with_a_challenge() {
        let (_d, ep) = endpoint(Some(("fs", "pw")));
        for auth in [None, Some(basic("fs", "nope"))] {
            let resp = router(ep.clone())
                .oneshot(request(auth.as_deref(), "{}"))
                .await
                .unwrap();
            assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
            let challenge = resp.headers().get(header::WWW_AUTHENTICATE).unwrap();
            assert!(challenge.to_str().unwrap().starts_with("Basic realm="));
        }
    }

    #[tokio::test]
    async fn a_body_over_the_limit_gets_413() {
        let (_d, ep) = endpoint(Some(("fs", "pw")));
        let big = vec![b' '; MAX_BODY + 1];
        let resp = router(ep)
            .oneshot(request(Some(&basic("fs", "pw")), big))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
    }

    #[tokio::test]
    async fn garbage_gets_400_with_the_reason_and_is_quarantined() {
        let (_d, ep) = endpoint(None);
        let resp = router(ep.clone())
            .oneshot(request(None, "this is not json\u{7}"))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
        let body = axum::body::to_bytes(resp.into_body(), 4096).await.unwrap();
        let text = String::from_utf8_lossy(&body);
        assert!(text.starts_with("not a mod_json_cdr document: "), "{text}");
        let q = ep.ingest.store().read(|tx| tx.quarantined(10)).unwrap();
        assert_eq!(q.len(), 1);
        assert_eq!(q[0].source, "http 127.0.0.1:40000");
        assert_eq!(q[0].line, 0);
        assert_eq!(q[0].excerpt, "this is not json ");
        assert!(text.contains(&q[0].reason), "{text} / {}", q[0].reason);
    }

    #[test]
    fn a_document_is_stored_once_and_a_repeat_is_a_duplicate() {
        let (_d, ep) = endpoint(None);
        let doc = br#"{"variables": {"uuid": "u-1", "direction": "inbound",
            "start_epoch": "1772442000", "answer_epoch": "1772442004", "end_epoch": "1772442064",
            "duration": "64", "billsec": "60", "hangup_cause": "NORMAL_CLEARING"},
            "callflow": [{"caller_profile": {"caller_id_number": "100",
            "destination_number": "4420"}}]}"#;
        let peer: SocketAddr = "127.0.0.1:5000".parse().unwrap();
        assert_eq!(
            ep.take(peer, doc),
            Outcome::Stored {
                call_id: "u-1".into(),
                leg: "a"
            }
        );
        assert_eq!(
            ep.take(peer, doc),
            Outcome::Duplicate {
                call_id: "u-1".into(),
                leg: "a"
            }
        );
        let n = ep.ingest.store().read(|tx| tx.counter("cdrs")).unwrap();
        assert_eq!(n, 1);
    }

    #[tokio::test]
    async fn only_post_is_answered() {
        let (_d, ep) = endpoint(None);
        let req = axum::http::Request::get("/cdr")
            .body(Body::empty())
            .unwrap();
        let resp = router(ep).oneshot(req).await.unwrap();
        assert_eq!(resp.status(), StatusCode::METHOD_NOT_ALLOWED);
    }
}
