//! A short soak (1,000 random edits over 5 open files, with saves, closes and re-opens) through
//! the same code as the full one (`cargo bench -p ladder-ls --bench soak`): asserts its
//! invariants, never its timings or memory (a debug build on a shared machine).

use ladder_e2e::binary;
use ladder_e2e::soak::{self, Config};

#[test]
fn short_soak_keeps_every_invariant() {
    let config = Config::short(soak::seed_from_env());
    let report = soak::run(&binary(), &config, |line| eprintln!("{line}"));
    eprint!("{}", report.summary());
    assert!(
        report.violations.is_empty(),
        "soak with seed {} broke invariants (replay with LADDER_SOAK_SEED={}):\n{}",
        report.seed,
        report.seed,
        report.violations.join("\n")
    );
    // The session did what it says: edits, saves, closes and re-opens all happened, and the
    // fresh-lint comparison ran at least once.
    assert!(report.edits >= config.edits);
    assert!(report.saves > 0 && report.closes > 0 && report.reopens > 0);
    assert!(report.undos > 0);
    assert!(report.fresh_comparisons > 0, "{}", report.summary());
    assert!(report.publishes > report.did_change / 4);
}
