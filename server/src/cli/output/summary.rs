//! Figures shared by the human, Markdown and HTML summaries, computed from the report in one
//! pass each (no copy of the findings).

use std::collections::BTreeMap;

use crate::cli::report::{CheckReport, FileReport, plural};
use crate::lint::{Finding, Severity};

/// The gate of each level, L0 to L7.
pub const GATES: [&str; 8] = [
    "compiles",
    "formatted",
    "static analysis",
    "tested",
    "typed",
    "secure",
    "observable",
    "documented",
];

/// `L3`, or `below L0`.
pub fn level_name(level: Option<u8>) -> String {
    level.map_or_else(|| "below L0".to_string(), |l| format!("L{l}"))
}

/// `L3 (tested)`, or `below L0 (does not compile)`.
pub fn level_title(level: Option<u8>) -> String {
    match level {
        Some(l) => format!("L{l} ({})", GATES[usize::from(l)]),
        None => "below L0 (does not compile)".to_string(),
    }
}

/// One rung of the ladder: its findings and the files that pass it.
#[derive(Clone, Copy, Debug, Default)]
pub struct Rung {
    /// Reported findings at this level.
    pub findings: usize,
    /// Files whose level is at least this one.
    pub passing: usize,
}

/// Files checked, counting those the gates added.
pub fn file_count(report: &CheckReport) -> usize {
    report.files.len().max(report.files_checked)
}

/// Per level, L0 to L7.
pub fn rungs(report: &CheckReport) -> [Rung; 8] {
    let mut rungs = [Rung::default(); 8];
    for (_, f) in report.findings() {
        if let Some(r) = rungs.get_mut(usize::from(f.level)) {
            r.findings += 1;
        }
    }
    let unlisted = report.files_checked.saturating_sub(report.files.len());
    for (l, rung) in rungs.iter_mut().enumerate() {
        rung.passing = report
            .files
            .iter()
            .filter(|f| f.level().is_some_and(|fl| usize::from(fl) >= l))
            .count()
            + unlisted;
    }
    rungs
}

/// Files per level: index 0 is "below L0", index `l + 1` is level `l`.
pub fn files_per_level(report: &CheckReport) -> [usize; 9] {
    let mut counts = [0; 9];
    for f in &report.files {
        counts[f.level().map_or(0, |l| usize::from(l) + 1)] += 1;
    }
    counts[8] += report.files_checked.saturating_sub(report.files.len());
    counts
}

/// Reported findings per severity: error, warning, info, hint.
pub fn severities(report: &CheckReport) -> [usize; 4] {
    let mut counts = [0; 4];
    for (_, f) in report.findings() {
        counts[severity_index(f.severity)] += 1;
    }
    counts
}

/// The position of a severity in [`severities`].
pub fn severity_index(s: Severity) -> usize {
    match s {
        Severity::Error => 0,
        Severity::Warning => 1,
        Severity::Info => 2,
        Severity::Hint => 3,
    }
}

/// `3 errors, 1 warning, 0 infos, 2 hints`.
pub fn severity_words(counts: [usize; 4]) -> String {
    let names = ["error", "warning", "info", "hint"];
    counts
        .iter()
        .zip(names)
        .map(|(&n, name)| plural(n, name))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What the run says about the mix gates.
pub fn gates_note(report: &CheckReport) -> &'static str {
    if report.gates_verified {
        "mix gates run"
    } else if report.gates_attempted {
        "mix gates L0–L3 not verified: see the errors"
    } else {
        "mix gates L0–L3 not run: native rules only"
    }
}

/// One line per target (or the `--level` threshold): how many files reach it and how many
/// findings fail it.
pub fn target_lines(report: &CheckReport) -> Vec<String> {
    report
        .targets()
        .iter()
        .map(|t| {
            let what = match report.level_override {
                Some(_) => "threshold (--level)",
                None => "target",
            };
            format!(
                "{what} L{}: {}/{} file{} reach it; {} fail{} it",
                t.target,
                t.reaching,
                t.files,
                if t.files == 1 { "" } else { "s" },
                plural(t.failing, "finding"),
                if t.failing == 1 { "s" } else { "" },
            )
        })
        .collect()
}

/// The baseline's line, if one was used.
pub fn baseline_line(report: &CheckReport) -> Option<String> {
    let b = report.baseline.as_ref()?;
    let mut line = if b.written {
        format!(
            "{} recorded in the baseline {}",
            plural(b.baselined, "finding"),
            b.file
        )
    } else {
        format!(
            "{} baselined ({}): not reported",
            plural(b.baselined, "finding"),
            b.file
        )
    };
    if b.stale > 0 {
        line.push_str(&format!(
            "; {} of the checked files match nothing any more (fixed?): \
             `--write-baseline {}` drops {}",
            plural(b.stale, "baseline entry"),
            b.file,
            if b.stale == 1 { "it" } else { "them" }
        ));
    }
    Some(line)
}

/// A folder's figures.
#[derive(Clone, Debug, Default)]
pub struct Folder {
    /// Files in it (not in subfolders).
    pub files: usize,
    /// The lowest level of its files (`None`: below L0).
    pub level: Option<u8>,
    /// Files per level, as in [`files_per_level`].
    pub per_level: [usize; 9],
    /// Reported findings per severity, as in [`severities`].
    pub severities: [usize; 4],
    /// Findings that fail the run.
    pub failing: usize,
}

