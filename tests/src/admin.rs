//! A raw tarpc client for the admin socket, for the tests that must speak the protocol
//! themselves (another protocol version, no handshake).

use std::path::Path;

use portico_protocol::{AdminClient, MAX_FRAME_BYTES};
use tarpc::tokio_serde::formats::Json;

/// Connects to the admin socket like the CLI does (JSON codec, length-delimited frames with
/// [`MAX_FRAME_BYTES`]) but without the handshake.
pub async fn connect_raw(socket: &Path) -> std::io::Result<AdminClient> {
    let mut connect = tarpc::serde_transport::unix::connect(socket, Json::default);
    connect.config_mut().max_frame_length(MAX_FRAME_BYTES);
    let transport = connect.await?;
    Ok(AdminClient::new(tarpc::client::Config::default(), transport).spawn())
}
