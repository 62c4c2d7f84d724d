//! L6 — observable: telemetry and supervision.

pub mod missing_telemetry_setup;
