//! CSV for scripts (`--csv`): RFC 4180 quoting, one record per line ending in `\n`.
//!
//! The values are the data itself, unchanged, when the output goes to a file or a pipe. When it
//! goes to a terminal, control characters are escaped as in tables (see [`clean`]), since CDR
//! fields such as the calling number come from the network.

use std::borrow::Cow;

use super::output::clean;

/// How values are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Csv {
    /// Exactly as they are (to a file or a pipe).
    Exact,
    /// With control characters escaped (to a terminal).
    Terminal,
}

impl Csv {
    /// One record from its values, with its line end.
    pub fn record<S: AsRef<str>>(self, values: &[S]) -> String {
        let mut line = String::new();
        for (i, value) in values.iter().enumerate() {
            if i > 0 {
                line.push(',');
            }
            let value = match self {
                Csv::Exact => Cow::Borrowed(value.as_ref()),
                Csv::Terminal => clean(value.as_ref()),
            };
            line.push_str(&field(&value));
        }
        line.push('\n');
        line
    }
}

/// One field: quoted, with quotes doubled, when it holds a comma, a quote or a line end.
pub fn field(value: &str) -> Cow<'_, str> {
    if value.contains([',', '"', '\n', '\r']) {
        Cow::Owned(format!("\"{}\"", value.replace('"', "\"\"")))
    } else {
        Cow::Borrowed(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_only_when_needed() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field(""), "");
        assert_eq!(field("+44 20 7946 0000"), "+44 20 7946 0000");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
        assert_eq!(field("cr\r"), "\"cr\r\"");
    }

    #[test]
    fn records_join_fields() {
        let exact = Csv::Exact.record(&["a", "b,c", "", "d\"e\nf"]);
        assert_eq!(exact, "a,\"b,c\",,\"d\"\"e\nf\"\n");
        // What a CSV reader makes of it is what went in.
        let back = parse_line(&exact);
        assert_eq!(back, vec!["a", "b,c", "", "d\"e\nf"]);
    }

    #[test]
    fn terminal_records_escape_controls() {
        let line = Csv::Terminal.record(&["\u{1b}[31mred", "x\ny", "caf\u{e9}"]);
        assert_eq!(line, "\\u{1b}[31mred,x\\ny,caf\u{e9}\n");
        assert!(!line.contains('\u{1b}'));
    }

    /// A minimal RFC 4180 reader for one record, to check the writer against.
    fn parse_line(text: &str) -> Vec<String> {
        let mut out = vec![String::new()];
        let mut quoted = false;
        let mut chars = text.trim_end_matches('\n').chars().peekable();
        while let Some(c) = chars.next() {
            match (quoted, c) {
                (true, '"') if chars.peek() == Some(&'"') => {
                    chars.next();
                    out.last_mut().unwrap().push('"');
                }
                (_, '"') => quoted = !quoted,
                (false, ',') => out.push(String::new()),
                (_, c) => out.last_mut().unwrap().push(c),
            }
        }
        out
    }
}
