//! L2 — static analysis: Credo-class checks.

pub mod deep_nesting;
pub mod function_name;
pub mod high_complexity;
pub mod io_inspect;
pub mod module_name;
pub mod predicate_name;
pub mod too_many_params;
pub mod variable_name;
