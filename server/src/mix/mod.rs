//! The slow rungs (L0–L3) from the project's own tools, run in the background: `mix compile`,
//! `mix format`, Credo and `mix test`. Off unless enabled: running `mix` executes the project's
//! code.
//!
//! - [`runner`] spawns `mix` in its own process group and kills the whole group on cancel,
//!   timeout and shutdown;
//! - [`parse`] turns what mix prints (Elixir 1.14 through 1.18 formats) into [`GateFinding`]s;
//! - [`gates`] runs the gate sequence for one Mix project.

pub mod diff;
pub mod finding;
pub mod gates;
pub mod parse;
pub mod runner;

pub use finding::GateFinding;
pub use gates::{Gate, GateReport};
