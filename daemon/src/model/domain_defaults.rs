//! What a new domain shows before an admin changes it, and the rules for section and column
//! lists.

use std::fmt::Display;

use portico_protocol::{AdminError, BreakoutColumn, CdrColumn, Section};

/// Sections customers of a new domain see.
pub fn default_access() -> Vec<Section> {
    vec![
        Section::Balance,
        Section::Summary,
        Section::Cdr,
        Section::LatestCalls,
        Section::Breakout,
        Section::RateCards,
        Section::Payments,
        Section::Alerts,
        Section::Packages,
        Section::Contracts,
    ]
}

/// CDR columns customers of a new domain see, in order.
pub fn default_cdr_columns() -> Vec<CdrColumn> {
    vec![
        CdrColumn::CallTime,
        CdrColumn::SourceNumber,
        CdrColumn::Destination,
        CdrColumn::DestinationName,
        CdrColumn::Duration,
        CdrColumn::BilledDuration,
        CdrColumn::Rate,
        CdrColumn::Charge,
    ]
}

/// CDR columns carriers of a new domain see: the customers' plus the SIP outcome.
pub fn default_carrier_cdr_columns() -> Vec<CdrColumn> {
    let mut cols = default_cdr_columns();
    cols.extend([CdrColumn::SipCode, CdrColumn::ReleaseReason]);
    cols
}

/// Breakout columns customers of a new domain see, in order.
pub fn default_breakout_columns() -> Vec<BreakoutColumn> {
    vec![
        BreakoutColumn::DestinationName,
        BreakoutColumn::Attempts,
        BreakoutColumn::Connected,
        BreakoutColumn::Asr,
        BreakoutColumn::Acd,
        BreakoutColumn::Duration,
        BreakoutColumn::Charge,
    ]
}

/// Breakout columns carriers of a new domain see: the customers' plus billed minutes.
pub fn default_carrier_breakout_columns() -> Vec<BreakoutColumn> {
    let mut cols = default_breakout_columns();
    cols.push(BreakoutColumn::BilledDuration);
    cols
}

/// Checks an ordered column list: not empty, no column twice.
pub fn check_columns<T: Copy + Eq + Display>(field: &str, cols: &[T]) -> Result<(), AdminError> {
    if cols.is_empty() {
        return Err(AdminError::invalid(
            field,
            "is empty; list at least one column (a table without columns shows nothing)",
        ));
    }
    for (i, col) in cols.iter().enumerate() {
        if cols[..i].contains(col) {
            return Err(AdminError::invalid(
                field,
                format!("{col} is listed twice; list each column once"),
            ));
        }
    }
    Ok(())
}

/// The access set in canonical form: each section once, in [`Section::ALL`] order.
pub fn canonical_sections(list: &[Section]) -> Vec<Section> {
    Section::ALL
        .iter()
        .copied()
        .filter(|s| list.contains(s))
        .collect()
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

    fn names<T: Display>(list: &[T]) -> Vec<String> {
        list.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn defaults_are_the_documented_lists() {
        assert_eq!(
            names(&default_access()),
            [
                "balance",
                "summary",
                "cdr",
                "latest_calls",
                "breakout",
                "rate_cards",
                "payments",
                "alerts",
                "packages",
                "contracts"
            ]
        );
        assert_eq!(
            names(&default_cdr_columns()),
            [
                "call_time",
                "source_number",
                "destination",
                "destination_name",
                "duration",
                "billed_duration",
                "rate",
                "charge"
            ]
        );
        let carrier = names(&default_carrier_cdr_columns());
        assert_eq!(carrier[..8], names(&default_cdr_columns())[..]);
        assert_eq!(carrier[8..], ["sip_code", "release_reason"]);
        assert_eq!(
            names(&default_breakout_columns()),
            [
                "destination_name",
                "attempts",
                "connected",
                "asr",
                "acd",
                "duration",
                "charge"
            ]
        );
        let carrier = names(&default_carrier_breakout_columns());
        assert_eq!(carrier[..7], names(&default_breakout_columns())[..]);
        assert_eq!(carrier[7..], ["billed_duration"]);
    }

    #[test]
    fn defaults_pass_their_own_checks() {
        assert!(check_columns("cdr_columns", &default_cdr_columns()).is_ok());
        assert!(check_columns("carrier_cdr_columns", &default_carrier_cdr_columns()).is_ok());
        assert!(check_columns("breakout_columns", &default_breakout_columns()).is_ok());
        assert!(
            check_columns(
                "carrier_breakout_columns",
                &default_carrier_breakout_columns()
            )
            .is_ok()
        );
        assert_eq!(canonical_sections(&default_access()), default_access());
    }

    #[test]
    fn column_lists_must_be_non_empty_and_without_duplicates() {
        let (field, text) = reason(check_columns::<CdrColumn>("cdr_columns", &[]).unwrap_err());
        assert_eq!(field, "cdr_columns");
        assert!(text.contains("empty"), "{text}");

        let cols = [CdrColumn::CallTime, CdrColumn::Charge, CdrColumn::CallTime];
        let (_, text) = reason(check_columns("cdr_columns", &cols).unwrap_err());
        assert_eq!(text, "call_time is listed twice; list each column once");

        let cols = [BreakoutColumn::Asr, BreakoutColumn::Asr];
        let (field, text) = reason(check_columns("breakout_columns", &cols).unwrap_err());
        assert_eq!(field, "breakout_columns");
        assert!(text.starts_with("asr is listed twice"), "{text}");
    }

    #[test]
    fn sections_are_deduplicated_in_canonical_order() {
        let list = [
            Section::Contracts,
            Section::Balance,
            Section::CarrierPortal,
            Section::Balance,
            Section::Cdr,
        ];
        assert_eq!(
            canonical_sections(&list),
            [
                Section::Balance,
                Section::Cdr,
                Section::Contracts,
                Section::CarrierPortal
            ]
        );
        assert_eq!(canonical_sections(&[]), Vec::<Section>::new());
    }
}
