//! The scriptable command line: `portico <object> <verb> ...` over the admin socket.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::{CommandFactory, Parser};

pub mod args;
pub mod chunker;
pub mod commands;
pub mod connect;
pub mod csv;
pub mod error;
pub mod output;
pub mod values;

#[cfg(test)]
mod fake_daemon;

use args::Cli;

/// Parses the command line, runs it, prints the result, and says how it went: 0 on success,
/// 1 after printing `portico: <message>` on stderr, 2 for a command line clap cannot read.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let Some(command) = cli.command else {
        // No subcommand: the console when a person is at a terminal, else the help.
        if std::io::stdin().is_terminal() && std::io::stdout().is_terminal() {
            return crate::tui::run(&cli.global);
        }
        let help = Cli::command().render_long_help().to_string();
        return print(&format!("{help}\n"));
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(&format!("cannot start the async runtime: {e}")),
    };
    match runtime.block_on(commands::run(&cli.global, command)) {
        Ok(text) => print(&text),
        Err(e) => fail(e.message()),
    }
}

fn print(text: &str) -> ExitCode {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        // `portico ... | head` closing the pipe early is not an error worth a message.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => fail(&format!("cannot write the output: {e}")),
    }
}

fn fail(message: &str) -> ExitCode {
    let _ = writeln!(std::io::stderr(), "portico: {}", output::clean(message));
    ExitCode::FAILURE
}
