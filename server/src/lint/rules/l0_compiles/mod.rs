//! L0 — compiles: findings as you type.

pub mod syntax_error;
