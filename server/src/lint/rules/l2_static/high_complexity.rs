//! `high-complexity`: a function clause whose cyclomatic complexity is above `max` (default 9),
//! computed as `Credo.Check.Refactor.CyclomaticComplexity` computes it and reported at the `def`.

use crate::syntax::Node;

use crate::lint::analysis::metrics;
use crate::lint::{Finding, LintContext, Rule, RuleDocs, RuleMeta, Severity};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "high-complexity",
        level: 2,
        severity: Severity::Warning,
        fixable: false,
        summary: "Cyclomatic complexity above `max` (default 9)",
        docs: RuleDocs {
            why: "Every branch is a path to understand and to test; a function with many of them \
                  hides bugs in the combinations. The count is Credo's: 1 for the clause, 1 per \
                  `if`, `unless`, `for`, `try`, `and`, `or`, `&&` and `||` (guards included), and \
                  1 per clause of each `case` and `cond`; above `max` (Credo's \
                  `max_complexity`, 9) it is reported at the `def`. Not flagged: `with`, `fn` \
                  and `receive`, which Credo does not count, and `defmacro __using__`, which \
                  Credo exempts.",
            bad: "def status_label(order) do\n  cond do\n    order.refunded_at && order.partial -> \"partially refunded\"\n    order.refunded_at -> \"refunded\"\n    order.shipped_at && order.delivered_at -> \"delivered\"\n    order.shipped_at -> \"shipped\"\n    order.paid_at || order.invoice -> \"paid\"\n    order.cancelled_at -> \"cancelled\"\n    true -> \"pending\"\n  end\nend",
            good: "def status_label(%{refunded_at: at} = order) when not is_nil(at),\n  do: if(order.partial, do: \"partially refunded\", else: \"refunded\")\n\ndef status_label(%{shipped_at: at} = order) when not is_nil(at),\n  do: if(order.delivered_at, do: \"delivered\", else: \"shipped\")\n\ndef status_label(order), do: payment_label(order)",
            fix: "Split the function: one clause per case with pattern matching, and named \
                  helpers for the branches.",
        },
        options: &[(
            "max",
            "the highest cyclomatic complexity allowed (default 9, Credo's `max_complexity`)",
        )],
        credo: &["Credo.Check.Refactor.CyclomaticComplexity"],
        scope: crate::lint::Scope::Function,
        ..RuleMeta::BASE
    },
    check: Some(check),
};

const DEFAULT_MAX: i64 = 9;

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    let max = ctx.option_int(RULE.meta.code, "max", DEFAULT_MAX).max(0) as usize;
    let nodes = ctx.nodes();
    for (at, call) in nodes.calls.iter().enumerate() {
        if metrics::metric_def_kind(*call, ctx.source).is_some() {
            out.extend(check_clause(ctx, nodes, at, max));
        }
    }
}

/// The finding for the `def`/`defp`/`defmacro` clause `nodes.calls[at]`, if it is more complex
/// than `max`.
fn check_clause(
    ctx: &LintContext<'_>,
    nodes: &crate::lint::context::NodeIndex<'_>,
    at: usize,
    max: usize,
) -> Option<Finding> {
    let src = ctx.source;
    // Counted from the shared node index rather than by a walk of the clause.
    let inside = metrics::Inside::of(nodes, at)?;
    let def = inside.def;
    let complexity = inside.complexity_above(src, max);
    if complexity <= max || metrics::is_using_macro(def, src) {
        return None;
    }
    Some(Finding::new(
        &RULE.meta,
        head_range(def, src),
        format!(
            "`{}` has cyclomatic complexity {complexity} (max {max}); split it into smaller functions",
            metrics::def_label(def, src)
        ),
    ))
}

/// `def name(params)`, the part of the line Credo reports.
pub(crate) fn head_range(def: Node<'_>, src: &str) -> std::ops::Range<usize> {
    let end = metrics::head_and_params(def, src)
        .map(|(head, _)| head.end_byte())
        .unwrap_or(def.start_byte());
    // A head spread over several lines is shown on its first line.
    let line_end = src[def.start_byte()..]
        .find(['\n', '\r'])
        .map_or(src.len(), |i| def.start_byte() + i);
    def.start_byte()..end.min(line_end).max(def.start_byte() + 1)
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_support::*;

    const CODE: &str = "high-complexity";

    const BAD: &str = r#"defmodule Shop.Orders do
  def status_label(order) do
    cond do
      order.refunded_at && order.partial -> "partially refunded"
      order.refunded_at -> "refunded"
      order.shipped_at && order.delivered_at -> "delivered"
      order.shipped_at -> "shipped"
      order.paid_at || order.invoice -> "paid"
      order.cancelled_at -> "cancelled"
      true -> "pending"
    end
  end
end
"#;

    #[test]
    fn flags_the_def_like_credo() {
        // 1 + 7 cond clauses + 3 boolean operators = 11
        let found = findings_of(BAD, "lib/shop/orders.ex", CODE);
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("`status_label/1`"));
        assert!(
            found[0].message.contains("complexity 11"),
            "{}",
            found[0].message
        );
        assert_eq!(finding_lines(BAD, "lib/a.ex", CODE), vec![2]);
        assert_eq!(&BAD[found[0].range.clone()], "def status_label(order)");
    }

    #[test]
    fn clauses_and_helpers_are_fine() {
        let good = r#"defmodule Shop.Orders do
  def status_label(%{refunded_at: at} = order) when not is_nil(at),
    do: if(order.partial, do: "partially refunded", else: "refunded")

  def status_label(%{shipped_at: at} = order) when not is_nil(at),
    do: if(order.delivered_at, do: "delivered", else: "shipped")

  def status_label(order), do: payment_label(order)

  defp payment_label(order) do
    with {:ok, invoice} <- fetch_invoice(order),
         {:ok, payment} <- fetch_payment(invoice),
         :ok <- verify(payment) do
      "paid"
    else
      {:error, :not_found} -> "pending"
      {:error, :declined} -> "declined"
      {:error, :expired} -> "expired"
      {:error, :fraud} -> "blocked"
      {:error, _} -> "unknown"
      _ -> "unknown"
    end
  end
end
"#;
        assert!(findings_of(good, "lib/a.ex", CODE).is_empty());
    }

    #[test]
    fn using_macro_is_exempt_and_max_is_configurable() {
        let using = r#"defmodule ShopWeb do
  defmacro __using__(which) do
    case which do
      :controller -> a()
      :live_view -> b()
      :live_component -> c()
      :html -> d()
      :router -> e()
      :channel -> f()
      :verified_routes -> g()
      :component -> h()
      :json -> i()
      _ -> raise "unknown"
    end
  end
end
"#;
        assert!(findings_of(using, "lib/shop_web.ex", CODE).is_empty());
        let strict = "[rules: [\"high-complexity\": [max: 5]]]";
        assert!(findings_with_config(BAD, "lib/a.ex", strict, CODE).len() == 1);
        let lax = "[rules: [\"high-complexity\": [max: 11]]]";
        assert!(findings_with_config(BAD, "lib/a.ex", lax, CODE).is_empty());
    }
}
