//! `mix compile` output → `compile-error` / `compile-warning` findings, for the formats of
//! Elixir 1.14 (`warning: MSG` then `  FILE:LINE`), 1.15–1.16 (`error:` entries, columns) and
//! 1.17+ (indented entries with a code snippet and a `└─ FILE:LINE:COL` line), plus the
//! `** (SyntaxError) FILE:LINE:COL: message` lines of syntax errors.

use std::path::{Component, Path, PathBuf};

use super::{clean, location};
use crate::lint::Severity;
use crate::mix::GateFinding;

/// Who owns the output of `mix compile`: the project (and its umbrella apps) or a dependency.
///
/// Mix prints `==> name` before the output of each dependency and umbrella app it compiles
/// (and `==> app` when it comes back to the project); a dependency's warnings name paths
/// relative to the dependency, so they never describe a project file, even when the project
/// happens to have a file at the same relative path.
#[derive(Clone, Debug)]
pub struct Layout {
    /// The Mix project the gates run in.
    pub root: PathBuf,
    /// The project's own app name (`app: :name` in its `mix.exs`), for a plain project.
    pub app: Option<String>,
    /// Umbrella apps: app name and folder (`apps/*`).
    pub apps: Vec<(String, PathBuf)>,
}

/// Whose output a part of `mix compile`'s output is.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Owner {
    /// The project, or one of its umbrella apps: relative paths start from this folder.
    Project(PathBuf),
    /// A dependency (its name).
    Dependency(String),
}

impl Layout {
    /// The layout of the project at `root`, read from its `mix.exs` and `apps/*/mix.exs`.
    pub fn of(root: &Path) -> Layout {
        let mut apps = Vec::new();
        if let Ok(entries) = std::fs::read_dir(root.join("apps")) {
            for entry in entries.flatten() {
                let dir = entry.path();
                if !dir.join("mix.exs").is_file() {
                    continue;
                }
                let name = app_name(&dir.join("mix.exs"))
                    .or_else(|| entry.file_name().to_str().map(str::to_string));
                if let Some(name) = name {
                    apps.push((name, dir));
                }
            }
        }
        apps.sort();
        Layout {
            root: root.to_path_buf(),
            app: app_name(&root.join("mix.exs")),
            apps,
        }
    }

    /// The owner of the output after a `==> name` header.
    fn owner(&self, name: &str) -> Owner {
        if let Some((_, dir)) = self.apps.iter().find(|(app, _)| app == name) {
            return Owner::Project(dir.clone());
        }
        let is_project = match &self.app {
            Some(app) => app == name,
            // The app name is computed in mix.exs: any header that is not a fetched
            // dependency's is taken for the project's.
            None => self.apps.is_empty() && !self.root.join("deps").join(name).exists(),
        };
        if is_project {
            Owner::Project(self.root.clone())
        } else {
            Owner::Dependency(name.to_string())
        }
    }

    /// Whether a `==> name` header introduces a dependency's output (not the project's or
    /// an umbrella app's).
    pub fn is_dependency(&self, name: &str) -> bool {
        matches!(self.owner(name), Owner::Dependency(_))
    }

    /// Whether `path` (absolute) is inside the project and outside its dependencies and build
    /// output.
    pub fn is_inside_project(&self, path: &Path) -> bool {
        let Ok(rel) = path.strip_prefix(&self.root) else {
            return false;
        };
        rel.components().all(|c| match c {
            Component::Normal(name) => name
                .to_str()
                .is_none_or(|n| !crate::workspace::SKIPPED_DIRS.contains(&n)),
            _ => false,
        })
    }

    /// Whether `path` (absolute) is an existing file of the project (see
    /// [`Layout::is_inside_project`]).
    pub fn is_project_file(&self, path: &Path) -> bool {
        self.is_inside_project(path) && path.is_file()
    }

    /// Where a finding a tool reported at `path` belongs: `path` itself when it is a project
    /// file, else the one umbrella app that has the file at the same relative path (`mix test`
    /// prints stack frames relative to the app); `None` outside the project or when no (or more
    /// than one) project file matches.
    pub fn locate(&self, path: &Path) -> Option<PathBuf> {
        if self.is_project_file(path) {
            return Some(path.to_path_buf());
        }
        let rel = path.strip_prefix(&self.root).ok()?;
        self.resolve(rel.to_str()?, &self.root)
    }

