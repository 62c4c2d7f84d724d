//! `table-renamed`: `rename table(:old), to: table(:new)`. Instances still running the previous
//! release query the old table and fail until they are replaced.
//!
//! Not reported in `down/0` (the rollback restores the name the previous release uses) nor for
//! a table created by the same migration.

use crate::lint::migration::{self, Direction, OpKind};
use crate::lint::{Finding, LintContext, Rule, RuleDocs, RuleMeta, Severity};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "table-renamed",
        level: 2,
        severity: Severity::Warning,
        fixable: false,
        summary: "`rename` of a table in a migration",
        docs: RuleDocs {
            why: "Renaming a table is instant in the database, but instances of the previous \
                  release keep running during the deploy, and every query their schemas make on \
                  the old name fails until they are replaced.",
            bad: "def change do\n  rename table(:recipes), to: table(:dishes)\nend",
            good: "# Keep the table; rename only the schema module:\ndefmodule MyApp.Dish do\n  use Ecto.Schema\n\n  schema \"recipes\" do\n    field :title, :string\n  end\nend",
            fix: "Usually the table does not need renaming: rename the schema module and keep \
                  `schema \"old_name\"`. If the table must change: (1) create the new table with \
                  the same constraints; (2) deploy code writing both tables; (3) backfill the new \
                  table in batches; (4) move reads to it; (5) stop using the old table; (6) drop \
                  it in a later migration.",
        },
        excellent_migrations: &["table_renamed"],
        ..RuleMeta::BASE
    },
    check: Some(check),
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    let Some(m) = migration::analyze(ctx) else {
        return;
    };
    for op in &m.ops {
        let OpKind::RenameTable { from, to } = &op.kind else {
            continue;
        };
        if op.new_table || op.direction != Direction::Forward {
            continue;
        }
        let message = format!(
            "Renaming table `{}` to `{}` breaks running instances that still query `{}`; keep \
             the table and rename only the schema module, or copy the data to a new table in \
             phases",
            from.label(),
            to.label(),
            from.label()
        );
        out.push(Finding::new(&RULE.meta, op.node.byte_range(), message));
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::migration_test_support::*;

    const CODE: &str = "table-renamed";

    #[test]
    fn flags_table_renames() {
        for op in [
            "rename table(:recipes), to: table(:dishes)",
            "rename(table(\"recipes\"), to: table(\"dishes\"))",
            "from = table(:recipes)\nto = table(:dishes)\nrename from, to: to",
        ] {
            let f = assert_count(&change(op), CODE, 1);
            assert!(
                f[0].message
                    .starts_with("Renaming table `recipes` to `dishes` breaks"),
                "{}",
                f[0].message
            );
        }
        let prefixed = change("rename table(:recipes, prefix: :a), to: table(:dishes, prefix: :a)");
        assert!(
            assert_count(&prefixed, CODE, 1)[0]
                .message
                .contains("`a.recipes`")
        );
    }

    #[test]
    fn column_renames_rollbacks_and_new_tables_are_clean() {
        assert_none(&change("rename table(:recipes), :a, to: :b"), CODE);
        assert_none(
            &module(
                "",
                &function("down", "rename table(:dishes), to: table(:recipes)"),
            ),
            CODE,
        );
        assert_none(
            &change("create table(:tmp)\nrename table(:tmp), to: table(:dishes)"),
            CODE,
        );
    }

    #[test]
    fn excellent_migrations_comments_silence_it() {
        assert_excellent_suppression(
            &change("rename table(:recipes), to: table(:dishes)"),
            CODE,
            "table_renamed",
        );
    }
}
