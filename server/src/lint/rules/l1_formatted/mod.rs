//! L1 — formatted.

pub mod line_too_long;
pub mod trailing_whitespace;
