//! A stand-in for porticod on a real Unix socket, for tests: it speaks the same framing and
//! codec, answers each request with what the test's function returns, and closes the
//! connection when that is `None`.

use std::path::{Path, PathBuf};

use futures::{SinkExt, StreamExt};
use portico_protocol::{AdminRequest, AdminResponse, MAX_FRAME_BYTES, VersionInfo};
use tarpc::tokio_serde::formats::Json;
use tarpc::{ClientMessage, Response};
use tokio::net::UnixListener;
use tokio_util::codec::LengthDelimitedCodec;

/// A socket path unique to this test process and `name`.
pub fn socket(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("portico-cli-{name}-{}.sock", std::process::id()))
}

/// Listens on `path` and serves one connection with `answer`.
pub fn start(path: &Path, answer: impl Fn(AdminRequest) -> Option<AdminResponse> + Send + 'static) {
    let _ = std::fs::remove_file(path);
    let listener = UnixListener::bind(path).unwrap();
    tokio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        let framed = LengthDelimitedCodec::builder()
            .max_frame_length(MAX_FRAME_BYTES)
            .new_framed(stream);
        let mut transport = tarpc::serde_transport::new(
            framed,
            Json::<ClientMessage<AdminRequest>, Response<AdminResponse>>::default(),
        );
        while let Some(Ok(message)) = transport.next().await {
            let ClientMessage::Request(request) = message else {
                continue;
            };
            let Some(reply) = answer(request.message) else {
                return;
            };
            let response = Response {
                request_id: request.id,
                message: Ok(reply),
            };
            if transport.send(response).await.is_err() {
                return;
            }
        }
    });
}

/// A successful handshake answer with this protocol version.
pub fn version(protocol: u32) -> AdminResponse {
    AdminResponse::Version(Ok(VersionInfo {
        protocol,
        daemon: "0.1.0".into(),
        started_at: 0,
    }))
}
