//! What every page needs of a customer's own objects: the payments and low-balance threshold
//! its balance is made of, and the first required contract it has not approved. Reading them
//! decodes every payment the customer ever made, or walks its contracts and their approvals;
//! they change only when one of those is written, while the charges (read on every page)
//! change with every call.

use std::collections::HashMap;
use std::sync::RwLock;

use super::contracts::ContractDue;
use crate::reports::Credit;

/// Past this many customers the remembered values are dropped (and read again).
const MAX_CUSTOMERS: usize = 65_536;

/// Values read so far, by customer, each with the store's children generation it was read at
/// ([`crate::store::Store::children_generation`]): a payment, alert, contract or approval
/// written since makes the next page read it again.
#[derive(Debug)]
pub struct ByCustomer<V>(RwLock<HashMap<u64, (u64, V)>>);

impl<V> Default for ByCustomer<V> {
    fn default() -> Self {
        ByCustomer(RwLock::default())
    }
}

impl<V: Clone> ByCustomer<V> {
    /// Customer `id`'s value, made by `read` unless remembered at `generation` (taken before
    /// the transaction `read` reads through began).
    pub fn get<E>(
        &self,
        id: u64,
        generation: u64,
        read: impl FnOnce() -> Result<V, E>,
    ) -> Result<V, E> {
        if let Ok(known) = self.0.read()
            && let Some((at, value)) = known.get(&id)
            && *at == generation
        {
            return Ok(value.clone());
        }
        let value = read()?;
        if let Ok(mut known) = self.0.write() {
            if known.len() >= MAX_CUSTOMERS {
                known.clear();
            }
            known.insert(id, (generation, value.clone()));
        }
        Ok(value)
    }
}

/// Each customer's standing as the pages' chrome shows it.
#[derive(Debug, Default)]
pub struct Standing {
    /// Completed payments and the alert threshold, for the balance.
    pub credits: ByCustomer<Credit>,
    /// The first required contract without an approval, for the notice that asks for it.
    pub contracts_due: ByCustomer<Option<ContractDue>>,
}
