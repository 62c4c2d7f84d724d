//! Type inference for `@spec` and `@type` stubs: argument types from patterns, guards and
//! defaults; return types from what function bodies obviously return; rendering formatted as
//! `mix format` writes it.

pub mod format;
pub mod infer;
pub mod ty;

pub use format::format_spec;
pub use infer::{InferredSpec, infer_function_spec};
pub use ty::Ty;
