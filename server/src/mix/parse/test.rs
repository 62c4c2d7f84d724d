//! `mix test` output → `test-failure` findings at the failing test's line and, when it is
//! elsewhere, at the line that failed (the first stack frame in the project).
//!
//! ```text
//!   2) test failing equality assertion (SampleAppTest)
//!      test/sample_app_test.exs:9
//!      Assertion with == failed
//!      code:  assert SampleApp.add(1, 2) == 4
//!      left:  3
//!      right: 4
//!      stacktrace:
//!        test/sample_app_test.exs:10: (test)
//! ```
//!
//! Skipped and excluded tests are only counted in the summary, never listed, so they are never
//! failures here.

use std::path::Path;

use super::{clean, location};
use crate::lint::Severity;
use crate::mix::GateFinding;

/// A failure header: `  2) test NAME (Module)`.
fn header(line: &str) -> Option<String> {
    let trimmed = line.trim_start();
    let (number, rest) = trimmed.split_once(") ")?;
    if number.is_empty()
        || !number.chars().all(|c| c.is_ascii_digit())
        || line.len() - trimmed.len() < 2
    {
        return None;
    }
    Some(rest.trim().to_string())
}

/// Findings for every failure in `output` (stdout of `mix test`), paths resolved against `root`.
pub fn parse(output: &str, root: &Path) -> Vec<GateFinding> {
    let text = clean(output);
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let Some(title) = header(lines[i]) else {
            i += 1;
            continue;
        };
        let Some(test_loc) = lines.get(i + 1).and_then(|l| location(l)) else {
            i += 1;
            continue;
        };
        // The failure's message: what ExUnit prints before `stacktrace:`.
        let mut message = Vec::new();
        let mut failing = None;
        let mut j = i + 2;
        while j < lines.len() && header(lines[j]).is_none() {
            let l = lines[j].trim();
            if l == "stacktrace:" {
                j += 1;
                while j < lines.len() && !lines[j].trim().is_empty() {
                    if let Some(loc) = location(lines[j])
                        .filter(|loc| !loc.path.starts_with('(') && !loc.path.starts_with('/'))
                    {
                        failing.get_or_insert(loc);
                    }
                    j += 1;
                }
                break;
            }
            if l.starts_with("Finished in ") {
                break;
            }
            if !l.is_empty() {
                message.push(l.to_string());
            }
            j += 1;
        }
        let name = title
            .strip_suffix(')')
            .and_then(|t| t.rsplit_once(" ("))
            .map_or(title.as_str(), |(n, _)| n)
            .to_string();
        let detail = if message.is_empty() {
            "failed".to_string()
        } else {
            message.join("\n")
        };
        out.push(GateFinding::at(
            root.join(&test_loc.path),
            test_loc.line,
            None,
            "test-failure",
            3,
            Severity::Error,
            format!("{name} failed: {detail}"),
        ));
        if let Some(loc) = failing.filter(|f| f.path != test_loc.path || f.line != test_loc.line) {
            out.push(GateFinding::at(
                root.join(&loc.path),
                loc.line,
                None,
                "test-failure",
                3,
                Severity::Error,
                format!("fails `{name}`: {detail}"),
            ));
        }
        i = j.max(i + 1);
    }
    out
}

/// The summary line (`2 doctests, 5 tests, 5 failures`), if the run got that far.
pub fn summary(output: &str) -> Option<String> {
    clean(output)
        .lines()
        .find(|l| l.contains(" failure") && (l.contains(" test") || l.contains(" doctest")))
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn recorded(version: &str, case: &str) -> Vec<GateFinding> {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../fixtures/mix-output")
            .join(version)
            .join(format!("{case}.stdout"));
        parse(
            &std::fs::read_to_string(path).unwrap(),
            Path::new("/tmp/sample_app"),
        )
    }

    #[test]
    fn failures_at_the_test_and_the_failing_line_in_every_version() {
        for v in ["1.14.0", "1.15.8", "1.16.3", "1.17.3", "1.18.4"] {
            for case in [
                "test-failures-seed0",
                "test-failures-term-dumb-no-NO_COLOR",
                "test-failures-term-xterm-no-NO_COLOR",
            ] {
                let found = recorded(v, case);
                let at: Vec<String> = found
                    .iter()
                    .map(|f| {
                        format!(
                            "{}:{}",
                            f.path.strip_prefix("/tmp/sample_app").unwrap().display(),
                            f.line
                        )
                    })
                    .collect();
                assert_eq!(
                    at,
                    [
                        "test/sample_app_test.exs:3",
                        "lib/sample_app.ex:24",
                        "test/sample_app_test.exs:9",
                        "test/sample_app_test.exs:10",
                        "test/sample_app_test.exs:13",
                        "test/sample_app_test.exs:14",
                        "test/sample_app_test.exs:17",
                        "test/sample_app_test.exs:18",
                        "test/sample_app_test.exs:21",
                        "test/sample_app_test.exs:22"
                    ],
                    "{v} {case}"
                );
                let eq = &found[2];
                assert!(
                    eq.message.starts_with(
                        "test failing equality assertion failed: Assertion with == failed"
                    ),
                    "{}",
                    eq.message
                );
                assert!(eq.message.contains("left:  3"), "{}", eq.message);
                assert!(found[8].message.contains("** (ArgumentError) boom"));
            }
        }
    }

    #[test]
    fn passing_runs_have_no_failures() {
        for v in ["1.14.0", "1.18.4"] {
            assert!(recorded(v, "test-pass").is_empty());
        }
    }
}
