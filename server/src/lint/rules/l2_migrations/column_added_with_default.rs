//! `column-added-with-default`: `add ..., default: ...` in `alter table(...)`. Before
//! PostgreSQL 11 (and MySQL 8.0.12), adding a column with a default rewrites the table under an
//! exclusive lock; from PostgreSQL 11 on it is instant for constant and STABLE defaults. Hence
//! a hint, for teams still on older servers, and only for projects whose `.ladder.exs` says so
//! (`postgres_version: 10`): a project that does not say runs a supported PostgreSQL (11+).
//!
//! Not reported for `default: nil`, for volatile defaults (`volatile-default` says more), in
//! `create table(...)`, on a table created by the same migration, nor in `down/0`.

use crate::lint::migration::{self, ColumnAction};
use crate::lint::rules::l2_migrations::volatile_default::volatile_function;
use crate::lint::{Finding, LintContext, Rule, RuleDocs, RuleMeta, Severity};
use crate::syntax::text;

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "column-added-with-default",
        level: 2,
        severity: Severity::Hint,
        fixable: false,
        summary: "Column added to an existing table with a default (rewrites the table before PostgreSQL 11)",
        docs: RuleDocs {
            why: "Before PostgreSQL 11 (and MySQL 8.0.12, MariaDB 10.3.2), adding a column with a \
                  default rewrites every row while holding an exclusive lock on the table. \
                  PostgreSQL 11+ only records a constant default in the catalog, so the rule \
                  reports only in projects whose `.ladder.exs` sets `postgres_version:` below 11. \
                  Not flagged: projects that do not set `postgres_version` (PostgreSQL 10 is out \
                  of support since 2022), `default: nil`, volatile defaults (`volatile-default`), \
                  `create table(...)`, tables created by the same migration, and `down/0`.",
            bad: "def change do\n  alter table(:users) do\n    add :active, :boolean, default: true\n  end\nend",
            good: "# Migration 1\ndef change do\n  alter table(:users) do\n    add :active, :boolean\n  end\nend\n\n# Migration 2\ndef change do\n  alter table(:users) do\n    modify :active, :boolean, default: true, from: :boolean\n  end\nend",
            fix: "On servers before PostgreSQL 11: (1) add the column without a default; (2) set \
                  the default in a separate migration with `modify ..., default: ...` (it only \
                  applies to future inserts); (3) backfill existing rows in batches if they need \
                  the value. On PostgreSQL 11+ the original migration is fine.",
        },
        excellent_migrations: &["column_added_with_default"],
        ..RuleMeta::BASE
    },
    check: Some(check),
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    if ctx.config.postgres_version.is_none_or(|v| v >= 11) {
        return;
    }
    let Some(m) = migration::analyze_postgres(ctx) else {
        return;
    };
    let src = ctx.source;
    for (op, col) in m.live_columns() {
        if col.action != ColumnAction::Add {
            continue;
        }
        let Some(default) = col.opts.get(src, "default") else {
            continue;
        };
        if text(default, src) == "nil" || volatile_function(default, src).is_some() {
            continue;
        }
        let table = col.table.label();
        let message = format!(
            "Adding `{table}.{}` with a default rewrites `{table}` on PostgreSQL before 11; on \
             such servers add the column first and set the default in a separate migration",
            col.column
        );
        out.push(Finding::new(&RULE.meta, op.node.byte_range(), message));
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::migration_test_support::*;
    use crate::lint::rules::test_support::findings_with_config;

    const CODE: &str = "column-added-with-default";
    const OLD_SERVER: &str = "[postgres_version: 10]";

    fn assert_count(src: &str, code: &str, n: usize) -> Vec<crate::lint::Finding> {
        let found = findings_with_config(src, PATH, OLD_SERVER, code);
        assert_eq!(found.len(), n, "{src}");
        found
    }

    fn assert_none(src: &str, code: &str) {
        assert_count(src, code, 0);
    }

    fn alter(line: &str) -> String {
        change(&format!("alter table(:users) do\n  {line}\nend"))
    }

    #[test]
    fn flags_defaults_on_new_columns_of_existing_tables() {
        for line in [
            "add :active, :boolean, default: true",
            "add(:role, :string, default: \"member\", null: false)",
            "add :created, :utc_datetime, default: fragment(\"now()\")",
            "add_if_not_exists :n, :integer, default: 0",
        ] {
            let f = assert_count(&alter(line), CODE, 1);
            assert!(
                f[0].message.starts_with("Adding `users."),
                "{}",
                f[0].message
            );
        }
        let f = assert_count(&alter("add :active, :boolean, default: true"), CODE, 1);
        assert_eq!(
            f[0].message,
            "Adding `users.active` with a default rewrites `users` on PostgreSQL before 11; on such servers add the column first and set the default in a separate migration"
        );
        assert_eq!(f[0].severity, crate::lint::Severity::Hint);
    }

    #[test]
    fn no_default_nil_volatile_new_tables_and_modify_are_clean() {
        for line in [
            "add :active, :boolean",
            "add :active, :boolean, default: nil",
            "add :id2, :uuid, default: fragment(\"gen_random_uuid()\")",
            "modify :active, :boolean, default: true, from: :boolean",
        ] {
            assert_none(&alter(line), CODE);
        }
        assert_none(
            &change("create table(:users) do\n  add :active, :boolean, default: true\nend"),
            CODE,
        );
        assert_none(
            &module(
                "",
                &function(
                    "down",
                    "alter table(:users) do\n  add :active, :boolean, default: true\nend",
                ),
            ),
            CODE,
        );
    }

    #[test]
    fn only_projects_on_old_servers_are_told() {
        let src = alter("add :active, :boolean, default: true");
        // Not said: a supported server, where the default is instant.
        assert!(found(&src, CODE).is_empty());
        assert!(findings_with_config(&src, PATH, "[postgres_version: 16]", CODE).is_empty());
        assert_eq!(
            findings_with_config(&src, PATH, "[postgres_version: 9]", CODE).len(),
            1
        );
        // excellent_migrations' comment still silences it there.
        let silenced = src.replace(
            "      add :active",
            "      # excellent_migrations:safety-assured-for-next-line column_added_with_default\n      add :active",
        );
        assert!(
            findings_with_config(&silenced, PATH, OLD_SERVER, CODE).is_empty(),
            "{silenced}"
        );
    }
}
