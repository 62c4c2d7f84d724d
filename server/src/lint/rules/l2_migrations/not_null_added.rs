//! `not-null-added`: `modify ..., null: false` in `alter table(...)`. `SET NOT NULL` scans the
//! whole table under an ACCESS EXCLUSIVE lock.
//!
//! Not reported when `from:` or the project's earlier migrations show the column was already
//! `null: false`, in `down/0`, on a
//! table created by the same migration, nor when the same migration drops a check constraint of
//! the table: that is the last step of the safe recipe, where a validated `IS NOT NULL` check
//! lets PostgreSQL 12+ skip the scan.

use crate::lint::migration::{self, ColumnAction, Direction, Migration, OpKind, Table};
use crate::lint::{Finding, LintContext, Rule, RuleDocs, RuleMeta, Severity};
use crate::syntax::{elixir, text};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "not-null-added",
        level: 2,
        severity: Severity::Warning,
        fixable: false,
        summary: "`modify ..., null: false` setting NOT NULL on an existing column",
        docs: RuleDocs {
            why: "`ALTER COLUMN ... SET NOT NULL` checks every row while holding an ACCESS \
                  EXCLUSIVE lock on the table: no reads and no writes until the scan is done, and \
                  the migration fails outright if a NULL is left. A validated `CHECK (col IS NOT \
                  NULL)` constraint lets PostgreSQL 12+ set NOT NULL without the scan. Not \
                  flagged: columns that `from:` or the project's earlier migrations show NOT NULL \
                  already, `down/0`, tables created by the same migration, the final step of the \
                  recipe (a migration that also drops a check constraint of the table), and \
                  repositories whose adapter is not PostgreSQL.",
            bad: "def change do\n  alter table(:users) do\n    modify :email, :string, null: false\n  end\nend",
            good: "# Migration 1\ndef change do\n  create constraint(:users, :email_not_null, check: \"email IS NOT NULL\", validate: false)\nend\n\n# Migration 2, after backfilling NULLs\ndef change do\n  execute \"ALTER TABLE users VALIDATE CONSTRAINT email_not_null\", \"\"\nend\n\n# Migration 3 (PostgreSQL 12+: no scan thanks to the valid constraint)\ndef change do\n  alter table(:users) do\n    modify :email, :string, null: false, from: {:string, null: true}\n  end\n\n  drop constraint(:users, :email_not_null)\nend",
            fix: "Set NOT NULL in steps: (1) add a check constraint `col IS NOT NULL` with \
                  `validate: false` — it applies to new writes only and takes no scan; (2) \
                  backfill the NULL rows in batches; (3) in a separate migration, validate the \
                  constraint with `execute \"ALTER TABLE t VALIDATE CONSTRAINT c\", \"\"`, which \
                  scans without blocking writes; (4) then `modify ..., null: false` (instant on \
                  PostgreSQL 12+ thanks to the valid constraint) and drop the check constraint. \
                  Before PostgreSQL 12, keep the validated check constraint instead of NOT NULL.",
        },
        excellent_migrations: &["not_null_added"],
        ..RuleMeta::BASE
    },
    check: Some(check),
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    let Some(m) = migration::analyze_postgres(ctx) else {
        return;
    };
    let src = ctx.source;
    for (op, col) in m.live_columns() {
        if col.action != ColumnAction::Modify
            || col.opts.get(src, "null").map(|v| text(v, src)) != Some("false")
            || col
                .opts
                .get(src, "from")
                .is_some_and(|from| already_not_null(from, src))
            || drops_check_of(m, op.module, &col.table)
            // The history says the column is NOT NULL already: restating it changes nothing.
            || migration::column_before(ctx, &col.table, &col.column)
                .is_some_and(|c| c.null == Some(false))
        {
            continue;
        }
        let column = &col.column;
        let message = format!(
            "Setting NOT NULL on `{}.{column}` (unless it already is NOT NULL) scans the whole \
             table under an exclusive lock; add a `check: \"{column} IS NOT NULL\"` constraint \
             with `validate: false`, validate it in a later migration, then set NOT NULL",
            col.table.label()
        );
        out.push(Finding::new(&RULE.meta, op.node.byte_range(), message));
    }
}

/// Whether the module drops a constraint of `table` going forward: the recipe's final step.
fn drops_check_of(m: &Migration<'_>, module: usize, table: &Table<'_>) -> bool {
    m.ops.iter().any(|op| {
        op.module == module
            && op.direction == Direction::Forward
            && matches!(&op.kind, OpKind::DropConstraint { table: t, .. } if t.same(table))
    })
}

/// `from: {:string, null: false}`: the column was NOT NULL already.
fn already_not_null(from: crate::syntax::Node<'_>, src: &str) -> bool {
    from.kind() == "tuple"
        && elixir::block_statements(from).iter().any(|item| {
            let kw = match item.kind() {
                "keywords" => Some(*item),
                "list" => elixir::block_statements(*item)
                    .into_iter()
                    .find(|k| k.kind() == "keywords"),
                _ => None,
            };
            kw.and_then(|kw| elixir::keyword_value(kw, src, "null"))
                .is_some_and(|v| text(v, src) == "false")
        })
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::migration_test_support::*;

    const CODE: &str = "not-null-added";

    fn alter(line: &str) -> String {
        change(&format!("alter table(:users) do\n  {line}\nend"))
    }

    #[test]
    fn flags_not_null_on_existing_columns() {
        for line in [
            "modify :email, :string, null: false",
            "modify(:email, :string, null: false, from: {:string, null: true})",
            "modify :email, :string, [null: false]",
            "modify :email, :text, null: false, from: :string",
        ] {
            let f = assert_count(&alter(line), CODE, 1);
            assert_eq!(
                f[0].message,
                "Setting NOT NULL on `users.email` (unless it already is NOT NULL) scans the whole table under an exclusive lock; add a `check: \"email IS NOT NULL\"` constraint with `validate: false`, validate it in a later migration, then set NOT NULL"
            );
        }
        let opts = change(
            "opts = [null: false]\nalter table(:users) do\n  modify :email, :string, opts\nend",
        );
        assert_count(&opts, CODE, 1);
    }

    #[test]
    fn nullable_already_not_null_new_tables_and_rollbacks_are_clean() {
        for line in [
            "modify :email, :string, null: true",
            "modify :email, :string",
            "modify :email, :string, null: false, from: {:string, null: false}",
            "add :email, :string, null: false, default: \"\"",
        ] {
            assert_none(&alter(line), CODE);
        }
        assert_none(
            &change(
                "create table(:users) do\n  add :email, :string\nend\nalter table(:users) do\n  modify :email, :string, null: false\nend",
            ),
            CODE,
        );
        assert_none(
            &module(
                "",
                &function(
                    "down",
                    "alter table(:users) do\n  modify :email, :string, null: false\nend",
                ),
            ),
            CODE,
        );
        // The recipe's last step: the validated check makes SET NOT NULL scan-free.
        assert_none(
            &change(
                "alter table(:users) do\n  modify :email, :string, null: false\nend\n\ndrop constraint(:users, :email_not_null)",
            ),
            CODE,
        );
        assert_count(
            &change(
                "alter table(:users) do\n  modify :email, :string, null: false\nend\n\ndrop constraint(:orders, :email_not_null)",
            ),
            CODE,
            1,
        );
    }

    #[test]
    fn excellent_migrations_comments_silence_it() {
        assert_excellent_suppression(
            &alter("modify :email, :string, null: false"),
            CODE,
            "not_null_added",
        );
    }
}
