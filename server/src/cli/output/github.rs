//! GitHub Actions workflow commands: one annotation per finding.

use std::fmt::Write;

use crate::cli::report::CheckReport;
use crate::lint::Severity;

/// Escapes a message (`%`, CR, LF) per the workflow-command rules.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value (also `:` and `,`).
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(report: &CheckReport) -> String {
    let mut out = String::new();
    for (file, f) in report.findings() {
        // Above the file's target a finding does not fail the run: a notice, not a warning.
        let command = match f.severity {
            _ if f.level > file.fail_level => "notice",
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info | Severity::Hint => "notice",
        };
        let (s, e) = (file.pos(f.range.start), file.pos(f.range.end));
        let _ = writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape_property(&file.path),
            s.line,
            s.column,
            e.line,
            e.column,
            escape_property(&format!("L{} {}", f.level, f.code)),
            escape_data(&f.message)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_workflow_command_characters() {
        assert_eq!(escape_data("50%\nnext"), "50%25%0Anext");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
