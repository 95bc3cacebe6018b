//! Portal HTTP.
