//! The server's shared state: open documents, lint results, negotiated capabilities, settings.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, RwLock};

use dashmap::DashMap;
use ropey::Rope;
use tokio_util::sync::CancellationToken;
use tower_lsp_server::Client;

use super::lsp::{Diagnostic, Uri};
use super::settings::EditorSettings;
use crate::config::Config;
use crate::document::{Document, PositionEncoding, Snapshot};
use crate::lint::{FileInfo, Finding};
use crate::workspace::{self, ConfigCache};

/// What was negotiated at `initialize`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Session {
    /// Column units of every position exchanged.
    pub encoding: PositionEncoding,
    /// The client pulls diagnostics (`textDocument/diagnostic`): never push to it.
    pub pull: bool,
    /// The client supports `workspace/diagnostic/refresh`.
    pub workspace_refresh: bool,
    /// The client accepts `window/workDoneProgress/create`.
    pub progress: bool,
    /// The client lets us register file watchers.
    pub watch_files: bool,
    /// The client supports `workspace/codeLens/refresh`.
    pub code_lens_refresh: bool,
}

/// The lint of one version of a file.
#[derive(Debug)]
pub struct LintResult {
    /// The document version linted (`None` for files read from disk).
    pub version: Option<i32>,
    /// The text linted, for position conversion.
    pub rope: Rope,
    /// The same text in one piece, when the lint had it (to find what the next edit changed).
    pub text: Option<Arc<String>>,
    /// Findings in byte offsets.
    pub findings: Vec<Finding>,
    /// For each finding, the index of its diagnostic (`None`: not published, above the
    /// target).
    pub diagnostic_of: Vec<Option<u32>>,
    /// The published findings as LSP diagnostics, in the session's encoding.
    pub diagnostics: Vec<Arc<Diagnostic>>,
    /// When the diagnostics were converted reusing an earlier lint's (its `id`): for each
    /// diagnostic, the index of the equal diagnostic of that lint, if it is one.
    pub unchanged: Option<(u64, Vec<Option<u32>>)>,
    /// A unique id, used as the pull model's `resultId`.
    pub id: u64,
    /// The file's target level: findings above it are demoted in `diagnostics`.
    pub target: u8,
    /// How findings above the target are published (for the gate findings added later).
    pub above_target: crate::config::AboveTarget,
    /// Whether the lint read a provisional tree of broken text ([`Snapshot::provisional`]):
    /// published while the user types, replaced by the full parse's lint when the typing
    /// pauses, and never the answer to a request.
    pub provisional: bool,
    /// `diagnostics` as JSON, each encoded once ([`super::outbox::encode`]): set by the lints of
    /// open documents, reusing the last lint's encodings of the diagnostics that did not change.
    pub encoded: Option<Vec<super::outbox::Encoded>>,
}

/// Where a document lives and which configuration applies to it.
#[derive(Clone, Debug)]
pub struct FileTarget {
    /// The file on disk, for `file:` URIs.
    pub path: Option<PathBuf>,
    /// Path facts for the rules.
    pub info: FileInfo,
}

impl FileTarget {
    /// The target of a URI: `file:` URIs map to their path inside their Mix project; other
    /// schemes (`untitled:`) are linted as application code.
    pub fn of(uri: &Uri, roots: &[PathBuf]) -> Self {
        match uri.to_file_path() {
            Some(path) => {
                let path = path.into_owned();
                let display = roots
                    .iter()
                    .find(|r| path.starts_with(r))
                    .map(|r| workspace::relative_slash(&path, r))
                    .unwrap_or_else(|| path.display().to_string());
                FileTarget {
                    info: workspace::file_info(&path, display),
                    path: Some(path),
                }
            }
            None => {
                let name = uri
                    .as_str()
                    .rsplit('/')
                    .next()
                    .unwrap_or("untitled.ex")
                    .to_string();
                FileTarget {
                    path: None,
                    info: FileInfo {
                        display: uri.as_str().to_string(),
                        project_rel: format!("lib/{name}"),
                        root: None,
                    },
                }
            }
        }
    }
}

