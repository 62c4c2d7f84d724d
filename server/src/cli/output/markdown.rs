//! Markdown for a GitHub job summary (`>> $GITHUB_STEP_SUMMARY`) or a pull-request comment:
//! the project's level, the ladder, the targets, the top blockers, the folders and the most
//! important findings.
//!
//! Bounded so it fits where it goes: a PR comment takes 65,536 characters and a step summary
//! 1 MiB, so the lists stop at [`MAX_FOLDERS`] folders and [`MAX_FINDINGS`] findings (what fails
//! the run first; fewer when their rows pass 40,000 bytes) and say how many more there are and
//! where to see them all. Everything quoted
//! from the source is escaped: it can neither break the tables nor inject HTML.

use std::io::{self, Write};

use super::printable;
use super::summary::{self, GATES};
use crate::cli::report::{CheckReport, FileReport, plural};
use crate::lint::{Finding, meta::doc_url};

/// Folders listed at most.
pub const MAX_FOLDERS: usize = 25;
/// Findings listed at most.
pub const MAX_FINDINGS: usize = 100;
/// Top blockers listed.
const MAX_BLOCKERS: usize = 10;
/// Messages are cut after this many characters (a test failure can quote pages).
const MAX_MESSAGE_CHARS: usize = 300;
/// Bytes of finding rows at most: with the rest of the summary, the whole stays under a PR
/// comment's 65,536 characters.
const FINDINGS_BUDGET: usize = 40_000;

/// The whole summary.
pub fn write(report: &CheckReport, out: &mut dyn Write) -> io::Result<()> {
    write_head(report, out)?;
    if report.project_level().is_none() {
        return Ok(());
    }
    let blockers = summary::blockers(report, MAX_BLOCKERS);
    if !blockers.is_empty() {
        writeln!(out, "\n### Top blockers\n")?;
        writeln!(out, "| Rule | Level | Files held back | Findings |")?;
        writeln!(out, "|---|---|---:|---:|")?;
        for b in &blockers {
            writeln!(
                out,
                "| [`{}`]({}) | L{} | {} | {} |",
                b.code,
                doc_url(b.code),
                b.level,
                b.files,
                b.findings
            )?;
        }
    }
    let folders = summary::folders(report);
    if folders.len() > 1 {
        writeln!(out, "\n### Folders\n")?;
        writeln!(
            out,
            "| Folder | Files | Level | Errors | Warnings | Infos and hints |"
        )?;
        writeln!(out, "|---|---:|---|---:|---:|---:|")?;
        // The weakest folders first: those are the ones to look at.
        let mut rows: Vec<(&&str, &summary::Folder)> = folders.iter().collect();
        rows.sort_by_key(|(name, f)| {
            (
                f.level.map_or(-1, i16::from),
                std::cmp::Reverse(f.failing),
                **name,
            )
        });
        for (name, f) in rows.iter().take(MAX_FOLDERS) {
            writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                code_span(name),
                f.files,
                summary::level_name(f.level),
                f.severities[0],
                f.severities[1],
                f.severities[2] + f.severities[3]
            )?;
        }
        if rows.len() > MAX_FOLDERS {
            writeln!(
                out,
                "\n{} more (the weakest are listed).",
                plural(rows.len() - MAX_FOLDERS, "folder")
            )?;
        }
    }
    let total = report.findings().count();
    if total == 0 {
        return Ok(());
    }
    let mut findings: Vec<(&FileReport, &Finding)> = report.findings().collect();
    // Stable: within a kind, the report's order (path, then position).
    findings.sort_by_key(|(file, f)| summary::importance(file, f));
    // Rows are written while they fit the budget; long messages (test failures) are cut.
    let mut rows = String::new();
    let mut shown = 0;
    for (file, f) in findings.iter().take(MAX_FINDINGS) {
        let p = file.pos(f.range.start);
        let row = format!(
            "| {} | L{} | {} | [`{}`]({}) | {} |\n",
            code_span(&format!("{}:{}:{}", file.path, p.line, p.column)),
            f.level,
            f.severity.as_str(),
            f.code,
            doc_url(f.code),
            inline(&cut(&f.message, MAX_MESSAGE_CHARS))
        );
        if rows.len() + row.len() > FINDINGS_BUDGET {
            break;
        }
        rows.push_str(&row);
        shown += 1;
    }
    writeln!(
        out,
        "\n<details><summary>{}{}</summary>\n",
        plural(total, "finding"),
        if shown < total {
            format!(" (the {shown} most important)")
        } else {
            String::new()
        }
    )?;
    writeln!(out, "| Location | Level | Severity | Rule | Message |")?;
    writeln!(out, "|---|---|---|---|---|")?;
    out.write_all(rows.as_bytes())?;
    if shown < total {
        writeln!(
            out,
            "\n{} more: every finding is in `ladder-ls check --format html`, and in code \
             scanning when `--format sarif` is uploaded.",
            total - shown
        )?;
    }
    writeln!(out, "\n</details>")
}

