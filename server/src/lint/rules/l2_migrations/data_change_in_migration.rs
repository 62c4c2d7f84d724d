//! `data-change-in-migration`: `Repo.insert/update/delete` (with `_all`, `!` and
//! `insert_or_update` variants) in a migration, on any alias ending in `Repo` or on the
//! migration's `repo()`. A backfill inside the schema migration runs in its transaction, holding
//! the locks of its DDL for as long as the data change takes, and couples the migration to
//! application code that will change.
//!
//! Not reported in `down/0`, which restores data for the rollback, nor for `*_all` writes to a
//! table the same migration creates (seeding a new lookup table locks nothing anyone uses).

use crate::lint::migration::{self, Direction, OpKind};
use crate::lint::{Finding, LintContext, Rule, RuleDocs, RuleMeta, Severity};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "data-change-in-migration",
        level: 2,
        severity: Severity::Warning,
        fixable: false,
        summary: "`Repo.insert/update/delete` changing data in a schema migration",
        docs: RuleDocs {
            why: "Ecto runs a migration in one transaction: a backfill there keeps the locks \
                  taken by the migration's DDL until every row is written, and a single \
                  `update_all` over a large table holds row locks and bloats the table at once. \
                  Schema modules used in migrations also change over time, so old migrations \
                  stop compiling or do something else than they did.",
            bad: "def change do\n  alter table(:users) do\n    add :plan, :string\n  end\n\n  flush()\n\n  MyApp.Repo.update_all(\"users\", set: [plan: \"free\"])\nend",
            good: "# priv/repo/data_migrations/backfill_user_plan.exs, run after the deploy:\n# update in batches of a few thousand rows, with throttling, outside any transaction.\ndef change do\n  alter table(:users) do\n    add :plan, :string\n  end\nend",
            fix: "Keep schema migrations to DDL. Backfill in a separate data migration (a \
                  dedicated migrations folder run after deploy, or a task), in batches ordered \
                  by primary key, each in its own short transaction, with \
                  `@disable_ddl_transaction true` and `@disable_migration_lock true` when it is \
                  an Ecto migration; use table names and plain maps rather than schema modules.",
        },
        excellent_migrations: &["operation_insert", "operation_update", "operation_delete"],
        ..RuleMeta::BASE
    },
    check: Some(check),
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    let Some(m) = migration::analyze(ctx) else {
        return;
    };
    for op in &m.ops {
        let OpKind::RepoWrite { repo, function, .. } = &op.kind else {
            continue;
        };
        if op.direction != Direction::Forward || op.new_table {
            continue;
        }
        let message = format!(
            "`{repo}.{function}` changes data inside a schema migration, holding its locks for \
             the whole write; move the backfill to a separate data migration that runs in \
             batches"
        );
        out.push(Finding::new(&RULE.meta, op.node.byte_range(), message));
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::migration_test_support::*;

    const CODE: &str = "data-change-in-migration";

    #[test]
    fn flags_repo_writes() {
        for (op, call) in [
            (
                "MyApp.Repo.update_all(\"users\", set: [plan: \"free\"])",
                "MyApp.Repo.update_all",
            ),
            ("Repo.insert!(%Plan{name: \"free\"})", "Repo.insert!"),
            (
                "MyApp.ReadRepo.delete_all(Plan)",
                "MyApp.ReadRepo.delete_all",
            ),
            (
                "repo().insert_all(\"plans\", [%{name: \"free\"}])",
                "repo().insert_all",
            ),
            (
                "from(u in \"users\") |> MyApp.Repo.update_all(set: [a: 1])",
                "MyApp.Repo.update_all",
            ),
            (
                "Enum.each(plans(), &Repo.insert_or_update!(&1))",
                "Repo.insert_or_update!",
            ),
            (
                "execute(fn -> repo().delete_all(\"sessions\") end)",
                "repo().delete_all",
            ),
        ] {
            let f = assert_count(&change(op), CODE, 1);
            assert!(
                f[0].message.starts_with(&format!("`{call}` changes data")),
                "{}",
                f[0].message
            );
        }
        let f = assert_count(&change("Repo.update_all(\"users\", set: [a: 1])"), CODE, 1);
        assert_eq!(
            f[0].message,
            "`Repo.update_all` changes data inside a schema migration, holding its locks for the whole write; move the backfill to a separate data migration that runs in batches"
        );
    }

    #[test]
    fn reads_other_modules_rollbacks_and_non_migrations_are_clean() {
        for op in [
            "Repo.all(\"users\")",
            "repo().query!(\"SELECT 1\")",
            "MyApp.Repository.insert(x)",
            "Map.update(m, :a, 1, & &1)",
            "flush()",
        ] {
            assert_none(&change(op), CODE);
        }
        assert_none(
            &module("", &function("down", "Repo.delete_all(\"plans\")")),
            CODE,
        );
        // Seeding a table created by the same migration.
        assert_none(
            &change(
                "create table(:countries) do\n  add :code, :string\nend\n\nflush()\n\nrepo().insert_all(\"countries\", [%{code: \"FR\"}])",
            ),
            CODE,
        );
        assert_count(
            &change(
                "create table(:countries)\nflush()\nrepo().insert_all(\"users\", [%{code: \"FR\"}])",
            ),
            CODE,
            1,
        );
        assert!(
            crate::lint::rules::test_support::findings_of(
                "Repo.insert!(%Plan{name: \"free\"})\n",
                "priv/repo/seeds.exs",
                CODE
            )
            .is_empty()
        );
    }

    #[test]
    fn excellent_migrations_comments_silence_it() {
        assert_excellent_suppression(&change("Repo.insert!(%Plan{})"), CODE, "operation_insert");
        assert_excellent_suppression(
            &change("Repo.update_all(\"users\", set: [a: 1])"),
            CODE,
            "operation_update",
        );
        assert_excellent_suppression(
            &change("Repo.delete_all(\"users\")"),
            CODE,
            "operation_delete",
        );
    }
}
