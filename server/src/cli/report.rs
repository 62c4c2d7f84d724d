//! The result of `check`, shared by every output format.

use ropey::Rope;

use crate::document::position::{self, PositionEncoding};
use crate::lint::Finding;

/// A 1-based line and column (in Unicode scalar values), as `check` prints them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Pos {
    /// 1-based line.
    pub line: usize,
    /// 1-based column in Unicode scalar values.
    pub column: usize,
}

/// One linted file.
pub struct FileReport {
    /// Path relative to the current directory.
    pub path: String,
    /// The text that was linted (after fixes), for position conversion.
    pub rope: Rope,
    /// Its findings, sorted: the ones reported (not in the baseline).
    pub findings: Vec<Finding>,
    /// Findings recorded in the baseline (`--baseline`): not reported and never failing, but
    /// still counted in the file's level, which says how the code is, not what is new.
    pub baselined: Vec<Finding>,
    /// The file's target level (`--level N` when given, else its `targets:` glob, else
    /// `target_level`, else L3): findings at levels up to it fail the run.
    pub fail_level: u8,
}

impl FileReport {
    /// The 1-based position of a byte offset.
    pub fn pos(&self, byte: usize) -> Pos {
        let lc = position::to_line_col(&self.rope, byte, PositionEncoding::Utf32);
        Pos {
            line: lc.line + 1,
            column: lc.col + 1,
        }
    }

    /// The highest level the file passes (`None`: not even L0).
    pub fn level(&self) -> Option<u8> {
        crate::lint::file_level(self.findings.iter().chain(&self.baselined))
    }

    /// A new report of a file, with nothing baselined.
    pub fn new(path: String, rope: Rope, findings: Vec<Finding>, fail_level: u8) -> Self {
        FileReport {
            path,
            rope,
            findings,
            baselined: Vec::new(),
            fail_level,
        }
    }

    /// Findings that make the run fail: errors and warnings (which block levels) at levels up
    /// to the threshold. Infos and hints are reported but never fail a run.
    pub fn failing(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.level <= self.fail_level && f.severity.blocks_level())
    }
}

/// How the files of one target level fare.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TargetSummary {
    /// The target level.
    pub target: u8,
    /// Files with this target.
    pub files: usize,
    /// Of those, files whose level reaches it.
    pub reaching: usize,
    /// Findings at or below it in those files (errors and warnings): what fails the run.
    pub failing: usize,
}

/// The whole run.
#[derive(Default)]
pub struct CheckReport {
    /// Files linted, sorted by path.
    pub files: Vec<FileReport>,
    /// Number of Elixir files checked.
    pub files_checked: usize,
    /// Files that could not be read, with the reason.
    pub errors: Vec<String>,
    /// Findings fixed by `--fix`.
    pub fixed: usize,
    /// Whether the mix gates ran for every project (`--mix`).
    pub gates_verified: bool,
    /// `--level N`, which replaces every file's target.
    pub level_override: Option<u8>,
    /// Whether the mix gates were asked for (`--mix`), verified or not.
    pub gates_attempted: bool,
    /// Whether `--fix` applied fixes, and with `--unsafe-fixes` the unsafe ones too.
    pub fix_mode: FixMode,
    /// What the baseline did, when one was used or written.
    pub baseline: Option<BaselineSummary>,
    /// Paths given on the command line that hold no Elixir file to check.
    pub empty_paths: Vec<String>,
    /// Files left out by the configuration's `exclude:` globs.
    pub excluded: usize,
    /// Files linted a second time because the exact project index answered one of their
    /// lint's questions differently from the index read from tokens (not reported; for logs
    /// and tests).
    pub relinted: usize,
}

/// Which fixes `check` applied.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FixMode {
    /// None: the findings are only reported (`check`).
    #[default]
    Report,
    /// The safe ones (`--fix`).
    Safe,
    /// Safe and unsafe ones (`--fix --unsafe-fixes`).
    Unsafe,
}

/// The outcome of `--baseline` / `--write-baseline`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BaselineSummary {
    /// The baseline file, as given.
    pub file: String,
    /// Findings found in the baseline, hence not reported.
    pub baselined: usize,
    /// Entries of the baseline for the checked files that match no finding any more (fixed, or
    /// the flagged code changed): rewriting the baseline drops them.
    pub stale: usize,
    /// Whether the baseline was written by this run (`--write-baseline`).
    pub written: bool,
}

/// Counts of the fixes still available in the reported findings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FixCounts {
    /// Findings with a safe fix (`--fix` applies it).
    pub safe: usize,
    /// Findings with an unsafe fix (`--fix --unsafe-fixes` applies it).
    pub unsafe_: usize,
}