    /// The project file a path printed in `dir`'s output names. A relative path is looked up
    /// in `dir` first, then in the project and each umbrella app (mix replays the warnings of
    /// an app it did not recompile without a `==> app` header first): the one folder that has
    /// the file. `None` when no project file (or more than one) matches.
    fn resolve(&self, printed: &str, dir: &Path) -> Option<PathBuf> {
        let printed_path = Path::new(printed);
        if printed_path.is_absolute() {
            return self
                .is_project_file(printed_path)
                .then(|| printed_path.to_path_buf());
        }
        let here = dir.join(printed_path);
        if self.is_project_file(&here) {
            return Some(here);
        }
        let mut found = std::iter::once(&self.root)
            .chain(self.apps.iter().map(|(_, d)| d))
            .map(|d| d.join(printed_path))
            .filter(|p| self.is_project_file(p));
        let first = found.next()?;
        found.next().is_none().then_some(first)
    }
}

/// The `app: :name` of a `mix.exs` (also `app: @app` with `@app :name`).
pub fn app_name(mix_exs: &Path) -> Option<String> {
    let text = std::fs::read_to_string(mix_exs).ok()?;
    let after = &text[text.find("app:")? + 4..];
    let value = after.trim_start();
    let atom = |s: &str| -> Option<String> {
        let name: String = s
            .strip_prefix(':')?
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        (!name.is_empty()).then_some(name)
    };
    if let Some(attr) = value.strip_prefix('@') {
        let attr: String = attr
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let definition = format!("@{attr} :");
        let at = text.find(&definition)?;
        return atom(&text[at + definition.len() - 1..]);
    }
    atom(value)
}

/// What `mix compile` printed, split by owner.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CompileOutput {
    /// The project's findings, at existing project files.
    pub findings: Vec<GateFinding>,
    /// The dependencies mix compiled (their `==> name` headers), in order.
    pub compiled_deps: Vec<String>,
    /// The dependencies that failed to compile, with the first error printed for each.
    pub failed_deps: Vec<(String, Option<String>)>,
}

/// The dependency a `==> name` header names, if the line is one (`===> ` is rebar3's).
pub fn header(line: &str) -> Option<&str> {
    let name = clean_line(line).strip_prefix("==> ")?.trim();
    (!name.is_empty() && !name.contains(' ')).then_some(name)
}

fn clean_line(line: &str) -> &str {
    line.trim_matches(|c: char| c.is_whitespace() || c == '\r')
}

/// `could not compile dependency :name, "mix compile" failed…` (and `** (Mix) Could not
/// compile dependency :name`): the dependency's name.
fn failed_dependency(line: &str) -> Option<String> {
    let lower = line.to_ascii_lowercase();
    let at = lower.find("could not compile dependency :")? + "could not compile dependency :".len();
    let name: String = line[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty()).then_some(name)
}

/// Findings in `output` (stdout or stderr of `mix compile`) that belong to the project at
/// `root`; see [`parse_output`].
pub fn parse(output: &str, root: &Path) -> Vec<GateFinding> {
    parse_output(output, &Layout::of(root)).findings
}

