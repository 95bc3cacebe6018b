//! CDRs, imports and reports.

use compact_str::CompactString;
use serde::{Deserialize, Serialize};

use crate::{Blob, Micros};

/// One piece of a CDR file sent by `portico cdr import`. Each chunk is committed durably on its
/// own; importing a chunk again stores nothing twice (a CDR's identity is its call id and leg).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CdrImportChunk {
    /// `asterisk-csv`, `freeswitch-csv`, `freeswitch-json` or `generic-csv`.
    pub format: String,
    /// Where the lines come from (a file name), kept with quarantined lines.
    pub source: String,
    /// File line number (1-based) of the chunk's first line.
    pub first_line: u64,
    /// The file's header row, for chunks after the first of a `generic-csv` file.
    pub header: Option<String>,
    /// Whole lines (or, for `freeswitch-json`, one JSON document).
    pub data: Blob,
    /// IANA time zone of local times in the file (e.g. `Europe/Paris`); UTC when unset.
    pub time_zone: Option<String>,
    /// For `generic-csv`: `portico_field=file_column,...`.
    pub mapping: Option<String>,
}

/// A line or document that could not be taken, kept for the admin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuarantineEntry {
    /// Stable id.
    pub id: u64,
    /// Where it came from: a file name, a watched path, or `http <peer>`.
    pub source: String,
    /// File line number, or 0 for a document.
    pub line: u64,
    /// Why it was refused.
    pub reason: String,
    /// The start of the line or document.
    pub excerpt: String,
    /// When it was quarantined.
    pub at: i64,
}

/// What an import (of a chunk, or of a whole file when summed by the client) did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ImportReport {
    /// Lines (or documents) read.
    pub lines: u64,
    /// CDRs stored.
    pub imported: u64,
    /// CDRs that were stored already (same call id and leg).
    pub duplicates: u64,
    /// Of the stored ones, how many matched no customer.
    pub unassigned: u64,
    /// Of the stored ones, how many found no rate.
    pub unrated: u64,
    /// Lines that were refused, with line numbers and reasons.
    pub quarantined: Vec<QuarantineEntry>,
    /// The header row this chunk held (`generic-csv`), for the client to send with later chunks.
    pub header: Option<String>,
}

/// A stored, rated CDR with every column the portal can show.
///
/// Its text fields are [`CompactString`]s: they serialize exactly as `String`s do (the same
/// JSON), but one of up to 24 bytes (every field of a typical CDR) is kept inline, so a page of
/// typical CDRs allocates its vector and no string per row (a longer text is allocated as a
/// `String`'s would be).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cdr {
    /// Call id (Asterisk uniqueid, FreeSWITCH uuid).
    pub call_id: CompactString,
    /// `a` or `b`.
    pub leg: CompactString,
    /// The customer, or none while unassigned.
    pub customer_id: Option<u64>,
    /// Account code.
    pub account_code: CompactString,
    /// Calling number.
    pub source_number: CompactString,
    /// Dialled number.
    pub destination: CompactString,
    /// Name of the matched rate's destination, empty when unrated.
    pub destination_name: CompactString,
    /// Start (Unix seconds, UTC).
    pub call_time: i64,
    /// Answer time.
    pub answer_time: Option<i64>,
    /// End time.
    pub end_time: Option<i64>,
    /// Seconds from start to end.
    pub duration: u32,
    /// Seconds billed after increments.
    pub billed_duration: u32,
    /// Seconds from answer to end.
    pub billsec: u32,
    /// Seconds of ringing.
    pub ring_duration: u32,
    /// Connected (answered).
    pub connected: bool,
    /// The rate per minute applied.
    pub rate: Option<Micros>,
    /// The connect fee applied (charged only when connected).
    pub connect_cost: Micros,
    /// The charge.
    pub charge: Micros,
    /// The customer's currency, empty while unassigned.
    pub currency: CompactString,
    /// Release reason (disposition / hangup cause).
    pub release_reason: CompactString,
    /// SIP response code.
    pub sip_code: Option<u16>,
    /// `inbound`, `outbound` or empty.
    pub direction: CompactString,
    /// Caller's IP address.
    pub source_ip: CompactString,
    /// The route's tech prefix that was stripped.
    pub tech_prefix: CompactString,
    /// The rate card that priced it.
    pub ratecard: CompactString,
    /// Whether a rate was found (false: stored with no charge, flagged).
    pub rated: bool,
}

/// Where a page of CDRs continues (keyset paging, newest first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CdrCursor {
    /// Start time of the last CDR shown.
    pub call_time: i64,
    /// Its storage sequence number.
    pub seq: u64,
}

/// Which CDRs to list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CdrQuery {
    /// The customer; `None` lists unassigned CDRs.
    pub customer_id: Option<u64>,
    /// Calls starting at or after (Unix seconds).
    pub from: Option<i64>,
    /// Calls starting before (Unix seconds).
    pub to: Option<i64>,
    /// Only connected calls.
    pub connected_only: bool,
    /// Digits (or text) the source or destination number contains.
    pub search: Option<String>,
    /// Page size (at most 1,000).
    pub limit: u32,
    /// Continue after this CDR.
    pub after: Option<CdrCursor>,
}

