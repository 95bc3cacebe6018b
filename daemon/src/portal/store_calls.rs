//! Store calls of the account pages: reads off the async runtime, and changes a customer makes
//! on the portal, recorded in the audit log beside the admins' changes (no uid or pid: the
//! change came over HTTP, from the contact the target names).

use axum::response::Response;
use portico_protocol::{AuditEntry, Contact};
use serde_json::Value;

use super::pages::internal_error;
use super::tenant::{Portal, blocking};
use crate::store::{Store, StoreError, Tx};

/// Runs `f` in a read transaction off the runtime; a failure is logged with `what` and
/// answered with the neutral 500 page.
pub async fn read<T, F>(portal: &Portal, what: &'static str, f: F) -> Result<T, Response>
where
    T: Send + 'static,
    F: FnOnce(&Tx) -> Result<T, StoreError> + Send + 'static,
{
    let store = portal.store.clone();
    match blocking(move || Ok(store.read(f)?)).await {
        Ok(value) => Ok(value),
        Err(err) => {
            tracing::error!(error = %err, what, "portal: reading failed");
            Err(internal_error())
        }
    }
}

/// `customer #7 contact #12 <pat@example.com>`: who changed something on the portal.
pub fn contact_target(contact: &Contact) -> String {
    format!(
        "customer #{} contact #{} <{}>",
        contact.customer_id, contact.id, contact.email
    )
}

/// Runs `change` in one write transaction and appends an audit entry for it: `action` (e.g.
/// `portal_alert_set`), the target `change` returns, and `detail` (JSON without secrets). A
/// refused change (`Err`) leaves both the store and the log as they were. Blocking: call it
/// inside `blocking(..)`.
pub fn audited_write<T, E>(
    store: &Store,
    action: &str,
    detail: Value,
    change: impl FnOnce(&mut Tx, i64) -> Result<(T, String), E>,
) -> Result<T, E>
where
    E: From<StoreError>,
{
    store.write(|tx| {
        let at = crate::admin::service::now();
        let (value, target) = change(tx, at)?;
        tx.audit(AuditEntry {
            seq: 0,
            at,
            uid: None,
            pid: None,
            action: action.to_owned(),
            target: target.clone(),
            detail: detail.to_string(),
        })?;
        tracing::info!(action, target, "portal change");
        Ok(value)
    })
}
