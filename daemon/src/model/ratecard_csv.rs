//! Rate cards as CSV: one header row, then one rate per row.
//!
//! ```text
//! prefix,name,rate,connect_fee,first_increment,next_increment,effective_from
//! 44,United Kingdom,0.0100,0,1,1,2026-01-01
//! 447,United Kingdom - Mobile,0.0250,0.01,30,6,2026-01-01
//! ```
//!
//! Header names are case-insensitive and have aliases (see [`COLUMNS`]); `prefix`, `name` and
//! `rate` are required, the other columns optional. An empty cell of an optional column takes
//! the column's default. Money is read exactly, never through floats.

use std::collections::HashMap;

use csv::{ReaderBuilder, StringRecord, Trim};
use portico_protocol::{AdminError, Micros, Rate};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, PrimitiveDateTime};

use super::text::{check_text, shown};

const FIELD: &str = "csv";
/// Most digits of a prefix.
pub const MAX_PREFIX_DIGITS: usize = 20;
/// Longest destination name, in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// Longest billing increment, in seconds.
pub const MAX_INCREMENT: u32 = 3600;

/// A column of the rate card CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Prefix,
    Name,
    Rate,
    ConnectFee,
    FirstIncrement,
    NextIncrement,
    EffectiveFrom,
}

/// Every column: its name, its aliases, and whether the header must have it.
const COLUMNS: &[(Col, &str, &[&str], bool)] = &[
    (Col::Prefix, "prefix", &[], true),
    (Col::Name, "name", &["destination"], true),
    (Col::Rate, "rate", &["rate_per_min"], true),
    (Col::ConnectFee, "connect_fee", &["connection_fee"], false),
    (Col::FirstIncrement, "first_increment", &["first"], false),
    (Col::NextIncrement, "next_increment", &["next"], false),
    (
        Col::EffectiveFrom,
        "effective_from",
        &["effective_date"],
        false,
    ),
];

/// Reads a rate card CSV into rates, in file order. The whole file is refused at the first bad
/// row; the reason says `line N: <column>: <problem>; <what to do>`.
pub fn parse_rates(csv: &str) -> Result<Vec<Rate>, AdminError> {
    let text = csv.strip_prefix('\u{feff}').unwrap_or(csv);
    if text.trim().is_empty() {
        return Err(invalid(
            "the file is empty; it needs a header row such as prefix,name,rate and then one \
             row per rate",
        ));
    }
    let mut reader = ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(Trim::All)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| invalid(format!("line 1: the header cannot be read ({e})")))?
        .clone();
    let header_line = line_of(text, &header);
    let columns = read_header(&header, header_line)?;

    let mut rates = Vec::new();
    let mut seen: HashMap<(String, i64), u64> = HashMap::new();
    let mut record = StringRecord::new();
    loop {
        let more = reader.read_record(&mut record).map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            invalid(format!(
                "line {line}: the row cannot be read ({e}); check its quotes"
            ))
        })?;
        if !more {
            break;
        }
        // Spreadsheets export rows of empty cells below the data.
        if record.iter().all(str::is_empty) {
            continue;
        }
        let line = line_of(text, &record);
        if record.len() != header.len() {
            return Err(invalid(format!(
                "line {line}: the row has {} cells but the header has {}; check for a missing \
                 or extra comma (put a name that contains a comma in double quotes)",
                record.len(),
                header.len()
            )));
        }
        let rate = read_row(&columns, &record, line)?;
        let key = (rate.prefix.clone(), rate.effective_from);
        if let Some(first) = seen.get(&key) {
            return Err(invalid(format!(
                "line {line}: prefix: {} effective from {} is already on line {first}; keep one \
                 of the two rows",
                rate.prefix,
                format_effective(rate.effective_from)
            )));
        }
        seen.insert(key, line);
        rates.push(rate);
    }
    if rates.is_empty() {
        return Err(invalid(format!(
            "the file has a header (line {header_line}) but no rates; add one row per rate \
             below it"
        )));
    }
    Ok(rates)
}

fn invalid(reason: impl Into<String>) -> AdminError {
    AdminError::invalid(FIELD, reason)
}

