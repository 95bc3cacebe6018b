//! Demo seed.
