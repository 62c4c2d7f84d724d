//! `didOpen`, `didChange`, `didClose`. Edits are applied synchronously, before any `.await`,
//! so notifications handled concurrently still apply in the order they were sent.

use std::sync::{Arc, Mutex};

use super::super::convert;
use super::super::lsp::*;
use super::super::state::{FileTarget, OpenDoc, State};
use super::diagnostics;
use crate::document::{Document, TextChange};

pub fn did_open(state: &Arc<State>, params: DidOpenTextDocumentParams) {
    let item = params.text_document;
    // Clients configured broadly may send templates (`.heex`, `.eex`) or other files: only
    // Elixir source is ours to parse, the rest would be all syntax errors.
    let path = item.uri.path().as_str().to_ascii_lowercase();
    let elixir = item.language_id == "elixir" || path.ends_with(".ex") || path.ends_with(".exs");
    if !elixir {
        tracing::debug!(
            uri = item.uri.as_str(),
            language = item.language_id,
            "not Elixir; not linted"
        );
        return;
    }
    let target = FileTarget::of(&item.uri, &state.roots());
    // Parsed by the lint that follows, on a blocking thread: a large file's parse would hold
    // this handler.
    let doc = Document::new_deferred(&item.text, item.version);
    let open = Arc::new(OpenDoc {
        doc: Mutex::new(doc),
        target,
        latest: Mutex::new(None),
        opened_version: item.version,
        lint_cache: Mutex::new(Default::default()),
        published: Default::default(),
        published_result: Default::default(),
        parsing: Default::default(),
    });
    state.docs.insert(item.uri.clone(), open);
    diagnostics::schedule(state.clone(), item.uri);
}

pub fn did_change(state: &Arc<State>, params: DidChangeTextDocumentParams) {
    let uri = params.text_document.uri;
    let Some(open) = state.doc(&uri) else {
        tracing::debug!(
            uri = uri.as_str(),
            "didChange for a document that is not open (or not Elixir); ignored"
        );
        return;
    };
    {
        let mut doc = open.lock();
        let version = params.text_document.version;
        if version <= doc.version() {
            tracing::warn!(
                uri = uri.as_str(),
                version,
                current = doc.version(),
                "stale didChange ignored"
            );
            return;
        }
        let changes: Vec<TextChange> = params
            .content_changes
            .into_iter()
            .map(|c| TextChange {
                range: c
                    .range
                    .map(|r| (convert::line_col(r.start), convert::line_col(r.end))),
                text: c.text,
            })
            .collect();
        // The re-parse waits for the lint (or another reader) to need the tree: a burst of
        // keystrokes then costs one parse, and this handler returns at once.
        doc.edit(&changes, version, state.session().encoding);
        tracing::debug!(version, "changed");
    }
    diagnostics::schedule_edit(state.clone(), uri);
}

pub fn did_close(state: &Arc<State>, params: DidCloseTextDocumentParams) {
    let uri = params.text_document.uri;
    let Some((_, open)) = state.docs.remove(&uri) else {
        return;
    };
    // A closed file of the workspace keeps showing its findings (from disk), like the rest of
    // the project; anything else is cleared.
    let in_workspace = open.target.path.as_ref().is_some_and(|p| {
        state.roots().iter().any(|r| p.starts_with(r)) && crate::workspace::is_lintable(p)
    });
    // The closing publication (the findings on disk, or none) must be the document's last: wait
    // for a publication of the open document under way (none starts after the removal above).
    let state = state.clone();
    tokio::spawn(async move {
        drop(open.published.lock().await);
        if in_workspace {
            super::workspace::relint_from_disk(state, uri);
        } else {
            state.closed.remove(&uri);
            diagnostics::clear(state, uri);
        }
    });
}
