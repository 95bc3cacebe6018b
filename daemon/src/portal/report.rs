//! What the report pages (calls, breakout, rates) share: date ranges typed by a person, links
//! that keep the filters, and CSV answers.

use std::fmt::Write as _;

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// What a query value escapes: everything but unreserved characters (RFC 3986).
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// An inclusive range of calendar days in some time zone, and the Unix seconds it covers
/// (`from` inclusive, `to` exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayRange {
    pub first: Date,
    pub last: Date,
    pub from: i64,
    pub to: i64,
}

impl DayRange {
    /// `first..=last` in `tz`; `None` when a day has no start in this zone's range of times.
    pub fn new(first: Date, last: Date, tz: &TimeZone) -> Option<Self> {
        let start = |d: Date| {
            d.to_zoned_datetime(tz.clone())
                .ok()
                .map(|z| z.timestamp().as_second())
        };
        Some(DayRange {
            first,
            last,
            from: start(first)?,
            to: start(last.tomorrow().ok()?)?,
        })
    }

    /// The range the form asked for: `from` and `to` as `YYYY-MM-DD` (either may be empty),
    /// else `default`. Returns the range and what was wrong with the input, said for a person.
    pub fn from_form(
        from: Option<&str>,
        to: Option<&str>,
        default: DayRange,
        tz: &TimeZone,
    ) -> (Self, Option<String>) {
        let parse = |label: &str, text: Option<&str>, fallback: Date| match text
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            None => Ok(fallback),
            Some(t) => t.parse::<Date>().map_err(|_| {
                format!("The {label} date \u{201c}{t}\u{201d} is not a date like 2026-11-27.")
            }),
        };
        let first = parse("start", from, default.first);
        let last = parse("end", to, default.last);
        let (first, last) = match (first, last) {
            (Ok(f), Ok(l)) if f <= l => (f, l),
            (Ok(_), Ok(_)) => {
                return (
                    default,
                    Some("The start date is after the end date; showing the default range.".into()),
                );
            }
            (Err(e), _) | (_, Err(e)) => return (default, Some(e)),
        };
        match DayRange::new(first, last, tz) {
            Some(range) => (range, None),
            None => (
                default,
                Some("Those dates are out of range; showing the default range.".into()),
            ),
        }
    }
}

/// Today in `tz`.
pub fn today(now: i64, tz: &TimeZone) -> Date {
    match jiff::Timestamp::from_second(now) {
        Ok(ts) => tz.to_datetime(ts).date(),
        Err(_) => jiff::civil::date(1970, 1, 1),
    }
}

/// The positions (from 1) of the columns marked in `marks`, space-separated: `"5 6 8"`. A
/// report table names its numeric columns (`data-num`) and wrapping ones (`data-wrap`) once
/// this way, and the theme aligns their cells by position (`theme.css`, "Report tables"),
/// instead of each of the page's cells carrying a class.
pub fn positions(marks: impl IntoIterator<Item = bool>) -> String {
    let mut out = String::new();
    for (at, _) in marks.into_iter().enumerate().filter(|&(_, marked)| marked) {
        if !out.is_empty() {
            out.push(' ');
        }
        let _ = write!(out, "{}", at + 1);
    }
    out
}

/// A query string (`?a=1&b=x%20y`) of the non-empty pairs; empty when there are none.
pub fn query_string(pairs: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (key, value) in pairs.iter().filter(|(_, v)| !v.is_empty()) {
        out.push(if out.is_empty() { '?' } else { '&' });
        let _ = write!(out, "{key}={}", utf8_percent_encode(value, QUERY_VALUE));
    }
    out
}

/// The headers of a CSV download named `filename` (ASCII, no quotes).
pub fn csv_headers(response: &mut Response, filename: &str) {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
}

/// A whole CSV file, written already.
pub fn csv_file(body: Vec<u8>, filename: &str) -> Response {
    let mut response = (StatusCode::OK, Bytes::from(body)).into_response();
    csv_headers(&mut response, filename);
    response
}

/// A CSV download streamed from a channel: each message is a piece of the file; an error ends
/// the body early, so the client sees a broken download rather than a silently short file.
pub fn csv_stream(
    pieces: tokio::sync::mpsc::Receiver<Result<Bytes, std::io::Error>>,
    filename: &str,
) -> Response {
    let mut pieces = pieces;
    let stream = futures::stream::poll_fn(move |cx| pieces.poll_recv(cx));
    let mut response = (StatusCode::OK, Body::from_stream(stream)).into_response();
    csv_headers(&mut response, filename);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_ranges_follow_the_zone_and_explain_bad_input() {
        let ny = TimeZone::get("America/New_York").unwrap();
        let d = |s: &str| s.parse::<Date>().unwrap();
        let default = DayRange::new(d("2026-11-21"), d("2026-11-27"), &ny).unwrap();
        // 2026-11-21T00:00-05:00 .. 2026-11-28T00:00-05:00
        assert_eq!(default.from, 1_795_237_200);
        assert_eq!(default.to, 1_795_842_000);
        let (r, problem) = DayRange::from_form(Some("2026-11-27"), Some(""), default, &ny);
        assert_eq!(
            (r.first, r.last, problem),
            (d("2026-11-27"), d("2026-11-27"), None)
        );
        let (r, problem) = DayRange::from_form(Some("27/11/2026"), None, default, &ny);
        assert_eq!(r, default);
        assert!(problem.unwrap().contains("27/11/2026"));
        let (r, problem) =
            DayRange::from_form(Some("2026-11-28"), Some("2026-11-01"), default, &ny);
        assert_eq!(r, default);
        assert!(problem.unwrap().contains("after the end date"));
    }

    #[test]
    fn positions_count_from_one_and_list_only_the_marked_columns() {
        assert_eq!(positions([false, true, true, false, true]), "2 3 5");
        assert_eq!(positions([true]), "1");
        assert_eq!(positions([false, false]), "");
        assert_eq!(
            positions(std::iter::repeat_n(true, 20))
                .split(' ')
                .next_back(),
            Some("20")
        );
    }

    #[test]
    fn query_strings_skip_empty_values_and_encode() {
        assert_eq!(query_string(&[("a", ""), ("b", "")]), "");
        assert_eq!(
            query_string(&[("from", "2026-11-01"), ("q", "+44 7&x"), ("c", "")]),
            "?from=2026-11-01&q=%2B44%207%26x"
        );
    }
}
