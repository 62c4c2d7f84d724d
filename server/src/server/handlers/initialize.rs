//! `initialize`: negotiate the position encoding and the diagnostics model, read settings,
//! declare capabilities.

use super::super::lsp::*;
use super::super::settings::EditorSettings;
use super::super::state::{Session, State};
use super::commands::COMMANDS;
use crate::document::PositionEncoding;

/// The code action kind of "fix all" (`source.fixAll.ladder`).
pub const FIX_ALL_KIND: &str = "source.fixAll.ladder";

/// Picks UTF-8 when offered (no conversion), then UTF-32, else the mandatory UTF-16.
pub fn negotiate_encoding(offered: Option<&[PositionEncodingKind]>) -> PositionEncoding {
    let offered = offered.unwrap_or(&[]);
    if offered.contains(&PositionEncodingKind::UTF8) {
        PositionEncoding::Utf8
    } else if offered.contains(&PositionEncodingKind::UTF32) {
        PositionEncoding::Utf32
    } else {
        PositionEncoding::Utf16
    }
}

fn encoding_kind(enc: PositionEncoding) -> PositionEncodingKind {
    match enc {
        PositionEncoding::Utf8 => PositionEncodingKind::UTF8,
        PositionEncoding::Utf16 => PositionEncodingKind::UTF16,
        PositionEncoding::Utf32 => PositionEncodingKind::UTF32,
    }
}

pub fn initialize(state: &State, params: InitializeParams) -> InitializeResult {
    let caps = &params.capabilities;
    let encoding = negotiate_encoding(
        caps.general
            .as_ref()
            .and_then(|g| g.position_encodings.as_deref()),
    );
    let workspace = caps.workspace.as_ref();
    let session = Session {
        encoding,
        pull: caps
            .text_document
            .as_ref()
            .is_some_and(|t| t.diagnostic.is_some()),
        workspace_refresh: workspace
            .and_then(|w| w.diagnostics.as_ref())
            .and_then(|d| d.refresh_support)
            == Some(true),
        progress: caps.window.as_ref().and_then(|w| w.work_done_progress) == Some(true),
        watch_files: workspace
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|d| d.dynamic_registration)
            == Some(true),
        code_lens_refresh: workspace
            .and_then(|w| w.code_lens.as_ref())
            .and_then(|c| c.refresh_support)
            == Some(true),
    };
    let _ = state.session.set(session);

    let mut roots: Vec<_> = params
        .workspace_folders
        .iter()
        .flatten()
        .filter_map(|f| f.uri.to_file_path().map(|p| p.into_owned()))
        .collect();
    #[allow(deprecated)] // Older clients (Neovim 0.7 with a root_dir) send only rootUri.
    if roots.is_empty() {
        roots.extend(
            params
                .root_uri
                .as_ref()
                .and_then(|u| u.to_file_path())
                .map(|p| p.into_owned()),
        );
    }
    *state.roots.write().unwrap_or_else(|e| e.into_inner()) = roots;
    if let Some(options) = &params.initialization_options {
        *state.editor.write().unwrap_or_else(|e| e.into_inner()) =
            EditorSettings::from_json(options);
    }
    let mix_enabled = state
        .editor
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .mix_enabled
        == Some(true);
    tracing::info!(?session, "initialized");

    let diagnostic_provider = session.pull.then(|| {
        DiagnosticServerCapabilities::Options(DiagnosticOptions {
            identifier: Some("ladder".to_string()),
            inter_file_dependencies: false,
            workspace_diagnostics: true,
            work_done_progress_options: WorkDoneProgressOptions::default(),
        })
    });
    InitializeResult {
        capabilities: ServerCapabilities {
            position_encoding: Some(encoding_kind(encoding)),
            text_document_sync: Some(TextDocumentSyncCapability::Options(
                TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::INCREMENTAL),
                    save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                    ..Default::default()
                },
            )),
            code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                code_action_kinds: Some(vec![
                    CodeActionKind::QUICKFIX,
                    CodeActionKind::new(FIX_ALL_KIND),
                ]),
                resolve_provider: Some(false),
                work_done_progress_options: WorkDoneProgressOptions::default(),
            })),
            hover_provider: Some(HoverProviderCapability::Simple(true)),
            // `mix format` runs the project's formatter plugins: offered only when the editor
            // enabled the mix gates.
            document_formatting_provider: mix_enabled.then_some(OneOf::Left(true)),
            code_lens_provider: Some(CodeLensOptions {
                resolve_provider: Some(false),
            }),
            execute_command_provider: Some(ExecuteCommandOptions {
                commands: COMMANDS.iter().map(|c| c.to_string()).collect(),
                work_done_progress_options: WorkDoneProgressOptions::default(),
            }),
            diagnostic_provider,
            ..Default::default()
        },
        server_info: Some(ServerInfo {
            name: "ladder-ls".to_string(),
            version: Some(env!("CARGO_PKG_VERSION").to_string()),
        }),
        offset_encoding: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefers_utf8_then_utf32_else_utf16() {
        let utf8 = [PositionEncodingKind::UTF16, PositionEncodingKind::UTF8];
        assert_eq!(negotiate_encoding(Some(&utf8)), PositionEncoding::Utf8);
        assert_eq!(
            negotiate_encoding(Some(&[PositionEncodingKind::UTF32])),
            PositionEncoding::Utf32
        );
        assert_eq!(negotiate_encoding(None), PositionEncoding::Utf16);
    }
}