/// The 1-based line a record starts on. The csv crate positions a record where the previous
/// one ended, so blank lines skipped before it are counted here.
fn line_of(text: &str, record: &StringRecord) -> u64 {
    let Some(pos) = record.position() else {
        return 0;
    };
    let mut line = pos.line();
    let start = usize::try_from(pos.byte()).unwrap_or(usize::MAX);
    let mut rest = text.as_bytes().get(start..).unwrap_or_default();
    while let Some((&b, tail)) = rest.split_first() {
        match b {
            b'\n' => line += 1,
            b'\r' => {}
            _ => break,
        }
        rest = tail;
    }
    line
}

/// The known columns, as a hint: `prefix, name (or destination), ...`.
fn known_columns() -> String {
    COLUMNS
        .iter()
        .map(|(_, name, aliases, _)| {
            if aliases.is_empty() {
                (*name).to_string()
            } else {
                format!("{name} (or {})", aliases.join(", "))
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Maps each header cell to its column, and the header text as written (for messages).
fn read_header(header: &StringRecord, line: u64) -> Result<Vec<(Col, String)>, AdminError> {
    let looks_like_data = header
        .get(0)
        .is_some_and(|first| !first.is_empty() && first.bytes().all(|b| b.is_ascii_digit()));
    if looks_like_data {
        return Err(invalid(format!(
            "line {line}: the file has no header row (it starts with the prefix {}); add \
             prefix,name,rate (and any optional columns) as the first line",
            shown(header.get(0).unwrap_or_default())
        )));
    }
    // Spreadsheets in many locales save "CSV" with semicolons or tabs.
    if let [only] = header.iter().collect::<Vec<_>>()[..]
        && let Some((sep, name)) = [(';', "semicolons"), ('\t', "tabs"), ('|', "bars")]
            .into_iter()
            .find(|(sep, _)| only.contains(*sep))
    {
        return Err(invalid(format!(
            "line {line}: the columns are separated by {name} ({}); save the file as CSV with \
             commas between the columns",
            shown(&sep.to_string())
        )));
    }
    let mut columns: Vec<(Col, String)> = Vec::with_capacity(header.len());
    for (index, cell) in header.iter().enumerate() {
        if cell.is_empty() {
            return Err(invalid(format!(
                "line {line}: column {} has no name; name it or remove it (known columns: {})",
                index + 1,
                known_columns()
            )));
        }
        let wanted = cell.to_ascii_lowercase();
        let Some((col, name, _, _)) = COLUMNS
            .iter()
            .find(|(_, name, aliases, _)| *name == wanted || aliases.contains(&wanted.as_str()))
        else {
            return Err(invalid(format!(
                "line {line}: unknown column {}; the known columns are {}",
                shown(cell),
                known_columns()
            )));
        };
        if let Some((_, earlier)) = columns.iter().find(|(c, _)| c == col) {
            return Err(invalid(format!(
                "line {line}: the columns {} and {} both give the {name}; keep one of them",
                shown(earlier),
                shown(cell)
            )));
        }
        columns.push((*col, cell.to_string()));
    }
    let missing: Vec<&str> = COLUMNS
        .iter()
        .filter(|(col, _, _, required)| *required && !columns.iter().any(|(c, _)| c == col))
        .map(|(_, name, _, _)| *name)
        .collect();
    if !missing.is_empty() {
        return Err(invalid(format!(
            "line {line}: the header has no {} column; the header needs prefix, name and rate \
             (known columns: {})",
            missing.join(", "),
            known_columns()
        )));
    }
    Ok(columns)
}

fn read_row(
    columns: &[(Col, String)],
    record: &StringRecord,
    line: u64,
) -> Result<Rate, AdminError> {
    let mut rate = Rate {
        prefix: String::new(),
        name: String::new(),
        rate_per_min: Micros(0),
        connect_fee: Micros(0),
        first_increment: 1,
        next_increment: 1,
        effective_from: 0,
    };
    for ((col, written), cell) in columns.iter().zip(record.iter()) {
        let at = |problem: String| invalid(format!("line {line}: {written}: {problem}"));
        match col {
            Col::Prefix => rate.prefix = parse_prefix(cell).map_err(at)?,
            Col::Name => rate.name = parse_name(cell).map_err(at)?,
            Col::Rate => rate.rate_per_min = parse_amount(cell, true).map_err(at)?,
            Col::ConnectFee if !cell.is_empty() => {
                rate.connect_fee = parse_amount(cell, false).map_err(at)?;
            }
            Col::FirstIncrement if !cell.is_empty() => {
                rate.first_increment = parse_increment(cell).map_err(at)?;
            }
            Col::NextIncrement if !cell.is_empty() => {
                rate.next_increment = parse_increment(cell).map_err(at)?;
            }
            Col::EffectiveFrom if !cell.is_empty() => {
                rate.effective_from = parse_effective(cell).map_err(at)?;
            }
            Col::ConnectFee | Col::FirstIncrement | Col::NextIncrement | Col::EffectiveFrom => {}
        }
    }
    Ok(rate)
}

fn parse_prefix(cell: &str) -> Result<String, String> {
    if cell.is_empty() {
        return Err("is empty; give the digits a dialled number starts with, e.g. 44".to_string());
    }
    if let Some(digits) = cell.strip_prefix('+')
        && !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(format!(
            "{} has a plus sign; write the digits only, e.g. {digits}",
            shown(cell)
        ));
    }
    if !cell.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "{} is not all digits; a prefix is the digits a dialled number starts with, e.g. 447",
            shown(cell)
        ));
    }
    if cell.len() > MAX_PREFIX_DIGITS {
        return Err(format!(
            "{} has {} digits; a prefix may have at most {MAX_PREFIX_DIGITS}, so shorten it",
            shown(cell),
            cell.len()
        ));
    }
    Ok(cell.to_string())
}

