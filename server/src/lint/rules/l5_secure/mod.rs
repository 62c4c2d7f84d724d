//! L5 — secure: OWASP-class findings. The rules that say "fed from params" share one data flow
//! ([`crate::lint::analysis::taint`]).

pub mod code_eval;
pub mod command_injection;
pub mod mass_assignment;
pub mod open_redirect;
pub mod path_traversal;
pub mod raw_html;
pub mod sql_injection;
pub mod unsafe_atom;
pub mod xss_send_resp;
