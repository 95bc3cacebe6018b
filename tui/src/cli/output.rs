//! What the CLI prints: the protocol's JSON with `--json`, otherwise aligned `key: value` lines
//! and tables. Every user-supplied string passes through [`clean`] before it reaches a terminal.

use std::borrow::Cow;
use std::fmt::Write as _;

use portico_protocol::Micros;
use serde::Serialize;

use super::error::CliError;

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Readable text and tables.
    Human,
    /// Pretty JSON of the protocol type.
    Json,
}

impl Format {
    /// `--json` or not.
    pub fn from_flag(json: bool) -> Format {
        if json { Format::Json } else { Format::Human }
    }

    /// Renders `value` as pretty JSON, or with `human`.
    pub fn render<T: Serialize + ?Sized>(
        self,
        value: &T,
        human: impl FnOnce(&T) -> String,
    ) -> Result<String, CliError> {
        match self {
            Format::Json => json(value),
            Format::Human => Ok(human(value)),
        }
    }
}

/// Pretty JSON with a final newline. serde_json escapes the C0 controls itself; DEL, the C1
/// controls and direction overrides are escaped here too (`\u009b`), which reads back to the
/// same strings but cannot drive a terminal.
pub fn json<T: Serialize + ?Sized>(value: &T) -> Result<String, CliError> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| CliError::new(format!("cannot print the result as JSON: {e}")))?;
    let mut out = String::with_capacity(text.len() + 1);
    for c in text.chars() {
        if needs_escape(c) && !matches!(c, '\n' | '\r' | '\t') {
            // Outside strings pretty JSON holds only newlines and spaces, so every such
            // character is inside a string, where `\uXXXX` is valid.
            let _ = write!(out, "\\u{:04x}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out.push('\n');
    Ok(out)
}

/// What `rm` commands print with `--json`: `{"removed": "<key>"}`.
#[derive(Debug, Serialize)]
pub struct Removed {
    /// The key of what was removed.
    pub removed: String,
}

/// Renders a removal: `{"removed": key}` or `removed <what> <key>`.
pub fn removed(format: Format, what: &str, key: String) -> Result<String, CliError> {
    format.render(&Removed { removed: key }, |r| {
        format!("removed {what} {}\n", clean(&r.removed))
    })
}

/// Escapes control characters (and Unicode direction overrides, which can disguise text), so
/// that what a user typed cannot move the cursor, recolour or retitle the admin's terminal.
pub fn clean(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

fn needs_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// A Unix time as `2026-01-01 12:00:00 UTC`.
pub fn time(secs: i64) -> String {
    let format =
        ::time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second] UTC");
    ::time::OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|t| t.format(format).ok())
        .unwrap_or_else(|| secs.to_string())
}

/// A Unix time as a table cell: `2026-01-01 12:00:00` (UTC, said in the column's header).
pub fn utc(secs: i64) -> String {
    let format =
        ::time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    ::time::OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|t| t.format(format).ok())
        .unwrap_or_else(|| secs.to_string())
}

/// The UTC day of a Unix time: `2026-01-01`.
pub fn day(secs: i64) -> String {
    let format = ::time::macros::format_description!("[year]-[month]-[day]");
    ::time::OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|t| t.format(format).ok())
        .unwrap_or_else(|| secs.to_string())
}

/// The UTC month of a Unix time: `2026-01`.
pub fn month(secs: i64) -> String {
    let format = ::time::macros::format_description!("[year]-[month]");
    ::time::OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|t| t.format(format).ok())
        .unwrap_or_else(|| secs.to_string())
}

/// A Unix time as RFC 3339 in UTC, for scripts: `2026-01-01T12:00:00Z`.
pub fn rfc3339(secs: i64) -> String {
    ::time::OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|t| {
            t.format(&::time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| secs.to_string())
}

/// Seconds as minutes with two decimals, rounded half-up: `90` is `1.50`.
pub fn minutes(secs: u64) -> String {
    let hundredths = (u128::from(secs) * 100 + 30) / 60;
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}

/// `yes` or `no`.
pub fn yes_no(value: bool) -> &'static str {
    if value { "yes" } else { "no" }
}

