//! Free text an admin types: names, descriptions, footers, contract texts.

use portico_protocol::AdminError;

/// Longest excerpt of a refused value that an error message quotes.
const SHOWN_CHARS: usize = 60;

/// A user-supplied value quoted for an error message: escaped (so control characters and quotes
/// stay visible and cannot break a terminal) and shortened when long.
pub fn shown(s: &str) -> String {
    if s.chars().count() <= SHOWN_CHARS {
        format!("{s:?}")
    } else {
        let head: String = s.chars().take(SHOWN_CHARS).collect();
        format!("{head:?}…")
    }
}

/// Checks free text and returns the value to store.
///
/// A single-line value is trimmed and may hold no control character; a multi-line value keeps
/// its spacing, has Windows line ends (`\r\n`) turned into `\n`, and may hold `\n` and `\t` but
/// no other control character. Text longer than `max_chars` characters is refused. Empty text is
/// accepted (see [`check_required`]).
pub fn check_text(
    field: &str,
    s: &str,
    max_chars: usize,
    multiline: bool,
) -> Result<String, AdminError> {
    let value = if multiline {
        s.replace("\r\n", "\n")
    } else {
        s.trim().to_string()
    };
    if let Some((line, c)) = first_control(&value, multiline) {
        let place = if multiline {
            format!(" on line {line}")
        } else {
            String::new()
        };
        let what = if multiline {
            "only line breaks and tabs are allowed"
        } else {
            "this value must be a single line of plain text"
        };
        return Err(AdminError::invalid(
            field,
            format!(
                "contains the control character U+{:04X}{place}; {what}, so remove it",
                u32::from(c)
            ),
        ));
    }
    let count = value.chars().count();
    if count > max_chars {
        return Err(AdminError::invalid(
            field,
            format!(
                "is {count} characters long; the limit is {max_chars}, so shorten it by {}",
                count - max_chars
            ),
        ));
    }
    Ok(value)
}

/// Like [`check_text`] for a single-line value that must not be empty (after trimming).
pub fn check_required(field: &str, s: &str, max_chars: usize) -> Result<String, AdminError> {
    let value = check_text(field, s, max_chars, false)?;
    if value.is_empty() {
        return Err(AdminError::invalid(
            field,
            "is empty; give a value (spaces alone do not count)",
        ));
    }
    Ok(value)
}

/// The 1-based line and the first control character that is not allowed.
fn first_control(s: &str, multiline: bool) -> Option<(usize, char)> {
    let mut line = 1;
    for c in s.chars() {
        if c == '\n' && multiline {
            line += 1;
            continue;
        }
        if c == '\t' && multiline {
            continue;
        }
        if c.is_control() {
            return Some((line, c));
        }
    }
    None
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn reason(err: AdminError) -> (String, String) {
        match err {
            AdminError::Invalid { field, reason } => (field, reason),
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    #[test]
    fn single_line_is_trimmed() {
        assert_eq!(
            check_text("brand_name", "  Acme Voice \t", 100, false).unwrap(),
            "Acme Voice"
        );
        assert_eq!(check_text("footer", "", 100, false).unwrap(), "");
    }

    #[test]
    fn single_line_refuses_control_characters_including_newlines() {
        let (field, text) =
            reason(check_text("brand_name", "Acme\nVoice", 100, false).unwrap_err());
        assert_eq!(field, "brand_name");
        assert!(text.contains("U+000A"), "{text}");
        assert!(text.contains("single line"), "{text}");
        assert!(check_text("brand_name", "Acme\tVoice", 100, false).is_err());
        assert!(check_text("brand_name", "Acme\u{1b}[31m", 100, false).is_err());
        assert!(check_text("brand_name", "Acme\u{7f}", 100, false).is_err());
        assert!(check_text("brand_name", "Ac\u{85}me", 100, false).is_err());
    }

    #[test]
    fn multiline_keeps_newlines_and_tabs_and_normalises_crlf() {
        let value = check_text("text", "  Clause 1\r\n\tdetail\n", 100, true).unwrap();
        assert_eq!(value, "  Clause 1\n\tdetail\n");
    }

    #[test]
    fn multiline_refuses_other_control_characters_with_the_line() {
        let (_, text) = reason(check_text("text", "ok\nok\nbad\u{0}", 100, true).unwrap_err());
        assert!(text.contains("U+0000 on line 3"), "{text}");
        assert!(check_text("text", "lone\rcarriage", 100, true).is_err());
    }

    #[test]
    fn length_is_counted_in_characters_and_the_limit_is_named() {
        assert_eq!(check_text("name", "äöü", 3, false).unwrap(), "äöü");
        let (_, text) = reason(check_text("name", "abcde", 3, false).unwrap_err());
        assert!(text.contains("5 characters"), "{text}");
        assert!(text.contains("limit is 3"), "{text}");
    }

    #[test]
    fn required_refuses_empty_and_blank() {
        assert_eq!(check_required("name", " Acme ", 10).unwrap(), "Acme");
        let (field, text) = reason(check_required("name", "   ", 10).unwrap_err());
        assert_eq!(field, "name");
        assert!(text.contains("empty"), "{text}");
        assert!(check_required("name", "", 10).is_err());
        assert!(check_required("name", "way too long", 3).is_err());
    }

    #[test]
    fn shown_escapes_and_shortens() {
        assert_eq!(shown("a\"b\n"), r#""a\"b\n""#);
        let long = "x".repeat(100);
        let s = shown(&long);
        assert!(s.ends_with('…'));
        assert_eq!(s.chars().filter(|c| *c == 'x').count(), SHOWN_CHARS);
    }
}
