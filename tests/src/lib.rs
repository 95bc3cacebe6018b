//! Harness for Portico's end-to-end tests: it runs the real `porticod` and `portico` binaries
//! (built beforehand by `cargo build --workspace --bins`, which `.ci/run` does) in fresh temporary
//! directories, on loopback only, so that tests run in parallel without seeing each other.
//!
//! Failures panic with what was run and what it printed: this crate is test support, and a panic
//! with the daemon's log is the most useful report a failing test can give.
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod admin;
pub mod bins;
pub mod browser;
pub mod certs;
pub mod cli;
pub mod daemon;
pub mod docs;
pub mod http;
pub mod https;
pub mod load;
pub mod packages;
pub mod pebble;
pub mod png;
pub mod portal;
pub mod smtp;
pub mod ssh;
pub mod tmux;

pub use cli::{Cli, Run, assert_mentions, assert_one_error_line, first_difference};
pub use daemon::{Daemon, DaemonBuilder};
