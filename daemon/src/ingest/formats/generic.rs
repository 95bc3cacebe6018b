//! A generic CSV whose header row names its columns.
//!
//! A [`GenericMapping`] says which column holds which of Portico's fields; a field that is not
//! mapped is read from the column named like it (ASCII case ignored), so a file whose header
//! uses Portico's names needs no mapping at all. The fields:
//!
//! | field | value |
//! |---|---|
//! | `call_id` | required, not empty |
//! | `leg` | `a` or `b` (`aleg`, `a-leg`...), empty is `a` |
//! | `account_code`, `source_number`, `destination`, `release_reason`, `direction`, `source_ip` | text; `destination` is a required column |
//! | `customer_hint` | text (also a column named like [`ParseOptions::customer_variable`]) |
//! | `start` | required: `YYYY-MM-DD HH:MM:SS` (in [`ParseOptions::time_zone`]), RFC 3339, or Unix seconds |
//! | `answer`, `end` | the same, empty or `0` for none |
//! | `duration`, `billsec` | seconds (a fraction rounds up) or `H:MM:SS`; empty or unmapped: from the times |
//! | `answered` | `1`/`0`, `true`/`false`, `yes`/`no` |
//! | `disposition` | `ANSWERED` (or `ANSWER`, `CONNECTED`) means connected; also the release reason when that is not mapped |
//! | `sip_code` | 100 to 699, or `sip:486` |
//!
//! The header must name `call_id`, `destination`, `start`, and `billsec` or both `answer` and
//! `end`. A call is connected by its `answered` column, else its `disposition` column, else
//! when billsec > 0. A record must have as many fields as the header; a record equal to the
//! header (a file concatenated with another) is skipped.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use csv::ByteRecord;
use serde::{Deserialize, Serialize};

use super::ParseOptions;
use super::clock::Clock;
use super::fields::{self, show, sip_code, span, text, trim};
use crate::ingest::{Leg, RawCdr};

/// The time formats generic CSV accepts, said in reasons.
const TIME_FORMATS: &str = "YYYY-MM-DD HH:MM:SS, RFC 3339 or Unix seconds";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    CallId,
    Leg,
    AccountCode,
    CustomerHint,
    SourceNumber,
    Destination,
    Start,
    Answer,
    End,
    Duration,
    Billsec,
    Answered,
    Disposition,
    ReleaseReason,
    SipCode,
    Direction,
    SourceIp,
}

const FIELD_COUNT: usize = 17;

const FIELDS: [Field; FIELD_COUNT] = [
    Field::CallId,
    Field::Leg,
    Field::AccountCode,
    Field::CustomerHint,
    Field::SourceNumber,
    Field::Destination,
    Field::Start,
    Field::Answer,
    Field::End,
    Field::Duration,
    Field::Billsec,
    Field::Answered,
    Field::Disposition,
    Field::ReleaseReason,
    Field::SipCode,
    Field::Direction,
    Field::SourceIp,
];

impl Field {
    const fn name(self) -> &'static str {
        match self {
            Field::CallId => "call_id",
            Field::Leg => "leg",
            Field::AccountCode => "account_code",
            Field::CustomerHint => "customer_hint",
            Field::SourceNumber => "source_number",
            Field::Destination => "destination",
            Field::Start => "start",
            Field::Answer => "answer",
            Field::End => "end",
            Field::Duration => "duration",
            Field::Billsec => "billsec",
            Field::Answered => "answered",
            Field::Disposition => "disposition",
            Field::ReleaseReason => "release_reason",
            Field::SipCode => "sip_code",
            Field::Direction => "direction",
            Field::SourceIp => "source_ip",
        }
    }

    fn from_name(s: &str) -> Option<Field> {
        FIELDS.into_iter().find(|f| f.name() == s)
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Which column of a generic CSV holds which of Portico's fields.
///
/// Written `FIELD=COLUMN,FIELD=COLUMN` (`call_id=uuid,destination=dnis,start=calldate`), in
/// `FromStr`, `Display` and serde (a string). Column names are matched with ASCII case
/// ignored and cannot themselves hold `,` or `=`. Fields not mapped are read from a column of
/// their own name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct GenericMapping {
    columns: Vec<(Field, String)>,
}

