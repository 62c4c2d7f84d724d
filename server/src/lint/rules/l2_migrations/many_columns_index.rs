//! `many-columns-index`: a non-unique index over more than three columns. Unique indexes are
//! left alone: their columns express a constraint, not a lookup.

use crate::lint::migration::{self, Direction, IndexAction, OpKind};
use crate::lint::{Finding, LintContext, Rule, RuleDocs, RuleMeta, Severity};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "many-columns-index",
        level: 2,
        severity: Severity::Info,
        fixable: false,
        summary: "Non-unique index over more than three columns",
        docs: RuleDocs {
            why: "A B-tree index is used from its leading columns: queries rarely filter on all \
                  of four or more, so the trailing columns mostly make the index larger and \
                  slower to write without serving reads. Unique indexes are not reported: their \
                  columns express a constraint.",
            bad: "def change do\n  create index(:orders, [:shop_id, :status, :inserted_at, :total], concurrently: true)\nend",
            good: "def change do\n  create index(:orders, [:shop_id, :status, :inserted_at], concurrently: true)\nend",
            fix: "Keep the leading, most selective columns that queries filter on (check them \
                  with `EXPLAIN`), at most three; use a partial index (`where:`) or a covering \
                  index (`include:`) for the rest.",
        },
        excellent_migrations: &["many_columns_index"],
        ..RuleMeta::BASE
    },
    check: Some(check),
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    let Some(m) = migration::analyze(ctx) else {
        return;
    };
    let src = ctx.source;
    for op in &m.ops {
        let OpKind::Index(index) = &op.kind else {
            continue;
        };
        if index.action != IndexAction::Create || index.unique || op.direction != Direction::Forward
        {
            continue;
        }
        let Some(columns) = index.columns.as_ref().filter(|c| c.len() > 3) else {
            continue;
        };
        let message = format!(
            "The {} covers {} columns; keep the leading, most selective ones (at most three), \
             with `where:` or `include:` for the rest",
            index.label(src),
            columns.len()
        );
        out.push(Finding::new(&RULE.meta, op.node.byte_range(), message));
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::migration_test_support::*;

    const CODE: &str = "many-columns-index";

    #[test]
    fn flags_wide_non_unique_indexes() {
        for op in [
            "create index(:orders, [:a, :b, :c, :d], concurrently: true)",
            "create_if_not_exists(index(\"orders\", [:a, :b, :c, :d, :e]))",
            "index(:orders, [:a, :b, :c, :d]) |> create()",
        ] {
            assert_count(&change(op), CODE, 1);
        }
        let f = assert_count(&change("create index(:orders, [:a, :b, :c, :d])"), CODE, 1);
        assert_eq!(
            f[0].message,
            "The index on `orders` (`a`, `b`, `c`, `d`) covers 4 columns; keep the leading, most selective ones (at most three), with `where:` or `include:` for the rest"
        );
    }

    #[test]
    fn narrow_unique_drops_and_rollbacks_are_clean() {
        for op in [
            "create index(:orders, [:a, :b, :c])",
            "create unique_index(:orders, [:a, :b, :c, :d])",
            "create index(:orders, [:a, :b, :c, :d], unique: true)",
            "drop index(:orders, [:a, :b, :c, :d])",
            "create index(:orders, columns())",
        ] {
            assert_none(&change(op), CODE);
        }
        assert_none(
            &module(
                "",
                &function("down", "create index(:orders, [:a, :b, :c, :d])"),
            ),
            CODE,
        );
    }

    #[test]
    fn excellent_migrations_comments_silence_it() {
        assert_excellent_suppression(
            &change("create index(:orders, [:a, :b, :c, :d])"),
            CODE,
            "many_columns_index",
        );
    }
}