/// `s` cut to `max` characters, with `…` when cut.
fn cut(s: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match s.char_indices().nth(max) {
        Some((i, _)) => std::borrow::Cow::Owned(format!("{}…", &s[..i])),
        None => std::borrow::Cow::Borrowed(s),
    }
}

/// The headline, the ladder table, the targets, the baseline and the fixes.
pub fn write_head(report: &CheckReport, out: &mut dyn Write) -> io::Result<()> {
    let Some(project) = report.project_level() else {
        writeln!(out, "## Ladder: no Elixir file checked\n")?;
        return writeln!(
            out,
            "The paths hold no `.ex` or `.exs` file{}.",
            if report.excluded > 0 {
                format!(
                    " that is not excluded ({} excluded by `.ladder.exs`)",
                    report.excluded
                )
            } else {
                String::new()
            }
        );
    };
    writeln!(
        out,
        "## Ladder: project level **{}**\n",
        summary::level_title(project)
    )?;
    writeln!(
        out,
        "{} checked · {} ({}) · {}\n",
        plural(summary::file_count(report), "file"),
        plural(report.findings().count(), "finding"),
        summary::severity_words(summary::severities(report)),
        summary::gates_note(report)
    )?;
    writeln!(out, "| Level | Gate | Findings | Files passing |")?;
    writeln!(out, "|---|---|---:|---:|")?;
    let files = summary::file_count(report);
    for (level, (gate, rung)) in GATES.iter().zip(summary::rungs(report)).enumerate() {
        writeln!(
            out,
            "| L{level} | {gate} | {} | {}/{files} |",
            rung.findings, rung.passing
        )?;
    }
    writeln!(out)?;
    let mut notes = summary::target_lines(report);
    notes.extend(summary::baseline_line(report));
    notes.extend(report.fix_summary().map(|s| super::human::capitalise(&s)));
    for note in notes {
        writeln!(out, "- {}", inline(&note))?;
    }
    Ok(())
}

/// Text for a table cell or a list item: control characters shown escaped, line breaks as
/// spaces, `|` escaped; outside `` `code` `` spans, HTML and Markdown punctuation escaped so
/// the source can inject neither tags nor links, inside them left as written (code spans show
/// their text literally).
pub fn inline(s: &str) -> String {
    let text = printable(s).replace(['\n', '\r'], " ");
    let mut out = String::with_capacity(text.len() + 8);
    let parts: Vec<&str> = text.split('`').collect();
    // Odd parts are code when their backticks pair up; an unpaired last backtick is escaped.
    let paired = parts.len() % 2 == 1;
    let in_code = |i: usize| i % 2 == 1 && (paired || i + 1 < parts.len());
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push_str(if in_code(i) || in_code(i - 1) {
                "`"
            } else {
                "\\`"
            });
        }
        if in_code(i) {
            out.push_str(&part.replace('|', "\\|"));
        } else {
            for c in part.chars() {
                match c {
                    '<' => out.push_str("&lt;"),
                    '>' => out.push_str("&gt;"),
                    '&' => out.push_str("&amp;"),
                    '|' | '\\' | '*' | '_' | '[' | ']' | '#' | '~' | '!' => {
                        out.push('\\');
                        out.push(c);
                    }
                    _ => out.push(c),
                }
            }
        }
    }
    out
}

/// `text` as one code span, with a fence longer than any backtick run in it.
pub fn code_span(text: &str) -> String {
    let text = printable(text)
        .replace(['\n', '\r'], " ")
        .replace('|', "\\|");
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_text_escapes_html_and_table_syntax_outside_code() {
        assert_eq!(
            inline("`raw/1` of <script>alert(1)</script> | x"),
            "`raw/1` of &lt;script&gt;alert(1)&lt;/script&gt; \\| x"
        );
        assert_eq!(inline("`a|b` and `<b>`"), "`a\\|b` and `<b>`");
        assert_eq!(inline("unpaired ` tick"), "unpaired \\` tick");
        assert_eq!(inline("two\nlines\u{1b}[2J"), "two lines\\\\u{1b}\\[2J");
        assert_eq!(inline("[link](http://x)"), "\\[link\\](http://x)");
    }

    #[test]
    fn code_spans_outlast_backticks_in_the_text() {
        assert_eq!(code_span("lib/a.ex:1:2"), "`lib/a.ex:1:2`");
        assert_eq!(code_span("a`b"), "``a`b``");
        assert_eq!(code_span("`x"), "`` `x ``");
        assert_eq!(code_span("a|b"), "`a\\|b`");
    }
}
