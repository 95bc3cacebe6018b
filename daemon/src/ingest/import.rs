//! Admin imports (`portico cdr import`): one chunk of a file, parsed and stored durably.

use jiff::tz::TimeZone;
use portico_protocol::{AdminError, AdminResult, CdrImportChunk, ImportReport};

use super::formats::{self, Format, GenericMapping, ParseOptions};
use super::pipeline::{Batch, Ingest, Rejected};

/// Reads an IANA time zone name (`UTC` when unset), naming the field on error.
pub fn time_zone(field: &str, name: Option<&str>) -> AdminResult<TimeZone> {
    match name.map(str::trim).filter(|n| !n.is_empty()) {
        None => Ok(TimeZone::UTC),
        Some(name) => TimeZone::get(name).map_err(|_| {
            AdminError::invalid(
                field,
                format!(
                    "{name:?} is not an IANA time zone; use a name such as Europe/London, \
                     America/New_York or UTC"
                ),
            )
        }),
    }
}

/// Parses one chunk and stores it in one durable transaction. Blocking.
pub fn import_chunk(ingest: &Ingest, chunk: CdrImportChunk) -> AdminResult<ImportReport> {
    let format: Format = chunk
        .format
        .parse()
        .map_err(|e: String| AdminError::invalid("format", e))?;
    let mapping = match chunk.mapping.as_deref().filter(|m| !m.trim().is_empty()) {
        Some(m) => Some(
            m.parse::<GenericMapping>()
                .map_err(|e| AdminError::invalid("mapping", e))?,
        ),
        None => None,
    };
    let opts = ParseOptions {
        time_zone: time_zone("time_zone", chunk.time_zone.as_deref())?,
        customer_variable: ingest.customer_variable().map(str::to_string),
        mapping,
    };
    let data = chunk.data.0;
    let first_line = chunk.first_line.max(1);
    let parsed = formats::parse_lines(
        format,
        &data,
        first_line,
        chunk.header.as_deref().map(str::as_bytes),
        &opts,
    );
    let lines = count_lines(&data);
    let batch = Batch {
        source: chunk.source,
        lines,
        cdrs: parsed.cdrs,
        rejected: parsed
            .quarantined
            .into_iter()
            .map(|q| Rejected {
                reason: q.to_string(),
                line: q.line,
                excerpt: q.excerpt,
            })
            .collect(),
    };
    let mut report = ingest.ingest(batch, |_| Ok(()))?;
    report.header = parsed
        .header
        .map(|h| String::from_utf8_lossy(&h).into_owned());
    Ok(report)
}

/// Lines in a chunk: line ends, plus a last line without one.
pub fn count_lines(data: &[u8]) -> u64 {
    let ends = data.iter().filter(|b| **b == b'\n').count() as u64;
    ends + u64::from(!data.is_empty() && !data.ends_with(b"\n"))
}
