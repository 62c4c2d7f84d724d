//! The LSP soak of issue 12 (a bench binary, not a timed test): 20,000 random edits over 20 open
//! files of a generated Mix project, with saves, closes and re-opens, against the real server
//! binary over stdio. Prints edits/s, resident memory samples and peak, and the findings
//! published; exits non-zero when an invariant breaks (versions published out of order,
//! diagnostics for a closed document, incremental results differing from a fresh lint, memory
//! growing more than 10 % after warm-up, a panic in the log). The checks are described in
//! `tests/src/soak.rs`; `tests/tests/lsp_soak.rs` runs a short soak in the test suite.
//!
//! Run: `cargo bench -p ladder-ls --bench soak` (seed: `LADDER_SOAK_SEED`, size:
//! `LADDER_SOAK_EDITS`, `LADDER_SOAK_FILES`; `LADDER_SOAK_BIN` runs another server binary, such
//! as a script that starts it under a heap profiler).

use std::process::ExitCode;

use ladder_e2e::soak::{self, Config};

fn main() -> ExitCode {
    // `cargo bench` passes `--bench`; `cargo test --benches` would pass other flags: only run
    // when benchmarking.
    if !std::env::args().any(|a| a == "--bench") {
        return ExitCode::SUCCESS;
    }
    let mut config = Config::full(soak::seed_from_env());
    if let Some(edits) = env_number("LADDER_SOAK_EDITS") {
        config.edits = edits;
        config.warmup = config.warmup.min(edits / 5);
    }
    if let Some(files) = env_number("LADDER_SOAK_FILES") {
        config.files = files.max(1);
    }
    println!(
        "soak: seed {} (replay with LADDER_SOAK_SEED={}), {} files, {} edits",
        config.seed, config.seed, config.files, config.edits
    );
    let bin = std::env::var_os("LADDER_SOAK_BIN").map_or_else(
        || env!("CARGO_BIN_EXE_ladder-ls").into(),
        std::path::PathBuf::from,
    );
    let report = soak::run(&bin, &config, |line| println!("{line}"));
    print!("{}", report.summary());
    if report.violations.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn env_number(name: &str) -> Option<usize> {
    std::env::var(name).ok()?.parse().ok()
}
