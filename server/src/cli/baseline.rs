//! Baselines (`--write-baseline FILE`, `--baseline FILE`): adopting the linter on an old codebase
//! by recording today's findings, then reporting and failing only on new ones.
//!
//! An entry is a finding's path, rule code and fingerprint ([`crate::cli::fingerprint`]: a hash
//! of the path, the code and the flagged source text, numbered among identical findings of the
//! file). It has no line or column, so entries survive lines moving above them; changing the
//! flagged text makes the finding new. Paths (and so fingerprints) are relative to the
//! baseline's folder, so the same baseline works whichever folder `check` runs in; with the
//! baseline in the current directory they equal the SARIF `partialFingerprints`.
//!
//! The file is JSON, one entry per line so that reviews and merges stay readable; `line` and
//! `message` are there for the reader and ignored when matching.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::fingerprint;
use super::report::{BaselineSummary, CheckReport, FileReport};

/// The version of the file format.
const VERSION: u32 = 1;

/// One recorded finding.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Entry {
    /// The file, relative to the baseline's folder, `/`-separated.
    pub path: String,
    /// The rule code.
    pub code: String,
    /// The finding's fingerprint (see [`fingerprint`]).
    pub fingerprint: String,
    /// Where the finding was when recorded (for the reader; not matched).
    #[serde(default)]
    pub line: usize,
    /// Its message when recorded (for the reader; not matched).
    #[serde(default)]
    pub message: String,
}

/// A baseline file.
#[derive(Debug, Serialize, Deserialize)]
pub struct Baseline {
    /// The file format's version.
    pub version: u32,
    /// Every recorded finding.
    pub findings: Vec<Entry>,
}

/// Where the baseline's paths are relative to: its folder, made absolute against `cwd`.
fn base_dir(file: &Path, cwd: &Path) -> PathBuf {
    let abs = normalise(&cwd.join(file));
    abs.parent().map_or(abs.clone(), Path::to_path_buf)
}

