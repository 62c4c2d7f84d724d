//! L5 — secure: OWASP-class checks (injection, secrets, timing attacks, deserialization, TLS).

pub mod hardcoded_secret;
pub mod insecure_ssl;
pub mod logged_secret;
pub mod secret_names;
pub mod timing_attack;
pub mod unsafe_deserialization;
