//! The one error type of the CLI: a message meant for a person, printed as
//! `portico: <message>` on stderr.

use std::fmt;
use std::path::Path;

use portico_protocol::AdminError;

/// What went wrong, in words that say what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliError {
    message: String,
}

impl CliError {
    /// An error with this message.
    pub fn new(message: impl Into<String>) -> Self {
        CliError {
            message: message.into(),
        }
    }

    /// A bad value of a flag or argument: `--access: unknown section "x"; use one of: ...`.
    pub fn flag(flag: &str, reason: impl fmt::Display) -> Self {
        CliError::new(format!("{flag}: {reason}"))
    }

    /// A file that could not be read; names the path.
    pub fn read(path: &Path, err: &std::io::Error) -> Self {
        CliError::new(format!(
            "cannot read {}: {}",
            path.display(),
            io_reason(err)
        ))
    }

    /// The message, without the `portico: ` prefix.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CliError {}

impl From<AdminError> for CliError {
    /// The daemon's errors already read as `field: reason`.
    fn from(err: AdminError) -> Self {
        CliError::new(err.to_string())
    }
}

/// An I/O error's reason as the OS says it, without Rust's ` (os error N)` suffix:
/// `No such file or directory`.
pub fn io_reason(err: &std::io::Error) -> String {
    let text = err.to_string();
    match text.rfind(" (os error ") {
        Some(at) if text.ends_with(')') => text[..at].to_string(),
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_reason_drops_the_os_error_number() {
        let err = std::io::Error::from_raw_os_error(2);
        assert_eq!(io_reason(&err), "No such file or directory");
        let custom = std::io::Error::other("boom");
        assert_eq!(io_reason(&custom), "boom");
    }

    #[test]
    fn admin_errors_keep_their_display() {
        let err: CliError = AdminError::invalid("fqdn", "must not be an IP address").into();
        assert_eq!(err.message(), "fqdn: must not be an IP address");
    }
}
