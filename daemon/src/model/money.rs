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
    let step = 10_i64.pow(6 - minor_units);
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
    let places = minor_units.min(6);
    let rounded = round_to_minor(amount, places);
    let sign = if rounded.0 < 0 { "-" } else { "" };
    let abs = rounded.0.unsigned_abs();
    let units = abs / MICROS_PER_UNIT;
    if places == 0 {
        return format!("{sign}{units}");
    }
    let frac = abs % MICROS_PER_UNIT;
    let frac_text = format!("{frac:06}");
    format!("{sign}{units}.{}", &frac_text[..places as usize])
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
}
