//! The admin socket (`socket`), the tarpc service (`service`) and the operations it runs inside
//! store transactions (`ops`).

pub mod ops;
pub mod service;
pub mod socket;

pub use service::{AdminServer, Peer, State};

#[cfg(test)]
mod tests;
