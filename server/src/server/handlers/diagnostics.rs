//! Linting documents and delivering diagnostics: pushed (`publishDiagnostics`) to clients that
//! do not pull, answered to `textDocument/diagnostic` and `workspace/diagnostic` for those that
//! do — never both, or VS Code shows every finding twice.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};

use super::super::convert;
use super::super::diagnostic_reuse::{self, Previous, Reused, TextDelta};
use super::super::lsp::*;
use super::super::outbox;
use super::super::state::{FileTarget, LintResult, OpenDoc, State};
use crate::config::Config;
use crate::document::{PositionEncoding, Snapshot};
use crate::lint::incremental::LintCache;
use crate::lint::{lint_document_incremental, lint_document_with_facts};
use crate::project::{FileFacts, ProjectIndex};

/// Distinguishes lint results for `resultId` (the same version can be re-linted after a
/// configuration change).
/// LSP 3.17's `ServerCancelled` error code.
const SERVER_CANCELLED: i64 = -32802;

static NEXT_RESULT_ID: AtomicU64 = AtomicU64::new(1);

/// How one file's findings become its diagnostics.
#[derive(Clone, Copy)]
pub struct Conversion<'a> {
    /// The file (related places point into it).
    pub uri: &'a Uri,
    /// Where the file lives and which target level applies.
    pub target: &'a FileTarget,
    /// The configuration it was linted with.
    pub config: &'a Config,
    /// The session's position encoding.
    pub enc: PositionEncoding,
}

/// A lint of a snapshot with its diagnostics. Blocking: run it off the async threads.
pub fn lint_snapshot(
    conv: Conversion,
    snapshot: &Snapshot,
    version: Option<i32>,
    project: &ProjectIndex,
) -> (LintResult, FileFacts) {
    let text = snapshot.text();
    let (findings, facts) = lint_document_with_facts(
        &snapshot.rope,
        &snapshot.tree,
        text,
        &conv.target.info,
        conv.config,
        project,
    );
    (result_of(conv, snapshot, findings, version, None), facts)
}

/// [`lint_snapshot`] for an open document's version: after an edit, only the functions that
/// changed since the lint that filled `cache` are checked again, and the diagnostics of the
/// findings that did not change are taken from `previous`, the document's last lint.
pub fn relint_snapshot(
    conv: Conversion,
    snapshot: &Snapshot,
    project: &Arc<ProjectIndex>,
    cache: &mut LintCache,
    previous: Option<&LintResult>,
) -> (LintResult, FileFacts) {
    let text = snapshot.text();
    let (findings, facts) = lint_document_incremental(
        &snapshot.rope,
        &snapshot.tree,
        text,
        &conv.target.info,
        conv.config,
        project,
        cache,
    );
    let version = Some(snapshot.version);
    (
        result_of(conv, snapshot, findings, version, previous),
        facts,
    )
}

