//! Conversions between the core's byte offsets and LSP positions, and from findings to LSP
//! diagnostics (with their fix precomputed in `data`, so code actions need no re-lint).

use std::ops::Range as ByteRange;

use ropey::Rope;
use serde::{Deserialize, Serialize};

use super::lsp::{self, Diagnostic, DiagnosticSeverity, NumberOrString, Position, TextEdit};
use crate::config::AboveTarget;
use crate::document::position::{self, LineCol, PositionEncoding};
use crate::lint::{Finding, Severity, meta::doc_url};

/// An LSP position from a byte offset.
pub fn position(rope: &Rope, byte: usize, enc: PositionEncoding) -> Position {
    let lc = position::to_line_col(rope, byte, enc);
    Position {
        line: lc.line as u32,
        character: lc.col as u32,
    }
}

/// An LSP range from a byte range.
pub fn range(rope: &Rope, r: &ByteRange<usize>, enc: PositionEncoding) -> lsp::Range {
    lsp::Range {
        start: position(rope, r.start, enc),
        end: position(rope, r.end, enc),
    }
}

/// A byte offset from an LSP position (clamped).
pub fn byte(rope: &Rope, pos: Position, enc: PositionEncoding) -> usize {
    position::to_byte(rope, line_col(pos), enc)
}

/// The core's line/column from an LSP position.
pub fn line_col(pos: Position) -> LineCol {
    LineCol {
        line: pos.line as usize,
        col: pos.character as usize,
    }
}

/// The LSP severity of a finding.
pub fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
        Severity::Hint => DiagnosticSeverity::HINT,
    }
}

/// What a diagnostic carries in `data`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct DiagnosticData {
    /// The rule's fix, as LSP edits.
    pub fix: Option<LspFix>,
    /// Other fixes offered for the same finding.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<LspFix>,
}

/// A fix in LSP terms.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct LspFix {
    /// Code action title.
    pub title: String,
    /// Applied by `source.fixAll.ladder`.
    pub safe: bool,
    /// The edits.
    pub edits: Vec<TextEdit>,
}

/// A finding as an LSP diagnostic.
pub fn diagnostic(rope: &Rope, f: &Finding, enc: PositionEncoding) -> Diagnostic {
    let lsp_fix = |fix: &crate::lint::Fix| LspFix {
        title: fix.title.clone(),
        safe: fix.safe,
        edits: fix
            .edits
            .iter()
            .map(|e| TextEdit {
                range: range(rope, &e.range, enc),
                new_text: e.new_text.clone(),
            })
            .collect(),
    };
    let data = DiagnosticData {
        fix: f.fix.as_ref().map(lsp_fix),
        alternatives: f.alternatives.iter().map(lsp_fix).collect(),
    };
    Diagnostic {
        range: range(rope, &f.range, enc),
        severity: Some(severity(f.severity)),
        code: Some(NumberOrString::String(f.code.to_string())),
        code_description: code_description(f.code),
        source: Some("ladder".to_string()),
        message: f.message.clone(),
        related_information: None,
        tags: None,
        data: serde_json::to_value(data).ok(),
    }
}

/// The link to a rule's documentation page, parsed once per rule and thread rather than for
/// every diagnostic of every keystroke.
fn code_description(code: &'static str) -> Option<lsp::CodeDescription> {
    thread_local! {
        static PARSED: std::cell::RefCell<std::collections::HashMap<&'static str, Option<lsp::CodeDescription>>> =
            Default::default();
    }
    PARSED.with_borrow_mut(|parsed| {
        parsed
            .entry(code)
            .or_insert_with(|| {
                doc_url(code)
                    .parse()
                    .ok()
                    .map(|href| lsp::CodeDescription { href })
            })
            .clone()
    })
}

/// A finding's related places as LSP `relatedInformation` in the document `uri` (`None` when
/// it has none, so the field is left out).
pub fn related_information(
    rope: &Rope,
    f: &Finding,
    uri: &lsp::Uri,
    enc: PositionEncoding,
) -> Option<Vec<lsp::DiagnosticRelatedInformation>> {
    if f.related.is_empty() {
        return None;
    }
    let info = f
        .related
        .iter()
        .map(|r| lsp::DiagnosticRelatedInformation {
            location: lsp::Location {
                uri: uri.clone(),
                range: range(rope, &r.range, enc),
            },
            message: r.message.clone(),
        })
        .collect();
    Some(info)
}

/// The prefix of a finding published above its file's target level.
pub fn above_target_prefix(target: u8) -> String {
    format!("above target L{target}: ")
}

