//! L6 — observable: what happens in production can be seen. (`missing-telemetry-setup` needs
//! the project index and lives with it.)

mod module_calls;
pub mod unsupervised_process;
pub mod untraced_external_call;