/// Reads `mix compile`'s output (best with stderr merged into stdout, so that `==> dep`
/// headers precede their dependency's warnings): the project's findings, at existing project
/// files only, and the dependencies compiled and failed.
pub fn parse_output(output: &str, layout: &Layout) -> CompileOutput {
    let text = clean(output);
    let lines: Vec<&str> = text.lines().collect();
    let mut result = CompileOutput::default();
    // Diagnostics as printed, before the project check.
    let mut raw: Vec<Printed> = Vec::new();
    // Files that failed without a line (`** (CompileError) lib/x.ex: cannot compile module`).
    let mut unlocated: Vec<(Owner, String, String)> = Vec::new();
    let mut owner = Owner::Project(layout.root.clone());
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim();
        if let Some(name) = header(trimmed) {
            owner = layout.owner(name);
            if let Owner::Dependency(dep) = &owner
                && !result.compiled_deps.contains(dep)
            {
                result.compiled_deps.push(dep.clone());
            }
            i += 1;
            continue;
        }
        if let Some(dep) = failed_dependency(trimmed) {
            if !result.failed_deps.iter().any(|(d, _)| *d == dep) {
                // The first error printed in the dependency's section says why.
                let why = raw
                    .iter()
                    .filter(|r| r.owner == Owner::Dependency(dep.clone()))
                    .filter(|r| r.severity == Severity::Error)
                    .map(|r| format!("{}:{}: {}", r.path, r.line, first_line(&r.message)))
                    .chain(
                        unlocated
                            .iter()
                            .filter(|u| u.0 == Owner::Dependency(dep.clone()))
                            .map(|u| format!("{}: {}", u.1, first_line(&u.2))),
                    )
                    .next();
                result.failed_deps.push((dep, why));
            }
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
                    || header(next).is_some()
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
                raw.push(Printed {
                    owner: owner.clone(),
                    path: loc.path,
                    line: loc.line,
                    column: loc.column,
                    severity,
                    message: message.join("\n"),
                });
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
                raw.push(Printed {
                    owner: owner.clone(),
                    message: format!("{kind}: {}", loc.rest),
                    path: loc.path,
                    line: loc.line,
                    column: loc.column,
                    severity: Severity::Error,
                });
            } else if let Some((path, msg)) = rest
                .split_once(": ")
                .filter(|(p, _)| p.ends_with(".ex") || p.ends_with(".exs"))
            {
                unlocated.push((owner.clone(), path.to_string(), format!("{kind}: {msg}")));
            }
        }
        i += 1;
    }
    let mut out: Vec<GateFinding> = Vec::new();
    for printed in raw {
        let Owner::Project(dir) = &printed.owner else {
            continue;
        };
        let Some(path) = layout.resolve(&printed.path, dir) else {
            continue;
        };
        let code = if printed.severity == Severity::Error {
            "compile-error"
        } else {
            "compile-warning"
        };
        out.push(GateFinding::at(
            path,
            printed.line,
            printed.column,
            code,
            0,
            printed.severity,
            printed.message,
        ));
    }
    for (owner, printed, message) in unlocated {
        let Owner::Project(dir) = owner else { continue };
        let Some(full) = layout.resolve(&printed, &dir) else {
            continue;
        };
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
    result.findings = out;
    result
}

/// A diagnostic as mix printed it, with the part of the output it came in.
struct Printed {
    owner: Owner,
    /// The path as printed (relative to `owner`'s folder, or absolute).
    path: String,
    line: usize,
    column: Option<usize>,
    severity: Severity,
    message: String,
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("")
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

/// How many dependencies `mix deps` (its output) lists as not compiled or out of date, umbrella
/// apps left out.
pub fn deps_to_compile(output: &str, layout: &Layout) -> usize {
    let text = clean(output);
    let lines: Vec<&str> = text.lines().collect();
    lines
        .iter()
        .enumerate()
        .filter_map(|(i, line)| {
            let name = line.strip_prefix("* ")?.split_whitespace().next()?;
            let status = lines
                .get(i + 1..)?
                .iter()
                .find(|l| !l.trim().starts_with("locked at"))?;
            (layout.is_dependency(name) && status.trim() != "ok").then_some(name)
        })
        .count()
}

/// Whether the output says dependencies are missing (`mix deps.get` needed).
pub fn missing_deps(output: &str) -> bool {
    output.contains("Unchecked dependencies")
        || output.contains("the dependency is not available")
        // Newer mix: `Cannot compile dependency :x because it isn't available, run "mix deps.get" first`.
        || output.contains("isn't available, run \"mix deps.get\"")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// The files of the recorded sample project (empty: only their existence matters).
    const SAMPLE_FILES: [&str; 8] = [
        "mix.exs",
        "lib/sample_app.ex",
        "lib/sample_app/warnings.ex",
        "lib/sample_app/broken.ex",
        "lib/sample_app/syntax.ex",
        "lib/sample_app/spec_typo.ex",
        "lib/sample_app/unformatted.ex",
        "test/sample_app_test.exs",
    ];

    /// A stand-in for `/tmp/sample_app`, where the outputs were recorded.
    fn sample_project() -> tempfile::TempDir {
        let tmp = tempfile::tempdir().unwrap();
        for file in SAMPLE_FILES {
            let path = tmp.path().join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "").unwrap();
        }
        std::fs::write(
            tmp.path().join("mix.exs"),
            "defmodule SampleApp.MixProject do\n  use Mix.Project\n\n  def project do\n    [app: :sample_app, version: \"0.1.0\"]\n  end\nend\n",
        )
        .unwrap();
        tmp
    }

