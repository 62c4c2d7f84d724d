//! The gate sequence for one Mix project: compile (L0), format (L1), Credo (L2, when the
//! project depends on it) and tests (L3).
//!
//! Every `mix` call builds into `_build/ladder_ls` (`MIX_BUILD_ROOT`), so the gates never fight
//! the user's own `mix compile` or editor integration over `_build/<env>`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::GateFinding;
use super::parse::{self, compile, credo, format, test};
use super::runner::{self, Job, Output, RunError};
use crate::config::MixSettings;
use crate::lint::Severity;

/// A gate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Gate {
    /// L0: `mix compile`.
    Compile,
    /// L1: `mix format --check-formatted`.
    Format,
    /// L2: `mix credo --strict`.
    Credo,
    /// L3: `mix test`.
    Test,
}

impl Gate {
    /// Every gate, in ladder order.
    pub const ALL: [Gate; 4] = [Gate::Compile, Gate::Format, Gate::Credo, Gate::Test];

    /// What progress reports call it.
    pub fn label(self) -> &'static str {
        match self {
            Gate::Compile => "mix compile",
            Gate::Format => "mix format",
            Gate::Credo => "mix credo --strict",
            Gate::Test => "mix test",
        }
    }
}

/// How to run the gates.
#[derive(Clone, Debug)]
pub struct GateSettings {
    /// The mix executable (`mix`; `LADDER_MIX` overrides it, e.g. for a wrapper script).
    pub program: String,
    /// `MIX_ENV`.
    pub env: String,
    /// Time limit of each mix call.
    pub timeout: Duration,
}

impl GateSettings {
    /// Settings from the configuration (`env` defaults to `test`, the timeout to 5 minutes).
    pub fn from_config(mix: &MixSettings) -> Self {
        GateSettings {
            program: std::env::var("LADDER_MIX").unwrap_or_else(|_| "mix".to_string()),
            env: mix.env.clone().unwrap_or_else(|| "test".to_string()),
            timeout: Duration::from_millis(mix.timeout_ms.unwrap_or(300_000)),
        }
    }
}

/// What a gate run found.
#[derive(Clone, Debug, Default)]
pub struct GateReport {
    /// Findings, by file.
    pub findings: Vec<GateFinding>,
    /// The gates that ran to completion.
    pub ran: Vec<Gate>,
    /// Problems that kept a gate from giving an answer (missing deps, garbage output…).
    pub problems: Vec<String>,
}

impl GateReport {
    /// Applies the project's rule settings: Credo findings that a native rule reports too are
    /// dropped ([`GateReport::drop_mirrored`]), rules turned off drop their findings, and
    /// configured severities replace the tools' (`"compile-warning": :error`).
    pub fn apply_config(&mut self, config: &crate::config::Config) {
        self.drop_mirrored(crate::lint::registry::RULES);
        self.findings.retain(|f| config.rule_enabled(&f.code));
        for f in &mut self.findings {
            if let Some(severity) = config.rule(&f.code).and_then(|r| r.severity) {
                f.severity = severity;
            }
        }
    }

    /// Drops the Credo findings of checks that a native rule of `rules` mirrors (its
    /// `meta.credo` names the check): the native finding is already there, with ladder's
    /// message, range and fix, and one problem shown twice is noise. The Credo finding goes
    /// even when the native rule is turned off: ladder owns that check, and a team that wants
    /// neither turns the check off in `.credo.exs`, which turns the rule off too.
    pub fn drop_mirrored(&mut self, rules: &[&crate::lint::Rule]) {
        self.findings.retain(|f| {
            f.source != "credo"
                || !rules
                    .iter()
                    .any(|r| r.check.is_some() && r.meta.credo.contains(&f.code.as_str()))
        });
    }

    /// Whether every applicable gate of L0–L3 ran (Credo only when the project has it).
    pub fn verified(&self, root: &Path) -> bool {
        let needed = [Gate::Compile, Gate::Format, Gate::Test];
        needed.iter().all(|g| self.ran.contains(g))
            && (!credo::project_has_credo(root) || self.ran.contains(&Gate::Credo))
    }
}