fn parse_name(cell: &str) -> Result<String, String> {
    if cell.is_empty() {
        return Err(
            "is empty; give the destination's name, e.g. United Kingdom - Mobile".to_string(),
        );
    }
    check_text("name", cell, MAX_NAME_CHARS, false).map_err(|e| match e {
        AdminError::Invalid { reason, .. } => reason,
        other => other.to_string(),
    })
}

fn parse_amount(cell: &str, required: bool) -> Result<Micros, String> {
    if cell.is_empty() {
        let hint = if required {
            "give the price of one minute, e.g. 0.0125"
        } else {
            "give an amount such as 0.01"
        };
        return Err(format!("is empty; {hint}"));
    }
    let amount: Micros = cell.parse().map_err(|e| format!("{e}"))?;
    if amount.0 < 0 {
        return Err(format!(
            "{} is negative; give an amount of 0 or more",
            shown(cell)
        ));
    }
    Ok(amount)
}

fn parse_increment(cell: &str) -> Result<u32, String> {
    let range =
        format!("give whole seconds from 1 to {MAX_INCREMENT}, e.g. 60 (1 bills by the second)");
    if !cell.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{} is not a whole number; {range}", shown(cell)));
    }
    match cell.parse::<u32>() {
        Ok(n) if (1..=MAX_INCREMENT).contains(&n) => Ok(n),
        _ => Err(format!("{} is out of range; {range}", shown(cell))),
    }
}

fn parse_effective(cell: &str) -> Result<i64, String> {
    let date_only = format_description!("[year]-[month]-[day]");
    let with_space = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    let with_t = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    if let Ok(date) = Date::parse(cell, date_only) {
        return Ok(date.midnight().assume_utc().unix_timestamp());
    }
    for format in [with_space, with_t] {
        if let Ok(at) = PrimitiveDateTime::parse(cell, format) {
            return Ok(at.assume_utc().unix_timestamp());
        }
    }
    if let Ok(at) = OffsetDateTime::parse(cell, &Rfc3339) {
        return Ok(at.unix_timestamp());
    }
    Err(format!(
        "{} is not a date; write it like 2026-01-31, 2026-01-31 12:00:00 (UTC) or \
         2026-01-31T12:00:00+01:00",
        shown(cell)
    ))
}

