//! `mix format`: the files `--check-formatted` lists, and `unformatted` findings on the lines
//! `mix format` would change (a diff of the file against `mix format -` of its content), each
//! with the formatted lines as its replacement.

use std::path::Path;

use super::clean;
use crate::lint::Severity;
use crate::mix::GateFinding;
use crate::mix::diff::diff_lines;

/// The files `mix format --check-formatted` reports: `  * lib/x.ex` (Elixir 1.14), or a bare
/// path line before each file's diff (1.15+, absolute).
pub fn unformatted_files(stderr: &str) -> Vec<String> {
    let text = clean(stderr);
    let Some((_, list)) = text.split_once("The following files are not formatted:") else {
        return Vec::new();
    };
    list.lines()
        .map(|l| l.trim().trim_start_matches("* ").trim())
        .filter(|l| {
            !l.contains(' ') && !l.contains('|') && (l.ends_with(".ex") || l.ends_with(".exs"))
        })
        .map(str::to_string)
        .collect()
}

/// One finding per changed region between `original` and `formatted`.
pub fn findings(path: &Path, original: &str, formatted: &str) -> Vec<GateFinding> {
    let old: Vec<&str> = original.split_inclusive('\n').collect();
    let new: Vec<&str> = formatted.split_inclusive('\n').collect();
    diff_lines(&old, &new)
        .into_iter()
        .map(|h| {
            let (first, last) = (h.old.start + 1, h.old.end);
            let message = if h.old.is_empty() {
                format!(
                    "mix format would insert {} line(s) before line {first}",
                    h.new.len()
                )
            } else if h.new.is_empty() && first == last {
                format!("mix format would remove line {first}")
            } else if h.new.is_empty() {
                format!("mix format would remove lines {first}–{last}")
            } else if first == last {
                format!("mix format would change line {first}")
            } else {
                format!("mix format would change lines {first}–{last}")
            };
            let mut f = GateFinding::at(
                path.to_path_buf(),
                first,
                Some(1),
                "unformatted",
                1,
                Severity::Warning,
                message,
            );
            f.end = Some((h.old.end + 1, 1));
            f.replacement = Some(new[h.new].concat());
            f
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn lists_unformatted_files_of_every_version() {
        for v in ["1.14.0", "1.15.8", "1.16.3", "1.17.3", "1.18.4"] {
            let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../fixtures/mix-output")
                .join(v)
                .join("format-check-formatted-fail.stderr");
            let files = unformatted_files(&std::fs::read_to_string(path).unwrap());
            assert!(
                !files.is_empty()
                    && files
                        .iter()
                        .all(|f| f.ends_with(".ex") || f.ends_with(".exs")),
                "{v}: {files:?}"
            );
        }
    }

    #[test]
    fn hunks_carry_the_formatted_lines() {
        let original = "defmodule A do\n  def f(x),   do: x\n\n\n  def g, do: 1\nend\n";
        let formatted = "defmodule A do\n  def f(x), do: x\n\n  def g, do: 1\nend\n";
        let found = findings(Path::new("/p/lib/a.ex"), original, formatted);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((found[0].line, found[0].end), (2, Some((4, 1))));
        assert_eq!(found[0].message, "mix format would change lines 2–3");
        // Applying every replacement gives the formatted text.
        let mut lines: Vec<String> = original.split_inclusive('\n').map(str::to_string).collect();
        for f in found.iter().rev() {
            let end = f.end.unwrap().0 - 1;
            lines.splice(f.line - 1..end, [f.replacement.clone().unwrap()]);
        }
        assert_eq!(lines.concat(), formatted);
    }
}
