//! `check-constraint-not-validated`: `create constraint(..., check: ...)` on an existing table
//! without `validate: false`. Adding a validated check constraint scans every row under an
//! ACCESS EXCLUSIVE lock.
//!
//! Not reported on a table created by the same migration, nor in `down/0`. The fix adds
//! `validate: false`; it is offered one at a time, because existing rows are then no longer
//! checked until a later migration validates the constraint.

use crate::lint::migration::{self, Direction, OpKind};
use crate::lint::{Finding, Fix, LintContext, Rule, RuleDocs, RuleMeta, Severity};
use crate::syntax::text;

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "check-constraint-not-validated",
        level: 2,
        severity: Severity::Warning,
        fixable: true,
        summary: "Check constraint created on an existing table without `validate: false`",
        docs: RuleDocs {
            why: "Creating a check constraint validates every existing row while holding an \
                  ACCESS EXCLUSIVE lock: reads and writes on the table wait until the scan is \
                  done. With `validate: false` the constraint is added `NOT VALID`: enforced for \
                  new writes at once, checked for old rows later by a `VALIDATE CONSTRAINT` that \
                  does not block reads or writes.",
            bad: "def change do\n  create constraint(:products, :price_must_be_positive, check: \"price > 0\")\nend",
            good: "# Migration 1\ndef change do\n  create constraint(:products, :price_must_be_positive, check: \"price > 0\", validate: false)\nend\n\n# Migration 2\ndef change do\n  execute \"ALTER TABLE products VALIDATE CONSTRAINT price_must_be_positive\", \"\"\nend",
            fix: "Adds `validate: false`. Then validate the constraint in a separate, later \
                  migration: `execute \"ALTER TABLE products VALIDATE CONSTRAINT \
                  price_must_be_positive\", \"\"`; it takes a SHARE UPDATE EXCLUSIVE lock, so \
                  reads and writes go on during the scan. The fix is offered one at a time: until \
                  that second migration runs, rows written before it are not checked.",
        },
        excellent_migrations: &["check_constraint_added"],
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
        let OpKind::CheckConstraint {
            table,
            name,
            call,
            opts,
        } = &op.kind
        else {
            continue;
        };
        if op.new_table || op.direction != Direction::Forward {
            continue;
        }
        // Absent or `true` validates at once; `false` (or a computed value) is left alone.
        let validated = match opts.get(src, "validate") {
            None => !opts.is_unknown(),
            Some(v) => text(v, src) == "true",
        };
        if !validated {
            continue;
        }
        let message = format!(
            "Creating check constraint `{name}` on `{}` checks every row under an exclusive lock; \
             create it with `validate: false` and validate it in a later migration",
            table.label()
        );
        let mut finding = Finding::new(&RULE.meta, op.node.byte_range(), message);
        if let Some(edit) = migration::set_option(src, *call, opts, "validate", "false") {
            finding = finding.with_fix(Fix::unsafe_("Add `validate: false`", vec![edit]));
        }
        out.push(finding);
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::migration_test_support::*;
    use crate::lint::rules::test_support::assert_clean_after_fix;

    const CODE: &str = "check-constraint-not-validated";

    #[test]
    fn flags_validated_check_constraints() {
        for op in [
            "create constraint(:products, :price_must_be_positive, check: \"price > 0\")",
            "create(constraint(\"products\", \"price_must_be_positive\", check: \"price > 0\", validate: true))",
            "constraint(:products, :price_must_be_positive, check: \"price > 0\") |> create()",
            "opts = [check: \"price > 0\"]\ncreate constraint(:products, :price_must_be_positive, opts)",
        ] {
            let f = assert_count(&change(op), CODE, 1);
            assert_eq!(
                f[0].message,
                "Creating check constraint `price_must_be_positive` on `products` checks every row under an exclusive lock; create it with `validate: false` and validate it in a later migration"
            );
        }
    }

    #[test]
    fn unvalidated_exclusions_new_tables_and_rollbacks_are_clean() {
        for op in [
            "create constraint(:products, :positive, check: \"price > 0\", validate: false)",
            "create constraint(:bookings, :no_overlap, exclude: ~s|gist (room WITH =, during WITH &&)|)",
            "drop constraint(:products, :positive)",
            "create table(:products) do\n  add :price, :integer\nend\ncreate constraint(:products, :positive, check: \"price > 0\")",
        ] {
            assert_none(&change(op), CODE);
        }
        assert_none(
            &module(
                "",
                &function(
                    "down",
                    "create constraint(:products, :positive, check: \"price > 0\")",
                ),
            ),
            CODE,
        );
    }

    #[test]
    fn fix_adds_validate_false_and_is_not_applied_in_bulk() {
        let src = change("create constraint(:products, :positive, check: \"price > 0\")");
        assert!(!found(&src, CODE)[0].fix.as_ref().unwrap().safe);
        let fixed = assert_clean_after_fix(&src, PATH, CODE);
        assert!(fixed.contains(
            "create constraint(:products, :positive, check: \"price > 0\", validate: false)"
        ));
        let explicit = change("create constraint(:p, :c, check: \"a > 0\", validate: true)");
        assert!(
            assert_clean_after_fix(&explicit, PATH, CODE)
                .contains("check: \"a > 0\", validate: false)")
        );
    }

    #[test]
    fn excellent_migrations_comments_silence_it() {
        assert_excellent_suppression(
            &change("create constraint(:products, :positive, check: \"price > 0\")"),
            CODE,
            "check_constraint_added",
        );
    }
}
