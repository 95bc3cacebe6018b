use super::*;

#[test]
fn a_newer_schema_is_refused_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("portico.redb");
    {
        let store = Store::open(&path).unwrap();
        migrations::force_version(&store.file.db().unwrap(), SCHEMA_VERSION + 1).unwrap();
    }
    let err = Store::open(&path).unwrap_err().to_string();
    assert!(err.contains("newer porticod"), "{err}");
    assert!(
        err.contains(&format!("schema version {}", SCHEMA_VERSION + 1)),
        "{err}"
    );
}

#[test]
fn migrations_are_idempotent_across_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("portico.redb");
    drop(Store::open(&path).unwrap());
    let store = Store::open(&path).unwrap();
    let export = store.export().unwrap();
    assert_eq!(export["schema_version"], SCHEMA_VERSION);
}

#[test]
fn a_failed_write_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("portico.redb")).unwrap();
    let before = store.export().unwrap();
    let result: Result<(), StoreError> = store.write(|tx| {
        tx.next_id("customer")?;
        Err(StoreError::Corrupt("refused on purpose".into()))
    });
    assert!(result.is_err());
    let id = store.write(|tx| tx.next_id("customer")).unwrap();
    assert_eq!(id, 1, "the aborted transaction must not have used an id");
    assert_eq!(store.export().unwrap(), before);
}
