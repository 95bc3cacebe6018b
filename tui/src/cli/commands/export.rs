//! `portico export`: the daemon's full JSON export, printed exactly as it came.

use super::Session;
use crate::cli::connect::Wait;
use crate::cli::error::CliError;

/// Runs `portico export`. The export is JSON already, so `--json` changes nothing.
pub async fn run(session: &Session) -> Result<String, CliError> {
    let conn = session.connect().await?;
    let mut text = conn
        .call_waiting("export", Wait::Long, |ctx| conn.admin().export(ctx))
        .await?;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(text)
}
