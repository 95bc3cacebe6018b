//! Parsers of switch CDR formats.
