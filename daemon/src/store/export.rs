//! The full JSON export that admins back up and tests compare.

use serde_json::{Map, Value, json};

use super::StoreError;
use super::tx::Tx;

/// Every table as `{ "table": [rows in key order] }`.
pub(super) fn export(tx: &Tx) -> Result<Value, StoreError> {
    let mut out = Map::new();
    out.insert("schema_version".into(), json!(super::SCHEMA_VERSION));
    let mut domains = Vec::new();
    for mut record in tx.domains()? {
        // A short digest: enough to see that a password changed, never the password.
        if let Some(pw) = &record.smtp_password {
            use sha2::Digest;
            let digest = hex::encode(sha2::Sha256::digest(pw.as_bytes()));
            record.smtp_password = Some(format!("sha256:{}", &digest[..16]));
        }
        domains.push(to_value(&record)?);
    }
    out.insert("domains".into(), Value::Array(domains));
    let mut files = Vec::new();
    for info in tx.files()? {
        files.push(to_value(&info)?);
    }
    out.insert("files".into(), Value::Array(files));
    // Contacts are read once and grouped, not scanned again for every customer.
    let mut contacts_by_customer: std::collections::BTreeMap<u64, Vec<Value>> =
        std::collections::BTreeMap::new();
    for mut record in tx.contacts()? {
        // A TOTP secret would let whoever reads the export make codes: only say one is set.
        if record.totp_secret.is_some() {
            record.totp_secret = Some("<set>".to_owned());
        }
        contacts_by_customer
            .entry(record.contact.customer_id)
            .or_default()
            .push(to_value(&record)?);
    }
    let mut customers = Vec::new();
    for customer in tx.customers()? {
        let id = customer.id;
        let contacts = contacts_by_customer.remove(&id).unwrap_or_default();
        customers.push(json!({
            "customer": to_value(&customer)?,
            "contacts": contacts,
            "routes": to_value(&tx.routes_of(id)?)?,
            "payments": to_value(&tx.children::<portico_protocol::Payment>(id)?)?,
            "alerts": to_value(&tx.children::<portico_protocol::Alert>(id)?)?,
            "packages": to_value(&tx.children::<portico_protocol::Package>(id)?)?,
            "contracts": to_value(&tx.children::<portico_protocol::Contract>(id)?)?,
        }));
    }
    out.insert("customers".into(), Value::Array(customers));
    let mut cards = Vec::new();
    for card in tx.ratecards()? {
        let rates = tx.rates(&card.name)?;
        cards.push(json!({ "card": to_value(&card)?, "rates": to_value(&rates)? }));
    }
    out.insert("ratecards".into(), Value::Array(cards));
    out.insert("audit_entries".into(), json!(tx.audit_len()?));
    out.insert(
        "cdr_counts".into(),
        json!({
            "cdrs": tx.counter("cdrs")?,
            "unassigned": tx.counter("cdrs_unassigned")?,
            "unrated": tx.counter("cdrs_unrated")?,
            "quarantined": tx.quarantine_len()?,
        }),
    );
    Ok(Value::Object(out))
}

fn to_value<T: serde::Serialize>(value: &T) -> Result<Value, StoreError> {
    serde_json::to_value(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}