/// How a diagnostic of a finding at `level` is published in a file whose target is `target`:
/// at or below the target, as is; above it, per `mode` — as a hint whose message starts with
/// "above target L3: " and whose `data` says `"aboveTarget": true` (`Hint`), not at all
/// (`Off`), or as is (`AsIs`).
///
/// Hints already render faintly (VS Code draws three dots and leaves them out of the Problems
/// panel), so no `DiagnosticTag` is added: `Unnecessary`, the only tag that fades, would grey
/// out the flagged code itself as if it were dead, which a `missing-spec` function is not.
pub fn for_target(
    mut diagnostic: Diagnostic,
    level: u8,
    target: u8,
    mode: AboveTarget,
) -> Option<Diagnostic> {
    if level <= target || mode == AboveTarget::AsIs {
        return Some(diagnostic);
    }
    if mode == AboveTarget::Off {
        return None;
    }
    diagnostic.severity = Some(DiagnosticSeverity::HINT);
    diagnostic.message = format!("{}{}", above_target_prefix(target), diagnostic.message);
    if let Some(serde_json::Value::Object(data)) = diagnostic.data.as_mut() {
        data.insert("aboveTarget".into(), serde_json::Value::Bool(true));
    }
    Some(diagnostic)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(level: u8, severity: Severity) -> Finding {
        Finding {
            code: "missing-spec",
            level,
            severity,
            range: 0..3,
            message: "Public function `f/1` has no @spec".into(),
            fix: None,
            alternatives: Vec::new(),
            related: Vec::new(),
        }
    }

    fn published(
        level: u8,
        severity: Severity,
        target: u8,
        mode: AboveTarget,
    ) -> Option<Diagnostic> {
        let rope = Rope::from_str("def f(x), do: x\n");
        let d = diagnostic(&rope, &finding(level, severity), PositionEncoding::Utf16);
        for_target(d, level, target, mode)
    }

    /// Related places become `relatedInformation` in the same document; none leaves it out.
    #[test]
    fn related_places_are_related_information() {
        let rope = Rope::from_str("def f do\n  x\n");
        let uri: lsp::Uri = "file:///shop/lib/a.ex".parse().unwrap();
        let plain = finding(0, Severity::Error);
        assert_eq!(
            related_information(&rope, &plain, &uri, PositionEncoding::Utf16),
            None
        );
        let f = plain.with_related(6..8, "`do` opened here");
        let info = related_information(&rope, &f, &uri, PositionEncoding::Utf16).unwrap();
        assert_eq!(info.len(), 1);
        assert_eq!(info[0].location.uri, uri);
        assert_eq!(
            info[0].location.range.start,
            Position {
                line: 0,
                character: 6
            }
        );
        assert_eq!(info[0].message, "`do` opened here");
    }

    /// Findings up to the target keep their severity; above it they become prefixed hints
    /// (or vanish, or stay, as the `aboveTarget` setting says).
    #[test]
    fn severity_follows_the_target() {
        let at = published(3, Severity::Warning, 3, AboveTarget::Hint).unwrap();
        assert_eq!(at.severity, Some(DiagnosticSeverity::WARNING));
        assert_eq!(at.message, "Public function `f/1` has no @spec");
        assert_eq!(at.data.as_ref().unwrap().get("aboveTarget"), None);
        let below = published(0, Severity::Error, 3, AboveTarget::Hint).unwrap();
        assert_eq!(below.severity, Some(DiagnosticSeverity::ERROR));

        let above = published(4, Severity::Warning, 3, AboveTarget::Hint).unwrap();
        assert_eq!(above.severity, Some(DiagnosticSeverity::HINT));
        assert_eq!(
            above.message,
            "above target L3: Public function `f/1` has no @spec"
        );
        assert_eq!(above.data.as_ref().unwrap()["aboveTarget"], true);
        assert_eq!(above.tags, None);
        let error_above = published(5, Severity::Error, 4, AboveTarget::Hint).unwrap();
        assert_eq!(error_above.severity, Some(DiagnosticSeverity::HINT));

        assert!(published(4, Severity::Warning, 3, AboveTarget::Off).is_none());
        assert!(published(3, Severity::Warning, 3, AboveTarget::Off).is_some());
        let as_is = published(7, Severity::Warning, 3, AboveTarget::AsIs).unwrap();
        assert_eq!(as_is.severity, Some(DiagnosticSeverity::WARNING));
        assert_eq!(as_is.message, "Public function `f/1` has no @spec");
        // Target L7: nothing is above it.
        let top = published(7, Severity::Warning, 7, AboveTarget::Hint).unwrap();
        assert_eq!(top.severity, Some(DiagnosticSeverity::WARNING));
    }
}