/// Runs `gates` (in ladder order) for the project at `root`. `on_gate` is told when each
/// starts. A missing `mix`, a timeout or a cancellation stops the sequence with an error.
pub async fn run_gates(
    root: &Path,
    gates: &[Gate],
    settings: &GateSettings,
    cancel: &CancellationToken,
    on_gate: &(dyn Fn(Gate) + Sync),
) -> Result<GateReport, RunError> {
    let mut report = GateReport::default();
    let mut order: Vec<Gate> = gates.to_vec();
    order.sort();
    order.dedup();
    let mut compiles = true;
    for gate in order {
        if gate == Gate::Credo && !credo::project_has_credo(root) {
            tracing::info!(root = %root.display(), "no Credo dependency; the Credo gate is skipped");
            continue;
        }
        if gate == Gate::Test && !compiles {
            report
                .problems
                .push("tests not run: the project does not compile".to_string());
            continue;
        }
        on_gate(gate);
        let ok = match gate {
            Gate::Compile => compile_gate(root, settings, cancel, &mut report).await?,
            Gate::Format => format_gate(root, settings, cancel, &mut report).await?,
            Gate::Credo => credo_gate(root, settings, cancel, &mut report).await?,
            Gate::Test => test_gate(root, settings, cancel, &mut report).await?,
        };
        if gate == Gate::Compile {
            compiles = ok;
        }
        report.ran.push(gate);
    }
    Ok(report)
}

fn env(root: &Path, settings: &GateSettings) -> Vec<(&'static str, String)> {
    vec![
        ("MIX_ENV", settings.env.clone()),
        (
            "MIX_BUILD_ROOT",
            root.join("_build/ladder_ls").display().to_string(),
        ),
        ("NO_COLOR", "1".to_string()),
        ("TERM", "dumb".to_string()),
    ]
}

async fn mix(
    root: &Path,
    settings: &GateSettings,
    args: &[&str],
    stdin: Option<&str>,
    cancel: &CancellationToken,
) -> Result<Output, RunError> {
    let env = env(root, settings);
    let job = Job {
        program: &settings.program,
        args,
        dir: root,
        env: &env,
        stdin,
        timeout: settings.timeout,
    };
    runner::run(job, cancel).await
}

/// The first lines of what a failed command printed, for a problem message.
fn excerpt(out: &Output) -> String {
    let text = parse::clean(&format!("{}\n{}", out.stdout, out.stderr));
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(3)
        .collect();
    lines.join(" / ")
}

/// L0. Returns whether the project compiles.
async fn compile_gate(
    root: &Path,
    settings: &GateSettings,
    cancel: &CancellationToken,
    report: &mut GateReport,
) -> Result<bool, RunError> {
    // `--all-warnings` replays the warnings of files that were not recompiled, so a no-op
    // compile keeps them instead of erasing them.
    let out = mix(root, settings, &["compile", "--all-warnings"], None, cancel).await?;
    let mut found = compile::parse(&out.stdout, root);
    found.extend(compile::parse(&out.stderr, root));
    compile::dedup(&mut found);
    let errors = found.iter().any(|f| f.severity == Severity::Error);
    if out.status != Some(0) && !errors {
        let all = format!("{}{}", out.stdout, out.stderr);
        report.problems.push(if compile::missing_deps(&all) {
            "mix compile: dependencies are missing; run `mix deps.get`".to_string()
        } else {
            format!(
                "mix compile failed (exit {:?}) without a diagnostic: {}",
                out.status,
                excerpt(&out)
            )
        });
    }
    report.findings.extend(found);
    Ok(out.status == Some(0))
}

/// L1: the files `--check-formatted` lists, diffed against `mix format -` of their content.
async fn format_gate(
    root: &Path,
    settings: &GateSettings,
    cancel: &CancellationToken,
    report: &mut GateReport,
) -> Result<bool, RunError> {
    let out = mix(
        root,
        settings,
        &["format", "--check-formatted"],
        None,
        cancel,
    )
    .await?;
    if out.status == Some(0) {
        return Ok(true);
    }
    let files = format::unformatted_files(&out.stderr);
    if files.is_empty() {
        report.problems.push(format!(
            "mix format --check-formatted failed: {}",
            excerpt(&out)
        ));
        return Ok(false);
    }
    // One `mix format -` per file costs a VM start each: cap the number of files shown.
    for file in files.iter().take(50) {
        let path: PathBuf = root.join(file);
        let Ok(original) = std::fs::read_to_string(&path) else {
            continue;
        };
        let formatted = format_text(root, settings, file, &original, cancel).await?;
        if let Some(formatted) = formatted {
            report
                .findings
                .extend(format::findings(&path, &original, &formatted));
        }
    }
    Ok(false)
}

/// `mix format --stdin-filename FILE -`: the formatted text, or `None` if mix could not format
/// it (a syntax error).
pub async fn format_text(
    root: &Path,
    settings: &GateSettings,
    file: &str,
    text: &str,
    cancel: &CancellationToken,
) -> Result<Option<String>, RunError> {
    let out = mix(
        root,
        settings,
        &["format", "--stdin-filename", file, "-"],
        Some(text),
        cancel,
    )
    .await?;
    Ok((out.status == Some(0)).then_some(out.stdout))
}

