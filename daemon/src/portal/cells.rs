//! Table cells of the report pages, written straight into the page: a cell borrows what it
//! shows and formats it while the template writes, so a table of N rows allocates no string
//! per cell. Askama escapes what they write like any other value.

use std::fmt;

use jiff::tz::TimeZone;
use portico_protocol::Micros;

use crate::model::money::round_to_minor;

/// One cell of a report table.
#[derive(Debug, Clone, Copy)]
pub enum Cell<'a> {
    Text(&'a str),
    /// Unix seconds shown as `2026-11-27 14:05:09` in the zone.
    Time(i64, &'a TimeZone),
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

impl fmt::Display for Cell<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Cell::Text(text) => f.write_str(text),
            Cell::Time(unix, tz) => match jiff::Timestamp::from_second(unix) {
                // Written field by field: strftime would parse its format for every cell.
                Ok(ts) => {
                    let d = tz.to_datetime(ts);
                    write!(
                        f,
                        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
                        d.year(),
                        d.month(),
                        d.day(),
                        d.hour(),
                        d.minute(),
                        d.second()
                    )
                }
                Err(_) => Ok(()),
            },
            Cell::Seconds(s) => {
                let (h, m, s) = (s / 3600, s / 60 % 60, s % 60);
                if h > 0 {
                    write!(f, "{h}:{m:02}:{s:02}")
                } else {
                    write!(f, "{m}:{s:02}")
                }
            }
            Cell::Int(n) => write!(f, "{n}"),
            Cell::Minutes(s) => {
                let hundredths = (s * 100 + 30) / 60;
                write!(f, "{}.{:02}", hundredths / 100, hundredths % 100)
            }
            Cell::Date(unix, tz) => match jiff::Timestamp::from_second(unix) {
                Ok(ts) => write!(f, "{}", tz.to_datetime(ts).date()),
                Err(_) => Ok(()),
            },
            Cell::Money(micros, places) => write_micros(f, micros, places.min(6)),
            Cell::Exact(micros, places) => {
                write_micros(f, micros, decimals(micros).max(places).min(6))
            }
            Cell::Empty => Ok(()),
        }
    }
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

fn write_micros(f: &mut fmt::Formatter<'_>, micros: i64, places: u32) -> fmt::Result {
    let rounded = round_to_minor(Micros(micros), places).0;
    let sign = if rounded < 0 { "-" } else { "" };
    let abs = rounded.unsigned_abs();
    let units = abs / 1_000_000;
    if places == 0 {
        return write!(f, "{sign}{units}");
    }
    let frac = abs % 1_000_000 / 10u64.pow(6 - places);
    write!(f, "{sign}{units}.{frac:0width$}", width = places as usize)
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
    }
}
