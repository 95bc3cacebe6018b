//! `portico payment ...`: payments of customers.

use portico_protocol::{Payment, PaymentSpec, PaymentStatus};

use super::Session;
use crate::cli::args::PaymentCommand;
use crate::cli::error::CliError;
use crate::cli::output::{Align, Fields, Table, table_or, time};
use crate::cli::values;

/// Runs one `payment` subcommand.
pub async fn run(session: &Session, command: PaymentCommand) -> Result<String, CliError> {
    match command {
        PaymentCommand::Add {
            customer_id,
            amount,
            status,
            description,
        } => {
            let spec = PaymentSpec {
                amount,
                status: status
                    .as_deref()
                    .map(|s| values::name("--status", s))
                    .transpose()?,
                description,
            };
            let conn = session.connect().await?;
            let payment = conn
                .call("payment_add", |ctx| {
                    conn.admin().payment_add(ctx, customer_id, spec)
                })
                .await?;
            session.format.render(&payment, render)
        }
        PaymentCommand::List { customer_id } => {
            let conn = session.connect().await?;
            let list = conn
                .call("payment_list", |ctx| {
                    conn.admin().payment_list(ctx, customer_id)
                })
                .await?;
            session.format.render(&list, render_list)
        }
        PaymentCommand::Status { payment_id, status } => {
            let status: PaymentStatus = values::name("STATUS", &status)?;
            let conn = session.connect().await?;
            let payment = conn
                .call("payment_set_status", |ctx| {
                    conn.admin().payment_set_status(ctx, payment_id, status)
                })
                .await?;
            session.format.render(&payment, render)
        }
    }
}

fn render(p: &Payment) -> String {
    Fields::new()
        .add("id", p.id.to_string())
        .add("customer_id", p.customer_id.to_string())
        .add("amount", p.amount.to_string())
        .add("status", p.status.to_string())
        .add("description", p.description.as_str())
        .add("created_at", time(p.created_at))
        .render()
}

fn render_list(payments: &Vec<Payment>) -> String {
    let mut t = Table::new(&[
        ("ID", Align::Right),
        ("AMOUNT", Align::Right),
        ("STATUS", Align::Left),
        ("CREATED", Align::Left),
        ("DESCRIPTION", Align::Left),
    ]);
    for p in payments {
        t.row(vec![
            p.id.to_string(),
            p.amount.to_string(),
            p.status.to_string(),
            time(p.created_at),
            p.description.clone(),
        ]);
    }
    table_or(&t, "no payments")
}
