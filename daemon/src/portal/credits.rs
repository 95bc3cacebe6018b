//! Each customer's payments and low-balance threshold, as its balance needs them on every page.
//! Reading them decodes every payment the customer ever made; they change only when a payment or
//! an alert is written, while the charges (read on every page) change with every call.

use std::collections::HashMap;
use std::sync::RwLock;

use crate::reports::{self, Credit};
use crate::store::Tx;
use portico_protocol::AdminResult;

/// Past this many customers the remembered credits are dropped (and read again).
const MAX_CREDITS: usize = 65_536;

/// The credits read so far, by customer, each with the store's children generation it was read
/// at ([`crate::store::Store::children_generation`]): a payment or alert written since makes
/// the next page read them again.
#[derive(Debug, Default)]
pub struct Credits(RwLock<HashMap<u64, (u64, Credit)>>);

impl Credits {
    /// Customer `id`'s credit, read through `tx` unless remembered at `generation` (taken
    /// before `tx` began).
    pub fn get(&self, tx: &Tx, id: u64, generation: u64) -> AdminResult<Credit> {
        if let Ok(credits) = self.0.read()
            && let Some(&(at, credit)) = credits.get(&id)
            && at == generation
        {
            return Ok(credit);
        }
        let credit = reports::credit_of(tx, id)?;
        if let Ok(mut credits) = self.0.write() {
            if credits.len() >= MAX_CREDITS {
                credits.clear();
            }
            credits.insert(id, (generation, credit));
        }
        Ok(credit)
    }
}
