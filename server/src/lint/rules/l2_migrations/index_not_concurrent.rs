//! `index-not-concurrent`: an index created or dropped without `concurrently: true` in a
//! migration. PostgreSQL's plain `CREATE INDEX` holds a SHARE lock on the table for the whole
//! build (writes wait), and `DROP INDEX` an ACCESS EXCLUSIVE one (reads wait too).
//!
//! Not reported: indexes on a table the same migration creates (it is empty), and anything in
//! `down/0`: a rollback undoes `up/0` and runs rarely, by hand (strong_migrations does not check
//! it either by default); reviewers do not ask for concurrent indexes there.
//!
//! The fix adds `concurrently: true` and the two module attributes a concurrent build needs. It
//! is safe when the migration only touches indexes (or already runs without a DDL transaction);
//! otherwise disabling the DDL transaction would also make its other operations non-atomic, so
//! it is offered one at a time.

use crate::lint::migration::{
    self, DDL_TRANSACTION, Direction, Flag, IndexAction, MIGRATION_LOCK, OpKind,
};
use crate::lint::{Finding, Fix, LintContext, Rule, RuleDocs, RuleMeta, Severity};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "index-not-concurrent",
        level: 2,
        severity: Severity::Warning,
        fixable: true,
        summary: "Index created or dropped in a migration without `concurrently: true`",
        docs: RuleDocs {
            why: "On PostgreSQL, `CREATE INDEX` holds a SHARE lock on the table until the index \
                  is built: every insert, update and delete waits, for minutes on a large table. \
                  `DROP INDEX` takes an ACCESS EXCLUSIVE lock, blocking reads as well while it \
                  waits behind running queries. `CREATE/DROP INDEX CONCURRENTLY` builds or \
                  removes the index without blocking writes. Indexes on a table created by the \
                  same migration are not reported: the table is empty.",
            bad: "defmodule MyApp.Repo.Migrations.AddEmailIndex do\n  use Ecto.Migration\n\n  def change do\n    create index(:users, [:email])\n  end\nend",
            good: "defmodule MyApp.Repo.Migrations.AddEmailIndex do\n  use Ecto.Migration\n\n  @disable_ddl_transaction true\n  @disable_migration_lock true\n\n  def change do\n    create index(:users, [:email], concurrently: true)\n  end\nend",
            fix: "Adds `concurrently: true` to the index (merged into its keyword list), and \
                  `@disable_ddl_transaction true` and `@disable_migration_lock true` right after \
                  `use Ecto.Migration` when they are missing: PostgreSQL refuses a concurrent \
                  build inside a transaction. The fix is applied in bulk only when the migration \
                  does nothing but create or drop indexes (or already disables its DDL \
                  transaction); otherwise move the index into its own \
                  migration first, so the other operations keep their transaction. A concurrent \
                  build that fails leaves an INVALID index behind: drop it and run the migration \
                  again. Operations in `down/0` (the rollback) are not reported.",
        },
        excellent_migrations: &["index_not_concurrently"],
        ..RuleMeta::BASE
    },
    check: Some(check),
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    let Some(m) = migration::analyze_postgres(ctx) else {
        return;
    };
    let src = ctx.source;
    for op in &m.ops {
        let OpKind::Index(index) = &op.kind else {
            continue;
        };
        let rollback = op.direction == Direction::Down;
        if op.new_table || rollback || index.opts.flag(src, "concurrently") != Flag::False {
            continue;
        }
        let table = index.table.label();
        let label = index.label(src);
        let message = match index.action {
            IndexAction::Create => format!(
                "Creating the {label} without `concurrently: true` blocks writes to `{table}` \
                 while it builds; create it concurrently, with `@disable_ddl_transaction true` \
                 and `@disable_migration_lock true` on the migration"
            ),
            IndexAction::Drop => format!(
                "Dropping the {label} without `concurrently: true` locks `{table}` against reads \
                 and writes; drop it concurrently, with `@disable_ddl_transaction true` and \
                 `@disable_migration_lock true` on the migration"
            ),
        };
        let mut finding = Finding::new(&RULE.meta, op.node.byte_range(), message);
        if let Some(option) =
            migration::set_option(src, index.call, &index.opts, "concurrently", "true")
        {
            let mut edits = vec![option];
            edits.extend(migration::attribute_edits(
                src,
                m.module_of(op),
                &[DDL_TRANSACTION, MIGRATION_LOCK],
            ));
            let title = "Add `concurrently: true`";
            // Disabling the DDL transaction changes nothing else when the migration only
            // touches indexes, or already runs without one.
            let module = m.module_of(op);
            let harmless = m.only_indexes(op.module) || !module.ddl_transaction.is_off();
            finding = finding.with_fix(if harmless {
                Fix::safe(title, edits)
            } else {
                Fix::unsafe_(title, edits)
            });
        }
        out.push(finding);
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::migration_test_support::*;
    use crate::lint::rules::test_support::assert_clean_after_fix;

    const CODE: &str = "index-not-concurrent";

    #[test]
    fn flags_every_create_and_drop_form() {
        for op in [
            "create index(:users, [:email])",
            "create(index(:users, [:email]))",
            "create unique_index(:users, [:email])",
            "create unique_index(\"users\", [:email], name: :users_email)",
            "create_if_not_exists index(:users, [:email])",
            "drop index(:users, [:email])",
            "drop_if_exists index(:users, [:email])",
            "drop_if_exists(index(:users, [:email]))",
            "index(:users, [:email]) |> create()",
            "create index(:users, [:email], concurrently: false)",
            "create index(:users, [:email], [])",
            "create index(:users, [:email], prefix: \"tenant\")",
            "Ecto.Migration.create(Ecto.Migration.index(:users, [:email]))",
            "idx = index(:users, [:email])\ncreate idx",
            "opts = [unique: true]\ncreate index(:users, [:email], opts)",
            "for col <- [:a, :b] do\n  create index(:users, [col])\nend",
        ] {
            assert_count(&change(op), CODE, 1);
        }
    }

    /// Found by the `lint_fix` fuzz target: appended after a call without parentheses, the
    /// option became that call's argument (and the code an ambiguous call Elixir rejects).
    #[test]
    fn no_option_appended_to_a_call_without_parentheses() {
        for op in [
            "create index(:users, [:email], where: fragment :x)",
            // The fuzzer's input: one call without parentheses holding every argument.
            "create index(defmacro :users, [:email], concurrentlt :yrue)",
        ] {
            let f = assert_count(&change(op), CODE, 1);
            assert!(f[0].fix.is_none(), "{op}");
        }
        // Parentheses or brackets around the call keep the option outside it.
        let f = assert_count(
            &change("create index(:users, [:email], where: fragment(:x))"),
            CODE,
            1,
        );
        assert!(f[0].fix.is_some());
    }

    #[test]
    fn messages_name_the_index_and_the_recipe() {
        let f = assert_count(&change("create index(:users, [:email, :name])"), CODE, 1);
        assert_eq!(
            f[0].message,
            "Creating the index on `users` (`email`, `name`) without `concurrently: true` blocks writes to `users` while it builds; create it concurrently, with `@disable_ddl_transaction true` and `@disable_migration_lock true` on the migration"
        );
        let f = assert_count(
            &change("drop unique_index(:users, [:email], name: :users_email_idx, prefix: :t)"),
            CODE,
            1,
        );
        assert!(
            f[0].message
                .starts_with("Dropping the unique index `users_email_idx` on `t.users` without"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn safe_forms_are_clean() {
        let attrs = "@disable_ddl_transaction true\n@disable_migration_lock true";
        for op in [
            "create index(:users, [:email], concurrently: true)",
            "create unique_index(:users, [:email], concurrently: true, name: :x)",
            "drop_if_exists index(:users, [:email], concurrently: true)",
            "opts = [concurrently: true]\ncreate index(:users, [:email], opts)",
            "create index(:users, [:email], [concurrently: true])",
            // Computed options: cannot tell, so not reported.
            "create index(:users, [:email], index_opts())",
        ] {
            assert_none(&module(attrs, &function("change", op)), CODE);
        }
        // A table created by the same migration is empty.
        let src = change(
            "create table(:posts) do\n  add :title, :string\nend\n\ncreate index(:posts, [:title])\ncreate unique_index(:posts, [:slug])",
        );
        assert_none(&src, CODE);
        let prefixed = change(
            "create_if_not_exists table(:posts, prefix: \"blog\") do\n  add :title, :string\nend\ncreate index(:posts, [:title], prefix: \"blog\")",
        );
        assert_none(&prefixed, CODE);
        // …but not the same name in another prefix.
        let other =
            change("create table(:posts, prefix: \"blog\")\ncreate index(:posts, [:title])");
        assert_count(&other, CODE, 1);
        // Not a migration.
        assert!(
            crate::lint::rules::test_support::findings_of(
                "defmodule A do\n  def f, do: create(index(:a, [:b]))\nend\n",
                "lib/a.ex",
                CODE
            )
            .is_empty()
        );
    }

    #[test]
    fn down_is_not_reported() {
        let src = module(
            "",
            &format!(
                "{}\n{}",
                function("up", "create index(:users, [:email], concurrently: true)"),
                function(
                    "down",
                    "drop index(:users, [:email])\ncreate index(:users, [:old])"
                )
            ),
        );
        assert_none(&src, CODE);
        // `up/0` is reported like `change/0`.
        let up = module("", &function("up", "drop index(:users, [:email])"));
        assert_count(&up, CODE, 1);
    }

    #[test]
    fn fix_adds_option_and_attributes_after_use() {
        let src = change("create index(:users, [:email])");
        let fixed = assert_clean_after_fix(&src, PATH, CODE);
        assert_eq!(
            fixed,
            "defmodule MyApp.Repo.Migrations.Change do\n  use Ecto.Migration\n\n  @disable_ddl_transaction true\n  @disable_migration_lock true\n\n  def change do\n    create index(:users, [:email], concurrently: true)\n  end\nend\n"
        );
        // The result is clean for every index rule.
        for code in [
            "concurrent-index-in-transaction",
            "concurrent-index-with-migration-lock",
        ] {
            assert_none(&fixed, code);
        }
        assert!(found(&src, CODE)[0].fix.as_ref().unwrap().safe);
    }

    #[test]
    fn fix_merges_into_existing_options_and_keeps_attributes_single() {
        let src = module(
            "@disable_ddl_transaction true",
            &function(
                "change",
                "create unique_index(:users, [:email], name: :users_email)\ncreate index(:users, [:name], concurrently: false)\ncreate index(:users, [:age], [])\nindex(:users, [:x]) |> create()",
            ),
        );
        let fixed = assert_clean_after_fix(&src, PATH, CODE);
        assert!(
            fixed.contains(
                "  @disable_ddl_transaction true\n  @disable_migration_lock true\n\n  def change"
            ),
            "{fixed}"
        );
        assert_eq!(
            fixed.matches("@disable_migration_lock").count(),
            1,
            "{fixed}"
        );
        assert_eq!(
            fixed.matches("@disable_ddl_transaction").count(),
            1,
            "{fixed}"
        );
        assert!(
            fixed
                .contains("unique_index(:users, [:email], name: :users_email, concurrently: true)")
        );
        assert!(fixed.contains("index(:users, [:name], concurrently: true)"));
        assert!(fixed.contains("index(:users, [:age], [concurrently: true])"));
        assert!(fixed.contains("index(:users, [:x], concurrently: true) |> create()"));
    }

    #[test]
    fn fix_turns_false_attributes_on_and_handles_no_blank_line() {
        let src = "defmodule M do\n  use Ecto.Migration\n  @disable_migration_lock false\n  def change do\n    create index(:users, [:email])\n  end\nend\n";
        let fixed = assert_clean_after_fix(src, PATH, CODE);
        assert_eq!(
            fixed,
            "defmodule M do\n  use Ecto.Migration\n  @disable_migration_lock true\n  @disable_ddl_transaction true\n  def change do\n    create index(:users, [:email], concurrently: true)\n  end\nend\n"
        );
        let tight = "defmodule M do\n  use Ecto.Migration\n  def change do\n    create index(:users, [:email])\n  end\nend\n";
        assert_eq!(
            assert_clean_after_fix(tight, PATH, CODE),
            "defmodule M do\n  use Ecto.Migration\n\n  @disable_ddl_transaction true\n  @disable_migration_lock true\n\n  def change do\n    create index(:users, [:email], concurrently: true)\n  end\nend\n"
        );
    }

    #[test]
    fn fix_is_unsafe_when_the_migration_does_more_than_indexes() {
        let src = change(
            "alter table(:users) do\n  add :email, :string\nend\n\ncreate index(:users, [:email])",
        );
        let f = found(&src, CODE);
        assert!(!f[0].fix.as_ref().unwrap().safe);
        assert_clean_after_fix(&src, PATH, CODE);
        // Options through a variable: reported without a fix.
        let no_tx = module(
            "@disable_ddl_transaction true",
            &function(
                "change",
                "execute \"SELECT 1\"\ncreate index(:users, [:email])",
            ),
        );
        assert!(found(&no_tx, CODE)[0].fix.as_ref().unwrap().safe);
        let bound = change("opts = [name: :x]\ncreate index(:users, [:email], opts)");
        assert!(found(&bound, CODE)[0].fix.is_none());
    }

    #[test]
    fn excellent_migrations_comments_silence_it() {
        assert_excellent_suppression(
            &change("create index(:users, [:email])\ncreate index(:users, [:name])"),
            CODE,
            "index_not_concurrently",
        );
    }
}
