//! Parsers of what switches write, into [`RawCdr`]s.
//!
//! | [`Format`] | stable name | what it reads |
//! |---|---|---|
//! | [`Format::AsteriskCsv`] | `asterisk-csv` | Asterisk `cdr_csv` Master.csv (16 to 21 fields), and `cdr_custom`'s sample mapping, told apart per line ([`asterisk`]) |
//! | [`Format::FreeswitchCsv`] | `freeswitch-csv` | FreeSWITCH `mod_cdr_csv` with the built-in `default`, or the shipped `example`, `linksys` or `snom` template ([`freeswitch_csv`]) |
//! | [`Format::FreeswitchJson`] | `freeswitch-json` | FreeSWITCH `mod_json_cdr` documents ([`freeswitch_json`]) |
//! | [`Format::GenericCsv`] | `generic-csv` | any CSV whose header row names its columns, with a [`GenericMapping`] ([`generic`]) |
//!
//! The names are the same in `FromStr`, `Display` and serde (kebab-case), in config, protocol
//! and CLI.
//!
//! Entry points: [`parse_lines`] for the line formats (a file is fed in chunks of whole lines),
//! [`parse_json`] for one `mod_json_cdr` document (the HTTP endpoint). A line that cannot be
//! read is never fatal: it comes back in [`Parsed::quarantined`] with its line number, the
//! reason and an excerpt, and the rest goes on.

use std::fmt;
use std::str::FromStr;

use csv::ByteRecord;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use super::RawCdr;

pub mod asterisk;
mod clock;
mod fields;
pub mod freeswitch_csv;
pub mod freeswitch_json;
pub mod generic;

pub use generic::GenericMapping;

/// A CDR format Portico reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// `asterisk-csv`: Asterisk `cdr_csv` (and `cdr_custom`'s sample mapping).
    AsteriskCsv,
    /// `freeswitch-csv`: FreeSWITCH `mod_cdr_csv`.
    FreeswitchCsv,
    /// `freeswitch-json`: FreeSWITCH `mod_json_cdr`.
    FreeswitchJson,
    /// `generic-csv`: a CSV with a header row.
    GenericCsv,
}

impl Format {
    /// Every format, in the order help texts list them.
    pub const ALL: [Format; 4] = [
        Format::AsteriskCsv,
        Format::FreeswitchCsv,
        Format::FreeswitchJson,
        Format::GenericCsv,
    ];

    /// The stable name.
    pub fn name(self) -> &'static str {
        match self {
            Format::AsteriskCsv => "asterisk-csv",
            Format::FreeswitchCsv => "freeswitch-csv",
            Format::FreeswitchJson => "freeswitch-json",
            Format::GenericCsv => "generic-csv",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|f| f.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
                format!(
                    "unknown CDR format {s:?}; the formats are {}",
                    names.join(", ")
                )
            })
    }
}

/// What a parse needs to know about the source.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseOptions {
    /// The zone of times written without an offset: Asterisk's (unless `usegmtime`), the
    /// FreeSWITCH `*_stamp` values, generic CSV's `YYYY-MM-DD HH:MM:SS`. FreeSWITCH JSON uses
    /// its `*_epoch` values, which are UTC, whenever they are there.
    pub time_zone: TimeZone,
    /// The FreeSWITCH channel variable whose value names the customer (`customer_hint`); in
    /// generic CSV, a column of that name does the same unless `customer_hint` is mapped.
    pub customer_variable: Option<String>,
    /// The column mapping of generic CSV; `None` maps columns named like Portico's fields.
    pub mapping: Option<GenericMapping>,
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions {
            time_zone: TimeZone::UTC,
            customer_variable: None,
            mapping: None,
        }
    }
}

/// A line (or document) that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quarantined {
    /// The 1-based line number in the file where the record starts.
    pub line: u64,
    /// What is wrong, for a person: `start "2015-13-45 99:00:00" is not a date-time
    /// (YYYY-MM-DD HH:MM:SS)`. Without the line number, which `Display` adds.
    pub reason: String,
    /// The start of the record (lossy UTF-8, at most 200 characters, no line end).
    pub excerpt: String,
}

