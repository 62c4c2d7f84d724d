//! `--statistics`: the number of findings per rule instead of the findings, most frequent
//! first, with what `--fix` can do about them.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde_json::json;

use super::{escape_json_controls, human, markdown};
use crate::cli::report::CheckReport;
use crate::lint::{Severity, meta::doc_url};

/// One rule's figures.
struct Row {
    code: &'static str,
    level: u8,
    /// The most severe severity among its findings (configuration may differ per finding).
    severity: Severity,
    count: usize,
    safe_fixes: usize,
    unsafe_fixes: usize,
}

fn rows(report: &CheckReport) -> Vec<Row> {
    let mut by_code: BTreeMap<&'static str, Row> = BTreeMap::new();
    for (_, f) in report.findings() {
        let row = by_code.entry(f.code).or_insert(Row {
            code: f.code,
            level: f.level,
            severity: f.severity,
            count: 0,
            safe_fixes: 0,
            unsafe_fixes: 0,
        });
        row.count += 1;
        if super::summary::severity_index(f.severity) < super::summary::severity_index(row.severity)
        {
            row.severity = f.severity;
        }
        match &f.fix {
            Some(fix) if fix.safe => row.safe_fixes += 1,
            Some(_) => row.unsafe_fixes += 1,
            None => {}
        }
    }
    let mut rows: Vec<Row> = by_code.into_values().collect();
    rows.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then(a.level.cmp(&b.level))
            .then(a.code.cmp(b.code))
    });
    rows
}

/// `[*]` safe fix, `[-]` unsafe fix only (as ruff marks them), else blank.
fn fix_mark(row: &Row) -> &'static str {
    if row.safe_fixes > 0 {
        "[*]"
    } else if row.unsafe_fixes > 0 {
        "[-]"
    } else {
        "   "
    }
}

/// A table, then the summary.
pub fn human(report: &CheckReport, out: &mut dyn Write) -> io::Result<()> {
    let rows = rows(report);
    if !rows.is_empty() {
        writeln!(out, "{:>6}  level  severity  fix  code", "count")?;
        for r in &rows {
            writeln!(
                out,
                "{:>6}  L{}     {:8}  {}  {}",
                r.count,
                r.level,
                r.severity.as_str(),
                fix_mark(r),
                r.code
            )?;
        }
        writeln!(
            out,
            "([*] fixable with --fix, [-] with --fix --unsafe-fixes)"
        )?;
        writeln!(out)?;
    }
    human::write_summary(report, out)
}

/// `{"version": 1, "files_checked": N, "statistics": [{code, level, severity, count, fixable,
/// unsafe_fixable}]}`.
pub fn json(report: &CheckReport, out: &mut dyn Write) -> io::Result<()> {
    let stats: Vec<serde_json::Value> = rows(report)
        .iter()
        .map(|r| {
            json!({
                "code": r.code,
                "level": r.level,
                "severity": r.severity.as_str(),
                "count": r.count,
                "fixable": r.safe_fixes,
                "unsafe_fixable": r.unsafe_fixes,
            })
        })
        .collect();
    let doc = json!({
        "version": 1,
        "files_checked": report.files_checked,
        "statistics": stats,
    });
    let text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    writeln!(out, "{}", escape_json_controls(&text))
}

/// A Markdown table.
pub fn markdown(report: &CheckReport, out: &mut dyn Write) -> io::Result<()> {
    markdown::write_head(report, out)?;
    let rows = rows(report);
    if rows.is_empty() {
        return Ok(());
    }
    writeln!(out, "| Findings | Rule | Level | Severity | Fixable |")?;
    writeln!(out, "|---:|---|---|---|---|")?;
    for r in &rows {
        let fixable = match (r.safe_fixes, r.unsafe_fixes) {
            (0, 0) => String::new(),
            (s, 0) => format!("{s} with `--fix`"),
            (0, u) => format!("{u} with `--fix --unsafe-fixes`"),
            (s, u) => format!("{s} with `--fix`, {u} more unsafe"),
        };
        writeln!(
            out,
            "| {} | [`{}`]({}) | L{} | {} | {fixable} |",
            r.count,
            r.code,
            doc_url(r.code),
            r.level,
            r.severity.as_str()
        )?;
    }
    Ok(())
}
