//! Ladder levels (spec §5): a file's level is the highest L such that no error or warning
//! finding sits at a level `<= L`.

use std::collections::BTreeMap;

use super::Finding;

/// The highest level passed, or `None` when even L0 fails.
pub fn file_level<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Option<u8> {
    let lowest_blocked = findings
        .into_iter()
        .filter(|f| f.severity.blocks_level())
        .map(|f| f.level)
        .min();
    match lowest_blocked {
        None => Some(7),
        Some(0) => None,
        Some(l) => Some(l - 1),
    }
}

/// A level with what keeps it from the next one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LevelReport {
    /// The level passed (`None`: not even L0).
    pub level: Option<u8>,
    /// Blocking findings at the next level, counted by rule code.
    pub next_blockers: BTreeMap<&'static str, usize>,
    /// The target level the findings were measured against, if any.
    pub target: Option<u8>,
    /// Blocking findings at levels up to the target: what keeps the file from it.
    pub target_blockers: usize,
}

impl LevelReport {
    /// Computes the level of a set of findings and the blockers of the next level.
    pub fn of<'a>(findings: impl IntoIterator<Item = &'a Finding> + Clone) -> Self {
        let level = file_level(findings.clone());
        let next = level.map_or(0, |l| l + 1);
        let mut next_blockers = BTreeMap::new();
        for f in findings
            .into_iter()
            .filter(|f| f.severity.blocks_level() && f.level == next)
        {
            *next_blockers.entry(f.code).or_insert(0) += 1;
        }
        LevelReport {
            level,
            next_blockers,
            target: None,
            target_blockers: 0,
        }
    }

    /// [`LevelReport::of`], measured against a target level as well.
    pub fn against<'a>(
        findings: impl IntoIterator<Item = &'a Finding> + Clone,
        target: u8,
    ) -> Self {
        let target_blockers = findings
            .clone()
            .into_iter()
            .filter(|f| f.severity.blocks_level() && f.level <= target)
            .count();
        LevelReport {
            target: Some(target),
            target_blockers,
            ..Self::of(findings)
        }
    }

    /// Whether the level reaches the target (`false` without one).
    pub fn reaches_target(&self) -> bool {
        self.target
            .is_some_and(|t| self.level.is_some_and(|l| l >= t))
    }

    /// `Ladder L2 → target L3: 2 blockers`, `Ladder L4 · target L3 reached`, or `Ladder L4`
    /// without a target.
    pub fn headline(&self) -> String {
        match self.target {
            None => format!("Ladder {}", self.label()),
            Some(t) if self.reaches_target() => {
                format!("Ladder {} · target L{t} reached", self.label())
            }
            Some(t) => {
                let n = self.target_blockers;
                let s = if n == 1 { "" } else { "s" };
                format!("Ladder {} → target L{t}: {n} blocker{s}", self.label())
            }
        }
    }

    /// `L3`, or `L–` when even L0 fails.
    pub fn label(&self) -> String {
        self.level
            .map_or_else(|| "L–".to_string(), |l| format!("L{l}"))
    }

    /// `next: L4 — 2 missing-spec, 1 vague-spec`, or `None` at L7.
    pub fn next_summary(&self) -> Option<String> {
        if self.level == Some(7) {
            return None;
        }
        let next = self.level.map_or(0, |l| l + 1);
        let blockers: Vec<String> = self
            .next_blockers
            .iter()
            .map(|(code, n)| format!("{n} {code}"))
            .collect();
        Some(format!("next: L{next} — {}", blockers.join(", ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::Severity;

    fn finding(level: u8, severity: Severity) -> Finding {
        Finding {
            code: "x",
            level,
            severity,
            range: 0..1,
            message: String::new(),
            fix: None,
            alternatives: Vec::new(),
            related: Vec::new(),
        }
    }

    #[test]
    fn level_is_below_the_lowest_blocking_finding() {
        assert_eq!(file_level(&[]), Some(7));
        assert_eq!(
            file_level(&[finding(4, Severity::Warning), finding(6, Severity::Error)]),
            Some(3)
        );
        assert_eq!(file_level(&[finding(0, Severity::Error)]), None);
        assert_eq!(
            file_level(&[finding(2, Severity::Info), finding(1, Severity::Hint)]),
            Some(7)
        );
    }

    #[test]
    fn report_names_next_blockers() {
        let findings = [
            finding(4, Severity::Warning),
            finding(4, Severity::Warning),
            finding(6, Severity::Error),
        ];
        let report = LevelReport::of(&findings);
        assert_eq!(report.label(), "L3");
        assert_eq!(report.next_summary().unwrap(), "next: L4 — 2 x");
        assert_eq!(report.headline(), "Ladder L3");
    }

    #[test]
    fn report_against_a_target_counts_its_blockers() {
        let findings = [
            finding(2, Severity::Warning),
            finding(3, Severity::Error),
            finding(3, Severity::Info),
            finding(4, Severity::Warning),
        ];
        let report = LevelReport::against(&findings, 3);
        assert_eq!(report.level, Some(1));
        assert_eq!(report.target_blockers, 2);
        assert!(!report.reaches_target());
        assert_eq!(report.headline(), "Ladder L1 → target L3: 2 blockers");
        assert_eq!(report.next_summary().unwrap(), "next: L2 — 1 x");

        let report = LevelReport::against(&findings[3..], 3);
        assert!(report.reaches_target());
        assert_eq!(report.headline(), "Ladder L3 · target L3 reached");
        let report = LevelReport::against(&findings[1..2], 5);
        assert_eq!(report.headline(), "Ladder L2 → target L5: 1 blocker");
        let broken = [finding(0, Severity::Error)];
        assert_eq!(
            LevelReport::against(&broken, 0).headline(),
            "Ladder L– → target L0: 1 blocker"
        );
    }
}
