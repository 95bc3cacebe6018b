//! Table cells of the report pages, written straight into the page: a cell borrows what it
//! shows and writes it while the page is written, so a table of N rows allocates no string per
//! cell. In templates, askama escapes what they write like any other value. The CDR table
//! writes its cells with the `push_*` helpers below, straight from the stored row.

use std::fmt;

use askama::filters::{Escaper, Html};
use jiff::tz::TimeZone;
use portico_protocol::Micros;

use crate::model::money;

/// One cell of a report table.
#[derive(Debug, Clone, Copy)]
pub enum Cell<'a> {
    Text(&'a str),
    /// Unix seconds shown as `2026-11-27 14:05` in the zone.
    Minute(i64, &'a TimeZone),
    /// Seconds shown as `1:05` or `2:03:04`.
    Seconds(u64),
    Int(u64),
    /// Seconds shown as minutes with two decimals (rounded half-up).
    Minutes(u64),
    /// Unix seconds shown as the date `2026-11-27` in the zone.
    Date(i64, &'a TimeZone),
    /// Micro-units rounded to this many decimals.
    Money(i64, u32),
    Empty,
}

impl Cell<'_> {
    /// Writes the cell into an HTML page: text escaped, everything else as it is (digits and
    /// separators only, nothing to escape), with no formatting machinery.
    pub fn push_html(&self, out: &mut String) {
        match *self {
            Cell::Text(text) => push_text(out, text),
            _ => self.push_plain(out),
        }
    }

    /// Writes the cell as plain text (text unescaped).
    fn push_plain(&self, out: &mut String) {
        match *self {
            Cell::Text(text) => out.push_str(text),
            Cell::Minute(unix, tz) => Clock::new(tz).push(out, unix, false),
            Cell::Seconds(s) => push_seconds(out, s),
            Cell::Int(n) => push_int(out, n),
            Cell::Minutes(s) => {
                let hundredths = (s * 100 + 30) / 60;
                push_int(out, hundredths / 100);
                out.push('.');
                push_2(out, hundredths % 100);
            }
            Cell::Date(unix, tz) => {
                if let Ok(ts) = jiff::Timestamp::from_second(unix) {
                    push_date(out, tz.to_datetime(ts).date());
                }
            }
            Cell::Money(micros, places) => push_micros(out, micros, places),
            Cell::Empty => {}
        }
    }
}

/// Text escaped for HTML. Most text (numbers, names) has nothing to escape and is copied as it
/// is.
#[inline]
pub fn push_text(out: &mut String, text: &str) {
    // Every byte is looked at (no early exit), which the compiler turns into a few wide
    // comparisons.
    if text.bytes().fold(false, |found, b| {
        found | matches!(b, b'<' | b'>' | b'&' | b'"' | b'\'')
    }) {
        // Writing to a String cannot fail.
        let _ = Html.write_escaped_str(&mut *out, text);
    } else {
        out.push_str(text);
    }
}

/// Seconds as `1:05` or `2:03:04` (what [`Cell::Seconds`] shows).
#[inline]
pub fn push_seconds(out: &mut String, s: u64) {
    let (h, m, s) = (s / 3600, s / 60 % 60, s % 60);
    if h > 0 {
        push_int(out, h);
        out.push(':');
        push_2(out, m);
    } else {
        push_int(out, m);
    }
    out.push(':');
    push_2(out, s);
}

/// Micro-units with at least `places` decimals and every further non-zero digit (rates:
/// 0.0125 is not 0.01).
#[inline]
pub fn push_exact(out: &mut String, micros: i64, places: u32) {
    push_micros(out, micros, decimals(micros).max(places))
}

impl fmt::Display for Cell<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Cell::Text(text) => f.write_str(text),
            _ => {
                let mut plain = String::with_capacity(24);
                self.push_plain(&mut plain);
                f.write_str(&plain)
            }
        }
    }
}

/// Writes the times of one zone as the tables show them, keeping the date of the last local
/// day it wrote: the rows of a table are mostly of a few days, so a row costs one offset lookup
/// and some arithmetic, and the civil date is worked out again only when the day changes.
#[derive(Debug)]
pub struct Clock<'a> {
    zone: &'a TimeZone,
    /// The local day (days since 1970-01-01 in the zone) whose date `date` holds.
    day: Option<i64>,
    /// `2026-11-27 `.
    date: String,
}

