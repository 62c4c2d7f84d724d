//! Parse + lint (every rule, default configuration) + every fix, on arbitrary text at one of
//! the paths that switch path-dependent rules on (application code, tests, migrations, config
//! scripts, `mix.exs`, `.ladder.exs`). Checks:
//! - no panic anywhere (libFuzzer's panic hook aborts even when the engine would catch a rule's
//!   panic and drop its findings: a caught panic is still a bug);
//! - every fix (main and alternatives) has in-bounds, char-boundary edits that never overlap;
//! - when the input parses without errors (tree-sitter and the delimiter scanner of
//!   `syntax-error` both accept it), the text after each fix alone, after `check --fix`
//!   (safe fixes, round after round) and after `check --fix --unsafe-fixes` still parses
//!   without errors. The rounds are the CLI's own code (`cli::check::fix_text_with`).
//!
//! Input: the first byte picks the path, the rest is the file's text (lossy UTF-8).

#![no_main]

use ladder_ls::cli::check::fix_text_with;
use ladder_ls::config::Config;
use ladder_ls::lint::{self, Edit, FileInfo, Fix, fix};
use ladder_ls::project::ProjectIndex;
use ladder_ls::syntax;
use libfuzzer_sys::fuzz_target;

const PATHS: &[&str] = &[
    "lib/shop/orders.ex",
    "lib/shop_web/controllers/order_controller.ex",
    "lib/shop_web/live/order_live.ex",
    "lib/shop/application.ex",
    "test/shop/orders_test.exs",
    "test/support/conn_case.ex",
    "priv/repo/migrations/20240101120000_create_orders.exs",
    "config/config.exs",
    "config/runtime.exs",
    "mix.exs",
    ".ladder.exs",
    "scripts/seed.exs",
];

/// Valid syntax as `syntax-error` judges it: tree-sitter finds no error and the delimiter
/// scanner (Elixir's own matching of `do`/`end` and brackets, and the missing commas
/// tree-sitter-elixir accepts) finds no problem.
fn parses_cleanly(text: &str) -> bool {
    let mut parser = syntax::new_parser();
    parser
        .parse(text, None)
        .is_some_and(|tree| !tree.root_node().has_error())
        && syntax::scanner::problems(text).is_empty()
}

/// The edits of one fix are in bounds, on char boundaries, and pairwise disjoint.
fn check_fix_edits(text: &str, code: &str, fix: &Fix) {
    let mut edits: Vec<&Edit> = fix.edits.iter().collect();
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    for e in &edits {
        assert!(
            e.range.start <= e.range.end
                && e.range.end <= text.len()
                && text.is_char_boundary(e.range.start)
                && text.is_char_boundary(e.range.end),
            "{code}: fix {:?} has a bad range {:?} in {text:?}",
            fix.title,
            e.range
        );
    }
    for pair in edits.windows(2) {
        assert!(
            pair[0].range.end <= pair[1].range.start,
            "{code}: fix {:?} has overlapping edits {:?} and {:?} in {text:?}",
            fix.title,
            pair[0].range,
            pair[1].range
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let info = FileInfo::new(PATHS[selector as usize % PATHS.len()]);
    let text = String::from_utf8_lossy(rest).into_owned();
    let config = Config::default();
    let findings = lint::lint_source(&text, &info, &config);
    let clean = parses_cleanly(&text);
    for finding in &findings {
        assert!(
            finding.range.start <= finding.range.end && finding.range.end <= text.len(),
            "{}: range {:?} outside the text",
            finding.code,
            finding.range
        );
        for fix in finding.fix.iter().chain(&finding.alternatives) {
            check_fix_edits(&text, finding.code, fix);
            let fixed = fix::apply_edits(&text, &fix.edits)
                .unwrap_or_else(|| panic!("{}: fix {:?} does not apply", finding.code, fix.title));
            if clean {
                assert!(
                    parses_cleanly(&fixed),
                    "{}: fix {:?} breaks the syntax:\n--- before\n{text}\n--- after\n{fixed}",
                    finding.code,
                    fix.title
                );
            }
        }
    }
    for unsafe_fixes in [false, true] {
        let (fixed, _) = fix_text_with(
            text.clone(),
            findings.clone(),
            &info,
            &config,
            ProjectIndex::empty(),
            unsafe_fixes,
        );
        if clean {
            assert!(
                parses_cleanly(&fixed),
                "--fix (unsafe: {unsafe_fixes}) breaks the syntax:\n--- before\n{text}\n--- after\n{fixed}"
            );
        }
    }
});
