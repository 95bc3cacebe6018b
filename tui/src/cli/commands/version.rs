//! `portico version`: this client's version and the daemon's.

use portico_protocol::{PROTOCOL_VERSION, VersionInfo};
use serde::Serialize;

use super::Session;
use crate::cli::error::CliError;
use crate::cli::output::{Fields, time};

/// The daemon's [`VersionInfo`] with this client's version beside it (so it still reads as a
/// `VersionInfo`).
#[derive(Debug, Serialize)]
struct Versions<'a> {
    #[serde(flatten)]
    daemon: &'a VersionInfo,
    client: &'static str,
    client_protocol: u32,
}

/// Runs `portico version`.
pub async fn run(session: &Session) -> Result<String, CliError> {
    let conn = session.connect().await?;
    let versions = Versions {
        daemon: conn.daemon(),
        client: env!("CARGO_PKG_VERSION"),
        client_protocol: PROTOCOL_VERSION,
    };
    session.format.render(&versions, |v| {
        Fields::new()
            .add("portico", v.client)
            .add("porticod", v.daemon.daemon.as_str())
            .add("protocol", v.daemon.protocol.to_string())
            .add("started_at", time(v.daemon.started_at))
            .render()
    })
}
