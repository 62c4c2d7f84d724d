//! `textDocument/publishDiagnostics` written by the transport from diagnostics encoded once.
//!
//! tower-lsp's client turns a notification's parameters into a `serde_json::Value` tree and
//! then into text: for a file with 310 findings that was 3–4 ms per keystroke, for
//! diagnostics that were almost all the same as the last keystroke's. Here each diagnostic is
//! encoded on the lint's thread, reusing the last lint's bytes for those that did not change
//! ([`encode`]), and the notification is assembled from them and handed to the transport's
//! output ([`Outbox::publish`]), which writes it between tower-lsp's own messages.
//!
//! Every `publishDiagnostics` goes through the outbox once the transport has taken its
//! receiving end: publications of one document are ordered by its publication lock, and two
//! queues to the output could let an older one overtake a newer one.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::mpsc;

use super::lsp::{Diagnostic, Uri};

/// One diagnostic as JSON (shared: a lint reuses the last one's).
pub type Encoded = std::sync::Arc<[u8]>;

/// The sending end of the transport's output for pre-encoded messages.
pub struct Outbox {
    tx: mpsc::UnboundedSender<Vec<u8>>,
    rx: Mutex<Option<mpsc::UnboundedReceiver<Vec<u8>>>>,
    /// Whether a transport took the receiving end (else messages go through tower-lsp).
    live: AtomicBool,
}

impl Default for Outbox {
    fn default() -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        Outbox {
            tx,
            rx: Mutex::new(Some(rx)),
            live: AtomicBool::new(false),
        }
    }
}

impl Outbox {
    /// The receiving end, for the transport that writes to the client (once).
    pub fn take_receiver(&self) -> Option<mpsc::UnboundedReceiver<Vec<u8>>> {
        let rx = self.rx.lock().unwrap_or_else(|e| e.into_inner()).take();
        if rx.is_some() {
            self.live.store(true, Ordering::Release);
        }
        rx
    }

    /// Whether a transport writes what is sent here.
    pub fn is_live(&self) -> bool {
        self.live.load(Ordering::Acquire)
    }

    /// Sends `publishDiagnostics` for `uri` made of `diagnostics` (each already JSON), framed.
    /// `false` when no transport takes it.
    pub fn publish(&self, uri: &Uri, diagnostics: &[&[u8]], version: Option<i32>) -> bool {
        if !self.is_live() {
            return false;
        }
        let body = notification(uri, diagnostics, version);
        self.tx.send(super::transport::framed(&body)).is_ok()
    }
}

/// The notification's body: what tower-lsp would write for the same parameters.
fn notification(uri: &Uri, diagnostics: &[&[u8]], version: Option<i32>) -> Vec<u8> {
    let size: usize = diagnostics.iter().map(|d| d.len() + 1).sum();
    let mut body = Vec::with_capacity(size + 160);
    body.extend_from_slice(
        br#"{"jsonrpc":"2.0","method":"textDocument/publishDiagnostics","params":{"uri":"#,
    );
    // A URI is a string: its encoding cannot fail.
    let _ = serde_json::to_writer(&mut body, uri.as_str());
    body.extend_from_slice(br#","diagnostics":["#);
    for (i, d) in diagnostics.iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        body.extend_from_slice(d);
    }
    body.push(b']');
    if let Some(v) = version {
        body.extend_from_slice(format!(r#","version":{v}"#).as_bytes());
    }
    body.extend_from_slice(b"}}");
    body
}

/// One diagnostic's JSON.
pub fn encode_one(d: &Diagnostic) -> Encoded {
    // Diagnostics hold strings, numbers and JSON values only: encoding cannot fail.
    serde_json::to_vec(d).unwrap_or_default().into()
}

/// Each of `now` encoded, reusing the last lint's encoding of the diagnostics it kept
/// unchanged: `reusable` gives, for each of `now`, the index of the equal diagnostic of the
/// last lint ([`super::state::LintResult::unchanged`]), and that lint's encodings.
pub fn encode<D: std::borrow::Borrow<Diagnostic>>(
    now: &[D],
    reusable: Option<(&[Option<u32>], &[Encoded])>,
) -> Vec<Encoded> {
    now.iter()
        .enumerate()
        .map(|(i, d)| {
            reusable
                .and_then(|(unchanged, encoded)| encoded.get((*unchanged.get(i)?)? as usize))
                .cloned()
                .unwrap_or_else(|| encode_one(d.borrow()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::lsp::{DiagnosticSeverity, NumberOrString, Position, Range};

    fn diagnostic(line: u32, message: &str) -> Diagnostic {
        Diagnostic {
            range: Range::new(Position::new(line, 2), Position::new(line, 9)),
            severity: Some(DiagnosticSeverity::WARNING),
            code: Some(NumberOrString::String("io-inspect".into())),
            source: Some("ladder".into()),
            message: message.into(),
            data: Some(serde_json::json!({"level": 2, "fixes": [{"title": "Remove \"it\""}]})),
            ..Diagnostic::default()
        }
    }

    #[test]
    fn the_notification_is_what_tower_lsp_would_send() {
        let uri: Uri = "file:///p/lib/a%20b.ex".parse().unwrap();
        let diagnostics = vec![
            diagnostic(1, "one"),
            diagnostic(4, "two \u{1F389} \"quoted\""),
        ];
        let encoded = encode(&diagnostics, None);
        let parts: Vec<&[u8]> = encoded.iter().map(|e| &e[..]).collect();
        for version in [Some(7), None] {
            let ours: serde_json::Value =
                serde_json::from_slice(&notification(&uri, &parts, version)).unwrap();
            let params = crate::server::lsp::PublishDiagnosticsParams::new(
                uri.clone(),
                diagnostics.clone(),
                version,
            );
            let theirs = serde_json::json!({
                "jsonrpc": "2.0",
                "method": "textDocument/publishDiagnostics",
                "params": params,
            });
            assert_eq!(ours, theirs);
        }
        let empty: serde_json::Value =
            serde_json::from_slice(&notification(&uri, &[], None)).unwrap();
        assert_eq!(empty["params"]["diagnostics"], serde_json::json!([]));
    }

    #[test]
    fn unchanged_diagnostics_keep_their_encoding_and_changed_ones_get_a_new_one() {
        let before = vec![diagnostic(1, "a"), diagnostic(2, "b"), diagnostic(3, "c")];
        let before_encoded = encode(&before, None);
        // One inserted before `b`, `c` changed (moved a line down): `a` and `b` are kept.
        let now = vec![
            diagnostic(1, "a"),
            diagnostic(1, "new"),
            diagnostic(2, "b"),
            diagnostic(4, "c"),
        ];
        let unchanged = [Some(0), None, Some(1), None];
        let encoded = encode(&now, Some((&unchanged, &before_encoded)));
        for (d, e) in now.iter().zip(&encoded) {
            assert_eq!(&encode_one(d), e);
        }
        // The reused ones are the very same bytes, not encoded again.
        assert!(std::ptr::eq(
            encoded[0].as_ptr(),
            before_encoded[0].as_ptr()
        ));
        assert!(std::ptr::eq(
            encoded[2].as_ptr(),
            before_encoded[1].as_ptr()
        ));
        assert!(!std::ptr::eq(
            encoded[3].as_ptr(),
            before_encoded[2].as_ptr()
        ));
    }
}
