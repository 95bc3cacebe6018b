//! Named, idempotent migrations, each in one transaction. The schema version is the number of
//! migrations this build knows; a file with a higher one is refused.

use redb::{Database, ReadableDatabase, ReadableTable, WriteTransaction};

use super::StoreError;
use super::tables::*;

type Step = fn(&WriteTransaction) -> Result<(), StoreError>;

/// Every migration, oldest first. Append only: never edit or reorder a released one.
const MIGRATIONS_LIST: &[(&str, Step)] = &[
    ("0001_create_tables", create_tables),
    ("0002_cdr_tables", create_cdr_tables),
    ("0003_portal_sessions", create_portal_tables),
    ("0004_tls_tables", super::tls::create_tables),
    ("0005_account", create_account_tables),
    ("0006_cdr_blocks", super::cdr_migrate::cdr_blocks),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: u64 = MIGRATIONS_LIST.len() as u64;

const VERSION_KEY: &str = "schema_version";

fn create_tables(txn: &WriteTransaction) -> Result<(), StoreError> {
    // Opening a table in a write transaction creates it.
    txn.open_table(META)?;
    txn.open_table(COUNTERS)?;
    txn.open_table(DOMAINS)?;
    txn.open_table(FILES)?;
    txn.open_table(FILE_CONTENT)?;
    txn.open_table(CUSTOMERS)?;
    txn.open_table(ACCOUNT_CODES)?;
    txn.open_table(CONTACTS)?;
    txn.open_table(CONTACT_EMAILS)?;
    txn.open_table(RATECARDS)?;
    txn.open_table(RATES)?;
    txn.open_table(ROUTES)?;
    txn.open_table(PAYMENTS)?;
    txn.open_table(ALERTS)?;
    txn.open_table(PACKAGES)?;
    txn.open_table(CONTRACTS)?;
    txn.open_table(OWNERS)?;
    txn.open_table(AUDIT)?;
    Ok(())
}

fn create_cdr_tables(txn: &WriteTransaction) -> Result<(), StoreError> {
    use super::cdr::{QUARANTINE, WATCHES};
    use super::cdr_migrate::*;
    use super::rollups::{DEST_BY_ID, DEST_NAMES, TOTALS};
    // The tables of this layout; 0006 moves the CDRs, identities and rollups to blocks.
    txn.open_table(LEGACY_CDRS)?;
    txn.open_table(LEGACY_CDR_IDS)?;
    txn.open_table(LEGACY_ROLLUPS)?;
    txn.open_table(LEGACY_ROLLUPS_4)?;
    txn.open_table(LEGACY_ROLLUPS_16)?;
    txn.open_table(DEST_NAMES)?;
    txn.open_table(DEST_BY_ID)?;
    txn.open_table(TOTALS)?;
    txn.open_table(QUARANTINE)?;
    txn.open_table(WATCHES)?;
    Ok(())
}

fn create_portal_tables(txn: &WriteTransaction) -> Result<(), StoreError> {
    txn.open_table(SESSIONS)?;
    txn.open_table(TOKENS)?;
    Ok(())
}

fn create_account_tables(txn: &WriteTransaction) -> Result<(), StoreError> {
    txn.open_table(CONTRACT_APPROVALS)?;
    txn.open_table(TOTP_STEPS)?;
    Ok(())
}

pub(super) fn stored_version(db: &Database) -> Result<u64, StoreError> {
    let txn = db.begin_read()?;
    match txn.open_table(META) {
        Ok(table) => Ok(table.get(VERSION_KEY)?.map(|g| g.value()).unwrap_or(0)),
        Err(redb::TableError::TableDoesNotExist(_)) => Ok(0),
        Err(e) => Err(e.into()),
    }
}

/// Refuses a newer file, then applies every migration not yet recorded.
pub(super) fn apply(db: &Database, path: &str) -> Result<(), StoreError> {
    apply_first(db, path, MIGRATIONS_LIST.len())
}

/// [`apply`], up to the first `count` migrations (tests make files of older layouts with it).
pub(super) fn apply_first(db: &Database, path: &str, count: usize) -> Result<(), StoreError> {
    let found = stored_version(db)?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            path: path.to_string(),
            found,
            known: SCHEMA_VERSION,
        });
    }
    for (index, (name, step)) in MIGRATIONS_LIST.iter().enumerate().take(count) {
        let txn = db.begin_write()?;
        {
            let mut applied = txn.open_table(MIGRATIONS)?;
            if applied.get(*name)?.is_some() {
                continue;
            }
            step(&txn)?;
            applied.insert(*name, time::OffsetDateTime::now_utc().unix_timestamp())?;
            txn.open_table(META)?
                .insert(VERSION_KEY, index as u64 + 1)?;
        }
        txn.commit()?;
        tracing::info!(migration = name, "applied store migration");
    }
    Ok(())
}

/// Test hook: marks the file as written by a future version.
#[cfg(test)]
pub(super) fn force_version(db: &Database, version: u64) -> Result<(), StoreError> {
    let txn = db.begin_write()?;
    txn.open_table(META)?.insert(VERSION_KEY, version)?;
    txn.commit()?;
    Ok(())
}
