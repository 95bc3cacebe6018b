//! `portico contract ...`: contracts customers read and approve.

use portico_protocol::{Contract, ContractSpec};

use super::Session;
use crate::cli::args::ContractCommand;
use crate::cli::error::CliError;
use crate::cli::output::{Fields, removed};
use crate::cli::values;

/// Runs one `contract` subcommand.
pub async fn run(session: &Session, command: ContractCommand) -> Result<String, CliError> {
    match command {
        ContractCommand::Add {
            customer_id,
            name,
            text,
            text_file,
            required,
        } => {
            let text = match (text, text_file) {
                (Some(text), _) => text,
                (None, Some(path)) => values::read_text(&path)?,
                // clap requires one of them; an empty text lets the daemon say what is wrong
                (None, None) => String::new(),
            };
            let spec = ContractSpec {
                name,
                text,
                required,
            };
            let conn = session.connect().await?;
            let contract = conn
                .call("contract_add", |ctx| {
                    conn.admin().contract_add(ctx, customer_id, spec)
                })
                .await?;
            session.format.render(&contract, render)
        }
        ContractCommand::Rm { id } => {
            let conn = session.connect().await?;
            conn.call("contract_remove", |ctx| {
                conn.admin().contract_remove(ctx, id)
            })
            .await?;
            removed(session.format, "contract", id.to_string())
        }
    }
}

fn render(c: &Contract) -> String {
    Fields::new()
        .add("id", c.id.to_string())
        .add("customer_id", c.customer_id.to_string())
        .add("name", c.name.as_str())
        .add("required", c.required.to_string())
        .add("text", c.text.as_str())
        .render()
}
