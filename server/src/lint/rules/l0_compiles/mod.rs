//! L0 — compiles: findings as you type.

pub mod invalid_encoding;
pub mod syntax_error;