impl fmt::Display for Quarantined {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

/// What [`parse_lines`] made of its input.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parsed {
    /// The CDRs read, each with the file line where its record starts, in input order.
    pub cdrs: Vec<(u64, RawCdr)>,
    /// The records that could not be read.
    pub quarantined: Vec<Quarantined>,
    /// Generic CSV: the header row found at the start of this input (without its line end),
    /// to be passed as `header` with the file's later chunks. `None` for other formats, and
    /// when the caller gave the header.
    pub header: Option<Vec<u8>>,
}

/// Parses whole lines of a line format.
///
/// `input` holds whole lines (a last line without a line end counts); `first_line` is the
/// 1-based file line number of its first line, so that entries name real lines. `header` is
/// the generic CSV header row seen earlier in the same file (chunks after the first do not
/// repeat it); when it is `None` the first record of `input` is taken as the header and
/// returned in [`Parsed::header`]. Other formats ignore `header`.
///
/// Quoted fields may hold commas, doubled quotes and line ends; bytes that are not UTF-8 are
/// decoded lossily. A record that cannot be read goes to [`Parsed::quarantined`]; when such a
/// record spans several lines (a stray quote swallows the lines after it), each of its lines
/// is read again on its own, so that one bad quote costs one line.
///
/// [`Format::FreeswitchJson`] is accepted too: `input` then holds whole documents, one after
/// the other (one per line as FreeSWITCH writes them, or pretty-printed), and a document that
/// cannot be read is quarantined from its first line up to the next line that starts with `{`.
pub fn parse_lines(
    format: Format,
    input: &[u8],
    first_line: u64,
    header: Option<&[u8]>,
    opts: &ParseOptions,
) -> Parsed {
    let mut out = Parsed::default();
    match format {
        Format::AsteriskCsv => {
            let mut p = asterisk::Parser::new(opts);
            read_records(input, first_line, &mut out, |rec, _| p.parse(rec).map(Some));
        }
        Format::FreeswitchCsv => {
            let mut p = freeswitch_csv::Parser::new(opts);
            read_records(input, first_line, &mut out, |rec, _| p.parse(rec).map(Some));
        }
        Format::GenericCsv => {
            let mut p = generic::Parser::new(opts, header);
            read_records(input, first_line, &mut out, |rec, raw| p.parse(rec, raw));
            out.header = p.into_found_header();
        }
        Format::FreeswitchJson => freeswitch_json::parse_stream(input, first_line, opts, &mut out),
    }
    out
}

/// Parses one FreeSWITCH `mod_json_cdr` document: the JSON itself, or the form body
/// `cdr=<url-encoded JSON>` (or base64, with `encode` set so) that mod_json_cdr posts.
/// The error says what is wrong with the document.
pub fn parse_json(input: &[u8], opts: &ParseOptions) -> Result<RawCdr, String> {
    freeswitch_json::parse_document(input, opts)
}

/// The length of the longest prefix of `input` that ends with a line end outside quotes, so a
/// reader of a growing or chunked file cuts between records: neither inside a quoted field
/// that holds a line end, nor in a line the switch is still writing. 0 when there is none.
pub fn complete_records_len(input: &[u8]) -> usize {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        FieldStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }
    let mut state = State::FieldStart;
    let mut complete = 0;
    for (i, &b) in input.iter().enumerate() {
        state = match (state, b) {
            (State::Quoted, b'"') => State::QuoteInQuoted,
            (State::Quoted, _) => State::Quoted,
            (State::FieldStart, b'"') | (State::QuoteInQuoted, b'"') => State::Quoted,
            (_, b'\n') => {
                complete = i + 1;
                State::FieldStart
            }
            (_, b',') => State::FieldStart,
            _ => State::Unquoted,
        };
    }
    complete
}

