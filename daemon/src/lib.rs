//! `porticod`: the Portico daemon. `main.rs` only parses flags and calls [`run`].
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod admin;
pub mod cli;
pub mod config;
pub mod demo;
#[doc(hidden)]
pub mod fuzzing;
pub mod ingest;
pub mod mail;
pub mod model;
pub mod portal;
pub mod reload;
pub mod reports;
mod runtime;
pub mod serve;
pub mod store;
pub mod tls;

pub use runtime::run;
