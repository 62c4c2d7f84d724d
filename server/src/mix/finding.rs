//! A finding from a mix gate, located by line and column as the tool printed them.

use std::ops::Range;
use std::path::PathBuf;

use ropey::Rope;

use crate::document::position::{self, LineCol, PositionEncoding};
use crate::lint::finding::intern;
use crate::lint::{Edit, Finding, Fix, Severity};

/// A diagnostic from `mix compile`, `mix format`, Credo or `mix test`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GateFinding {
    /// The file, absolute.
    pub path: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, when the tool gave one.
    pub column: Option<usize>,
    /// 1-based end line and column, when known (Credo, format hunks).
    pub end: Option<(usize, usize)>,
    /// `compile-error`, `compile-warning`, `unformatted`, `test-failure`, or a Credo check name.
    pub code: String,
    /// `mix` or `credo`.
    pub source: &'static str,
    /// The ladder level (0 compile, 1 format, 2 Credo, 3 tests).
    pub level: u8,
    /// Severity.
    pub severity: Severity,
    /// The tool's message.
    pub message: String,
    /// Replacement text for lines `line..=end.0` (format hunks): the formatted lines.
    pub replacement: Option<String>,
}

impl GateFinding {
    /// A finding at a line (and optional column) with no end and no replacement.
    pub fn at(
        path: PathBuf,
        line: usize,
        column: Option<usize>,
        code: &str,
        level: u8,
        severity: Severity,
        message: String,
    ) -> Self {
        GateFinding {
            path,
            line: line.max(1),
            column: column.filter(|c| *c > 0),
            end: None,
            code: code.to_string(),
            source: "mix",
            level,
            severity,
            message,
            replacement: None,
        }
    }

    /// The byte range in `rope` (the text the finding is shown on): from the column (or the
    /// line's first non-blank character) to the end (or the end of the line).
    pub fn byte_range(&self, rope: &Rope) -> Range<usize> {
        let line = (self.line - 1).min(rope.len_lines().saturating_sub(1));
        let start = match self.column {
            Some(col) => position::to_byte(
                rope,
                LineCol { line, col: col - 1 },
                PositionEncoding::Utf32,
            ),
            None => {
                let line_start = rope.line_to_byte(line);
                let text = rope.line(line).to_string();
                line_start
                    + (text.len() - text.trim_start().len())
                        .min(text.trim_end_matches(['\r', '\n']).len())
            }
        };
        let end = match self.end {
            Some((l, c)) => position::to_byte(
                rope,
                LineCol {
                    line: l - 1,
                    col: c.saturating_sub(1),
                },
                PositionEncoding::Utf32,
            ),
            None => position::to_byte(
                rope,
                LineCol {
                    line,
                    col: usize::MAX,
                },
                PositionEncoding::Utf32,
            ),
        };
        start..end.max(start)
    }

    /// This finding on `rope` as a [`Finding`] (with the format fix for `unformatted`).
    pub fn to_finding(&self, rope: &Rope) -> Finding {
        let range = self.byte_range(rope);
        let fix = self.replacement.as_ref().map(|text| {
            let title = if range.start == range.end {
                "Insert the lines mix format adds"
            } else {
                "Format these lines"
            };
            Fix::safe(title, vec![Edit::replace(range.clone(), text.clone())])
        });
        Finding {
            code: intern(&self.code),
            level: self.level,
            severity: self.severity,
            range,
            message: self.message.clone(),
            fix,
            alternatives: Vec::new(),
            related: Vec::new(),
        }
    }

    /// The documentation link of this finding's check.
    pub fn doc_url(&self) -> String {
        if self.source == "credo" {
            format!("https://hexdocs.pm/credo/{}.html", self.code)
        } else {
            crate::lint::meta::doc_url(&self.code)
        }
    }
}
