//! L2 — static analysis: Credo-class checks.

pub mod io_inspect;
