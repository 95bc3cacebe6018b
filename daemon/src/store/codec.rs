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

/// A binary record whose bytes are made before the write transaction: the bulk CDR table is
/// written inside the one serial transaction of the ingest, so encoding happens while another
/// batch is still being parsed. postcard bytes, so a later version can add fields only through a new `NAME`.
#[derive(Debug)]
pub struct Packed<T>(PhantomData<T>);

/// The bytes of one packed record, borrowed from the store or from an encoded buffer.
#[derive(Debug)]
pub struct PackedRef<'a, T> {
    bytes: &'a [u8],
    record: PhantomData<T>,
}

impl<'a, T: BinRecord> PackedRef<'a, T> {
    /// Wraps bytes made by [`encode_packed`].
    pub fn new(bytes: &'a [u8]) -> Self {
        PackedRef {
            bytes,
            record: PhantomData,
        }
    }

    /// The record's bytes.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }
}

/// The bytes of a record for a [`Packed`] table.
pub fn encode_packed<T: BinRecord>(value: &T) -> Vec<u8> {
    postcard::to_stdvec(value).unwrap_or_default()
}

impl<T: BinRecord> Value for Packed<T> {
    type SelfType<'a>
        = PackedRef<'a, T>
    where
        Self: 'a;
    type AsBytes<'a>
        = &'a [u8]
    where
        Self: 'a;

    fn fixed_width() -> Option<usize> {
        None
    }

    fn from_bytes<'a>(data: &'a [u8]) -> PackedRef<'a, T>
    where
        Self: 'a,
    {
        PackedRef::new(data)
    }

    fn as_bytes<'a, 'b: 'a>(value: &'a PackedRef<'b, T>) -> &'a [u8]
    where
        Self: 'b,
    {
        value.bytes
    }

    fn type_name() -> TypeName {
        TypeName::new(&format!("portico::bin::{}", T::NAME))
    }
}
