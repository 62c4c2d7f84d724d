//! The mix gates in the server: triggered on save (debounced) and by the `ladder.runGates` and
//! `ladder.runTests` commands, one run at a time per Mix project with the newest trigger
//! winning, reported with cancellable `$/progress`, and merged into each file's diagnostics.
//!
//! Staleness: a gate finding belongs to the text it was computed from. Once a document is
//! edited after the run started, its gate findings are hidden until the next run (shifting them
//! through edits would show them on lines that may no longer mean the same thing).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ropey::Rope;
use tokio_util::sync::CancellationToken;

use super::super::convert::{self, DiagnosticData, LspFix};
use super::super::lsp::*;
use super::super::state::State;
use super::diagnostics;
use crate::document::PositionEncoding;
use crate::lint::Finding;
use crate::mix::GateFinding;
use crate::mix::gates::{Gate, GateEvent, GateSettings, run_gates};
use crate::mix::runner::RunError;
use crate::workspace;

/// Default delay between a save and the gates (saves in a burst run them once).
const DEFAULT_DEBOUNCE: Duration = Duration::from_millis(500);

/// A project's runner and its latest results.
#[derive(Default)]
pub struct ProjectGates {
    /// Held for a whole run: one gate sequence at a time per project.
    lock: tokio::sync::Mutex<()>,
    /// Bumped by every trigger; a debounced trigger that is no longer the newest does nothing.
    generation: AtomicU64,
    /// Cancels the run in progress.
    current: Mutex<Option<CancellationToken>>,
    /// The latest completed run.
    pub results: Mutex<Option<Arc<GateResults>>>,
}

/// What a completed run found.
#[derive(Debug, Default)]
pub struct GateResults {
    /// Findings by absolute file path.
    pub by_file: HashMap<PathBuf, Vec<GateFinding>>,
    /// Whether every gate of L0–L3 ran (the lens stops saying "not verified").
    pub verified: bool,
    /// The versions of the documents open when the run started.
    pub versions: HashMap<Uri, i32>,
    /// Distinguishes runs in `resultId`s.
    pub id: u64,
}

static NEXT_RUN_ID: AtomicU64 = AtomicU64::new(1);

/// The project whose gates cover `path`: its Mix project, or the umbrella around an umbrella
/// app (apps share the umbrella's build, so the gates run at the top).
pub fn gate_root(path: &Path) -> Option<PathBuf> {
    let root = workspace::project_root(path)?;
    let parent = root.parent()?;
    if parent.file_name().is_some_and(|n| n == "apps")
        && let Some(umbrella) = parent.parent().filter(|u| u.join("mix.exs").is_file())
    {
        return Some(umbrella.to_path_buf());
    }
    Some(root)
}

fn enabled(state: &State, root: &Path) -> bool {
    state.config_for(Some(&root.join("mix.exs"))).mix.enabled == Some(true)
}

fn project(state: &State, root: &Path) -> Arc<ProjectGates> {
    state.gates.entry(root.to_path_buf()).or_default().clone()
}

/// Shows a message once; later occurrences only go to the log.
fn tell_once(state: &Arc<State>, typ: MessageType, message: String) {
    let first = state
        .shown_messages
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(message.clone());
    tracing::warn!("{message}");
    if first {
        let st = state.clone();
        tokio::spawn(async move { st.client.show_message(typ, message).await });
    }
}

/// After a save: run every gate of the file's project, unless the gates are off.
pub fn on_save(state: &Arc<State>, uri: &Uri) {
    let Some(path) = uri.to_file_path().map(|p| p.into_owned()) else {
        return;
    };
    let Some(root) = gate_root(&path) else { return };
    if !enabled(state, &root) {
        return;
    }
    let debounce = state
        .config_for(Some(&path))
        .mix
        .debounce_ms
        .map_or(DEFAULT_DEBOUNCE, Duration::from_millis);
    trigger(state.clone(), root, Gate::ALL.to_vec(), debounce);
}

/// `ladder.runGates [uri]` / `ladder.runTests [uri]`: the project of the given file, or every
/// project of the workspace.
pub fn run_command(
    state: &Arc<State>,
    uri: Option<&Uri>,
    gates: Vec<Gate>,
) -> Result<Vec<PathBuf>, String> {
    let roots: Vec<PathBuf> = match uri.and_then(|u| u.to_file_path()) {
        Some(path) => gate_root(&path).into_iter().collect(),
        None => {
            let mut roots = Vec::new();
            for folder in state.roots() {
                for root in workspace::discover_projects(&folder) {
                    if let Some(top) = gate_root(&root.join("mix.exs"))
                        && !roots.contains(&top)
                    {
                        roots.push(top);
                    }
                }
            }
            roots
        }
    };
    if roots.is_empty() {
        return Err("no Mix project (no mix.exs) found".to_string());
    }
    let disabled: Vec<String> = roots
        .iter()
        .filter(|r| !enabled(state, r))
        .map(|r| r.display().to_string())
        .collect();
    if !disabled.is_empty() {
        return Err(format!(
            "the mix gates are off for {} (they run the project's code): enable them with the editor setting `mix.enabled` or `mix: [enabled: true]` in .ladder.exs",
            disabled.join(", ")
        ));
    }
    for root in &roots {
        trigger(state.clone(), root.clone(), gates.clone(), Duration::ZERO);
    }
    Ok(roots)
}

