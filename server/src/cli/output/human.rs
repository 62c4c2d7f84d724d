//! `path:line:col: L4 warning missing-spec message`, then the ladder: per level, the findings
//! and how many files pass it; then per target level, how many files reach it and how many
//! findings fail it; then the baseline, the fixes and the project's level.

use std::io::{self, Write};

use super::printable;
use super::summary::{self, GATES};
use crate::cli::report::{CheckReport, plural};

/// Writes the findings, one line each, then the summary.
pub fn write(report: &CheckReport, out: &mut dyn Write) -> io::Result<()> {
    let mut any = false;
    for (file, f) in report.findings() {
        let p = file.pos(f.range.start);
        // Multi-line messages (test failures) are indented under their first line.
        let message = printable(&f.message).replace('\n', "\n    ");
        writeln!(
            out,
            "{}:{}:{}: L{} {} {} {message}",
            printable(&file.path),
            p.line,
            p.column,
            f.level,
            f.severity.as_str(),
            f.code,
        )?;
        any = true;
    }
    if any {
        writeln!(out)?;
    }
    write_summary(report, out)
}

/// The ladder table and the closing lines (also under `--statistics`).
pub fn write_summary(report: &CheckReport, out: &mut dyn Write) -> io::Result<()> {
    let Some(project) = report.project_level() else {
        writeln!(
            out,
            "No Elixir file checked: no project level to give ({})",
            if report.excluded > 0 {
                format!(
                    "{} excluded by `exclude:` in .ladder.exs",
                    plural(report.excluded, "file")
                )
            } else {
                "the paths hold no .ex or .exs file".to_string()
            }
        )?;
        return Ok(());
    };
    let files = summary::file_count(report);
    writeln!(out, "level  gate              findings  files passing")?;
    for (level, (gate, rung)) in GATES.iter().zip(summary::rungs(report)).enumerate() {
        writeln!(
            out,
            "L{level}     {gate:16}  {:>8}  {}/{files}",
            rung.findings, rung.passing
        )?;
    }
    writeln!(out)?;
    for line in summary::target_lines(report) {
        writeln!(out, "{line}")?;
    }
    if let Some(line) = summary::baseline_line(report) {
        writeln!(out, "{line}")?;
    }
    if let Some(line) = report.fix_summary() {
        writeln!(out, "{}", capitalise(&line))?;
    }
    let total = report.findings().count();
    let with = report
        .files
        .iter()
        .filter(|f| !f.findings.is_empty())
        .count();
    writeln!(
        out,
        "{} in {} ({} checked{}); project level {} ({})",
        plural(total, "finding"),
        plural(with, "file"),
        report.files_checked,
        if report.excluded > 0 {
            format!(", {} excluded", report.excluded)
        } else {
            String::new()
        },
        summary::level_name(project),
        summary::gates_note(report),
    )
}

/// `fixed 2 findings` → `Fixed 2 findings`.
pub fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().collect::<String>() + chars.as_str()
    })
}
