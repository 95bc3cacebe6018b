//! A typed redb value that holds a serde record as JSON. JSON keeps records readable in exports
//! and lets a later version add fields (with `#[serde(default)]`) without a rewrite.

use std::fmt::Debug;
use std::marker::PhantomData;

use redb::{TypeName, Value};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A record stored as JSON. `NAME` is part of the redb type name, so a table opened with
/// another record type fails loudly instead of misreading bytes.
pub trait Record: Serialize + DeserializeOwned + Debug + Clone {
    /// Stable, versioned name of the record type, e.g. `domain@1`.
    const NAME: &'static str;
}

/// The redb value type of a record table.
#[derive(Debug)]
pub struct Json<T>(PhantomData<T>);

/// What reading a stored record gives: the record, or why its bytes did not decode.
pub type Decoded<T> = Result<T, String>;

impl<T: Record> Value for Json<T> {
    type SelfType<'a>
        = Decoded<T>
    where
        Self: 'a;
    type AsBytes<'a>
        = Vec<u8>
    where
        Self: 'a;

    fn fixed_width() -> Option<usize> {
        None
    }

    fn from_bytes<'a>(data: &'a [u8]) -> Decoded<T>
    where
        Self: 'a,
    {
        serde_json::from_slice(data).map_err(|e| format!("{}: {e}", T::NAME))
    }

    fn as_bytes<'a, 'b: 'a>(value: &'a Decoded<T>) -> Vec<u8>
    where
        Self: 'b,
    {
        // Only `Ok` values are ever written (see `Tx::put`); an `Err` has no bytes to keep.
        match value {
            Ok(v) => serde_json::to_vec(v).unwrap_or_default(),
            Err(_) => Vec::new(),
        }
    }

    fn type_name() -> TypeName {
        TypeName::new(&format!("portico::json::{}", T::NAME))
    }
}

/// A record stored in postcard's compact binary form: for the bulk tables (CDRs), where size
/// and speed matter more than readability. A layout change is a new `NAME` and a migration.
pub trait BinRecord: Serialize + DeserializeOwned + Debug + Clone {
    /// Stable, versioned name of the record type, e.g. `cdr@1`.
    const NAME: &'static str;
}

/// The redb value type of a binary record table.
#[derive(Debug)]
pub struct Bin<T>(PhantomData<T>);

impl<T: BinRecord> Value for Bin<T> {
    type SelfType<'a>
        = Decoded<T>
    where
        Self: 'a;
    type AsBytes<'a>
        = Vec<u8>
    where
        Self: 'a;

    fn fixed_width() -> Option<usize> {
        None
    }

    fn from_bytes<'a>(data: &'a [u8]) -> Decoded<T>
    where
        Self: 'a,
    {
        postcard::from_bytes(data).map_err(|e| format!("{}: {e}", T::NAME))
    }

    fn as_bytes<'a, 'b: 'a>(value: &'a Decoded<T>) -> Vec<u8>
    where
        Self: 'b,
    {
        match value {
            Ok(v) => postcard::to_stdvec(v).unwrap_or_default(),
            Err(_) => Vec::new(),
        }
    }

    fn type_name() -> TypeName {
        TypeName::new(&format!("portico::bin::{}", T::NAME))
    }
}