/// Starts a run after `delay`, cancelling the one in progress; the newest trigger wins.
fn trigger(state: Arc<State>, root: PathBuf, gates: Vec<Gate>, delay: Duration) {
    let project = project(&state, &root);
    let generation = project.generation.fetch_add(1, Ordering::SeqCst) + 1;
    if let Some(running) = project
        .current
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .take()
    {
        running.cancel();
    }
    tokio::spawn(async move {
        tokio::time::sleep(delay).await;
        if project.generation.load(Ordering::SeqCst) != generation || state.shutdown.is_cancelled()
        {
            return;
        }
        let _running = project.lock.lock().await;
        if project.generation.load(Ordering::SeqCst) != generation {
            return; // A newer trigger came while the previous run was stopping.
        }
        let token = state.shutdown.child_token();
        *project.current.lock().unwrap_or_else(|e| e.into_inner()) = Some(token.clone());
        run(&state, &root, &project, &gates, token).await;
    });
}

async fn run(
    state: &Arc<State>,
    root: &Path,
    project: &ProjectGates,
    gates: &[Gate],
    token: CancellationToken,
) {
    let settings = GateSettings::from_config(&state.config_for(Some(&root.join("mix.exs"))).mix);
    let versions: HashMap<Uri, i32> = state
        .docs
        .iter()
        .map(|e| (e.key().clone(), e.value().lock().version()))
        .collect();
    let progress_token = format!(
        "ladder-gates-{}",
        NEXT_RUN_ID.fetch_add(1, Ordering::Relaxed)
    );
    let progress = begin_progress(state, &progress_token, &token).await;
    let (gate_tx, mut gate_rx) = tokio::sync::mpsc::unbounded_channel::<GateEvent>();
    let reporter = progress.map(|p| {
        tokio::spawn(async move {
            while let Some(event) = gate_rx.recv().await {
                p.report_with_message(event.message(), None).await;
            }
            p.finish().await;
        })
    });
    tracing::info!(root = %root.display(), ?gates, "running mix gates");
    let result = run_gates(root, gates, &settings, &token, &|event| {
        let _ = gate_tx.send(event);
    })
    .await;
    drop(gate_tx);
    if let Some(reporter) = reporter {
        let _ = reporter.await;
    }
    state.progress_cancels.remove(&progress_token);
    match result {
        Ok(mut report) => {
            report.apply_config(&state.config_for(Some(&root.join("mix.exs"))));
            for problem in &report.problems {
                tell_once(
                    state,
                    MessageType::WARNING,
                    format!("ladder-ls: {problem} ({})", root.display()),
                );
            }
            let mut by_file: HashMap<PathBuf, Vec<GateFinding>> = HashMap::new();
            for f in report.findings.iter().cloned() {
                by_file.entry(f.path.clone()).or_default().push(f);
            }
            // Tests only: keep the compile/format/Credo findings of the previous full run.
            let previous = project
                .results
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone();
            if let Some(previous) = previous.filter(|_| gates == [Gate::Test]) {
                for (path, findings) in &previous.by_file {
                    let kept = findings
                        .iter()
                        .filter(|f| f.code != "test-failure")
                        .cloned();
                    by_file.entry(path.clone()).or_default().extend(kept);
                }
            }
            let verified = report.verified(root) && report.problems.is_empty();
            let results = Arc::new(GateResults {
                by_file,
                verified,
                versions,
                id: NEXT_RUN_ID.fetch_add(1, Ordering::Relaxed),
            });
            let old = project
                .results
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .replace(results.clone());
            republish(state, old.as_deref(), &results);
        }
        Err(RunError::Cancelled) => tracing::info!(root = %root.display(), "mix gates cancelled"),
        Err(e) => tell_once(
            state,
            MessageType::ERROR,
            format!("ladder-ls: mix gates of {}: {e}", root.display()),
        ),
    }
}

async fn begin_progress(
    state: &Arc<State>,
    token: &str,
    cancel: &CancellationToken,
) -> Option<
    tower_lsp_server::OngoingProgress<tower_lsp_server::Unbounded, tower_lsp_server::Cancellable>,
