//! `portico report ...`: a customer's breakout and daily/monthly summaries, as tables, CSV or
//! the protocol's JSON.

use std::io::IsTerminal;

use portico_protocol::{BreakoutRow, Micros, ReportQuery, Summary, SummaryRow, Traffic};

use super::Session;
use crate::cli::args::{ReportArgs, ReportCommand, SummaryArgs};
use crate::cli::csv::Csv;
use crate::cli::error::CliError;
use crate::cli::output::{Align, Format, Table, amount_column, day, minutes, month};
use crate::cli::values;

/// Runs one `report` subcommand.
pub async fn run(session: &Session, command: ReportCommand) -> Result<String, CliError> {
    let csv = if std::io::stdout().is_terminal() {
        Csv::Terminal
    } else {
        Csv::Exact
    };
    match command {
        ReportCommand::Breakout(args) => breakout(session, args, csv).await,
        ReportCommand::Summary(args) => summary(session, args, csv).await,
    }
}

/// The query of `--from`/`--to`, refused with `--csv --json`.
fn query(
    session: &Session,
    customer_id: u64,
    from: Option<&str>,
    to: Option<&str>,
    csv: bool,
) -> Result<ReportQuery, CliError> {
    let (from, to) = values::date_range(from, to)?;
    if csv && session.format == Format::Json {
        return Err(CliError::new("--csv and --json: choose one"));
    }
    Ok(ReportQuery {
        customer_id,
        from,
        to,
        per_day: false,
    })
}

async fn breakout(session: &Session, args: ReportArgs, csv: Csv) -> Result<String, CliError> {
    let mut q = query(
        session,
        args.customer_id,
        args.from.as_deref(),
        args.to.as_deref(),
        args.csv,
    )?;
    q.per_day = args.per_day;
    let conn = session.connect().await?;
    let rows = conn
        .call("report_breakout", |ctx| {
            conn.admin().report_breakout(ctx, q)
        })
        .await?;
    if args.csv {
        return Ok(breakout_csv(&rows, csv));
    }
    let per_day = args.per_day;
    session
        .format
        .render(&rows, |rows| render_breakout(rows, per_day))
}

async fn summary(session: &Session, args: SummaryArgs, csv: Csv) -> Result<String, CliError> {
    let q = query(
        session,
        args.customer_id,
        args.from.as_deref(),
        args.to.as_deref(),
        args.csv,
    )?;
    let conn = session.connect().await?;
    let summary = conn
        .call("report_summary", |ctx| conn.admin().report_summary(ctx, q))
        .await?;
    if args.csv {
        return Ok(summary_csv(&summary, csv));
    }
    session.format.render(&summary, render_summary)
}

/// The figures' columns, after the row's own.
const TRAFFIC_COLUMNS: [(&str, Align); 9] = [
    ("ATTEMPTS", Align::Right),
    ("CONNECTED", Align::Right),
    ("ASR%", Align::Right),
    ("ACD_S", Align::Right),
    ("DURATION_S", Align::Right),
    ("DURATION_MIN", Align::Right),
    ("BILLED_S", Align::Right),
    ("BILLED_MIN", Align::Right),
    ("CHARGE", Align::Right),
];

/// The figures' cells; `charge` is the cell of the charge column, aligned with the others.
fn traffic_cells(t: &Traffic, charge: String) -> Vec<String> {
    vec![
        t.attempts.to_string(),
        t.connected.to_string(),
        t.asr.clone(),
        t.acd.to_string(),
        t.duration.to_string(),
        minutes(t.duration),
        t.billed_duration.to_string(),
        minutes(t.billed_duration),
        charge,
    ]
}

/// The figures of all rows together, with ASR and ACD derived as the daemon derives them
/// (ASR in tenths of a percent rounded half-up, ACD in whole seconds rounded down).
fn total<'a>(rows: impl Iterator<Item = &'a Traffic>) -> Traffic {
    let mut sum = Traffic::default();
    for t in rows {
        sum.attempts += t.attempts;
        sum.connected += t.connected;
        sum.duration += t.duration;
        sum.billed_duration += t.billed_duration;
        sum.charge = Micros(sum.charge.0 + t.charge.0);
    }
    sum.asr = if sum.attempts == 0 {
        "0.0".to_string()
    } else {
        let tenths = (u128::from(sum.connected) * 2000 + u128::from(sum.attempts))
            / (2 * u128::from(sum.attempts));
        format!("{}.{}", tenths / 10, tenths % 10)
    };
    sum.acd = sum.duration.checked_div(sum.connected).unwrap_or(0);
    sum
}

