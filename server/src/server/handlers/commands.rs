//! `workspace/executeCommand`.

use std::sync::Arc;

use serde_json::{Value, json};
use tower_lsp_server::jsonrpc::{Error, Result};

use super::super::lsp::*;
use super::super::state::State;
use super::code_lens::title;
use super::diagnostics;
use crate::lint::LevelReport;
use crate::mix::gates::Gate;

/// `ladder.showLevel [uri, {"notify": bool}]`: the file's level and next blockers, shown as a
/// message too when `notify` is true (the code lens asks for that).
pub const SHOW_LEVEL: &str = "ladder.showLevel";

/// `ladder.runGates [uri]`: run the L0–L3 mix gates of the file's project (or every project).
pub const RUN_GATES: &str = "ladder.runGates";

/// `ladder.runTests [uri]`: run `mix test` only.
pub const RUN_TESTS: &str = "ladder.runTests";

/// Every command the server executes.
pub const COMMANDS: &[&str] = &[SHOW_LEVEL, RUN_GATES, RUN_TESTS];

pub async fn execute(state: &Arc<State>, params: ExecuteCommandParams) -> Result<Option<LSPAny>> {
    match params.command.as_str() {
        SHOW_LEVEL => show_level(state, &params.arguments).await.map(Some),
        RUN_GATES | RUN_TESTS => {
            let gates = if params.command == RUN_TESTS {
                vec![Gate::Test]
            } else {
                Gate::ALL.to_vec()
            };
            let uri: Option<Uri> = params
                .arguments
                .first()
                .and_then(Value::as_str)
                .and_then(|s| s.parse().ok());
            match super::gates::run_command(state, uri.as_ref(), gates) {
                Ok(roots) => Ok(Some(
                    json!({"started": roots.iter().map(|r| r.display().to_string()).collect::<Vec<_>>()}),
                )),
                Err(message) => Err(Error {
                    code: tower_lsp_server::jsonrpc::ErrorCode::InvalidRequest,
                    message: message.into(),
                    data: None,
                }),
            }
        }
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
    let (findings, verified) = super::code_lens::level_findings(state, &uri, &result, None);
    let report = LevelReport::against(&findings, result.target);
    let message = title(&report, verified);
    // A click on the code lens asks to be told (`{"notify": true}`); status bars polling the
    // level must not pop up a message each time.
    let notify = args
        .get(1)
        .and_then(|o| o.get("notify"))
        .and_then(Value::as_bool)
        == Some(true);
    if notify {
        let st = state.clone();
        let shown = message.clone();
        tokio::spawn(async move { st.client.show_message(MessageType::INFO, shown).await });
    }
    Ok(json!({
        "uri": uri.as_str(),
        "level": report.level,
        "label": report.label(),
        "next": report.next_summary(),
        "target": report.target,
        "targetBlockers": report.target_blockers,
        "reachesTarget": report.reaches_target(),
        "headline": report.headline(),
        "gatesVerified": verified,
        "title": message,
    }))
}