impl CheckReport {
    /// Every finding with its file, in output order.
    pub fn findings(&self) -> impl Iterator<Item = (&FileReport, &Finding)> {
        self.files
            .iter()
            .flat_map(|f| f.findings.iter().map(move |d| (f, d)))
    }

    /// Per target level (ascending): how many files have it, how many of them reach it, and how
    /// many findings fail it.
    pub fn targets(&self) -> Vec<TargetSummary> {
        let mut out: Vec<TargetSummary> = Vec::new();
        for file in &self.files {
            let i = match out.binary_search_by_key(&file.fail_level, |t| t.target) {
                Ok(i) => i,
                Err(i) => {
                    out.insert(
                        i,
                        TargetSummary {
                            target: file.fail_level,
                            ..TargetSummary::default()
                        },
                    );
                    i
                }
            };
            let t = &mut out[i];
            t.files += 1;
            t.reaching += usize::from(file.level().is_some_and(|l| l >= file.fail_level));
            t.failing += file.failing().count();
        }
        out
    }

    /// The fixes still available among the reported findings.
    pub fn fix_counts(&self) -> FixCounts {
        let mut counts = FixCounts::default();
        for (_, f) in self.findings() {
            match &f.fix {
                Some(fix) if fix.safe => counts.safe += 1,
                Some(_) => counts.unsafe_ += 1,
                None => {}
            }
        }
        counts
    }

    /// What `--fix` did or could do, in words (`None`: nothing to say): how many fixes were
    /// applied, how many were withheld as unsafe and how to apply them.
    pub fn fix_summary(&self) -> Option<String> {
        let counts = self.fix_counts();
        let mut parts = Vec::new();
        match self.fix_mode {
            FixMode::Report => {
                if counts.safe > 0 {
                    parts.push(format!(
                        "{} fixable with `ladder-ls check --fix`",
                        plural(counts.safe, "finding")
                    ));
                }
                if counts.unsafe_ > 0 {
                    let what = if counts.safe > 0 {
                        format!("{} more", counts.unsafe_)
                    } else {
                        format!("{} fixable", plural(counts.unsafe_, "finding"))
                    };
                    parts.push(format!(
                        "{what} with `ladder-ls check --fix --unsafe-fixes` (unsafe fixes may \
                         change what the code does: review them)"
                    ));
                }
            }
            FixMode::Safe | FixMode::Unsafe => {
                parts.push(format!("fixed {}", plural(self.fixed, "finding")));
                if counts.unsafe_ > 0 && self.fix_mode == FixMode::Safe {
                    parts.push(format!(
                        "{} withheld as unsafe (they may change what the code does): review \
                         them, then apply them with `ladder-ls check --fix --unsafe-fixes`",
                        plural(counts.unsafe_, "fix"),
                    ));
                }
                let left = counts.safe
                    + if self.fix_mode == FixMode::Unsafe {
                        counts.unsafe_
                    } else {
                        0
                    };
                if left > 0 {
                    parts.push(format!(
                        "{} not applied: {} overlapped other edits or did not apply cleanly \
                         (run `--fix` again, or fix by hand)",
                        plural(left, "fix"),
                        if left == 1 { "it" } else { "they" }
                    ));
                }
            }
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }

    /// The project's level: the lowest of its files' (`Some(None)`: below L0; `None`: no file
    /// was checked, so there is no level to give).
    pub fn project_level(&self) -> Option<Option<u8>> {
        if self.files.is_empty() && self.files_checked == 0 {
            return None;
        }
        Some(
            self.files
                .iter()
                .map(|f| f.level())
                .min()
                .unwrap_or(Some(7)),
        )
    }

    /// Whether any finding makes the run fail.
    pub fn has_failures(&self) -> bool {
        self.files.iter().any(|f| f.failing().next().is_some())
    }

    /// The exit status of `check`: 2 when a file or gate could not be checked, else 1 when a
    /// finding fails the run, else 0.
    pub fn exit_status(&self) -> u8 {
        if !self.errors.is_empty() {
            2
        } else if self.has_failures() {
            1
        } else {
            0
        }
    }
}

/// `n` and its noun, pluralised (`finding` → `findings`, `fix` → `fixes`, `entry` →
/// `entries`).
pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        return format!("{n} {noun}");
    }
    if let Some(stem) = noun.strip_suffix('y') {
        return format!("{n} {stem}ies");
    }
    let suffix = if noun.ends_with('x') || noun.ends_with('s') {
        "es"
    } else {
        "s"
    };
    format!("{n} {noun}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::plural;

    #[test]
    fn nouns_are_pluralised() {
        assert_eq!(plural(1, "fix"), "1 fix");
        assert_eq!(plural(2, "fix"), "2 fixes");
        assert_eq!(plural(0, "finding"), "0 findings");
        assert_eq!(plural(3, "baseline entry"), "3 baseline entries");
    }
}
