//! L5 — secure: OWASP-class findings (injection, XSS, atoms, deserialization, secrets, timing
//! attacks, TLS, CSRF, headers, WebSocket origins, HTTPS, changesets). The rules that say "fed
//! from params" share one data flow ([`crate::lint::analysis::taint`]); secret-looking names are
//! judged by [`secret_names`], routers read by [`router`], config scripts by [`config_scripts`].

pub mod code_eval;
pub mod command_injection;
pub mod config_scripts;
pub mod hardcoded_secret;
pub mod insecure_ssl;
pub mod logged_secret;
pub mod mass_assignment;
pub mod missing_csrf_protection;
pub mod missing_force_ssl;
pub mod missing_secure_headers;
pub mod open_redirect;
pub mod path_traversal;
pub mod raw_html;
pub mod router;
pub mod secret_names;
pub mod sql_injection;
pub mod timing_attack;
pub mod unsafe_atom;
pub mod unsafe_deserialization;
pub mod unvalidated_changeset;
pub mod websocket_origin_unchecked;
pub mod xss_send_resp;