impl<'a> Clock<'a> {
    pub fn new(zone: &'a TimeZone) -> Self {
        Clock {
            zone,
            day: None,
            date: String::new(),
        }
    }

    /// Unix seconds as `2026-11-27 14:05:09` in the zone, or `2026-11-27 14:05` without the
    /// seconds; nothing for a time outside what a calendar can show (years -9999 to 9999).
    #[inline]
    pub fn push(&mut self, out: &mut String, unix: i64, with_seconds: bool) {
        let Ok(ts) = jiff::Timestamp::from_second(unix) else {
            return;
        };
        // The offset in force at that instant: the local time is the UTC time shifted by it.
        let local = unix + i64::from(self.zone.to_offset(ts).seconds());
        let (day, second) = (local.div_euclid(86_400), local.rem_euclid(86_400) as u64);
        if self.day != Some(day) {
            self.date.clear();
            push_date(&mut self.date, self.zone.to_datetime(ts).date());
            self.date.push(' ');
            self.day = Some(day);
        }
        out.push_str(&self.date);
        push_2(out, second / 3600);
        out.push(':');
        push_2(out, second / 60 % 60);
        if with_seconds {
            out.push(':');
            push_2(out, second % 60);
        }
    }
}

#[inline]
pub fn push_int(out: &mut String, n: u64) {
    out.push_str(itoa::Buffer::new().format(n));
}

/// `00` to `99`, two digits per number.
const PAIRS: &str = "00010203040506070809101112131415161718192021222324252627282930313233343536373839\
                     40414243444546474849505152535455565758596061626364656667686970717273747576777879\
                     8081828384858687888990919293949596979899";

/// Two digits, zero first: `n` modulo 100.
#[inline]
fn push_2(out: &mut String, n: u64) {
    let at = (n % 100) as usize * 2;
    out.push_str(&PAIRS[at..at + 2]);
}

/// `2026-11-27` (years outside 0..=9999 as they are).
fn push_date(out: &mut String, d: jiff::civil::Date) {
    let year = d.year();
    if (0..10_000).contains(&year) {
        let year = year as u64;
        push_2(out, year / 100);
        push_2(out, year);
    } else {
        out.push_str(itoa::Buffer::new().format(year));
    }
    out.push('-');
    push_2(out, d.month().unsigned_abs().into());
    out.push('-');
    push_2(out, d.day().unsigned_abs().into());
}

/// How many decimals an amount of micro-units needs to be shown exactly (0 to 6).
pub fn decimals(micros: i64) -> u32 {
    let mut frac = micros.unsigned_abs() % 1_000_000;
    if frac == 0 {
        return 0;
    }
    let mut places = 6;
    while frac.is_multiple_of(10) {
        frac /= 10;
        places -= 1;
    }
    places
}

