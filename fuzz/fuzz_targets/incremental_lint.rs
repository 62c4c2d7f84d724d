//! An incremental re-lint equals a full lint. A file is linted in full through a cache, then
//! edited and re-linted through the cache after each edit (the server's path for every
//! keystroke: the functions, summaries and skeleton findings the edit cannot reach are reused);
//! each re-lint must equal a fresh full lint of the same text, finding for finding. Checks also
//! that nothing panics.
//!
//! Input: parts separated by `0xFF` (a byte UTF-8 never holds). The first part's first byte
//! picks the path, the rest is the file's text (lossy UTF-8). Each later part
//! (up to 16) is an edit: two bytes place it (snapped to a char boundary), one byte says how
//! many bytes after it to delete (0–15), the rest is inserted.

#![no_main]

use std::sync::Arc;

use ladder_ls::config::Config;
use ladder_ls::document::Document;
use ladder_ls::lint::incremental::{LintCache, lint_incremental};
use ladder_ls::lint::{FileInfo, LintContext, lint};
use ladder_ls::project::ProjectIndex;
use libfuzzer_sys::fuzz_target;

/// Paths that switch the path-dependent rules on: application code (a plain module, a
/// controller), a test file and a migration.
const PATHS: &[&str] = &[
    "lib/my_app/accounts.ex",
    "lib/my_app_web/controllers/user_controller.ex",
    "test/my_app/accounts_test.exs",
    "priv/repo/migrations/20250101000000_add_users.exs",
];

/// Lints `text` through `cache` and in full; they must agree.
fn step(
    text: &str,
    file: &FileInfo,
    config: &Config,
    project: &Arc<ProjectIndex>,
    cache: &mut LintCache,
) {
    let doc = Document::new(text, 0);
    let ctx = LintContext::new(text, doc.rope(), doc.tree(), file, config).with_project(project);
    let incremental = format!("{:#?}", lint_incremental(&ctx, project, cache));
    let fresh = LintContext::new(text, doc.rope(), doc.tree(), file, config).with_project(project);
    let full = format!("{:#?}", lint(&fresh));
    assert!(
        incremental == full,
        "{}: the incremental lint ({:?}) differs from a full lint of {text:?}\n--- full ---\n{full}\n--- incremental ---\n{incremental}",
        file.display,
        cache.last()
    );
}

fn floor_boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fuzz_target!(|data: &[u8]| {
    let mut parts = data.split(|b| *b == 0xFF);
    let Some((&selector, base)) = parts.next().and_then(|p| p.split_first()) else {
        return;
    };
    let file = FileInfo::new(PATHS[selector as usize % PATHS.len()]);
    let config = Config::default();
    let project = Arc::new(ProjectIndex::default());
    let mut cache = LintCache::default();
    let mut text = String::from_utf8_lossy(base).into_owned();
    step(&text, &file, &config, &project, &mut cache);
    for edit in parts.take(16) {
        let [a, b, del, insert @ ..] = edit else {
            continue;
        };
        let at = floor_boundary(
            &text,
            usize::from(u16::from_le_bytes([*a, *b])) % (text.len() + 1),
        );
        let end = floor_boundary(&text, at + usize::from(*del % 16)).max(at);
        text.replace_range(at..end, &String::from_utf8_lossy(insert));
        step(&text, &file, &config, &project, &mut cache);
    }
});
