//! `portico audit`: the newest audit entries.

use portico_protocol::AuditEntry;

use super::Session;
use crate::cli::args::AuditArgs;
use crate::cli::error::CliError;
use crate::cli::output::{Align, Table, table_or, time};

/// Runs `portico audit`.
pub async fn run(session: &Session, args: AuditArgs) -> Result<String, CliError> {
    let conn = session.connect().await?;
    let entries = conn
        .call("audit_list", |ctx| conn.admin().audit_list(ctx, args.limit))
        .await?;
    session.format.render(&entries, render)
}

fn render(entries: &Vec<AuditEntry>) -> String {
    let mut t = Table::new(&[
        ("SEQ", Align::Right),
        ("AT", Align::Left),
        ("UID", Align::Right),
        ("PID", Align::Right),
        ("ACTION", Align::Left),
        ("TARGET", Align::Left),
        ("DETAIL", Align::Left),
    ]);
    for e in entries {
        t.row(vec![
            e.seq.to_string(),
            time(e.at),
            e.uid.map_or("-".to_string(), |u| u.to_string()),
            e.pid.map_or("-".to_string(), |p| p.to_string()),
            e.action.clone(),
            e.target.clone(),
            e.detail.clone(),
        ]);
    }
    table_or(&t, "the audit log is empty")
}
