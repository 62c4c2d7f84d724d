//! `concurrent-index-with-migration-lock`: an index built or dropped with `concurrently: true`
//! in a migration without `@disable_migration_lock true`. With Ecto's default `:table_lock`
//! strategy the migration lock is a table lock held in a transaction open for the whole
//! migration, and a concurrent index build waits for every older transaction to finish.
//!
//! Reported in both directions: a rollback that drops an index concurrently needs the attribute
//! as much as the migration that built it.

use crate::lint::migration;
use crate::lint::{Finding, LintContext, Rule, RuleDocs, RuleMeta, Severity};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "concurrent-index-with-migration-lock",
        level: 2,
        severity: Severity::Warning,
        fixable: true,
        summary: "`concurrently: true` index without `@disable_migration_lock true`",
        docs: RuleDocs {
            why: "With Ecto's default migration lock (`migration_lock: :table_lock`), the \
                  migrator holds `LOCK TABLE schema_migrations` in a transaction that stays open \
                  for the whole migration. A concurrent index build waits for every transaction \
                  older than its snapshot to finish, that one included, which only ends when the \
                  migration does: the migration can hang, and other nodes' migrations queue \
                  behind it. Ecto's documentation asks for both `@disable_ddl_transaction true` \
                  and `@disable_migration_lock true` on concurrent index migrations. Repos \
                  configured with `migration_lock: :pg_advisory_lock` do not need it: turn the \
                  rule off for them.",
            bad: "defmodule MyApp.Repo.Migrations.AddEmailIndex do\n  use Ecto.Migration\n\n  @disable_ddl_transaction true\n\n  def change do\n    create index(:users, [:email], concurrently: true)\n  end\nend",
            good: "defmodule MyApp.Repo.Migrations.AddEmailIndex do\n  use Ecto.Migration\n\n  @disable_ddl_transaction true\n  @disable_migration_lock true\n\n  def change do\n    create index(:users, [:email], concurrently: true)\n  end\nend",
            fix: "Adds `@disable_migration_lock true` right after `use Ecto.Migration`, next to \
                  `@disable_ddl_transaction true` when it is there (or turns an existing `false` \
                  into `true`). Alternatively configure the repo with \
                  `migration_lock: :pg_advisory_lock`.",
        },
        excellent_migrations: &["index_concurrently_without_disable_migration_lock"],
        ..RuleMeta::BASE
    },
    check: Some(check),
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    migration::check_concurrent_attribute(
        ctx,
        out,
        &RULE.meta,
        migration::MIGRATION_LOCK,
        "while Ecto's migration lock holds a transaction open",
    );
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::migration_test_support::*;
    use crate::lint::rules::test_support::assert_clean_after_fix;

    const CODE: &str = "concurrent-index-with-migration-lock";

    #[test]
    fn flags_concurrent_indexes_without_the_attribute() {
        for attrs in [
            "",
            "@disable_ddl_transaction true",
            "@disable_migration_lock false",
        ] {
            for op in [
                "create index(:users, [:email], concurrently: true)",
                "drop_if_exists index(:users, [:email], concurrently: true)",
                "opts = [concurrently: true]\ncreate unique_index(:users, [:email], opts)",
            ] {
                assert_count(&module(attrs, &function("change", op)), CODE, 1);
            }
        }
        // In a rollback too: PostgreSQL refuses it there just the same.
        let down = module(
            "",
            &function("down", "drop index(:users, [:email], concurrently: true)"),
        );
        let f = assert_count(&down, CODE, 1);
        assert!(f[0].message.contains("dropped"), "{}", f[0].message);
    }

    #[test]
    fn message_names_the_index_and_the_module() {
        let f = assert_count(
            &change("create index(:users, [:email], concurrently: true)"),
            CODE,
            1,
        );
        assert_eq!(
            f[0].message,
            "The index on `users` (`email`) is built concurrently while Ecto's migration lock holds a transaction open; add `@disable_migration_lock true` to `MyApp.Repo.Migrations.Change`"
        );
    }

    #[test]
    fn clean_with_the_attribute_or_without_concurrently() {
        let op = "create index(:users, [:email], concurrently: true)";
        assert_none(
            &module("@disable_migration_lock true", &function("change", op)),
            CODE,
        );
        assert_none(
            &module(
                "@disable_migration_lock Application.compile_env(:app, :flag, true)",
                &function("change", op),
            ),
            CODE,
        );
        assert_none(&change("create index(:users, [:email])"), CODE);
    }

    #[test]
    fn fix_adds_the_attribute_once() {
        let src = change(
            "create index(:users, [:email], concurrently: true)\ncreate index(:users, [:name], concurrently: true)",
        );
        let fixed = assert_clean_after_fix(&src, PATH, CODE);
        assert!(
            fixed.contains(
                "  use Ecto.Migration\n\n  @disable_migration_lock true\n\n  def change do\n"
            ),
            "{fixed}"
        );
        assert_eq!(fixed.matches("@disable_migration_lock").count(), 1);
        let with_other = module(
            "@disable_ddl_transaction true",
            &function(
                "change",
                "create index(:users, [:email], concurrently: true)",
            ),
        );
        let fixed = assert_clean_after_fix(&with_other, PATH, CODE);
        assert!(
            fixed.contains(
                "  @disable_ddl_transaction true\n  @disable_migration_lock true\n\n  def change"
            ),
            "{fixed}"
        );
        let off = module(
            "@disable_migration_lock false",
            &function(
                "change",
                "create index(:users, [:email], concurrently: true)",
            ),
        );
        assert!(
            assert_clean_after_fix(&off, PATH, CODE).contains("  @disable_migration_lock true\n")
        );
    }

    #[test]
    fn excellent_migrations_comments_silence_it() {
        assert_excellent_suppression(
            &change("create index(:users, [:email], concurrently: true)"),
            CODE,
            "index_concurrently_without_disable_migration_lock",
        );
    }
}
