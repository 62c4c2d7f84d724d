//! One self-contained HTML page (`check --format html`) for the people who decide: the
//! project's level, a chart of files per level, the targets, the top blockers, a per-folder
//! breakdown and every finding with its source line. No script, no font, no image and no
//! request: it opens from a CI artifact or an e-mail as it is.
//!
//! Written as it goes: the summary is computed from the report, then the findings are written
//! file by file. Every text from the source or the file system is escaped (`<script>` in a
//! source line stays text) and control characters are shown as `\u{1b}`.

use std::io::{self, Write};

use super::printable;
use super::summary::{self, GATES};
use crate::cli::report::{CheckReport, FileReport, plural};
use crate::lint::{Finding, meta::doc_url};

/// Source lines are cut after this many characters (a minified line can be megabytes).
const MAX_LINE_CHARS: usize = 400;
/// Top blockers listed.
const MAX_BLOCKERS: usize = 10;

/// Level colours, below L0 first: red to green.
const LEVEL_COLOURS: [&str; 9] = [
    "#7f1d1d", "#b91c1c", "#dc2626", "#ea580c", "#d97706", "#ca8a04", "#65a30d", "#16a34a",
    "#15803d",
];

const STYLE: &str = r#"
:root { color-scheme: light; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg2: #f6f8fa; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg);
  margin: 0 auto; max-width: 1200px; padding: 24px; background: #fff; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 32px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
.muted { color: var(--muted); }
.hero { display: flex; gap: 24px; align-items: center; margin: 16px 0; }
.badge { color: #fff; font-weight: 700; font-size: 40px; border-radius: 12px; padding: 12px 22px;
  white-space: nowrap;
  min-width: 120px; text-align: center; }
.badge small { display: block; font-size: 13px; font-weight: 500; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--bg2); font-weight: 600; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
.lvl { display: inline-block; color: #fff; border-radius: 4px; padding: 0 6px; font-weight: 600;
  font-size: 13px; }
.sev { font-weight: 600; font-size: 13px; }
.sev-error { color: #b91c1c; } .sev-warning { color: #b45309; } .sev-info { color: #1d4ed8; }
.sev-hint { color: #6b7280; }
.above { opacity: .75; }
code, pre { font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
pre.src { margin: 2px 0 0; padding: 4px 8px; background: var(--bg2); border-radius: 4px;
  white-space: pre-wrap; word-break: break-all; tab-size: 4; }
pre.src mark { background: #fde68a; color: inherit; }
.ctl { color: #b91c1c; }
details.file { border: 1px solid var(--line); border-radius: 6px; margin: 8px 0; }
details.file > summary { cursor: pointer; padding: 6px 10px; background: var(--bg2); }
details.file > table { margin: 0; }
.bar { display: flex; height: 12px; min-width: 120px; border-radius: 3px; overflow: hidden;
  background: var(--bg2); }
.bar span { display: block; height: 100%; }
svg text { font: 13px system-ui, sans-serif; fill: var(--fg); }
@media print { details.file { break-inside: avoid; } }
"#;

/// Writes the page.
pub fn write(report: &CheckReport, out: &mut dyn Write) -> io::Result<()> {
    let project = report.project_level();
    let title = match project {
        Some(level) => format!("Ladder report: {}", summary::level_name(level)),
        None => "Ladder report: no Elixir file checked".to_string(),
    };
    write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"ladder-ls {}\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        env!("CARGO_PKG_VERSION"),
        escape(&title)
    )?;
    writeln!(out, "<h1>Ladder report</h1>")?;
    let severities = summary::severities(report);
    writeln!(
        out,
        "<p class=\"muted\">{} checked · {} ({}) · {} · ladder-ls {}</p>",
        plural(summary::file_count(report), "file"),
        plural(report.findings().count(), "finding"),
        summary::severity_words(severities),
        summary::gates_note(report),
        env!("CARGO_PKG_VERSION"),
    )?;
    let Some(project) = project else {
        writeln!(
            out,
            "<p id=\"empty\">No Elixir file was checked: the paths hold no <code>.ex</code> or \
             <code>.exs</code> file{}.</p>\n</body>\n</html>",
            if report.excluded > 0 {
                format!(
                    " that is not excluded ({} excluded by <code>.ladder.exs</code>)",
                    report.excluded
                )
            } else {
                String::new()
            }
        )?;
        return Ok(());
    };
    hero(report, project, out)?;
    chart(report, out)?;
    blockers(report, out)?;
    folders(report, out)?;
    findings(report, out)?;
    writeln!(out, "</body>\n</html>")
}

/// The colour of a level (`None`: below L0).
fn colour(level: Option<u8>) -> &'static str {
    LEVEL_COLOURS[level.map_or(0, |l| usize::from(l) + 1)]
}

/// A level as a coloured label.
fn level_label(level: Option<u8>) -> String {
    format!(
        "<span class=\"lvl\" style=\"background:{}\">{}</span>",
        colour(level),
        summary::level_name(level)
    )
}

/// The project's level, with the targets, the baseline and the fixes.
fn hero(report: &CheckReport, project: Option<u8>, out: &mut dyn Write) -> io::Result<()> {
    let gate = project.map_or("does not compile", |l| GATES[usize::from(l)]);
    writeln!(
        out,
        "<section class=\"hero\" id=\"level\"><div class=\"badge\" style=\"background:{}\">{}\
         <small>{gate}</small></div><div><p><strong>Project level: {}</strong>: the lowest \
         level of its files. A file's level is the highest rung with no error or warning at or \
         below it.</p><ul>",
        colour(project),
        summary::level_name(project),
        escape(&summary::level_title(project)),
    )?;
    let mut notes = summary::target_lines(report);
    notes.extend(summary::baseline_line(report));
    notes.extend(report.fix_summary().map(|s| super::human::capitalise(&s)));
    for note in notes {
        writeln!(out, "<li>{}</li>", inline_code(&note))?;
    }
    writeln!(out, "</ul></div></section>")
}

/// A horizontal bar chart of files per level (inline SVG).
fn chart(report: &CheckReport, out: &mut dyn Write) -> io::Result<()> {
    let counts = summary::files_per_level(report);
    let max = counts.iter().copied().max().unwrap_or(0).max(1);
    let (label_w, bar_w, row_h) = (150.0, 560.0, 28.0);
    let height = row_h * counts.len() as f64 + 8.0;
    writeln!(out, "<h2>Files per level</h2>")?;
    writeln!(
        out,
        "<svg id=\"chart\" role=\"img\" aria-label=\"Files per level\" width=\"{w}\" \
         height=\"{height}\" viewBox=\"0 0 {w} {height}\">",
        w = label_w + bar_w + 80.0
    )?;
    for (i, &n) in counts.iter().enumerate() {
        let level = i.checked_sub(1).map(|l| l as u8);
        let y = 4.0 + row_h * i as f64;
        let width = if n == 0 {
            0.0
        } else {
            (bar_w * n as f64 / max as f64).max(2.0)
        };
        let name = match level {
            Some(l) => format!("L{l} {}", GATES[usize::from(l)]),
            None => "below L0".to_string(),
        };
        writeln!(
            out,
            "<g class=\"row\" data-level=\"{}\" data-files=\"{n}\"><text x=\"0\" y=\"{ty}\">{name}</text>\
             <rect x=\"{label_w}\" y=\"{y}\" width=\"{width:.1}\" height=\"{bh}\" rx=\"3\" \
             fill=\"{}\"><title>{}: {}</title></rect><text x=\"{tx:.1}\" y=\"{ty}\">{n}</text></g>",
            summary::level_name(level),
            colour(level),
            summary::level_name(level),
            plural(n, "file"),
            ty = y + 15.0,
            bh = row_h - 8.0,
            tx = label_w + width + 6.0,
        )?;
    }
    writeln!(out, "</svg>")
}

/// The rules holding most files back.
fn blockers(report: &CheckReport, out: &mut dyn Write) -> io::Result<()> {
    let blockers = summary::blockers(report, MAX_BLOCKERS);
    writeln!(out, "<h2>Top blockers</h2>")?;
    if blockers.is_empty() {
        return writeln!(
            out,
            "<p id=\"blockers\">Nothing blocks any file: every file is at L7.</p>"
        );
    }
    writeln!(
        out,
        "<p class=\"muted\">The rules whose errors and warnings hold files at their lowest \
         failing rung: fixing these raises the most files.</p>"
    )?;
    writeln!(
        out,
        "<table id=\"blockers\"><tr><th>Rule</th><th>Level</th><th class=\"n\">Files held \
         back</th><th class=\"n\">Findings</th></tr>"
    )?;
    for b in &blockers {
        writeln!(
            out,
            "<tr><td><a href=\"{}\"><code>{}</code></a></td><td>{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td></tr>",
            escape(&doc_url(b.code)),
            escape(b.code),
            level_label(Some(b.level)),
            b.files,
            b.findings
        )?;
    }
    writeln!(out, "</table>")
}

/// Per folder: files, level, a bar of its files' levels, findings per severity.
fn folders(report: &CheckReport, out: &mut dyn Write) -> io::Result<()> {
    let folders = summary::folders(report);
    writeln!(out, "<h2>Folders</h2>")?;
    writeln!(
        out,
        "<table id=\"folders\"><tr><th>Folder</th><th class=\"n\">Files</th><th>Level</th>\
         <th>Files per level</th><th class=\"n\">Errors</th><th class=\"n\">Warnings</th>\
         <th class=\"n\">Infos, hints</th><th class=\"n\">Failing</th></tr>"
    )?;
    for (name, f) in &folders {
        write!(
            out,
            "<tr><td><code>{}</code></td><td class=\"n\">{}</td><td>{}</td><td><div class=\"bar\">",
            escape(name),
            f.files,
            level_label(f.level)
        )?;
        for (i, &n) in f.per_level.iter().enumerate() {
            if n > 0 {
                let level = i.checked_sub(1).map(|l| l as u8);
                write!(
                    out,
                    "<span style=\"width:{:.1}%;background:{}\" title=\"{}: {}\"></span>",
                    100.0 * n as f64 / f.files.max(1) as f64,
                    colour(level),
                    summary::level_name(level),
                    plural(n, "file")
                )?;
            }
        }
        writeln!(
            out,
            "</div></td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td></tr>",
            f.severities[0],
            f.severities[1],
            f.severities[2] + f.severities[3],
            f.failing
        )?;
    }
    writeln!(out, "</table>")
}

/// Every finding, file by file, with its source line.
fn findings(report: &CheckReport, out: &mut dyn Write) -> io::Result<()> {
    let total = report.findings().count();
    writeln!(out, "<h2>Findings</h2>")?;
    if total == 0 {
        return writeln!(out, "<p id=\"findings\">No finding.</p>");
    }
    writeln!(
        out,
        "<p class=\"muted\">{} in {}, by file. Faded: above the file's target (reported, not \
         failing).</p>\n<div id=\"findings\">",
        plural(total, "finding"),
        plural(
            report
                .files
                .iter()
                .filter(|f| !f.findings.is_empty())
                .count(),
            "file"
        )
    )?;
    for file in report.files.iter().filter(|f| !f.findings.is_empty()) {
        let level = file.level();
        writeln!(
            out,
            "<details class=\"file\" open><summary><code>{}</code> {} · {} · target L{}\
             </summary>\n<table><tr><th>Line</th><th>Level</th><th>Severity</th><th>Rule</th>\
             <th>Message and source</th></tr>",
            escape(&file.path),
            level_label(level),
            plural(file.findings.len(), "finding"),
            file.fail_level
        )?;
        for f in &file.findings {
            finding_row(file, f, out)?;
        }
        writeln!(out, "</table></details>")?;
    }
    writeln!(out, "</div>")
}

fn finding_row(file: &FileReport, f: &Finding, out: &mut dyn Write) -> io::Result<()> {
    let start = file.pos(f.range.start);
    let above = f.level > file.fail_level || !f.severity.blocks_level();
    write!(
        out,
        "<tr class=\"finding{}\"><td class=\"n\">{}:{}</td><td>{}</td><td class=\"sev sev-{sev}\">\
         {sev}</td><td><a href=\"{}\"><code>{}</code></a></td><td>{}",
        if above { " above" } else { "" },
        start.line,
        start.column,
        level_label(Some(f.level)),
        escape(&doc_url(f.code)),
        escape(f.code),
        inline_code(&f.message),
        sev = f.severity.as_str(),
    )?;
    source_line(file, f, out)?;
    writeln!(out, "</td></tr>")
}

/// The finding's first line, its flagged part marked, cut at [`MAX_LINE_CHARS`].
fn source_line(file: &FileReport, f: &Finding, out: &mut dyn Write) -> io::Result<()> {
    let rope = &file.rope;
    let len = rope.len_bytes();
    let (Ok(start_char), Ok(end_char)) = (
        rope.try_byte_to_char(f.range.start.min(len)),
        rope.try_byte_to_char(f.range.end.min(len)),
    ) else {
        return Ok(());
    };
    let line_idx = rope.char_to_line(start_char);
    let line_start = rope.line_to_char(line_idx);
    let line = rope.line(line_idx);
    let mut chars: Vec<char> = line.chars().take(MAX_LINE_CHARS + 1).collect();
    let cut = chars.len() > MAX_LINE_CHARS;
    chars.truncate(MAX_LINE_CHARS);
    while chars.last().is_some_and(|c| *c == '\n' || *c == '\r') {
        chars.pop();
    }
    if chars.iter().all(|c| c.is_whitespace()) {
        return Ok(());
    }
    let mark_from = (start_char - line_start).min(chars.len());
    let mark_to = end_char
        .saturating_sub(line_start)
        .clamp(mark_from, chars.len());
    let text = |range: &[char]| escape(&range.iter().collect::<String>());
    write!(
        out,
        "<pre class=\"src\">{}<mark>{}</mark>{}{}</pre>",
        text(&chars[..mark_from]),
        text(&chars[mark_from..mark_to]),
        text(&chars[mark_to..]),
        if cut {
            "<span class=\"ctl\">…</span>"
        } else {
            ""
        }
    )
}

/// Escapes text for HTML (elements and attribute values), control characters shown as
/// `\u{1b}` in red.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' => out.push(c),
            c if c.is_control() => {
                out.push_str(&format!(
                    "<span class=\"ctl\">{}</span>",
                    printable(&c.to_string())
                ));
            }
            c => out.push(c),
        }
    }
    out
}

/// A message, its `` `code` `` spans as `<code>`, everything escaped.
fn inline_code(s: &str) -> String {
    let parts: Vec<&str> = s.split('`').collect();
    let paired = parts.len() % 2 == 1;
    let mut out = String::with_capacity(s.len() + 16);
    for (i, part) in parts.iter().enumerate() {
        let code = i % 2 == 1 && (paired || i + 1 < parts.len());
        if code {
            out.push_str("<code>");
            out.push_str(&escape(part));
            out.push_str("</code>");
        } else {
            if i % 2 == 1 {
                out.push('`'); // the unpaired last backtick
            }
            out.push_str(&escape(part).replace('\n', "<br>"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_controls_shown() {
        assert_eq!(
            escape("<script>alert('x' & \"y\")</script>"),
            "&lt;script&gt;alert(&#39;x&#39; &amp; &quot;y&quot;)&lt;/script&gt;"
        );
        assert_eq!(escape("a\u{0}b"), "a<span class=\"ctl\">\\u{0}</span>b");
    }

    #[test]
    fn code_spans_become_code_elements() {
        assert_eq!(
            inline_code("`raw/1` of <b>"),
            "<code>raw/1</code> of &lt;b&gt;"
        );
        assert_eq!(inline_code("one ` tick"), "one ` tick");
    }
}
