//! A finding from a mix gate, located by line and column as the tool printed them.

use std::path::PathBuf;

use crate::lint::Severity;

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

    /// The documentation link of this finding's check.
    pub fn doc_url(&self) -> String {
        if self.source == "credo" {
            format!("https://hexdocs.pm/credo/{}.html", self.code)
        } else {
            crate::lint::meta::doc_url(&self.code)
        }
    }
}