/// An open document with its latest lint.
pub struct OpenDoc {
    /// Text and tree.
    pub doc: Mutex<Document>,
    /// Path facts.
    pub target: FileTarget,
    /// The newest lint of this document, if any.
    pub latest: Mutex<Option<Arc<LintResult>>>,
    /// The version it was opened at (its text was then the file's on disk).
    pub opened_version: i32,
    /// What the last lint leaves for the next one: the findings of unchanged functions are
    /// reused after an edit.
    pub lint_cache: Mutex<crate::lint::incremental::LintCache>,
    /// The newest version published (push clients). Held while publishing, so that this
    /// document's publications go out in version order and none after its close: lints of
    /// successive versions run concurrently and could otherwise send an older result last, and
    /// a result sent after the close would stay on the closed file.
    pub published: tokio::sync::Mutex<Option<i32>>,
    /// The id of the last lint result published: a background lint that finds the current
    /// version already linted (by an earlier lint that parsed edits arriving after it was
    /// scheduled) has nothing new to send.
    pub published_result: std::sync::atomic::AtomicU64,
    /// Held while a deferred parse runs ([`OpenDoc::parsed_snapshot`]).
    pub parsing: Mutex<()>,
}

impl OpenDoc {
    /// The document, even if a panicking holder poisoned the lock (the text is still whole:
    /// edits are applied before anything that could panic).
    pub fn lock(&self) -> MutexGuard<'_, Document> {
        self.doc.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The current text with its tree, parsing it first (without holding the document, so
    /// that edits arriving meanwhile are not held up) if an edit deferred the parse. Blocking:
    /// call it off the async threads.
    pub fn parsed_snapshot(&self) -> Snapshot {
        self.snapshot_parsing(false)
    }

    /// [`OpenDoc::parsed_snapshot`] for the lint of an edit: when the edits left statements
    /// broken, their provisional re-parse where it can be had
    /// ([`crate::document::ParseJob::run_allowing_provisional`]) instead of a full parse.
    pub fn typing_snapshot(&self) -> Snapshot {
        self.snapshot_parsing(true)
    }

    fn snapshot_parsing(&self, allow_provisional: bool) -> Snapshot {
        if let Ok(snapshot) = self.lock().snapshot_or_job() {
            return snapshot;
        }
        // One parse of a document at a time: a lint that arrives while another parses the
        // same text waits for that parse instead of repeating it.
        let _parsing = self.parsing.lock().unwrap_or_else(|e| e.into_inner());
        let job = match self.lock().snapshot_or_job() {
            Ok(snapshot) => return snapshot,
            Err(job) => job,
        };
        let started = std::time::Instant::now();
        let snapshot = if allow_provisional {
            job.run_allowing_provisional()
        } else {
            job.run()
        };
        tracing::debug!(
            version = snapshot.version,
            spliced = snapshot.spliced(),
            provisional = snapshot.provisional(),
            elapsed = ?started.elapsed(),
            "parsed"
        );
        self.lock().offer(&snapshot);
        snapshot
    }

    /// The latest lint if it is of `version` (and of its full parse, unless `provisional_ok`).
    pub fn result_for(&self, version: i32, provisional_ok: bool) -> Option<Arc<LintResult>> {
        let latest = self.latest.lock().unwrap_or_else(|e| e.into_inner());
        latest
            .as_ref()
            .filter(|r| r.version == Some(version) && (provisional_ok || !r.provisional))
            .cloned()
    }
}

/// Everything the handlers share.
pub struct State {
    /// The connection to the client.
    pub client: Client,
    /// Open documents.
    pub docs: DashMap<Uri, Arc<OpenDoc>>,
    /// Lints of workspace files that are not open.
    pub closed: DashMap<Uri, Arc<LintResult>>,
    /// One lock per document held while deciding whether to publish and publishing, by the
    /// open document's lints and by the publications of its file on disk (after a close): a
    /// file closed and re-opened at once must not get its disk findings after the new
    /// session's.
    pub publish_gates: DashMap<Uri, Arc<tokio::sync::Mutex<()>>>,
    /// Negotiated at `initialize`.
    pub session: OnceLock<Session>,
    /// Workspace folders.
    pub roots: RwLock<Vec<PathBuf>>,
    /// Project configurations, loaded once each.
    pub configs: ConfigCache,
    /// Editor settings.
    pub editor: RwLock<EditorSettings>,
    /// Cancelled at `shutdown`: background work stops.
    pub shutdown: CancellationToken,
    /// Whether `shutdown` was requested (the exit status depends on it).
    pub shutdown_requested: Arc<AtomicBool>,
    /// Mix gate runners and results, by Mix project root.
    pub gates: DashMap<PathBuf, Arc<super::handlers::gates::ProjectGates>>,
    /// Cancellation of runs whose progress the client may cancel, by progress token.
    pub progress_cancels: DashMap<String, CancellationToken>,
    /// The project index (cross-file facts), swapped whole on every change.
    pub project: Mutex<Arc<crate::project::ProjectIndex>>,
    /// Messages already shown with `window/showMessage` (each is shown once, then logged).
    pub shown_messages: Mutex<std::collections::HashSet<String>>,
    /// One permit per core for linting open documents. Without a bound, a burst of edits
    /// started a lint per version on its own blocking thread: dozens of threads (each with its
    /// stack and malloc arena: resident memory kept growing over a long session) linting
    /// versions already superseded.
    pub lint_slots: tokio::sync::Semaphore,
    /// Where `publishDiagnostics` goes, pre-encoded, when a transport writes it.
    pub outbox: super::outbox::Outbox,
    /// Open documents' lints in progress, which background work lets go first.
    pub foreground: super::foreground::Foreground,
}

impl State {
    /// The publication lock of `uri` (see [`State::publish_gates`]).
    pub fn publish_gate(&self, uri: &Uri) -> Arc<tokio::sync::Mutex<()>> {
        self.publish_gates.entry(uri.clone()).or_default().clone()
    }

