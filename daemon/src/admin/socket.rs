//! The admin socket: bind with mode 0660 (and the admin group), remove a stale socket first,
//! log each peer's uid/pid, and serve the tarpc service on every connection.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use futures::StreamExt;
use portico_protocol::{Admin, MAX_FRAME_BYTES};
use tarpc::server::{BaseChannel, Channel};
use tarpc::tokio_serde::formats::Json;
use tarpc::tokio_util::codec::length_delimited::LengthDelimitedCodec;
use tokio::net::{UnixListener, UnixStream};

use super::service::{AdminServer, Peer, State};

/// Why the socket could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum SocketError {
    /// Another daemon answers on the socket.
    #[error("{0}: another porticod is already listening there; stop it or use --admin-socket")]
    InUse(String),
    /// An I/O step failed.
    #[error("{path}: {what}: {source}")]
    Io {
        /// The socket path.
        path: String,
        /// The step.
        what: &'static str,
        /// Why.
        source: std::io::Error,
    },
}

fn io_err(path: &Path, what: &'static str) -> impl FnOnce(std::io::Error) -> SocketError {
    let path = path.display().to_string();
    move |source| SocketError::Io { path, what, source }
}

/// Binds the admin socket. A socket file left by a daemon that died is removed; a live one is
/// refused. The socket gets mode 0660 and, when it exists, the group `group`.
pub async fn bind(path: &Path, group: Option<&str>) -> Result<UnixListener, SocketError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io_err(dir, "create directory"))?;
    }
    if path.exists() {
        if UnixStream::connect(path).await.is_ok() {
            return Err(SocketError::InUse(path.display().to_string()));
        }
        tracing::info!(socket = %path.display(), "removing stale admin socket");
        std::fs::remove_file(path).map_err(io_err(path, "remove stale socket"))?;
    }
    let listener = UnixListener::bind(path).map_err(io_err(path, "bind"))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o660))
        .map_err(io_err(path, "set mode 0660"))?;
    if let Some(name) = group {
        match nix::unistd::Group::from_name(name) {
            Ok(Some(g)) => {
                std::os::unix::fs::chown(path, None, Some(g.gid.as_raw()))
                    .map_err(io_err(path, "set group"))?;
            }
            _ => tracing::warn!(
                group = name,
                "admin group does not exist; only the daemon's own user can use the socket"
            ),
        }
    }
    Ok(listener)
}

/// Removes the socket file on drop (at shutdown).
#[derive(Debug)]
pub struct SocketGuard(pub PathBuf);

impl Drop for SocketGuard {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Accepts connections until `shutdown` resolves.
pub async fn serve(
    listener: UnixListener,
    state: Arc<State>,
    shutdown: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    loop {
        let (stream, _) = tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(conn) => conn,
                Err(e) => {
                    tracing::warn!(error = %e, "admin socket accept failed");
                    continue;
                }
            },
        };
        let peer = match stream.peer_cred() {
            Ok(cred) => Peer {
                uid: Some(cred.uid()),
                pid: cred.pid(),
            },
            Err(e) => {
                tracing::warn!(error = %e, "SO_PEERCRED failed; refusing connection");
                continue;
            }
        };
        tracing::info!(uid = ?peer.uid, pid = ?peer.pid, "admin client connected");
        let framed = LengthDelimitedCodec::builder()
            .max_frame_length(MAX_FRAME_BYTES)
            .new_framed(stream);
        let transport = tarpc::serde_transport::new(framed, Json::default());
        let server = AdminServer::new(state.clone(), peer);
        tokio::spawn(async move {
            BaseChannel::with_defaults(transport)
                .execute(server.serve())
                .for_each(|response| async move {
                    tokio::spawn(response);
                })
                .await;
            tracing::debug!(uid = ?peer.uid, pid = ?peer.pid, "admin client disconnected");
        });
    }
}