    fn recorded_text(version: &str, case: &str, stream: &str) -> String {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../fixtures/mix-output")
            .join(version);
        std::fs::read_to_string(dir.join(format!("{case}.{stream}"))).unwrap()
    }

    /// The findings of a recorded case, as paths relative to the project.
    fn recorded(version: &str, case: &str) -> Vec<GateFinding> {
        let tmp = sample_project();
        let root = tmp.path();
        let mut all = Vec::new();
        for stream in ["stdout", "stderr"] {
            let text = recorded_text(version, case, stream)
                .replace("/tmp/sample_app", &root.display().to_string());
            all.extend(parse(&text, root));
        }
        dedup(&mut all);
        relative(all, root)
    }

    fn relative(mut findings: Vec<GateFinding>, root: &Path) -> Vec<GateFinding> {
        for f in &mut findings {
            f.path = f.path.strip_prefix(root).unwrap().to_path_buf();
        }
        findings
    }

    fn summary(findings: &[GateFinding]) -> Vec<String> {
        findings
            .iter()
            .map(|f| {
                let file = f.path.display().to_string();
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
        std::fs::create_dir_all(tmp.path().join("apps/shop/lib")).unwrap();
        std::fs::write(
            tmp.path().join("apps/shop/mix.exs"),
            "defmodule Shop.MixProject do\n  def project, do: [app: :shop]\nend\n",
        )
        .unwrap();
        std::fs::write(tmp.path().join("apps/shop/lib/shop.ex"), "").unwrap();
        let found = parse(
            "==> shop\nwarning: unused alias X\n  lib/shop.ex:3\n",
            tmp.path(),
        );
        assert_eq!(found[0].path, tmp.path().join("apps/shop/lib/shop.ex"));
    }

    /// A recorded case's two streams, as one (mix prints errors on stdout in 1.14).
    fn merged(version: &str, case: &str) -> String {
        format!(
            "{}{}",
            recorded_text(version, case, "stdout"),
            recorded_text(version, case, "stderr")
        )
    }

    /// What `mix compile` prints (stderr merged) when it compiles a dependency first: the
    /// dependency's `mix.exs` warning (loaded before any header, named by an absolute path),
    /// its `==> dep` section, then the project's.
    fn with_dependency(dep_output: &str, project_output: &str) -> String {
        format!(
            "warning: function maybe_stream_data/0 is unused\n  /home/me/deps-folder/jason/mix.exs:33\n\n\
             warning: function unused/0 is unused\n  deps/plug/mix.exs:12\n\n\
             ==> jason\nCompiling 10 files (.ex)\n{dep_output}Generated jason app\n\
             ==> sample_app\nCompiling 1 file (.ex)\n{project_output}"
        )
    }

    #[test]
    fn header_lines() {
        assert_eq!(header("==> jason"), Some("jason"));
        let coloured = clean("\u{1b}[0m==> phoenix_live_view\r");
        assert_eq!(header(&coloured), Some("phoenix_live_view"));
        assert_eq!(header("===> Compiling telemetry"), None);
        assert_eq!(header("==> "), None);
        assert_eq!(
            failed_dependency(
                "could not compile dependency :jason, \"mix compile\" failed. Errors may have been logged above."
            ),
            Some("jason".to_string())
        );
        assert_eq!(
            failed_dependency("** (Mix) Could not compile dependency :fast_yaml"),
            Some("fast_yaml".to_string())
        );
    }

    #[test]
    fn dependency_warnings_are_never_project_findings_in_every_version() {
        for v in VERSIONS {
            let tmp = sample_project();
            let root = tmp.path();
            let layout = Layout::of(root);
            // The dependency's warnings name `lib/sample_app/warnings.ex`, relative to the
            // dependency: the project has a file at that path too, and it is not the one.
            let dep = recorded_text(v, "compile-warnings", "stderr");
            let project = merged(v, "compile-error-undefined-local");
            let out = parse_output(&with_dependency(&dep, &project), &layout);
            let found = summary(&relative(out.findings.clone(), root));
            assert_eq!(found.len(), 1, "{v}: {found:?}");
            assert!(
                found[0].starts_with("compile-error lib/sample_app/broken.ex:3"),
                "{v}: {found:?}"
            );
            assert_eq!(out.compiled_deps, ["jason"], "{v}");
            assert!(out.failed_deps.is_empty(), "{v}");
            // The same warnings printed for the project itself are its findings.
            let own = parse_output(&format!("==> sample_app\n{dep}"), &layout);
            assert_eq!(own.findings.len(), 7, "{v}");
            assert!(own.compiled_deps.is_empty());
        }
    }

    #[test]
    fn a_failing_dependency_is_named_with_its_error_and_gives_no_findings() {
        for v in VERSIONS {
            let tmp = sample_project();
            let layout = Layout::of(tmp.path());
            for case in [
                "compile-error-undefined-local",
                "compile-error-syntax-unexpected-token",
                "compile-error-spec-undefined",
            ] {
                let text = format!(
                    "==> jason\nCompiling 10 files (.ex)\n{}could not compile dependency :jason, \"mix compile\" failed. Errors may have been logged above. You can recompile this dependency with \"mix deps.compile jason\", update it with \"mix deps.update jason\" or clean it with \"mix deps.clean jason\"\n",
                    merged(v, case)
                );
                let out = parse_output(&text, &layout);
                assert!(out.findings.is_empty(), "{v} {case}: {:?}", out.findings);
                assert_eq!(out.failed_deps.len(), 1, "{v} {case}");
                let (name, why) = &out.failed_deps[0];
                assert_eq!(name, "jason");
                let why = why.as_deref().unwrap_or_default();
                assert!(why.contains("lib/sample_app/"), "{v} {case}: {why}");
            }
        }
    }

    #[test]
    fn umbrella_app_paths_map_to_the_app_in_every_version() {
        for v in VERSIONS {
            let tmp = tempfile::tempdir().unwrap();
            let root = tmp.path();
            std::fs::write(root.join("mix.exs"), "[apps_path: \"apps\"]").unwrap();
            for (app, file) in [
                ("sample_app", "lib/sample_app/warnings.ex"),
                ("other", "lib/other.ex"),
            ] {
                let dir = root.join("apps").join(app);
                std::fs::create_dir_all(dir.join(file).parent().unwrap()).unwrap();
                std::fs::write(dir.join(file), "").unwrap();
                std::fs::write(
                    dir.join("mix.exs"),
                    format!("def project, do: [app: :{app}, build_path: \"../../_build\"]"),
                )
                .unwrap();
            }
            let layout = Layout::of(root);
            let warnings = recorded_text(v, "compile-warnings", "stderr");
            // Compiled after its header, and replayed without one (a no-op compile of the
            // app, after another app's section).
            for text in [
                format!("==> sample_app\nCompiling 1 file (.ex)\n{warnings}"),
                format!("==> other\nCompiling 1 file (.ex)\n{warnings}"),
                warnings.clone(),
            ] {
                let out = parse_output(&text, &layout);
                assert_eq!(out.findings.len(), 7, "{v}");
                assert!(
                    out.findings
                        .iter()
                        .all(|f| f.path == root.join("apps/sample_app/lib/sample_app/warnings.ex")),
                    "{v}: {:?}",
                    out.findings
                );
                assert!(out.compiled_deps.is_empty());
            }
        }
    }

    #[test]
    fn findings_need_an_existing_file_inside_the_project() {
        let tmp = sample_project();
        let root = tmp.path();
        let layout = Layout::of(root);
        let text = format!(
            "warning: a\n  lib/missing.ex:3\n\nwarning: b\n  ../elsewhere/lib/x.ex:3\n\nwarning: c\n  {}/lib/sample_app/warnings.ex:4\n\nwarning: d\n  /etc/passwd.ex:1\n\nwarning: e\n  _build/ladder_ls/test/lib/x.ex:1\n",
            root.display()
        );
        let found = parse_output(&text, &layout).findings;
        assert_eq!(
            summary(&relative(found, root)),
            ["compile-warning lib/sample_app/warnings.ex:4 c"]
        );
    }

    #[test]
    fn counts_the_dependencies_to_compile() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(tmp.path().join("apps/alpha")).unwrap();
        std::fs::write(tmp.path().join("apps/alpha/mix.exs"), "[app: :alpha]").unwrap();
        std::fs::write(tmp.path().join("mix.exs"), "[apps_path: \"apps\"]").unwrap();
        let layout = Layout::of(tmp.path());
        // Real `mix deps` output (Elixir 1.14) of an umbrella with a path dependency and a
        // Hex one, before the first build.
        let output = "* alpha (apps/alpha) (mix)\n  could not find an app file at \"_build/ladder_ls/test/lib/alpha/ebin/alpha.app\". This may happen if the dependency was not yet compiled\n\
            * deps_app_dep (../deps_app_dep) (mix)\n  could not find an app file at \"_build/ladder_ls/test/lib/deps_app_dep/ebin/deps_app_dep.app\".\n\
            * jason 1.4.1 (Hex package) (mix)\n  locked at 1.4.1 (jason) 79a3d3ba\n  the dependency build is outdated, please run \"mix deps.compile\"\n\
            * telemetry 1.2.1 (Hex package) (rebar3)\n  locked at 1.2.1 (telemetry) dad9ce9d\n  ok\n";
        assert_eq!(deps_to_compile(output, &layout), 2);
    }

    #[test]
    fn app_names_from_mix_exs() {
        let tmp = tempfile::tempdir().unwrap();
        let mix = tmp.path().join("mix.exs");
        std::fs::write(
            &mix,
            "  @app :shop_web\n  def project, do: [app: @app, version: \"1.0.0\"]",
        )
        .unwrap();
        assert_eq!(app_name(&mix).as_deref(), Some("shop_web"));
        std::fs::write(&mix, "def project do\n  [\n    app: :shop,\n  ]\nend").unwrap();
        assert_eq!(app_name(&mix).as_deref(), Some("shop"));
    }

    #[test]
    fn locate_maps_app_relative_paths_and_drops_the_rest() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        for app in ["alpha", "beta"] {
            let dir = root.join("apps").join(app);
            std::fs::create_dir_all(dir.join("test")).unwrap();
            std::fs::write(dir.join("mix.exs"), format!("[app: :{app}]")).unwrap();
            std::fs::write(dir.join(format!("test/{app}_test.exs")), "").unwrap();
            std::fs::write(dir.join("test/test_helper.exs"), "").unwrap();
        }
        let layout = Layout::of(root);
        let beta = root.join("apps/beta/test/beta_test.exs");
        assert_eq!(layout.locate(&beta), Some(beta.clone()));
        assert_eq!(layout.locate(&root.join("test/beta_test.exs")), Some(beta));
        // In both apps: ambiguous, so no finding.
        assert_eq!(layout.locate(&root.join("test/test_helper.exs")), None);
        assert_eq!(layout.locate(&root.join("deps/x/test/beta_test.exs")), None);
        assert_eq!(
            layout.locate(Path::new("/elsewhere/test/beta_test.exs")),
            None
        );
    }

    #[test]
    fn missing_dependencies_in_old_and_new_wording() {
        assert!(missing_deps(
            "Unchecked dependencies for environment test:\n* jason (Hex package)\n  the dependency is not available, run \"mix deps.get\"\n"
        ));
        assert!(missing_deps(
            "** (Mix) Cannot compile dependency :jason because it isn't available, run \"mix deps.get\" first\n"
        ));
        assert!(!missing_deps(
            "could not compile dependency :jason, \"mix compile\" failed.\n"
        ));
    }
}
