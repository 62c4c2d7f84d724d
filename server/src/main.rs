//! The `ladder-ls` binary: the language server (default, or `--stdio`) and the command line.

use std::process::ExitCode;

use clap::Parser;
use ladder_ls::cli::{self, Cli};

fn main() -> ExitCode {
    let args = Cli::parse();
    match args.command {
        Some(command) => {
            // On the command line, only problems; the server logs its activity too.
            init_logging("warn");
            cli::run(command)
        }
        None => {
            init_logging("info");
            ladder_ls::server::serve_stdio()
        }
    }
}

/// Logs go to stderr only: stdout belongs to the protocol (or to the command's output).
/// `LADDER_LOG` (or `RUST_LOG`) sets the filter, e.g. `LADDER_LOG=debug`.
fn init_logging(default: &str) {
    let filter = std::env::var("LADDER_LOG")
        .or_else(|_| std::env::var("RUST_LOG"))
        .unwrap_or_else(|_| default.to_string());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}
