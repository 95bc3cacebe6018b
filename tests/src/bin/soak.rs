//! `soak`: runs Portico's soak mix against a fresh release `porticod` (see `tests/bench/soak.sh`).
//! Prints progress to stderr and the report to stdout; exits 1 when a request failed or a check
//! found a problem.
#![forbid(unsafe_code)]

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use portico_tests::load::{self, Options};

/// Soak Portico: HTTPS portals, CDR posts, imports and admin changes at once for a set time.
#[derive(Debug, Parser)]
struct Args {
    /// Seconds of mix (also DURATION in the environment)
    #[arg(long, env = "DURATION", default_value_t = 600)]
    duration: u64,
    /// kill -9 the daemon this many times at random moments, checking the store after each restart
    #[arg(long, default_value_t = 0)]
    kill: u32,
    /// Customers, each with a portal login
    #[arg(long, default_value_t = 30)]
    customers: usize,
    /// Portal domains
    #[arg(long, default_value_t = 3)]
    domains: usize,
    /// Customers browsing at the same time
    #[arg(long, default_value_t = 6)]
    visitors: usize,
    /// CDRs posted per second
    #[arg(long, default_value_t = 20)]
    posts: u32,
    /// CDRs imported before the mix
    #[arg(long, default_value_t = 30_000)]
    seed: u64,
    /// Seconds between CSV imports
    #[arg(long, default_value_t = 30)]
    import_every: u64,
    /// Lines per CSV import
    #[arg(long, default_value_t = 2_000)]
    import_lines: u64,
    /// Seconds between RSS samples
    #[arg(long, default_value_t = 60)]
    rss_every: u64,
}

fn main() -> ExitCode {
    let a = Args::parse();
    let opts = Options {
        duration: Duration::from_secs(a.duration),
        domains: a.domains.max(1),
        customers: a.customers.max(1),
        seed_cdrs: a.seed,
        visitors: a.visitors,
        posts_per_second: a.posts,
        import_every: Duration::from_secs(a.import_every.max(1)),
        import_lines: a.import_lines,
        admin_every: Duration::from_secs(5),
        rss_every: Duration::from_secs(a.rss_every.max(1)),
        kills: a.kill,
        verbose: true,
    };
    match load::run(opts) {
        Ok(outcome) => {
            print!("{}", outcome.report);
            if outcome.errors.is_empty() && outcome.problems.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("soak: {e:#}");
            ExitCode::FAILURE
        }
    }
}