/// Unix seconds as written in the CSV: the date alone at midnight, else date and UTC time.
fn format_effective(secs: i64) -> String {
    match OffsetDateTime::from_unix_timestamp(secs) {
        Ok(at) if at.time() == time::Time::MIDNIGHT => {
            let d = at.date();
            format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
        }
        Ok(at) => {
            let d = at.date();
            format!(
                "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
                d.year(),
                u8::from(d.month()),
                d.day(),
                at.hour(),
                at.minute(),
                at.second()
            )
        }
        Err(_) => secs.to_string(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// 2026-01-01T00:00:00Z.
    const JAN_2026: i64 = 1_767_225_600;

    fn reason(csv: &str) -> String {
        match parse_rates(csv) {
            Err(AdminError::Invalid { field, reason }) => {
                assert_eq!(field, "csv");
                reason
            }
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    #[test]
    fn parses_the_documented_example() {
        let csv = "prefix,name,rate,connect_fee,first_increment,next_increment,effective_from\n\
                   44,United Kingdom,0.0100,0,1,1,2026-01-01\n\
                   447,United Kingdom - Mobile,0.0250,0.01,30,6,2026-01-01\n";
        let rates = parse_rates(csv).unwrap();
        assert_eq!(
            rates,
            vec![
                Rate {
                    prefix: "44".into(),
                    name: "United Kingdom".into(),
                    rate_per_min: Micros(10_000),
                    connect_fee: Micros(0),
                    first_increment: 1,
                    next_increment: 1,
                    effective_from: JAN_2026,
                },
                Rate {
                    prefix: "447".into(),
                    name: "United Kingdom - Mobile".into(),
                    rate_per_min: Micros(25_000),
                    connect_fee: Micros(10_000),
                    first_increment: 30,
                    next_increment: 6,
                    effective_from: JAN_2026,
                },
            ]
        );
    }

    #[test]
    fn optional_columns_default() {
        let rates = parse_rates("prefix,name,rate\n1,USA,0.005\n").unwrap();
        assert_eq!(rates.len(), 1);
        let r = &rates[0];
        assert_eq!(r.connect_fee, Micros(0));
        assert_eq!((r.first_increment, r.next_increment), (1, 1));
        assert_eq!(r.effective_from, 0);
    }

    #[test]
    fn empty_optional_cells_default() {
        let csv = "prefix,name,rate,connect_fee,first,next,effective_from\n1,USA,0.005,,,,\n";
        let r = &parse_rates(csv).unwrap()[0];
        assert_eq!(r.connect_fee, Micros(0));
        assert_eq!(
            (r.first_increment, r.next_increment, r.effective_from),
            (1, 1, 0)
        );
    }

    #[test]
    fn headers_are_case_insensitive_with_aliases_in_any_order() {
        let csv = "Effective_Date, RATE_PER_MIN ,Destination,PREFIX,Connection_Fee,First,Next\n\
                   2026-01-01,0.02,Germany,49,0.05,60,60\n";
        let r = &parse_rates(csv).unwrap()[0];
        assert_eq!(r.prefix, "49");
        assert_eq!(r.name, "Germany");
        assert_eq!(r.rate_per_min, Micros(20_000));
        assert_eq!(r.connect_fee, Micros(50_000));
        assert_eq!((r.first_increment, r.next_increment), (60, 60));
        assert_eq!(r.effective_from, JAN_2026);
    }

    #[test]
    fn handles_bom_quotes_crlf_spaces_and_blank_rows() {
        let csv = "\u{feff}prefix,name,rate\r\n\
                   44 ,\"Kingdom, United\", 0.01 \r\n\
                   \r\n\
                   ,,\r\n\
                   33,\"France \"\"Mobile\"\"\",0.02\r\n";
        let rates = parse_rates(csv).unwrap();
        assert_eq!(rates.len(), 2);
        assert_eq!(rates[0].name, "Kingdom, United");
        assert_eq!(rates[0].rate_per_min, Micros(10_000));
        assert_eq!(rates[1].name, "France \"Mobile\"");
    }

    #[test]
    fn effective_from_accepts_dates_times_and_rfc3339() {
        let cases = [
            ("2026-01-01", JAN_2026),
            ("2026-01-01 12:30:00", JAN_2026 + 45_000),
            ("2026-01-01T12:30:00", JAN_2026 + 45_000),
            ("2026-01-01T12:30:00Z", JAN_2026 + 45_000),
            ("2026-01-01T12:30:00+01:00", JAN_2026 + 41_400),
            ("1970-01-01", 0),
        ];
        for (text, want) in cases {
            assert_eq!(parse_effective(text), Ok(want), "{text}");
        }
        for bad in [
            "01/02/2026",
            "2026-02-30",
            "2026-1-1",
            "tomorrow",
            "1767225600",
        ] {
            let err = parse_effective(bad).unwrap_err();
            assert!(err.contains("is not a date"), "{bad}: {err}");
            assert!(err.contains("2026-01-31"), "{err}");
        }
    }

    #[test]
    fn refuses_an_empty_file() {
        for csv in ["", "  \n\n", "\u{feff}"] {
            let text = reason(csv);
            assert!(text.contains("the file is empty"), "{text}");
            assert!(text.contains("prefix,name,rate"), "{text}");
        }
    }

    #[test]
    fn refuses_a_header_without_rows() {
        let text = reason("prefix,name,rate\n");
        assert!(text.contains("no rates"), "{text}");
        assert!(reason("prefix,name,rate\n,,\n").contains("no rates"));
    }

    #[test]
    fn refuses_a_missing_header() {
        let text = reason("44,United Kingdom,0.01\n");
        assert!(
            text.starts_with("line 1: the file has no header row"),
            "{text}"
        );
    }

    #[test]
    fn refuses_other_separators_with_a_hint() {
        let text = reason("prefix;name;rate\n44;UK;0,01\n");
        assert!(
            text.starts_with("line 1: the columns are separated by semicolons"),
            "{text}"
        );
        assert!(text.contains("commas"), "{text}");
        let text = reason("prefix\tname\trate\n44\tUK\t0.01\n");
        assert!(text.contains("separated by tabs"), "{text}");
    }

    #[test]
    fn refuses_unknown_columns_listing_the_known_ones() {
        let text = reason("prefix,name,rate,country\n44,UK,0.01,GB\n");
        assert!(
            text.starts_with("line 1: unknown column \"country\""),
            "{text}"
        );
        assert!(text.contains("prefix, name (or destination), rate (or rate_per_min), connect_fee (or connection_fee), first_increment (or first), next_increment (or next), effective_from (or effective_date)"), "{text}");
        let text = reason("prefix,,rate,name\n44,,0.01,UK\n");
        assert!(text.contains("column 2 has no name"), "{text}");
    }

    #[test]
    fn refuses_missing_and_doubled_columns() {
        let text = reason("prefix,name\n44,UK\n");
        assert!(
            text.contains("line 1: the header has no rate column"),
            "{text}"
        );
        let text = reason("name\nUK\n");
        assert!(text.contains("no prefix, rate column"), "{text}");
        let text = reason("prefix,name,destination,rate\n44,UK,UK,0.01\n");
        assert!(
            text.contains("the columns \"name\" and \"destination\" both give the name"),
            "{text}"
        );
    }

    #[test]
    fn refuses_rows_with_the_wrong_number_of_cells() {
        let text = reason("prefix,name,rate\n44,UK,0.01\n33,France,0,01\n");
        assert!(
            text.starts_with("line 3: the row has 4 cells but the header has 3"),
            "{text}"
        );
        assert!(text.contains("double quotes"), "{text}");
    }

    #[test]
    fn refuses_bad_prefixes() {
        let text = reason("prefix,name,rate\n+44,UK,0.01\n");
        assert_eq!(
            text,
            "line 2: prefix: \"+44\" has a plus sign; write the digits only, e.g. 44"
        );
        let text = reason("prefix,name,rate\n44a,UK,0.01\n");
        assert!(
            text.starts_with("line 2: prefix: \"44a\" is not all digits"),
            "{text}"
        );
        let text = reason("prefix,name,rate\n,UK,0.01\n");
        assert!(text.starts_with("line 2: prefix: is empty"), "{text}");
        let long = "1".repeat(21);
        let text = reason(&format!("prefix,name,rate\n{long},UK,0.01\n"));
        assert!(text.contains("has 21 digits"), "{text}");
        assert!(text.contains("at most 20"), "{text}");
        let ok = "1".repeat(20);
        assert!(parse_rates(&format!("prefix,name,rate\n{ok},UK,0.01\n")).is_ok());
    }

    #[test]
    fn refuses_bad_names() {
        let text = reason("prefix,destination,rate\n44,,0.01\n");
        assert!(text.starts_with("line 2: destination: is empty"), "{text}");
        let long = "x".repeat(MAX_NAME_CHARS + 1);
        let text = reason(&format!("prefix,name,rate\n44,{long},0.01\n"));
        assert!(
            text.starts_with("line 2: name: is 201 characters long"),
            "{text}"
        );
        let text = reason("prefix,name,rate\n44,\"U\u{7}K\",0.01\n");
        assert!(text.contains("U+0007"), "{text}");
    }

    #[test]
    fn refuses_bad_amounts_without_floats() {
        let text = reason("prefix,name,rate_per_min\n44,UK,\"0,01\"\n");
        assert!(
            text.starts_with("line 2: rate_per_min: \"0,01\" is not a decimal amount"),
            "{text}"
        );
        let text = reason("prefix,name,rate\n44,UK,0.0000001\n");
        assert!(text.contains("more than 6 decimal places"), "{text}");
        let text = reason("prefix,name,rate\n44,UK,-0.01\n");
        assert!(
            text.contains("line 2: rate: \"-0.01\" is negative"),
            "{text}"
        );
        let text = reason("prefix,name,rate\n44,UK,\n");
        assert!(text.starts_with("line 2: rate: is empty"), "{text}");
        let text = reason("prefix,name,rate\n44,UK,1e-3\n");
        assert!(text.contains("not a decimal amount"), "{text}");
        let text = reason("prefix,name,rate,connect_fee\n44,UK,0.01,-1\n");
        assert!(
            text.starts_with("line 2: connect_fee: \"-1\" is negative"),
            "{text}"
        );
        // Exactness: 0.1 + 0.2 style values are kept to the micro-unit.
        let r = &parse_rates("prefix,name,rate\n44,UK,0.300001\n").unwrap()[0];
        assert_eq!(r.rate_per_min, Micros(300_001));
    }

    #[test]
    fn refuses_bad_increments() {
        let text = reason("prefix,name,rate,first_increment\n44,UK,0.01,0\n");
        assert!(
            text.starts_with("line 2: first_increment: \"0\" is out of range"),
            "{text}"
        );
        assert!(text.contains("from 1 to 3600"), "{text}");
        let text = reason("prefix,name,rate,next\n44,UK,0.01,3601\n");
        assert!(
            text.starts_with("line 2: next: \"3601\" is out of range"),
            "{text}"
        );
        let text = reason("prefix,name,rate,next\n44,UK,0.01,1.5\n");
        assert!(text.contains("\"1.5\" is not a whole number"), "{text}");
        let text = reason("prefix,name,rate,next\n44,UK,0.01,-6\n");
        assert!(text.contains("not a whole number"), "{text}");
        let text = reason("prefix,name,rate,next\n44,UK,0.01,99999999999\n");
        assert!(text.contains("out of range"), "{text}");
        let r = &parse_rates("prefix,name,rate,first,next\n44,UK,0.01,3600,1\n").unwrap()[0];
        assert_eq!((r.first_increment, r.next_increment), (3600, 1));
    }

    #[test]
    fn refuses_bad_dates_naming_line_and_column() {
        let text = reason("prefix,name,rate,effective_date\n44,UK,0.01,31/01/2026\n");
        assert!(
            text.starts_with("line 2: effective_date: \"31/01/2026\" is not a date"),
            "{text}"
        );
    }

    #[test]
    fn refuses_duplicates_with_both_line_numbers() {
        let csv = "prefix,name,rate,effective_from\n\
                   44,UK,0.01,2026-01-01\n\
                   447,UK Mobile,0.02,2026-01-01\n\
                   44,UK again,0.03,2026-01-01\n";
        assert_eq!(
            reason(csv),
            "line 4: prefix: 44 effective from 2026-01-01 is already on line 2; keep one of the \
             two rows"
        );
        // The same prefix with another date is a rate change, not a duplicate.
        let csv = "prefix,name,rate,effective_from\n\
                   44,UK,0.01,2026-01-01\n\
                   44,UK,0.02,2026-06-01 08:00:00\n";
        assert_eq!(parse_rates(csv).unwrap().len(), 2);
        // Defaulted dates collide too.
        let text = reason("prefix,name,rate\n44,UK,0.01\n44,UK,0.02\n");
        assert!(
            text.contains("effective from 1970-01-01 is already on line 2"),
            "{text}"
        );
    }

    #[test]
    fn line_numbers_count_blank_lines() {
        let text = reason("prefix,name,rate\n44,UK,0.01\n\n\n33,France,x\n");
        assert!(text.starts_with("line 5: rate:"), "{text}");
        let text = reason("\r\n\r\nprefix,name,rate\r\n\r\n44,UK,x\r\n");
        assert!(text.starts_with("line 5: rate:"), "{text}");
        let text = reason("\n\nprefix,name,rate\n");
        assert!(text.contains("header (line 3)"), "{text}");
        // A quoted name spanning lines is refused at the line it starts on.
        let text = reason("prefix,name,rate\n\n44,\"United\nKingdom\",0.01\n");
        assert!(text.starts_with("line 3: name:"), "{text}");
        assert!(text.contains("U+000A"), "{text}");
    }

    #[test]
    fn effective_dates_format_back() {
        assert_eq!(format_effective(JAN_2026), "2026-01-01");
        assert_eq!(format_effective(JAN_2026 + 45_000), "2026-01-01 12:30:00");
    }
}
