//! `column-renamed`: `rename table(...), :old, to: :new`. Instances still running the previous
//! release query the old name and fail until they are replaced.
//!
//! Not reported in `down/0` (the rollback restores the name the previous release uses) nor on a
//! table created by the same migration.

use crate::lint::migration::{self, Direction, OpKind};
use crate::lint::{Finding, LintContext, Rule, RuleDocs, RuleMeta, Severity};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "column-renamed",
        level: 2,
        severity: Severity::Warning,
        fixable: false,
        summary: "`rename` of a column in a migration",
        docs: RuleDocs {
            why: "Renaming a column is instant in the database, but instances of the previous \
                  release keep running during the deploy and select the old name through their \
                  Ecto schema: their queries fail until they are replaced. Starting the new \
                  release before the migration runs fails the other way round.",
            bad: "def change do\n  rename table(:users), :name, to: :full_name\nend",
            good: "# Keep the column; rename only the field, mapped to the existing column:\nschema \"users\" do\n  field :full_name, :string, source: :name\nend",
            fix: "Usually the column does not need renaming: rename the schema field and point it \
                  at the column with `source: :old_name`. If the column must change: (1) add the \
                  new column; (2) deploy code writing both; (3) backfill in batches; (4) move \
                  reads to the new column; (5) stop using the old field; (6) remove the old \
                  column in a later migration.",
        },
        excellent_migrations: &["column_renamed"],
        ..RuleMeta::BASE
    },
    check: Some(check),
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    let Some(m) = migration::analyze(ctx) else {
        return;
    };
    for op in &m.ops {
        let OpKind::RenameColumn { table, from, to } = &op.kind else {
            continue;
        };
        if op.new_table || op.direction != Direction::Forward {
            continue;
        }
        let message = format!(
            "Renaming `{}.{from}` to `{to}` breaks running instances that still use the old name; \
             keep the column and map the field with `source: :{from}`, or add a new column and \
             backfill it",
            table.label()
        );
        out.push(Finding::new(&RULE.meta, op.node.byte_range(), message));
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::migration_test_support::*;

    const CODE: &str = "column-renamed";

    #[test]
    fn flags_column_renames() {
        for op in [
            "rename table(:users), :name, to: :full_name",
            "rename(table(\"users\"), :name, to: :full_name)",
            "t = table(:users)\nrename t, :name, to: :full_name",
        ] {
            let f = assert_count(&change(op), CODE, 1);
            assert_eq!(
                f[0].message,
                "Renaming `users.name` to `full_name` breaks running instances that still use the old name; keep the column and map the field with `source: :name`, or add a new column and backfill it"
            );
        }
    }

    #[test]
    fn table_renames_rollbacks_and_new_tables_are_clean() {
        assert_none(&change("rename table(:users), to: table(:people)"), CODE);
        assert_none(
            &module(
                "",
                &function("down", "rename table(:users), :full_name, to: :name"),
            ),
            CODE,
        );
        assert_none(
            &change(
                "create table(:users) do\n  add :name, :string\nend\nrename table(:users), :name, to: :full_name",
            ),
            CODE,
        );
        // Renaming an index is harmless.
        assert_none(
            &change("rename index(:users, [:email], name: :a), to: \"b\""),
            CODE,
        );
    }

    #[test]
    fn excellent_migrations_comments_silence_it() {
        assert_excellent_suppression(
            &change("rename table(:users), :name, to: :full_name"),
            CODE,
            "column_renamed",
        );
    }
}
