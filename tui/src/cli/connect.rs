//! The connection to porticod's admin socket: finding the socket, the tarpc client, the
//! version handshake, and turning every way a call can fail into one clear line.

use std::future::Future;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use portico_protocol::{
    AdminClient, AdminError, AdminResult, MAX_FRAME_BYTES, PROTOCOL_VERSION, VersionInfo,
};
use tarpc::client::{self, RpcError};
use tarpc::context::{self, Context};
use tarpc::tokio_serde::formats::Json;
use tokio::net::UnixStream;
use tokio_util::codec::LengthDelimitedCodec;

use super::error::{CliError, io_reason};

/// The socket of a development daemon (`porticod --dev`) started in the current directory.
pub const DEV_SOCKET: &str = "./portico-data/admin.sock";
/// The socket of the installed daemon.
pub const SYSTEM_SOCKET: &str = "/run/portico/admin.sock";

/// How long a call may take before the CLI gives up on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// Ordinary calls: 30 seconds.
    Normal,
    /// Imports and uploads: 10 minutes.
    Long,
}

impl Wait {
    fn duration(self) -> Duration {
        match self {
            Wait::Normal => Duration::from_secs(30),
            Wait::Long => Duration::from_secs(10 * 60),
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Wait::Normal => "30 seconds",
            Wait::Long => "10 minutes",
        }
    }
}

/// The socket to use: `--socket`/`PORTICO_SOCKET`, else the development socket when it exists,
/// else the system socket.
pub fn socket_path(given: Option<&Path>) -> PathBuf {
    match given {
        Some(path) => path.to_path_buf(),
        None if Path::new(DEV_SOCKET).exists() => PathBuf::from(DEV_SOCKET),
        None => PathBuf::from(SYSTEM_SOCKET),
    }
}

/// A connection to porticod that has passed the version handshake.
pub struct Connection {
    client: AdminClient,
    socket: PathBuf,
    daemon: VersionInfo,
}

impl Connection {
    /// Connects to the socket and shakes hands.
    pub async fn open(socket: &Path) -> Result<Connection, CliError> {
        let stream = UnixStream::connect(socket)
            .await
            .map_err(|e| connect_error(socket, &e))?;
        let framed = LengthDelimitedCodec::builder()
            .max_frame_length(MAX_FRAME_BYTES)
            .new_framed(stream);
        let transport = tarpc::serde_transport::new(framed, Json::default());
        let client = AdminClient::new(client::Config::default(), transport).spawn();

        let answer = client
            .version(deadline(Wait::Normal), PROTOCOL_VERSION)
            .await
            .map_err(|e| rpc_error(socket, "version", Wait::Normal, e))?;
        let daemon = answer.map_err(handshake_refused)?;
        if daemon.protocol != PROTOCOL_VERSION {
            return Err(protocol_mismatch(daemon.protocol));
        }
        Ok(Connection {
            client,
            socket: socket.to_path_buf(),
            daemon,
        })
    }

    /// What the daemon said about itself in the handshake.
    pub fn daemon(&self) -> &VersionInfo {
        &self.daemon
    }

    /// The tarpc client, for use inside [`Connection::call`].
    pub fn admin(&self) -> &AdminClient {
        &self.client
    }

    /// Runs one admin call with a 30-second deadline; `method` names it in errors.
    pub async fn call<T, Fut>(
        &self,
        method: &str,
        rpc: impl FnOnce(Context) -> Fut,
    ) -> Result<T, CliError>
    where
        Fut: Future<Output = Result<AdminResult<T>, RpcError>>,
    {
        self.call_waiting(method, Wait::Normal, rpc).await
    }

    /// Runs one admin call with the given deadline.
    pub async fn call_waiting<T, Fut>(
        &self,
        method: &str,
        wait: Wait,
        rpc: impl FnOnce(Context) -> Fut,
    ) -> Result<T, CliError>
    where
        Fut: Future<Output = Result<AdminResult<T>, RpcError>>,
    {
        let answer = rpc(deadline(wait))
            .await
            .map_err(|e| rpc_error(&self.socket, method, wait, e))?;
        answer.map_err(CliError::from)
    }
}