/// A page of CDRs, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CdrPage {
    /// The CDRs.
    pub cdrs: Vec<Cdr>,
    /// Where the next page starts, when there is one.
    pub next: Option<CdrCursor>,
}

/// Unassigned CDRs of one account code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnassignedGroup {
    /// The account code (may be empty).
    pub account_code: String,
    /// How many CDRs.
    pub cdrs: u64,
    /// The earliest call.
    pub first_call: i64,
    /// The latest call.
    pub last_call: i64,
}

/// A breakout or summary question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ReportQuery {
    /// The customer.
    pub customer_id: u64,
    /// From (Unix seconds, rounded down to the UTC day).
    pub from: Option<i64>,
    /// To (Unix seconds, exclusive, rounded up to the UTC day).
    pub to: Option<i64>,
    /// Breakout: one row per day and destination instead of per destination.
    pub per_day: bool,
}

/// Traffic figures of a group of calls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Traffic {
    /// Calls attempted.
    pub attempts: u64,
    /// Calls connected.
    pub connected: u64,
    /// Answer-seizure ratio in percent, one decimal (connected / attempts).
    pub asr: String,
    /// Average call duration in seconds (billsec of connected calls / connected).
    pub acd: u64,
    /// Seconds of connected calls (billsec).
    pub duration: u64,
    /// Billed seconds.
    pub billed_duration: u64,
    /// The charge.
    pub charge: Micros,
}

/// One row of a breakout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BreakoutRow {
    /// The UTC day (Unix seconds at 00:00) when grouped per day.
    pub day: Option<i64>,
    /// Destination name (`(unrated)` for calls with no rate).
    pub destination_name: String,
    /// The figures.
    #[serde(flatten)]
    pub traffic: Traffic,
}

/// One row of a summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryRow {
    /// Start of the period (Unix seconds, UTC day or month start).
    pub period: i64,
    /// The figures.
    #[serde(flatten)]
    pub traffic: Traffic,
}

/// Daily and monthly summaries of a customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Per UTC day in the range, newest first.
    pub days: Vec<SummaryRow>,
    /// Per UTC month in the range, newest first.
    pub months: Vec<SummaryRow>,
}

/// A customer's money position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Balance {
    /// The customer.
    pub customer_id: u64,
    /// Its currency.
    pub currency: String,
    /// Sum of completed payments.
    pub payments: Micros,
    /// Sum of CDR charges.
    pub charges: Micros,
    /// payments - charges.
    pub balance: Micros,
    /// How far below zero the balance may go.
    pub debit_limit: Micros,
    /// balance + debit limit: what is left to spend.
    pub available: Micros,
    /// The balance is below the highest low-balance alert threshold.
    pub low_balance: bool,
    /// Nothing is left to spend (available <= 0).
    pub exhausted: bool,
}

/// Counters of the ingest, for the status line and `portico cdr status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct IngestStatus {
    /// CDRs stored.
    pub cdrs: u64,
    /// Of them, unassigned.
    pub unassigned: u64,
    /// Of them, unrated.
    pub unrated: u64,
    /// Quarantined lines and documents.
    pub quarantined: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The JSON of a CDR, as a `String`-field CDR gave it: what `cdr list --json` prints and
    /// scripts read.
    const JSON: &str = r#"{"call_id":"0c1d2e3f-4a5b-4c6d-8e9f-a0b1c2d3e4f5","leg":"b","customer_id":7,"account_code":"1001","source_number":"+442079460000","destination":"447700900123","destination_name":"United Kingdom - Mobile - a name longer than 24 bytes","call_time":1795737600,"answer_time":1795737605,"end_time":null,"duration":95,"billed_duration":96,"billsec":90,"ring_duration":5,"connected":true,"rate":"0.025","connect_cost":"0.01","charge":"0.05","currency":"USD","release_reason":"NORMAL_CLEARING","sip_code":200,"direction":"outbound","source_ip":"203.0.113.7","tech_prefix":"","ratecard":"Retail, USD","rated":true}"#;

    #[test]
    fn a_cdr_is_the_same_json_with_compact_strings() {
        let cdr: Cdr = serde_json::from_str(JSON).unwrap();
        assert_eq!(cdr.call_id, "0c1d2e3f-4a5b-4c6d-8e9f-a0b1c2d3e4f5");
        assert!(cdr.call_id.is_heap_allocated());
        assert!(!cdr.release_reason.is_heap_allocated());
        assert_eq!(cdr.tech_prefix, "");
        assert_eq!(cdr.charge, Micros(50_000));
        assert_eq!(serde_json::to_string(&cdr).unwrap(), JSON);
    }
}
