//! Conversions between the core's byte offsets and LSP positions, and from findings to LSP
//! diagnostics (with their fix precomputed in `data`, so code actions need no re-lint).

use std::ops::Range as ByteRange;

use ropey::Rope;
use serde::{Deserialize, Serialize};

use super::lsp::{self, Diagnostic, DiagnosticSeverity, NumberOrString, Position, TextEdit};
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
    /// The document version the diagnostic (and its fix) was computed for.
    pub version: Option<i32>,
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
pub fn diagnostic(
    rope: &Rope,
    f: &Finding,
    version: Option<i32>,
    enc: PositionEncoding,
) -> Diagnostic {
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
        version,
        fix: f.fix.as_ref().map(lsp_fix),
        alternatives: f.alternatives.iter().map(lsp_fix).collect(),
    };
    Diagnostic {
        range: range(rope, &f.range, enc),
        severity: Some(severity(f.severity)),
        code: Some(NumberOrString::String(f.code.to_string())),
        code_description: doc_url(f.code)
            .parse()
            .ok()
            .map(|href| lsp::CodeDescription { href }),
        source: Some("ladder".to_string()),
        message: f.message.clone(),
        related_information: None,
        tags: None,
        data: serde_json::to_value(data).ok(),
    }
}
