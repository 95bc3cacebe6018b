//! One module per kind of object; each turns its subcommand into admin calls and output.

use std::path::PathBuf;

use super::args::{Command, GlobalArgs};
use super::connect::{Connection, socket_path};
use super::error::CliError;
use super::output::Format;

pub mod alert;
pub mod audit;
pub mod backup;
pub mod cdr;
pub mod contact;
pub mod contract;
pub mod customer;
pub mod domain;
pub mod export;
pub mod file;
pub mod package;
pub mod payment;
pub mod ratecard;
pub mod report;
pub mod route;
pub mod tls;
pub mod version;

/// What every command needs: where the daemon is and how to print.
#[derive(Debug, Clone)]
pub struct Session {
    /// How results are printed.
    pub format: Format,
    socket: PathBuf,
}

impl Session {
    /// The session the global flags describe.
    pub fn new(global: &GlobalArgs) -> Session {
        Session {
            format: Format::from_flag(global.json),
            socket: socket_path(global.socket.as_deref()),
        }
    }

    /// Connects to the daemon. Commands check their arguments first, so that a wrong flag is
    /// reported the same whether the daemon runs or not.
    pub async fn connect(&self) -> Result<Connection, CliError> {
        Connection::open(&self.socket).await
    }
}

/// Runs one command and returns what to print on stdout.
pub async fn run(global: &GlobalArgs, command: Command) -> Result<String, CliError> {
    let session = Session::new(global);
    match command {
        Command::Version => version::run(&session).await,
        Command::Domain(c) => domain::run(&session, c).await,
        Command::File(c) => file::run(&session, c).await,
        Command::Customer(c) => customer::run(&session, c).await,
        Command::Contact(c) => contact::run(&session, c).await,
        Command::Ratecard(c) => ratecard::run(&session, c).await,
        Command::Route(c) => route::run(&session, c).await,
        Command::Payment(c) => payment::run(&session, c).await,
        Command::Alert(c) => alert::run(&session, c).await,
        Command::Package(c) => package::run(&session, c).await,
        Command::Contract(c) => contract::run(&session, c).await,
        Command::Cdr(c) => cdr::run(&session, c).await,
        Command::Report(c) => report::run(&session, c).await,
        Command::Audit(a) => audit::run(&session, a).await,
        Command::Ca(c) => tls::ca(&session, c).await,
        Command::Export => export::run(&session).await,
        Command::Backup { file } => backup::run(&session, &file).await,
    }
}
