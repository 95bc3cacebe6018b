//! `portico package ...`: packages sold to customers.

use portico_protocol::{Package, PackageSpec};

use super::Session;
use crate::cli::args::PackageCommand;
use crate::cli::error::CliError;
use crate::cli::output::{Fields, removed};

/// Runs one `package` subcommand.
pub async fn run(session: &Session, command: PackageCommand) -> Result<String, CliError> {
    match command {
        PackageCommand::Add {
            customer_id,
            name,
            price,
            description,
        } => {
            let spec = PackageSpec {
                name,
                description,
                price,
            };
            let conn = session.connect().await?;
            let package = conn
                .call("package_add", |ctx| {
                    conn.admin().package_add(ctx, customer_id, spec)
                })
                .await?;
            session.format.render(&package, render)
        }
        PackageCommand::Rm { id } => {
            let conn = session.connect().await?;
            conn.call("package_remove", |ctx| conn.admin().package_remove(ctx, id))
                .await?;
            removed(session.format, "package", id.to_string())
        }
    }
}

fn render(p: &Package) -> String {
    Fields::new()
        .add("id", p.id.to_string())
        .add("customer_id", p.customer_id.to_string())
        .add("name", p.name.as_str())
        .add("description", p.description.as_str())
        .add("price", p.price.to_string())
        .render()
}
