//! The transport guard between the client's byte stream and `tower-lsp-server`, on arbitrary
//! bytes: `read_guarded` is the loop body of the binary's input pump (framing by
//! `Content-Length`, JSON-RPC validation, error replies). Checks:
//! - it ends (the input is finite; every call consumes input or reports its end);
//! - every forwarded message is one `Content-Length` frame whose body `tower-lsp-server`'s
//!   JSON-RPC types accept (a request/notification or a response), so the server's codec can
//!   never end the session on it; reading the forwarded frame again forwards it unchanged;
//! - every reply is one frame holding a JSON-RPC 2.0 error (parse error or invalid request).

#![no_main]

use ladder_ls::server::transport::{Guarded, read_guarded};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use tokio::io::BufReader;
use tower_lsp_server::jsonrpc;

/// The body of a frame this guard wrote: `Content-Length: N\r\n\r\n` then exactly N bytes.
fn body_of(frame: &[u8]) -> &[u8] {
    let split = frame
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a frame has a header");
    let header = std::str::from_utf8(&frame[..split]).expect("ASCII header");
    let length: usize = header
        .strip_prefix("Content-Length: ")
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("bad header {header:?}"));
    let body = &frame[split + 4..];
    assert_eq!(body.len(), length, "Content-Length disagrees with the body");
    body
}

fn guard_all(runtime: &tokio::runtime::Runtime, input: &[u8]) -> Vec<Guarded> {
    runtime.block_on(async {
        let mut reader = BufReader::new(input);
        let mut out = Vec::new();
        while let Some(guarded) = read_guarded(&mut reader).await {
            out.push(guarded);
        }
        out
    })
}

fuzz_target!(|data: &[u8]| {
    thread_local! {
        static RUNTIME: tokio::runtime::Runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a current-thread runtime");
    }
    RUNTIME.with(|runtime| {
        for guarded in guard_all(runtime, data) {
            match guarded {
                Guarded::Forward(frame) => {
                    let body = body_of(&frame);
                    let value: Value = serde_json::from_slice(body).expect("forwarded JSON");
                    let accepted = if value.get("method").is_some() {
                        serde_json::from_value::<jsonrpc::Request>(value).is_ok()
                    } else {
                        serde_json::from_value::<jsonrpc::Response>(value).is_ok()
                    };
                    assert!(accepted, "forwarded {:?}", String::from_utf8_lossy(body));
                    // What was forwarded passes the guard again unchanged.
                    match guard_all(runtime, &frame).as_slice() {
                        [Guarded::Forward(again)] => assert_eq!(again, &frame),
                        other => panic!("re-reading a forwarded frame gave {other:?}"),
                    }
                }
                Guarded::Reply(frame) => {
                    let reply: Value =
                        serde_json::from_slice(body_of(&frame)).expect("reply is JSON");
                    assert_eq!(reply["jsonrpc"], "2.0");
                    let code = reply["error"]["code"].as_i64();
                    assert!(
                        matches!(code, Some(-32700 | -32600)),
                        "unexpected reply {reply}"
                    );
                    assert!(
                        serde_json::from_value::<jsonrpc::Response>(reply.clone()).is_ok(),
                        "reply {reply} is not a JSON-RPC response"
                    );
                }
            }
        }
    });
});
