//! CSV exports of the reports, streamed page by page into any writer (the portal's downloads,
//! scripts). Times are RFC 3339 UTC; money is exact, with the currency's minor units (more when
//! the amount has them, e.g. a rate of 0.0125).

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::Write;

use portico_protocol::{
    AdminError, AdminResult, BreakoutColumn, BreakoutRow, CdrColumn, CdrQuery, Micros, Rate,
    SummaryRow,
};

use super::cdr_rows;
use crate::model::currency::minor_units;
use crate::model::money::format_minor;
use crate::store::Tx;
use crate::store::cdr::{CdrKey, StoredCdr, UNASSIGNED};

/// A text cell made safe to open in a spreadsheet ("CSV injection").
///
/// CDR fields come from callers (caller id, dialled digits, SIP headers), so a caller can
/// choose what a cell starts with. Excel, LibreOffice and Google Sheets read a cell that starts
/// with `=`, `+`, `-` or `@` as a formula (`=HYPERLINK(...)`, `=cmd|' /C calc'!A0`), and a
/// leading tab or line break can hide such a start. Such a cell gets a leading `'`, which
/// spreadsheets take as "this is text" and which a person reading the file recognises.
/// One exception keeps phone numbers as they are: `+` or `-` followed by digits only
/// (`+442071234567`, `-5`) is a plain number to every spreadsheet, never a formula, and
/// E.164 numbers are exactly what the download is for.
pub fn safe_cell(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let risky = match bytes.first() {
        Some(b'=' | b'@' | b'\t' | b'\r' | b'\n') => true,
        Some(b'+' | b'-') => {
            let rest = &bytes[1..];
            rest.is_empty() || !rest.iter().all(u8::is_ascii_digit)
        }
        _ => false,
    };
    if risky {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

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

/// Writes CDR rows as CSV with a fixed list of columns, reusing one buffer for every cell.
/// Times are RFC 3339 UTC (`2026-11-27T14:05:09Z`); money is exact; text cells pass
/// [`safe_cell`].
pub struct CdrCsv<'a, W: Write> {
    columns: &'a [CdrColumn],
    currency: &'a str,
    out: csv::Writer<W>,
    cell: String,
}

impl<'a, W: Write> CdrCsv<'a, W> {
    /// A writer of `columns`, money in `currency`; writes the header row.
    pub fn new(columns: &'a [CdrColumn], currency: &'a str, out: W) -> AdminResult<Self> {
        let mut out = csv::Writer::from_writer(out);
        out.write_record(columns.iter().map(|c| c.as_str()))
            .map_err(io)?;
        Ok(CdrCsv {
            columns,
            currency,
            out,
            cell: String::new(),
        })
    }

    /// Writes one CDR.
    pub fn row(&mut self, key: &CdrKey, cdr: &StoredCdr) -> AdminResult<()> {
        for &col in self.columns {
            self.cell.clear();
            let text = cdr_cell(&mut self.cell, key, cdr, col, self.currency);
            self.out.write_field(text.as_bytes()).map_err(io)?;
        }
        self.out.write_record(None::<&[u8]>).map_err(io)
    }

    /// Hands everything written so far to the underlying writer and flushes it (a streaming
    /// writer sends a piece of the file on flush).
    pub fn flush(&mut self) -> AdminResult<()> {
        self.out.flush().map_err(io)
    }

    /// Flushes and hands back the underlying writer.
    pub fn finish(self) -> AdminResult<W> {
        self.out.into_inner().map_err(io)
    }
}

/// One cell: numbers and times are written into `buf`, text is borrowed from the CDR (made
/// safe for spreadsheets).
fn cdr_cell<'a>(
    buf: &'a mut String,
    key: &CdrKey,
    c: &'a StoredCdr,
    col: CdrColumn,
    currency: &'a str,
) -> Cow<'a, str> {
    let time = |buf: &'a mut String, t: Option<i64>| -> Cow<'a, str> {
        if let Some(ts) = t.and_then(|t| jiff::Timestamp::from_second(t).ok()) {
            // jiff writes a whole-second timestamp as RFC 3339 in UTC with a `Z`.
            let _ = write!(buf, "{ts}");
        }
        Cow::Borrowed(buf.as_str())
    };
    let number = |buf: &'a mut String, n: u64| -> Cow<'a, str> {
        let _ = write!(buf, "{n}");
        Cow::Borrowed(buf.as_str())
    };
    let text = |t: &'a str| safe_cell(t);
    let connected = c.connected;
    match col {
        CdrColumn::CallId => text(&c.call_id),
        CdrColumn::CallTime => time(buf, Some(key.start)),
        CdrColumn::AnswerTime => time(buf, c.answer),
        CdrColumn::EndTime => time(buf, c.end),
        CdrColumn::SourceNumber => text(&c.source_number),
        CdrColumn::Destination => text(&c.destination),
        CdrColumn::DestinationName => text(&c.destination_name),
        CdrColumn::AccountCode => text(&c.account_code),
        CdrColumn::Duration => number(buf, u64::from(c.duration)),
        CdrColumn::BilledDuration => number(buf, u64::from(c.billed)),
        CdrColumn::RingDuration => number(
            buf,
            u64::from(super::ring_seconds(key.start, c.answer, c.duration)),
        ),
        CdrColumn::Rate => match c.rate {
            Some(r) => Cow::Owned(money(Micros(r), currency)),
            None => Cow::Borrowed(""),
        },
        CdrColumn::ConnectCost => Cow::Owned(money(
            Micros(if connected { c.connect_fee } else { 0 }),
            currency,
        )),
        CdrColumn::Charge => Cow::Owned(money(Micros(c.charge), currency)),
        CdrColumn::Currency => text(currency),
        CdrColumn::ReleaseReason => text(&c.release_reason),
        CdrColumn::SipCode => match c.sip_code {
            Some(code) => number(buf, u64::from(code)),
            None => Cow::Borrowed(""),
        },
        CdrColumn::Direction => text(&c.direction),
        CdrColumn::SourceIp => text(&c.source_ip),
        CdrColumn::TechPrefix => text(&c.tech_prefix),
    }
}

