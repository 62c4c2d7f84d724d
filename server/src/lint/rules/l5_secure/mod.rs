//! L5 — secure: OWASP-class findings (injection, XSS, atoms, deserialization, secrets, timing
//! attacks, TLS). The rules that say "fed from params" share one data flow
//! ([`crate::lint::analysis::taint`]); secret-looking names are judged by [`secret_names`].

pub mod code_eval;
pub mod command_injection;
pub mod hardcoded_secret;
pub mod insecure_ssl;
pub mod logged_secret;
pub mod mass_assignment;
pub mod open_redirect;
pub mod path_traversal;
pub mod raw_html;
pub mod secret_names;
pub mod sql_injection;
pub mod timing_attack;
pub mod unsafe_atom;
pub mod unsafe_deserialization;
pub mod xss_send_resp;
