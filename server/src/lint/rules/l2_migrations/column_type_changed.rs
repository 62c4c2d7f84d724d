//! `column-type-changed`: `modify` in `alter table(...)`, which issues `ALTER COLUMN ... TYPE`.
//! A real type change rewrites the table (and its indexes) under an ACCESS EXCLUSIVE lock, and
//! running code may not read the new type.
//!
//! When `from:` states the previous type, only real changes are reported: the same SQL type
//! (`:utc_datetime` and `:naive_datetime` are both `timestamp(0)`), `:string` → `:text`, and a
//! longer `:string` `size:` need no rewrite. Without `from:` the previous type is unknown; the
//! `modify` is then reported when changing the type is evidently its purpose: not when it sets
//! `null:`, `default:` or `comment:` (restating the current type is how Ecto changes those;
//! `not-null-added` covers `null: false`) unless it also sets `size:`/`precision:`/`scale:`, and
//! not for `references(...)` (a foreign key on an existing id column, which
//! `reference-not-validated` covers). Tables created by the same migration and `down/0` are not
//! reported.

use tree_sitter::Node;

use crate::lint::migration::{self, ColumnAction, Opts};
use crate::lint::{Finding, LintContext, Rule, RuleDocs, RuleMeta, Severity};
use crate::syntax::{elixir, text};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "column-type-changed",
        level: 2,
        severity: Severity::Warning,
        fixable: false,
        summary: "`modify` changing a column's type in a migration",
        docs: RuleDocs {
            why: "Changing a column's type makes PostgreSQL rewrite the whole table and rebuild \
                  its indexes while holding an ACCESS EXCLUSIVE lock: no reads, no writes, for as \
                  long as the rewrite takes. Application instances still running the previous \
                  release may also fail to load the new type. Changes PostgreSQL does without a \
                  rewrite are not reported when `from:` shows them: `varchar` to `text`, a longer \
                  `varchar`, or the same type with other options.",
            bad: "def change do\n  alter table(:orders) do\n    modify :total, :decimal, from: :integer\n  end\nend",
            good: "# Migration 1: a new column, written by the application alongside the old one\ndef change do\n  alter table(:orders) do\n    add :total_decimal, :decimal\n  end\nend\n\n# Later: backfill in batches, move reads to the new column, then remove the old one.",
            fix: "Change the type in phases: (1) add a new column with the new type; (2) deploy \
                  code that writes both columns; (3) backfill the new column in batches, outside \
                  the schema migration; (4) move reads to the new column; (5) stop using the old \
                  field in the Ecto schema; (6) remove the old column in a later migration. When \
                  the `modify` does not change the type (say, only the nullability or default), \
                  state the current type with `from:` — `modify :name, :string, null: true, from: \
                  {:string, null: false}` — and the rule stays quiet. A `modify` without `from:` \
                  that sets `null:`, `default:` or `comment:` is taken to restate the current \
                  type and is not reported.",
        },
        excellent_migrations: &["column_type_changed"],
        ..RuleMeta::BASE
    },
    check: Some(check),
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    let Some(m) = migration::analyze(ctx) else {
        return;
    };
    let src = ctx.source;
    for (op, col) in m.live_columns() {
        if col.action != ColumnAction::Modify {
            continue;
        }
        let Some(new_type) = col.type_node else {
            continue;
        };
        let target = format!("{}.{}", col.table.label(), col.column);
        let new_text = text(new_type, src);
        let message = match col.opts.get(src, "from") {
            // Without `from:` the old type is unknown: stay quiet where a rewrite is unlikely or
            // the column is computed at run time (a loop over columns).
            None if col.opts.is_unknown()
                || is_references(new_type, src)
                || !type_is_the_point(&col.opts, src)
                || !col.column_literal
                // `:string` → `:text`, the usual widening, does not rewrite the table.
                || new_text == ":text" =>
            {
                continue;
            }
            None => format!(
                "`modify :{}` sets `{target}` to `{new_text}`, which rewrites the table under an \
                 exclusive lock if the type changes; add a new column, backfill it and move reads \
                 over instead (or state the current type with `from:`)",
                col.column
            ),
            Some(from) => {
                let (from_type, from_opts) = split_from(from, src);
                let old = sql_type(from_type, from_opts, src);
                let new = sql_type(new_type, col.opts.get(src, "size"), src);
                if !rewrites(&old, &new) {
                    continue;
                }
                format!(
                    "Changing `{target}` from `{}` to `{new_text}` rewrites the table under an \
                     exclusive lock; add a new column, backfill it and move reads over instead",
                    text(from_type, src)
                )
            }
        };
        out.push(Finding::new(&RULE.meta, op.node.byte_range(), message));
    }
}