fn render_breakout(rows: &Vec<BreakoutRow>, per_day: bool) -> String {
    if rows.is_empty() {
        return "no calls in this range\n".to_string();
    }
    let mut headers = Vec::new();
    if per_day {
        headers.push(("DAY", Align::Left));
    }
    headers.push(("DESTINATION", Align::Left));
    headers.extend(TRAFFIC_COLUMNS);
    let sum = total(rows.iter().map(|r| &r.traffic));
    let mut charges: Vec<Option<Micros>> = rows.iter().map(|r| Some(r.traffic.charge)).collect();
    charges.push(Some(sum.charge));
    let mut charges = amount_column(&charges).into_iter();
    let mut t = Table::new(&headers);
    for r in rows {
        let mut row = Vec::new();
        if per_day {
            row.push(r.day.map(day).unwrap_or_default());
        }
        row.push(r.destination_name.clone());
        row.extend(traffic_cells(
            &r.traffic,
            charges.next().unwrap_or_default(),
        ));
        t.row(row);
    }
    let mut row = Vec::new();
    if per_day {
        row.push(String::new());
    }
    row.push("TOTAL".to_string());
    row.extend(traffic_cells(&sum, charges.next().unwrap_or_default()));
    t.row(row);
    t.render("")
}

fn render_summary(s: &Summary) -> String {
    if s.days.is_empty() && s.months.is_empty() {
        return "no calls in this range\n".to_string();
    }
    let mut out = String::from("days:\n");
    out.push_str(&summary_table("DAY", &s.days, day));
    out.push_str("\nmonths:\n");
    out.push_str(&summary_table("MONTH", &s.months, month));
    out
}

fn summary_table(first: &'static str, rows: &[SummaryRow], period: fn(i64) -> String) -> String {
    let mut headers = vec![(first, Align::Left)];
    headers.extend(TRAFFIC_COLUMNS);
    let charges = amount_column(
        &rows
            .iter()
            .map(|r| Some(r.traffic.charge))
            .collect::<Vec<_>>(),
    );
    let mut t = Table::new(&headers);
    for (r, charge) in rows.iter().zip(charges) {
        let mut row = vec![period(r.period)];
        row.extend(traffic_cells(&r.traffic, charge));
        t.row(row);
    }
    t.render("  ")
}

/// The CSV columns of the figures, named as in the protocol's JSON.
const TRAFFIC_CSV: [&str; 7] = [
    "attempts",
    "connected",
    "asr",
    "acd",
    "duration",
    "billed_duration",
    "charge",
];

fn traffic_csv(t: &Traffic) -> [String; 7] {
    [
        t.attempts.to_string(),
        t.connected.to_string(),
        t.asr.clone(),
        t.acd.to_string(),
        t.duration.to_string(),
        t.billed_duration.to_string(),
        t.charge.to_string(),
    ]
}

/// `day` (YYYY-MM-DD, empty unless per day), `destination_name`, then the figures.
fn breakout_csv(rows: &[BreakoutRow], csv: Csv) -> String {
    let mut header = vec!["day", "destination_name"];
    header.extend(TRAFFIC_CSV);
    let mut out = csv.record(&header);
    for r in rows {
        let mut values = vec![
            r.day.map(day).unwrap_or_default(),
            r.destination_name.clone(),
        ];
        values.extend(traffic_csv(&r.traffic));
        out.push_str(&csv.record(&values));
    }
    out
}

