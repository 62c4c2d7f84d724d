//! `filter-count`: `Enum.filter` then `Enum.count`, which `Enum.count/2` does without building
//! a list (Credo's `Refactor.FilterCount`).

use super::pipeline::{ends_with_enum, fed_value};
use crate::lint::{Finding, LintContext, Rule, RuleDocs, RuleMeta, Severity};
use crate::syntax::elixir;

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "filter-count",
        level: 2,
        severity: Severity::Info,
        fixable: false,
        summary: "`Enum.filter` followed by `Enum.count` (use `Enum.count/2`)",
        docs: RuleDocs {
            why: "`Enum.filter/2 |> Enum.count/1` builds a list only to count it; \
                  `Enum.count/2` counts the matching elements in one pass. As in Credo, the \
                  piped forms and `Enum.count(Enum.filter(…))` are recognised. Not flagged: a \
                  filtered list bound to a variable and used for more than counting, and \
                  `Enum.reject` (Credo leaves it too).",
            bad: "def pending_count(orders) do\n  orders\n  |> Enum.filter(&(&1.status == :pending))\n  |> Enum.count()\nend",
            good: "def pending_count(orders) do\n  Enum.count(orders, &(&1.status == :pending))\nend",
            fix: "Use `Enum.count(enumerable, predicate)`.",
        },
        credo: &["Credo.Check.Refactor.FilterCount"],
        scope: crate::lint::Scope::Function,
        ..RuleMeta::BASE
    },
    check: Some(check),
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    let src = ctx.source;
    for (call, remote) in ctx.calls_with_remote() {
        if remote == Some(("Enum", "count"))
            && elixir::has_arguments(call)
            && fed_value(call, src, Some(0), 1).is_some_and(|v| ends_with_enum(v, src, "filter"))
        {
            out.push(Finding::new(
                &RULE.meta,
                call.byte_range(),
                "`Enum.filter/2` then `Enum.count/1` builds a list only to count it; use `Enum.count/2`",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_support::*;

    const CODE: &str = "filter-count";

    #[test]
    fn piped_and_nested_forms() {
        let src = "defmodule Shop.Stats do\n  def pending_count(orders) do\n    orders\n    |> Enum.filter(&(&1.status == :pending))\n    |> Enum.count()\n  end\n\n  def paid(orders), do: Enum.count(Enum.filter(orders, & &1.paid))\n  def big(orders), do: Enum.filter(orders, &(&1.total > 100)) |> Enum.count()\n  def late(orders), do: Enum.count(orders |> Enum.filter(& &1.late))\nend\n";
        assert_eq!(findings_of(src, "lib/a.ex", CODE).len(), 4);
    }

    #[test]
    fn near_misses_are_fine() {
        let src = "defmodule Shop.Stats do\n  def summary(orders) do\n    pending = Enum.filter(orders, &(&1.status == :pending))\n    %{count: Enum.count(pending), total: Enum.sum(Enum.map(pending, & &1.total))}\n  end\n\n  def paid(orders), do: Enum.count(orders, & &1.paid)\n  def kept(orders), do: orders |> Enum.reject(& &1.void) |> Enum.count()\n  def weird(orders), do: orders |> Enum.filter(& &1.paid) |> Enum.count(& &1.late)\nend\n";
        assert!(findings_of(src, "lib/a.ex", CODE).is_empty());
    }
}
