//! How the portal writes money, times and durations for people.

use iso_currency::Currency;
use portico_protocol::Micros;

use super::cells::Cell;
use crate::model::{currency, money};

/// `amount` rounded to the currency's minor units with its symbol: `$5.00`, `-€1.25`,
/// `12.500 BHD` for a currency whose symbol is not a single sign.
pub fn amount(amount: Micros, code: &str) -> String {
    Money::of(code).amount(amount)
}

/// How amounts of a currency are written: its minor units and its symbol. Looking a currency
/// up is not free, so a login keeps its customer's (see [`super::session::Login`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub minor: u32,
    /// The symbol, when it is a single sign (`$`, `€`); otherwise amounts end with the code.
    sign: Option<char>,
}

impl Style {
    pub fn of(code: &str) -> Self {
        let sign = Currency::from_code(code).and_then(|c| {
            let symbol = c.symbol().symbol;
            let mut chars = symbol.chars();
            match (chars.next(), chars.next()) {
                (Some(sign), None) => Some(sign),
                _ => None,
            }
        });
        Style {
            minor: currency::minor_units(code),
            sign,
        }
    }
}

/// How a page writes amounts of one currency.
#[derive(Debug, Clone)]
pub struct Money<'a> {
    code: &'a str,
    style: Style,
}

impl<'a> Money<'a> {
    pub fn of(code: &'a str) -> Self {
        Self::with(code, Style::of(code))
    }

    /// Amounts in `code`, written in `style` (which must be `code`'s).
    pub fn with(code: &'a str, style: Style) -> Self {
        Money { code, style }
    }

    /// See [`amount`].
    pub fn amount(&self, amount: Micros) -> String {
        let mut digits = String::with_capacity(16);
        Cell::Money(amount.0, self.style.minor).push_html(&mut digits);
        match self.style.sign {
            Some(sym) => {
                let (minus, abs) = match digits.strip_prefix('-') {
                    Some(abs) => ("-", abs),
                    None => ("", digits.as_str()),
                };
                let mut out = String::with_capacity(digits.len() + 4);
                out.push_str(minus);
                out.push(sym);
                out.push_str(abs);
                out
            }
            None => {
                digits.push(' ');
                digits.push_str(self.code);
                digits
            }
        }
    }
}

/// `amount` as a plain number with the currency's minor units, for tables and CSV.
pub fn number(amount: Micros, code: &str) -> String {
    money::format_minor(amount, currency::minor_units(code))
}

/// The contact's time zone, UTC when it has none or an unknown one.
pub fn zone(name: &str) -> jiff::tz::TimeZone {
    if name.is_empty() {
        return jiff::tz::TimeZone::UTC;
    }
    jiff::tz::TimeZone::get(name).unwrap_or(jiff::tz::TimeZone::UTC)
}

/// Unix seconds as `2026-11-27 14:05` in `tz`.
pub fn time(unix: i64, tz: &jiff::tz::TimeZone) -> String {
    let mut out = String::with_capacity(16);
    Cell::Minute(unix, tz).push_html(&mut out);
    out
}

/// Unix seconds as `2026-11-27 14:05 CET` in `tz`, for the top bar.
pub fn time_with_zone(unix: i64, tz: &jiff::tz::TimeZone) -> String {
    match jiff::Timestamp::from_second(unix) {
        Ok(ts) => ts
            .to_zoned_datetime(tz.clone())
            .strftime("%Y-%m-%d %H:%M %Z")
            .to_string(),
        Err(_) => String::new(),
    }
}

/// Unix seconds as `2026-11-27` in `tz`.
#[allow(dead_code)] // used by the section pages (issue 4), being written
pub fn date(unix: i64, tz: &jiff::tz::TimeZone) -> String {
    match jiff::Timestamp::from_second(unix) {
        Ok(ts) => ts
            .to_zoned_datetime(tz.clone())
            .strftime("%Y-%m-%d")
            .to_string(),
        Err(_) => String::new(),
    }
}

/// Seconds as `1:05` (minutes:seconds) or `2:03:04` past an hour.
pub fn duration(seconds: u64) -> String {
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_have_symbol_and_minor_units() {
        assert_eq!(amount(Micros(5_000_000), "USD"), "$5.00");
        assert_eq!(amount(Micros(-1_250_000), "EUR"), "-€1.25");
        assert_eq!(amount(Micros(-4_000), "USD"), "$0.00");
        assert_eq!(amount(Micros(-6_000), "USD"), "-$0.01");
        assert_eq!(amount(Micros(-2_500_000), "BHD"), "-2.500 BHD");
        assert_eq!(amount(Micros(1_005_000), "USD"), "$1.01");
        assert_eq!(amount(Micros(7_000_000), "JPY"), "¥7");
        assert_eq!(number(Micros(12_345_678), "USD"), "12.35");
        assert_eq!(amount(Micros(12_500_000), "BHD"), "12.500 BHD");
        let chf = Money::of("CHF");
        assert_eq!(chf.amount(Micros(-1_000_000)), "-₣1.00");
        assert_eq!(Money::of("XYZ").amount(Micros(1)), "0.00 XYZ");
    }

    #[test]
    fn times_follow_the_zone_and_durations_read_well() {
        let ny = zone("America/New_York");
        assert_eq!(time(0, &ny), "1969-12-31 19:00");
        assert_eq!(time(0, &zone("")), "1970-01-01 00:00");
        assert_eq!(time(0, &zone("Not/AZone")), "1970-01-01 00:00");
        assert_eq!(duration(65), "1:05");
        assert_eq!(duration(3 * 3600 + 4), "3:00:04");
    }
}
