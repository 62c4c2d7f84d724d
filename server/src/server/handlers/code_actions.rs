//! Code actions: each diagnostic's precomputed fix (from `Diagnostic.data`, no re-lint), a
//! "Disable CODE for this line" action for every diagnostic, and `source.fixAll.ladder`.

use std::collections::HashMap;
use std::sync::Arc;

use ropey::Rope;
use tower_lsp_server::jsonrpc::Result;

use super::super::convert::{self, DiagnosticData, LspFix};
use super::super::lsp::*;
use super::super::state::State;
use super::diagnostics;
use super::initialize::FIX_ALL_KIND;
use crate::lint::fix::non_overlapping_safe_edits;

fn code_of(d: &Diagnostic) -> Option<&str> {
    match &d.code {
        Some(NumberOrString::String(s)) => Some(s),
        _ => None,
    }
}

fn wants(only: Option<&Vec<CodeActionKind>>, kind: &str) -> bool {
    // A requested kind selects itself and its sub-kinds (`source` selects `source.fixAll.ladder`).
    only.is_none_or(|kinds| {
        kinds
            .iter()
            .any(|k| kind == k.as_str() || kind.starts_with(&format!("{}.", k.as_str())))
    })
}

fn workspace_edit(uri: &Uri, edits: Vec<TextEdit>) -> WorkspaceEdit {
    WorkspaceEdit {
        changes: Some(HashMap::from([(uri.clone(), edits)])),
        ..Default::default()
    }
}

pub async fn code_action(
    state: &Arc<State>,
    params: CodeActionParams,
) -> Result<Option<CodeActionResponse>> {
    let uri = params.text_document.uri;
    let Some(open) = state.doc(&uri) else {
        return Ok(None);
    };
    let Some(result) = diagnostics::lint_open(state, &uri, &open).await else {
        return Ok(None);
    };
    let only = params.context.only.as_ref();
    let enc = state.session().encoding;
    let mut actions = Vec::new();

    // Editors ask on every cursor move, mostly with no diagnostic under the cursor.
    if wants(only, CodeActionKind::QUICKFIX.as_str()) && !params.context.diagnostics.is_empty() {
        let (gates, _) = diagnostics::gate_diagnostics(state, &uri, &result);
        let current: Vec<&Diagnostic> = result
            .diagnostics
            .iter()
            .map(|d| &**d)
            .chain(&gates)
            .collect();
        for diag in params
            .context
            .diagnostics
            .iter()
            .filter(|d| matches!(d.source.as_deref(), Some("ladder" | "mix" | "credo")))
        {
            let Some(code) = code_of(diag) else { continue };
            // The rule's own fix is the preferred action; alternatives follow it.
            for (i, fix) in current_fixes(diag, code, &current).into_iter().enumerate() {
                actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: fix.title.clone(),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![diag.clone()]),
                    edit: Some(workspace_edit(&uri, fix.edits)),
                    is_preferred: (i == 0).then_some(true),
                    ..Default::default()
                }));
            }
            // Suppression comments silence native rules; gate findings come from the tools.
            if code != "unused-suppression" && diag.source.as_deref() == Some("ladder") {
                let edit = suppress_edit(&result.rope, diag.range.start.line as usize, code, enc);
                actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: format!("Disable {code} for this line"),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![diag.clone()]),
                    edit: Some(workspace_edit(&uri, vec![edit])),
                    ..Default::default()
                }));
            }
        }
    }

    // Offered on request (`source.fixAll.ladder`, fix on save) and in menus that ask for every
    // kind (Helix, Neovim); VS Code keeps source actions out of its lightbulb.
    if wants(only, FIX_ALL_KIND) {
        let edits: Vec<TextEdit> = non_overlapping_safe_edits(&result.findings)
            .iter()
            .map(|e| TextEdit {
                range: convert::range(&result.rope, &e.range, enc),
                new_text: e.new_text.clone(),
            })
            .collect();
        if !edits.is_empty() {
            actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: "Fix all safe ladder findings".to_string(),
                kind: Some(CodeActionKind::new(FIX_ALL_KIND)),
                edit: Some(workspace_edit(&uri, edits)),
                ..Default::default()
            }));
        }
    }
    Ok(Some(actions))
}

