//! ISO 4217 currency codes.

use iso_currency::Currency;
use portico_protocol::AdminError;

use super::text::shown;

/// Symbols people type instead of a code, and the code they most likely mean.
const SYMBOL_HINTS: &[(&str, &str)] = &[
    ("$", "USD"),
    ("US$", "USD"),
    ("€", "EUR"),
    ("£", "GBP"),
    ("¥", "JPY"),
    ("₹", "INR"),
    ("UK", "GBP"),
];

/// Checks one ISO 4217 alphabetic code and returns it in upper case (`usd` → `USD`).
///
/// Codes that name no money customers pay in (gold, SDR, the testing code `XTS`, "no currency"
/// `XXX`: ISO 4217's special codes, which have no minor units) are refused too.
pub fn normalize_currency(field: &str, code: &str) -> Result<String, AdminError> {
    let trimmed = code.trim();
    if trimmed.is_empty() {
        return Err(AdminError::invalid(
            field,
            "is empty; give an ISO 4217 currency code such as USD or EUR",
        ));
    }
    if let Some((_, meant)) = SYMBOL_HINTS
        .iter()
        .find(|(symbol, _)| symbol.eq_ignore_ascii_case(trimmed))
    {
        return Err(AdminError::invalid(
            field,
            format!(
                "{} is not an ISO 4217 code; write the three-letter code, e.g. {meant}",
                shown(trimmed)
            ),
        ));
    }
    if trimmed.chars().count() != 3 || !trimmed.chars().all(|c| c.is_ascii_alphabetic()) {
        return Err(AdminError::invalid(
            field,
            format!(
                "{} is not an ISO 4217 code; use three letters such as USD, EUR or GBP",
                shown(trimmed)
            ),
        ));
    }
    let upper = trimmed.to_ascii_uppercase();
    match Currency::from_code(&upper) {
        None => Err(AdminError::invalid(
            field,
            format!(
                "{} is not an ISO 4217 currency; check the spelling, or use a code such as USD, \
                 EUR or GBP",
                shown(&upper)
            ),
        )),
        Some(currency) if currency.is_special() => Err(AdminError::invalid(
            field,
            format!(
                "{upper} ({}) is not a currency accounts can be billed in; use a national \
                 currency such as USD, EUR or GBP",
                currency.name()
            ),
        )),
        Some(_) => Ok(upper),
    }
}

/// Checks a non-empty list of codes; each is normalised as by [`normalize_currency`] and a code
/// listed twice is refused. The order is kept.
pub fn normalize_currencies(field: &str, codes: &[String]) -> Result<Vec<String>, AdminError> {
    if codes.is_empty() {
        return Err(AdminError::invalid(
            field,
            "is empty; list at least one ISO 4217 code, e.g. USD or USD,EUR",
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(codes.len());
    for code in codes {
        let upper = normalize_currency(field, code)?;
        if out.contains(&upper) {
            return Err(AdminError::invalid(
                field,
                format!("{upper} is listed twice; list each currency once"),
            ));
        }
        out.push(upper);
    }
    Ok(out)
}

/// Decimal places of the currency's minor unit (USD 2, JPY 0, BHD 3); 2 for a code that is
/// unknown or has none.
pub fn minor_units(code: &str) -> u32 {
    Currency::from_code(&code.trim().to_ascii_uppercase())
        .and_then(Currency::exponent)
        .map_or(2, u32::from)
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
    fn accepts_codes_in_any_case() {
        assert_eq!(normalize_currency("currency", "usd").unwrap(), "USD");
        assert_eq!(normalize_currency("currency", " Eur ").unwrap(), "EUR");
        assert_eq!(normalize_currency("currency", "JPY").unwrap(), "JPY");
    }

    #[test]
    fn refuses_unknown_codes_with_a_hint() {
        let (field, text) = reason(normalize_currency("currency", "ABC").unwrap_err());
        assert_eq!(field, "currency");
        assert!(
            text.contains("\"ABC\" is not an ISO 4217 currency"),
            "{text}"
        );
        assert!(text.contains("USD"), "{text}");

        let (_, text) = reason(normalize_currency("currency", "dollars").unwrap_err());
        assert!(text.contains("three letters"), "{text}");

        let (_, text) = reason(normalize_currency("currency", "$").unwrap_err());
        assert!(text.contains("e.g. USD"), "{text}");
        let (_, text) = reason(normalize_currency("currency", "€").unwrap_err());
        assert!(text.contains("e.g. EUR"), "{text}");

        let (_, text) = reason(normalize_currency("currency", "").unwrap_err());
        assert!(text.contains("empty"), "{text}");

        assert!(normalize_currency("currency", "US1").is_err());
        assert!(normalize_currency("currency", "ÜSD").is_err());
    }

    #[test]
    fn refuses_special_codes() {
        for code in ["XXX", "XTS", "xau"] {
            let (_, text) = reason(normalize_currency("currency", code).unwrap_err());
            assert!(
                text.contains("not a currency accounts can be billed in"),
                "{text}"
            );
        }
    }

    #[test]
    fn lists_are_non_empty_valid_and_without_duplicates() {
        let list = vec!["usd".to_string(), "EUR".to_string()];
        assert_eq!(
            normalize_currencies("currencies", &list).unwrap(),
            vec!["USD", "EUR"]
        );

        let (field, text) = reason(normalize_currencies("currencies", &[]).unwrap_err());
        assert_eq!(field, "currencies");
        assert!(text.contains("at least one"), "{text}");

        let dup = vec!["USD".to_string(), "eur".to_string(), "usd".to_string()];
        let (_, text) = reason(normalize_currencies("currencies", &dup).unwrap_err());
        assert!(text.contains("USD is listed twice"), "{text}");

        let bad = vec!["USD".to_string(), "XYZ".to_string()];
        let (_, text) = reason(normalize_currencies("currencies", &bad).unwrap_err());
        assert!(text.contains("\"XYZ\""), "{text}");
    }

    #[test]
    fn minor_units_follow_iso_4217() {
        assert_eq!(minor_units("USD"), 2);
        assert_eq!(minor_units("usd"), 2);
        assert_eq!(minor_units("JPY"), 0);
        assert_eq!(minor_units("BHD"), 3);
        assert_eq!(minor_units("CLF"), 4);
        assert_eq!(minor_units("XXX"), 2);
        assert_eq!(minor_units("nope"), 2);
    }
}
