//! Contacts: the portal logins of a customer.

use portico_protocol::{AdminError, AdminResult, Contact, ContactCreated, ContactSpec};

use super::customer_exists;
use crate::admin::service::Changed;
use crate::model::{contact, password, text};
use crate::store::{ContactRecord, Tx};

/// A password checked and hashed before the transaction starts: argon2id takes tens of
/// milliseconds by design, and the store's write lock must not wait for it.
pub struct NewPassword {
    hash: String,
    generated: Option<String>,
}

impl NewPassword {
    /// Checks the given password against the policy and hashes it, or generates one.
    pub fn prepare(given: Option<String>) -> AdminResult<NewPassword> {
        match given {
            Some(pw) => {
                password::check_policy(&pw)?;
                Ok(NewPassword {
                    hash: password::hash(&pw)?,
                    generated: None,
                })
            }
            None => {
                let pw = password::generate();
                Ok(NewPassword {
                    hash: password::hash(&pw)?,
                    generated: Some(pw),
                })
            }
        }
    }
}

fn lookup(tx: &Tx, email: &str) -> AdminResult<ContactRecord> {
    let email = contact::normalize_email("email", email)?;
    tx.contact_by_email(&email)?
        .ok_or_else(|| AdminError::not_found(format!("contact \"{email}\"")))
}

/// Adds a portal login to a customer.
pub fn add(
    tx: &mut Tx,
    now: i64,
    customer_id: u64,
    spec: ContactSpec,
    password: NewPassword,
) -> AdminResult<Changed<ContactCreated>> {
    customer_exists(tx, customer_id)?;
    let email = contact::normalize_email("email", &spec.email)?;
    if let Some(existing) = tx.contact_by_email(&email)? {
        return Err(AdminError::conflict(format!(
            "a contact with e-mail \"{email}\" exists already (customer #{}); e-mail addresses \
             are logins and must be unique",
            existing.contact.customer_id
        )));
    }
    let name = text::check_required("name", &spec.name, 200)?;
    let ip_allow = contact::normalize_ip_allow(&spec.ip_allow)?;
    let record = ContactRecord {
        contact: Contact {
            id: tx.next_id("contact")?,
            customer_id,
            email: email.clone(),
            name,
            ip_allow,
            created_at: now,
            phone: String::new(),
            time_zone: String::new(),
            two_factor: false,
        },
        password_hash: password.hash,
        totp_secret: None,
        recovery_codes: Vec::new(),
        unconfirmed: false,
    };
    tx.put_contact(&record)?;
    Ok((
        ContactCreated {
            contact: record.contact,
            generated_password: password.generated,
        },
        format!("contact {email} of customer #{customer_id}"),
    ))
}

/// Sets (or generates) a contact's password.
pub fn reset_password(
    tx: &mut Tx,
    email: &str,
    password: NewPassword,
) -> AdminResult<Changed<ContactCreated>> {
    let mut record = lookup(tx, email)?;
    record.password_hash = password.hash;
    tx.put_contact(&record)?;
    let target = format!("contact {}", record.contact.email);
    Ok((
        ContactCreated {
            contact: record.contact,
            generated_password: password.generated,
        },
        target,
    ))
}

/// Removes a contact.
pub fn remove(tx: &mut Tx, email: &str) -> AdminResult<Changed<()>> {
    let record = lookup(tx, email)?;
    tx.remove_contact(&record.contact.email)?;
    Ok(((), format!("contact {}", record.contact.email)))
}
