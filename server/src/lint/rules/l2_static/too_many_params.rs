//! `too-many-params`: a function clause with more than `max` (default 8) parameters, as
//! `Credo.Check.Refactor.FunctionArity` counts them (defaults included), reported at the `def`.

use crate::syntax::Node;

use super::high_complexity::head_range;
use crate::lint::analysis::metrics;
use crate::lint::{Finding, LintContext, Rule, RuleDocs, RuleMeta, Severity};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "too-many-params",
        level: 2,
        severity: Severity::Warning,
        fixable: false,
        summary: "Functions taking more than `max` (default 8) parameters",
        docs: RuleDocs {
            why: "Past a handful of positional parameters, call sites become hard to read and easy \
                  to get wrong (two swapped strings compile fine). Grouping them in a struct, map \
                  or keyword list names each value. Counted as Credo's `Refactor.FunctionArity` \
                  counts (`max_arity` 8, `\\\\` defaults included, private functions too), per \
                  `def`, `defp` and `defmacro` clause. Not flagged: `defmacrop`, `defguard` and \
                  `defdelegate`, which Credo does not check either.",
            bad: "def create_invoice(customer, lines, currency, tax_rate, discount, due_on, notes, po_number, issued_by) do\n  # ...\nend",
            good: "def create_invoice(customer, lines, opts \\\\ []) do\n  currency = Keyword.get(opts, :currency, \"EUR\")\n  # ...\nend",
            fix: "Group related parameters into a struct, a map or a keyword list of options.",
        },
        options: &[(
            "max",
            "the most parameters a function may take (default 8, Credo's `max_arity`)",
        )],
        credo: &["Credo.Check.Refactor.FunctionArity"],
        scope: crate::lint::Scope::Function,
        ..RuleMeta::BASE
    },
    check: Some(check),
};

const DEFAULT_MAX: i64 = 8;

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    let max = ctx.option_int(RULE.meta.code, "max", DEFAULT_MAX).max(0) as usize;
    for call in &ctx.nodes().calls {
        if metrics::metric_def_kind(*call, ctx.source).is_some() {
            out.extend(check_clause(ctx, *call, max));
        }
    }
}

/// The finding for one clause, if it takes more than `max` parameters.
fn check_clause(ctx: &LintContext<'_>, def: Node<'_>, max: usize) -> Option<Finding> {
    let src = ctx.source;
    // A text test first: reading the parameters costs two argument lists.
    if !metrics::arity_may_exceed(def, src, max) {
        return None;
    }
    let arity = metrics::arity(def, src);
    if arity <= max {
        return None;
    }
    Some(Finding::new(
        &RULE.meta,
        head_range(def, src),
        format!(
            "`{}` takes {arity} parameters (max {max}); group them in a struct, map or options",
            metrics::def_label(def, src)
        ),
    ))
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_support::*;

    const CODE: &str = "too-many-params";

    const BAD: &str = r#"defmodule Billing.Invoices do
  def create_invoice(customer, lines, currency, tax_rate, discount, due_on, notes, po_number, issued_by) do
    %Invoice{customer_id: customer.id, lines: lines, currency: currency}
    |> Invoice.changeset(%{tax_rate: tax_rate, discount: discount, due_on: due_on})
    |> Ecto.Changeset.put_change(:notes, notes)
    |> Ecto.Changeset.put_change(:po_number, po_number)
    |> Ecto.Changeset.put_change(:issued_by, issued_by)
    |> Repo.insert()
  end

  defp price(a, b, c, d, e, f, g, h \\ nil, i \\ nil), do: {a, b, c, d, e, f, g, h, i}
end
"#;

    #[test]
    fn flags_every_clause_over_the_limit_private_ones_too() {
        let found = findings_of(BAD, "lib/billing/invoices.ex", CODE);
        assert_eq!(found.len(), 2);
        assert!(found[0].message.contains("`create_invoice/9`"));
        assert!(
            found[1].message.contains("`price/9`"),
            "{}",
            found[1].message
        );
        assert_eq!(finding_lines(BAD, "lib/a.ex", CODE), vec![2, 11]);
    }

    #[test]
    fn eight_parameters_options_and_delegates_are_fine() {
        let good = r#"defmodule Billing.Invoices do
  def create_invoice(customer, lines, opts \\ []) do
    currency = Keyword.get(opts, :currency, "EUR")
    Invoice.new(customer, lines, currency)
  end

  def handle_call({:render, a, b, c, d, e, f, g, h, i}, from, state), do: {:reply, {from, a, b, c, d, e, f, g, h, i}, state}

  def rect(x, y, w, h, fill, stroke, radius, opacity), do: {x, y, w, h, fill, stroke, radius, opacity}

  defmacrop trace(a, b, c, d, e, f, g, h, i), do: [a, b, c, d, e, f, g, h, i]
end
"#;
        assert!(findings_of(good, "lib/a.ex", CODE).is_empty());
        let lax = "[rules: [\"too-many-params\": [max: 9]]]";
        assert!(findings_with_config(BAD, "lib/a.ex", lax, CODE).is_empty());
    }
}
