//! `portico backup FILE`: the daemon takes a consistent, checked copy of its store; portico
//! reads it in chunks into `FILE.partial`, checks its size and SHA-256, and renames it to FILE.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use portico_protocol::BACKUP_CHUNK_BYTES;
use sha2::{Digest as _, Sha256};

use super::Session;
use crate::cli::connect::Wait;
use crate::cli::error::{CliError, io_reason};

fn partial_path(file: &Path) -> PathBuf {
    let mut name = file.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    file.with_file_name(name)
}

/// Runs `portico backup FILE`.
pub async fn run(session: &Session, file: &Path) -> Result<String, CliError> {
    let partial = partial_path(file);
    let conn = session.connect().await?;
    let info = conn
        .call_waiting("backup_start", Wait::Long, |ctx| {
            conn.admin().backup_start(ctx)
        })
        .await?;
    let fail = |what: &str, e: std::io::Error| {
        CliError::new(format!("{}: {what}: {}", partial.display(), io_reason(&e)))
    };
    let mut out = std::fs::File::create(&partial).map_err(|e| fail("cannot create", e))?;
    let mut hasher = Sha256::new();
    let mut offset = 0u64;
    while offset < info.size {
        let chunk = conn
            .call("backup_read", |ctx| {
                conn.admin().backup_read(ctx, offset, BACKUP_CHUNK_BYTES)
            })
            .await?;
        if chunk.0.is_empty() {
            break;
        }
        hasher.update(&chunk.0);
        out.write_all(&chunk.0)
            .map_err(|e| fail("cannot write", e))?;
        offset += chunk.0.len() as u64;
    }
    out.sync_all().map_err(|e| fail("cannot write", e))?;
    drop(out);
    let sha256 = hex(&hasher.finalize());
    if offset != info.size || sha256 != info.sha256 {
        let _ = std::fs::remove_file(&partial);
        return Err(CliError::new(format!(
            "the copy arrived damaged ({offset} of {} bytes, SHA-256 {sha256} instead of {}); \
             nothing was written to {}; run portico backup again",
            info.size,
            info.sha256,
            file.display()
        )));
    }
    std::fs::rename(&partial, file).map_err(|e| {
        CliError::new(format!(
            "{}: cannot write: {}",
            file.display(),
            io_reason(&e)
        ))
    })?;
    session.format.render(&info, |info| {
        format!(
            "backup written to {} ({} bytes, schema version {}, SHA-256 {})\n\
             restore it with the daemon stopped: porticod --restore {}\n",
            file.display(),
            info.size,
            info.schema_version,
            info.sha256,
            file.display()
        )
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