impl GenericMapping {
    /// Portico's field names, in the order help texts list them.
    pub const FIELDS: [&'static str; FIELD_COUNT] = {
        let mut names = [""; FIELD_COUNT];
        let mut i = 0;
        while i < FIELD_COUNT {
            names[i] = FIELDS[i].name();
            i += 1;
        }
        names
    };

    /// A mapping that maps nothing: every field is read from the column of its name.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads `field` from `column`, in place of what was mapped to it before.
    pub fn map(&mut self, field: &str, column: &str) -> Result<(), String> {
        let f = Field::from_name(field.trim()).ok_or_else(|| {
            format!(
                "unknown field {:?} in the CDR column mapping; the fields are {}",
                field.trim(),
                Self::FIELDS.join(", ")
            )
        })?;
        let column = column.trim();
        if column.is_empty() {
            return Err(format!(
                "field {} is mapped to an empty column name",
                f.name()
            ));
        }
        self.columns.retain(|(g, _)| *g != f);
        self.columns.push((f, column.to_owned()));
        Ok(())
    }

    /// The column `field` is mapped to, if it is.
    pub fn column(&self, field: &str) -> Option<&str> {
        let f = Field::from_name(field)?;
        self.columns
            .iter()
            .find(|(g, _)| *g == f)
            .map(|(_, c)| c.as_str())
    }

    /// Whether this mapping can read a file with this header row (and why not): lets an
    /// import refuse a file before sending it.
    pub fn check_header(&self, header: &[u8], opts: &ParseOptions) -> Result<(), String> {
        let rec = first_record(header).ok_or("the header row is empty")?;
        Columns::resolve(self, &rec, opts.customer_variable.as_deref()).map(|_| ())
    }

    fn explicit(&self, f: Field) -> Option<&str> {
        self.columns
            .iter()
            .find(|(g, _)| *g == f)
            .map(|(_, c)| c.as_str())
    }
}

impl FromStr for GenericMapping {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut m = GenericMapping::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (field, column) = part
                .split_once('=')
                .ok_or_else(|| format!("{part:?} in the CDR column mapping is not FIELD=COLUMN"))?;
            if m.column(field.trim()).is_some() {
                return Err(format!(
                    "field {} is mapped twice in the CDR column mapping",
                    field.trim()
                ));
            }
            m.map(field, column)?;
        }
        Ok(m)
    }
}

impl fmt::Display for GenericMapping {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (field, column)) in self.columns.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{}={}", field.name(), column)?;
        }
        Ok(())
    }
}

impl TryFrom<String> for GenericMapping {
    type Error = String;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<GenericMapping> for String {
    fn from(m: GenericMapping) -> String {
        m.to_string()
    }
}

/// The first CSV record of some bytes.
fn first_record(b: &[u8]) -> Option<ByteRecord> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(b);
    let mut rec = ByteRecord::new();
    match rdr.read_byte_record(&mut rec) {
        Ok(true) => Some(rec),
        _ => None,
    }
}

/// A header resolved: the index of each field's column, and the column names.
#[derive(Debug, Clone)]
struct Columns {
    index: [Option<usize>; FIELD_COUNT],
    names: Vec<String>,
}

impl Columns {
    fn resolve(
        mapping: &GenericMapping,
        header: &ByteRecord,
        customer_variable: Option<&str>,
    ) -> Result<Columns, String> {
        let names: Vec<String> = header
            .iter()
            .enumerate()
            .map(|(i, h)| {
                let h = if i == 0 {
                    h.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(h)
                } else {
                    h
                };
                text(h)
            })
            .collect();
        let find = |name: &str| names.iter().position(|n| n.eq_ignore_ascii_case(name));
        let mut index = [None; FIELD_COUNT];
        for f in FIELDS {
            index[f.index()] = match mapping.explicit(f) {
                Some(column) => Some(find(column).ok_or_else(|| {
                    format!(
                        "column {column:?} (mapped to {}) is not in the header: {}",
                        f.name(),
                        names.join(", ")
                    )
                })?),
                None => find(f.name()),
            };
        }
        if index[Field::CustomerHint.index()].is_none() {
            index[Field::CustomerHint.index()] = customer_variable.and_then(find);
        }
        let cols = Columns { index, names };
        for f in [Field::CallId, Field::Destination, Field::Start] {
            if cols.get(f).is_none() {
                return Err(cols.missing(f));
            }
        }
        if cols.get(Field::Billsec).is_none() {
            for f in [Field::Answer, Field::End] {
                if cols.get(f).is_none() {
                    return Err(format!(
                        "{}; without a billsec column, answer and end are needed",
                        cols.missing(f)
                    ));
                }
            }
        }
        Ok(cols)
    }