    /// A fresh state.
    pub fn new(client: Client, shutdown_requested: Arc<AtomicBool>) -> Self {
        State {
            client,
            docs: DashMap::new(),
            closed: DashMap::new(),
            publish_gates: DashMap::new(),
            session: OnceLock::new(),
            roots: RwLock::new(Vec::new()),
            configs: ConfigCache::default(),
            editor: RwLock::new(EditorSettings::default()),
            shutdown: CancellationToken::new(),
            shutdown_requested,
            gates: DashMap::new(),
            progress_cancels: DashMap::new(),
            project: Mutex::new(Arc::new(crate::project::ProjectIndex::default())),
            shown_messages: Mutex::new(Default::default()),
            lint_slots: tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(2, |n| n.get()),
            ),
            outbox: Default::default(),
            foreground: Default::default(),
        }
    }

    /// The negotiated session (defaults before `initialize`).
    pub fn session(&self) -> Session {
        self.session.get().copied().unwrap_or_default()
    }

    /// The workspace folders.
    pub fn roots(&self) -> Vec<PathBuf> {
        self.roots.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The configuration to lint a file with, or `None` when its `.ladder.exs` excludes it
    /// (one configuration lookup for both answers).
    pub fn lint_config(&self, path: Option<&Path>) -> Option<Config> {
        let editor = self
            .editor
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let Some(path) = path else {
            return Some(editor.merge(&Config::default()));
        };
        let (root, loaded) = self.configs.for_file(path);
        if loaded
            .config
            .is_excluded(&workspace::relative_slash(path, &root))
        {
            return None;
        }
        Some(editor.merge(&loaded.config))
    }

    /// The effective configuration for a file: its project's `.ladder.exs` merged with the
    /// editor's settings.
    pub fn config_for(&self, path: Option<&Path>) -> Config {
        let editor = self
            .editor
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        match path {
            Some(path) => editor.merge(&self.configs.for_file(path).1.config),
            None => editor.merge(&Config::default()),
        }
    }

    /// The open document at `uri`.
    pub fn doc(&self, uri: &Uri) -> Option<Arc<OpenDoc>> {
        self.docs.get(uri).map(|d| d.value().clone())
    }
}
