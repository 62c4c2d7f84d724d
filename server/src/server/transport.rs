//! A guard between stdio and `tower-lsp-server`. Its codec ends the input stream on the first
//! malformed message (invalid JSON, or JSON that is not JSON-RPC), which would end the server:
//! we frame and validate every message here, answer the bad ones ourselves with a JSON-RPC
//! error, and forward only well-formed ones. Output is forwarded frame by frame, so our own
//! error responses never interleave with the server's messages, and nothing but protocol ever
//! reaches stdout.

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc;

/// Messages larger than this are refused rather than buffered (a client bug, or an attack).
const MAX_MESSAGE: usize = 512 * 1024 * 1024;

/// One framed message, or why it could not be read.
enum Frame {
    Body(Vec<u8>),
    BadHeader(String),
}

/// Reads the next `Content-Length`-framed message; `None` at end of input.
async fn read_frame<R: AsyncRead + Unpin>(reader: &mut BufReader<R>) -> Option<Frame> {
    let mut length: Option<usize> = None;
    let mut bad = None;
    let mut saw_header = false;
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line).await {
            Ok(0) | Err(_) => return None,
            Ok(_) => {}
        }
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            if saw_header {
                break;
            }
            continue; // Tolerate blank lines between messages.
        }
        saw_header = true;
        let Some((name, value)) = line.split_once(':') else {
            bad = Some(format!("malformed header line {line:?}"));
            continue;
        };
        if name.trim().eq_ignore_ascii_case("content-length") {
            match value.trim().parse::<usize>() {
                Ok(n) if n <= MAX_MESSAGE => length = Some(n),
                _ => bad = Some(format!("invalid Content-Length {:?}", value.trim())),
            }
        }
    }
    if let Some(problem) = bad {
        return Some(Frame::BadHeader(problem));
    }
    let Some(length) = length else {
        return Some(Frame::BadHeader("missing Content-Length header".into()));
    };
    let mut body = vec![0; length];
    reader.read_exact(&mut body).await.ok()?;
    Some(Frame::Body(body))
}

pub(crate) fn framed(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

fn error_response(id: Value, code: i64, message: String) -> Vec<u8> {
    let response = json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}});
    framed(response.to_string().as_bytes())
}

/// Checks that a body is a JSON-RPC message `tower-lsp-server` accepts (returning a rewritten
/// body when it had to be normalised); else the error response to send back.
fn validate(body: &[u8]) -> Result<Option<Vec<u8>>, Vec<u8>> {
    let mut value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            return Err(error_response(
                Value::Null,
                -32700,
                format!("Parse error: {e}"),
            ));
        }
    };
    let id = value.get("id").cloned();
    // `shutdown` and `exit` take no parameters, and tower-lsp-server rejects the empty ones some
    // clients send (lsp-mode sends `"params": {}`): drop them rather than fail the shutdown.
    let mut rewritten = None;
    if matches!(
        value.get("method").and_then(Value::as_str),
        Some("shutdown" | "exit")
    ) && let Some(object) = value.as_object_mut()
        && object.remove("params").is_some()
    {
        rewritten = serde_json::to_vec(&value).ok();
    }
    let ok = if value.get("method").is_some() {
        serde_json::from_value::<jsonrpc::Request>(value).is_ok()
    } else if id.is_some() {
        serde_json::from_value::<jsonrpc::Response>(value).is_ok()
    } else {
        false
    };
    if ok {
        return Ok(rewritten);
    }
    match id {
        // A broken request gets an answer; a broken notification or response cannot. The id is
        // echoed only when a response can carry it (an integer or a string: LSP's and
        // tower-lsp-server's `Id`); echoing `1.5` or `{}` would make the reply malformed too.
        Some(id) if id.is_i64() || id.is_string() => {
            Err(error_response(id, -32600, "Invalid request".into()))
        }
        _ => Err(error_response(
            Value::Null,
            -32600,
            "Invalid request".into(),
        )),
    }
}

/// What the guard does with one message read from the client.
#[derive(Debug)]
pub enum Guarded {
    /// A well-formed message, framed, for `tower-lsp-server`.
    Forward(Vec<u8>),
    /// A malformed one: the framed JSON-RPC error response sent back to the client instead.
    Reply(Vec<u8>),
}

/// Reads the next message from the client and decides its fate; `None` at end of input. The
/// input pump of [`serve`] is a loop over this, and so is the `lsp_framing` fuzz target.
pub async fn read_guarded<R: AsyncRead + Unpin>(reader: &mut BufReader<R>) -> Option<Guarded> {
    Some(match read_frame(reader).await? {
        Frame::Body(body) => match validate(&body) {
            Ok(rewritten) => Guarded::Forward(framed(&rewritten.unwrap_or(body))),
            Err(reply) => {
                tracing::warn!(
                    "malformed message from the client: {}",
                    String::from_utf8_lossy(&body)
                        .chars()
                        .take(200)
                        .collect::<String>()
                );
                Guarded::Reply(reply)
            }
        },
        Frame::BadHeader(problem) => {
            tracing::warn!("malformed message header from the client: {problem}");
            Guarded::Reply(error_response(
                Value::Null,
                -32700,
                format!("Parse error: {problem}"),
            ))
        }
    })
}