/// The folder of a path as `check` shows it (`.` for the current directory).
pub fn folder_of(path: &str) -> &str {
    path.rfind('/')
        .map_or(".", |i| if i == 0 { "/" } else { &path[..i] })
}

/// Per folder (of the files directly in it), sorted by path.
pub fn folders(report: &CheckReport) -> BTreeMap<&str, Folder> {
    let mut out: BTreeMap<&str, Folder> = BTreeMap::new();
    for file in &report.files {
        let level = file.level();
        let folder = out.entry(folder_of(&file.path)).or_insert_with(|| Folder {
            level: Some(7),
            ..Folder::default()
        });
        folder.files += 1;
        folder.level = folder.level.min(level);
        folder.per_level[level.map_or(0, |l| usize::from(l) + 1)] += 1;
        for f in &file.findings {
            folder.severities[severity_index(f.severity)] += 1;
        }
        folder.failing += file.failing().count();
    }
    out
}

/// A rule that keeps files from their next level.
#[derive(Clone, Debug)]
pub struct Blocker {
    /// The rule code.
    pub code: &'static str,
    /// Its level.
    pub level: u8,
    /// Files it holds at the level below its own (their lowest blocking findings).
    pub files: usize,
    /// Its blocking findings in those files.
    pub findings: usize,
}

/// The rules holding files back most, most files first (then lower levels): for each file,
/// the error and warning findings at the lowest level it fails. At most `max`.
pub fn blockers(report: &CheckReport, max: usize) -> Vec<Blocker> {
    let mut by_code: BTreeMap<&'static str, Blocker> = BTreeMap::new();
    for file in &report.files {
        let Some(lowest) = file
            .findings
            .iter()
            .filter(|f| f.severity.blocks_level())
            .map(|f| f.level)
            .min()
        else {
            continue;
        };
        let mut seen: Vec<&'static str> = Vec::new();
        for f in file
            .findings
            .iter()
            .filter(|f| f.severity.blocks_level() && f.level == lowest)
        {
            let b = by_code.entry(f.code).or_insert(Blocker {
                code: f.code,
                level: f.level,
                files: 0,
                findings: 0,
            });
            b.findings += 1;
            if !seen.contains(&f.code) {
                seen.push(f.code);
                b.files += 1;
            }
        }
    }
    let mut out: Vec<Blocker> = by_code.into_values().collect();
    out.sort_by(|a, b| {
        (b.files, b.findings)
            .cmp(&(a.files, a.findings))
            .then(a.level.cmp(&b.level))
            .then(a.code.cmp(b.code))
    });
    out.truncate(max);
    out
}

/// How important a finding is for a reader with little space: what fails the run first, then
/// errors, warnings, the rest; lower rungs first within each.
pub fn importance(file: &FileReport, f: &Finding) -> (u8, usize, u8) {
    let failing = f.level <= file.fail_level && f.severity.blocks_level();
    (u8::from(!failing), severity_index(f.severity), f.level)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::RuleMeta;
    use ropey::Rope;

    fn finding(code: &'static str, level: u8, severity: Severity) -> Finding {
        let meta = RuleMeta {
            code,
            level,
            severity,
            ..RuleMeta::BASE
        };
        Finding::new(&meta, 0..1, "m")
    }

    fn file(path: &str, findings: Vec<Finding>) -> FileReport {
        FileReport::new(path.into(), Rope::from_str("x\n"), findings, 3)
    }

    #[test]
    fn folders_levels_and_blockers() {
        let report = CheckReport {
            files: vec![
                file(
                    "lib/a.ex",
                    vec![
                        finding("missing-spec", 4, Severity::Warning),
                        finding("missing-spec", 4, Severity::Warning),
                        finding("missing-moduledoc", 7, Severity::Warning),
                    ],
                ),
                file(
                    "lib/b.ex",
                    vec![finding("missing-spec", 4, Severity::Warning)],
                ),
                file(
                    "lib/c/d.ex",
                    vec![
                        finding("io-inspect", 2, Severity::Warning),
                        finding("missing-spec", 4, Severity::Warning),
                        finding("todo-comment", 2, Severity::Info),
                    ],
                ),
                file("mix.exs", vec![]),
            ],
            files_checked: 4,
            ..CheckReport::default()
        };
        assert_eq!(files_per_level(&report), [0, 0, 1, 0, 2, 0, 0, 0, 1]);
        let folders = folders(&report);
        let names: Vec<&str> = folders.keys().copied().collect();
        assert_eq!(names, [".", "lib", "lib/c"]);
        assert_eq!(folders["lib"].files, 2);
        assert_eq!(folders["lib"].level, Some(3));
        assert_eq!(folders["lib"].severities, [0, 4, 0, 0]);
        assert_eq!(folders["lib/c"].level, Some(1));
        assert_eq!(folders["."].level, Some(7));
        let blockers = blockers(&report, 10);
        let got: Vec<(&str, usize, usize)> = blockers
            .iter()
            .map(|b| (b.code, b.files, b.findings))
            .collect();
        // missing-moduledoc blocks nothing yet: missing-spec is lower in lib/a.ex.
        assert_eq!(got, [("missing-spec", 2, 3), ("io-inspect", 1, 1)]);
        let rungs = rungs(&report);
        assert_eq!(rungs[2].findings, 2);
        assert_eq!(rungs[2].passing, 3);
        assert_eq!(rungs[7].passing, 1);
        assert_eq!(folder_of("a.ex"), ".");
        assert_eq!(folder_of("/tmp/a.ex"), "/tmp");
    }
}