    fn get(&self, f: Field) -> Option<usize> {
        self.index[f.index()]
    }

    fn missing(&self, f: Field) -> String {
        format!(
            "the header has no column for {0} (name one {0:?} or map it: {0}=COLUMN); its \
             columns are {1}",
            f.name(),
            self.names.join(", ")
        )
    }

    /// How a field is named in a reason: `start`, or `start (column "calldate")`.
    fn label(&self, f: Field) -> Cow<'static, str> {
        match self.get(f).and_then(|i| self.names.get(i)) {
            Some(col) if col != f.name() => Cow::Owned(format!("{} (column {col:?})", f.name())),
            _ => Cow::Borrowed(f.name()),
        }
    }
}

/// Reads generic CSV records, learning the header from the first one unless it was given.
pub(super) struct Parser<'a> {
    clock: Clock<'a>,
    opts: &'a ParseOptions,
    header: Option<ByteRecord>,
    columns: Result<Columns, String>,
    found: Option<Vec<u8>>,
}

impl<'a> Parser<'a> {
    pub(super) fn new(opts: &'a ParseOptions, header: Option<&[u8]>) -> Self {
        let mut p = Parser {
            clock: Clock::new(&opts.time_zone),
            opts,
            header: None,
            columns: Err("no header row yet".to_owned()),
            found: None,
        };
        if let Some(h) = header {
            match first_record(h) {
                Some(rec) => p.learn(rec),
                None => p.columns = Err("the header row given is empty".to_owned()),
            }
            if p.header.is_none() {
                // Refuse every record rather than take one for a header.
                p.header = Some(ByteRecord::new());
            }
        }
        p
    }

    fn learn(&mut self, rec: ByteRecord) {
        let default = GenericMapping::default();
        let mapping = self.opts.mapping.as_ref().unwrap_or(&default);
        self.columns = Columns::resolve(mapping, &rec, self.opts.customer_variable.as_deref())
            .map_err(|e| format!("not read: {e}"));
        self.header = Some(rec);
    }

    /// The header row this input started with, if it did.
    pub(super) fn into_found_header(self) -> Option<Vec<u8>> {
        self.found
    }

