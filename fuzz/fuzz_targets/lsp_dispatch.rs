//! A whole LSP session on arbitrary bytes, through the path the binary serves: the transport
//! guard (`server::transport::serve`), `tower-lsp-server`'s codec and router, and the real
//! `Backend` (`server::service`), with its output drained. Checks: no panic, and the session
//! ends when the input does (every request answered, no task waiting forever): it runs on a
//! current-thread runtime whose clock is paused (timers, debounces and client timeouts elapse
//! at once), under a virtual-time limit.
//!
//! Only messages that stay inside the process are let through: the guard's framing is applied
//! first (as the input pump does) and frames whose method could start a workspace scan, a mix
//! process or a formatter on the fuzzing machine (`initialized`, `didSave`, `formatting`,
//! `workspace/*`, `executeCommand`…) are dropped before the session sees the bytes.

#![no_main]

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use ladder_ls::server::transport::{Guarded, read_guarded};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use tokio::io::BufReader;

/// Methods whose handlers only touch the documents sent in the session.
const ALLOWED: &[&str] = &[
    "initialize",
    "shutdown",
    "exit",
    "textDocument/didOpen",
    "textDocument/didChange",
    "textDocument/didClose",
    "textDocument/hover",
    "textDocument/codeAction",
    "textDocument/codeLens",
    "textDocument/diagnostic",
    "$/cancelRequest",
    "window/workDoneProgress/cancel",
];

/// The frames of `input` the guard forwards, minus those that would leave the process.
async fn session_bytes(input: &[u8]) -> Vec<u8> {
    let mut reader = BufReader::new(input);
    let mut out = Vec::new();
    while let Some(guarded) = read_guarded(&mut reader).await {
        let Guarded::Forward(frame) = guarded else {
            continue;
        };
        let Some(split) = frame.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let Ok(value) = serde_json::from_slice::<Value>(&frame[split + 4..]) else {
            continue;
        };
        let allowed = match value.get("method").and_then(Value::as_str) {
            // Responses to the server's own requests.
            None => true,
            Some(method) => ALLOWED.contains(&method),
        };
        if allowed {
            out.extend_from_slice(&frame);
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("a current-thread runtime");
    runtime.block_on(async {
        let bytes = session_bytes(data).await;
        let (service, socket) = ladder_ls::server::service(Arc::new(AtomicBool::new(false)));
        let session = ladder_ls::server::transport::serve(
            std::io::Cursor::new(bytes),
            tokio::io::sink(),
            service,
            socket,
        );
        // Virtual time: an hour of it passes in no time unless a task really hangs.
        if tokio::time::timeout(Duration::from_secs(3600), session)
            .await
            .is_err()
        {
            panic!("the session did not end after its input did");
        }
    });
    runtime.shutdown_background();
});
