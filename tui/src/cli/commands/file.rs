//! `portico file ...`: the public file store.

use std::path::Path;

use portico_protocol::{FileInfo, MAX_PUBLIC_FILE_BYTES};

use super::Session;
use crate::cli::args::FileCommand;
use crate::cli::connect::Wait;
use crate::cli::error::CliError;
use crate::cli::output::{Align, Fields, Table, opt, removed, table_or, time};
use crate::cli::values;

/// Runs one `file` subcommand.
pub async fn run(session: &Session, command: FileCommand) -> Result<String, CliError> {
    match command {
        FileCommand::Put { path, name } => {
            let name = store_name(&path, name)?;
            check_size(&path, std::fs::metadata(&path).map(|m| m.len()).ok())?;
            let bytes = values::read_bytes(&path)?;
            check_size(&path, Some(bytes.len() as u64))?;
            let conn = session.connect().await?;
            let info = conn
                .call_waiting("file_put", Wait::Long, |ctx| {
                    conn.admin()
                        .file_put(ctx, name, portico_protocol::Blob(bytes))
                })
                .await?;
            session.format.render(&info, render_info)
        }
        FileCommand::List => {
            let conn = session.connect().await?;
            let files = conn
                .call("file_list", |ctx| conn.admin().file_list(ctx))
                .await?;
            session.format.render(&files, render_list)
        }
        FileCommand::Rm { name } => {
            let conn = session.connect().await?;
            let key = name.clone();
            conn.call("file_remove", |ctx| conn.admin().file_remove(ctx, name))
                .await?;
            removed(session.format, "file", key)
        }
    }
}

/// `--name`, or the file's own name.
fn store_name(path: &Path, name: Option<String>) -> Result<String, CliError> {
    if let Some(name) = name {
        return Ok(name);
    }
    path.file_name()
        .filter(|_| path != Path::new("-"))
        .and_then(|n| n.to_str())
        .map(str::to_string)
        .ok_or_else(|| {
            CliError::new(format!(
                "cannot take a store name from {}; give one with --name NAME",
                path.display()
            ))
        })
}

/// Refuses files the store would refuse anyway, before sending them.
fn check_size(path: &Path, size: Option<u64>) -> Result<(), CliError> {
    const MIB: f64 = 1024.0 * 1024.0;
    match size {
        Some(size) if size > MAX_PUBLIC_FILE_BYTES as u64 => Err(CliError::new(format!(
            "{} is {:.1} MiB; the public file store takes files up to {} MiB",
            path.display(),
            size as f64 / MIB,
            MAX_PUBLIC_FILE_BYTES / (1024 * 1024)
        ))),
        _ => Ok(()),
    }
}

fn render_info(f: &FileInfo) -> String {
    Fields::new()
        .add("name", f.name.as_str())
        .add("size", f.size.to_string())
        .add("content_type", f.content_type.as_str())
        .add("width", opt(f.width))
        .add("height", opt(f.height))
        .add("sha256", f.sha256.as_str())
        .add("uploaded_at", time(f.uploaded_at))
        .render()
}

fn render_list(files: &Vec<FileInfo>) -> String {
    let mut t = Table::new(&[
        ("NAME", Align::Left),
        ("SIZE", Align::Right),
        ("TYPE", Align::Left),
        ("PIXELS", Align::Left),
        ("SHA256", Align::Left),
        ("UPLOADED", Align::Left),
    ]);
    for f in files {
        let pixels = match (f.width, f.height) {
            (Some(w), Some(h)) => format!("{w}x{h}"),
            _ => "-".to_string(),
        };
        t.row(vec![
            f.name.clone(),
            f.size.to_string(),
            f.content_type.clone(),
            pixels,
            f.sha256.chars().take(12).collect(),
            time(f.uploaded_at),
        ]);
    }
    table_or(
        &t,
        "the public file store is empty; add a file with: portico file put PATH",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_defaults_to_the_file_name() {
        assert_eq!(
            store_name(Path::new("/tmp/x/acme-logo.png"), None).unwrap(),
            "acme-logo.png"
        );
        assert_eq!(
            store_name(Path::new("a.png"), Some("b.png".into())).unwrap(),
            "b.png"
        );
        assert!(store_name(Path::new("-"), None).is_err());
    }

    #[test]
    fn too_large_files_are_refused_naming_the_path() {
        let err = check_size(Path::new("big.png"), Some(9 * 1024 * 1024)).unwrap_err();
        assert_eq!(
            err.message(),
            "big.png is 9.0 MiB; the public file store takes files up to 8 MiB"
        );
        assert!(check_size(Path::new("ok.png"), Some(1024)).is_ok());
    }
}