/// Without `from:`, whether the `modify` is evidently about the type: it does not set `null:`,
/// `default:` or `comment:` (which Ecto can only change by restating the type), or it also sets
/// a size, precision or scale.
fn type_is_the_point(opts: &Opts<'_>, src: &str) -> bool {
    let has = |keys: &[&str]| keys.iter().any(|k| opts.get(src, k).is_some());
    !has(&["null", "default", "comment"]) || has(&["size", "precision", "scale"])
}

fn is_references(node: Node<'_>, src: &str) -> bool {
    elixir::local_call_name(node, src) == Some("references")
}

/// `from: {:string, null: false}` → (`:string`, its `size:`); `from: :string` → (`:string`, none).
fn split_from<'t>(from: Node<'t>, src: &str) -> (Node<'t>, Option<Node<'t>>) {
    if from.kind() == "tuple" {
        let items = elixir::block_statements(from);
        if let [ty, rest @ ..] = items.as_slice() {
            let size = rest.iter().find_map(|r| {
                let opts = match r.kind() {
                    "keywords" => Opts::Keywords {
                        node: *r,
                        inline: true,
                    },
                    "list" => match elixir::block_statements(*r).as_slice() {
                        [kw] if kw.kind() == "keywords" => Opts::Keywords {
                            node: *kw,
                            inline: true,
                        },
                        _ => Opts::Unknown,
                    },
                    _ => Opts::Unknown,
                };
                opts.get(src, "size")
            });
            return (*ty, size);
        }
    }
    (from, None)
}

/// The SQL type an Ecto column type maps to on PostgreSQL, as far as a rewrite is concerned.
#[derive(Debug, PartialEq, Eq)]
enum SqlType {
    Varchar(u64),
    Text,
    Other(String),
}

fn sql_type(ty: Node<'_>, size: Option<Node<'_>>, src: &str) -> SqlType {
    let size = size.and_then(|s| text(s, src).replace('_', "").parse::<u64>().ok());
    let t = text(ty, src);
    match t {
        ":string" => SqlType::Varchar(size.unwrap_or(255)),
        ":text" => SqlType::Text,
        ":utc_datetime" | ":naive_datetime" => SqlType::Other("timestamp(0)".into()),
        ":utc_datetime_usec" | ":naive_datetime_usec" => SqlType::Other("timestamp".into()),
        ":bigserial" | ":bigint" => SqlType::Other("bigint".into()),
        ":serial" | ":integer" | ":id" => SqlType::Other("integer".into()),
        _ if is_references(ty, src) => {
            // `references(:t)` is a `bigint` unless `type:` says otherwise.
            let args = elixir::call_args(ty);
            let opts = args.get(1).copied().filter(|a| a.kind() == "keywords");
            match opts.and_then(|kw| elixir::keyword_value(kw, src, "type")) {
                Some(inner) => sql_type(inner, None, src),
                None => SqlType::Other("bigint".into()),
            }
        }
        _ => SqlType::Other(t.split_whitespace().collect::<Vec<_>>().join(" ")),
    }
}

/// Whether going from `old` to `new` rewrites the table.
fn rewrites(old: &SqlType, new: &SqlType) -> bool {
    match (old, new) {
        _ if old == new => false,
        (SqlType::Varchar(_), SqlType::Text) => false,
        (SqlType::Varchar(a), SqlType::Varchar(b)) => b < a,
        _ => true,
    }
}