/// Writes every CDR that `query` selects (all pages, newest first) with `columns`, reading
/// them in keyset pages. Returns how many rows were written.
pub fn write_cdrs(
    tx: &Tx,
    query: &CdrQuery,
    columns: &[CdrColumn],
    out: impl Write,
) -> AdminResult<u64> {
    let (customer, currency) = match query.customer_id {
        Some(id) => (id, crate::admin::ops::customer_exists(tx, id)?.currency),
        None => (UNASSIGNED, String::new()),
    };
    let mut w = CdrCsv::new(columns, &currency, out)?;
    let mut q = CdrQuery {
        limit: super::MAX_PAGE,
        after: None,
        ..query.clone()
    };
    let mut rows = 0;
    loop {
        let (page, next) = cdr_rows(tx, customer, &q)?;
        for (key, cdr) in &page {
            w.row(key, cdr)?;
            rows += 1;
        }
        match next {
            Some(next) => q.after = Some(next),
            None => break,
        }
    }
    w.finish()?.flush().map_err(io)?;
    Ok(rows)
}

fn breakout_cell(r: &BreakoutRow, col: BreakoutColumn, currency: &str) -> String {
    let t = &r.traffic;
    match col {
        BreakoutColumn::CallTime => r
            .day
            .map(|d| rfc3339(d)[..10].to_string())
            .unwrap_or_default(),
        BreakoutColumn::DestinationName => safe_cell(&r.destination_name).into_owned(),
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

/// The columns of the rates download, in order.
pub const RATE_COLUMNS: [&str; 10] = [
    "ratecard",
    "tech_prefix",
    "prefix",
    "name",
    "rate_per_min",
    "connect_fee",
    "first_increment",
    "next_increment",
    "effective_from",
    "currency",
];

/// Writes rates of rate cards: (card, tech prefix, currency, rate) rows.
pub fn write_rates<'a>(
    rows: impl IntoIterator<Item = (&'a str, &'a str, &'a str, &'a Rate)>,
    out: impl Write,
) -> AdminResult<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(RATE_COLUMNS).map_err(io)?;
    for (card, tech_prefix, currency, r) in rows {
        w.write_record([
            safe_cell(card).as_ref(),
            safe_cell(tech_prefix).as_ref(),
            safe_cell(&r.prefix).as_ref(),
            safe_cell(&r.name).as_ref(),
            &money(r.rate_per_min, currency),
            &money(r.connect_fee, currency),
            &r.first_increment.to_string(),
            &r.next_increment.to_string(),
            &rfc3339(r.effective_from),
            safe_cell(currency).as_ref(),
        ])
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
    fn formula_cells_are_neutralised_and_numbers_kept() {
        for risky in [
            "=1+1",
            "@SUM(A1)",
            "+1+cmd|' /C calc'!A0",
            "-2+3",
            "\t=x",
            "\r=x",
            "+",
            "-",
        ] {
            assert_eq!(safe_cell(risky), format!("'{risky}"), "{risky:?}");
        }
        for plain in ["+442071234567", "-5", "447700900123", "", "Alice", "a=b"] {
            assert_eq!(safe_cell(plain), plain, "{plain:?}");
        }
    }

    #[test]
    fn minutes_round_half_up() {
        assert_eq!(minutes(0), "0.00");
        assert_eq!(minutes(61), "1.02");
        assert_eq!(minutes(90), "1.50");
        assert_eq!(minutes(1), "0.02");
    }
}
