//! `concurrent-index-in-transaction`: an index built or dropped with `concurrently: true` in a
//! migration without `@disable_ddl_transaction true`. Ecto runs each migration in a
//! transaction, and PostgreSQL refuses `CREATE/DROP INDEX CONCURRENTLY` inside one: the
//! migration fails on deploy.
//!
//! Reported in both directions: a rollback that drops an index concurrently needs the attribute
//! as much as the migration that built it.

use crate::lint::migration;
use crate::lint::{Finding, LintContext, Rule, RuleDocs, RuleMeta, Severity};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "concurrent-index-in-transaction",
        level: 2,
        severity: Severity::Error,
        fixable: true,
        summary: "`concurrently: true` index without `@disable_ddl_transaction true`",
        docs: RuleDocs {
            why: "Ecto runs every migration inside a transaction unless the module sets \
                  `@disable_ddl_transaction true`. PostgreSQL refuses `CREATE INDEX CONCURRENTLY` \
                  and `DROP INDEX CONCURRENTLY` in a transaction block, so the migration fails \
                  when it runs, usually in the middle of a deploy.",
            bad: "defmodule MyApp.Repo.Migrations.AddEmailIndex do\n  use Ecto.Migration\n\n  @disable_migration_lock true\n\n  def change do\n    create index(:users, [:email], concurrently: true)\n  end\nend",
            good: "defmodule MyApp.Repo.Migrations.AddEmailIndex do\n  use Ecto.Migration\n\n  @disable_ddl_transaction true\n  @disable_migration_lock true\n\n  def change do\n    create index(:users, [:email], concurrently: true)\n  end\nend",
            fix: "Adds `@disable_ddl_transaction true` right after `use Ecto.Migration` (or turns \
                  an existing `false` into `true`). Without the transaction, the migration's \
                  operations are no longer atomic: keep concurrent index operations in a \
                  migration of their own.",
        },
        excellent_migrations: &["index_concurrently_without_disable_ddl_transaction"],
        ..RuleMeta::BASE
    },
    check: Some(check),
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    migration::check_concurrent_attribute(
        ctx,
        out,
        &RULE.meta,
        migration::DDL_TRANSACTION,
        "inside the migration's DDL transaction, which PostgreSQL refuses",
    );
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::migration_test_support::*;
    use crate::lint::rules::test_support::assert_clean_after_fix;

    const CODE: &str = "concurrent-index-in-transaction";

    #[test]
    fn flags_concurrent_indexes_without_the_attribute() {
        for attrs in [
            "",
            "@disable_migration_lock true",
            "@disable_ddl_transaction false",
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
            "The index on `users` (`email`) is built concurrently inside the migration's DDL transaction, which PostgreSQL refuses; add `@disable_ddl_transaction true` to `MyApp.Repo.Migrations.Change`"
        );
    }

    #[test]
    fn clean_with_the_attribute_or_without_concurrently() {
        let op = "create index(:users, [:email], concurrently: true)";
        assert_none(
            &module("@disable_ddl_transaction true", &function("change", op)),
            CODE,
        );
        assert_none(
            &module(
                "@disable_ddl_transaction Application.compile_env(:app, :flag, true)",
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
                "  use Ecto.Migration\n\n  @disable_ddl_transaction true\n\n  def change do\n"
            ),
            "{fixed}"
        );
        assert_eq!(fixed.matches("@disable_ddl_transaction").count(), 1);
        let with_other = module(
            "@disable_migration_lock true",
            &function(
                "change",
                "create index(:users, [:email], concurrently: true)",
            ),
        );
        let fixed = assert_clean_after_fix(&with_other, PATH, CODE);
        assert!(
            fixed.contains(
                "  @disable_migration_lock true\n  @disable_ddl_transaction true\n\n  def change"
            ),
            "{fixed}"
        );
        let off = module(
            "@disable_ddl_transaction false",
            &function(
                "change",
                "create index(:users, [:email], concurrently: true)",
            ),
        );
        assert!(
            assert_clean_after_fix(&off, PATH, CODE).contains("  @disable_ddl_transaction true\n")
        );
    }

    #[test]
    fn excellent_migrations_comments_silence_it() {
        assert_excellent_suppression(
            &change("create index(:users, [:email], concurrently: true)"),
            CODE,
            "index_concurrently_without_disable_ddl_transaction",
        );
    }
}
