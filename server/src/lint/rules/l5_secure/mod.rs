//! L5 — secure: OWASP-class rules (CSRF, headers, WebSocket origins, HTTPS, changesets…).

pub mod config_scripts;
pub mod missing_csrf_protection;
pub mod missing_force_ssl;
pub mod missing_secure_headers;
pub mod router;
pub mod unvalidated_changeset;
pub mod websocket_origin_unchecked;