/// Serves `service` over `input`/`output` through the guard.
pub async fn serve<I, O>(
    input: I,
    mut output: O,
    service: tower_lsp_server::LspService<super::Backend>,
    socket: tower_lsp_server::ClientSocket,
) where
    I: AsyncRead + Unpin + Send + 'static,
    O: AsyncWrite + Unpin + Send + 'static,
{
    let (mut to_server, server_in) = tokio::io::duplex(1 << 16);
    let (server_out, from_server) = tokio::io::duplex(1 << 16);
    let (inject, mut injected) = mpsc::unbounded_channel::<Vec<u8>>();
    // Pre-encoded `publishDiagnostics` from the handlers ([`super::outbox`]).
    let mut outbox = service.inner().outbox_receiver();

    let input_pump = tokio::spawn(async move {
        let mut reader = BufReader::new(input);
        while let Some(guarded) = read_guarded(&mut reader).await {
            match guarded {
                Guarded::Forward(message) => {
                    if to_server.write_all(&message).await.is_err() {
                        break;
                    }
                }
                Guarded::Reply(reply) => {
                    let _ = inject.send(reply);
                }
            }
        }
        // End of input: closing our end lets the server finish.
        let _ = to_server.shutdown().await;
    });

    let output_pump = tokio::spawn(async move {
        let mut reader = BufReader::new(from_server);
        loop {
            tokio::select! {
                frame = read_frame(&mut reader) => match frame {
                    Some(Frame::Body(body)) => {
                        if output.write_all(&framed(&body)).await.is_err() { break; }
                        let _ = output.flush().await;
                    }
                    Some(Frame::BadHeader(_)) => {}
                    None => break,
                },
                Some(reply) = injected.recv() => {
                    if output.write_all(&reply).await.is_err() { break; }
                    let _ = output.flush().await;
                }
                Some(message) = async {
                    match outbox.as_mut() {
                        Some(rx) => rx.recv().await,
                        None => std::future::pending().await,
                    }
                } => {
                    if output.write_all(&message).await.is_err() { break; }
                    let _ = output.flush().await;
                }
            }
        }
        let _ = output.flush().await;
    });

    tower_lsp_server::Server::new(server_in, server_out, socket)
        .serve(service)
        .await;
    input_pump.abort();
    let _ = tokio::time::timeout(std::time::Duration::from_millis(500), output_pump).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_answers_broken_messages() {
        assert!(validate(br#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#).is_ok());
        assert!(validate(br#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#).is_ok());
        let shutdown = validate(br#"{"jsonrpc":"2.0","id":3,"method":"shutdown","params":{}}"#)
            .unwrap()
            .unwrap();
        assert_eq!(
            String::from_utf8(shutdown).unwrap(),
            r#"{"id":3,"jsonrpc":"2.0","method":"shutdown"}"#
        );
        let parse = String::from_utf8(validate(b"{bad").unwrap_err()).unwrap();
        assert!(
            parse.contains("-32700") && parse.contains("\"id\":null"),
            "{parse}"
        );
        let invalid =
            String::from_utf8(validate(br#"{"jsonrpc":"2.0","id":7}"#).unwrap_err()).unwrap();
        assert!(
            invalid.contains("-32600") && invalid.contains("\"id\":7"),
            "{invalid}"
        );
        assert!(validate(b"[1,2]").is_err());
    }

    /// Found by the `lsp_framing` fuzz target: a request whose id is not an integer or a
    /// string was answered with that id, which no client can parse as a response either.
    #[test]
    fn replies_carry_only_ids_a_response_can_hold() {
        for (message, id) in [
            (
                r#"{"jsonrpc":"2.0","id":1.5,"method":"x","params":[]}"#,
                Value::Null,
            ),
            (r#"{"jsonrpc":"2.0","id":{"a":1},"method":7}"#, Value::Null),
            (r#"{"jsonrpc":"2.0","id":[1]}"#, Value::Null),
            (r#"{"jsonrpc":"2.0","id":true,"result":1}"#, Value::Null),
            (
                r#"{"jsonrpc":"2.0","id":18446744073709551615}"#,
                Value::Null,
            ),
            (r#"{"jsonrpc":"2.0","id":"a","method":7}"#, json!("a")),
            (r#"{"jsonrpc":"2.0","id":-3,"method":7}"#, json!(-3)),
        ] {
            let reply = validate(message.as_bytes()).unwrap_err();
            let body = &reply[reply.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4..];
            let value: Value = serde_json::from_slice(body).unwrap();
            assert_eq!(value["id"], id, "{message}");
            assert!(
                serde_json::from_value::<jsonrpc::Response>(value).is_ok(),
                "{message}: the reply is not a JSON-RPC response"
            );
        }
    }
}
