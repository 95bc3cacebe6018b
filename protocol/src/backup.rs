//! The types of `portico backup`: a consistent copy of the store, read in chunks.

/// Largest chunk [`crate::Admin::backup_read`] returns, in bytes (8 MiB: about 11 MiB of base64,
/// well below [`crate::MAX_FRAME_BYTES`]).
pub const BACKUP_CHUNK_BYTES: u32 = 8 * 1024 * 1024;

/// A copy of the store taken by [`crate::Admin::backup_start`], waiting to be read.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BackupInfo {
    /// Its size in bytes.
    pub size: u64,
    /// The SHA-256 of its bytes, lower-case hex, for the client to check what it wrote.
    pub sha256: String,
    /// The store's schema version (a later porticod upgrades it; an earlier one refuses it).
    pub schema_version: u64,
    /// When the copy was taken (Unix seconds).
    pub taken_at: i64,
}
