//! `path:line:col: L4 missing-spec message`, then the ladder: per level, the findings and how
//! many files pass it; then per target level, how many files reach it and how many findings
//! fail it.

use std::fmt::Write;

use crate::cli::report::CheckReport;

const GATES: [&str; 8] = [
    "compiles",
    "formatted",
    "static analysis",
    "tested",
    "typed",
    "secure",
    "observable",
    "documented",
];

pub fn render(report: &CheckReport) -> String {
    let mut out = String::new();
    for (file, f) in report.findings() {
        let p = file.pos(f.range.start);
        // Multi-line messages (test failures) are indented under their first line.
        let message = f.message.replace('\n', "\n    ");
        let (path, level, code) = (&file.path, f.level, f.code);
        let _ = writeln!(
            out,
            "{path}:{}:{}: L{level} {code} {message}",
            p.line, p.column
        );
    }
    if !out.is_empty() {
        out.push('\n');
    }
    let files = report.files.len().max(report.files_checked);
    let _ = writeln!(out, "level  gate              findings  files passing");
    for (level, gate) in GATES.iter().enumerate() {
        let level = level as u8;
        let findings = report.findings().filter(|(_, f)| f.level == level).count();
        let passing = report
            .files
            .iter()
            .filter(|f| f.level().is_some_and(|l| l >= level))
            .count()
            + report.files_checked.saturating_sub(report.files.len());
        let _ = writeln!(
            out,
            "L{level}     {gate:16}  {findings:>8}  {passing}/{files}"
        );
    }
    out.push('\n');
    for t in report.targets() {
        let what = match report.level_override {
            Some(_) => "threshold (--level)",
            None => "target",
        };
        let _ = writeln!(
            out,
            "{what} L{}: {}/{} file{} reach it; {} finding{} fail{} it",
            t.target,
            t.reaching,
            t.files,
            if t.files == 1 { "" } else { "s" },
            t.failing,
            if t.failing == 1 { "" } else { "s" },
            if t.failing == 1 { "s" } else { "" },
        );
    }
    let total = report.findings().count();
    let project = report
        .files
        .iter()
        .map(|f| f.level())
        .min()
        .unwrap_or(Some(7));
    let project = project.map_or_else(|| "below L0".to_string(), |l| format!("L{l}"));
    let _ = writeln!(
        out,
        "{total} finding{} in {} file{} ({} checked); project level {project} ({gates})",
        if total == 1 { "" } else { "s" },
        report
            .files
            .iter()
            .filter(|f| !f.findings.is_empty())
            .count(),
        if report
            .files
            .iter()
            .filter(|f| !f.findings.is_empty())
            .count()
            == 1
        {
            ""
        } else {
            "s"
        },
        report.files_checked,
        gates = if report.gates_verified {
            "mix gates run"
        } else if report.gates_attempted {
            "mix gates L0–L3 not verified: see the errors"
        } else {
            "mix gates L0–L3 not run: native rules only"
        },
    );
    out
}
