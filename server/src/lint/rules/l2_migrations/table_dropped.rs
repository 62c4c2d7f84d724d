//! `table-dropped`: `drop table(...)` / `drop_if_exists table(...)`. Instances still running the
//! previous release query the table and fail; the data is gone.
//!
//! Not reported in `down/0` (a rollback drops what `up/0` created, which the previous release
//! never used) nor for a table created by the same migration.

use crate::lint::migration::{self, Direction, OpKind};
use crate::lint::{Finding, LintContext, Rule, RuleDocs, RuleMeta, Severity};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "table-dropped",
        level: 2,
        severity: Severity::Warning,
        fixable: false,
        summary: "`drop table(...)` in a migration",
        docs: RuleDocs {
            why: "Dropping a table destroys its data, and instances of the previous release \
                  keep running during the deploy: every query they make on the table fails until \
                  they are replaced. The table's ACCESS EXCLUSIVE lock also waits behind running \
                  queries and blocks everything queued after it.",
            bad: "def change do\n  drop table(:legacy_carts)\nend",
            good: "# Deploy 1: remove the LegacyCart schema and every use of it.\n# Deploy 2, with a backup taken:\ndef up do\n  # ladder:disable-next-line table-dropped\n  drop table(:legacy_carts)\nend",
            fix: "Drop a table in two deploys: (1) remove its schema and every query on it, and \
                  deploy; (2) take a backup if the data may be needed, then drop the table in a \
                  migration of the next deploy. Once the first step is done, say so with `# \
                  excellent_migrations:safety-assured-for-next-line table_dropped` or `# \
                  ladder:disable-next-line table-dropped`.",
        },
        excellent_migrations: &["table_dropped"],
        ..RuleMeta::BASE
    },
    check: Some(check),
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    let Some(m) = migration::analyze(ctx) else {
        return;
    };
    for op in &m.ops {
        let OpKind::DropTable(table) = &op.kind else {
            continue;
        };
        if op.new_table || op.direction != Direction::Forward {
            continue;
        }
        let message = format!(
            "Dropping table `{}` breaks running instances that still use it and deletes its data; \
             first deploy code that no longer uses it, then drop it in a later migration",
            table.label()
        );
        out.push(Finding::new(&RULE.meta, op.node.byte_range(), message));
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::migration_test_support::*;

    const CODE: &str = "table-dropped";

    #[test]
    fn flags_table_drops() {
        for op in [
            "drop table(:legacy_carts)",
            "drop(table(\"legacy_carts\"))",
            "drop_if_exists table(:legacy_carts)",
            "table(:legacy_carts) |> drop()",
        ] {
            let f = assert_count(&change(op), CODE, 1);
            assert!(
                f[0].message
                    .starts_with("Dropping table `legacy_carts` breaks"),
                "{}",
                f[0].message
            );
        }
        assert_count(
            &module("", &function("up", "drop table(:legacy_carts)")),
            CODE,
            1,
        );
    }

    #[test]
    fn rollbacks_indexes_and_new_tables_are_clean() {
        let src = module(
            "",
            &format!(
                "{}\n{}",
                function("up", "create table(:carts) do\n  add :total, :integer\nend"),
                function("down", "drop table(:carts)")
            ),
        );
        assert_none(&src, CODE);
        assert_none(&change("drop index(:carts, [:total])"), CODE);
        assert_none(&change("drop constraint(:carts, :total_positive)"), CODE);
        assert_none(&change("create table(:tmp)\ndrop table(:tmp)"), CODE);
    }

    #[test]
    fn excellent_migrations_comments_silence_it() {
        assert_excellent_suppression(&change("drop table(:legacy_carts)"), CODE, "table_dropped");
    }
}