fn csv_reader(input: &[u8]) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(64 * 1024)
        .from_reader(input)
}

/// Reads the CSV records of `input` and hands each, with its raw bytes, to `parse`:
/// `Ok(Some)` is a CDR, `Ok(None)` a record that is no CDR (a header), `Err` a reason.
fn read_records(
    input: &[u8],
    first_line: u64,
    out: &mut Parsed,
    mut parse: impl FnMut(&ByteRecord, &[u8]) -> Result<Option<RawCdr>, String>,
) {
    let mut rdr = csv_reader(input);
    let mut rec = ByteRecord::new();
    // Line numbers are counted here from the bytes: the CSV reader's own count goes wrong
    // after a CRLF line end and a blank line.
    let mut counted_to = 0;
    let mut line = first_line;
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                // Reading a byte slice into byte records has no failure mode left; say so
                // rather than lose the rest silently.
                let at = usize::try_from(rdr.position().byte())
                    .unwrap_or(input.len())
                    .min(input.len());
                out.quarantined.push(Quarantined {
                    line: line + count_lines(&input[counted_to.min(at)..at]),
                    reason: format!("the CSV reader stopped: {e}"),
                    excerpt: fields::excerpt(&input[at..]),
                });
                break;
            }
        }
        let mut begin = rec
            .position()
            .and_then(|p| usize::try_from(p.byte()).ok())
            .unwrap_or(counted_to)
            .clamp(counted_to, input.len());
        let end = usize::try_from(rdr.position().byte())
            .unwrap_or(input.len())
            .clamp(begin, input.len());
        // The reader's record position is where it started looking: before the line end
        // of the previous record and any blank lines.
        while begin < end && matches!(input[begin], b'\r' | b'\n') {
            begin += 1;
        }
        line += count_lines(&input[counted_to..begin]);
        counted_to = begin;
        let raw = &input[begin..end];
        match parse(&rec, raw) {
            Ok(Some(cdr)) => out.cdrs.push((line, cdr)),
            Ok(None) => {}
            Err(reason) => {
                let body = trim_line_end(raw);
                if body.contains(&b'\n') {
                    reread_lines(body, line, out, &mut parse);
                } else {
                    out.quarantined.push(Quarantined {
                        line,
                        reason,
                        excerpt: fields::excerpt(raw),
                    });
                }
            }
        }
    }
}

fn count_lines(b: &[u8]) -> u64 {
    b.iter().filter(|&&c| c == b'\n').count() as u64
}

/// Reads each physical line of a failed multi-line record on its own.
fn reread_lines(
    body: &[u8],
    first_line: u64,
    out: &mut Parsed,
    parse: &mut impl FnMut(&ByteRecord, &[u8]) -> Result<Option<RawCdr>, String>,
) {
    let mut rec = ByteRecord::new();
    for (k, piece) in (0u64..).zip(body.split(|&b| b == b'\n')) {
        let line = first_line + k;
        let mut rdr = csv_reader(piece);
        while let Ok(true) = rdr.read_byte_record(&mut rec) {
            match parse(&rec, piece) {
                Ok(Some(cdr)) => out.cdrs.push((line, cdr)),
                Ok(None) => {}
                Err(reason) => out.quarantined.push(Quarantined {
                    line,
                    reason,
                    excerpt: fields::excerpt(piece),
                }),
            }
        }
    }
}

fn trim_line_end(mut b: &[u8]) -> &[u8] {
    while let [rest @ .., b'\n' | b'\r'] = b {
        b = rest;
    }
    b
}

/// One CSV line as a record, for the parsers' unit tests.
#[cfg(test)]
pub(crate) fn test_record(line: &str) -> ByteRecord {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(line.as_bytes());
    let mut rec = ByteRecord::new();
    assert!(rdr.read_byte_record(&mut rec).unwrap());
    rec
}

#[cfg(test)]
mod tests;
