//! [`Tx`]: typed reads and writes inside one redb transaction.

use std::borrow::Borrow;

use portico_protocol::{
    Alert, AuditEntry, Contact, Contract, Customer, FileInfo, Package, Payment, Rate, RateCard,
    Route,
};
use redb::{
    Key, ReadTransaction, ReadableTable, ReadableTableMetadata, TableDefinition, WriteTransaction,
};

use super::StoreError;
use super::codec::{Json, Record};
use super::tables::*;

pub(super) enum Inner {
    Read(Box<ReadTransaction>),
    Write(Box<WriteTransaction>),
}

/// One transaction. Reads work in both kinds; writes need one from [`super::Store::write`].
pub struct Tx {
    pub(super) inner: Inner,
    /// What this transaction wrote that caches outside the store depend on:
    /// [`super::Store::write`] moves those generations on when it ends.
    pub(super) written: Written,
}

/// Tables with a generation (see [`super::Store::domains_generation`] and
/// [`super::Store::accounts_generation`]) that a write transaction touched.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Written {
    /// Domains.
    pub(super) domains: bool,
    /// Customers, contacts and sessions.
    pub(super) accounts: bool,
    /// Payments, alerts, packages, contracts and contract approvals.
    pub(super) children: bool,
}

pub(super) fn decode<T>(value: Result<T, String>) -> Result<T, StoreError> {
    value.map_err(StoreError::Corrupt)
}

fn get_record<'k, K, T, Tb>(
    table: &Tb,
    key: impl Borrow<K::SelfType<'k>>,
) -> Result<Option<T>, StoreError>
where
    K: Key + 'static,
    T: Record + 'static,
    Tb: ReadableTable<K, Json<T>>,
{
    match table.get(key)? {
        Some(guard) => Ok(Some(decode(guard.value())?)),
        None => Ok(None),
    }
}

fn all_records<K, T, Tb>(table: &Tb) -> Result<Vec<T>, StoreError>
where
    K: Key + 'static,
    T: Record + 'static,
    Tb: ReadableTable<K, Json<T>>,
{
    let mut out = Vec::new();
    for row in table.iter()? {
        let (_, value) = row?;
        out.push(decode(value.value())?);
    }
    Ok(out)
}

fn customer_records<T, Tb>(table: &Tb, customer: u64) -> Result<Vec<T>, StoreError>
where
    T: Record + 'static,
    Tb: ReadableTable<(u64, u64), Json<T>>,
{
    let mut out = Vec::new();
    for row in table.range((customer, 0)..=(customer, u64::MAX))? {
        let (_, value) = row?;
        out.push(decode(value.value())?);
    }
    Ok(out)
}

/// The kinds of object a customer owns that have their own id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChildKind {
    /// A payment.
    Payment,
    /// An alert.
    Alert,
    /// A package.
    Package,
    /// A contract.
    Contract,
}

impl ChildKind {
    fn key(self) -> &'static str {
        match self {
            ChildKind::Payment => "payment",
            ChildKind::Alert => "alert",
            ChildKind::Package => "package",
            ChildKind::Contract => "contract",
        }
    }
}

/// A record type that lives in a per-customer child table.
pub trait Child: Record + 'static {
    /// Its kind.
    const KIND: ChildKind;
    /// Its table.
    const TABLE: TableDefinition<'static, (u64, u64), Json<Self>>;
    /// Its id.
    fn id(&self) -> u64;
    /// Its customer.
    fn customer_id(&self) -> u64;
}

macro_rules! child {
    ($t:ty, $kind:ident, $table:ident) => {
        impl Child for $t {
            const KIND: ChildKind = ChildKind::$kind;
            const TABLE: TableDefinition<'static, (u64, u64), Json<Self>> = $table;
            fn id(&self) -> u64 {
                self.id
            }
            fn customer_id(&self) -> u64 {
                self.customer_id
            }
        }
    };
}
child!(Payment, Payment, PAYMENTS);
child!(Alert, Alert, ALERTS);
child!(Package, Package, PACKAGES);
child!(Contract, Contract, CONTRACTS);

impl Tx {
    pub(super) fn read(txn: ReadTransaction) -> Tx {
        Tx {
            inner: Inner::Read(Box::new(txn)),
            written: Written::default(),
        }
    }

    pub(super) fn write(txn: WriteTransaction) -> Tx {
        Tx {
            inner: Inner::Write(Box::new(txn)),
            written: Written::default(),
        }
    }

    /// What this transaction wrote that has a generation.
    pub(super) fn written(&self) -> Written {
        self.written
    }

    pub(super) fn commit(self) -> Result<(), StoreError> {
        match self.inner {
            Inner::Write(txn) => Ok(txn.commit()?),
            Inner::Read(_) => Ok(()),
        }
    }