/// The lint result of `findings` found in `snapshot` (by the rules, or by reading the file:
/// `invalid-encoding`), with their diagnostics; those of findings unchanged since `previous`
/// (the last lint of the same document, if any) are taken from it.
pub fn result_of(
    conv: Conversion,
    snapshot: &Snapshot,
    findings: Vec<crate::lint::Finding>,
    version: Option<i32>,
    previous: Option<&LintResult>,
) -> LintResult {
    let Conversion {
        uri,
        target,
        config,
        enc,
    } = conv;
    // `targets:` globs are relative to the folder of the `.ladder.exs`, as `exclude:` globs are.
    let rel = match &target.path {
        Some(path) => crate::workspace::relative_slash(path, &crate::workspace::config_root(path)),
        None => target.info.project_rel.clone(),
    };
    let target_level = config.target_for(&rel);
    let text = snapshot.shared_text();
    // The last lint's diagnostics are reusable when they were made the same way: the same
    // target and treatment of findings above it (the encoding is the session's).
    let previous = previous.filter(|p| {
        p.target == target_level && p.above_target == config.above_target && p.text.is_some()
    });
    let delta = previous.and_then(|p| {
        let old = p.text.as_deref()?;
        Some(TextDelta::between(old, &p.rope, &text, &snapshot.rope))
    });
    let mut diagnostics = Vec::with_capacity(findings.len());
    let mut diagnostic_of = Vec::with_capacity(findings.len());
    let mut unchanged = Vec::with_capacity(findings.len());
    for f in &findings {
        let reused = match (previous, &delta) {
            (Some(p), Some(delta)) => diagnostic_reuse::reuse(
                f,
                delta,
                &Previous {
                    findings: &p.findings,
                    diagnostic_of: &p.diagnostic_of,
                    diagnostics: &p.diagnostics,
                },
            ),
            _ => Reused::No,
        };
        let (diagnostic, same_as) = match reused {
            Reused::Unpublished => (None, None),
            Reused::Diagnostic(d, same_as) => (Some(d), same_as),
            Reused::No => {
                let mut d = convert::diagnostic(&snapshot.rope, f, enc);
                d.related_information = convert::related_information(&snapshot.rope, f, uri, enc);
                (
                    convert::for_target(d, f.level, target_level, config.above_target)
                        .map(Arc::new),
                    None,
                )
            }
        };
        match diagnostic {
            Some(d) => {
                diagnostic_of.push(Some(diagnostics.len() as u32));
                diagnostics.push(d);
                unchanged.push(same_as);
            }
            None => diagnostic_of.push(None),
        }
    }
    let id = NEXT_RESULT_ID.fetch_add(1, Ordering::Relaxed);
    LintResult {
        version,
        rope: snapshot.rope.clone(),
        // Kept for the next lint of an open document only: a closed file's lint has none.
        text: version.map(|_| text),
        findings,
        diagnostic_of,
        diagnostics,
        unchanged: previous.map(|p| (p.id, unchanged)),
        id,
        target: target_level,
        above_target: config.above_target,
        provisional: snapshot.provisional(),
        encoded: None,
    }
}

/// How long the text must stay as it is before a provisional lint (of broken text, see
/// [`LintResult::provisional`]) is redone on the full parse: while the user types, each
/// keystroke gets the quick lint and none waits behind a full parse of a superseded version.
const SETTLE: std::time::Duration = std::time::Duration::from_millis(150);

/// Lints the current version of an open document (blocking work on a blocking thread) and
/// stores the result, unless the document changed or closed meanwhile.
pub async fn lint_open(
    state: &Arc<State>,
    uri: &Uri,
    open: &Arc<OpenDoc>,
) -> Option<Arc<LintResult>> {
    lint_open_with(state, uri, open, false).await
}

