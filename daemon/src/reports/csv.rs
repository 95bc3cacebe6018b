//! CSV exports of the reports, streamed page by page into any writer (the portal's downloads,
//! scripts). Times are RFC 3339 UTC; money is exact, with the currency's minor units (more when
//! the amount has them, e.g. a rate of 0.0125).

use std::io::Write;

use portico_protocol::{
    AdminError, AdminResult, BreakoutColumn, BreakoutRow, Cdr, CdrColumn, CdrQuery, Micros,
    SummaryRow,
};

use super::cdr_page;
use crate::model::currency::minor_units;
use crate::model::money::format_minor;
use crate::store::Tx;

fn io(e: impl std::fmt::Display) -> AdminError {
    AdminError::internal(format!("writing CSV: {e}"))
}

fn rfc3339(t: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(t)
        .ok()
        .and_then(|d| {
            d.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// Money with at least the currency's minor units, and every further non-zero digit.
fn money(amount: Micros, currency: &str) -> String {
    let minor = minor_units(currency);
    let exact = format_minor(amount, 6);
    let trimmed = exact.trim_end_matches('0');
    let decimals = trimmed.split_once('.').map_or(0, |(_, f)| f.len()) as u32;
    format_minor(amount, decimals.max(minor))
}

fn cdr_cell(c: &Cdr, col: CdrColumn) -> String {
    let opt_time = |t: Option<i64>| t.map(rfc3339).unwrap_or_default();
    match col {
        CdrColumn::CallId => c.call_id.clone(),
        CdrColumn::CallTime => rfc3339(c.call_time),
        CdrColumn::AnswerTime => opt_time(c.answer_time),
        CdrColumn::EndTime => opt_time(c.end_time),
        CdrColumn::SourceNumber => c.source_number.clone(),
        CdrColumn::Destination => c.destination.clone(),
        CdrColumn::DestinationName => c.destination_name.clone(),
        CdrColumn::AccountCode => c.account_code.clone(),
        CdrColumn::Duration => c.duration.to_string(),
        CdrColumn::BilledDuration => c.billed_duration.to_string(),
        CdrColumn::RingDuration => c.ring_duration.to_string(),
        CdrColumn::Rate => c.rate.map(|r| money(r, &c.currency)).unwrap_or_default(),
        CdrColumn::ConnectCost => money(c.connect_cost, &c.currency),
        CdrColumn::Charge => money(c.charge, &c.currency),
        CdrColumn::Currency => c.currency.clone(),
        CdrColumn::ReleaseReason => c.release_reason.clone(),
        CdrColumn::SipCode => c.sip_code.map(|s| s.to_string()).unwrap_or_default(),
        CdrColumn::Direction => c.direction.clone(),
        CdrColumn::SourceIp => c.source_ip.clone(),
        CdrColumn::TechPrefix => c.tech_prefix.clone(),
    }
}

/// Writes every CDR that `query` selects (all pages, newest first) with `columns`.
/// Returns how many rows were written.
pub fn write_cdrs(
    tx: &Tx,
    query: &CdrQuery,
    columns: &[CdrColumn],
    out: impl Write,
) -> AdminResult<u64> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(columns.iter().map(|c| c.as_str()))
        .map_err(io)?;
    let mut q = CdrQuery {
        limit: super::MAX_PAGE,
        after: None,
        ..query.clone()
    };
    let mut rows = 0;
    loop {
        let page = cdr_page(tx, &q)?;
        for cdr in &page.cdrs {
            w.write_record(columns.iter().map(|col| cdr_cell(cdr, *col)))
                .map_err(io)?;
            rows += 1;
        }
        match page.next {
            Some(next) => q.after = Some(next),
            None => break,
        }
    }
    w.flush().map_err(io)?;
    Ok(rows)
}

fn breakout_cell(r: &BreakoutRow, col: BreakoutColumn, currency: &str) -> String {
    let t = &r.traffic;
    match col {
        BreakoutColumn::CallTime => r
            .day
            .map(|d| rfc3339(d)[..10].to_string())
            .unwrap_or_default(),
        BreakoutColumn::DestinationName => r.destination_name.clone(),
        BreakoutColumn::Attempts => t.attempts.to_string(),
        BreakoutColumn::Connected => t.connected.to_string(),
        BreakoutColumn::Asr => t.asr.clone(),
        BreakoutColumn::Acd => t.acd.to_string(),
        BreakoutColumn::Duration => minutes(t.duration),
        BreakoutColumn::BilledDuration => minutes(t.billed_duration),
        BreakoutColumn::Charge => money(t.charge, currency),
    }
}

/// Seconds as minutes with two decimals, rounded half-up, in integers.
pub fn minutes(seconds: u64) -> String {
    let hundredths = (seconds * 100 + 30) / 60;
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}

/// Writes breakout rows with `columns` (durations in minutes).
pub fn write_breakout(
    rows: &[BreakoutRow],
    columns: &[BreakoutColumn],
    currency: &str,
    out: impl Write,
) -> AdminResult<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(columns.iter().map(|c| c.as_str()))
        .map_err(io)?;
    for r in rows {
        w.write_record(columns.iter().map(|col| breakout_cell(r, *col, currency)))
            .map_err(io)?;
    }
    w.flush().map_err(io)
}

/// Writes summary rows (period, attempts, connected, asr, acd, minutes, billed minutes, charge).
pub fn write_summary(rows: &[SummaryRow], currency: &str, out: impl Write) -> AdminResult<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "period",
        "attempts",
        "connected",
        "asr",
        "acd",
        "duration",
        "billed_duration",
        "charge",
    ])
    .map_err(io)?;
    for r in rows {
        let t = &r.traffic;
        w.write_record([
            rfc3339(r.period),
            t.attempts.to_string(),
            t.connected.to_string(),
            t.asr.clone(),
            t.acd.to_string(),
            minutes(t.duration),
            minutes(t.billed_duration),
            money(t.charge, currency),
        ])
        .map_err(io)?;
    }
    w.flush().map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_keeps_minor_units_and_extra_digits() {
        assert_eq!(money(Micros(12_500_000), "USD"), "12.50");
        assert_eq!(money(Micros(12_500), "USD"), "0.0125");
        assert_eq!(money(Micros(3_000_000), "JPY"), "3");
        assert_eq!(money(Micros(1_234_500), "BHD"), "1.2345");
        assert_eq!(money(Micros(0), "EUR"), "0.00");
    }

    #[test]
    fn minutes_round_half_up() {
        assert_eq!(minutes(0), "0.00");
        assert_eq!(minutes(61), "1.02");
        assert_eq!(minutes(90), "1.50");
        assert_eq!(minutes(1), "0.02");
    }
}