    pub(super) fn w(&self) -> Result<&WriteTransaction, StoreError> {
        match &self.inner {
            Inner::Write(txn) => Ok(txn),
            Inner::Read(_) => Err(StoreError::Corrupt(
                "a write was attempted in a read transaction".into(),
            )),
        }
    }

    // ---- ids -------------------------------------------------------------------------------

    /// Hands out the next id of a sequence (ids start at 1 and are never reused).
    pub fn next_id(&mut self, kind: &str) -> Result<u64, StoreError> {
        let mut table = self.w()?.open_table(COUNTERS)?;
        let next = table.get(kind)?.map(|g| g.value()).unwrap_or(0) + 1;
        table.insert(kind, next)?;
        Ok(next)
    }

    // ---- domains ---------------------------------------------------------------------------

    /// One domain.
    pub fn domain(&self, fqdn: &str) -> Result<Option<DomainRecord>, StoreError> {
        with_table!(self, DOMAINS, |t| get_record(&t, fqdn))
    }

    /// Every domain, by FQDN.
    pub fn domains(&self) -> Result<Vec<DomainRecord>, StoreError> {
        with_table!(self, DOMAINS, |t| all_records(&t))
    }

    /// Stores a domain.
    pub fn put_domain(&mut self, record: &DomainRecord) -> Result<(), StoreError> {
        self.written.domains = true;
        let mut t = self.w()?.open_table(DOMAINS)?;
        t.insert(record.domain.fqdn.as_str(), Ok(record.clone()))?;
        Ok(())
    }

    /// Removes a domain; false when there was none.
    pub fn remove_domain(&mut self, fqdn: &str) -> Result<bool, StoreError> {
        self.written.domains = true;
        let mut t = self.w()?.open_table(DOMAINS)?;
        let removed = t.remove(fqdn)?.is_some();
        Ok(removed)
    }

    // ---- files -----------------------------------------------------------------------------

    /// A public file's metadata.
    pub fn file_info(&self, name: &str) -> Result<Option<FileInfo>, StoreError> {
        with_table!(self, FILES, |t| get_record(&t, name))
    }

    /// A public file's content.
    pub fn file_content(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        with_table!(self, FILE_CONTENT, |t| Ok(t
            .get(name)?
            .map(|g| g.value().to_vec())))
    }

    /// Every public file, by name.
    pub fn files(&self) -> Result<Vec<FileInfo>, StoreError> {
        with_table!(self, FILES, |t| all_records(&t))
    }

    /// Stores a public file (replacing one of the same name).
    pub fn put_file(&mut self, info: &FileInfo, bytes: &[u8]) -> Result<(), StoreError> {
        let txn = self.w()?;
        txn.open_table(FILES)?
            .insert(info.name.as_str(), Ok(info.clone()))?;
        txn.open_table(FILE_CONTENT)?
            .insert(info.name.as_str(), bytes)?;
        Ok(())
    }

    /// Removes a public file; false when there was none.
    pub fn remove_file(&mut self, name: &str) -> Result<bool, StoreError> {
        let txn = self.w()?;
        let removed = txn.open_table(FILES)?.remove(name)?.is_some();
        txn.open_table(FILE_CONTENT)?.remove(name)?;
        Ok(removed)
    }

    // ---- customers -------------------------------------------------------------------------

    /// One customer.
    pub fn customer(&self, id: u64) -> Result<Option<Customer>, StoreError> {
        with_table!(self, CUSTOMERS, |t| get_record(&t, id))
    }

    /// Every customer, by id.
    pub fn customers(&self) -> Result<Vec<Customer>, StoreError> {
        with_table!(self, CUSTOMERS, |t| all_records(&t))
    }

    /// Stores a customer and points its account codes at it, releasing codes it no longer has.
    pub fn put_customer(&mut self, customer: &Customer) -> Result<(), StoreError> {
        self.written.accounts = true;
        let txn = self.w()?;
        let mut codes = txn.open_table(ACCOUNT_CODES)?;
        let mut stale = Vec::new();
        for row in codes.iter()? {
            let (code, owner) = row?;
            if owner.value() == customer.id
                && !customer.account_codes.iter().any(|c| c == code.value())
            {
                stale.push(code.value().to_string());
            }
        }
        for code in &stale {
            codes.remove(code.as_str())?;
        }
        for code in &customer.account_codes {
            codes.insert(code.as_str(), customer.id)?;
        }
        txn.open_table(CUSTOMERS)?
            .insert(customer.id, Ok(customer.clone()))?;
        Ok(())
    }

    /// Which customer an account code belongs to.
    pub fn account_code_owner(&self, code: &str) -> Result<Option<u64>, StoreError> {
        with_table!(self, ACCOUNT_CODES, |t| Ok(t.get(code)?.map(|g| g.value())))
    }

