//! `column-type-changed`: `modify` in `alter table(...)`, which issues `ALTER COLUMN ... TYPE`.
//! A real type change rewrites the table (and its indexes) under an ACCESS EXCLUSIVE lock, and
//! running code may not read the new type.
//!
//! The previous type comes from `from:`, or else from the project's migration history (the
//! project index replays the earlier migrations of the same repository). When it is known,
//! only real changes are reported: the same SQL type
//! (`:utc_datetime` and `:naive_datetime` are both `timestamp(0)`), `:string` → `:text`, and a
//! longer `:string` `size:` need no rewrite. Without `from:` the previous type is unknown; the
//! `modify` is then reported when changing the type is evidently its purpose: not when it sets
//! `null:`, `default:` or `comment:` (restating the current type is how Ecto changes those;
//! `not-null-added` covers `null: false`) unless it also sets `size:`/`precision:`/`scale:`, and
//! not for `references(...)` (a foreign key on an existing id column, which
//! `reference-not-validated` covers). Tables created by the same migration and `down/0` are not
//! reported.

use crate::syntax::Node;

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
                  rewrite are not reported when `from:` or the project's earlier migrations show \
                  them: `varchar` to `text`, a longer `varchar`, a `numeric` with more precision \
                  and the same scale, a timestamp with more fractional digits \
                  (`:utc_datetime` → `:utc_datetime_usec`), or the same type with other options. \
                  Several columns changed in one `alter` are one finding. Not flagged: `down/0`, \
                  tables created by the same migration, repositories whose adapter is not \
                  PostgreSQL.",
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
    let Some(m) = migration::analyze_postgres(ctx) else {
        return;
    };
    // One finding per `alter` block, naming every column whose type it changes.
    let mut groups: Vec<(usize, Vec<Change>)> = Vec::new();
    for (op, col) in m.live_columns() {
        if col.action != ColumnAction::Modify {
            continue;
        }
        let Some(change) = type_change(ctx, op.node, col) else {
            continue;
        };
        let block = col.table.node.id();
        match groups.iter_mut().find(|(b, _)| *b == block) {
            Some((_, list)) => list.push(change),
            None => groups.push((block, vec![change])),
        }
    }
    for (_, changes) in groups {
        let first = &changes[0];
        let message = match changes.as_slice() {
            [one] => one.message.clone(),
            many => format!(
                "This `alter` changes the types of {}: each rewrites `{}` under an exclusive \
                 lock; add new columns, backfill them and move reads over instead",
                many.iter()
                    .map(|c| format!("`{}` ({})", c.target, c.what))
                    .collect::<Vec<_>>()
                    .join(", "),
                first.table
            ),
        };
        out.push(Finding::new(&RULE.meta, first.range.clone(), message));
    }
}

/// A `modify` that changes a column's type.
struct Change {
    /// `users.bio`.
    target: String,
    /// `users`.
    table: String,
    /// `:string` → `:text`, or `to :text`.
    what: String,
    /// The finding for this change alone.
    message: String,
    /// The statement.
    range: std::ops::Range<usize>,
}

fn type_change(
    ctx: &LintContext<'_>,
    node: Node<'_>,
    col: &migration::ColumnOp<'_>,
) -> Option<Change> {
    let src = ctx.source;
    let new_type = col.type_node?;
    let target = format!("{}.{}", col.table.label(), col.column);
    let new_text = text(new_type, src);
    let new = sql_type(
        new_type,
        col.opts.get(src, "size"),
        col.opts.get(src, "precision"),
        col.opts.get(src, "scale"),
        src,
    );
    let change = |what: String, message: String| Change {
        target: target.clone(),
        table: col.table.label(),
        what,
        message,
        range: node.byte_range(),
    };
    if let Some(from) = col.opts.get(src, "from") {
        let (from_type, from_opts) = split_from(from, src);
        let old = sql_type(from_type, from_opts, None, None, src);
        if !rewrites(&old, &new) {
            return None;
        }
        let from_text = text(from_type, src);
        return Some(change(
            format!("`{from_text}` → `{new_text}`"),
            format!(
                "Changing `{target}` from `{from_text}` to `{new_text}` rewrites the table under an \
                 exclusive lock; add a new column, backfill it and move reads over instead"
            ),
        ));
    }
    if col.opts.is_unknown() || !col.column_literal || is_references(new_type, src) {
        return None;
    }
    // The migration history knows what the column was.
    if let Some(before) = migration::column_before(ctx, &col.table, &col.column) {
        let old = sql_type_of(&before);
        if !rewrites(&old, &new) {
            return None;
        }
        return Some(change(
            format!("`{}` → `{new_text}`", before.ty),
            format!(
                "Changing `{target}` from `{}` (as the earlier migrations left it) to `{new_text}` \
                 rewrites the table under an exclusive lock; add a new column, backfill it and \
                 move reads over instead",
                before.ty
            ),
        ));
    }
    // Without `from:` or history the old type is unknown: stay quiet where a rewrite is
    // unlikely.
    if !type_is_the_point(&col.opts, src)
        // `:string` → `:text`, the usual widening, does not rewrite the table.
        || new_text == ":text"
    {
        return None;
    }
    Some(change(
        format!("to `{new_text}`"),
        format!(
            "`modify :{}` sets `{target}` to `{new_text}`, which rewrites the table under an \
             exclusive lock if the type changes; add a new column, backfill it and move reads \
             over instead (or state the current type with `from:`)",
            col.column
        ),
    ))
}