    pub(super) fn parse(&mut self, rec: &ByteRecord, raw: &[u8]) -> Result<Option<RawCdr>, String> {
        match &self.header {
            None => {
                self.found = Some(super::trim_line_end(raw).to_vec());
                self.learn(rec.clone());
                return Ok(None);
            }
            Some(h) if h == rec => return Ok(None),
            Some(_) => {}
        }
        let cols = self.columns.as_ref().map_err(Clone::clone)?;
        if rec.len() != cols.names.len() {
            return Err(format!(
                "has {} fields; the header has {}",
                rec.len(),
                cols.names.len()
            ));
        }
        let val = |f: Field| cols.get(f).and_then(|i| rec.get(i)).map(trim);
        let txt = |f: Field| val(f).map(text).unwrap_or_default();

        let call_id = txt(Field::CallId);
        if call_id.is_empty() {
            return Err(format!("{} is empty", cols.label(Field::CallId)));
        }
        let leg = match val(Field::Leg)
            .unwrap_or_default()
            .to_ascii_lowercase()
            .as_slice()
        {
            b"" | b"a" | b"aleg" | b"a-leg" | b"a_leg" => Leg::A,
            b"b" | b"bleg" | b"b-leg" | b"b_leg" => Leg::B,
            other => {
                return Err(format!(
                    "{} {} is not a or b",
                    cols.label(Field::Leg),
                    show(other)
                ));
            }
        };
        let clock = &mut self.clock;
        let start = time(clock, cols, Field::Start, val(Field::Start))?
            .ok_or_else(|| format!("{} is empty", cols.label(Field::Start)))?;
        let answer = time(clock, cols, Field::Answer, val(Field::Answer))?;
        let end = time(clock, cols, Field::End, val(Field::End))?;
        let billsec = match seconds(cols, Field::Billsec, val(Field::Billsec))? {
            Some(b) => b,
            None => match (answer, end) {
                (Some(a), Some(e)) => span(a, e),
                _ => 0,
            },
        };
        let duration = match seconds(cols, Field::Duration, val(Field::Duration))? {
            Some(d) => d,
            None => end.map_or(billsec, |e| span(start, e)),
        };
        let disposition = val(Field::Disposition).map(text);
        let answered = if let Some(v) = val(Field::Answered) {
            boolean(v).ok_or_else(|| {
                format!(
                    "{} {} is not yes or no (1/0, true/false)",
                    cols.label(Field::Answered),
                    show(v)
                )
            })?
        } else if let Some(d) = &disposition {
            ["ANSWERED", "ANSWER", "CONNECTED"]
                .iter()
                .any(|a| d.eq_ignore_ascii_case(a))
        } else {
            billsec > 0
        };
        let sip = match val(Field::SipCode).filter(|v| !v.is_empty()) {
            None => None,
            Some(v) => Some(sip_code(&String::from_utf8_lossy(v)).ok_or_else(|| {
                format!(
                    "{} {} is not a SIP response code (100 to 699)",
                    cols.label(Field::SipCode),
                    show(v)
                )
            })?),
        };
        let release_reason = match cols.get(Field::ReleaseReason) {
            Some(_) => txt(Field::ReleaseReason),
            None => disposition.unwrap_or_default(),
        };
        let customer_hint = Some(txt(Field::CustomerHint)).filter(|h| !h.is_empty());
        Ok(Some(RawCdr {
            call_id,
            leg,
            account_code: txt(Field::AccountCode),
            customer_hint,
            source_number: txt(Field::SourceNumber),
            destination: txt(Field::Destination),
            start,
            answer,
            end,
            duration,
            billsec,
            answered,
            release_reason,
            sip_code: sip,
            direction: txt(Field::Direction),
            source_ip: txt(Field::SourceIp),
        }))
    }
}

/// A time: `Ok(None)` when the column is absent, empty or `0`.
fn time(
    clock: &mut Clock<'_>,
    cols: &Columns,
    f: Field,
    v: Option<&[u8]>,
) -> Result<Option<i64>, String> {
    let Some(v) = v.filter(|v| !v.is_empty() && *v != b"0") else {
        return Ok(None);
    };
    match clock.parse(v) {
        Some(t) => Ok(Some(t)),
        None => Err(format!(
            "{} {} is not a date-time ({TIME_FORMATS})",
            cols.label(f),
            show(v)
        )),
    }
}

/// Seconds, or `H:MM:SS` / `M:SS`; `Ok(None)` when the column is absent or empty.
fn seconds(cols: &Columns, f: Field, v: Option<&[u8]>) -> Result<Option<u32>, String> {
    let Some(v) = v.filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if let Ok(s) = fields::seconds(v) {
        return Ok(s);
    }
    clock_duration(v).map(Some).ok_or_else(|| {
        format!(
            "{} {} is not a number of seconds (or H:MM:SS)",
            cols.label(f),
            show(v)
        )
    })
}

/// `H:MM:SS` or `M:SS` as seconds.
fn clock_duration(v: &[u8]) -> Option<u32> {
    let parts: Vec<&[u8]> = v.split(|&b| b == b':').collect();
    if !(2..=3).contains(&parts.len()) {
        return None;
    }
    let mut total: u32 = 0;
    for (i, p) in parts.iter().enumerate() {
        if p.is_empty() || p.len() > 6 || !p.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let n: u32 = std::str::from_utf8(p).ok()?.parse().ok()?;
        if i > 0 && (p.len() != 2 || n > 59) {
            return None;
        }
        total = total.checked_mul(60)?.checked_add(n)?;
    }
    Some(total)
}

fn boolean(v: &[u8]) -> Option<bool> {
    match v.to_ascii_lowercase().as_slice() {
        b"1" | b"true" | b"t" | b"yes" | b"y" | b"answered" => Some(true),
        b"0" | b"false" | b"f" | b"no" | b"n" | b"" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
