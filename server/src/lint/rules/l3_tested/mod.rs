//! L3 — tested: what the project's tests cover.

pub mod missing_test_file;
