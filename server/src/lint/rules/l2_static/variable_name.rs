//! `variable-name`: a variable bound with a name that is not snake_case (`userId = …`), where
//! `Credo.Check.Readability.VariableNames` looks: the left of `=` and `<-`, the heads of `->`
//! clauses, and the parameters Credo reads from a `def`/`defp` head.

use crate::syntax::Fields as _;
use std::collections::HashSet;

use crate::syntax::Node;

use super::function_name::{is_snake_case, to_snake_case};
use crate::lint::{Finding, LintContext, Rule, RuleDocs, RuleMeta, Severity};
use crate::syntax::{elixir, text};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "variable-name",
        level: 2,
        severity: Severity::Warning,
        fixable: false,
        summary: "Variable names that are not snake_case",
        docs: RuleDocs {
            why: "Elixir variables are snake_case (`user_id`); `userId` reads as code ported from \
                  another language and mixes two styles in one function. Checked where Credo's \
                  `Readability.VariableNames` checks: patterns on the left of `=` and `<-`, the \
                  heads of `->` clauses (`case`, `fn`, `with … else`, `receive`), all parameters \
                  of a guarded `def`/`defp` and the first parameter of a two-parameter one. Not \
                  flagged: other function parameters and variables that are only read, as in \
                  Credo, and `__MODULE__`-style special forms.",
            bad: "def show(conn, %{\"id\" => id}) do\n  orderId = String.to_integer(id)\n  render(conn, :show, order: Orders.get!(orderId))\nend",
            good: "def show(conn, %{\"id\" => id}) do\n  order_id = String.to_integer(id)\n  render(conn, :show, order: Orders.get!(order_id))\nend",
            fix: "Rename the variable to snake_case everywhere it is used.",
        },
        credo: &["Credo.Check.Readability.VariableNames"],
        scope: crate::lint::Scope::Function,
        ..RuleMeta::BASE
    },
    check: Some(check),
};

const SPECIAL: &[&str] = &["__CALLER__", "__DIR__", "__ENV__", "__MODULE__"];

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    let src = ctx.source;
    let mut seen = HashSet::new();
    let mut report = |pattern: Node<'_>, out: &mut Vec<Finding>| {
        for var in bad_variables(pattern, src) {
            if seen.insert(var.id()) {
                out.push(finding(src, var));
            }
        }
    };
    for op in &ctx.nodes().binary_operators {
        if matches!(elixir::operator(*op, src), "=" | "<-")
            && let Some(left) = op.field("left")
        {
            report(left, out);
        }
    }
    for call in &ctx.nodes().calls {
        for pattern in def_patterns(*call, src) {
            report(pattern, out);
        }
        if let Some(block) = elixir::do_block_in(*call, src) {
            for_each_clause_head(block, &mut |head| report(head, out));
        }
    }
    // `fn` clauses are not calls.
    for node in &ctx.nodes().anonymous_functions {
        for_each_clause_head(*node, &mut |head| report(head, out));
    }
    out.sort_by_key(|f| f.range.start);
}

/// Calls `f` with the head of each `->` clause directly in `node` or its `else`/`rescue`/…
/// blocks.
fn for_each_clause_head<'t>(node: Node<'t>, f: &mut impl FnMut(Node<'t>)) {
    let mut cursor = node.walk();
    for child in node.named_children(&mut cursor) {
        match child.kind() {
            "stab_clause" => {
                if let Some(left) = child.field("left") {
                    f(left);
                }
            }
            "else_block" | "rescue_block" | "catch_block" | "after_block" => {
                for_each_clause_head(child, f)
            }
            _ => {}
        }
    }
}

/// The parameters Credo checks in a `def`/`defp` with a body: all of them when the head has a
/// guard (Credo reads the whole `f(a, b)` call as the pattern), else the first of exactly two.
fn def_patterns<'t>(call: Node<'t>, src: &str) -> Vec<Node<'t>> {
    // The text first: both names start with `def`.
    if !elixir::starts_with(call, src, "def")
        || !matches!(elixir::local_call_name(call, src), Some("def" | "defp"))
    {
        return Vec::new();
    }
    let args = elixir::call_args(call);
    let has_body = elixir::do_block_in(call, src).is_some() || args.len() == 2;
    let Some(first) = args.first().filter(|_| has_body) else {
        return Vec::new();
    };
    if elixir::is_binary_op(*first, src, "when") {
        return first
            .field("left")
            .filter(|h| h.kind() == "call")
            .map(elixir::call_args)
            .unwrap_or_default();
    }
    if first.kind() != "call" {
        return Vec::new();
    }
    let params = elixir::call_args(*first);
    if params.len() == 2 {
        vec![params[0]]
    } else {
        Vec::new()
    }
}