/// Removes `.` and resolves `..` lexically (symbolic links are not followed: the paths `check`
/// shows are lexical too).
pub fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// `path` (absolute) relative to `base` (absolute), `/`-separated, with `..` when outside it.
fn relative(path: &Path, base: &Path) -> String {
    let p: Vec<Component> = path.components().collect();
    let b: Vec<Component> = base.components().collect();
    let common = p.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<String> = vec!["..".to_string(); b.len() - common];
    parts.extend(
        p[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

/// A file's path as the baseline records it.
fn entry_path(file: &FileReport, base: &Path, cwd: &Path) -> String {
    relative(&normalise(&cwd.join(&file.path)), base)
}

/// The fingerprints of a file's reported findings, relative to `base`.
fn prints(file: &FileReport, path: &str) -> Vec<String> {
    fingerprint::of_findings(path, &file.rope, &file.findings)
}

/// Writes every reported finding of `report` to `file` (relative to `cwd`; replacing it), then
/// marks them all as baselined: the run reports what is new against the baseline it just
/// wrote, i.e. nothing.
pub fn write(report: &mut CheckReport, file: &Path, cwd: &Path) -> Result<(), String> {
    let base = base_dir(file, cwd);
    let shown = file.display().to_string();
    let mut entries = 0;
    let mut out = Vec::new();
    let _ = writeln!(out, "{{\n  \"version\": {VERSION},\n  \"findings\": [");
    for f in &mut report.files {
        let path = entry_path(f, &base, cwd);
        for (finding, print) in f.findings.iter().zip(prints(f, &path)) {
            let entry = Entry {
                path: path.clone(),
                code: finding.code.to_string(),
                fingerprint: print,
                line: f.pos(finding.range.start).line,
                message: finding.message.clone(),
            };
            let json = serde_json::to_string(&entry).map_err(|e| e.to_string())?;
            let sep = if entries == 0 { "" } else { ",\n" };
            let _ = write!(out, "{sep}    {json}");
            entries += 1;
        }
        let moved = std::mem::take(&mut f.findings);
        f.baselined.extend(moved);
    }
    let _ = writeln!(out, "\n  ]\n}}");
    std::fs::write(cwd.join(file), out)
        .map_err(|e| format!("cannot write the baseline {shown}: {e}"))?;
    report.baseline = Some(BaselineSummary {
        file: shown,
        baselined: entries,
        stale: 0,
        written: true,
    });
    Ok(())
}

/// Reads a baseline file.
pub fn read(file: &Path) -> Result<Baseline, String> {
    let shown = file.display();
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read the baseline {shown}: {e}"))?;
    let baseline: Baseline = serde_json::from_str(&text).map_err(|e| {
        format!("{shown} is not a ladder-ls baseline ({e}); write one with `--write-baseline`")
    })?;
    if baseline.version != VERSION {
        return Err(format!(
            "{shown}: baseline version {} is not supported (this ladder-ls writes version \
             {VERSION}); rewrite it with `--write-baseline`",
            baseline.version
        ));
    }
    Ok(baseline)
}

/// Moves the findings recorded in `baseline` (read from `file`) out of the report into each
/// file's `baselined`, and records the counts in `report.baseline`.
pub fn apply(report: &mut CheckReport, baseline: Baseline, file: &Path, cwd: &Path) {
    let base = base_dir(file, cwd);
    // Entries per (path, code, fingerprint); a count, since a hand-merged baseline may repeat one.
    let mut recorded: HashMap<(String, String, String), usize> = HashMap::new();
    for e in baseline.findings {
        *recorded.entry((e.path, e.code, e.fingerprint)).or_insert(0) += 1;
    }
    let mut baselined = 0;
    let mut checked_paths = Vec::new();
    for f in &mut report.files {
        let path = entry_path(f, &base, cwd);
        let prints = prints(f, &path);
        let findings = std::mem::take(&mut f.findings);
        for (finding, print) in findings.into_iter().zip(prints) {
            let key = (path.clone(), finding.code.to_string(), print);
            match recorded.get_mut(&key) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    baselined += 1;
                    f.baselined.push(finding);
                }
                _ => f.findings.push(finding),
            }
        }
        checked_paths.push(path);
    }
    checked_paths.sort();
    // Entries of files this run did not check say nothing about them.
    let stale = recorded
        .iter()
        .filter(|((path, _, _), _)| checked_paths.binary_search(path).is_ok())
        .map(|(_, n)| n)
        .sum();
    report.baseline = Some(BaselineSummary {
        file: file.display().to_string(),
        baselined,
        stale,
        written: false,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::{Finding, RuleMeta, Severity};
    use ropey::Rope;

    fn report(path: &str, text: &str) -> CheckReport {
        let meta = RuleMeta {
            code: "io-inspect",
            severity: Severity::Warning,
            level: 2,
            ..RuleMeta::BASE
        };
        let findings = text
            .match_indices("IO.inspect(x)")
            .map(|(i, m)| Finding::new(&meta, i..i + m.len(), "IO.inspect/1 left in"))
            .collect();
        CheckReport {
            files: vec![FileReport::new(
                path.into(),
                Rope::from_str(text),
                findings,
                7,
            )],
            files_checked: 1,
            ..CheckReport::default()
        }
    }

    #[test]
    fn relative_paths_go_up_when_needed() {
        let rel = |p: &str, b: &str| relative(Path::new(p), Path::new(b));
        assert_eq!(rel("/app/lib/a.ex", "/app"), "lib/a.ex");
        assert_eq!(rel("/app/lib/a.ex", "/app/ci"), "../lib/a.ex");
        assert_eq!(
            normalise(Path::new("/app/./ci/../lib/a.ex")),
            Path::new("/app/lib/a.ex")
        );
        assert_eq!(
            base_dir(Path::new("ci/base.json"), Path::new("/app")),
            Path::new("/app/ci")
        );
    }

    #[test]
    fn written_findings_are_baselined_and_survive_moving_lines() {
        let tmp = tempfile::tempdir().unwrap();
        let cwd = tmp.path();
        let file = cwd.join("ladder-baseline.json");
        let text = "def a(x) do\n  IO.inspect(x)\n  IO.inspect(x)\nend\n";
        let mut first = report("lib/a.ex", text);
        write(&mut first, &file, cwd).unwrap();
        assert!(first.files[0].findings.is_empty());
        assert_eq!(first.files[0].baselined.len(), 2);
        assert_eq!(first.baseline.as_ref().unwrap().baselined, 2);

        // Lines added above, the code re-indented, and one more identical call: only that one
        // is new.
        let moved = "# header\n\ndef a(x) do\n    IO.inspect(x)\n    IO.inspect(x)\n    IO.inspect(x)\nend\n";
        let mut second = report("lib/a.ex", moved);
        apply(&mut second, read(&file).unwrap(), &file, cwd);
        assert_eq!(second.files[0].findings.len(), 1);
        assert_eq!(
            second.files[0]
                .pos(second.files[0].findings[0].range.start)
                .line,
            6
        );
        let summary = second.baseline.unwrap();
        assert_eq!((summary.baselined, summary.stale), (2, 0));

        // One call fixed: one entry is stale.
        let fixed = "def a(x) do\n  IO.inspect(x)\nend\n";
        let mut third = report("lib/a.ex", fixed);
        apply(&mut third, read(&file).unwrap(), &file, cwd);
        assert!(third.files[0].findings.is_empty());
        assert_eq!(third.baseline.unwrap().stale, 1);

        // Another file with the same text is not covered.
        let mut other = report("lib/b.ex", text);
        apply(&mut other, read(&file).unwrap(), &file, cwd);
        assert_eq!(other.files[0].findings.len(), 2);
        assert_eq!(other.baseline.unwrap().stale, 0, "lib/a.ex was not checked");
    }

    #[test]
    fn paths_are_relative_to_the_baseline_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        std::fs::create_dir_all(root.join("ci")).unwrap();
        let text = "IO.inspect(x)\n";
        // Written from the project root into ci/…
        let mut first = report("lib/a.ex", text);
        write(&mut first, Path::new("ci/base.json"), root).unwrap();
        let file = root.join("ci/base.json");
        let baseline = read(&file).unwrap();
        assert_eq!(baseline.findings[0].path, "../lib/a.ex");
        // … and used from inside lib/, where the file is shown as `a.ex`.
        let mut from_lib = report("a.ex", text);
        apply(
            &mut from_lib,
            baseline,
            Path::new("../ci/base.json"),
            &root.join("lib"),
        );
        assert!(from_lib.files[0].findings.is_empty());
    }

    #[test]
    fn malformed_baselines_are_clear_errors() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("b.json");
        assert!(
            read(&file)
                .unwrap_err()
                .contains("cannot read the baseline")
        );
        std::fs::write(&file, "[1, 2]").unwrap();
        assert!(
            read(&file)
                .unwrap_err()
                .contains("is not a ladder-ls baseline")
        );
        std::fs::write(&file, "{\"version\": 9, \"findings\": []}").unwrap();
        assert!(read(&file).unwrap_err().contains("version 9"));
    }
}