/// Without `from:`, whether the `modify` is evidently about the type: it does not set `null:`,
/// `default:` or `comment:` (which Ecto can only change by restating the type), or it also sets
/// a size, precision or scale.
fn type_is_the_point(opts: &Opts<'_>, src: &str) -> bool {
    let has = |keys: &[&str]| keys.iter().any(|k| opts.get(src, k).is_some());
    !has(&["null", "default", "comment"]) || has(&["size", "precision", "scale"])
}

fn is_references(node: Node<'_>, src: &str) -> bool {
    elixir::is_local_call(node, src, "references")
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
    /// `numeric(precision, scale)`; `None` for an unconstrained `numeric`.
    Numeric(Option<(u64, u64)>),
    /// `timestamp(p)`: `:utc_datetime` is `timestamp(0)`, `_usec` is `timestamp` (6).
    Timestamp(u64),
    Other(String),
}

fn number(node: Option<Node<'_>>, src: &str) -> Option<u64> {
    node.and_then(|s| text(s, src).replace('_', "").parse::<u64>().ok())
}

fn sql_type(
    ty: Node<'_>,
    size: Option<Node<'_>>,
    precision: Option<Node<'_>>,
    scale: Option<Node<'_>>,
    src: &str,
) -> SqlType {
    if is_references(ty, src) {
        // `references(:t)` is a `bigint` unless `type:` says otherwise.
        let args = elixir::call_args(ty);
        let opts = args.get(1).copied().filter(|a| a.kind() == "keywords");
        return match opts.and_then(|kw| elixir::keyword_value(kw, src, "type")) {
            Some(inner) => sql_type(inner, None, None, None, src),
            None => SqlType::Other("bigint".into()),
        };
    }
    let t = text(ty, src)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    sql_type_from(
        &t,
        number(size, src),
        number(precision, src),
        number(scale, src),
    )
}

/// The SQL type of a column as the migration history recorded it.
fn sql_type_of(state: &crate::project::migrations::ColumnState) -> SqlType {
    let n = |v: &Option<String>| {
        v.as_ref()
            .and_then(|s| s.replace('_', "").parse::<u64>().ok())
    };
    sql_type_from(
        &state.ty,
        n(&state.size),
        n(&state.precision),
        n(&state.scale),
    )
}

fn sql_type_from(
    t: &str,
    size: Option<u64>,
    precision: Option<u64>,
    scale: Option<u64>,
) -> SqlType {
    match t {
        ":string" => SqlType::Varchar(size.unwrap_or(255)),
        ":text" => SqlType::Text,
        ":decimal" | ":numeric" => SqlType::Numeric(precision.map(|p| (p, scale.unwrap_or(0)))),
        ":utc_datetime" | ":naive_datetime" => SqlType::Timestamp(0),
        ":utc_datetime_usec" | ":naive_datetime_usec" => SqlType::Timestamp(6),
        ":bigserial" | ":bigint" => SqlType::Other("bigint".into()),
        ":serial" | ":integer" | ":id" => SqlType::Other("integer".into()),
        _ => SqlType::Other(t.to_string()),
    }
}

/// Whether going from `old` to `new` rewrites the table. PostgreSQL changes these in the
/// catalog only: `varchar` to `text` or to a longer `varchar`, a `numeric` with more precision
/// and the same scale (or no constraint at all), and a `timestamp` with more fractional digits.
fn rewrites(old: &SqlType, new: &SqlType) -> bool {
    match (old, new) {
        _ if old == new => false,
        (SqlType::Varchar(_), SqlType::Text) => false,
        (SqlType::Varchar(a), SqlType::Varchar(b)) => b < a,
        (SqlType::Numeric(_), SqlType::Numeric(None)) => false,
        (SqlType::Numeric(Some((p1, s1))), SqlType::Numeric(Some((p2, s2)))) => {
            !(p2 >= p1 && s1 == s2)
        }
        (SqlType::Timestamp(a), SqlType::Timestamp(b)) => b < a,
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
