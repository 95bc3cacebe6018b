//! Table cells of the report pages, written straight into the page: a cell borrows what it
//! shows and writes it while the page is written, so a table of N rows allocates no string per
//! cell. In templates, askama escapes what they write like any other value; the CDR table
//! writes them with [`Cell::push_html`].

use std::fmt;

use askama::filters::{Escaper, Html};
use jiff::tz::TimeZone;
use portico_protocol::Micros;

use crate::model::money::round_to_minor;

/// One cell of a report table.
#[derive(Debug, Clone, Copy)]
pub enum Cell<'a> {
    Text(&'a str),
    /// Unix seconds shown as `2026-11-27 14:05:09` in the zone.
    Time(i64, &'a TimeZone),
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
    /// Micro-units with at least this many decimals and every further non-zero digit (rates:
    /// 0.0125 is not 0.01).
    Exact(i64, u32),
    Empty,
}

impl Cell<'_> {
    /// Writes the cell into an HTML page: text escaped, everything else as it is (digits and
    /// separators only, nothing to escape). This is how the CDR table writes its cells: no
    /// formatting machinery per cell.
    pub fn push_html(&self, out: &mut String) {
        match *self {
            Cell::Text(text) => {
                // Writing to a String cannot fail.
                let _ = Html.write_escaped_str(&mut *out, text);
            }
            _ => self.push_plain(out),
        }
    }

    /// Writes the cell as plain text (text unescaped).
    fn push_plain(&self, out: &mut String) {
        match *self {
            Cell::Text(text) => out.push_str(text),
            Cell::Time(unix, tz) | Cell::Minute(unix, tz) => {
                if let Ok(ts) = jiff::Timestamp::from_second(unix) {
                    let d = tz.to_datetime(ts);
                    push_date(out, d.date());
                    out.push(' ');
                    push_2(out, d.hour());
                    out.push(':');
                    push_2(out, d.minute());
                    if let Cell::Time(..) = self {
                        out.push(':');
                        push_2(out, d.second());
                    }
                }
            }
            Cell::Seconds(s) => {
                let (h, m, s) = (s / 3600, s / 60 % 60, s % 60);
                if h > 0 {
                    push_int(out, h);
                    out.push(':');
                    push_2(out, m as i8);
                } else {
                    push_int(out, m);
                }
                out.push(':');
                push_2(out, s as i8);
            }
            Cell::Int(n) => push_int(out, n),
            Cell::Minutes(s) => {
                let hundredths = (s * 100 + 30) / 60;
                push_int(out, hundredths / 100);
                out.push('.');
                push_2(out, (hundredths % 100) as i8);
            }
            Cell::Date(unix, tz) => {
                if let Ok(ts) = jiff::Timestamp::from_second(unix) {
                    push_date(out, tz.to_datetime(ts).date());
                }
            }
            Cell::Money(micros, places) => push_micros(out, micros, places.min(6)),
            Cell::Exact(micros, places) => {
                push_micros(out, micros, decimals(micros).max(places).min(6))
            }
            Cell::Empty => {}
        }
    }
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

fn push_int(out: &mut String, n: u64) {
    out.push_str(itoa::Buffer::new().format(n));
}

/// Two digits, zero first: 0 to 99.
fn push_2(out: &mut String, n: i8) {
    let n = n.unsigned_abs() % 100;
    out.push(char::from(b'0' + n / 10));
    out.push(char::from(b'0' + n % 10));
}

/// `2026-11-27` (years outside 0..=9999 as they are).
fn push_date(out: &mut String, d: jiff::civil::Date) {
    let year = d.year();
    if (0..10_000).contains(&year) {
        let year = year as u16;
        push_2(out, (year / 100) as i8);
        push_2(out, (year % 100) as i8);
    } else {
        out.push_str(itoa::Buffer::new().format(year));
    }
    out.push('-');
    push_2(out, d.month());
    out.push('-');
    push_2(out, d.day());
}

/// How many decimals an amount of micro-units needs to be shown exactly (0 to 6).
pub fn decimals(micros: i64) -> u32 {
    let frac = micros.unsigned_abs() % 1_000_000;
    if frac == 0 {
        0
    } else {
        6 - (0..6)
            .take_while(|i| frac.is_multiple_of(10u64.pow(i + 1)))
            .count() as u32
    }
}

fn push_micros(out: &mut String, micros: i64, places: u32) {
    let rounded = round_to_minor(Micros(micros), places).0;
    if rounded < 0 {
        out.push('-');
    }
    let abs = rounded.unsigned_abs();
    push_int(out, abs / 1_000_000);
    if places == 0 {
        return;
    }
    out.push('.');
    let frac = abs % 1_000_000 / 10u64.pow(6 - places);
    let digits = itoa::Buffer::new().format(frac).len();
    for _ in digits..places as usize {
        out.push('0');
    }
    push_int(out, frac);
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
        assert_eq!(s(Cell::Exact(12_500, 2)), "0.0125");
        assert_eq!(s(Cell::Exact(60_000, 2)), "0.06");
        assert_eq!(s(Cell::Exact(3_000_000, 0)), "3");
        assert_eq!(s(Cell::Exact(1, 2)), "0.000001");
        assert_eq!(s(Cell::Seconds(65)), "1:05");
        assert_eq!(s(Cell::Minutes(61)), "1.02");
        assert_eq!(s(Cell::Minutes(90)), "1.50");
        assert_eq!(s(Cell::Date(1_795_737_600, &TimeZone::UTC)), "2026-11-27");
        assert_eq!(s(Cell::Seconds(3 * 3600 + 4)), "3:00:04");
        let ny = TimeZone::get("America/New_York").unwrap();
        assert_eq!(s(Cell::Time(0, &ny)), "1969-12-31 19:00:00");
        assert_eq!(s(Cell::Time(0, &TimeZone::UTC)), "1970-01-01 00:00:00");
        assert_eq!(s(Cell::Exact(-1_012_500, 2)), "-1.0125");
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
            html(Cell::Time(1_795_737_609, &TimeZone::UTC)),
            "2026-11-27 00:00:09"
        );
    }
}
