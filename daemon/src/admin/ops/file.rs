//! The public file store.

use portico_protocol::{AdminError, AdminResult, FileInfo};
use sha2::{Digest, Sha256};

use crate::admin::service::Changed;
use crate::model::files;
use crate::store::Tx;

/// Stores a file, replacing one of the same name (a logo in use must stay a valid logo).
pub fn put(tx: &mut Tx, now: i64, name: &str, bytes: Vec<u8>) -> AdminResult<Changed<FileInfo>> {
    let name = files::validate_file_name(name)?;
    files::check_public_file(&bytes)?;
    let sniffed = files::sniff(&bytes);
    let info = FileInfo {
        name: name.clone(),
        size: bytes.len() as u64,
        content_type: sniffed.content_type,
        width: sniffed.width,
        height: sniffed.height,
        sha256: hex::encode(Sha256::digest(&bytes)),
        uploaded_at: now,
    };
    for domain in tx.domains()? {
        if domain.domain.logo.as_deref() == Some(name.as_str()) {
            files::check_logo(&info)?;
        }
    }
    tx.put_file(&info, &bytes)?;
    Ok((info, format!("file {name}")))
}

/// Removes a file unless a domain uses it as its logo.
pub fn remove(tx: &mut Tx, name: &str) -> AdminResult<Changed<()>> {
    if tx.file_info(name)?.is_none() {
        return Err(AdminError::not_found(format!(
            "file \"{name}\" (see `portico file list`)"
        )));
    }
    let users: Vec<String> = tx
        .domains()?
        .into_iter()
        .filter(|d| d.domain.logo.as_deref() == Some(name))
        .map(|d| d.domain.fqdn)
        .collect();
    if !users.is_empty() {
        return Err(AdminError::conflict(format!(
            "file \"{name}\" is the logo of {}; set another logo (or --logo none) first",
            users.join(", ")
        )));
    }
    tx.remove_file(name)?;
    Ok(((), format!("file {name}")))
}