/// Amounts for one right-aligned column, all with as many decimals as the most precise one
/// (at least two), so that their decimal points line up: `1.50`, `0.0125` become `1.5000`,
/// `0.0125`. An absent amount is an empty cell. Every amount stays exact.
pub fn amount_column(values: &[Option<Micros>]) -> Vec<String> {
    let texts: Vec<Option<String>> = values.iter().map(|v| v.map(|m| m.to_string())).collect();
    let decimals = texts
        .iter()
        .flatten()
        .map(|t| t.split_once('.').map_or(0, |(_, f)| f.len()))
        .max()
        .unwrap_or(2);
    texts
        .into_iter()
        .map(|t| match t {
            None => String::new(),
            Some(mut t) => {
                let have = t.split_once('.').map_or(0, |(_, f)| f.len());
                if have == 0 {
                    t.push('.');
                }
                t.extend(std::iter::repeat_n('0', decimals.saturating_sub(have)));
                t
            }
        })
        .collect()
}

/// A list for a `key: value` line or a cell: comma separated, `(none)` when empty.
pub fn join<T: ToString>(items: &[T]) -> String {
    if items.is_empty() {
        "(none)".to_string()
    } else {
        items
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A value that may be absent.
pub fn opt<T: ToString>(value: Option<T>) -> String {
    value.map_or_else(|| "(none)".to_string(), |v| v.to_string())
}

/// Aligned `key: value` lines.
#[derive(Debug, Default)]
pub struct Fields {
    rows: Vec<(String, String)>,
}

impl Fields {
    /// No lines yet.
    pub fn new() -> Fields {
        Fields::default()
    }

    /// Adds a line.
    pub fn add(&mut self, key: impl Into<String>, value: impl Into<String>) -> &mut Fields {
        self.rows.push((key.into(), value.into()));
        self
    }

    /// The lines, each value cleaned, with the values in one column.
    pub fn render(&self) -> String {
        let width = self
            .rows
            .iter()
            .map(|(k, _)| k.chars().count())
            .max()
            .unwrap_or(0);
        let mut out = String::new();
        for (key, value) in &self.rows {
            let value = clean(value);
            if value.is_empty() {
                let _ = writeln!(out, "{key}:");
            } else {
                let pad = width - key.chars().count();
                let _ = writeln!(out, "{key}:{} {value}", " ".repeat(pad));
            }
        }
        out
    }
}

/// How a table column is aligned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Text.
    Left,
    /// Numbers and amounts.
    Right,
}

/// A table with a header row and aligned columns.
#[derive(Debug)]
pub struct Table {
    headers: Vec<(&'static str, Align)>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these columns.
    pub fn new(headers: &[(&'static str, Align)]) -> Table {
        Table {
            headers: headers.to_vec(),
            rows: Vec::new(),
        }
    }

    /// Adds a row; it must have one cell per column.
    pub fn row(&mut self, cells: Vec<String>) -> &mut Table {
        self.rows.push(cells);
        self
    }

    /// Whether no row was added.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The table, every line prefixed by `indent`, cells cleaned, no trailing spaces.
    pub fn render(&self, indent: &str) -> String {
        self.render_continued(indent, &mut Vec::new(), true)
    }

    /// One page of a table printed page by page: the columns are at least `widths` wide and
    /// `widths` grows to fit this page; the header row only when `header`.
    pub fn render_continued(&self, indent: &str, widths: &mut Vec<usize>, header: bool) -> String {
        let cells: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|row| row.iter().map(|c| clean(c).into_owned()).collect())
            .collect();
        widths.resize(self.headers.len(), 0);
        for (w, (h, _)) in widths.iter_mut().zip(&self.headers) {
            *w = (*w).max(h.len());
        }
        for row in &cells {
            for (i, cell) in row.iter().enumerate() {
                if let Some(w) = widths.get_mut(i) {
                    *w = (*w).max(cell.chars().count());
                }
            }
        }
        let mut out = String::new();
        let names: Vec<String> = self.headers.iter().map(|(h, _)| h.to_string()).collect();
        let header_row = header.then_some(&names);
        for row in header_row.into_iter().chain(cells.iter()) {
            let mut line = String::from(indent);
            for (i, cell) in row.iter().enumerate() {
                let width = widths.get(i).copied().unwrap_or(0);
                let align = self.headers.get(i).map_or(Align::Left, |(_, a)| *a);
                let pad = " ".repeat(width.saturating_sub(cell.chars().count()));
                if i > 0 {
                    line.push_str("  ");
                }
                match align {
                    Align::Left => {
                        line.push_str(cell);
                        line.push_str(&pad);
                    }
                    Align::Right => {
                        line.push_str(&pad);
                        line.push_str(cell);
                    }
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

/// A table, or `empty` (a hint on what to do) when it has no rows.
pub fn table_or(table: &Table, empty: &str) -> String {
    if table.is_empty() {
        format!("{empty}\n")
    } else {
        table.render("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_escapes_control_characters() {
        assert_eq!(clean("plain ünïcode"), "plain ünïcode");
        assert_eq!(clean("a\nb\tc"), "a\\nb\\tc");
        assert_eq!(clean("\u{1b}[31mred"), "\\u{1b}[31mred");
        assert_eq!(clean("\u{9b}x\u{7f}"), "\\u{9b}x\\u{7f}");
        assert_eq!(clean("abc\u{202e}def"), "abc\\u{202e}def");
    }

    #[test]
    fn fields_align_values() {
        let mut f = Fields::new();
        f.add("fqdn", "a.test")
            .add("brand_name", "A\u{1b}")
            .add("footer", "");
        assert_eq!(
            f.render(),
            "fqdn:       a.test\nbrand_name: A\\u{1b}\nfooter:\n"
        );
    }

    #[test]
    fn tables_align_columns() {
        let mut t = Table::new(&[
            ("ID", Align::Right),
            ("NAME", Align::Left),
            ("X", Align::Left),
        ]);
        t.row(vec!["7".into(), "Demo".into(), "".into()]);
        t.row(vec!["12".into(), "A".into(), "y".into()]);
        assert_eq!(t.render(""), "ID  NAME  X\n 7  Demo\n12  A     y\n");
    }

    #[test]
    fn times_are_utc() {
        assert_eq!(time(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(time(1_767_225_600), "2026-01-01 00:00:00 UTC");
    }

    #[test]
    fn json_escapes_terminal_controls_and_round_trips() {
        let value = vec!["a\u{9b}31m\u{7f}\u{202e}b\n\u{1b}".to_string()];
        let text = json(&value).unwrap();
        assert!(
            !text.chars().any(|c| needs_escape(c) && c != '\n'),
            "{text:?}"
        );
        assert!(
            text.contains("\\u009b31m\\u007f\\u202eb\\n\\u001b"),
            "{text}"
        );
        let back: Vec<String> = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
    }

    #[test]
    fn removed_as_json() {
        let text = removed(Format::Json, "domain", "a.test".into()).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v, serde_json::json!({"removed": "a.test"}));
        let text = removed(Format::Human, "domain", "a.test".into()).unwrap();
        assert_eq!(text, "removed domain a.test\n");
    }

    #[test]
    fn tables_continue_page_by_page() {
        let headers = [("ID", Align::Right), ("NAME", Align::Left)];
        let mut widths = Vec::new();
        let mut first = Table::new(&headers);
        first.row(vec!["7".into(), "Demo".into()]);
        let mut second = Table::new(&headers);
        second.row(vec!["12".into(), "A".into()]);
        let mut text = first.render_continued("", &mut widths, true);
        text.push_str(&second.render_continued("", &mut widths, false));
        assert_eq!(text, "ID  NAME\n 7  Demo\n12  A\n");
    }

    #[test]
    fn amounts_line_up_and_stay_exact() {
        let col = amount_column(&[
            Some(Micros(1_500_000)),
            Some(Micros(12_500)),
            None,
            Some(Micros(-3_000_000)),
        ]);
        assert_eq!(col, vec!["1.5000", "0.0125", "", "-3.0000"]);
        assert_eq!(amount_column(&[Some(Micros(0))]), vec!["0.00"]);
        assert_eq!(amount_column(&[None]), vec![""]);
    }

    #[test]
    fn minutes_have_two_decimals_rounded_half_up() {
        assert_eq!(minutes(0), "0.00");
        assert_eq!(minutes(90), "1.50");
        assert_eq!(minutes(1), "0.02");
        assert_eq!(minutes(3600), "60.00");
        assert_eq!(minutes(59), "0.98");
    }

    #[test]
    fn time_cells() {
        assert_eq!(utc(1_767_225_600 + 3661), "2026-01-01 01:01:01");
        assert_eq!(day(1_767_225_600 + 3661), "2026-01-01");
        assert_eq!(month(1_767_225_600), "2026-01");
        assert_eq!(rfc3339(1_767_225_600 + 3661), "2026-01-01T01:01:01Z");
    }
}
