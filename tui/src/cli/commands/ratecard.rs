//! `portico ratecard ...`: rate cards, and sending large CSV files in chunks.

use std::path::Path;

use portico_protocol::{RateCard, RateCardDetail, RateCardImported};

use super::Session;
use crate::cli::args::RatecardCommand;
use crate::cli::connect::Wait;
use crate::cli::error::CliError;
use crate::cli::output::{Align, Fields, Table, clean, removed, table_or, time};
use crate::cli::values;

/// Largest piece of CSV sent in one call. JSON escaping can make a string up to twice as long
/// (quotes), so this stays well below `MAX_FRAME_BYTES`; almost every rate card fits in one.
const IMPORT_CHUNK_BYTES: usize = 8 * 1024 * 1024;

/// Runs one `ratecard` subcommand.
pub async fn run(session: &Session, command: RatecardCommand) -> Result<String, CliError> {
    match command {
        RatecardCommand::Import {
            name,
            file,
            currency,
            replace,
        } => {
            let csv = values::read_text(&file)?;
            let csv = csv.strip_prefix('\u{feff}').unwrap_or(&csv);
            let chunks = chunks(csv, IMPORT_CHUNK_BYTES);
            let conn = session.connect().await?;
            let mut total: Option<RateCardImported> = None;
            let parts = chunks.len();
            for (i, chunk) in chunks.into_iter().enumerate() {
                let (first, last) = (chunk.first_line, chunk.last_line);
                let answer = conn
                    .call_waiting("ratecard_import", Wait::Long, |ctx| {
                        conn.admin().ratecard_import(
                            ctx,
                            name.clone(),
                            currency.clone(),
                            chunk.text,
                            replace && i == 0,
                        )
                    })
                    .await;
                let imported = match answer {
                    Ok(imported) => imported,
                    Err(e) if parts == 1 => return Err(e),
                    Err(e) => {
                        let before = match (i, replace) {
                            (0, _) => "nothing was imported".to_string(),
                            (_, false) => format!("lines 2-{} were imported", first - 1),
                            (_, true) => {
                                format!("the card was replaced by lines 2-{} only", first - 1)
                            }
                        };
                        return Err(CliError::new(format!(
                            "{}: in lines {first}-{last} (part {} of {parts}, sent separately \
                             because the file is large): {e}; {before}",
                            shown(&file),
                            i + 1
                        )));
                    }
                };
                total = Some(match total {
                    None => imported,
                    Some(sum) => RateCardImported {
                        card: imported.card,
                        inserted: sum.inserted + imported.inserted,
                        replaced: sum.replaced + imported.replaced,
                    },
                });
            }
            let total = total.ok_or_else(|| CliError::new(format!("{} is empty", shown(&file))))?;
            session.format.render(&total, render_imported)
        }
        RatecardCommand::List => {
            let conn = session.connect().await?;
            let cards = conn
                .call("ratecard_list", |ctx| conn.admin().ratecard_list(ctx))
                .await?;
            session.format.render(&cards, render_list)
        }
        RatecardCommand::Show { name } => {
            let conn = session.connect().await?;
            let detail = conn
                .call("ratecard_show", |ctx| conn.admin().ratecard_show(ctx, name))
                .await?;
            session.format.render(&detail, render_detail)
        }
        RatecardCommand::Rm { name } => {
            let conn = session.connect().await?;
            let key = name.clone();
            conn.call("ratecard_remove", |ctx| {
                conn.admin().ratecard_remove(ctx, name)
            })
            .await?;
            removed(session.format, "rate card", key)
        }
    }
}

fn shown(path: &Path) -> String {
    if path == Path::new("-") {
        "stdin".to_string()
    } else {
        path.display().to_string()
    }
}

/// A piece of a CSV file: the header and whole records, with the file's line numbers of its
/// first and last record.
#[derive(Debug, PartialEq, Eq)]
struct Chunk {
    text: String,
    first_line: usize,
    last_line: usize,
}

/// The CSV whole when it is at most `max` bytes, else pieces of about `max` bytes that each
/// start with the header row and never split a record (quoted fields may hold newlines).
fn chunks(csv: &str, max: usize) -> Vec<Chunk> {
    let records = records(csv);
    let last_line = records.last().map_or(1, |(line, text)| {
        line + text.trim_end_matches('\n').matches('\n').count()
    });
    if csv.len() <= max || records.len() < 2 {
        return vec![Chunk {
            text: csv.to_string(),
            first_line: 1,
            last_line,
        }];
    }
    let (_, header) = records[0];
    let mut header = header.to_string();
    if !header.ends_with('\n') {
        header.push('\n');
    }
    let mut out: Vec<Chunk> = Vec::new();
    let mut current: Option<Chunk> = None;
    for &(line, text) in &records[1..] {
        let end = line + text.trim_end_matches('\n').matches('\n').count();
        if let Some(chunk) = current.take_if(|c| c.text.len() + text.len() > max) {
            out.push(chunk);
        }
        let chunk = current.get_or_insert_with(|| Chunk {
            text: header.clone(),
            first_line: line,
            last_line: line,
        });
        chunk.text.push_str(text);
        chunk.last_line = end;
    }
    out.extend(current);
    out
}

