//! `portico`, the admin console of Portico: a terminal UI (`portico` run bare in a terminal) and
//! scriptable subcommands, both over porticod's admin socket.
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod cli;
pub mod tui;
