//! `mix compile` output → `compile-error` / `compile-warning` findings, for the formats of
//! Elixir 1.14 (`warning: MSG` then `  FILE:LINE`), 1.15–1.16 (`error:` entries, columns) and
//! 1.17+ (indented entries with a code snippet and a `└─ FILE:LINE:COL` line), plus the
//! `** (SyntaxError) FILE:LINE:COL: message` lines of syntax errors.

use std::path::Path;

use super::{clean, location};
use crate::lint::Severity;
use crate::mix::GateFinding;

/// Findings in `output` (stdout or stderr of `mix compile`), paths resolved against `root`.
pub fn parse(output: &str, root: &Path) -> Vec<GateFinding> {
    let text = clean(output);
    let lines: Vec<&str> = text.lines().collect();
    let mut out: Vec<GateFinding> = Vec::new();
    // Files that failed without a line (`** (CompileError) lib/x.ex: cannot compile module`).
    let mut unlocated: Vec<(String, String)> = Vec::new();
    // `==> app` introduces the output of an umbrella app, whose paths are relative to it.
    let mut app_dir = root.to_path_buf();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim();
        if let Some(app) = trimmed.strip_prefix("==> ") {
            let dir = root.join("apps").join(app.trim());
            app_dir = if dir.is_dir() {
                dir
            } else {
                root.to_path_buf()
            };
            i += 1;
            continue;
        }
        let entry = trimmed
            .strip_prefix("warning: ")
            .map(|m| (Severity::Warning, m))
            .or_else(|| {
                trimmed
                    .strip_prefix("error: ")
                    .map(|m| (Severity::Error, m))
            });
        if let Some((severity, first)) = entry {
            let mut message = vec![first.to_string()];
            let mut j = i + 1;
            let mut found = None;
            while j < lines.len() {
                let next = lines[j].trim();
                if let Some(loc) = location(next) {
                    found = Some(loc);
                    break;
                }
                if next.starts_with("warning: ")
                    || next.starts_with("error: ")
                    || next.starts_with("** (")
                    || next.starts_with("== ")
                {
                    break;
                }
                // Code snippets (`  8 │ y = x`, `│`, ` ...`) are not part of the message.
                if !next.is_empty() && !next.contains('│') && next != "..." {
                    message.push(next.to_string());
                }
                j += 1;
            }
            if let Some(loc) = found {
                let (code, level) = if severity == Severity::Error {
                    ("compile-error", 0)
                } else {
                    ("compile-warning", 0)
                };
                out.push(GateFinding::at(
                    app_dir.join(&loc.path),
                    loc.line,
                    loc.column,
                    code,
                    level,
                    severity,
                    message.join("\n"),
                ));
                i = j + 1;
                continue;
            }
            i += 1;
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix("** (") {
            let Some((kind, rest)) = rest.split_once(") ") else {
                i += 1;
                continue;
            };
            // `** (SyntaxError) lib/x.ex:3:9: syntax error before: '*'` (1.14) carries its
            // message; `… found on lib/x.ex:3:9:` (1.16+) is followed by an `error:` entry.
            if let Some(loc) = location(rest).filter(|l| !l.rest.is_empty()) {
                let message = format!("{kind}: {}", loc.rest);
                out.push(GateFinding::at(
                    app_dir.join(&loc.path),
                    loc.line,
                    loc.column,
                    "compile-error",
                    0,
                    Severity::Error,
                    message,
                ));
            } else if let Some((path, msg)) = rest
                .split_once(": ")
                .filter(|(p, _)| p.ends_with(".ex") || p.ends_with(".exs"))
            {
                unlocated.push((path.to_string(), format!("{kind}: {msg}")));
            }
        }
        i += 1;
    }
    for (path, message) in unlocated {
        let full = app_dir.join(&path);
        if !out
            .iter()
            .any(|f| f.path == full && f.severity == Severity::Error)
        {
            out.push(GateFinding::at(
                full,
                1,
                None,
                "compile-error",
                0,
                Severity::Error,
                message,
            ));
        }
    }
    dedup(&mut out);
    out
}

/// Drops repeated findings (`--all-warnings` can replay a warning the compile also printed).
pub fn dedup(findings: &mut Vec<GateFinding>) {
    let mut seen = std::collections::HashSet::new();
    findings.retain(|f| {
        seen.insert((
            f.path.clone(),
            f.line,
            f.column,
            f.code.clone(),
            f.message.clone(),
        ))
    });
}

