//! The gate sequence for one Mix project: compile (L0), format (L1), Credo (L2, when the
//! project depends on it) and tests (L3).
//!
//! Every `mix` call builds into `_build/ladder_ls` (`MIX_BUILD_ROOT`), so the gates never fight
//! the user's own `mix compile` or editor integration over `_build/<env>`.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::GateFinding;
use super::parse::compile::Layout;
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

/// What the gates say while they run, for progress reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GateEvent {
    /// A gate started.
    Started(Gate),
    /// Mix started compiling a dependency (its `==> name` header): the `done`th dependency of
    /// this run, of `total` when known (the first run counts them beforehand).
    Dependency {
        /// The dependency.
        name: String,
        /// How many dependencies this run has started compiling, this one included.
        done: usize,
        /// How many need compiling, when known.
        total: Option<usize>,
    },
}

impl GateEvent {
    /// The progress message.
    pub fn message(&self) -> String {
        match self {
            GateEvent::Started(gate) => gate.label().to_string(),
            GateEvent::Dependency {
                name,
                done,
                total: Some(total),
            } if done <= total => {
                format!("compiling dependencies: {done} of {total} ({name})")
            }
            GateEvent::Dependency { name, done, .. } => {
                format!("compiling dependencies: {done} so far ({name})")
            }
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
    /// Time limit of each mix call, restarted each time mix moves on to another dependency or
    /// umbrella app (`==> name`): the first run compiles every dependency.
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

/// Runs `gates` (in ladder order) for the project at `root`. `on_event` is told when each
/// starts and when mix compiles a dependency. A missing `mix`, a timeout or a cancellation
/// stops the sequence with an error.
///
/// Only the project's own findings are reported: output that belongs to a dependency is never
/// a finding, and a finding needs an existing file inside the project.
pub async fn run_gates(
    root: &Path,
    gates: &[Gate],
    settings: &GateSettings,
    cancel: &CancellationToken,
    on_event: &(dyn Fn(GateEvent) + Sync),
) -> Result<GateReport, RunError> {
    let mut report = GateReport::default();
    let mut order: Vec<Gate> = gates.to_vec();
    order.sort();
    order.dedup();
    let watch = DepWatch::new(Layout::of(root), on_event);
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
        on_event(GateEvent::Started(gate));
        let ok = match gate {
            Gate::Compile => compile_gate(root, settings, cancel, &mut report, &watch).await,
            Gate::Format => format_gate(root, settings, cancel, &mut report, &watch).await,
            Gate::Credo => credo_gate(root, settings, cancel, &mut report, &watch).await,
            Gate::Test => test_gate(root, settings, cancel, &mut report, &watch).await,
        }
        .map_err(|e| watch.explain(e))?;
        if gate == Gate::Compile {
            compiles = ok;
        }
        report.ran.push(gate);
    }
    // Whatever a tool printed, a finding needs an existing project file (dependencies and
    // build output are not the project's); app-relative paths go to their umbrella app.
    report
        .findings
        .retain_mut(|f| match watch.layout.locate(&f.path) {
            Some(path) => {
                f.path = path;
                true
            }
            None => false,
        });
    Ok(report)
}

/// Follows the dependencies mix compiles during a run, from the `==> name` headers it prints:
/// progress events, and a time limit that restarts with each dependency (the first run of a
/// Phoenix app compiles dozens of them).
struct DepWatch<'a> {
    layout: Layout,
    on_event: &'a (dyn Fn(GateEvent) + Sync),
    /// How many dependencies need compiling, when counted.
    total: Mutex<Option<usize>>,
    /// The dependencies started in this run, and the one being compiled now (`None` once mix
    /// is back in the project).
    state: Mutex<(Vec<String>, Option<String>)>,
}

impl<'a> DepWatch<'a> {
    fn new(layout: Layout, on_event: &'a (dyn Fn(GateEvent) + Sync)) -> Self {
        DepWatch {
            layout,
            on_event,
            total: Mutex::new(None),
            state: Mutex::new((Vec::new(), None)),
        }
    }

    /// Reads one line of mix's output; `true` when mix moved on to another dependency, app or
    /// the project (progress: the time limit restarts).
    fn line(&self, line: &str) -> bool {
        let Some(name) = compile::header(&parse::clean(line)).map(str::to_string) else {
            return false;
        };
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if !self.layout.is_dependency(&name) {
            // Back in the project (or on to the next umbrella app): progress too, as the first
            // compile of a large project after its dependencies takes long on its own.
            state.1 = None;
            return true;
        }
        state.1 = Some(name.clone());
        if state.0.contains(&name) {
            return true;
        }
        state.0.push(name.clone());
        let done = state.0.len();
        drop(state);
        let total = *self.total.lock().unwrap_or_else(|e| e.into_inner());
        (self.on_event)(GateEvent::Dependency { name, done, total });
        true
    }

