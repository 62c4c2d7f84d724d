//! The command line: `ladder-ls [--stdio]` (language server), `check`, `rules`, `explain`.

pub mod baseline;
pub mod check;
pub mod fingerprint;
pub mod output;
pub mod report;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::lint::{docs, registry};

/// Command-line arguments.
#[derive(Parser, Debug)]
#[command(
    name = "ladder-ls",
    version,
    about = "How production-ready is this Elixir code? An LSP server and linter, rung by rung (L0 compiles … L7 documented)."
)]
pub struct Cli {
    /// Serve the Language Server Protocol on stdin/stdout (the default without a command).
    #[arg(long)]
    pub stdio: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Lint files and folders (default `.`) with the same rules as the server.
    Check(CheckArgs),
    /// List every rule: code, level, default severity, fixable, summary.
    Rules,
    /// Show a rule's documentation.
    Explain {
        /// The rule code, e.g. `missing-spec`.
        code: String,
    },
    /// Print the syntax tree of a file (for rule authors).
    #[command(hide = true)]
    SyntaxTree {
        /// An Elixir file.
        file: PathBuf,
    },
}

/// Output formats of `check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// `path:line:col: L4 warning missing-spec message`, then a per-level summary.
    Human,
    /// The stable JSON schema (version 1).
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// One self-contained HTML page: level, chart, folders, top blockers, every finding.
    Html,
    /// Markdown for a GitHub job summary (`$GITHUB_STEP_SUMMARY`) or a PR comment.
    Markdown,
}

/// Arguments of `check`.
#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Files or folders to lint: every `.ex`/`.exs` file under them except `.gitignore`d ones,
    /// hidden folders, `deps/`, `_build/`, `node_modules/` and the configuration's excludes.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Exit with status 1 only for findings at levels <= N, in every file (default: each file's
    /// target: its most specific `targets:` glob in `.ladder.exs`, else `target_level`, else 3).
    #[arg(long, value_parser = clap::value_parser!(u8).range(0..=7))]
    pub level: Option<u8>,
    /// Apply every safe fix in place, then report what is left.
    #[arg(long)]
    pub fix: bool,
    /// With `--fix`, apply the unsafe fixes too (they may change what the code does: review the
    /// diff).
    #[arg(long, requires = "fix")]
    pub unsafe_fixes: bool,
    /// Report and fail only on findings not recorded in FILE (see `--write-baseline`).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record the current findings in FILE (replacing it), for `--baseline FILE`.
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    pub write_baseline: Option<PathBuf>,
    /// Print the number of findings per rule instead of the findings (formats human, json,
    /// markdown).
    #[arg(long)]
    pub statistics: bool,
    /// Also run the mix gates (compile, format, Credo, test) of each Mix project, synchronously.
    /// This runs the project's code.
    #[arg(long)]
    pub mix: bool,
}

/// Runs a non-server command; returns the process exit status.
pub fn run(command: Command) -> ExitCode {
    match command {
        Command::Check(args) => check::run(&args),
        Command::Rules => {
            print!("{}", rules_table());
            ExitCode::SUCCESS
        }
        Command::Explain { code } => match registry::find(&code) {
            Some(rule) => {
                print!("{}", docs::rule_page(rule));
                ExitCode::SUCCESS
            }
            None => {
                let close: Vec<&str> = registry::RULES
                    .iter()
                    .map(|r| r.meta.code)
                    .filter(|c| c.contains(code.as_str()) || code.contains(c))
                    .collect();
                let hint = if close.is_empty() {
                    String::new()
                } else {
                    format!(" (did you mean {}?)", close.join(", "))
                };
                eprintln!("ladder-ls: unknown rule `{code}`{hint}; `ladder-ls rules` lists them");
                ExitCode::from(2)
            }
        },
        Command::SyntaxTree { file } => match std::fs::read_to_string(&file) {
            Ok(text) => {
                let doc = crate::document::Document::new(&text, 0);
                print!("{}", crate::syntax::dump(doc.tree().root_node(), &text));
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("ladder-ls: {}: {e}", file.display());
                ExitCode::from(2)
            }
        },
    }
}

/// The `rules` table.
pub fn rules_table() -> String {
    let width = registry::RULES
        .iter()
        .map(|r| r.meta.code.len())
        .max()
        .unwrap_or(4);
    let mut out = format!("{:width$}  level  severity  fixable  summary\n", "code");
    for rule in registry::RULES {
        let m = &rule.meta;
        let fixable = if m.fixable { "yes" } else { "no" };
        out.push_str(&format!(
            "{:width$}  L{}     {:8}  {:7}  {}\n",
            m.code,
            m.level,
            m.severity.as_str(),
            fixable,
            m.summary
        ));
    }
    out
}