/// [`lint_open`]; `typing`: for the lint of an edit, which may read a provisional tree of
/// broken text ([`OpenDoc::typing_snapshot`]).
async fn lint_open_with(
    state: &Arc<State>,
    uri: &Uri,
    open: &Arc<OpenDoc>,
    typing: bool,
) -> Option<Arc<LintResult>> {
    let version = open.lock().version();
    if let Some(result) = open.result_for(version, typing) {
        return Some(result);
    }
    // Background work waits between files until this lint is done.
    let _busy = state.foreground.enter();
    // One lint per core at a time; a version superseded while it waited is not linted (the
    // newer version's own lint follows).
    let _slot = state.lint_slots.acquire().await.ok()?;
    if open.lock().version() != version {
        return None;
    }
    let (st, target) = (state.clone(), open.target.clone());
    let enc = state.session().encoding;
    let index = super::project::current(state);
    let lint_target = target.clone();
    let doc_uri = uri.clone();
    let doc = open.clone();
    let (result, facts) = tokio::task::spawn_blocking(move || {
        let target = lint_target;
        let Some(config) = st.lint_config(target.path.as_deref()) else {
            // Excluded by `.ladder.exs`: open, but not linted (nor parsed).
            let (rope, version) = {
                let doc = doc.lock();
                (doc.rope().clone(), doc.version())
            };
            let id = NEXT_RESULT_ID.fetch_add(1, Ordering::Relaxed);
            let result = LintResult {
                version: Some(version),
                rope,
                text: None,
                findings: Vec::new(),
                diagnostic_of: Vec::new(),
                diagnostics: Vec::new(),
                unchanged: None,
                id,
                target: crate::config::DEFAULT_TARGET,
                above_target: Default::default(),
                provisional: false,
                encoded: None,
            };
            return Some((result, None));
        };
        tracing::debug!(version, "lint starts");
        // The edits since the last parse are parsed here, once for however many there were.
        let snapshot = if typing {
            doc.typing_snapshot()
        } else {
            doc.parsed_snapshot()
        };
        if doc.lock().version() != snapshot.version {
            // Edited during the parse: that edit's own lint follows, and this one's result
            // would be stale before it is done.
            return None;
        }
        let mut cache = doc.lint_cache.lock().unwrap_or_else(|e| e.into_inner());
        let started = std::time::Instant::now();
        let previous = doc.latest.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let conv = Conversion {
            uri: &doc_uri,
            target: &target,
            config: &config,
            enc,
        };
        let (mut result, facts) =
            relint_snapshot(conv, &snapshot, &index, &mut cache, previous.as_deref());
        // Encoded here, off the async threads, reusing the last lint's encodings of the
        // diagnostics it kept (pull clients get the diagnostics in responses, which tower-lsp
        // encodes).
        if !st.session().pull {
            let before = previous
                .as_deref()
                .and_then(|p| Some((p.id, p.encoded.as_deref()?)));
            let reusable = match (&result.unchanged, before) {
                (Some((of, unchanged)), Some((id, encoded))) if *of == id => {
                    Some((&unchanged[..], encoded))
                }
                _ => None,
            };
            result.encoded = Some(outbox::encode(&result.diagnostics, reusable));
        }
        tracing::debug!(
            uri = doc_uri.as_str(),
            version = snapshot.version,
            provisional = snapshot.provisional(),
            elapsed = ?started.elapsed(),
            reuse = ?cache.last(),
            "linted"
        );
        Some((result, Some(facts)))
    })
    .await
    .map_err(|e| tracing::error!("lint task failed: {e}"))
    .ok()??;
    let result = Arc::new(result);
    let current = state.doc(uri).is_some_and(|d| Arc::ptr_eq(&d, open))
        && open.lock().version() == result.version.unwrap_or(-1);
    if !current {
        return None;
    }
    if let (Some(path), Some(facts)) = (target.path.as_deref(), facts) {
        super::project::record(state, path, facts);
    }
    // Two lints of the same version can race (the background one and a pull): keep the first,
    // so the pull model's `resultId` stays stable for unchanged text; but the full parse's
    // lint replaces a provisional one.
    let mut latest = open.latest.lock().unwrap_or_else(|e| e.into_inner());
    match latest
        .as_ref()
        .filter(|r| r.version == result.version && (!r.provisional || result.provisional))
    {
        Some(existing) => Some(existing.clone()),
        None => {
            *latest = Some(result.clone());
            Some(result)
        }
    }
}

/// Lints an open document in the background and publishes the result (push clients), even
/// if that version's lint went out already: gate results, a configuration change or new project
/// facts change what it shows.
pub fn schedule(state: Arc<State>, uri: Uri) {
    schedule_lint(state, uri, false);
}

/// [`schedule`] after an edit: the newest version's lint, published unless an earlier lint
/// already published it (a lint parses and lints the newest text, so one lint can answer the
/// edits of a whole burst).
pub fn schedule_edit(state: Arc<State>, uri: Uri) {
    schedule_lint(state, uri, true);
}

fn schedule_lint(state: Arc<State>, uri: Uri, unless_published: bool) {
    tokio::spawn(async move {
        let Some(open) = state.doc(&uri) else { return };
        // Under a burst of edits only the newest version is worth linting: a later change
        // schedules its own lint.
        tokio::task::yield_now().await;
        // Pull clients ask for their diagnostics: those get the full parse's lint.
        let typing = unless_published && !state.session().pull;
        let Some(result) = lint_open_with(&state, &uri, &open, typing).await else {
            return;
        };
        if unless_published && open.published_result.load(Ordering::Relaxed) == result.id {
            return;
        }
        if state.session().pull {
            return;
        }
        publish_open(&state, uri.clone(), &open, &result).await;
        if result.provisional {
            settle(state, uri, open, result).await;
        }
    });
}

