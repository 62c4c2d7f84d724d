//! `volatile-default`: a column added to an existing table with a volatile default
//! (`default: fragment("gen_random_uuid()")`, `random()`, `clock_timestamp()`,
//! `uuid_generate_v4()`, `nextval(...)` …). PostgreSQL 11+ stores a constant default without
//! touching the rows, but a volatile one must be computed per row: the whole table is rewritten
//! under an ACCESS EXCLUSIVE lock.
//!
//! `now()`/`CURRENT_TIMESTAMP` are STABLE, not volatile: PostgreSQL 11+ evaluates them once and
//! adds the column instantly, so they are left to `column-added-with-default` (which covers
//! servers before 11). Not reported in `create table(...)`, on a table created by the same
//! migration, nor in `down/0`; `modify ..., default:` only changes future inserts and is not
//! reported either.

use crate::syntax::Node;

use crate::lint::migration::{self, ColumnAction};
use crate::lint::{Finding, LintContext, Rule, RuleDocs, RuleMeta, Severity};
use crate::syntax::{elixir, text};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "volatile-default",
        level: 2,
        severity: Severity::Warning,
        fixable: false,
        summary: "Column added to an existing table with a volatile default (`gen_random_uuid()`, `random()` …)",
        docs: RuleDocs {
            why: "Since PostgreSQL 11, adding a column with a constant (or STABLE, like `now()`) \
                  default only records the value in the catalog. A volatile default such as \
                  `gen_random_uuid()`, `uuid_generate_v4()`, `random()` or `clock_timestamp()` \
                  must be computed for each row, so PostgreSQL rewrites the whole table and its \
                  indexes under an ACCESS EXCLUSIVE lock: no reads, no writes until it is done.",
            bad: "def change do\n  alter table(:orders) do\n    add :public_id, :uuid, default: fragment(\"gen_random_uuid()\")\n  end\nend",
            good: "# Migration 1\ndef change do\n  alter table(:orders) do\n    add :public_id, :uuid\n  end\nend\n\n# Backfill existing rows in batches, outside the schema migration, then:\n# Migration 2\ndef change do\n  alter table(:orders) do\n    modify :public_id, :uuid, default: fragment(\"gen_random_uuid()\"), from: :uuid\n  end\nend",
            fix: "(1) Add the column without a default; (2) backfill existing rows in batches, \
                  outside the schema migration; (3) then set the default with `modify ..., \
                  default: fragment(...)` in a later migration: a column default only applies to \
                  future inserts, so that step rewrites nothing. Tables created in the same \
                  migration can take volatile defaults freely: they are empty.",
        },
        excellent_migrations: &["column_volatile_default"],
        ..RuleMeta::BASE
    },
    check: Some(check),
};

/// Volatile SQL functions seen as column defaults (lowercase, without arguments).
const VOLATILE: &[&str] = &[
    "gen_random_uuid",
    "uuid_generate_v1",
    "uuid_generate_v1mc",
    "uuid_generate_v4",
    "uuidv4",
    "uuidv7",
    "uuid_generate_v7",
    "random",
    "clock_timestamp",
    "timeofday",
    "nextval",
    "gen_random_bytes",
    "txid_current",
];

/// The volatile function a `default:` value calls, when it is a `fragment("...")` calling one.
pub fn volatile_function(default: Node<'_>, src: &str) -> Option<&'static str> {
    if elixir::local_call_name(default, src) != Some("fragment") {
        return None;
    }
    let sql = text(*elixir::call_args(default).first()?, src).to_ascii_lowercase();
    VOLATILE.iter().copied().find(|f| {
        sql.match_indices(f).any(|(i, _)| {
            let before = sql[..i].chars().next_back();
            let after = sql[i + f.len()..].trim_start().chars().next();
            !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') && after == Some('(')
        })
    })
}

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    let Some(m) = migration::analyze_postgres(ctx) else {
        return;
    };
    let src = ctx.source;
    for (op, col) in m.live_columns() {
        if col.action != ColumnAction::Add {
            continue;
        }
        let Some(function) = col
            .opts
            .get(src, "default")
            .and_then(|d| volatile_function(d, src))
        else {
            continue;
        };
        let table = col.table.label();
        let message = format!(
            "Adding `{table}.{}` with the volatile default `{function}()` rewrites every row of \
             `{table}` under an exclusive lock; add the column without a default, backfill it in \
             batches, then set the default",
            col.column
        );
        out.push(Finding::new(&RULE.meta, op.node.byte_range(), message));
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::migration_test_support::*;

    const CODE: &str = "volatile-default";

    fn alter(line: &str) -> String {
        change(&format!("alter table(:orders) do\n  {line}\nend"))
    }

    #[test]
    fn flags_volatile_defaults_on_new_columns_of_existing_tables() {
        for (line, function) in [
            (
                "add :public_id, :uuid, default: fragment(\"gen_random_uuid()\")",
                "gen_random_uuid",
            ),
            (
                "add(:public_id, :uuid, default: fragment(\"uuid_generate_v4()\"), null: false)",
                "uuid_generate_v4",
            ),
            (
                "add :score, :float, default: fragment(\"random()\")",
                "random",
            ),
            (
                "add :seen_at, :utc_datetime, default: fragment(\"CLOCK_TIMESTAMP()\")",
                "clock_timestamp",
            ),
            (
                "add :n, :bigint, default: fragment(\"nextval('orders_n_seq')\")",
                "nextval",
            ),
            (
                "add_if_not_exists :code, :text, default: fragment(\"md5(random()::text)\")",
                "random",
            ),
        ] {
            let f = assert_count(&alter(line), CODE, 1);
            assert!(
                f[0].message
                    .contains(&format!("volatile default `{function}()`")),
                "{}",
                f[0].message
            );
        }
        let f = assert_count(
            &alter("add :public_id, :uuid, default: fragment(\"gen_random_uuid()\")"),
            CODE,
            1,
        );
        assert_eq!(
            f[0].message,
            "Adding `orders.public_id` with the volatile default `gen_random_uuid()` rewrites every row of `orders` under an exclusive lock; add the column without a default, backfill it in batches, then set the default"
        );
    }

    #[test]
    fn stable_constants_modify_new_tables_and_rollbacks_are_clean() {
        for line in [
            "add :created, :utc_datetime, default: fragment(\"now()\")",
            "add :created, :utc_datetime, default: fragment(\"CURRENT_TIMESTAMP\")",
            "add :active, :boolean, default: true",
            "add :kind, :string, default: \"random\"",
            "add :x, :float, default: fragment(\"my_random_seed\")",
            "modify :public_id, :uuid, default: fragment(\"gen_random_uuid()\"), from: :uuid",
        ] {
            assert_none(&alter(line), CODE);
        }
        assert_none(
            &change(
                "create table(:orders) do\n  add :public_id, :uuid, default: fragment(\"gen_random_uuid()\")\nend",
            ),
            CODE,
        );
        assert_none(
            &module(
                "",
                &function(
                    "down",
                    "alter table(:orders) do\n  add :public_id, :uuid, default: fragment(\"gen_random_uuid()\")\nend",
                ),
            ),
            CODE,
        );
    }

    #[test]
    fn excellent_migrations_comments_silence_it() {
        assert_excellent_suppression(
            &alter("add :public_id, :uuid, default: fragment(\"gen_random_uuid()\")"),
            CODE,
            "column_volatile_default",
        );
    }
}
