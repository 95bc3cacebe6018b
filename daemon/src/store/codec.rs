//! Typed redb values that hold serde records: JSON for the small, admin-edited tables (readable
//! in exports; a later version adds fields with `#[serde(default)]`), postcard for the bulk ones.

use std::fmt::Debug;
use std::marker::PhantomData;

use redb::{TypeName, Value};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The redb `Value` impl of a record wrapper: decoding failures become `Err` values (redb's
/// `from_bytes` cannot fail), and only `Ok` values are ever written.
macro_rules! record_value {
    ($wrapper:ident, $bound:ident, $prefix:literal, |$data:ident| $decode:expr, |$v:ident| $encode:expr) => {
        impl<T: $bound> Value for $wrapper<T> {
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

            fn from_bytes<'a>($data: &'a [u8]) -> Decoded<T>
            where
                Self: 'a,
            {
                $decode.map_err(|e| format!("{}: {e}", T::NAME))
            }

            fn as_bytes<'a, 'b: 'a>(value: &'a Decoded<T>) -> Vec<u8>
            where
                Self: 'b,
            {
                match value {
                    Ok($v) => $encode.unwrap_or_default(),
                    Err(_) => Vec::new(),
                }
            }

            fn type_name() -> TypeName {
                TypeName::new(&format!(concat!($prefix, "{}"), T::NAME))
            }
        }
    };
}

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

record_value!(
    Json,
    Record,
    "portico::json::",
    |data| serde_json::from_slice(data),
    |v| { serde_json::to_vec(v) }
);

/// A record stored in postcard's compact binary form: for the bulk tables (CDRs), where size
/// and speed matter more than readability. A layout change is a new `NAME` and a migration.
pub trait BinRecord: Serialize + DeserializeOwned + Debug + Clone {
    /// Stable, versioned name of the record type, e.g. `cdr@1`.
    const NAME: &'static str;
}

/// The redb value type of a binary record table.
#[derive(Debug)]
pub struct Bin<T>(PhantomData<T>);

record_value!(
    Bin,
    BinRecord,
    "portico::bin::",
    |data| postcard::from_bytes(data),
    |v| { postcard::to_stdvec(v) }
);
