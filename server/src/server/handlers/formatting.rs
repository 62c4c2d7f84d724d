//! `textDocument/formatting` through `mix format --stdin-filename FILE -` (when the mix gates
//! are enabled: `mix format` loads the project's `.formatter.exs` and its plugins). The result
//! is the changed lines only, so the cursor and undo history stay put elsewhere.

use std::sync::Arc;
use std::time::Duration;

use tower_lsp_server::jsonrpc::{Error, Result};

use super::super::convert;
use super::super::lsp::*;
use super::super::state::State;
use super::gates::gate_root;
use crate::mix::diff::diff_lines;
use crate::mix::gates::{GateSettings, format_text};
use crate::workspace;

pub async fn formatting(
    state: &Arc<State>,
    params: DocumentFormattingParams,
) -> Result<Option<Vec<TextEdit>>> {
    let uri = params.text_document.uri;
    let Some(open) = state.doc(&uri) else {
        return Ok(None);
    };
    let Some(path) = open.target.path.clone() else {
        return Ok(None);
    };
    let Some(root) = gate_root(&path) else {
        return Ok(None);
    };
    let config = state.config_for(Some(&path));
    if config.mix.enabled != Some(true) {
        return Err(request_error(
            "formatting runs `mix format`, and the mix gates are off (setting `mix.enabled`)",
        ));
    }
    // Only the text: formatting needs no parse.
    let (rope, version) = {
        let doc = open.lock();
        (doc.rope().clone(), doc.version())
    };
    let text = rope.to_string();
    let mut settings = GateSettings::from_config(&config.mix);
    settings.timeout = settings.timeout.min(Duration::from_secs(30));
    let rel = workspace::relative_slash(&path, &root);
    let cancel = state.shutdown.child_token();
    let formatted = match format_text(&root, &settings, &rel, &text, &cancel).await {
        Ok(Some(formatted)) => formatted,
        // A syntax error: nothing to format (the `syntax-error` diagnostic says why).
        Ok(None) => return Ok(None),
        Err(e) => return Err(request_error(&e.to_string())),
    };
    if open.lock().version() != version {
        return Ok(None); // Edited meanwhile: these edits would apply to other text.
    }
    let old: Vec<&str> = text.split_inclusive('\n').collect();
    let new: Vec<&str> = formatted.split_inclusive('\n').collect();
    let enc = state.session().encoding;
    let line_byte = |line: usize| {
        if line >= rope.len_lines() {
            rope.len_bytes()
        } else {
            rope.line_to_byte(line)
        }
    };
    let edits = diff_lines(&old, &new)
        .into_iter()
        .map(|h| TextEdit {
            range: convert::range(&rope, &(line_byte(h.old.start)..line_byte(h.old.end)), enc),
            new_text: new[h.new].concat(),
        })
        .collect();
    Ok(Some(edits))
}

fn request_error(message: &str) -> Error {
    Error {
        code: tower_lsp_server::jsonrpc::ErrorCode::InvalidRequest,
        message: message.to_string().into(),
        data: None,
    }
}
