//! Helpers for the migration rules' tests: wrap operations in a migration module, and check that
//! excellent_migrations' safety-assured comments silence a finding.

use crate::lint::Finding;
use crate::lint::rules::test_support::{findings_of, lint_all};

/// Where test migrations live.
pub const PATH: &str = "priv/repo/migrations/20240102030405_change.exs";

/// A migration module whose `change/0` runs `body` (statements, one per line).
pub fn change(body: &str) -> String {
    module("", &function("change", body))
}

/// A migration module with `attrs` (lines, e.g. `@disable_ddl_transaction true`) and
/// `functions` (already indented by two spaces).
pub fn module(attrs: &str, functions: &str) -> String {
    let attrs = if attrs.is_empty() {
        String::new()
    } else {
        let lines: String = attrs.lines().map(|l| format!("  {l}\n")).collect();
        format!("{lines}\n")
    };
    format!(
        "defmodule MyApp.Repo.Migrations.Change do\n  use Ecto.Migration\n\n{attrs}{functions}end\n"
    )
}

/// `def name do body end`, indented for a module.
pub fn function(name: &str, body: &str) -> String {
    let lines: String = body
        .lines()
        .map(|l| {
            if l.is_empty() {
                "\n".to_string()
            } else {
                format!("    {l}\n")
            }
        })
        .collect();
    format!("  def {name} do\n{lines}  end\n")
}

/// The findings of `code` in `src` linted as a migration.
pub fn found(src: &str, code: &str) -> Vec<Finding> {
    findings_of(src, PATH, code)
}

/// Asserts `src` has no finding of `code`.
pub fn assert_none(src: &str, code: &str) {
    let f = found(src, code);
    assert!(f.is_empty(), "unexpected {code}: {f:#?}\nin:\n{src}");
}

/// Asserts `src` has exactly `n` findings of `code`, and returns them.
pub fn assert_count(src: &str, code: &str, n: usize) -> Vec<Finding> {
    let f = found(src, code);
    assert_eq!(f.len(), n, "{code} in:\n{src}\nfound: {f:#?}");
    f
}

/// Asserts that `# excellent_migrations:safety-assured-for-next-line TYPE` above the first
/// finding of `code`, and `-for-this-file TYPE` at the top, each silence it; and that another
/// type does not.
pub fn assert_excellent_suppression(src: &str, code: &str, danger: &str) {
    let first = found(src, code)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no {code} in:\n{src}"));
    let line_start = src[..first.range.start].rfind('\n').map_or(0, |i| i + 1);
    let indent: String = src[line_start..]
        .chars()
        .take_while(|c| *c == ' ')
        .collect();
    let above = |danger: &str| {
        format!(
            "{}{indent}# excellent_migrations:safety-assured-for-next-line {danger}\n{}",
            &src[..line_start],
            &src[line_start..]
        )
    };
    let before = found(src, code).len();
    let silenced = above(danger);
    assert_eq!(
        found(&silenced, code).len(),
        before - 1,
        "next-line {danger} did not silence {code}:\n{silenced}"
    );
    let other = above("some_other_danger");
    assert_eq!(found(&other, code).len(), before, "{other}");
    let file = format!("# excellent_migrations:safety-assured-for-this-file {danger}\n{src}");
    assert!(
        found(&file, code).is_empty(),
        "this-file {danger} did not silence {code}:\n{file}"
    );
    // Suppressing one rule never leaves an unused-suppression finding (not a `ladder:` comment).
    assert!(
        !lint_all(&file, PATH)
            .iter()
            .any(|f| f.code == "unused-suppression")
    );
}
