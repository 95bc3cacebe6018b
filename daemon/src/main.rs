//! `porticod`: parses flags and hands over to [`porticod::run`].
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use porticod::config::{Config, Overrides};

// Pages of CDRs and the admin API's answers are many small strings made and dropped at once;
// mimalloc serves those from per-size free lists where glibc's malloc falls to its slow bins.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Portico daemon: white-label customer portal for VoIP carriers.
#[derive(Debug, Parser)]
#[command(name = "porticod", version, about, long_about = None)]
struct Args {
    /// Configuration file [default: /etc/portico/porticod.toml; optional with --dev]
    #[arg(long, value_name = "PATH")]
    config: Option<PathBuf>,
    /// Directory of the store (portico.redb) [default: /var/lib/portico; ./portico-data with --dev]
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Path of the admin socket [default: /run/portico/admin.sock; DATA_DIR/admin.sock with --dev]
    #[arg(long, value_name = "PATH")]
    admin_socket: Option<PathBuf>,
    /// Portal plain-HTTP listen address, e.g. 127.0.0.1:8080 (repeatable)
    #[arg(long, value_name = "ADDR")]
    http_listen: Vec<String>,
    /// Development mode: data in ./portico-data, socket beside it, portal on 127.0.0.1:8080
    #[arg(long)]
    dev: bool,
    /// Seed the demo brand portal.localhost, a customer, a rate card and a payment
    #[arg(long)]
    demo: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let overrides = Overrides {
        data_dir: args.data_dir,
        admin_socket: args.admin_socket,
        http_listen: args.http_listen,
        dev: args.dev,
    };
    let config = match Config::load(args.config.as_deref(), &overrides) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("porticod: {e}");
            return ExitCode::FAILURE;
        }
    };
    match porticod::run(config, args.demo) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("porticod: {e:#}");
            ExitCode::FAILURE
        }
    }
}
