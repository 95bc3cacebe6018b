//! What the portal's account pages keep besides the customer's own objects: contract approvals
//! and the last TOTP step each contact logged in with.

use portico_protocol::ContractApproval;
use redb::ReadableTable;

use super::StoreError;
use super::tables::{CONTRACT_APPROVALS, TOTP_STEPS};
use super::tx::{Inner, Tx, decode};

impl Tx {
    /// The approval of `customer`'s contract `contract`, if it was approved.
    pub fn contract_approval(
        &self,
        customer: u64,
        contract: u64,
    ) -> Result<Option<ContractApproval>, StoreError> {
        with_table!(
            self,
            CONTRACT_APPROVALS,
            |t| match t.get((customer, contract))? {
                Some(guard) => Ok(Some(decode(guard.value())?)),
                None => Ok(None),
            }
        )
    }

    /// Every approval of `customer`'s contracts, by contract id.
    pub fn contract_approvals(&self, customer: u64) -> Result<Vec<ContractApproval>, StoreError> {
        with_table!(self, CONTRACT_APPROVALS, |t| {
            let mut out = Vec::new();
            for row in t.range((customer, 0)..=(customer, u64::MAX))? {
                let (_, value) = row?;
                out.push(decode(value.value())?);
            }
            Ok(out)
        })
    }

    /// Records an approval (replacing an earlier one of the same contract).
    pub fn put_contract_approval(&mut self, approval: &ContractApproval) -> Result<(), StoreError> {
        // The portal remembers each customer's first contract due until a child object moves.
        self.written.children = true;
        self.w()?.open_table(CONTRACT_APPROVALS)?.insert(
            (approval.customer_id, approval.contract_id),
            Ok(approval.clone()),
        )?;
        Ok(())
    }

    /// Removes every approval of `customer` (when the customer goes).
    pub fn remove_contract_approvals(&mut self, customer: u64) -> Result<usize, StoreError> {
        self.written.children = true;
        let mut t = self.w()?.open_table(CONTRACT_APPROVALS)?;
        let keys: Vec<(u64, u64)> = t
            .range((customer, 0)..=(customer, u64::MAX))?
            .filter_map(Result::ok)
            .map(|(k, _)| k.value())
            .collect();
        for key in &keys {
            t.remove(key)?;
        }
        Ok(keys.len())
    }

    /// The last TOTP time step `contact` logged in with.
    pub fn totp_last_step(&self, contact: u64) -> Result<Option<u64>, StoreError> {
        with_table!(self, TOTP_STEPS, |t| Ok(t.get(contact)?.map(|g| g.value())))
    }

    /// Remembers the TOTP time step `contact` just used.
    pub fn set_totp_last_step(&mut self, contact: u64, step: u64) -> Result<(), StoreError> {
        self.w()?.open_table(TOTP_STEPS)?.insert(contact, step)?;
        Ok(())
    }
}
