//! ladder-ls: a language server and linter that shows how production-ready Elixir code is.
//!
//! The core (`document`, `syntax`, `lint`, `project`, `config`, `workspace`) is pure and shared by the
//! language server (`server`) and the command line (`cli`).

pub mod cli;
pub mod config;
pub mod document;
pub mod lint;
pub mod mix;
pub mod project;
pub mod server;
pub mod syntax;
pub mod types;
pub mod workspace;