    /// Removes a customer and everything it owns.
    pub fn remove_customer(&mut self, id: u64) -> Result<bool, StoreError> {
        let Some(customer) = self.customer(id)? else {
            return Ok(false);
        };
        self.written.accounts = true;
        for contact in self.contacts_of(id)? {
            self.remove_contact(&contact.email)?;
        }
        for route in self.routes_of(id)? {
            self.remove_route(id, &route.ratecard)?;
        }
        self.remove_children::<Payment>(id)?;
        self.remove_children::<Alert>(id)?;
        self.remove_children::<Package>(id)?;
        self.remove_children::<Contract>(id)?;
        self.remove_contract_approvals(id)?;
        let txn = self.w()?;
        let mut codes = txn.open_table(ACCOUNT_CODES)?;
        for code in &customer.account_codes {
            codes.remove(code.as_str())?;
        }
        txn.open_table(CUSTOMERS)?.remove(id)?;
        Ok(true)
    }

    // ---- contacts --------------------------------------------------------------------------

    /// A contact by e-mail.
    pub fn contact_by_email(&self, email: &str) -> Result<Option<ContactRecord>, StoreError> {
        let id = with_table!(self, CONTACT_EMAILS, |t| Ok::<_, StoreError>(
            t.get(email)?.map(|g| g.value())
        ))?;
        match id {
            Some(id) => with_table!(self, CONTACTS, |t| get_record(&t, id)),
            None => Ok(None),
        }
    }

    /// A customer's contacts, by id.
    pub fn contacts_of(&self, customer: u64) -> Result<Vec<Contact>, StoreError> {
        Ok(self
            .contacts()?
            .into_iter()
            .map(|r| r.contact)
            .filter(|c| c.customer_id == customer)
            .collect())
    }

    /// Every contact with its password hash, by id.
    pub fn contacts(&self) -> Result<Vec<ContactRecord>, StoreError> {
        with_table!(self, CONTACTS, |t| all_records(&t))
    }

    /// Stores a contact and indexes its e-mail.
    pub fn put_contact(&mut self, record: &ContactRecord) -> Result<(), StoreError> {
        self.written.accounts = true;
        let txn = self.w()?;
        txn.open_table(CONTACT_EMAILS)?
            .insert(record.contact.email.as_str(), record.contact.id)?;
        txn.open_table(CONTACTS)?
            .insert(record.contact.id, Ok(record.clone()))?;
        Ok(())
    }

