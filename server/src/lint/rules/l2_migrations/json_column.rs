//! `json-column`: a column of type `:json` (in `add`/`modify`, in `alter` or `create table`,
//! also `{:array, :json}`). PostgreSQL's `json` stores the text as given; `jsonb` is what Ecto's
//! `:map` uses, and supports equality, GIN indexes and containment operators.
//!
//! The fix replaces `:json` with `:jsonb`. It changes the column's type (and, on an existing
//! table, rewriting it), so it is offered one at a time.

use crate::lint::migration::{self, ColumnAction, Direction, OpKind};
use crate::lint::{Edit, Finding, Fix, LintContext, Rule, RuleDocs, RuleMeta, Severity};
use crate::syntax::{elixir, text};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "json-column",
        level: 2,
        severity: Severity::Info,
        fixable: true,
        summary: "`:json` column type where `:jsonb` is meant",
        docs: RuleDocs {
            why: "PostgreSQL's `json` type keeps the text as given: no equality operator (so no \
                  `DISTINCT`, `GROUP BY` or `UNION` on it), no GIN index, no containment \
                  operators, and every read re-parses it. `jsonb` (what Ecto's `:map` type \
                  creates) is stored parsed and supports all of those.",
            bad: "def change do\n  alter table(:events) do\n    add :payload, :json\n  end\nend",
            good: "def change do\n  alter table(:events) do\n    add :payload, :jsonb\n  end\nend",
            fix: "Replaces `:json` with `:jsonb`. Offered one at a time: it changes the column's \
                  type (key order and duplicate keys are not kept by `jsonb`), so check nothing \
                  relies on the exact stored text.",
        },
        excellent_migrations: &["json_column_added"],
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
        let OpKind::Column(col) = &op.kind else {
            continue;
        };
        if col.action == ColumnAction::Remove || op.direction != Direction::Forward {
            continue;
        }
        let Some(ty) = col.type_node else { continue };
        // `:json`, or `:json` inside `{:array, :json}`.
        let atom = if text(ty, src) == ":json" {
            Some(ty)
        } else if ty.kind() == "tuple" {
            match elixir::block_statements(ty).as_slice() {
                [outer, inner] if text(*outer, src) == ":array" && text(*inner, src) == ":json" => {
                    Some(*inner)
                }
                _ => None,
            }
        } else {
            None
        };
        let Some(atom) = atom else { continue };
        let message = format!(
            "Column `{}.{}` is `:json`; use `:jsonb`, which supports equality, indexing and \
             containment queries",
            col.table.label(),
            col.column
        );
        out.push(
            Finding::new(&RULE.meta, atom.byte_range(), message).with_fix(Fix::unsafe_(
                "Use `:jsonb`",
                vec![Edit::replace(atom.byte_range(), ":jsonb")],
            )),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::migration_test_support::*;
    use crate::lint::rules::test_support::assert_clean_after_fix;

    const CODE: &str = "json-column";

    #[test]
    fn flags_json_columns_anywhere_forward() {
        for op in [
            "alter table(:events) do\n  add :payload, :json\nend",
            "alter table(:events) do\n  modify :payload, :json, from: :text\nend",
            "create table(:events) do\n  add :payload, :json, null: false\nend",
            "create table(:events) do\n  add(:payload, {:array, :json})\nend",
        ] {
            let f = assert_count(&change(op), CODE, 1);
            assert_eq!(
                f[0].message,
                "Column `events.payload` is `:json`; use `:jsonb`, which supports equality, indexing and containment queries"
            );
        }
    }

    #[test]
    fn other_types_and_rollbacks_are_clean() {
        for op in [
            "alter table(:events) do\n  add :payload, :jsonb\nend",
            "alter table(:events) do\n  add :payload, :map\nend",
            "alter table(:events) do\n  remove :payload, :json\nend",
            "alter table(:events) do\n  add :json, :string\nend",
        ] {
            assert_none(&change(op), CODE);
        }
        assert_none(
            &module(
                "",
                &function(
                    "down",
                    "alter table(:events) do\n  modify :payload, :json, from: :jsonb\nend",
                ),
            ),
            CODE,
        );
    }

    #[test]
    fn fix_uses_jsonb_and_is_not_applied_in_bulk() {
        let src = change(
            "create table(:events) do\n  add :payload, :json\n  add :tags, {:array, :json}\nend",
        );
        assert!(!found(&src, CODE)[0].fix.as_ref().unwrap().safe);
        let fixed = assert_clean_after_fix(&src, PATH, CODE);
        assert!(
            fixed.contains("add :payload, :jsonb\n      add :tags, {:array, :jsonb}\n"),
            "{fixed}"
        );
    }

    #[test]
    fn excellent_migrations_comments_silence_it() {
        assert_excellent_suppression(
            &change("alter table(:events) do\n  add :payload, :json\nend"),
            CODE,
            "json_column_added",
        );
    }
}