/// The fixes of a client's diagnostic (main fix first), valid for the current text: those of
/// the current diagnostic (`current`: the lint's and the gates') of the same source with the same code and the
/// same `data` — its fixes' edits name their places, so equal data is a fix computed for this
/// text — else with the same code and range (clients that drop `data`, or stale diagnostics).
fn current_fixes(diag: &Diagnostic, code: &str, current: &[&Diagnostic]) -> Vec<LspFix> {
    let same_code = || {
        current
            .iter()
            .copied()
            .filter(|d| code_of(d) == Some(code) && d.source == diag.source)
    };
    let same_data = || same_code().filter(|d| diag.data.is_some() && d.data == diag.data);
    let found = same_data()
        .find(|d| d.range == diag.range)
        .or_else(|| same_data().next())
        .or_else(|| same_code().find(|d| d.range == diag.range))
        .or_else(|| {
            // Same code on the same line (clients such as Neovim 0.7 send back columns in
            // another encoding), the closest start first.
            same_code()
                .filter(|d| d.range.start.line == diag.range.start.line)
                .min_by_key(|d| d.range.start.character.abs_diff(diag.range.start.character))
        });
    let data = found
        .and_then(|d| d.data.clone())
        .and_then(|v| serde_json::from_value::<DiagnosticData>(v).ok());
    data.map(|d| d.fix.into_iter().chain(d.alternatives).collect())
        .unwrap_or_default()
}

/// Inserts `# ladder:disable-next-line CODE` above `line` with its indentation, or adds the
/// code to such a comment already there.
fn suppress_edit(
    rope: &Rope,
    line: usize,
    code: &str,
    enc: crate::document::PositionEncoding,
) -> TextEdit {
    let line = line.min(rope.len_lines().saturating_sub(1));
    let text = rope.line(line).to_string();
    let indent: String = text
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let newline = if text.ends_with("\r\n") { "\r\n" } else { "\n" };
    if line > 0 {
        let above = rope.line(line - 1).to_string();
        let body = above.trim_end_matches(['\r', '\n']);
        if let Some(codes) = body
            .trim_start()
            .strip_prefix("# ladder:disable-next-line ")
        {
            let start = rope.line_to_byte(line - 1) + (body.len() - body.trim_start().len());
            let end = rope.line_to_byte(line - 1) + body.len();
            let new_text = format!("# ladder:disable-next-line {}, {code}", codes.trim());
            return TextEdit {
                range: convert::range(rope, &(start..end), enc),
                new_text,
            };
        }
    }
    let at = rope.line_to_byte(line);
    TextEdit {
        range: convert::range(rope, &(at..at), enc),
        new_text: format!("{indent}# ladder:disable-next-line {code}{newline}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::PositionEncoding;

    #[test]
    fn suppression_goes_above_with_indentation_or_extends_a_comment() {
        let rope = Rope::from_str("def f do\n  IO.inspect(1)\nend\n");
        let e = suppress_edit(&rope, 1, "io-inspect", PositionEncoding::Utf16);
        assert_eq!(e.new_text, "  # ladder:disable-next-line io-inspect\n");
        assert_eq!(
            e.range.start,
            Position {
                line: 1,
                character: 0
            }
        );
        let rope = Rope::from_str("  # ladder:disable-next-line dbg-call\r\n  IO.inspect(1)\r\n");
        let e = suppress_edit(&rope, 1, "io-inspect", PositionEncoding::Utf16);
        assert_eq!(
            e.new_text,
            "# ladder:disable-next-line dbg-call, io-inspect"
        );
        assert_eq!((e.range.start.character, e.range.end.character), (2, 37));
    }

    #[test]
    fn only_filter_selects_kinds_and_subkinds() {
        let source = vec![CodeActionKind::SOURCE];
        assert!(wants(Some(&source), FIX_ALL_KIND));
        assert!(!wants(Some(&source), "quickfix"));
        assert!(wants(None, "quickfix"));
    }
}
