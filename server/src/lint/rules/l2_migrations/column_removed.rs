//! `column-removed`: `remove` (or `remove_if_exists`) in `alter table(...)`. Instances still
//! running the previous release select the column through their Ecto schema and fail as soon
//! as it is gone.
//!
//! Not reported in `down/0` (a rollback removes what `up/0` added, which the previous release
//! never read) nor on a table created by the same migration.

use crate::lint::migration::{self, ColumnAction};
use crate::lint::{Finding, LintContext, Rule, RuleDocs, RuleMeta, Severity};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "column-removed",
        level: 2,
        severity: Severity::Warning,
        fixable: false,
        summary: "`remove` of a column in a migration",
        docs: RuleDocs {
            why: "Ecto schemas select every field they declare. During a deploy, instances of the \
                  previous release keep running after the migration, and every query they make on \
                  the table fails with `column does not exist` until they are replaced. The data \
                  in the column is gone for good as well.",
            bad: "def change do\n  alter table(:users) do\n    remove :legacy_token\n  end\nend",
            good: "# Deploy 1: drop `field :legacy_token` from the User schema (and every query using it).\n# Deploy 2, once no running code reads it:\ndef change do\n  alter table(:users) do\n    # excellent_migrations:safety-assured-for-next-line column_removed\n    remove :legacy_token, :string\n  end\nend",
            fix: "Remove the column in two deploys: (1) delete the field from the Ecto schema and \
                  stop referring to it in queries, and deploy; (2) then remove the column in a \
                  migration of the next deploy. Give `remove` the column type (`remove \
                  :legacy_token, :string`) so the migration can be rolled back. Once the first \
                  step is done, say so with `# excellent_migrations:safety-assured-for-next-line \
                  column_removed` or `# ladder:disable-next-line column-removed`.",
        },
        excellent_migrations: &["column_removed"],
        ..RuleMeta::BASE
    },
    check: Some(check),
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    let Some(m) = migration::analyze(ctx) else {
        return;
    };
    for (op, col) in m.live_columns() {
        if col.action != ColumnAction::Remove {
            continue;
        }
        let message = format!(
            "Removing `{}.{}` breaks running instances whose schema still selects it; first \
             deploy code that no longer uses the field, then remove the column in a later \
             migration",
            col.table.label(),
            col.column
        );
        out.push(Finding::new(&RULE.meta, op.node.byte_range(), message));
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::migration_test_support::*;

    const CODE: &str = "column-removed";

    #[test]
    fn flags_removals_in_alter() {
        for line in [
            "remove :age",
            "remove :age, :integer",
            "remove(:age, :integer, default: 0)",
            "remove_if_exists :age, :integer",
        ] {
            let src = change(&format!("alter table(:users) do\n  {line}\nend"));
            let f = assert_count(&src, CODE, 1);
            assert!(
                f[0].message.starts_with("Removing `users.age` breaks"),
                "{}",
                f[0].message
            );
        }
        let up = module(
            "",
            &function("up", "alter table(\"users\") do\n  remove :age\nend"),
        );
        assert_count(&up, CODE, 1);
    }

    #[test]
    fn rollbacks_new_tables_and_other_removes_are_clean() {
        let src = module(
            "",
            &format!(
                "{}\n{}",
                function("up", "alter table(:users) do\n  add :age, :integer\nend"),
                function("down", "alter table(:users) do\n  remove :age\nend")
            ),
        );
        assert_none(&src, CODE);
        assert_none(
            &change(
                "create table(:users) do\n  add :age, :integer\nend\nalter table(:users) do\n  remove :age\nend",
            ),
            CODE,
        );
        // `remove` outside a table block is not Ecto's.
        assert_none(&change("MapSet.new() |> remove(:x)"), CODE);
    }

    #[test]
    fn excellent_migrations_comments_silence_it() {
        assert_excellent_suppression(
            &change("alter table(:users) do\n  remove :age\n  remove :name\nend"),
            CODE,
            "column_removed",
        );
    }
}
