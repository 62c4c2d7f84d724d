//! `workspace/executeCommand`.

use std::sync::Arc;

use serde_json::{Value, json};
use tower_lsp_server::jsonrpc::{Error, Result};

use super::super::lsp::*;
use super::super::state::State;
use super::code_lens::title;
use super::diagnostics;
use crate::lint::LevelReport;

/// `ladder.showLevel [uri]`: the file's level and next blockers, also shown as a message.
pub const SHOW_LEVEL: &str = "ladder.showLevel";

/// Every command the server executes.
pub const COMMANDS: &[&str] = &[SHOW_LEVEL];

pub async fn execute(state: &Arc<State>, params: ExecuteCommandParams) -> Result<Option<LSPAny>> {
    match params.command.as_str() {
        SHOW_LEVEL => show_level(state, &params.arguments).await.map(Some),
        other => Err(Error::invalid_params(format!("unknown command `{other}`"))),
    }
}

async fn show_level(state: &Arc<State>, args: &[Value]) -> Result<Value> {
    let uri: Uri = args
        .first()
        .and_then(Value::as_str)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| Error::invalid_params("expected the document URI as the first argument"))?;
    let result = match state.doc(&uri) {
        Some(open) => diagnostics::lint_open(state, &uri, &open).await,
        None => state.closed.get(&uri).map(|r| r.value().clone()),
    };
    let Some(result) = result else {
        return Err(Error::invalid_params(format!(
            "no lint result for {}",
            uri.as_str()
        )));
    };
    let report = LevelReport::of(&result.findings);
    let message = title(&report);
    let st = state.clone();
    let shown = message.clone();
    tokio::spawn(async move { st.client.show_message(MessageType::INFO, shown).await });
    Ok(json!({
        "uri": uri.as_str(),
        "level": report.level,
        "label": report.label(),
        "next": report.next_summary(),
        "gatesVerified": false,
        "title": message,
    }))
}
