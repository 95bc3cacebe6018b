//! `portico`, the admin console of Portico: scriptable subcommands over porticod's admin
//! socket (and, in a later issue, a terminal UI).
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod cli;
