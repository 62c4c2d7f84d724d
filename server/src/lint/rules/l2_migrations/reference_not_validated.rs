//! `reference-not-validated`: a foreign key added to an existing table (`add`/`modify` with
//! `references(...)` in `alter table(...)`) without `validate: false`. Adding a validated
//! foreign key scans the table while locking both it and the referenced table against writes.
//!
//! Not reported in `create table(...)`, on a table created by the same migration, nor in
//! `down/0`. The fix adds `validate: false` to `references(...)`. It is offered one at a time
//! and never applied in bulk by `check --fix`: an unvalidated constraint stays `NOT VALID`
//! until someone writes the later migration that validates it.

use crate::lint::migration::{self, ColumnAction, Opts};
use crate::lint::{Finding, Fix, LintContext, Rule, RuleDocs, RuleMeta, Severity};
use crate::syntax::elixir;

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "reference-not-validated",
        level: 2,
        severity: Severity::Warning,
        fixable: true,
        summary: "Foreign key added to an existing table without `validate: false`",
        docs: RuleDocs {
            why: "Adding a foreign key validates every existing row while holding a SHARE ROW \
                  EXCLUSIVE lock on both tables: writes to the table and to the referenced table \
                  wait until the scan is done. With `validate: false` the constraint is added \
                  `NOT VALID`: enforced for new writes at once, checked for old rows later by a \
                  `VALIDATE CONSTRAINT` that does not block writes. Flagged: `add`, \
                  `add_if_not_exists` and `modify` of a column with `references(...)` inside \
                  `alter table(...)`, when `validate:` is absent or `true`. Not flagged: \
                  `create table(...)` and a table created earlier in the same migration (empty, \
                  nothing to scan), `validate: false` or a computed option list, and `down/0`.",
            bad: "def change do\n  alter table(:orders) do\n    add :user_id, references(:users)\n  end\nend",
            good: "# Migration 1\ndef change do\n  alter table(:orders) do\n    add :user_id, references(:users, validate: false)\n  end\nend\n\n# Migration 2\ndef change do\n  execute \"ALTER TABLE orders VALIDATE CONSTRAINT orders_user_id_fkey\", \"\"\nend",
            fix: "Adds `validate: false` to `references(...)`. Then validate the constraint in a \
                  separate, later migration: `execute \"ALTER TABLE orders VALIDATE CONSTRAINT \
                  orders_user_id_fkey\", \"\"` (the scan then runs without blocking writes). The \
                  fix is offered one at a time and never applied by `check --fix`: the \
                  constraint stays `NOT VALID`, unchecked for existing rows, until that second \
                  migration exists.",
        },
        excellent_migrations: &["column_reference_added"],
        ..RuleMeta::BASE
    },
    check: Some(check),
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    let Some(m) = migration::analyze_postgres(ctx) else {
        return;
    };
    let src = ctx.source;
    for (op, col) in m.live_columns() {
        if col.action == ColumnAction::Remove {
            continue;
        }
        let Some(refs) = col
            .type_node
            .filter(|t| elixir::is_local_call(*t, src, "references"))
        else {
            continue;
        };
        let args = elixir::call_args(refs);
        let opts = match args.get(1) {
            None => Opts::Absent,
            Some(kw) if kw.kind() == "keywords" => Opts::Keywords {
                node: *kw,
                inline: true,
            },
            Some(_) => Opts::Unknown,
        };
        // Absent or `true` validates at once; `false` (or a computed value) is left alone.
        let validated = match opts.get(src, "validate") {
            None => !opts.is_unknown(),
            Some(v) => crate::syntax::text(v, src) == "true",
        };
        if !validated {
            continue;
        }
        let target = args
            .first()
            .map(|t| migration::literal_name(*t, src))
            .unwrap_or_default();
        let message = format!(
            "Adding the foreign key `{}.{}` → `{target}` checks every row while blocking writes \
             to both tables; add it with `validate: false` and validate the constraint in a \
             later migration",
            col.table.label(),
            col.column
        );
        let mut finding = Finding::new(&RULE.meta, op.node.byte_range(), message);
        if let Some(edit) = migration::set_option(src, refs, &opts, "validate", "false") {
            let title = "Add `validate: false`";
            // Never in bulk: the constraint then stays NOT VALID until a later migration runs
            // `VALIDATE CONSTRAINT`, which someone has to write.
            finding = finding.with_fix(Fix::unsafe_(title, vec![edit]));
        }
        out.push(finding);
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::migration_test_support::*;
    use crate::lint::rules::test_support::assert_clean_after_fix;

    const CODE: &str = "reference-not-validated";

    fn alter(line: &str) -> String {
        change(&format!("alter table(:orders) do\n  {line}\nend"))
    }

    #[test]
    fn flags_references_added_to_existing_tables() {
        for line in [
            "add :user_id, references(:users)",
            "add(:user_id, references(:users, on_delete: :delete_all), null: true)",
            "add :user_id, references(\"users\", validate: true)",
            "add_if_not_exists :user_id, references(:users, type: :uuid)",
            "modify :user_id, references(:users, on_delete: :nilify_all), from: references(:users)",
        ] {
            let f = assert_count(&alter(line), CODE, 1);
            assert_eq!(
                f[0].message,
                "Adding the foreign key `orders.user_id` → `users` checks every row while blocking writes to both tables; add it with `validate: false` and validate the constraint in a later migration"
            );
        }
    }

    #[test]
    fn unvalidated_new_tables_and_rollbacks_are_clean() {
        for line in [
            "add :user_id, references(:users, validate: false)",
            "add :user_id, references(:users, on_delete: :delete_all, validate: false)",
            "add :user_id, :bigint",
            "add :user_id, references(:users, ref_opts())",
        ] {
            assert_none(&alter(line), CODE);
        }
        assert_none(
            &change("create table(:orders) do\n  add :user_id, references(:users)\nend"),
            CODE,
        );
        assert_none(
            &change(
                "create table(:orders)\nalter table(:orders) do\n  add :user_id, references(:users)\nend",
            ),
            CODE,
        );
        assert_none(
            &module(
                "",
                &function(
                    "down",
                    "alter table(:orders) do\n  add :user_id, references(:users)\nend",
                ),
            ),
            CODE,
        );
    }

    #[test]
    fn fix_adds_validate_false() {
        let src = alter(
            "add :user_id, references(:users)\n  add :shop_id, references(:shops, on_delete: :delete_all)\n  add :org_id, references(:orgs, validate: true)",
        );
        let fixed = assert_clean_after_fix(&src, PATH, CODE);
        assert!(
            fixed.contains("add :user_id, references(:users, validate: false)\n"),
            "{fixed}"
        );
        assert!(fixed.contains("references(:shops, on_delete: :delete_all, validate: false)\n"));
        assert!(fixed.contains("references(:orgs, validate: false)\n"));
        assert!(!found(&src, CODE)[0].fix.as_ref().unwrap().safe);
        let bare = alter("add :user_id, references :users");
        assert!(
            assert_clean_after_fix(&bare, PATH, CODE)
                .contains("add :user_id, references(:users, validate: false)\n")
        );
        let modify = alter("modify :user_id, references(:users), from: :bigint");
        assert!(!found(&modify, CODE)[0].fix.as_ref().unwrap().safe);
        assert_clean_after_fix(&modify, PATH, CODE);
    }

    #[test]
    fn excellent_migrations_comments_silence_it() {
        assert_excellent_suppression(
            &alter("add :user_id, references(:users)"),
            CODE,
            "column_reference_added",
        );
    }
}