/// L2.
async fn credo_gate(
    root: &Path,
    settings: &GateSettings,
    cancel: &CancellationToken,
    report: &mut GateReport,
) -> Result<bool, RunError> {
    let out = mix(
        root,
        settings,
        &["credo", "--strict", "--format", "json"],
        None,
        cancel,
    )
    .await?;
    match credo::parse(&out.stdout, root) {
        Some(found) => {
            let clean = found.is_empty();
            report.findings.extend(found);
            Ok(clean)
        }
        None => {
            report
                .problems
                .push(format!("mix credo gave no report: {}", excerpt(&out)));
            Ok(false)
        }
    }
}

/// L3.
async fn test_gate(
    root: &Path,
    settings: &GateSettings,
    cancel: &CancellationToken,
    report: &mut GateReport,
) -> Result<bool, RunError> {
    let out = mix(root, settings, &["test"], None, cancel).await?;
    let found = test::parse(&out.stdout, root);
    if out.status != Some(0) && found.is_empty() {
        report.problems.push(format!(
            "mix test failed (exit {:?}) without a test failure: {}",
            out.status,
            excerpt(&out)
        ));
    }
    let passed = out.status == Some(0);
    report.findings.extend(found);
    Ok(passed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::{Rule, RuleMeta, registry};
    use std::path::PathBuf;

    fn recorded_credo_report() -> GateReport {
        let dir =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/mix-output/credo-1.7.19");
        let text = std::fs::read_to_string(dir.join("strict.json")).unwrap();
        GateReport {
            findings: credo::parse(&text, Path::new("/tmp/sample_app")).unwrap(),
            ran: vec![Gate::Credo],
            problems: Vec::new(),
        }
    }

    fn checks(report: &GateReport) -> Vec<&str> {
        report.findings.iter().map(|f| f.code.as_str()).collect()
    }

    fn check(_: &crate::lint::LintContext<'_>, _: &mut Vec<crate::lint::Finding>) {}

    static NESTING: Rule = Rule {
        meta: RuleMeta {
            code: "fake-nesting",
            credo: &["Credo.Check.Refactor.Nesting"],
            ..RuleMeta::BASE
        },
        check: Some(check),
    };
    /// Registered for docs only (no native check): Credo's findings stay.
    static DOCS_ONLY: Rule = Rule {
        meta: RuleMeta {
            code: "fake-map-join",
            credo: &["Credo.Check.Refactor.MapJoin"],
            ..RuleMeta::BASE
        },
        check: None,
    };

    #[test]
    fn credo_findings_of_mirrored_checks_are_dropped() {
        let mut report = recorded_credo_report();
        assert!(checks(&report).contains(&"Credo.Check.Refactor.Nesting"));
        assert!(checks(&report).contains(&"Credo.Check.Refactor.MapJoin"));
        let before = report.findings.len();
        report.drop_mirrored(&[&NESTING, &DOCS_ONLY]);
        assert!(!checks(&report).contains(&"Credo.Check.Refactor.Nesting"));
        assert!(checks(&report).contains(&"Credo.Check.Refactor.MapJoin"));
        assert!(checks(&report).contains(&"Credo.Check.Design.TagTODO"));
        assert!(report.findings.len() < before);
    }

    #[test]
    fn apply_config_keeps_only_the_native_report_of_registered_rules() {
        let mut report = recorded_credo_report();
        assert!(checks(&report).contains(&"Credo.Check.Warning.IoInspect"));
        // A check no ladder rule mirrors stays (the recorded report's are all mirrored now).
        report.findings.push(GateFinding::at(
            PathBuf::from("/tmp/a/lib/a.ex"),
            1,
            None,
            "Credo.Check.Readability.AliasOrder",
            2,
            crate::lint::Severity::Warning,
            "aliases out of order".into(),
        ));
        let unmirrored = report
            .findings
            .iter()
            .filter(|f| {
                !registry::RULES
                    .iter()
                    .any(|r| r.check.is_some() && r.meta.credo.contains(&f.code.as_str()))
            })
            .count();
        report.apply_config(&crate::config::Config::default());
        // io-inspect mirrors Credo.Check.Warning.IoInspect.
        assert!(!checks(&report).contains(&"Credo.Check.Warning.IoInspect"));
        assert_eq!(report.findings.len(), unmirrored);
        assert!(checks(&report).contains(&"Credo.Check.Readability.AliasOrder"));
    }

    #[test]
    fn findings_of_other_sources_are_kept() {
        let mut report = GateReport::default();
        report.findings.push(GateFinding::at(
            PathBuf::from("/tmp/a/lib/a.ex"),
            1,
            None,
            "Credo.Check.Refactor.Nesting",
            2,
            crate::lint::Severity::Warning,
            "not from credo".into(),
        ));
        report.drop_mirrored(&[&NESTING]);
        assert_eq!(report.findings.len(), 1);
    }
}
