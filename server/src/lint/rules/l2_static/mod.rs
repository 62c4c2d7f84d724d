//! L2 — static analysis: Credo-class checks.

pub mod compile_time_env;
pub mod config_in_module_attribute;
pub mod io_inspect;
pub mod mix_env_at_runtime;
pub mod query_in_loop;
