//! The LSP types, from one place: a change of `tower-lsp-server` version (0.24 switches to
//! generated LSP 3.18 types) touches this module only.

pub use tower_lsp_server::ls_types::*;
