//! The workspace: lint the closed files of every Mix project in the background (with
//! `$/progress`), keep them current as they change on disk, and re-lint on configuration
//! changes.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use super::super::lsp::*;
use super::super::settings::EditorSettings;
use super::super::state::{FileTarget, LintResult, State};
use super::diagnostics::{self, lint_snapshot};
use super::project;
use crate::config::{CONFIG_FILE, CREDO_CONF_FILE, SOBELOW_CONF_FILE};
use crate::document::Document;
use crate::lint::rules::l0_compiles::invalid_encoding;
use crate::workspace;

/// Requests to the client are given this long before we carry on without them.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(5);

/// Files linted between two progress reports.
const CHUNK: usize = 64;

/// After `initialized`: register file watchers and lint the workspace, in the background.
pub fn start(state: Arc<State>) {
    tokio::spawn(async move {
        if state.session().watch_files {
            register_watchers(&state).await;
        }
        scan(state).await;
    });
}

async fn register_watchers(state: &State) {
    let watchers = [
        "**/*.ex",
        "**/*.exs",
        &format!("**/{CONFIG_FILE}"),
        &format!("**/{SOBELOW_CONF_FILE}"),
        &format!("**/{CREDO_CONF_FILE}"),
    ]
    .iter()
    .map(|glob| FileSystemWatcher {
        glob_pattern: GlobPattern::String(glob.to_string()),
        kind: None,
    })
    .collect();
    let options = DidChangeWatchedFilesRegistrationOptions { watchers };
    let registration = Registration {
        id: "ladder-watch".to_string(),
        method: "workspace/didChangeWatchedFiles".to_string(),
        register_options: serde_json::to_value(options).ok(),
    };
    match tokio::time::timeout(
        CLIENT_TIMEOUT,
        state.client.register_capability(vec![registration]),
    )
    .await
    {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::warn!("file watcher registration refused: {e}"),
        Err(_) => tracing::warn!("file watcher registration timed out"),
    }
}

/// Lints every lintable file of the workspace folders that is not open.
async fn scan(state: Arc<State>) {
    let roots = state.roots();
    if roots.is_empty() {
        return;
    }
    let files = {
        let roots = roots.clone();
        tokio::task::spawn_blocking(move || {
            let mut files = workspace::collect_files(&roots).unwrap_or_default();
            files.extend(
                roots
                    .iter()
                    .map(|r| r.join(CONFIG_FILE))
                    .filter(|p| p.is_file()),
            );
            files
        })
        .await
        .unwrap_or_default()
    };
    tracing::info!(files = files.len(), "indexing the workspace");
    let progress = begin_progress(&state, files.len()).await;
    // Cross-file facts first, so that the first lint of every file already sees the whole
    // project; then open documents are linted again with them.
    let index = {
        let files = files.clone();
        let st = state.clone();
        tokio::task::spawn_blocking(move || {
            crate::project::build_deferring(&files, &|| st.foreground.wait_turn())
        })
        .await
        .unwrap_or_default()
    };
    tracing::info!(
        files = index.len(),
        "project index built; linting the workspace"
    );
    project::install(&state, index);
    let open: Vec<Uri> = state.docs.iter().map(|e| e.key().clone()).collect();
    for uri in open {
        if let Some(doc) = state.doc(&uri) {
            *doc.latest.lock().unwrap_or_else(|e| e.into_inner()) = None;
        }
        diagnostics::schedule(state.clone(), uri);
    }
    let total = files.len().max(1);
    for (i, chunk) in files.chunks(CHUNK).enumerate() {
        if state.shutdown.is_cancelled() {
            return;
        }
        let (st, chunk) = (state.clone(), chunk.to_vec());
        let results = tokio::task::spawn_blocking(move || {
            chunk
                .into_iter()
                .filter_map(|p| {
                    st.foreground.wait_turn();
                    lint_path(&st, p)
                })
                .collect::<Vec<_>>()
        })
        .await
        .unwrap_or_default();
        for (uri, result) in results {
            store_and_publish(&state, uri, result).await;
        }
        if let Some(p) = &progress {
            let done = ((i + 1) * CHUNK).min(total);
            p.report_with_message(format!("{done}/{total} files"), (done * 100 / total) as u32)
                .await;
        }
    }
    if let Some(p) = progress {
        p.finish_with_message(format!("{} files linted", files.len()))
            .await;
    }
    refresh_pull_clients(&state);
}

async fn begin_progress(
    state: &State,
    files: usize,
) -> Option<
    tower_lsp_server::OngoingProgress<tower_lsp_server::Bounded, tower_lsp_server::NotCancellable>,
> {
    if !state.session().progress || files == 0 {
        return None;
    }
    let token = NumberOrString::String(format!("ladder-workspace-{}", std::process::id()));
    let created = tokio::time::timeout(
        CLIENT_TIMEOUT,
        state.client.create_work_done_progress(token.clone()),
    )
    .await;
    if !matches!(created, Ok(Ok(()))) {
        return None;
    }
    Some(
        state
            .client
            .progress(token, "Ladder: linting workspace")
            .with_percentage(0)
            .begin()
            .await,
    )
}