/// After a provisional lint went out: once the text has stayed as it is for [`SETTLE`], lints
/// the full parse and publishes it if it finds something else.
async fn settle(state: Arc<State>, uri: Uri, open: Arc<OpenDoc>, provisional: Arc<LintResult>) {
    tokio::select! {
        _ = tokio::time::sleep(SETTLE) => {}
        _ = state.shutdown.cancelled() => return,
    }
    if Some(open.lock().version()) != provisional.version {
        return; // Typed on: that edit's lint follows.
    }
    let Some(exact) = lint_open(&state, &uri, &open).await else {
        return;
    };
    tracing::debug!(
        version = ?exact.version,
        same = exact.diagnostics == provisional.diagnostics,
        "settled"
    );
    if exact.diagnostics != provisional.diagnostics {
        publish_open(&state, uri, &open, &exact).await;
    }
}

/// Publishes the lint of an open document, unless it went stale while it was linted: the
/// document closed (or closed and opened again), changed, or a newer version went out already.
/// The check and the send happen under the document's `published` lock: two lints finishing
/// together would otherwise race, sending an older version after a newer one.
async fn publish_open(state: &State, uri: Uri, open: &Arc<OpenDoc>, result: &LintResult) {
    let gate = state.publish_gate(&uri);
    let _gate = gate.lock().await;
    let mut published = open.published.lock().await;
    let still_open = state.doc(&uri).is_some_and(|d| Arc::ptr_eq(&d, open));
    let newest = result.version == Some(open.lock().version());
    // The same version again is fine (a configuration change or new gate results re-lint it).
    if !still_open || !newest || *published > result.version {
        return;
    }
    let started = std::time::Instant::now();
    let count = publish(state, uri, result, result.version).await;
    tracing::debug!(version = ?result.version, count, elapsed = ?started.elapsed(), "published");
    *published = result.version;
    open.published_result.store(result.id, Ordering::Relaxed);
}

/// Clears the diagnostics of a document (push clients), unless it is open (again) and so has
/// diagnostics of its own.
pub fn clear(state: Arc<State>, uri: Uri) {
    if state.session().pull {
        return;
    }
    tokio::spawn(async move {
        let gate = state.publish_gate(&uri);
        let _gate = gate.lock().await;
        if state.docs.contains_key(&uri) {
            return;
        }
        if !state.outbox.publish(&uri, &[], None) {
            state
                .client
                .publish_diagnostics(uri, Vec::new(), None)
                .await
        }
    });
}

/// Sends `result` with the mix gates' findings as `publishDiagnostics` (through the outbox,
/// from its encoded diagnostics, when the transport takes it); returns how many diagnostics.
pub async fn publish(state: &State, uri: Uri, result: &LintResult, version: Option<i32>) -> usize {
    if state.outbox.is_live() {
        let (gates, _) = gate_diagnostics(state, &uri, result);
        let fresh;
        let encoded: &[outbox::Encoded] = match &result.encoded {
            Some(e) => e,
            None => {
                fresh = outbox::encode(&result.diagnostics, None);
                &fresh
            }
        };
        let gates: Vec<outbox::Encoded> = gates.iter().map(outbox::encode_one).collect();
        let parts: Vec<&[u8]> = encoded.iter().chain(&gates).map(|e| &e[..]).collect();
        if state.outbox.publish(&uri, &parts, version) {
            return parts.len();
        }
    }
    let (diagnostics, _) = with_gates(state, &uri, result);
    let count = diagnostics.len();
    state
        .client
        .publish_diagnostics(uri, diagnostics, version)
        .await;
    count
}

/// A file's diagnostics: its lint plus the current findings of the mix gates; and the
/// `resultId` naming that combination.
pub fn with_gates(state: &State, uri: &Uri, result: &LintResult) -> (Vec<Diagnostic>, String) {
    let (gates, id) = gate_diagnostics(state, uri, result);
    let mut diagnostics: Vec<Diagnostic> = result
        .diagnostics
        .iter()
        .map(|d| Diagnostic::clone(d))
        .collect();
    diagnostics.extend(gates);
    (diagnostics, id)
}

/// The diagnostics of the mix gates' current findings for a file, after its lint `result`;
/// and the `resultId` naming that combination.
pub fn gate_diagnostics(
    state: &State,
    uri: &Uri,
    result: &LintResult,
) -> (Vec<Diagnostic>, String) {
    let (findings, run) = super::gates::findings_for(state, uri, result.version);
    let mut diagnostics = Vec::new();
    let gate_diagnostics =
        super::gates::diagnostics(&findings, &result.rope, state.session().encoding);
    // Gate findings (L0–L3) are above the target only in files aiming lower, such as legacy
    // folders at L1.
    diagnostics.extend(
        findings.iter().zip(gate_diagnostics).filter_map(|(g, d)| {
            convert::for_target(d, g.level, result.target, result.above_target)
        }),
    );
    (diagnostics, format!("{}.{run}", result.id))
}