pub(crate) fn deadline(wait: Wait) -> Context {
    let mut ctx = context::current();
    ctx.deadline = Instant::now() + wait.duration();
    ctx
}

/// Why the socket could not be reached, naming it and what to do.
pub fn connect_error(socket: &Path, err: &std::io::Error) -> CliError {
    let path = socket.display();
    match err.kind() {
        ErrorKind::NotFound | ErrorKind::ConnectionRefused => CliError::new(format!(
            "no daemon at {path} ({}); is porticod running? Use --socket PATH or PORTICO_SOCKET",
            io_reason(err)
        )),
        ErrorKind::PermissionDenied => CliError::new(format!(
            "cannot connect to {path}: permission denied; add your user to the portico-admin \
             group (then log in again)"
        )),
        _ => CliError::new(format!("cannot connect to {path}: {}", io_reason(err))),
    }
}

fn handshake_refused(err: AdminError) -> CliError {
    match err {
        AdminError::Refused { reason } if reason.contains("install matching") => {
            CliError::new(reason)
        }
        AdminError::Refused { reason } => CliError::new(format!(
            "porticod refused this portico (protocol {PROTOCOL_VERSION}): {reason}; install \
             matching versions"
        )),
        other => CliError::new(format!("porticod refused the handshake: {other}")),
    }
}

/// The daemon answered the handshake with another protocol version.
pub fn protocol_mismatch(daemon: u32) -> CliError {
    CliError::new(format!(
        "porticod speaks protocol {daemon}, this portico speaks {PROTOCOL_VERSION}; install \
         matching versions"
    ))
}

/// A call that failed below the admin protocol: the connection, the deadline, or the server.
pub fn rpc_error(socket: &Path, method: &str, wait: Wait, err: RpcError) -> CliError {
    let path = socket.display();
    match err {
        RpcError::Shutdown => CliError::new(format!(
            "porticod at {path} closed the connection before answering {method}; it may have \
             stopped or restarted (see its log), or refused the request (e.g. one larger than \
             {} MiB)",
            MAX_FRAME_BYTES / (1024 * 1024)
        )),
        RpcError::DeadlineExceeded => CliError::new(format!(
            "porticod at {path} did not answer {method} within {}; it may be overloaded or \
             stuck (see its log)",
            wait.describe()
        )),
        RpcError::Channel(e) => CliError::new(format!(
            "lost the connection to porticod at {path} during {method}: {}",
            chain(&e)
        )),
        RpcError::Send(e) => CliError::new(format!(
            "could not send {method} to porticod at {path}: {}",
            chain(e.as_ref())
        )),
        RpcError::Server(e) => {
            CliError::new(format!("porticod at {path} aborted {method}: {}", e.detail))
        }
    }
}