/// The records of a CSV text with the line each starts on; each keeps its line ending.
fn records(csv: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut in_quotes = false;
    let mut start = 0;
    let mut line = 1;
    let mut start_line = 1;
    for (i, b) in csv.bytes().enumerate() {
        match b {
            b'"' => in_quotes = !in_quotes,
            b'\n' => {
                line += 1;
                if !in_quotes {
                    out.push((start_line, &csv[start..=i]));
                    start = i + 1;
                    start_line = line;
                }
            }
            _ => {}
        }
    }
    if start < csv.len() {
        out.push((start_line, &csv[start..]));
    }
    out
}

fn render_imported(r: &RateCardImported) -> String {
    format!(
        "imported {} rates into rate card \"{}\" ({}): {} new, {} replaced; it now holds {} rates\n",
        r.inserted + r.replaced,
        clean(&r.card.name),
        clean(&r.card.currency),
        r.inserted,
        r.replaced,
        r.card.rates
    )
}

fn render_list(cards: &Vec<RateCard>) -> String {
    let mut t = Table::new(&[
        ("NAME", Align::Left),
        ("CURRENCY", Align::Left),
        ("RATES", Align::Right),
        ("CREATED", Align::Left),
        ("UPDATED", Align::Left),
    ]);
    for c in cards {
        t.row(vec![
            c.name.clone(),
            c.currency.clone(),
            c.rates.to_string(),
            time(c.created_at),
            time(c.updated_at),
        ]);
    }
    table_or(
        &t,
        "no rate cards; import one with: portico ratecard import NAME FILE --currency C",
    )
}

fn render_detail(d: &RateCardDetail) -> String {
    let c = &d.card;
    let mut out = Fields::new()
        .add("name", c.name.as_str())
        .add("currency", c.currency.as_str())
        .add("rates", c.rates.to_string())
        .add("created_at", time(c.created_at))
        .add("updated_at", time(c.updated_at))
        .render();
    let mut t = Table::new(&[
        ("PREFIX", Align::Left),
        ("NAME", Align::Left),
        ("RATE_PER_MIN", Align::Right),
        ("CONNECT_FEE", Align::Right),
        ("FIRST", Align::Right),
        ("NEXT", Align::Right),
        ("EFFECTIVE_FROM", Align::Left),
    ]);
    for r in &d.rates {
        t.row(vec![
            r.prefix.clone(),
            r.name.clone(),
            r.rate_per_min.to_string(),
            r.connect_fee.to_string(),
            r.first_increment.to_string(),
            r.next_increment.to_string(),
            time(r.effective_from),
        ]);
    }
    out.push('\n');
    if t.is_empty() {
        out.push_str("rates: (none)\n");
    } else {
        out.push_str(&t.render(""));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = "prefix,name,rate\n44,UK,0.01\n447,\"UK\nMobile\",0.02\n33,France,0.01\n";

    #[test]
    fn records_keep_quoted_newlines_together() {
        let r = records(CSV);
        assert_eq!(
            r,
            vec![
                (1, "prefix,name,rate\n"),
                (2, "44,UK,0.01\n"),
                (3, "447,\"UK\nMobile\",0.02\n"),
                (5, "33,France,0.01\n"),
            ]
        );
        assert_eq!(records("a\nb").last(), Some(&(2, "b")));
    }

    #[test]
    fn small_files_go_whole() {
        let c = chunks(CSV, 1024);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].text, CSV);
        assert_eq!((c[0].first_line, c[0].last_line), (1, 5));
    }

    #[test]
    fn large_files_are_split_with_the_header_repeated() {
        let c = chunks(CSV, 40);
        let texts: Vec<&str> = c.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(
            texts,
            vec![
                "prefix,name,rate\n44,UK,0.01\n",
                "prefix,name,rate\n447,\"UK\nMobile\",0.02\n",
                "prefix,name,rate\n33,France,0.01\n",
            ]
        );
        let lines: Vec<(usize, usize)> = c.iter().map(|c| (c.first_line, c.last_line)).collect();
        assert_eq!(lines, vec![(2, 2), (3, 4), (5, 5)]);
        // every data row is sent exactly once
        let rows: usize = c.iter().map(|c| records(&c.text).len() - 1).sum();
        assert_eq!(rows, 3);
    }

    #[test]
    fn a_header_without_newline_still_splits_cleanly() {
        let csv = "p,n,r\n1,a,0.1\n2,b,0.2";
        let c = chunks(csv, 12);
        let texts: Vec<&str> = c.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, vec!["p,n,r\n1,a,0.1\n", "p,n,r\n2,b,0.2"]);
    }
}
