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
    /// Its findings, sorted.
    pub findings: Vec<Finding>,
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
        crate::lint::file_level(&self.findings)
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