    /// A timeout while a dependency was compiling says so, and what to do about it.
    fn explain(&self, error: RunError) -> RunError {
        let RunError::Timeout(limit) = error else {
            return error;
        };
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        match &state.1 {
            Some(dependency) => RunError::DependencyTimeout {
                limit,
                dependency: dependency.clone(),
                started: state.0.len(),
                total: *self.total.lock().unwrap_or_else(|e| e.into_inner()),
            },
            None => error,
        }
    }
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
    run_mix(root, settings, args, stdin, cancel, None, false).await
}

/// `mix` with its output followed by `watch` (and stderr merged into stdout when `merge`).
async fn watched_mix(
    root: &Path,
    settings: &GateSettings,
    args: &[&str],
    cancel: &CancellationToken,
    watch: &DepWatch<'_>,
    merge: bool,
) -> Result<Output, RunError> {
    let on_line = |line: &str| watch.line(line);
    run_mix(root, settings, args, None, cancel, Some(&on_line), merge).await
}

async fn run_mix(
    root: &Path,
    settings: &GateSettings,
    args: &[&str],
    stdin: Option<&str>,
    cancel: &CancellationToken,
    on_line: Option<&(dyn Fn(&str) -> bool + Sync)>,
    merge_stderr: bool,
) -> Result<Output, RunError> {
    let env = env(root, settings);
    let job = Job {
        program: &settings.program,
        args,
        dir: root,
        env: &env,
        stdin,
        timeout: settings.timeout,
        merge_stderr,
        on_line,
    };
    runner::run(job, cancel).await
}

/// The dependencies that failed to compile in a gate's output, as problems.
fn dependency_problems(out: &Output, layout: &Layout) -> Vec<String> {
    let text = format!("{}\n{}", out.stdout, out.stderr);
    compile::parse_output(&text, layout)
        .failed_deps
        .iter()
        .map(|(dep, why)| dependency_problem(dep, why.as_deref()))
        .collect()
}

/// The one message for a dependency that does not compile.
fn dependency_problem(dep: &str, why: Option<&str>) -> String {
    let why = why.map(|w| format!(" ({w})")).unwrap_or_default();
    format!(
        "dependency `{dep}` does not compile{why}, so the project cannot be checked (L0 stays unverified); `mix deps.compile {dep}` shows the whole error"
    )
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
///
/// The first run (no `_build/ladder_ls/<env>` yet) counts the dependencies to compile with
/// `mix deps` for the progress. When mix compiled dependencies, `mix compile` runs again: a
/// warning mix replays for a project file it did not recompile comes without a `==> app`
/// header, right after the last dependency's output, and only a run with nothing left to
/// compile in the dependencies tells it apart.
async fn compile_gate(
    root: &Path,
    settings: &GateSettings,
    cancel: &CancellationToken,
    report: &mut GateReport,
    watch: &DepWatch<'_>,
) -> Result<bool, RunError> {
    let layout = &watch.layout;
    let build = root
        .join("_build/ladder_ls")
        .join(&settings.env)
        .join("lib");
    if !build.is_dir() {
        let deps = mix(root, settings, &["deps"], None, cancel).await?;
        let count = compile::deps_to_compile(&deps.stdout, layout);
        *watch.total.lock().unwrap_or_else(|e| e.into_inner()) = Some(count);
    }
    // `--all-warnings` replays the warnings of files that were not recompiled, so a no-op
    // compile keeps them instead of erasing them.
    let args = ["compile", "--all-warnings"];
    let mut out = watched_mix(root, settings, &args, cancel, watch, true).await?;
    let mut parsed = compile::parse_output(&out.stdout, layout);
    if !parsed.compiled_deps.is_empty() && parsed.failed_deps.is_empty() {
        tracing::info!(
            deps = parsed.compiled_deps.len(),
            "dependencies compiled; compiling again for the project's own warnings"
        );
        out = watched_mix(root, settings, &args, cancel, watch, true).await?;
        parsed = compile::parse_output(&out.stdout, layout);
    }
    if !parsed.failed_deps.is_empty() {
        for (dep, why) in &parsed.failed_deps {
            report
                .problems
                .push(dependency_problem(dep, why.as_deref()));
        }
        report.findings.extend(parsed.findings);
        return Ok(false);
    }
    let errors = parsed
        .findings
        .iter()
        .any(|f| f.severity == Severity::Error);
    if out.status != Some(0) && !errors {
        report.problems.push(if compile::missing_deps(&out.stdout) {
            "mix compile: dependencies are missing; run `mix deps.get`".to_string()
        } else {
            format!(
                "mix compile failed (exit {:?}) without a diagnostic: {}",
                out.status,
                excerpt(&out)
            )
        });
    }
    report.findings.extend(parsed.findings);
    Ok(out.status == Some(0))
}

/// L1: the files `--check-formatted` lists, diffed against `mix format -` of their content.
async fn format_gate(
    root: &Path,
    settings: &GateSettings,
    cancel: &CancellationToken,
    report: &mut GateReport,
    watch: &DepWatch<'_>,
) -> Result<bool, RunError> {
    // Formatter plugins (`Phoenix.LiveView.HTMLFormatter`) compile their dependency first.
    let args = ["format", "--check-formatted"];
    let out = watched_mix(root, settings, &args, cancel, watch, false).await?;
    if out.status == Some(0) {
        return Ok(true);
    }
    let failed = dependency_problems(&out, &watch.layout);
    if !failed.is_empty() {
        report.problems.extend(failed);
        return Ok(false);
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
    watch: &DepWatch<'_>,
) -> Result<bool, RunError> {
    let args = ["credo", "--strict", "--format", "json"];
    let out = watched_mix(root, settings, &args, cancel, watch, false).await?;
    let failed = dependency_problems(&out, &watch.layout);
    if !failed.is_empty() {
        report.problems.extend(failed);
        return Ok(false);
    }
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
    watch: &DepWatch<'_>,
) -> Result<bool, RunError> {
    let out = watched_mix(root, settings, &["test"], cancel, watch, false).await?;
    let failed = dependency_problems(&out, &watch.layout);
    if !failed.is_empty() {
        report.problems.extend(failed);
        return Ok(false);
    }
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
