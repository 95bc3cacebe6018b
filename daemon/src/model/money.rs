//! Amounts typed by an admin, read exactly into [`Micros`], and amounts shown to a person,
//! rounded to the currency's minor units.

use portico_protocol::{AdminError, Micros, MoneyError};

use super::text::shown;

/// Micro-units in one currency unit.
const MICROS_PER_UNIT: u64 = 1_000_000;

/// Reads a decimal amount such as `12.50`, `-3` or `0.0125` (at most 6 decimals).
pub fn parse_money(field: &str, s: &str) -> Result<Micros, AdminError> {
    if s.trim().is_empty() {
        return Err(AdminError::invalid(
            field,
            "is empty; give an amount such as 12.50",
        ));
    }
    s.parse::<Micros>().map_err(|err| {
        let reason = match err {
            MoneyError::TooLarge(_) => format!(
                "{} is too large; the largest amount is {}",
                shown(s.trim()),
                Micros(i64::MAX)
            ),
            other => other.to_string(),
        };
        AdminError::invalid(field, reason)
    })
}

/// Like [`parse_money`], and refuses a negative amount.
pub fn parse_non_negative(field: &str, s: &str) -> Result<Micros, AdminError> {
    let amount = parse_money(field, s)?;
    if amount.0 < 0 {
        return Err(AdminError::invalid(
            field,
            format!(
                "{} is negative; give an amount of 0 or more",
                shown(s.trim())
            ),
        ));
    }
    Ok(amount)
}

/// Rounds to `minor_units` decimals (half away from zero), e.g. to whole cents for 2.
/// More than 6 minor units leaves the amount as it is.
pub fn round_to_minor(amount: Micros, minor_units: u32) -> Micros {
    if minor_units >= 6 {
        return amount;
    }
    let step = TENS[(6 - minor_units) as usize] as i64;
    let rest = amount.0 % step;
    let down = amount.0 - rest;
    let rounded = if rest.abs() * 2 >= step {
        // Saturate: only amounts within one step of i64's ends can overflow.
        down.saturating_add(if rest < 0 { -step } else { step })
    } else {
        down
    };
    Micros(rounded)
}

/// The amount as a person reads it: rounded to `minor_units` decimals (half away from zero) and
/// written with exactly that many, e.g. `12.50` for 2, `13` for 0, `1.235` for 3.
pub fn format_minor(amount: Micros, minor_units: u32) -> String {
    let mut out = String::with_capacity(24);
    push_minor(&mut out, amount, minor_units);
    out
}

/// Powers of ten up to a million (micro-units per unit).
const TENS: [u64; 7] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000];

