//! Contract approvals given in the customer portal.

use serde::{Deserialize, Serialize};

/// A contact's approval of one of its customer's contracts, given on the portal by typing
/// their name and ticking "I agree".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractApproval {
    /// The contract approved.
    pub contract_id: u64,
    /// The contract's customer.
    pub customer_id: u64,
    /// The contact who approved it.
    pub contact_id: u64,
    /// The name the contact typed, as typed (trimmed).
    pub typed_name: String,
    /// When it was approved (Unix seconds).
    pub approved_at: i64,
}
