//! Domain rules of the daemon: pure checks and parsers that turn what an admin (or a portal
//! visitor) typed into stored values, or say what was wrong and what to do. No I/O here: the
//! admin service and the portal call these before touching the store.
//!
//! Every refusal is [`portico_protocol::AdminError::Invalid`] whose `field` names the input as
//! the CLI flag or DTO field is named, and whose `reason` says what was wrong and what to do.

pub mod contact;
pub mod currency;
pub mod domain_defaults;
pub mod files;
pub mod fqdn;
pub mod money;
pub mod password;
pub mod ratecard_csv;
pub mod text;
