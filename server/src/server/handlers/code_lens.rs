//! A code lens on each `defmodule`: where it stands against the file's target and the next rung,
//! `Ladder L2 → target L3: 2 blockers · next: L3 — 2 missing-test-file`.

use std::sync::Arc;

use tower_lsp_server::jsonrpc::Result;

use super::super::convert;
use super::super::lsp::*;
use super::super::state::{LintResult, State};
use super::commands::SHOW_LEVEL;
use super::diagnostics;
use crate::lint::Finding;
use crate::lint::LevelReport;
use crate::syntax::elixir;

/// What the lens says about L0–L3 until the mix gates run.
pub const GATES_NOTE: &str = "L0–L3 not verified";

/// The lens title of a set of findings.
pub fn title(report: &LevelReport, verified: bool) -> String {
    let note = if verified {
        String::new()
    } else {
        format!(" · {GATES_NOTE}")
    };
    let head = report.headline();
    match report.next_summary() {
        Some(next) => format!("{head} · {next}{note}"),
        None if verified => format!("{head} · every rung passes"),
        None => format!("{head} · every native rung passes{note}"),
    }
}

/// The findings that count for levels in a document: its lint and the current mix gate
/// findings (those within `span`, when given), and whether the gates verified L0–L3.
pub fn level_findings(
    state: &State,
    uri: &Uri,
    result: &LintResult,
    span: Option<std::ops::Range<usize>>,
) -> (Vec<Finding>, bool) {
    let (gate_findings, _) = super::gates::findings_for(state, uri, result.version);
    let mut all: Vec<Finding> = result.findings.clone();
    all.extend(gate_findings.iter().map(|g| g.to_finding(&result.rope)));
    if let Some(span) = span {
        all.retain(|f| span.contains(&f.range.start));
    }
    (all, super::gates::verified(state, uri))
}

pub async fn code_lens(
    state: &Arc<State>,
    params: CodeLensParams,
) -> Result<Option<Vec<CodeLens>>> {
    let uri = params.text_document.uri;
    let Some(open) = state.doc(&uri) else {
        return Ok(None);
    };
    let Some(result) = diagnostics::lint_open(state, &uri, &open).await else {
        return Ok(None);
    };
    // Not parsed yet: edited since the lint, whose lenses would be of other text.
    let Ok(snapshot) = open.lock().snapshot_or_job() else {
        return Ok(None);
    };
    if Some(snapshot.version) != result.version {
        return Ok(None);
    }
    let text = snapshot.text();
    let enc = state.session().encoding;
    let lenses = elixir::modules(snapshot.tree.root_node(), text)
        .into_iter()
        .map(|module| {
            let (inside, verified) =
                level_findings(state, &uri, &result, Some(module.node.byte_range()));
            let report = LevelReport::against(&inside, result.target);
            CodeLens {
                range: convert::range(
                    &snapshot.rope,
                    &(module.node.start_byte()..module.name_node.end_byte()),
                    enc,
                ),
                command: Some(Command {
                    title: title(&report, verified),
                    command: SHOW_LEVEL.to_string(),
                    arguments: Some(vec![
                        serde_json::Value::String(uri.as_str().to_string()),
                        serde_json::json!({"notify": true}),
                    ]),
                }),
                data: None,
            }
        })
        .collect();
    Ok(Some(lenses))
}
