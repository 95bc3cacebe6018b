//! Portal sessions and one-time tokens, both stored under the SHA-256 of the secret the client
//! holds, so a copy of the store does not let anyone in.

use redb::ReadableTable;

use super::StoreError;
use super::codec::{Json, Record};
use super::tables::{CONTACTS, ContactRecord, SESSIONS, SessionRecord, TOKENS, TokenRecord};
use super::tx::{Inner, Tx, decode};

impl Tx {
    /// A contact by id.
    pub fn contact(&self, id: u64) -> Result<Option<ContactRecord>, StoreError> {
        with_table!(self, CONTACTS, |t| match t.get(id)? {
            Some(guard) => Ok(Some(decode(guard.value())?)),
            None => Ok(None),
        })
    }

    /// The session stored under `hash`, expired or not.
    pub fn session(&self, hash: &[u8; 32]) -> Result<Option<SessionRecord>, StoreError> {
        with_table!(self, SESSIONS, |t| match t.get(hash)? {
            Some(guard) => Ok(Some(decode(guard.value())?)),
            None => Ok(None),
        })
    }

    /// Stores a session under `hash`.
    pub fn put_session(
        &mut self,
        hash: &[u8; 32],
        session: &SessionRecord,
    ) -> Result<(), StoreError> {
        self.written.accounts = true;
        self.w()?
            .open_table(SESSIONS)?
            .insert(hash, Ok(session.clone()))?;
        Ok(())
    }

    /// Removes a session; false when there was none.
    pub fn remove_session(&mut self, hash: &[u8; 32]) -> Result<bool, StoreError> {
        self.written.accounts = true;
        Ok(self.w()?.open_table(SESSIONS)?.remove(hash)?.is_some())
    }

    /// Removes every session of a contact except `keep` (after a password change, a reset or
    /// turning two-factor on or off); returns how many went.
    pub fn remove_sessions_of(
        &mut self,
        contact_id: u64,
        keep: Option<&[u8; 32]>,
    ) -> Result<usize, StoreError> {
        self.written.accounts = true;
        let mut t = self.w()?.open_table(SESSIONS)?;
        let mut doomed = Vec::new();
        for row in t.iter()? {
            let (key, value) = row?;
            let key = *key.value();
            if keep == Some(&key) {
                continue;
            }
            // An undecodable session is useless: it goes too.
            if value
                .value()
                .map(|s| s.contact_id == contact_id)
                .unwrap_or(true)
            {
                doomed.push(key);
            }
        }
        for key in &doomed {
            t.remove(key)?;
        }
        Ok(doomed.len())
    }

    /// Removes sessions and tokens that expired before `now`; returns how many went.
    pub fn purge_expired(&mut self, now: i64) -> Result<usize, StoreError> {
        let txn = self.w()?;
        let sessions = remove_expired(&mut txn.open_table(SESSIONS)?, |s| s.expires_at <= now)?;
        let tokens = remove_expired(&mut txn.open_table(TOKENS)?, |t| t.expires_at <= now)?;
        // Only a removed session changes what the portal's login cache holds; a purge that
        // found nothing to remove leaves it valid.
        if sessions > 0 {
            self.written.accounts = true;
        }
        Ok(sessions + tokens)
    }

    /// Stores a one-time token under `hash`.
    pub fn put_token(&mut self, hash: &[u8; 32], token: &TokenRecord) -> Result<(), StoreError> {
        self.w()?
            .open_table(TOKENS)?
            .insert(hash, Ok(token.clone()))?;
        Ok(())
    }

    /// Takes a one-time token out of the store: whatever it was, it cannot be used again.
    pub fn take_token(&mut self, hash: &[u8; 32]) -> Result<Option<TokenRecord>, StoreError> {
        let mut t = self.w()?.open_table(TOKENS)?;
        let removed = t.remove(hash)?.map(|guard| guard.value());
        match removed {
            Some(value) => Ok(Some(decode(value)?)),
            None => Ok(None),
        }
    }

    /// The token stored under `hash`, without using it up.
    pub fn token(&self, hash: &[u8; 32]) -> Result<Option<TokenRecord>, StoreError> {
        with_table!(self, TOKENS, |t| match t.get(hash)? {
            Some(guard) => Ok(Some(decode(guard.value())?)),
            None => Ok(None),
        })
    }
}

/// Removes the records of `table` that `expired` says are over, and those that do not decode;
/// returns how many went.
fn remove_expired<T: Record>(
    table: &mut redb::Table<&'static [u8; 32], Json<T>>,
    expired: impl Fn(&T) -> bool,
) -> Result<usize, StoreError> {
    let doomed: Vec<[u8; 32]> = table
        .iter()?
        .filter_map(Result::ok)
        .filter(|(_, v)| v.value().map(|r| expired(&r)).unwrap_or(true))
        .map(|(k, _)| *k.value())
        .collect();
    for key in &doomed {
        table.remove(key)?;
    }
    Ok(doomed.len())
}
