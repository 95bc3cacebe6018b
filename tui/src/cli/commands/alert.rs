//! `portico alert ...`: low-balance alerts.

use portico_protocol::{Alert, AlertSpec};

use super::Session;
use crate::cli::args::AlertCommand;
use crate::cli::error::CliError;
use crate::cli::output::{Fields, removed};

/// Runs one `alert` subcommand.
pub async fn run(session: &Session, command: AlertCommand) -> Result<String, CliError> {
    match command {
        AlertCommand::Add {
            customer_id,
            threshold,
            email,
        } => {
            let spec = AlertSpec { threshold, email };
            let conn = session.connect().await?;
            let alert = conn
                .call("alert_add", |ctx| {
                    conn.admin().alert_add(ctx, customer_id, spec)
                })
                .await?;
            session.format.render(&alert, render)
        }
        AlertCommand::Rm { id } => {
            let conn = session.connect().await?;
            conn.call("alert_remove", |ctx| conn.admin().alert_remove(ctx, id))
                .await?;
            removed(session.format, "alert", id.to_string())
        }
    }
}

fn render(a: &Alert) -> String {
    Fields::new()
        .add("id", a.id.to_string())
        .add("customer_id", a.customer_id.to_string())
        .add("threshold", a.threshold.to_string())
        .add("email", a.email.as_str())
        .render()
}