/// `period` (`day` or `month`), `start` (YYYY-MM-DD), then the figures; days first.
fn summary_csv(s: &Summary, csv: Csv) -> String {
    let mut header = vec!["period", "start"];
    header.extend(TRAFFIC_CSV);
    let mut out = csv.record(&header);
    for (kind, rows) in [("day", &s.days), ("month", &s.months)] {
        for r in rows {
            let mut values = vec![kind.to_string(), day(r.period)];
            values.extend(traffic_csv(&r.traffic));
            out.push_str(&csv.record(&values));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::args::{Cli, Command, GlobalArgs};
    use crate::cli::fake_daemon;
    use clap::Parser;
    use portico_protocol::{AdminError, AdminRequest, AdminResponse};
    use std::sync::{Arc, Mutex};

    fn traffic(attempts: u64, connected: u64, duration: u64, charge: i64) -> Traffic {
        Traffic {
            attempts,
            connected,
            asr: format!("{:.1}", connected as f64 * 100.0 / attempts as f64),
            acd: duration / connected.max(1),
            duration,
            billed_duration: duration + 6,
            charge: Micros(charge),
        }
    }

    const JAN1: i64 = 1_767_225_600;

    fn rows() -> Vec<BreakoutRow> {
        vec![
            BreakoutRow {
                day: Some(JAN1 + 86_400),
                destination_name: "United Kingdom - Mobile".into(),
                traffic: traffic(3, 2, 125, 52_500),
            },
            BreakoutRow {
                day: Some(JAN1),
                destination_name: "France, Paris".into(),
                traffic: traffic(1, 1, 60, 1_000_000),
            },
        ]
    }

    #[test]
    fn breakout_table_has_minutes_aligned_money_and_a_total() {
        let text = render_breakout(&rows(), true);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4, "{text}");
        assert!(lines[0].starts_with("DAY         DESTINATION  "), "{text}");
        assert!(lines[0].ends_with("BILLED_MIN  CHARGE"), "{text}");
        assert!(
            lines[1].starts_with("2026-01-02  United Kingdom - Mobile"),
            "{text}"
        );
        // 125 s is 2.08 minutes; billed 131 s is 2.18; ASR as the daemon gave it.
        assert!(lines[1].contains(" 66.7 "), "{text}");
        assert!(lines[1].contains(" 125          2.08 "), "{text}");
        assert!(lines[1].ends_with("0.0525"), "{text}");
        assert!(lines[2].ends_with("1.0000"), "{text}");
        // Totals: 4 attempts, 3 connected (75.0%), ACD 185/3 = 61 s, charge 1.0525.
        assert!(lines[3].starts_with("            TOTAL"), "{text}");
        for part in [" 4 ", " 3 ", " 75.0 ", " 61 ", " 185 ", " 3.08 ", "1.0525"] {
            assert!(lines[3].contains(part), "{part:?} in {text}");
        }
        // Money is right-aligned: every charge ends in the same column.
        let width = lines[0].len();
        assert!(lines.iter().all(|l| l.len() == width), "{text}");
    }

    #[test]
    fn breakout_without_days_has_no_day_column() {
        let mut r = rows();
        for row in &mut r {
            row.day = None;
        }
        let text = render_breakout(&r, false);
        assert!(text.starts_with("DESTINATION  "), "{text}");
        assert!(text.lines().nth(3).unwrap().starts_with("TOTAL"), "{text}");
        assert_eq!(render_breakout(&vec![], false), "no calls in this range\n");
    }

    #[test]
    fn totals_round_like_the_daemon() {
        let t = total([traffic(3, 2, 10, 0)].iter());
        assert_eq!((t.asr.as_str(), t.acd), ("66.7", 5));
        let t = total([traffic(3, 1, 10, 0)].iter());
        assert_eq!(t.asr, "33.3");
        let t = total(std::iter::empty());
        assert_eq!((t.asr.as_str(), t.acd), ("0.0", 0));
        let mut odd = traffic(8, 1, 7, 0);
        odd.connected = 1;
        // 1/8 = 12.5% exactly
        assert_eq!(total([odd].iter()).asr, "12.5");
    }

    #[test]
    fn breakout_csv_quotes_names_and_keeps_money_exact() {
        let text = breakout_csv(&rows(), Csv::Exact);
        assert_eq!(
            text,
            "day,destination_name,attempts,connected,asr,acd,duration,billed_duration,charge\n\
             2026-01-02,United Kingdom - Mobile,3,2,66.7,62,125,131,0.0525\n\
             2026-01-01,\"France, Paris\",1,1,100.0,60,60,66,1.00\n"
        );
    }

    #[test]
    fn summary_tables_and_csv() {
        let s = Summary {
            days: vec![
                SummaryRow {
                    period: JAN1 + 86_400,
                    traffic: traffic(3, 2, 125, 52_500),
                },
                SummaryRow {
                    period: JAN1,
                    traffic: traffic(1, 1, 60, 1_000_000),
                },
            ],
            months: vec![SummaryRow {
                period: JAN1,
                traffic: traffic(4, 3, 185, 1_052_500),
            }],
        };
        let text = render_summary(&s);
        assert!(text.starts_with("days:\n  DAY         ATTEMPTS"), "{text}");
        assert!(text.contains("\n  2026-01-02 "), "{text}");
        assert!(text.contains("\nmonths:\n  MONTH    ATTEMPTS"), "{text}");
        assert!(text.contains("\n  2026-01  "), "{text}");
        assert!(text.contains(" 3.08 "), "{text}");
        let csv = summary_csv(&s, Csv::Exact);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(
            lines[0],
            "period,start,attempts,connected,asr,acd,duration,billed_duration,charge"
        );
        assert_eq!(lines[1], "day,2026-01-02,3,2,66.7,62,125,131,0.0525");
        assert_eq!(lines[3], "month,2026-01-01,4,3,75.0,61,185,191,1.0525");
        let empty = Summary {
            days: vec![],
            months: vec![],
        };
        assert_eq!(render_summary(&empty), "no calls in this range\n");
    }

    fn command(args: &[&str]) -> (GlobalArgs, Command) {
        let mut all = vec!["portico"];
        all.extend_from_slice(args);
        let cli = Cli::try_parse_from(all).unwrap();
        (cli.global, cli.command.unwrap())
    }

    #[tokio::test]
    async fn breakout_sends_the_query_and_prints_json() {
        let sent: Arc<Mutex<Vec<ReportQuery>>> = Arc::default();
        let seen = Arc::clone(&sent);
        let path = fake_daemon::socket("report-breakout");
        fake_daemon::start(&path, move |request| match request {
            AdminRequest::Version { client_protocol } => {
                Some(fake_daemon::version(client_protocol))
            }
            AdminRequest::ReportBreakout { query } => {
                seen.lock().unwrap().push(query);
                Some(AdminResponse::ReportBreakout(Ok(rows())))
            }
            _ => None,
        });
        let socket = path.to_str().unwrap();
        let (global, cmd) = command(&[
            "--socket",
            socket,
            "--json",
            "report",
            "breakout",
            "7",
            "--from",
            "2026-01-01",
            "--to",
            "2026-01-03 12:00",
            "--per-day",
        ]);
        let out = crate::cli::commands::run(&global, cmd).await.unwrap();
        let printed: Vec<BreakoutRow> = serde_json::from_str(&out).unwrap();
        assert_eq!(printed, rows());
        assert_eq!(
            sent.lock().unwrap().as_slice(),
            &[ReportQuery {
                customer_id: 7,
                from: Some(JAN1),
                to: Some(JAN1 + 2 * 86_400 + 12 * 3600),
                per_day: true,
            }]
        );
        let _ = std::fs::remove_file(&path);
    }

    #[tokio::test]
    async fn summary_errors_are_the_daemons() {
        let path = fake_daemon::socket("report-summary");
        fake_daemon::start(&path, move |request| match request {
            AdminRequest::Version { client_protocol } => {
                Some(fake_daemon::version(client_protocol))
            }
            AdminRequest::ReportSummary { .. } => Some(AdminResponse::ReportSummary(Err(
                AdminError::not_found("customer 99"),
            ))),
            _ => None,
        });
        let socket = path.to_str().unwrap();
        let (global, cmd) = command(&["--socket", socket, "report", "summary", "99"]);
        let err = crate::cli::commands::run(&global, cmd).await.unwrap_err();
        assert_eq!(err.message(), "not found: customer 99");
        let _ = std::fs::remove_file(&path);
    }

    #[tokio::test]
    async fn bad_flags_fail_before_connecting() {
        // No daemon listens here: the flag errors must come first.
        let (global, cmd) = command(&[
            "--socket",
            "/nonexistent/portico.sock",
            "report",
            "summary",
            "7",
            "--from",
            "2026-02-01",
            "--to",
            "2026-01-01",
        ]);
        let err = crate::cli::commands::run(&global, cmd).await.unwrap_err();
        assert!(
            err.message().starts_with("--to: the range is empty"),
            "{err}"
        );
        let (global, cmd) = command(&[
            "--socket",
            "/nonexistent/portico.sock",
            "--json",
            "report",
            "breakout",
            "7",
            "--csv",
        ]);
        let err = crate::cli::commands::run(&global, cmd).await.unwrap_err();
        assert_eq!(err.message(), "--csv and --json: choose one");
    }
}
