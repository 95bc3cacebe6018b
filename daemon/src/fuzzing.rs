//! Entry points of the fuzz targets (`fuzz/`, cargo-fuzz); not an API.
//!
//! Each function feeds arbitrary bytes to one parser the way the daemon does, and checks what
//! must hold of any answer. None may panic, whatever the bytes.

use jiff::tz::TimeZone;
use portico_protocol::FileInfo;

use crate::config::{Config, Overrides};
use crate::ingest::formats::{self, Format, GenericMapping, ParseOptions, Parsed};
use crate::model::{files, ratecard_csv};

pub use crate::portal::fuzzing::form_bodies;

/// The options of a switch in a zone with DST changes, naming customers by a variable.
fn options(mapping: Option<GenericMapping>) -> ParseOptions {
    ParseOptions {
        time_zone: TimeZone::get("Europe/London").unwrap_or(TimeZone::UTC),
        customer_variable: Some("customer_hint".to_owned()),
        mapping,
    }
}

/// Every line number an entry names lies within the input.
fn check_lines(parsed: &Parsed, input: &[u8], first_line: u64) {
    let last = first_line + input.iter().filter(|&&b| b == b'\n').count() as u64;
    for (line, _) in &parsed.cdrs {
        assert!(
            (first_line..=last).contains(line),
            "CDR line {line} outside {first_line}..={last}"
        );
    }
    for q in &parsed.quarantined {
        assert!(
            (first_line..=last).contains(&q.line),
            "quarantined line {} outside {first_line}..={last}",
            q.line
        );
    }
}

/// Parses `input` whole, then as a file watcher does: the complete records first, the rest
/// as a later chunk (with the header found in the first, for generic CSV).
fn lines(format: Format, input: &[u8], opts: &ParseOptions) {
    let whole = formats::parse_lines(format, input, 1, None, opts);
    check_lines(&whole, input, 1);
    let cut = formats::complete_records_len(input);
    assert!(cut <= input.len());
    let (head, tail) = input.split_at(cut);
    let first = formats::parse_lines(format, head, 1, None, opts);
    check_lines(&first, head, 1);
    let next_line = 1 + head.iter().filter(|&&b| b == b'\n').count() as u64;
    let rest = formats::parse_lines(format, tail, next_line, first.header.as_deref(), opts);
    check_lines(&rest, tail, next_line);
}

/// Asterisk `cdr_csv` / `cdr_custom` lines.
pub fn asterisk_csv(input: &[u8]) {
    lines(Format::AsteriskCsv, input, &options(None));
}

/// FreeSWITCH `mod_cdr_csv` lines.
pub fn freeswitch_csv(input: &[u8]) {
    lines(Format::FreeswitchCsv, input, &options(None));
}

/// FreeSWITCH `mod_json_cdr`: one document (or its form body) as the HTTP endpoint takes it,
/// and a stream of documents as an import does.
pub fn freeswitch_json(input: &[u8]) {
    let opts = options(None);
    let _ = formats::parse_json(input, &opts);
    lines(Format::FreeswitchJson, input, &opts);
}

/// Generic CSV: the first line is the column mapping (`field=column,...`, as an admin gives
/// it; when it does not parse, columns are taken by Portico's names), the rest the file.
pub fn generic_csv(input: &[u8]) {
    let (spec, csv) = match input.iter().position(|&b| b == b'\n') {
        Some(at) => (&input[..at], &input[at + 1..]),
        None => (input, &[][..]),
    };
    let mapping = std::str::from_utf8(spec)
        .ok()
        .and_then(|s| s.parse::<GenericMapping>().ok());
    let opts = options(mapping.clone());
    if let Some(mapping) = &mapping {
        let header = csv.split(|&b| b == b'\n').next().unwrap_or_default();
        let _ = mapping.check_header(header, &opts);
    }
    lines(Format::GenericCsv, csv, &opts);
}

/// A rate card CSV as `portico ratecard import` sends it.
pub fn rate_card_csv(input: &[u8]) {
    let text = String::from_utf8_lossy(input);
    if let Ok(rates) = ratecard_csv::parse_rates(&text) {
        assert!(!rates.is_empty(), "a rate card was accepted without rates");
    }
}

/// `porticod.toml`: parsed and validated as the daemon starts, in production and with `--dev`.
pub fn config_toml(input: &[u8]) {
    let Ok(text) = std::str::from_utf8(input) else {
        return;
    };
    for dev in [false, true] {
        let overrides = Overrides {
            dev,
            ..Overrides::default()
        };
        if let Ok(config) = Config::from_toml(text, &overrides) {
            let _ = config.summary(std::path::Path::new("/nonexistent/porticod.toml"));
        }
    }
}

/// An uploaded file: the checks of the public file store, and of a logo.
pub fn uploaded_image(input: &[u8]) {
    if files::check_public_file(input).is_err() {
        return;
    }
    let sniffed = files::sniff(input);
    let info = FileInfo {
        name: "logo.png".to_owned(),
        size: input.len() as u64,
        content_type: sniffed.content_type,
        width: sniffed.width,
        height: sniffed.height,
        sha256: String::new(),
        uploaded_at: 0,
    };
    if files::check_logo(&info).is_ok() {
        assert!(info.width.is_some(), "a logo was accepted without a width");
    }
}