/// Lints a file from disk (blocking) and records its project facts. Files that are open or
/// unreadable give `None`; a file that is not UTF-8 gets one finding, `invalid-encoding` at its
/// first bad byte, as in `ladder-ls check` (the compiler rejects it: the rest of it is not
/// linted).
fn lint_path(state: &Arc<State>, path: PathBuf) -> Option<(Uri, LintResult)> {
    let uri = Uri::from_file_path(&path)?;
    if state.docs.contains_key(&uri) {
        return None;
    }
    let config = state.lint_config(Some(&path))?;
    let bytes = std::fs::read(&path)
        .map_err(|e| tracing::warn!(path = %path.display(), "cannot read: {e}"))
        .ok()?;
    let (text, invalid) = invalid_encoding::decode(bytes);
    let target = FileTarget::of(&uri, &state.roots());
    let snapshot = Document::new(&text, 0).snapshot();
    let enc = state.session().encoding;
    let conv = diagnostics::Conversion {
        uri: &uri,
        target: &target,
        config: &config,
        enc,
    };
    let result = match invalid {
        None => {
            let index = project::current(state);
            let (result, facts) = lint_snapshot(conv, &snapshot, None, &index);
            project::record(state, &path, facts);
            result
        }
        Some(finding) => {
            let findings = if config.rule_enabled(finding.code) {
                vec![finding]
            } else {
                Vec::new()
            };
            diagnostics::result_of(conv, &snapshot, findings, None, None)
        }
    };
    Some((uri, result))
}

async fn store_and_publish(state: &State, uri: Uri, result: LintResult) {
    let result = Arc::new(result);
    state.closed.insert(uri.clone(), result.clone());
    let gate = state.publish_gate(&uri);
    let _gate = gate.lock().await;
    if !state.session().pull && !state.docs.contains_key(&uri) {
        diagnostics::publish(state, uri, &result, None).await;
    }
}

/// Asks pull clients to pull again (sent from a task: awaiting it in a handler can deadlock).
fn refresh_pull_clients(state: &Arc<State>) {
    let session = state.session();
    if !session.pull || !session.workspace_refresh {
        return;
    }
    let st = state.clone();
    tokio::spawn(async move {
        let _ =
            tokio::time::timeout(CLIENT_TIMEOUT, st.client.workspace_diagnostic_refresh()).await;
    });
}

/// Re-lints a closed file from disk and publishes it.
pub fn relint_from_disk(state: Arc<State>, uri: Uri) {
    tokio::spawn(async move {
        let Some(path) = uri.to_file_path().map(|p| p.into_owned()) else {
            return;
        };
        let st = state.clone();
        // Behind the same per-core permits as the lints of open documents (bounded threads).
        let Ok(slot) = state.lint_slots.acquire().await else {
            return;
        };
        let result = tokio::task::spawn_blocking(move || lint_path(&st, path))
            .await
            .ok()
            .flatten();
        drop(slot);
        match result {
            Some((uri, result)) => store_and_publish(&state, uri, result).await,
            None => {
                state.closed.remove(&uri);
                diagnostics::clear(state.clone(), uri);
            }
        }
        refresh_pull_clients(&state);
    });
}

/// Re-lints everything: open documents and the workspace (after a configuration change).
fn relint_all(state: &Arc<State>) {
    let open: Vec<Uri> = state.docs.iter().map(|e| e.key().clone()).collect();
    for uri in open {
        if let Some(doc) = state.doc(&uri) {
            *doc.latest.lock().unwrap_or_else(|e| e.into_inner()) = None;
        }
        diagnostics::schedule(state.clone(), uri);
    }
    tokio::spawn(scan(state.clone()));
}

/// A saved `.ladder.exs`, `.formatter.exs`, `.sobelow-conf` or `.credo.exs` applies at once, also for
/// clients that do not watch files for us.
pub fn did_save(state: &Arc<State>, uri: &Uri) {
    let Some(path) = uri.to_file_path() else {
        return;
    };
    if path.file_name().is_some_and(|n| {
        n == CONFIG_FILE || n == ".formatter.exs" || n == SOBELOW_CONF_FILE || n == CREDO_CONF_FILE
    }) {
        state.configs.clear();
        relint_all(state);
    }
}

pub fn did_change_watched_files(state: &Arc<State>, params: DidChangeWatchedFilesParams) {
    let mut config_changed = false;
    for change in params.changes {
        let Some(path) = change.uri.to_file_path().map(|p| p.into_owned()) else {
            continue;
        };
        if path.file_name().is_some_and(|n| {
            n == CONFIG_FILE
                || n == ".formatter.exs"
                || n == SOBELOW_CONF_FILE
                || n == CREDO_CONF_FILE
                || n == "mix.exs"
        }) {
            config_changed = true;
        }
        if state.docs.contains_key(&change.uri) {
            continue;
        }
        if change.typ == FileChangeType::DELETED {
            project::forget(state, &path);
            state.closed.remove(&change.uri);
            diagnostics::clear(state.clone(), change.uri);
        } else if workspace::is_lintable(&path)
            || path.file_name().is_some_and(|n| n == CONFIG_FILE)
        {
            relint_from_disk(state.clone(), change.uri);
        }
    }
    if config_changed {
        state.configs.clear();
        relint_all(state);
    }
}

pub fn did_change_configuration(state: &Arc<State>, params: DidChangeConfigurationParams) {
    if params.settings.is_null() || params.settings.as_object().is_some_and(|o| o.is_empty()) {
        return;
    }
    *state.editor.write().unwrap_or_else(|e| e.into_inner()) =
        EditorSettings::from_json(&params.settings);
    relint_all(state);
}
