//! `vague-spec`: a `@spec` where every argument and the return type are `any()`, `term()` or
//! `_`: it documents nothing and checks nothing.

use crate::lint::{Finding, LintContext, Rule, RuleDocs, RuleMeta, Severity};
use crate::syntax::Fields as _;
use crate::syntax::elixir;
use crate::syntax::text;

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "vague-spec",
        level: 4,
        severity: Severity::Info,
        summary: "A `@spec` whose arguments and return are all `term()`/`any()`",
        docs: RuleDocs {
            why: "A spec that says every argument and the result may be anything tells readers \
                  and Dialyzer nothing. It satisfies `missing-spec` in letter only.",
            bad: "@spec create_order(term(), term()) :: term()",
            good: "@spec create_order(User.t(), [Item.t()]) :: {:ok, Order.t()} | {:error, Ecto.Changeset.t()}",
            fix: "Write the types the function really takes and returns; the `missing-spec` fix's \
                  inference (hover a function to see it) is a starting point.",
        },
        scope: crate::lint::Scope::Function,
        reads_heads: true,
        ..RuleMeta::BASE
    },
    check: Some(check),
};

fn is_vague(node: crate::syntax::Node<'_>, src: &str) -> bool {
    // `name :: term()` (a named argument) is as vague as `term()`.
    let node = if elixir::is_binary_op(node, src, "::") {
        match node.field("right") {
            Some(r) => r,
            None => return false,
        }
    } else {
        node
    };
    matches!(
        text(node, src).trim(),
        "term()" | "any()" | "_" | "term" | "any"
    )
}

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    let src = ctx.source;
    for module in ctx.modules() {
        for spec in &module.specs {
            if !ctx.in_scope(spec.node.start_byte()) {
                continue; // A re-lint keeps the previous finding there.
            }
            let Some(value) = elixir::attribute(spec.node, src).and_then(|a| a.value) else {
                continue;
            };
            if !elixir::is_binary_op(value, src, "::") {
                continue; // `when` specs constrain type variables: not vague by construction.
            }
            let (Some(head), Some(ret)) = (value.field("left"), value.field("right")) else {
                continue;
            };
            let args = if head.kind() == "call" {
                elixir::call_args(head)
            } else {
                Vec::new()
            };
            if is_vague(ret, src) && args.iter().all(|a| is_vague(*a, src)) {
                let message = format!(
                    "The @spec of `{}/{}` says nothing: every type is term()",
                    spec.name, spec.arity
                );
                out.push(Finding::new(&RULE.meta, spec.node.byte_range(), message));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_support::*;

    #[test]
    fn flags_all_term_specs_only() {
        let src = "defmodule A do\n  @moduledoc false\n  @spec f(term(), any()) :: term()\n  def f(a, b), do: {a, b}\n  @spec g(x :: term()) :: any()\n  def g(x), do: x\n  @spec h(term()) :: :ok\n  def h(_), do: :ok\n  @spec i(integer()) :: term()\n  def i(x), do: x\n  @spec j(a) :: a when a: term()\n  def j(x), do: x\nend\n";
        let found = findings_of(src, "lib/a.ex", "vague-spec");
        let messages: Vec<&str> = found.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "The @spec of `f/2` says nothing: every type is term()",
                "The @spec of `g/1` says nothing: every type is term()"
            ]
        );
    }
}