/// Whether the output says dependencies are missing (`mix deps.get` needed).
pub fn missing_deps(output: &str) -> bool {
    output.contains("Unchecked dependencies") || output.contains("the dependency is not available")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn recorded(version: &str, case: &str) -> Vec<GateFinding> {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../fixtures/mix-output")
            .join(version);
        let root = Path::new("/tmp/sample_app");
        let mut all = Vec::new();
        for stream in ["stdout", "stderr"] {
            let text = std::fs::read_to_string(dir.join(format!("{case}.{stream}"))).unwrap();
            all.extend(parse(&text, root));
        }
        dedup(&mut all);
        all
    }

    fn summary(findings: &[GateFinding]) -> Vec<String> {
        findings
            .iter()
            .map(|f| {
                let file = f
                    .path
                    .strip_prefix("/tmp/sample_app")
                    .unwrap()
                    .display()
                    .to_string();
                let col = f.column.map(|c| format!(":{c}")).unwrap_or_default();
                format!(
                    "{} {file}:{}{col} {}",
                    f.code,
                    f.line,
                    f.message.lines().next().unwrap()
                )
            })
            .collect()
    }

    const VERSIONS: [&str; 5] = ["1.14.0", "1.15.8", "1.16.3", "1.17.3", "1.18.4"];

    #[test]
    fn warnings_in_every_version() {
        for v in VERSIONS {
            let found = recorded(v, "compile-warnings");
            let lines: Vec<usize> = {
                let mut l: Vec<usize> = found.iter().map(|f| f.line).collect();
                l.sort();
                l
            };
            assert_eq!(
                lines,
                [3, 5, 8, 13, 17, 21, 24],
                "{v}: {:#?}",
                summary(&found)
            );
            assert!(
                found.iter().all(|f| f.code == "compile-warning"
                    && f.path.ends_with("lib/sample_app/warnings.ex")),
                "{v}"
            );
            let unused = found.iter().find(|f| f.line == 8).unwrap();
            assert!(
                unused.message.starts_with("variable \"y\" is unused"),
                "{v}: {}",
                unused.message
            );
            if v != "1.14.0" && v != "1.15.8" {
                assert_eq!(unused.column, Some(5), "{v}");
            }
        }
    }

    #[test]
    fn tty_output_with_colours_parses_the_same() {
        assert_eq!(recorded("1.14.0", "compile-warnings-tty").len(), 7);
        assert_eq!(recorded("1.18.4", "compile-warnings-tty").len(), 7);
    }

    #[test]
    fn errors_in_every_version() {
        for v in VERSIONS {
            let undefined = summary(&recorded(v, "compile-error-undefined-local"));
            assert_eq!(undefined.len(), 1, "{v}: {undefined:?}");
            assert!(
                undefined[0].starts_with("compile-error lib/sample_app/broken.ex:3"),
                "{v}: {undefined:?}"
            );
            assert!(
                undefined[0].contains("undefined function helper/1"),
                "{v}: {undefined:?}"
            );

            let missing_end = recorded(v, "compile-error-syntax-missing-end");
            assert_eq!(missing_end.len(), 1, "{v}: {:?}", summary(&missing_end));
            assert!(
                missing_end[0].message.contains("missing terminator: end"),
                "{v}"
            );

            let token = summary(&recorded(v, "compile-error-syntax-unexpected-token"));
            assert_eq!(token.len(), 1, "{v}: {token:?}");
            assert!(
                token[0].contains("lib/sample_app/syntax.ex:3:9")
                    && token[0].contains("syntax error before"),
                "{v}: {token:?}"
            );

            let bracket = summary(&recorded(v, "compile-error-syntax-missing-bracket"));
            assert_eq!(bracket.len(), 1, "{v}: {bracket:?}");
            assert!(bracket[0].contains("syntax.ex:5:3"), "{v}: {bracket:?}");

            let spec = summary(&recorded(v, "compile-error-spec-undefined"));
            assert_eq!(spec.len(), 1, "{v}: {spec:?}");
            assert!(
                spec[0].contains("spec_typo.ex:2")
                    && spec[0].contains("spec for undefined function greet/1"),
                "{v}: {spec:?}"
            );
        }
    }

    #[test]
    fn errors_with_warnings_keep_both() {
        for v in VERSIONS {
            let found = recorded(v, "compile-error-with-warnings");
            assert!(
                found
                    .iter()
                    .any(|f| f.code == "compile-error" && f.line == 3),
                "{v}: {:?}",
                summary(&found)
            );
            // Some versions print no warning when another file fails to compile.
            let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../fixtures/mix-output")
                .join(v);
            let printed = std::fs::read_to_string(dir.join("compile-error-with-warnings.stderr"))
                .unwrap()
                .contains("warning: variable");
            assert_eq!(
                found
                    .iter()
                    .any(|f| f.code == "compile-warning" && f.line == 8),
                printed,
                "{v}: {:?}",
                summary(&found)
            );
        }
    }

    #[test]
    fn noop_compiles_have_no_errors_and_all_warnings_replays_them() {
        for v in VERSIONS {
            assert!(
                recorded(v, "compile-noop")
                    .iter()
                    .all(|f| f.code == "compile-warning"),
                "{v}"
            );
            assert_eq!(recorded(v, "compile-all-warnings-noop").len(), 7, "{v}");
        }
    }

    #[test]
    fn umbrella_apps_resolve_paths() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(tmp.path().join("apps/shop")).unwrap();
        let found = parse(
            "==> shop\nwarning: unused alias X\n  lib/shop.ex:3\n",
            tmp.path(),
        );
        assert_eq!(found[0].path, tmp.path().join("apps/shop/lib/shop.ex"));
    }
}
