//! Exact money: integer micro-units (10^-6 of the currency unit), never floats.

use std::fmt;
use std::str::FromStr;

/// An amount in micro-units of a currency. On the wire and in JSON it is an exact decimal
/// string such as `"12.50"` or `"0.0125"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Micros(pub i64);

/// Micro-units in one currency unit.
pub const MICROS_PER_UNIT: i64 = 1_000_000;

/// Why a decimal amount could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// Not a decimal number.
    #[error("\"{0}\" is not a decimal amount; write it like 12.50 (a dot, no currency sign)")]
    NotDecimal(String),
    /// More than six decimal places.
    #[error("\"{0}\" has more than 6 decimal places; round it to at most 6")]
    TooPrecise(String),
    /// Too large to store.
    #[error("\"{0}\" is too large")]
    TooLarge(String),
}

impl FromStr for Micros {
    type Err = MoneyError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let s = text.trim();
        let not_decimal = || MoneyError::NotDecimal(text.to_string());
        let (negative, digits) = match s.as_bytes().first() {
            Some(b'-') => (true, &s[1..]),
            Some(b'+') => (false, &s[1..]),
            _ => (false, s),
        };
        let (int_part, frac_part) = match digits.split_once('.') {
            Some((i, f)) => (i, f),
            None => (digits, ""),
        };
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(not_decimal());
        }
        let all_digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(int_part) || !all_digits(frac_part) {
            return Err(not_decimal());
        }
        let frac_trimmed = frac_part.trim_end_matches('0');
        if frac_trimmed.len() > 6 {
            return Err(MoneyError::TooPrecise(text.to_string()));
        }
        let too_large = || MoneyError::TooLarge(text.to_string());
        let int_value: i64 = if int_part.is_empty() {
            0
        } else {
            int_part.parse().map_err(|_| too_large())?
        };
        let mut frac_value: i64 = 0;
        for (i, b) in frac_trimmed.bytes().enumerate() {
            frac_value += i64::from(b - b'0') * 10_i64.pow(5 - i as u32);
        }
        let magnitude = int_value
            .checked_mul(MICROS_PER_UNIT)
            .and_then(|v| v.checked_add(frac_value))
            .ok_or_else(too_large)?;
        Ok(Micros(if negative { -magnitude } else { magnitude }))
    }
}

impl fmt::Display for Micros {
    /// At least two decimals, more when the amount has them: `12.50`, `0.0125`, `-3.00`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let units = abs / MICROS_PER_UNIT as u64;
        let frac = abs % MICROS_PER_UNIT as u64;
        let mut frac_text = format!("{frac:06}");
        while frac_text.len() > 2 && frac_text.ends_with('0') {
            frac_text.pop();
        }
        write!(f, "{sign}{units}.{frac_text}")
    }
}

impl serde::Serialize for Micros {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Micros {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_exact_decimals() {
        assert_eq!("12.50".parse(), Ok(Micros(12_500_000)));
        assert_eq!("0.0125".parse(), Ok(Micros(12_500)));
        assert_eq!("-3".parse(), Ok(Micros(-3_000_000)));
        assert_eq!(".5".parse(), Ok(Micros(500_000)));
        assert_eq!("0.000001".parse(), Ok(Micros(1)));
        assert_eq!("1.2300000".parse(), Ok(Micros(1_230_000)));
    }

    #[test]
    fn refuses_what_is_not_exact() {
        assert!(matches!(
            "1.0000001".parse::<Micros>(),
            Err(MoneyError::TooPrecise(_))
        ));
        assert!(matches!(
            "1,50".parse::<Micros>(),
            Err(MoneyError::NotDecimal(_))
        ));
        assert!(matches!(
            "$5".parse::<Micros>(),
            Err(MoneyError::NotDecimal(_))
        ));
        assert!(matches!(
            "".parse::<Micros>(),
            Err(MoneyError::NotDecimal(_))
        ));
        assert!(matches!(
            "1e3".parse::<Micros>(),
            Err(MoneyError::NotDecimal(_))
        ));
        assert!(matches!(
            "99999999999999999".parse::<Micros>(),
            Err(MoneyError::TooLarge(_))
        ));
    }

    #[test]
    fn displays_at_least_two_decimals() {
        assert_eq!(Micros(12_500_000).to_string(), "12.50");
        assert_eq!(Micros(12_500).to_string(), "0.0125");
        assert_eq!(Micros(-3_000_000).to_string(), "-3.00");
        assert_eq!(Micros(1).to_string(), "0.000001");
        assert_eq!(Micros(-1).to_string(), "-0.000001");
    }

    #[test]
    fn serde_is_a_decimal_string() {
        let json = serde_json::to_string(&Micros(5_000_000)).unwrap();
        assert_eq!(json, "\"5.00\"");
        let back: Micros = serde_json::from_str(&json).unwrap();
        assert_eq!(back, Micros(5_000_000));
    }
}
