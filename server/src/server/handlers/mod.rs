//! One module per group of LSP methods.

pub mod code_actions;
pub mod code_lens;
pub mod commands;
pub mod diagnostics;
pub mod documents;
pub mod formatting;
pub mod gates;
pub mod hover;
pub mod initialize;
pub mod project;
pub mod workspace;
