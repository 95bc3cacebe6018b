//! Reading flag values: lists, booleans, protocol names and files. Every error names the flag.

use std::io::Read;
use std::path::Path;
use std::str::FromStr;

use portico_protocol::{CdrCursor, UnknownName};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, PrimitiveDateTime};

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

/// A point in time as Unix seconds: `YYYY-MM-DD` (midnight UTC), `YYYY-MM-DD HH:MM` or
/// `YYYY-MM-DD HH:MM:SS` (UTC), or RFC 3339 with its own offset (`2026-01-31T08:00:00+01:00`).
pub fn date(flag: &str, text: &str) -> Result<i64, CliError> {
    let t = text.trim();
    let day = format_description!("[year]-[month]-[day]");
    let minutes = format_description!("[year]-[month]-[day] [hour]:[minute]");
    let seconds = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    if let Ok(d) = Date::parse(t, day) {
        return Ok(d.midnight().assume_utc().unix_timestamp());
    }
    for format in [minutes, seconds] {
        if let Ok(dt) = PrimitiveDateTime::parse(t, format) {
            return Ok(dt.assume_utc().unix_timestamp());
        }
    }
    if let Ok(dt) = OffsetDateTime::parse(t, &Rfc3339) {
        return Ok(dt.unix_timestamp());
    }
    Err(CliError::flag(
        flag,
        format!(
            "\"{text}\" is not a date; use YYYY-MM-DD, \"YYYY-MM-DD HH:MM[:SS]\" (both UTC) or \
             RFC 3339 such as 2026-01-31T08:00:00+01:00"
        ),
    ))
}

/// A `--from`/`--to` pair, each optional; refused when the range is empty.
pub fn date_range(
    from: Option<&str>,
    to: Option<&str>,
) -> Result<(Option<i64>, Option<i64>), CliError> {
    let from = from.map(|t| date("--from", t)).transpose()?;
    let to = to.map(|t| date("--to", t)).transpose()?;
    if let (Some(f), Some(t)) = (from, to)
        && f >= t
    {
        return Err(CliError::flag(
            "--to",
            "the range is empty: --to must be after --from (--to is exclusive)",
        ));
    }
    Ok((from, to))
}

/// A CDR page cursor as printed by `portico cdr list`: `CALL_TIME:SEQ`.
pub fn cursor(flag: &str, text: &str) -> Result<CdrCursor, CliError> {
    let bad = || {
        CliError::flag(
            flag,
            format!(
                "\"{text}\" is not a cursor; pass the value printed after `more: --after` \
                 (CALL_TIME:SEQ, e.g. 1795737600:42)"
            ),
        )
    };
    let (time, seq) = text.trim().rsplit_once(':').ok_or_else(bad)?;
    Ok(CdrCursor {
        call_time: time.parse().map_err(|_| bad())?,
        seq: seq.parse().map_err(|_| bad())?,
    })
}

/// How a cursor is written for `--after`.
pub fn cursor_text(cursor: &CdrCursor) -> String {
    format!("{}:{}", cursor.call_time, cursor.seq)
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

    #[test]
    fn dates_in_every_accepted_form() {
        // 2026-01-31 00:00:00 UTC
        let midnight = 1_769_817_600;
        assert_eq!(date("--from", "2026-01-31"), Ok(midnight));
        assert_eq!(date("--from", " 2026-01-31 "), Ok(midnight));
        assert_eq!(
            date("--from", "2026-01-31 08:15"),
            Ok(midnight + 8 * 3600 + 15 * 60)
        );
        assert_eq!(
            date("--from", "2026-01-31 08:15:07"),
            Ok(midnight + 8 * 3600 + 15 * 60 + 7)
        );
        assert_eq!(
            date("--from", "2026-01-31T08:00:00Z"),
            Ok(midnight + 8 * 3600)
        );
        assert_eq!(
            date("--from", "2026-01-31T08:00:00+01:00"),
            Ok(midnight + 7 * 3600)
        );
        assert_eq!(date("--to", "1969-12-31"), Ok(-86_400));
    }

    #[test]
    fn bad_dates_name_the_flag_and_the_forms() {
        for bad in [
            "2026-13-01",
            "31/01/2026",
            "2026-01-31 25:00",
            "2026-01-31T08:00:00",
            "",
            "now",
        ] {
            let err = date("--to", bad).unwrap_err();
            assert!(
                err.message()
                    .starts_with(&format!("--to: \"{bad}\" is not a date; use YYYY-MM-DD")),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn ranges_must_not_be_empty() {
        assert_eq!(date_range(None, None), Ok((None, None)));
        assert_eq!(
            date_range(Some("2026-01-01"), Some("2026-01-02")),
            Ok((Some(1_767_225_600), Some(1_767_312_000)))
        );
        let err = date_range(Some("2026-01-02"), Some("2026-01-02")).unwrap_err();
        assert!(
            err.message().starts_with("--to: the range is empty"),
            "{err}"
        );
        assert!(
            date_range(Some("x"), None)
                .unwrap_err()
                .message()
                .starts_with("--from: ")
        );
    }

    #[test]
    fn cursors_round_trip() {
        let c = CdrCursor {
            call_time: 1_795_737_600,
            seq: 42,
        };
        assert_eq!(cursor_text(&c), "1795737600:42");
        assert_eq!(cursor("--after", "1795737600:42"), Ok(c));
        let before_1970 = cursor("--after", "-60:7").unwrap();
        assert_eq!((before_1970.call_time, before_1970.seq), (-60, 7));
        for bad in ["1795737600", "a:1", "1:-2", "1:2:3", ""] {
            let err = cursor("--after", bad).unwrap_err();
            assert!(err.message().starts_with("--after: "), "{bad}: {err}");
        }
    }
}
