//! Output formats of `check`. Each writes to a stream as it goes: a report of tens of thousands
//! of findings is never held a second time as text.

mod github;
mod html;
mod human;
mod json;
mod markdown;
mod sarif;
mod statistics;
mod summary;

use std::io::{self, Write};

use serde_json::Value;

use super::Format;
use super::report::CheckReport;

/// What to print besides the format.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// `--statistics`: counts per rule instead of the findings.
    pub statistics: bool,
}

/// Writes a report in `format` to `out`.
pub fn write(
    report: &CheckReport,
    format: Format,
    options: Options,
    out: &mut dyn Write,
) -> io::Result<()> {
    if options.statistics {
        return match format {
            Format::Json => statistics::json(report, out),
            Format::Markdown => statistics::markdown(report, out),
            _ => statistics::human(report, out),
        };
    }
    match format {
        Format::Human => human::write(report, out),
        Format::Json => json::write(report, out),
        Format::Sarif => sarif::write(report, out),
        Format::Github => github::write(report, out),
        Format::Html => html::write(report, out),
        Format::Markdown => markdown::write(report, out),
    }
}

/// Renders a report in `format` to a string (for tests and callers that want the text).
pub fn render(report: &CheckReport, format: Format) -> String {
    let mut out = Vec::new();
    // Writing to memory cannot fail.
    let _ = write(report, format, Options::default(), &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether a character from the source must not reach a terminal, log or page as it is: C0 and
/// C1 controls and DEL (escape sequences drive terminals; NUL truncates C strings).
pub fn is_control(c: char) -> bool {
    c.is_control()
}

/// Shows control characters quoted from the source as `\u{1b}`, keeping line breaks (`\n`;
/// a lone `\r` would rewrite the line in a terminal, so it is shown too).
pub fn printable(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(|c| is_control(c) && c != '\n') {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_control(c) && c != '\n' {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Writes `value` pretty-printed at nesting `depth` (two spaces each), its first line indented.
pub fn nested(value: &Value, depth: usize, out: &mut dyn Write) -> io::Result<()> {
    out.write_all("  ".repeat(depth).as_bytes())?;
    nested_tail(value, depth, out)
}

/// Writes `value` pretty-printed at nesting `depth`, its first line not indented (it follows a
/// key). Pretty JSON has no raw line break inside strings, so re-indenting by lines is safe.
pub fn nested_tail(value: &Value, depth: usize, out: &mut dyn Write) -> io::Result<()> {
    let text = serde_json::to_string_pretty(value).unwrap_or_default();
    let text = escape_json_controls(&text);
    let indent = "  ".repeat(depth);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.write_all(b"\n")?;
            out.write_all(indent.as_bytes())?;
        }
        out.write_all(line.as_bytes())?;
    }
    Ok(())
}

/// JSON text with DEL and the C1 controls escaped too (serde_json escapes only U+0000–U+001F).
/// They can only occur inside strings, where `\u007f` means the same character.
pub fn escape_json_controls(json: &str) -> std::borrow::Cow<'_, str> {
    if !json.chars().any(|c| ('\u{7f}'..='\u{9f}').contains(&c)) {
        return std::borrow::Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if ('\u{7f}'..='\u{9f}').contains(&c) {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_shown_escaped() {
        assert_eq!(
            printable("a\u{0}b\u{1b}[31m\tc\r\nd"),
            "a\\u{0}b\\u{1b}[31m\\u{9}c\\u{d}\nd"
        );
        assert_eq!(printable("plain café\n"), "plain café\n");
        assert_eq!(printable("\u{85}\u{7f}"), "\\u{85}\\u{7f}");
    }

    #[test]
    fn json_escapes_del_and_c1_controls() {
        let json = serde_json::to_string("a\u{0}\u{7f}\u{9b}é").unwrap();
        let escaped = escape_json_controls(&json);
        assert_eq!(escaped, "\"a\\u0000\\u007f\\u009bé\"");
        let back: String = serde_json::from_str(&escaped).unwrap();
        assert_eq!(back, "a\u{0}\u{7f}\u{9b}é");
    }
}
