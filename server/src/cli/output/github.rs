//! GitHub Actions workflow commands: annotations for the most important findings, within what
//! GitHub shows.
//!
//! A step shows at most 10 error, 10 warning and 10 notice annotations (GitHub's
//! "problem matchers" documentation, actions/toolkit); later ones are dropped silently. So the
//! findings are sorted by importance (errors, then warnings, then infos and hints as notices;
//! lower rungs first within each), each kind is cut at its limit, and when anything was cut the
//! rest are printed as plain log lines, then one notice gives the totals and where to see
//! everything.

use std::io::{self, Write};

use crate::cli::report::{CheckReport, FileReport};
use crate::lint::{Finding, Severity};

/// Annotations of one kind that GitHub shows per step.
pub const ANNOTATIONS_PER_KIND: usize = 10;

/// Shows control characters quoted from the source (an escape sequence in a string literal
/// would drive the log viewer) as `\u{1b}`; line breaks stay.
fn printable(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() && c != '\n' && c != '\r' {
                format!("\\u{{{:x}}}", u32::from(c))
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Escapes a message (`%`, CR, LF) per the workflow-command rules.
fn escape_data(s: &str) -> String {
    printable(s)
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value (also `:` and `,`).
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// The annotation kinds, in order of importance.
const KINDS: [&str; 3] = ["error", "warning", "notice"];

/// The index in [`KINDS`] of a finding's annotation. Above the file's target a finding does not
/// fail the run: a notice, not a warning.
fn kind(file: &FileReport, f: &Finding) -> usize {
    if f.level > file.fail_level {
        return 2;
    }
    match f.severity {
        Severity::Error => 0,
        Severity::Warning => 1,
        Severity::Info | Severity::Hint => 2,
    }
}

fn annotation(out: &mut dyn Write, file: &FileReport, f: &Finding) -> io::Result<()> {
    let (s, e) = (file.pos(f.range.start), file.pos(f.range.end));
    writeln!(
        out,
        "::{} file={},line={},col={},endLine={},endColumn={},title={}::{}",
        KINDS[kind(file, f)],
        escape_property(&file.path),
        s.line,
        s.column,
        e.line,
        e.column,
        escape_property(&format!("L{} {}", f.level, f.code)),
        escape_data(&f.message)
    )
}

/// `n` with its noun, pluralised.
fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

/// The workflow commands of a report, as a string (for tests).
#[cfg(test)]
pub fn render(report: &CheckReport) -> String {
    let mut out = Vec::new();
    let _ = write(report, &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// Writes the annotations, then the findings past the limits as log lines and the closing
/// notice.
pub fn write(report: &CheckReport, out: &mut dyn Write) -> io::Result<()> {
    let mut findings: Vec<(&FileReport, &Finding)> = report.findings().collect();
    // Stable: within a kind and rung, the report's order (path, then position).
    findings.sort_by_key(|(file, f)| (kind(file, f), f.level));
    let mut totals = [0usize; 3];
    for (file, f) in &findings {
        totals[kind(file, f)] += 1;
    }
    let cut = totals.iter().any(|&n| n > ANNOTATIONS_PER_KIND);
    // The closing notice takes one of the notice annotations.
    let mut limits = [ANNOTATIONS_PER_KIND; 3];
    if cut {
        limits[2] -= 1;
    }
    let mut shown = [0usize; 3];
    // Findings past the limits, printed after the annotations (references, not text).
    let mut rest: Vec<(&FileReport, &Finding)> = Vec::new();
    for (file, f) in findings {
        let k = kind(file, f);
        if shown[k] < limits[k] {
            shown[k] += 1;
            annotation(out, file, f)?;
        } else {
            rest.push((file, f));
        }
    }
    if totals
        .iter()
        .zip(shown)
        .any(|(&total, shown)| total > shown)
    {
        writeln!(
            out,
            "Not annotated (GitHub shows {ANNOTATIONS_PER_KIND} annotations of each kind per step):"
        )?;
        for (file, f) in rest {
            let p = file.pos(f.range.start);
            let message = printable(&f.message).replace('\n', "\n    ");
            writeln!(
                out,
                "{}:{}:{}: L{} {} {message}",
                printable(&file.path),
                p.line,
                p.column,
                f.level,
                f.code
            )?;
        }
        let all = format!(
            "{}, {}, {}",
            count(totals[0], "error"),
            count(totals[1], "warning"),
            count(totals[2], "notice")
        );
        let annotated: Vec<String> = KINDS
            .iter()
            .enumerate()
            .map(|(i, k)| format!("{} of {}", shown[i], count(totals[i], k)))
            .collect();
        let message = format!(
            "ladder-ls found {all}; annotated the most important ({}), errors and lower rungs \
             first. Every finding is listed in this step's log, and in code scanning when the \
             output of `ladder-ls check --format sarif` is uploaded with \
             github/codeql-action/upload-sarif.",
            annotated.join(", ")
        );
        writeln!(
            out,
            "::notice title={}::{}",
            escape_property("ladder-ls: more findings than annotations"),
            escape_data(&message)
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::RuleMeta;
    use ropey::Rope;

    #[test]
    fn escapes_workflow_command_characters() {
        assert_eq!(escape_data("50%\nnext"), "50%25%0Anext");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
        assert_eq!(escape_data("`\u{1b}[31m`\tx"), "`\\u{1b}[31m`\\u{9}x");
    }

    fn finding(code: &'static str, level: u8, severity: Severity, line: usize) -> Finding {
        let meta = RuleMeta {
            code,
            level,
            severity,
            ..RuleMeta::BASE
        };
        let start = line * 10;
        Finding::new(
            &meta,
            start..start + 5,
            format!("{code} on line {}", line + 1),
        )
    }

    fn report(findings: Vec<Finding>) -> CheckReport {
        CheckReport {
            files: vec![FileReport::new(
                "lib/a.ex".into(),
                Rope::from_str(&"123456789\n".repeat(100)),
                findings,
                7,
            )],
            files_checked: 1,
            ..CheckReport::default()
        }
    }

    fn commands(out: &str, kind: &str) -> usize {
        out.lines()
            .filter(|l| l.starts_with(&format!("::{kind} ")))
            .count()
    }

    #[test]
    fn small_runs_are_annotated_in_full_most_important_first() {
        let out = render(&report(vec![
            finding("doc-without-example", 7, Severity::Info, 0),
            finding("missing-spec", 4, Severity::Warning, 1),
            finding("io-inspect", 2, Severity::Warning, 2),
            finding("syntax-error", 0, Severity::Error, 3),
        ]));
        let titles: Vec<&str> = out
            .lines()
            .map(|l| {
                l.split("title=")
                    .nth(1)
                    .unwrap()
                    .split("::")
                    .next()
                    .unwrap()
            })
            .collect();
        assert_eq!(
            titles,
            [
                "L0 syntax-error",
                "L2 io-inspect",
                "L4 missing-spec",
                "L7 doc-without-example"
            ]
        );
        assert!(!out.contains("ladder-ls found"));
    }

    #[test]
    fn large_runs_stop_at_the_limits_and_say_where_the_rest_is() {
        let mut findings = Vec::new();
        for i in 0..15 {
            findings.push(finding("missing-spec", 4, Severity::Warning, i));
            findings.push(finding("sql-injection", 5, Severity::Error, 20 + i));
            findings.push(finding("doc-without-example", 7, Severity::Info, 40 + i));
        }
        findings.push(finding("io-inspect", 2, Severity::Warning, 60));
        let out = render(&report(findings));
        assert_eq!(commands(&out, "error"), 10);
        assert_eq!(commands(&out, "warning"), 10);
        assert_eq!(commands(&out, "notice"), 10, "9 findings and the totals");
        // The L2 warning, though last in the file, is annotated first among warnings.
        let first_warning = out.lines().find(|l| l.starts_with("::warning")).unwrap();
        assert!(first_warning.contains("L2 io-inspect"), "{first_warning}");
        let last = out.lines().last().unwrap();
        assert!(last.starts_with("::notice title=ladder-ls"), "{last}");
        assert!(
            last.contains("15 errors, 16 warnings, 15 notices")
                && last.contains("10 of 15 errors, 10 of 16 warnings, 9 of 15 notices")
                && last.contains("upload-sarif"),
            "{last}"
        );
        // The rest are in the log, as plain lines.
        let plain = out.lines().filter(|l| l.starts_with("lib/a.ex:")).count();
        assert_eq!(plain, 5 + 6 + 6);
    }

    #[test]
    fn exactly_ten_of_each_needs_no_summary() {
        let mut findings = Vec::new();
        for i in 0..10 {
            findings.push(finding("doc-without-example", 7, Severity::Info, i));
        }
        let out = render(&report(findings));
        assert_eq!(commands(&out, "notice"), 10);
        assert!(!out.contains("ladder-ls found"));
    }
}
