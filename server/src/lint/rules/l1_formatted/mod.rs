//! L1 — formatted.

pub mod trailing_whitespace;
