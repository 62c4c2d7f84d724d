//! The language server: a thin `LanguageServer` implementation over the pure core, one handler
//! module per concern under `handlers/`.
//!
//! Two traps of the tower-lsp family shape this code (see `architecture.md`): handlers run
//! concurrently, so `didChange` edits the document synchronously before any `.await`; and
//! awaiting a request to the client inside a handler can deadlock the server, so such requests
//! (progress, registration, refresh) are sent from spawned tasks with a timeout.

pub mod convert;
pub mod diagnostic_reuse;
pub mod foreground;
mod handlers;
pub mod lsp;
pub mod outbox;
pub mod settings;
pub mod state;
pub mod transport;

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::{Client, LanguageServer, LspService};

use lsp::*;
use state::State;

/// The `LanguageServer` implementation.
pub struct Backend {
    state: Arc<State>,
}

impl Backend {
    /// A server talking to `client`.
    pub fn new(client: Client, shutdown_requested: Arc<AtomicBool>) -> Self {
        Backend {
            state: Arc::new(State::new(client, shutdown_requested)),
        }
    }

    /// The receiving end of the handlers' pre-encoded notifications ([`outbox`]), for the
    /// transport that writes to the client; `None` once taken.
    pub fn outbox_receiver(&self) -> Option<tokio::sync::mpsc::UnboundedReceiver<Vec<u8>>> {
        self.state.outbox.take_receiver()
    }
}

impl Backend {
    /// `window/workDoneProgress/cancel` (not part of the `LanguageServer` trait yet).
    async fn cancel_progress(&self, params: WorkDoneProgressCancelParams) {
        handlers::gates::cancel_progress(&self.state, &params.token);
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        Ok(handlers::initialize::initialize(&self.state, params))
    }

    async fn initialized(&self, _: InitializedParams) {
        handlers::workspace::start(self.state.clone());
    }

    async fn shutdown(&self) -> Result<()> {
        self.state.shutdown_requested.store(true, Ordering::SeqCst);
        self.state.shutdown.cancel();
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        handlers::documents::did_open(&self.state, params);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        handlers::documents::did_change(&self.state, params);
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        handlers::workspace::did_save(&self.state, &params.text_document.uri);
        handlers::gates::on_save(&self.state, &params.text_document.uri);
    }

    async fn formatting(&self, params: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>> {
        handlers::formatting::formatting(&self.state, params).await
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        handlers::documents::did_close(&self.state, params);
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        handlers::workspace::did_change_watched_files(&self.state, params);
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        handlers::workspace::did_change_configuration(&self.state, params);
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        handlers::diagnostics::document_diagnostic(&self.state, params).await
    }

    async fn workspace_diagnostic(
        &self,
        params: WorkspaceDiagnosticParams,
    ) -> Result<WorkspaceDiagnosticReportResult> {
        Ok(handlers::diagnostics::workspace_diagnostic(
            &self.state,
            params,
        ))
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        handlers::code_actions::code_action(&self.state, params).await
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        handlers::hover::hover(&self.state, params).await
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        handlers::code_lens::code_lens(&self.state, params).await
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<LSPAny>> {
        handlers::commands::execute(&self.state, params).await
    }
}

/// The service the binary serves, and its socket for messages to the client; `shutdown` sets
/// `shutdown_requested`. Public so the `lsp_dispatch` fuzz target runs the same service
/// through [`transport::serve`].
pub fn service(
    shutdown_requested: Arc<AtomicBool>,
) -> (LspService<Backend>, tower_lsp_server::ClientSocket) {
    LspService::build(move |client| Backend::new(client, shutdown_requested))
        .custom_method("window/workDoneProgress/cancel", Backend::cancel_progress)
        .finish()
}

/// Serves LSP on stdin/stdout until `exit` (or end of input). Exits with 0 when `shutdown`
/// came first, 1 otherwise, as the protocol asks.
pub fn serve_stdio() -> ExitCode {
    // glibc's malloc arenas are left at their default (eight per core). Two arenas kept the
    // soak's memory flatter (+1.5 % against +5 %, `server/benches/soak.rs`), but two threads
    // that share an arena wait on its lock at every allocation: a large file's first parse,
    // read in pieces on two threads, took 20 or 40-60 ms depending on whether the piece
    // threads drew the same arena (first diagnostics of a 5,000-line file: 30-85 ms).
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        // Blocking threads hold stdin, the lints (one per core at a time), file reads and the
        // workspace scan. Tokio's default of 512 lets idle ones pile up between bursts, each
        // keeping its stack and malloc caches: resident memory crept up by 6-17 % over the
        // 20,000-edit soak; six keep it within 10 %.
        .max_blocking_threads(6)
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("ladder-ls: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let requested = Arc::new(AtomicBool::new(false));
    let flag = requested.clone();
    runtime.block_on(async move {
        let (service, socket) = service(flag);
        transport::serve(tokio::io::stdin(), tokio::io::stdout(), service, socket).await;
    });
    tracing::info!("exiting");
    // Lints still running on blocking threads are abandoned: the editor asked us to go. No mix
    // process may outlive the server.
    crate::mix::runner::kill_all();
    runtime.shutdown_background();
    let code = if requested.load(Ordering::SeqCst) {
        0
    } else {
        1
    };
    std::process::exit(code)
}