#[cfg(test)]
mod precision_tests {
    use crate::lint::rules::test_support::findings_of;

    const PATH: &str = "priv/repo/migrations/20240101000000_m.exs";

    fn alter(body: &str) -> String {
        format!(
            "defmodule M do\n  use Ecto.Migration\n\n  def change do\n    alter table(:users) do\n      {body}\n    end\n  end\nend\n"
        )
    }

    #[test]
    fn quiet_on_text_widening_and_computed_columns_without_from() {
        assert!(findings_of(&alter("modify :bio, :text"), PATH, "column-type-changed").is_empty());
        let looped = "defmodule M do\n  use Ecto.Migration\n\n  def change do\n    for column <- [:a, :b] do\n      alter table(:users) do\n        modify column, :bigint\n      end\n    end\n  end\nend\n";
        assert!(findings_of(looped, PATH, "column-type-changed").is_empty());
        assert_eq!(
            findings_of(&alter("modify :age, :bigint"), PATH, "column-type-changed").len(),
            1
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::migration_test_support::*;

    const CODE: &str = "column-type-changed";

    fn alter(line: &str) -> String {
        change(&format!("alter table(:users) do\n  {line}\nend"))
    }

    #[test]
    fn flags_type_changes_and_unknown_previous_types() {
        for line in [
            "modify :age, :bigint, from: :integer",
            "modify(:age, :string, from: :integer)",
            "modify :name, :string, from: :text",
            "modify :name, :string, size: 100, from: :string",
            "modify :name, :string, from: {:string, size: 300}",
            "modify :age, :bigint",
            "modify(:age, :bigint, [])",
            "modify :name, :string, size: 100, null: false",
            "modify :total, :decimal, precision: 12, scale: 2, default: 0",
        ] {
            assert_count(&alter(line), CODE, 1);
        }
        let f = assert_count(&alter("modify :age, :bigint, from: :integer"), CODE, 1);
        assert_eq!(
            f[0].message,
            "Changing `users.age` from `:integer` to `:bigint` rewrites the table under an exclusive lock; add a new column, backfill it and move reads over instead"
        );
        let f = assert_count(&alter("modify :age, :bigint"), CODE, 1);
        assert!(
            f[0].message
                .starts_with("`modify :age` sets `users.age` to `:bigint`")
        );
        // `alter table(...), do:` and prefixes.
        let kw = change("alter table(:users, prefix: \"t\"), do: modify(:age, :bigint)");
        assert!(
            assert_count(&kw, CODE, 1)[0]
                .message
                .contains("`t.users.age`")
        );
    }

    #[test]
    fn changes_without_rewrite_are_clean() {
        for line in [
            "modify :name, :text, from: :string",
            "modify :name, :string, size: 500, from: {:string, size: 255}",
            "modify :name, :string, null: true, from: {:string, null: false}",
            "modify :at, :utc_datetime, from: :naive_datetime",
            "modify :user_id, references(:users, on_delete: :delete_all), from: references(:users)",
            "modify :user_id, references(:users, validate: false)",
            "modify :name, :string, opts()",
            "modify :sku, :string, null: false",
            "modify :data, :map, default: %{}",
            "modify :note, :text, comment: \"free text\"",
            "add :name, :string",
        ] {
            assert_none(&alter(line), CODE);
        }
        // A new table, and the rollback.
        assert_none(
            &change(
                "create table(:users) do\n  add :age, :integer\nend\nalter table(:users) do\n  modify :age, :bigint\nend",
            ),
            CODE,
        );
        let down = module(
            "",
            &function(
                "down",
                "alter table(:users) do\n  modify :age, :integer, from: :bigint\nend",
            ),
        );
        assert_none(&down, CODE);
    }

    #[test]
    fn excellent_migrations_comments_silence_it() {
        assert_excellent_suppression(
            &alter("modify :age, :bigint, from: :integer"),
            CODE,
            "column_type_changed",
        );
    }
}