fn full_report(state: &State, uri: &Uri, result: &LintResult) -> FullDocumentDiagnosticReport {
    let (items, id) = with_gates(state, uri, result);
    FullDocumentDiagnosticReport {
        result_id: Some(id),
        items,
    }
}

/// `textDocument/diagnostic`.
pub async fn document_diagnostic(
    state: &Arc<State>,
    params: DocumentDiagnosticParams,
) -> Result<DocumentDiagnosticReportResult> {
    let uri = params.text_document.uri;
    let result = match state.doc(&uri) {
        Some(open) => {
            // The document may change while we lint; the newest version is what the client
            // wants, so try again a few times before asking it to re-trigger.
            let mut result = None;
            for _ in 0..3 {
                result = lint_open(state, &uri, &open).await;
                if result.is_some() {
                    break;
                }
            }
            result.ok_or_else(|| Error {
                code: ErrorCode::ServerError(SERVER_CANCELLED),
                message: "the document changed while it was linted".into(),
                data: Some(serde_json::json!({"retriggerRequest": true})),
            })?
        }
        None => match state.closed.get(&uri).map(|r| r.value().clone()) {
            Some(r) => r,
            None => {
                let empty = FullDocumentDiagnosticReport {
                    result_id: None,
                    items: Vec::new(),
                };
                return Ok(DocumentDiagnosticReportResult::Report(
                    DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
                        related_documents: None,
                        full_document_diagnostic_report: empty,
                    }),
                ));
            }
        },
    };
    let full = full_report(state, &uri, &result);
    let id = full.result_id.clone().unwrap_or_default();
    let report = if params.previous_result_id.as_deref() == Some(id.as_str()) {
        DocumentDiagnosticReport::Unchanged(RelatedUnchangedDocumentDiagnosticReport {
            related_documents: None,
            unchanged_document_diagnostic_report: UnchangedDocumentDiagnosticReport {
                result_id: id,
            },
        })
    } else {
        DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
            related_documents: None,
            full_document_diagnostic_report: full,
        })
    };
    Ok(DocumentDiagnosticReportResult::Report(report))
}

/// `workspace/diagnostic`: the files of the workspace that are not open.
pub fn workspace_diagnostic(
    state: &State,
    params: WorkspaceDiagnosticParams,
) -> WorkspaceDiagnosticReportResult {
    let mut items = Vec::new();
    for entry in state.closed.iter() {
        if state.docs.contains_key(entry.key()) {
            continue;
        }
        let result = entry.value();
        let full = full_report(state, entry.key(), result);
        let id = full.result_id.clone().unwrap_or_default();
        let unchanged = params
            .previous_result_ids
            .iter()
            .any(|p| &p.uri == entry.key() && p.value == id);
        items.push(if unchanged {
            WorkspaceDocumentDiagnosticReport::Unchanged(
                WorkspaceUnchangedDocumentDiagnosticReport {
                    uri: entry.key().clone(),
                    version: None,
                    unchanged_document_diagnostic_report: UnchangedDocumentDiagnosticReport {
                        result_id: id,
                    },
                },
            )
        } else {
            WorkspaceDocumentDiagnosticReport::Full(WorkspaceFullDocumentDiagnosticReport {
                uri: entry.key().clone(),
                version: None,
                full_document_diagnostic_report: full,
            })
        });
    }
    items.sort_by(|a, b| report_uri(a).as_str().cmp(report_uri(b).as_str()));
    WorkspaceDiagnosticReportResult::Report(WorkspaceDiagnosticReport { items })
}

fn report_uri(r: &WorkspaceDocumentDiagnosticReport) -> &Uri {
    match r {
        WorkspaceDocumentDiagnosticReport::Full(f) => &f.uri,
        WorkspaceDocumentDiagnosticReport::Unchanged(u) => &u.uri,
    }
}

#[cfg(test)]
#[path = "keystroke_profile.rs"]
mod keystroke_profile;

#[cfg(test)]
#[path = "diagnostic_reuse_tests.rs"]
mod diagnostic_reuse_tests;