/// An error and its sources, joined with `: `.
fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        let part = match s.downcast_ref::<std::io::Error>() {
            Some(io) => io_reason(io),
            None => s.to_string(),
        };
        text.push_str(": ");
        text.push_str(&part);
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::fake_daemon;

    #[test]
    fn missing_socket_is_named_with_what_to_do() {
        let err = std::io::Error::from_raw_os_error(2);
        let msg = connect_error(Path::new("/x/admin.sock"), &err);
        assert_eq!(
            msg.message(),
            "no daemon at /x/admin.sock (No such file or directory); is porticod running? \
             Use --socket PATH or PORTICO_SOCKET"
        );
    }

    #[test]
    fn permission_denied_names_the_group() {
        let err = std::io::Error::from_raw_os_error(13);
        let msg = connect_error(Path::new("/run/portico/admin.sock"), &err);
        assert_eq!(
            msg.message(),
            "cannot connect to /run/portico/admin.sock: permission denied; add your user to \
             the portico-admin group (then log in again)"
        );
    }

    #[test]
    fn mismatch_names_both_versions() {
        assert_eq!(
            protocol_mismatch(2).message(),
            format!(
                "porticod speaks protocol 2, this portico speaks {PROTOCOL_VERSION}; install \
                 matching versions"
            )
        );
    }

    #[test]
    fn explicit_socket_wins() {
        assert_eq!(
            socket_path(Some(Path::new("/tmp/a.sock"))),
            PathBuf::from("/tmp/a.sock")
        );
    }

    #[tokio::test]
    async fn handshake_then_calls() {
        use portico_protocol::{AdminRequest, AdminResponse};
        let path = fake_daemon::socket("ok");
        fake_daemon::start(&path, |request| match request {
            AdminRequest::Version { client_protocol } => {
                Some(fake_daemon::version(client_protocol))
            }
            AdminRequest::DomainShow { fqdn } => Some(AdminResponse::DomainShow(Err(
                AdminError::not_found(format!("domain \"{fqdn}\"")),
            ))),
            AdminRequest::FileList {} => Some(AdminResponse::FileList(Ok(vec![]))),
            _ => None,
        });
        let conn = Connection::open(&path).await.unwrap();
        assert_eq!(conn.daemon().protocol, PROTOCOL_VERSION);
        let files = conn
            .call("file_list", |ctx| conn.admin().file_list(ctx))
            .await
            .unwrap();
        assert!(files.is_empty());
        let err = conn
            .call("domain_show", |ctx| {
                conn.admin().domain_show(ctx, "x.test".into())
            })
            .await
            .unwrap_err();
        assert_eq!(err.message(), "not found: domain \"x.test\"");
        let _ = std::fs::remove_file(&path);
    }

    #[tokio::test]
    async fn another_protocol_is_refused() {
        let path = fake_daemon::socket("mismatch");
        fake_daemon::start(&path, |_| Some(fake_daemon::version(PROTOCOL_VERSION + 1)));
        let err = Connection::open(&path).await.err().unwrap();
        assert_eq!(err, protocol_mismatch(PROTOCOL_VERSION + 1));
        let _ = std::fs::remove_file(&path);
    }

    #[tokio::test]
    async fn a_refused_handshake_says_to_install_matching_versions() {
        use portico_protocol::AdminResponse;
        let path = fake_daemon::socket("refused");
        fake_daemon::start(&path, |_| {
            Some(AdminResponse::Version(Err(AdminError::Refused {
                reason: "porticod speaks protocol 9".into(),
            })))
        });
        let err = Connection::open(&path).await.err().unwrap();
        assert_eq!(
            err.message(),
            format!(
                "porticod refused this portico (protocol {PROTOCOL_VERSION}): porticod speaks \
                 protocol 9; install matching versions"
            )
        );
        let _ = std::fs::remove_file(&path);
    }

    #[tokio::test]
    async fn a_daemon_that_goes_away_mid_call_is_reported() {
        use portico_protocol::AdminRequest;
        let path = fake_daemon::socket("gone");
        fake_daemon::start(&path, |request| match request {
            AdminRequest::Version { client_protocol } => {
                Some(fake_daemon::version(client_protocol))
            }
            _ => None,
        });
        let conn = Connection::open(&path).await.unwrap();
        let err = conn
            .call("domain_list", |ctx| conn.admin().domain_list(ctx))
            .await
            .unwrap_err();
        assert!(
            err.message().starts_with(&format!(
                "porticod at {} closed the connection before answering domain_list",
                path.display()
            )),
            "{err}"
        );
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn rpc_errors_name_the_call() {
        let sock = Path::new("/s");
        let gone = rpc_error(sock, "domain_list", Wait::Normal, RpcError::Shutdown);
        assert!(
            gone.message()
                .contains("closed the connection before answering domain_list")
        );
        let slow = rpc_error(sock, "file_put", Wait::Long, RpcError::DeadlineExceeded);
        assert!(
            slow.message()
                .contains("did not answer file_put within 10 minutes")
        );
    }
}
