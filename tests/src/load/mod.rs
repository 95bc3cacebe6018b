//! The soak driver: a real `porticod` with several portal domains over HTTPS (local CA), customers
//! with logins, rates, payments and CDRs, and a mix of everything at once for a set time:
//! customers logging in and paging CDRs and breakouts, FreeSWITCH posting CDRs at a steady rate,
//! CSV imports, admin CLI changes. It prints the daemon's RSS every minute and, at the end, per
//! kind of request: count, req/s, p50, p99 and errors. In kill mode it `kill -9`s the daemon at
//! random moments, restarts it and checks that nothing acknowledged was lost or doubled.
//!
//! `src/bin/soak.rs` runs it from the command line (`tests/bench/soak.sh`);
//! `tests/crash_loop.rs` runs a short kill loop in CI.

pub mod check;
pub mod client;
pub mod fixtures;
pub mod ledger;
pub mod mix;
pub mod stats;

pub use mix::{Options, Outcome, run};