/// Appends what [`format_minor`] writes to `out`, digit by digit (pages write many amounts).
pub fn push_minor(out: &mut String, amount: Micros, minor_units: u32) {
    let places = minor_units.min(6) as usize;
    let rounded = round_to_minor(amount, places as u32).0;
    if rounded < 0 {
        out.push('-');
    }
    let abs = rounded.unsigned_abs();
    out.push_str(itoa::Buffer::new().format(abs / MICROS_PER_UNIT));
    if places == 0 {
        return;
    }
    out.push('.');
    // The decimals with their leading zeros: written after a leading 1 that is left out
    // (0.05 at 2 places is written from 105).
    let decimals = abs % MICROS_PER_UNIT / TENS[6 - places] + TENS[places];
    out.push_str(&itoa::Buffer::new().format(decimals)[1..]);
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
    fn parses_exact_amounts() {
        assert_eq!(parse_money("amount", "12.50").unwrap(), Micros(12_500_000));
        assert_eq!(parse_money("amount", " -3 ").unwrap(), Micros(-3_000_000));
        assert_eq!(parse_money("amount", "0.000001").unwrap(), Micros(1));
        assert_eq!(parse_non_negative("price", "0").unwrap(), Micros(0));
        assert_eq!(
            parse_non_negative("price", "5.5").unwrap(),
            Micros(5_500_000)
        );
    }

    #[test]
    fn errors_name_the_field_and_say_what_to_do() {
        let (field, text) = reason(parse_money("debit_limit", "1,50").unwrap_err());
        assert_eq!(field, "debit_limit");
        assert!(text.contains("\"1,50\" is not a decimal amount"), "{text}");
        assert!(text.contains("12.50"), "{text}");

        let (_, text) = reason(parse_money("amount", "1.0000001").unwrap_err());
        assert!(text.contains("6 decimal places"), "{text}");

        let (_, text) = reason(parse_money("amount", "  ").unwrap_err());
        assert!(text.contains("empty"), "{text}");

        let (_, text) = reason(parse_money("amount", "99999999999999999").unwrap_err());
        assert!(text.contains("too large"), "{text}");
        assert!(text.contains("9223372036854.775807"), "{text}");
    }

    #[test]
    fn non_negative_refuses_negative() {
        let (field, text) = reason(parse_non_negative("price", "-0.01").unwrap_err());
        assert_eq!(field, "price");
        assert!(text.contains("\"-0.01\" is negative"), "{text}");
        assert!(text.contains("0 or more"), "{text}");
        // Negative zero is zero.
        assert_eq!(parse_non_negative("price", "-0").unwrap(), Micros(0));
    }

    #[test]
    fn rounds_half_away_from_zero() {
        assert_eq!(round_to_minor(Micros(12_345_000), 2), Micros(12_350_000));
        assert_eq!(round_to_minor(Micros(12_344_999), 2), Micros(12_340_000));
        assert_eq!(round_to_minor(Micros(-12_345_000), 2), Micros(-12_350_000));
        assert_eq!(round_to_minor(Micros(-12_344_999), 2), Micros(-12_340_000));
        assert_eq!(round_to_minor(Micros(2_500_000), 0), Micros(3_000_000));
        assert_eq!(round_to_minor(Micros(1_234_567), 6), Micros(1_234_567));
        assert_eq!(round_to_minor(Micros(i64::MAX), 2), Micros(i64::MAX));
    }

    #[test]
    fn formats_with_the_currency_minor_units() {
        assert_eq!(format_minor(Micros(12_500_000), 2), "12.50");
        assert_eq!(format_minor(Micros(12_500_000), 0), "13");
        assert_eq!(format_minor(Micros(1_234_500), 3), "1.235");
        assert_eq!(format_minor(Micros(-3_000_000), 2), "-3.00");
        assert_eq!(format_minor(Micros(-4_000), 2), "0.00");
        assert_eq!(format_minor(Micros(-5_000), 2), "-0.01");
        assert_eq!(format_minor(Micros(12_500), 6), "0.012500");
        assert_eq!(format_minor(Micros(12_500), 9), "0.012500");
    }

    /// The digit-by-digit writer against `format!`, on amounts of every size and sign, the
    /// halves that round away from zero, and i64's ends.
    #[test]
    fn amounts_are_written_as_format_writes_them() {
        fn by_format(amount: Micros, minor_units: u32) -> String {
            let places = minor_units.min(6);
            let rounded = round_to_minor(amount, places);
            let sign = if rounded.0 < 0 { "-" } else { "" };
            let abs = rounded.0.unsigned_abs();
            let units = abs / 1_000_000;
            if places == 0 {
                return format!("{sign}{units}");
            }
            let frac = format!("{:06}", abs % 1_000_000);
            format!("{sign}{units}.{}", &frac[..places as usize])
        }
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut amounts = vec![
            0,
            1,
            -1,
            5_000,
            -5_000,
            4_999,
            995_000,
            -995_000,
            i64::MIN,
            i64::MAX,
        ];
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            amounts.push((x >> (x % 64)) as i64 * if x & 1 == 0 { 1 } else { -1 });
        }
        for amount in amounts {
            for places in 0..=8 {
                assert_eq!(
                    format_minor(Micros(amount), places),
                    by_format(Micros(amount), places),
                    "{amount} at {places}"
                );
            }
        }
        assert_eq!(format_minor(Micros(1_005_000), 2), "1.01");
        assert_eq!(format_minor(Micros(-50_000), 1), "-0.1");
    }
}