/// The variables in a pattern whose names are neither snake_case nor free of letters.
fn bad_variables<'t>(pattern: Node<'t>, src: &str) -> Vec<Node<'t>> {
    let mut found = Vec::new();
    elixir::walk(pattern, &mut |node| {
        if node.kind() == "identifier" {
            let name = text(node, src);
            let no_case = !name.chars().any(|c| c.is_ascii_alphanumeric());
            // The name first: `is_variable` asks for the parent, a descent from the root.
            if !SPECIAL.contains(&name) && !is_snake_case(name) && !no_case && is_variable(node) {
                found.push(node);
            }
        }
        // Nested `fn`s and `->` clauses are checked on their own.
        !matches!(node.kind(), "anonymous_function" | "do_block")
    });
    found
}

/// An identifier used as a variable: not the name of a call, nor a field after a dot.
fn is_variable(node: Node<'_>) -> bool {
    let Some(parent) = node.parent() else {
        return true;
    };
    match parent.kind() {
        "call" => parent.field("target") != Some(node),
        "dot" => parent.field("right") != Some(node),
        _ => true,
    }
}

fn finding(src: &str, var: Node<'_>) -> Finding {
    let name = text(var, src);
    Finding::new(
        &RULE.meta,
        var.byte_range(),
        format!(
            "Variable `{name}` is not snake_case; rename it to `{}`",
            to_snake_case(name)
        ),
    )
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_support::*;

    const CODE: &str = "variable-name";

    #[test]
    fn flags_bindings_where_credo_looks() {
        let src = r#"defmodule ShopWeb.OrderController do
  use ShopWeb, :controller

  def show(conn, %{"id" => id}) do
    orderId = String.to_integer(id)

    with {:ok, lineItems} <- Orders.lines(orderId) do
      case Orders.total(lineItems) do
        {:ok, grandTotal} -> render(conn, :show, total: grandTotal)
        {:error, _} = errorResult -> errorResult
      end
    end
  end

  def handle_info(newState, socket) when is_map(newState), do: {:noreply, socket}
  def merge(leftMap, right_map), do: Map.merge(leftMap, right_map)
end
"#;
        let found = findings_of(src, "lib/shop_web/controllers/order_controller.ex", CODE);
        let names: Vec<&str> = found.iter().map(|f| &src[f.range.clone()]).collect();
        assert_eq!(
            names,
            [
                "orderId",
                "lineItems",
                "grandTotal",
                "errorResult",
                "newState",
                "leftMap"
            ]
        );
        assert!(found[0].message.contains("`order_id`"));
    }

    #[test]
    fn snake_case_reads_and_other_params_are_fine() {
        let src = r#"defmodule ShopWeb.OrderController do
  def show(conn, %{"id" => id}) do
    order_id = String.to_integer(id)
    _ = Logger.metadata(order_id: order_id)
    {:ok, _ignored} = Orders.touch(order_id)
    %{__struct__: mod} = order = Orders.get!(order_id)
    Enum.map(order.lines, fn %{sku: sku} -> sku end)
    render(conn, :show, order: order, module: mod, caller: __MODULE__)
  end

  # Credo reads only the first parameter of two-parameter heads without guards.
  def update(conn, params, currentUser), do: {conn, params, currentUser}
  def count(items), do: length(items)
end
"#;
        assert!(findings_of(src, "lib/a.ex", CODE).is_empty());
    }

    /// Credo's own cases (`test/credo/check/readability/variable_names_test.exs`).
    #[test]
    fn credos_cases() {
        let clean = r#"defmodule CredoSampleModule do
  def some_function(parameter1, parameter2) do
    some_value = parameter1 + parameter2
    {some_value, _} = parameter1
    [1, some_value] = parameter1
    [some_value | tail] = parameter1
    "e" <> some_value = parameter1
    ^some_value = parameter1
    %{some_value: some_value} = parameter1
    latency_μs = 5
  end
end
"#;
        assert!(findings_of(clean, "lib/a.ex", CODE).is_empty());
        let bad = r#"defmodule CredoSampleModule do
  def a(oneParam, twoParam), do: :ok
  def b(_param) do
    try do
      raise "oops"
    catch
      someValue -> :error
    end
  end
  def c(param) do
    receive do
      {:get, someJam} -> :ok
    after
      timeOut -> :timeout
    end
  end
  def d(param), do: fn otherParam -> param + otherParam end
  def e(parameter1, parameter2) do
    %{some_value: someValue, other_value: otherValue} = parameter1
  end
  def f(param) do
    for forValue <- param, do: forValue + 1
  end
end
"#;
        let found = findings_of(bad, "lib/a.ex", CODE);
        let names: Vec<&str> = found.iter().map(|f| &bad[f.range.clone()]).collect();
        assert_eq!(
            names,
            [
                "oneParam",
                "someValue",
                "someJam",
                "timeOut",
                "otherParam",
                "someValue",
                "otherValue",
                "forValue"
            ]
        );
    }
}
