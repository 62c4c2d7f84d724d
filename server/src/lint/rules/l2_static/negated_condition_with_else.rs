//! `negated-condition-with-else`: `if !x … else …` / `if not x … else …` (Credo's
//! `Refactor.NegatedConditionsWithElse`).

use crate::syntax::Node;

use super::branches::{condition, has_else, negation, swap_branches};
use crate::lint::{Edit, Finding, Fix, LintContext, Rule, RuleDocs, RuleMeta, Severity};
use crate::syntax::{elixir, text};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "negated-condition-with-else",
        level: 2,
        severity: Severity::Warning,
        fixable: true,
        summary: "`if !x … else …` and `if not x … else …`",
        docs: RuleDocs {
            why: "An `if` whose condition is negated and which has an `else` branch reads as a \
                  double negative in the `else`: drop the negation and swap the branches. Not \
                  flagged: a negation inside a larger condition (`!a and b`, `!a == b`), and \
                  negated conditions without `else`.",
            bad: "def greeting(user) do\n  if !user.confirmed_at do\n    \"Please confirm your email\"\n  else\n    \"Welcome back, #{user.name}\"\n  end\nend",
            good: "def greeting(user) do\n  if user.confirmed_at do\n    \"Welcome back, #{user.name}\"\n  else\n    \"Please confirm your email\"\n  end\nend",
            fix: "Drops the negation and swaps the branches (do-block and keyword forms). Safe \
                  for `!`, which tests truthiness exactly as `if` does; unsafe for `not`, which \
                  raises on a non-boolean value where the rewritten `if` would not — except in \
                  front of a type-check guard (`not is_nil(x)`) or a comparison, which are \
                  always boolean.",
        },
        credo: &["Credo.Check.Refactor.NegatedConditionsWithElse"],
        scope: crate::lint::Scope::Function,
        ..RuleMeta::BASE
    },
    check: Some(check),
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    let src = ctx.source;
    for call in &ctx.nodes().calls {
        if elixir::is_local_call(*call, src, "if")
            && let Some(cond) = condition(*call)
            && let Some((op, operand)) = negation(cond, src)
            && has_else(*call, src)
        {
            out.push(finding(*call, cond, op, operand, src));
        }
    }
}

fn finding(call: Node<'_>, cond: Node<'_>, op: &str, operand: Node<'_>, src: &str) -> Finding {
    let shown = text(cond, src).lines().next().unwrap_or("");
    let message =
        format!("`if {shown}` has an `else` branch; drop the `{op}` and swap the branches");
    let range = call.start_byte()..cond.end_byte();
    let mut f = Finding::new(&RULE.meta, range, message);
    if let Some(mut edits) = swap_branches(call, src) {
        edits.push(Edit::replace(cond.byte_range(), text(operand, src)));
        let title = format!("Drop `{op}` and swap the branches");
        f = f.with_fix(if op == "!" || is_boolean(operand, src) {
            Fix::safe(title, edits)
        } else {
            Fix::unsafe_(title, edits)
        });
    }
    f
}

/// Kernel's type-check guards: they always return a boolean, so `not` on them cannot raise.
const BOOLEAN_GUARDS: &[&str] = &[
    "is_nil",
    "is_atom",
    "is_binary",
    "is_bitstring",
    "is_boolean",
    "is_exception",
    "is_float",
    "is_function",
    "is_integer",
    "is_list",
    "is_map",
    "is_map_key",
    "is_number",
    "is_pid",
    "is_port",
    "is_reference",
    "is_struct",
    "is_tuple",
];

/// Whether `node` certainly evaluates to a boolean (a type-check guard or a comparison), so
/// that dropping `not` in front of it changes nothing but the branch order.
fn is_boolean(node: Node<'_>, src: &str) -> bool {
    if let Some(name) = elixir::local_call_name(node, src) {
        return BOOLEAN_GUARDS.contains(&name) && elixir::has_arguments(node);
    }
    node.kind() == "binary_operator"
        && matches!(
            elixir::operator(node, src),
            "==" | "!=" | "===" | "!==" | "<" | ">" | "<=" | ">=" | "in" | "not in"
        )
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_support::*;

    const CODE: &str = "negated-condition-with-else";

    #[test]
    fn bang_is_dropped_and_branches_swapped() {
        let src = "defmodule ShopWeb.UserView do\n  def greeting(user) do\n    if !user.confirmed_at do\n      \"Please confirm your email\"\n    else\n      \"Welcome back, #{user.name}\"\n    end\n  end\nend\n";
        let found = findings_of(src, "lib/a.ex", CODE);
        assert_eq!(found.len(), 1);
        assert!(found[0].fix.as_ref().unwrap().safe);
        assert_eq!(
            assert_clean_after_fix(src, "lib/a.ex", CODE),
            "defmodule ShopWeb.UserView do\n  def greeting(user) do\n    if user.confirmed_at do\n      \"Welcome back, #{user.name}\"\n    else\n      \"Please confirm your email\"\n    end\n  end\nend\n"
        );
    }

    #[test]
    fn not_and_keyword_form() {
        let src = "def status(order), do: if(not order.paid, do: :pending, else: :paid)\n";
        let found = findings_of(src, "lib/a.ex", CODE);
        assert!(!found[0].fix.as_ref().unwrap().safe);
        assert_eq!(
            assert_clean_after_fix(src, "lib/a.ex", CODE),
            "def status(order), do: if(order.paid, do: :paid, else: :pending)\n"
        );
    }

    #[test]
    fn not_on_a_type_check_is_safe() {
        let src = "defmodule Hexpm.Billing.Report do\n  def name(override, report) do\n    if not is_nil(override) do\n      override\n    else\n      report.name\n    end\n  end\nend\n";
        let found = findings_of(src, "lib/a.ex", CODE);
        assert!(found[0].fix.as_ref().unwrap().safe);
        assert_eq!(
            assert_clean_after_fix(src, "lib/a.ex", CODE),
            "defmodule Hexpm.Billing.Report do\n  def name(override, report) do\n    if is_nil(override) do\n      report.name\n    else\n      override\n    end\n  end\nend\n"
        );
    }

    #[test]
    fn near_misses_are_fine() {
        let src = "defmodule ShopWeb.Auth do\n  def check(conn) do\n    if !conn.assigns[:user] do\n      halt(conn)\n    end\n    if !admin?(conn) and !staff?(conn), do: deny(conn), else: conn\n    if not_found?(conn), do: :a, else: :b\n  end\nend\n";
        assert!(findings_of(src, "lib/a.ex", CODE).is_empty());
    }
}