    /// Removes a contact; false when there was none.
    pub fn remove_contact(&mut self, email: &str) -> Result<bool, StoreError> {
        self.written.accounts = true;
        let txn = self.w()?;
        let id = txn
            .open_table(CONTACT_EMAILS)?
            .remove(email)?
            .map(|g| g.value());
        match id {
            Some(id) => {
                txn.open_table(CONTACTS)?.remove(id)?;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    // ---- rate cards ------------------------------------------------------------------------

    /// One rate card.
    pub fn ratecard(&self, name: &str) -> Result<Option<RateCard>, StoreError> {
        with_table!(self, RATECARDS, |t| get_record(&t, name))
    }

    /// Every rate card, by name.
    pub fn ratecards(&self) -> Result<Vec<RateCard>, StoreError> {
        with_table!(self, RATECARDS, |t| all_records(&t))
    }

    /// Stores a rate card's header.
    pub fn put_ratecard(&mut self, card: &RateCard) -> Result<(), StoreError> {
        self.w()?
            .open_table(RATECARDS)?
            .insert(card.name.as_str(), Ok(card.clone()))?;
        Ok(())
    }

    /// A card's rates, by prefix then effective date.
    pub fn rates(&self, card: &str) -> Result<Vec<Rate>, StoreError> {
        with_table!(self, RATES, |t| {
            let mut out = Vec::new();
            for row in t.range((card, "", i64::MIN)..)? {
                let (key, value) = row?;
                if key.value().0 != card {
                    break;
                }
                out.push(decode(value.value())?);
            }
            Ok(out)
        })
    }

    /// Stores a rate; true when it replaced one with the same prefix and effective date.
    pub fn put_rate(&mut self, card: &str, rate: &Rate) -> Result<bool, StoreError> {
        let mut t = self.w()?.open_table(RATES)?;
        let replaced = t
            .insert(
                (card, rate.prefix.as_str(), rate.effective_from),
                Ok(rate.clone()),
            )?
            .is_some();
        Ok(replaced)
    }

    /// Drops every rate of a card; returns how many there were.
    pub fn clear_rates(&mut self, card: &str) -> Result<u64, StoreError> {
        let keys: Vec<(String, i64)> = self
            .rates(card)?
            .into_iter()
            .map(|r| (r.prefix, r.effective_from))
            .collect();
        let mut t = self.w()?.open_table(RATES)?;
        for (prefix, effective) in &keys {
            t.remove((card, prefix.as_str(), *effective))?;
        }
        Ok(keys.len() as u64)
    }

    /// Removes a rate card and its rates.
    pub fn remove_ratecard(&mut self, name: &str) -> Result<bool, StoreError> {
        self.clear_rates(name)?;
        let removed = self.w()?.open_table(RATECARDS)?.remove(name)?.is_some();
        Ok(removed)
    }

    // ---- routes ----------------------------------------------------------------------------

    /// A customer's routes, by card name.
    pub fn routes_of(&self, customer: u64) -> Result<Vec<Route>, StoreError> {
        with_table!(self, ROUTES, |t| {
            let mut out = Vec::new();
            for row in t.range((customer, "")..)? {
                let (key, value) = row?;
                if key.value().0 != customer {
                    break;
                }
                out.push(decode(value.value())?);
            }
            Ok(out)
        })
    }

    /// Every route that uses a card.
    pub fn routes_using(&self, card: &str) -> Result<Vec<Route>, StoreError> {
        let all: Vec<Route> = with_table!(self, ROUTES, |t| all_records(&t))?;
        Ok(all.into_iter().filter(|r| r.ratecard == card).collect())
    }

    /// Stores a route.
    pub fn put_route(&mut self, route: &Route) -> Result<bool, StoreError> {
        let mut t = self.w()?.open_table(ROUTES)?;
        let replaced = t
            .insert(
                (route.customer_id, route.ratecard.as_str()),
                Ok(route.clone()),
            )?
            .is_some();
        Ok(replaced)
    }

    /// Removes a route; false when there was none.
    pub fn remove_route(&mut self, customer: u64, card: &str) -> Result<bool, StoreError> {
        let mut t = self.w()?.open_table(ROUTES)?;
        let removed = t.remove((customer, card))?.is_some();
        Ok(removed)
    }

    // ---- payments, alerts, packages, contracts ---------------------------------------------

    /// A child object by id.
    pub fn child<T: Child>(&self, id: u64) -> Result<Option<T>, StoreError> {
        let owner = with_table!(self, OWNERS, |t| Ok::<_, StoreError>(
            t.get((T::KIND.key(), id))?.map(|g| g.value())
        ))?;
        match owner {
            Some(customer) => with_table!(self, T::TABLE, |t| get_record(&t, (customer, id))),
            None => Ok(None),
        }
    }

    /// A customer's child objects of one kind, by id.
    pub fn children<T: Child>(&self, customer: u64) -> Result<Vec<T>, StoreError> {
        with_table!(self, T::TABLE, |t| customer_records(&t, customer))
    }

    /// Stores a child object.
    pub fn put_child<T: Child>(&mut self, value: &T) -> Result<(), StoreError> {
        self.written.children = true;
        let txn = self.w()?;
        txn.open_table(OWNERS)?
            .insert((T::KIND.key(), value.id()), value.customer_id())?;
        txn.open_table(T::TABLE)?
            .insert((value.customer_id(), value.id()), Ok(value.clone()))?;
        Ok(())
    }

    /// Removes a child object; false when there was none.
    pub fn remove_child<T: Child>(&mut self, id: u64) -> Result<bool, StoreError> {
        self.written.children = true;
        let txn = self.w()?;
        let owner = txn
            .open_table(OWNERS)?
            .remove((T::KIND.key(), id))?
            .map(|g| g.value());
        match owner {
            Some(customer) => {
                txn.open_table(T::TABLE)?.remove((customer, id))?;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    fn remove_children<T: Child>(&mut self, customer: u64) -> Result<(), StoreError> {
        for child in self.children::<T>(customer)? {
            self.remove_child::<T>(child.id())?;
        }
        Ok(())
    }

    // ---- audit -----------------------------------------------------------------------------

    /// Appends an audit entry; its `seq` is assigned here.
    pub fn audit(&mut self, mut entry: AuditEntry) -> Result<u64, StoreError> {
        let mut t = self.w()?.open_table(AUDIT)?;
        let seq = t.last()?.map(|(k, _)| k.value()).unwrap_or(0) + 1;
        entry.seq = seq;
        t.insert(seq, Ok(entry))?;
        Ok(seq)
    }

    /// The newest audit entries, newest first.
    pub fn audit_recent(&self, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        with_table!(self, AUDIT, |t| {
            let mut out = Vec::new();
            for row in t.iter()?.rev().take(limit) {
                let (_, value) = row?;
                out.push(decode(value.value())?);
            }
            Ok(out)
        })
    }

    /// How many audit entries there are.
    pub fn audit_len(&self) -> Result<u64, StoreError> {
        with_table!(self, AUDIT, |t| Ok(t.len()?))
    }
}
