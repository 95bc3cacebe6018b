//! CDR ingest: parse what switches write (`formats`), match each call to a customer, price it
//! (`rating`), store it with its rollups in one durable transaction (`pipeline`), and the ways
//! in: the mod_json_cdr HTTP endpoint (`http`), admin imports, and watched files (`watch`).

pub mod cdr;
pub mod formats;
pub mod http;
pub mod import;
pub mod pipeline;
pub mod rating;
pub mod watch;

pub use cdr::{Leg, RawCdr};

#[cfg(test)]
mod tests;
