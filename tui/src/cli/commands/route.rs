//! `portico route ...`: rate card assignments.

use portico_protocol::Route;

use super::Session;
use crate::cli::args::RouteCommand;
use crate::cli::error::CliError;
use crate::cli::output::{Fields, removed};

/// Runs one `route` subcommand.
pub async fn run(session: &Session, command: RouteCommand) -> Result<String, CliError> {
    match command {
        RouteCommand::Add {
            customer_id,
            ratecard,
            tech_prefix,
        } => {
            let conn = session.connect().await?;
            let route = conn
                .call("route_add", |ctx| {
                    conn.admin()
                        .route_add(ctx, customer_id, ratecard, tech_prefix)
                })
                .await?;
            session.format.render(&route, render)
        }
        RouteCommand::Rm {
            customer_id,
            ratecard,
        } => {
            let conn = session.connect().await?;
            let key = format!("{customer_id}/{ratecard}");
            conn.call("route_remove", |ctx| {
                conn.admin().route_remove(ctx, customer_id, ratecard)
            })
            .await?;
            removed(session.format, "route", key)
        }
    }
}

fn render(r: &Route) -> String {
    Fields::new()
        .add("customer_id", r.customer_id.to_string())
        .add("ratecard", r.ratecard.as_str())
        .add("tech_prefix", r.tech_prefix.as_str())
        .render()
}