> {
    if !state.session().progress {
        return None;
    }
    let id = NumberOrString::String(token.to_string());
    let created = tokio::time::timeout(
        Duration::from_secs(5),
        state.client.create_work_done_progress(id.clone()),
    )
    .await;
    if !matches!(created, Ok(Ok(()))) {
        return None;
    }
    state
        .progress_cancels
        .insert(token.to_string(), cancel.clone());
    Some(
        state
            .client
            .progress(id, "Ladder: mix gates")
            .with_cancel_button()
            .begin()
            .await,
    )
}

/// `window/workDoneProgress/cancel`: the user cancelled a run's progress.
pub fn cancel_progress(state: &State, token: &NumberOrString) {
    let key = match token {
        NumberOrString::String(s) => s.clone(),
        NumberOrString::Number(n) => n.to_string(),
    };
    if let Some((_, cancel)) = state.progress_cancels.remove(&key) {
        tracing::info!("mix gates cancelled from the editor");
        cancel.cancel();
    }
}

/// Re-delivers the diagnostics of every file whose gate findings changed.
fn republish(state: &Arc<State>, old: Option<&GateResults>, new: &GateResults) {
    let mut paths: Vec<&PathBuf> = new.by_file.keys().collect();
    if let Some(old) = old {
        paths.extend(old.by_file.keys());
    }
    paths.sort();
    paths.dedup();
    if state.session().pull {
        let st = state.clone();
        tokio::spawn(async move {
            let _ = tokio::time::timeout(
                Duration::from_secs(5),
                st.client.workspace_diagnostic_refresh(),
            )
            .await;
        });
        return;
    }
    for path in paths {
        let Some(uri) = Uri::from_file_path(path) else {
            continue;
        };
        if state.docs.contains_key(&uri) {
            diagnostics::schedule(state.clone(), uri);
        } else {
            super::workspace::relint_from_disk(state.clone(), uri);
        }
    }
}

/// The gate findings shown for a file at `version` (`None`: closed, as on disk): those of the
/// latest run, unless the document was edited since the run started.
pub fn findings_for(state: &State, uri: &Uri, version: Option<i32>) -> (Vec<GateFinding>, u64) {
    let Some(path) = uri.to_file_path().map(|p| p.into_owned()) else {
        return (Vec::new(), 0);
    };
    let Some(root) = gate_root(&path) else {
        return (Vec::new(), 0);
    };
    let Some(project) = state.gates.get(&root).map(|p| p.value().clone()) else {
        return (Vec::new(), 0);
    };
    let Some(results) = project
        .results
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone()
    else {
        return (Vec::new(), 0);
    };
    let current = match version {
        None => true,
        Some(v) => match results.versions.get(uri) {
            Some(at_start) => *at_start == v,
            // Opened after the run started: current while unedited since it was opened.
            None => state.doc(uri).is_some_and(|d| d.opened_version == v),
        },
    };
    let findings = if current {
        results.by_file.get(&path).cloned().unwrap_or_default()
    } else {
        Vec::new()
    };
    (findings, results.id)
}

/// Whether the last run of the file's project verified L0–L3.
pub fn verified(state: &State, uri: &Uri) -> bool {
    let Some(root) = uri.to_file_path().and_then(|p| gate_root(&p)) else {
        return false;
    };
    state
        .gates
        .get(&root)
        .and_then(|p| p.results.lock().unwrap_or_else(|e| e.into_inner()).clone())
        .is_some_and(|r| r.verified)
}

/// Gate findings as LSP diagnostics on `rope`, with the format fix in `data`.
pub fn diagnostics(
    findings: &[GateFinding],
    rope: &Rope,
    enc: PositionEncoding,
) -> Vec<Diagnostic> {
    findings
        .iter()
        .map(|g| {
            let finding: Finding = g.to_finding(rope);
            let fix = finding.fix.as_ref().map(|fix| LspFix {
                title: fix.title.clone(),
                safe: fix.safe,
                edits: fix
                    .edits
                    .iter()
                    .map(|e| TextEdit {
                        range: convert::range(rope, &e.range, enc),
                        new_text: e.new_text.clone(),
                    })
                    .collect(),
            });
            Diagnostic {
                range: convert::range(rope, &finding.range, enc),
                severity: Some(convert::severity(g.severity)),
                code: Some(NumberOrString::String(g.code.clone())),
                code_description: g
                    .doc_url()
                    .parse()
                    .ok()
                    .map(|href| CodeDescription { href }),
                source: Some(g.source.to_string()),
                message: g.message.clone(),
                related_information: None,
                tags: None,
                data: serde_json::to_value(DiagnosticData {
                    fix,
                    alternatives: Vec::new(),
                })
                .ok(),
            }
        })
        .collect()
}
