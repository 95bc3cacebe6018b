//! What each admin call does inside its transaction: validate with `model`, check references,
//! write through `store::Tx`. A returned error makes the caller drop the transaction.

pub mod account;
pub mod contact;
pub mod customer;
pub mod domain;
pub mod file;
pub mod ratecard;

use portico_protocol::{AdminError, AdminResult, Customer};

use crate::store::Tx;

/// The customer with `id`, or a NotFound that says how to find ids.
pub fn customer_exists(tx: &Tx, id: u64) -> AdminResult<Customer> {
    tx.customer(id)?.ok_or_else(|| {
        AdminError::not_found(format!(
            "customer #{id} (see `portico customer list` for the ids)"
        ))
    })
}
