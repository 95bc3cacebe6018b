//! Reading flag values: lists, booleans, protocol names and files. Every error names the flag.

use std::io::Read;
use std::path::Path;
use std::str::FromStr;

use portico_protocol::UnknownName;

use super::error::CliError;

/// A comma separated list; an empty string is the empty list. Items are trimmed and empty items
/// dropped, so `"a, b,"` is `["a", "b"]`.
pub fn list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_string)
        .collect()
}

/// A boolean: true/false, yes/no or on/off, in any case.
pub fn boolean(flag: &str, text: &str) -> Result<bool, CliError> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" => Ok(true),
        "false" | "no" | "off" => Ok(false),
        _ => Err(CliError::flag(
            flag,
            format!("\"{text}\" is not a boolean; use true/false, yes/no or on/off"),
        )),
    }
}

/// One protocol name (section, column, status...).
pub fn name<T: FromStr<Err = UnknownName>>(flag: &str, text: &str) -> Result<T, CliError> {
    text.parse()
        .map_err(|e: UnknownName| CliError::flag(flag, e))
}

/// A comma separated list of protocol names, in the order given.
pub fn names<T: FromStr<Err = UnknownName>>(flag: &str, text: &str) -> Result<Vec<T>, CliError> {
    list(text).iter().map(|item| name(flag, item)).collect()
}

/// `none` (or an empty string) clears a value; anything else sets it.
pub fn or_none(text: &str) -> Option<&str> {
    let t = text.trim();
    if t.is_empty() || t.eq_ignore_ascii_case("none") {
        None
    } else {
        Some(text)
    }
}

/// The whole content of a text file, or of stdin for `-`.
pub fn read_text(path: &Path) -> Result<String, CliError> {
    let bytes = read_bytes(path)?;
    String::from_utf8(bytes)
        .map_err(|_| CliError::new(format!("{} is not UTF-8 text", shown(path))))
}

/// The bytes of a file, or of stdin for `-`.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, CliError> {
    if path == Path::new("-") {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| CliError::read(Path::new("stdin"), &e))?;
        Ok(bytes)
    } else {
        std::fs::read(path).map_err(|e| CliError::read(path, &e))
    }
}

/// A password from a file: its first line, without the line ending. An empty password is
/// refused here, since it is almost always an empty or wrong file.
pub fn read_password(flag: &str, path: &Path) -> Result<String, CliError> {
    let text = read_text(path)?;
    let first = text.lines().next().unwrap_or("");
    if first.is_empty() {
        return Err(CliError::flag(
            flag,
            format!("{} holds no password on its first line", shown(path)),
        ));
    }
    Ok(first.to_string())
}

fn shown(path: &Path) -> String {
    if path == Path::new("-") {
        "stdin".to_string()
    } else {
        path.display().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use portico_protocol::{CdrColumn, Section};

    #[test]
    fn lists() {
        assert_eq!(list(""), Vec::<String>::new());
        assert_eq!(list(" "), Vec::<String>::new());
        assert_eq!(list("USD"), vec!["USD"]);
        assert_eq!(list("USD, EUR,"), vec!["USD", "EUR"]);
    }

    #[test]
    fn booleans() {
        for t in ["true", "yes", "on", "YES", " On "] {
            assert_eq!(boolean("--x", t), Ok(true), "{t}");
        }
        for t in ["false", "no", "off", "False"] {
            assert_eq!(boolean("--x", t), Ok(false), "{t}");
        }
        let err = boolean("--customer-signup", "maybe").unwrap_err();
        assert_eq!(
            err.message(),
            "--customer-signup: \"maybe\" is not a boolean; use true/false, yes/no or on/off"
        );
        assert!(boolean("--x", "1").is_err());
    }

    #[test]
    fn names_keep_order_and_name_the_flag() {
        let cols: Vec<CdrColumn> = names("--cdr-columns", "charge,call_id").unwrap();
        assert_eq!(cols, vec![CdrColumn::Charge, CdrColumn::CallId]);
        let err = names::<Section>("--access", "balance,balanse").unwrap_err();
        assert!(
            err.message()
                .starts_with("--access: unknown section \"balanse\"; use one of: balance, summary"),
            "{err}"
        );
    }

    #[test]
    fn none_clears() {
        assert_eq!(or_none("none"), None);
        assert_eq!(or_none("NONE"), None);
        assert_eq!(or_none(""), None);
        assert_eq!(or_none("logo.png"), Some("logo.png"));
    }

    #[test]
    fn files_name_their_path() {
        let err = read_text(Path::new("/nonexistent/portico-test.css")).unwrap_err();
        assert_eq!(
            err.message(),
            "cannot read /nonexistent/portico-test.css: No such file or directory"
        );
    }

    #[test]
    fn password_files_give_their_first_line() {
        let dir = std::env::temp_dir().join(format!("portico-cli-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("pw");
        std::fs::write(&path, "s3cret\r\n").unwrap();
        assert_eq!(read_password("--password-file", &path).unwrap(), "s3cret");
        std::fs::write(&path, "\n").unwrap();
        let err = read_password("--password-file", &path).unwrap_err();
        assert!(err.message().starts_with("--password-file: "), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