/// Micro-units rounded to `places` (at most 6) decimals: `-1.25`, `0.0125`, `7` (what
/// [`Cell::Money`] shows).
#[inline]
pub fn push_micros(out: &mut String, micros: i64, places: u32) {
    money::push_minor(out, Micros(micros), places)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_write_money_times_and_durations() {
        let s = |c: Cell<'_>| c.to_string();
        assert_eq!(s(Cell::Money(1_005_000, 2)), "1.01");
        assert_eq!(s(Cell::Money(-1_250_000, 2)), "-1.25");
        assert_eq!(s(Cell::Money(7_400_000, 0)), "7");
        assert_eq!(s(Cell::Money(76_000, 2)), "0.08");
        let exact = |micros, places| {
            let mut out = String::new();
            push_exact(&mut out, micros, places);
            out
        };
        assert_eq!(exact(12_500, 2), "0.0125");
        assert_eq!(exact(60_000, 2), "0.06");
        assert_eq!(exact(3_000_000, 0), "3");
        assert_eq!(exact(1, 2), "0.000001");
        assert_eq!(s(Cell::Seconds(65)), "1:05");
        assert_eq!(s(Cell::Minutes(61)), "1.02");
        assert_eq!(s(Cell::Minutes(90)), "1.50");
        assert_eq!(s(Cell::Date(1_795_737_600, &TimeZone::UTC)), "2026-11-27");
        assert_eq!(s(Cell::Seconds(3 * 3600 + 4)), "3:00:04");
        let ny = TimeZone::get("America/New_York").unwrap();
        assert_eq!(s(Cell::Minute(0, &ny)), "1969-12-31 19:00");
        assert_eq!(s(Cell::Minute(0, &TimeZone::UTC)), "1970-01-01 00:00");
        assert_eq!(exact(-1_012_500, 2), "-1.0125");
        assert_eq!(s(Cell::Money(-4_000, 2)), "0.00");
        assert_eq!(s(Cell::Money(-6_000, 2)), "-0.01");
        assert_eq!(s(Cell::Int(0)), "0");
        assert_eq!(s(Cell::Seconds(0)), "0:00");
        assert_eq!(s(Cell::Seconds(36_000)), "10:00:00");
        assert_eq!(s(Cell::Minutes(0)), "0.00");
        assert_eq!(s(Cell::Date(-62_135_596_800, &TimeZone::UTC)), "0001-01-01");
        assert_eq!(s(Cell::Empty), "");
    }

    #[test]
    fn html_cells_escape_text_only() {
        let html = |c: Cell<'_>| {
            let mut out = String::new();
            c.push_html(&mut out);
            out
        };
        assert_eq!(
            html(Cell::Text("<b>\"A&B\"</b>'")),
            "&#60;b&#62;&#34;A&#38;B&#34;&#60;/b&#62;&#39;"
        );
        assert_eq!(html(Cell::Text("Mobile UK")), "Mobile UK");
        assert_eq!(html(Cell::Money(1_005_000, 2)), "1.01");
        assert_eq!(
            html(Cell::Minute(1_795_737_609, &TimeZone::UTC)),
            "2026-11-27 00:00"
        );
    }

    /// The clock keeps a day's date for the next time of that day: a row of another day, a
    /// change of offset (daylight saving time) and times before 1970 must each get their own.
    #[test]
    fn the_clock_writes_every_time_as_the_zone_shows_it() {
        let write = |tz: &TimeZone, times: &[i64]| {
            let mut clock = Clock::new(tz);
            let mut out = String::new();
            for &t in times {
                clock.push(&mut out, t, true);
                out.push('|');
            }
            out
        };
        let utc = TimeZone::UTC;
        assert_eq!(
            write(&utc, &[1_795_737_609, 1_795_737_599, 1_795_737_610, -1, 0]),
            "2026-11-27 00:00:09|2026-11-26 23:59:59|2026-11-27 00:00:10|\
             1969-12-31 23:59:59|1970-01-01 00:00:00|"
        );
        // New York's clocks went back at 06:00 UTC on 2026-11-01: 01:30 came twice that night,
        // first at 05:30 UTC (EDT), then at 06:30 UTC (EST).
        let ny = TimeZone::get("America/New_York").unwrap();
        let edt_0130 = 1_793_511_000;
        assert_eq!(
            write(
                &ny,
                &[
                    edt_0130,
                    edt_0130 + 3600,
                    edt_0130 + 86_400 * 30,
                    edt_0130 - 86_400
                ]
            ),
            "2026-11-01 01:30:00|2026-11-01 01:30:00|2026-12-01 00:30:00|2026-10-31 01:30:00|"
        );
        // Every minute of a day and a half around a change of offset, against jiff's own
        // conversion, in a zone whose offset is not whole hours.
        let kathmandu = TimeZone::get("Asia/Kathmandu").unwrap();
        for tz in [&ny, &kathmandu, &utc] {
            let mut clock = Clock::new(tz);
            for t in (edt_0130 - 86_400..edt_0130 + 43_200).step_by(61) {
                let mut out = String::new();
                clock.push(&mut out, t, false);
                let want = jiff::Timestamp::from_second(t)
                    .unwrap()
                    .to_zoned_datetime(tz.clone())
                    .strftime("%Y-%m-%d %H:%M")
                    .to_string();
                assert_eq!(out, want, "{t} in {:?}", tz.iana_name());
            }
        }
        let mut out = String::new();
        Clock::new(&utc).push(&mut out, i64::MAX, true);
        assert_eq!(out, "", "a time no calendar shows is left empty");
    }
}
