//! `porticod`: parses flags ([`porticod::cli::Args`]) and hands over to [`porticod::run`].
#![forbid(unsafe_code)]

use std::path::Path;
use std::process::ExitCode;

use clap::Parser;
use porticod::cli::Args;
use porticod::config::{Config, DEFAULT_CONFIG};

// Pages of CDRs and the admin API's answers are many small strings made and dropped at once;
// mimalloc serves those from per-size free lists where glibc's malloc falls to its slow bins.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args = Args::parse();
    let overrides = args.overrides();
    let config = match Config::load(args.config.as_deref(), &overrides) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("porticod: {e}");
            return ExitCode::FAILURE;
        }
    };
    if args.check_config {
        let file = args.config.as_deref().unwrap_or(Path::new(DEFAULT_CONFIG));
        print!("{}", config.summary(file));
        return ExitCode::SUCCESS;
    }
    if let Some(file) = &args.restore {
        return match porticod::store::backup::restore(file, &config.store_path()) {
            Ok(done) => {
                println!(
                    "restored {} into {} (schema version {})",
                    file.display(),
                    done.store.display(),
                    done.schema_version
                );
                if let Some(previous) = done.previous {
                    println!("the store it replaced is kept as {}", previous.display());
                }
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("porticod: restore refused: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let source = porticod::reload::ConfigSource {
        path: args.config.clone(),
        overrides,
    };
    match porticod::run(config, args.demo, source) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("porticod: {e:#}");
            ExitCode::FAILURE
        }
    }
}
