//! Meta: rules about suppressions and configuration.

pub mod invalid_config;
pub mod unused_suppression;
