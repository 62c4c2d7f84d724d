//! `same-operands`: `x == x`, `x - x`, `a and a`… — an operation whose two sides are the same
//! (Credo's `Warning.OperationOnSameValues` and `Warning.BoolOperationOnSameValues`).

use crate::syntax::Fields as _;
use crate::syntax::Node;

use crate::lint::{Finding, LintContext, Rule, RuleDocs, RuleMeta, Severity};
use crate::syntax::{elixir, text};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "same-operands",
        level: 2,
        severity: Severity::Warning,
        fixable: false,
        summary: "Operations whose two operands are identical (`x == x`, `a and a`)",
        docs: RuleDocs {
            why: "Comparing a variable with itself, subtracting or dividing it by itself, or \
                  joining an expression with itself by `and`/`or`/`&&`/`||`, has a constant or \
                  redundant result: almost always a copy-paste slip where one side should name \
                  something else. As in Credo, comparisons and `-`/`/` are flagged only when the \
                  left side is a variable or module attribute; boolean operators for any \
                  identical expressions (inside a module that does not redefine the operator). \
                  Not flagged: `===`/`!==`, `+`/`*`, operator definitions (`def a == b`) and \
                  `@spec`s.",
            bad: "def same_owner?(%Post{} = post, %User{} = user) do\n  post.user_id == post.user_id and user.active and user.active\nend",
            good: "def same_owner?(%Post{} = post, %User{} = user) do\n  post.user_id == user.id and user.active\nend",
            fix: "Replace one side with the value that was meant.",
        },
        credo: &[
            "Credo.Check.Warning.OperationOnSameValues",
            "Credo.Check.Warning.BoolOperationOnSameValues",
        ],
        scope: crate::lint::Scope::Function,
        ..RuleMeta::BASE
    },
    check: Some(check),
};

/// Comparisons and arithmetic: what they always return.
const VALUE_OPS: &[(&str, &str)] = &[
    ("==", "Comparison will always return true"),
    (">=", "Comparison will always return true"),
    ("<=", "Comparison will always return true"),
    ("!=", "Comparison will always return false"),
    (">", "Comparison will always return false"),
    ("<", "Comparison will always return false"),
    ("/", "Operation will always return 1"),
    ("-", "Operation will always return 0"),
];

const BOOL_OPS: &[&str] = &["and", "or", "&&", "||"];

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    for op in &ctx.nodes().binary_operators {
        if let Some(f) = operation(ctx, *op) {
            out.push(f);
        }
    }
}

/// The finding for one binary operation, if both sides are the same.
fn operation(ctx: &LintContext<'_>, op: Node<'_>) -> Option<Finding> {
    let src = ctx.source;
    let operator = elixir::operator(op, src);
    let left = op.field("left")?;
    let right = op.field("right")?;
    if let Some((_, outcome)) = VALUE_OPS.iter().find(|(o, _)| *o == operator) {
        if !is_variable_or_attribute(left, src)
            || normalized(left, src) != normalized(right, src)
            || is_operator_definition(op, src)
            || in_spec(op, src)
        {
            return None;
        }
        let message = format!(
            "{outcome}: both sides of `{}` are `{}`",
            operator,
            text(left, src)
        );
        return Some(Finding::new(&RULE.meta, op.byte_range(), message));
    }
    if BOOL_OPS.contains(&operator) {
        // The operands first: finding the module walks up with `Node::parent`, a descent from
        // the root per step, and nearly every operation has different operands.
        if normalized(left, src) != normalized(right, src) {
            return None;
        }
        let module = elixir::ancestor(op, |n| elixir::module_def(n, src).is_some())?;
        if redefines(module, src, operator) {
            return None;
        }
        let message = format!(
            "Both sides of `{operator}` are the same expression `{}`",
            short(text(left, src))
        );
        return Some(Finding::new(&RULE.meta, op.byte_range(), message));
    }
    None
}

/// A variable (`x`, not `_`) or a module attribute (`@limit`).
fn is_variable_or_attribute(node: Node<'_>, src: &str) -> bool {
    match node.kind() {
        "identifier" => true,
        "unary_operator" => elixir::attribute(node, src).is_some(),
        _ => false,
    }
}

/// The expression's tokens without layout and comments: `a.b( 1 )` and `a.b(1)` are equal.
fn normalized(node: Node<'_>, src: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    elixir::walk(node, &mut |n| {
        if n.kind() == "comment" {
            return false;
        }
        if n.child_count() == 0 {
            tokens.push(text(n, src).to_string());
        }
        true
    });
    tokens
}

/// `def a == b`, `defp a - b`: the head of an operator definition.
fn is_operator_definition(op: Node<'_>, src: &str) -> bool {
    let mut node = op;
    if let Some(p) = node.parent()
        && elixir::is_binary_op(p, src, "when")
    {
        node = p;
    }
    node.parent()
        .filter(|p| p.kind() == "arguments")
        .and_then(|p| p.parent())
        .and_then(|c| elixir::local_call_name(c, src))
        .is_some_and(|name| matches!(name, "def" | "defp" | "defmacro" | "defmacrop"))
}

/// Inside `@spec …` (`-` there is a range or a type, not arithmetic).
fn in_spec(op: Node<'_>, src: &str) -> bool {
    elixir::ancestor(op, |n| {
        elixir::attribute(n, src)
            .is_some_and(|a| matches!(a.name, "spec" | "type" | "typep" | "opaque" | "callback"))
    })
    .is_some()
}

/// Whether the module defines `operator` itself (`def a and b`), so it may not be idempotent.
fn redefines(module: Node<'_>, src: &str, operator: &str) -> bool {
    let mut found = false;
    elixir::walk(module, &mut |n| {
        if found {
            return false;
        }
        if let Some(name) = elixir::local_call_name(n, src)
            && name == "def"
            && let Some(head) = elixir::call_args(n).first()
        {
            let head = if elixir::is_binary_op(*head, src, "when") {
                head.field("left").unwrap_or(*head)
            } else {
                *head
            };
            if elixir::is_binary_op(head, src, operator) {
                found = true;
            }
        }
        true
    });
    found
}

/// The first line of an expression, cut to a readable length.
fn short(expr: &str) -> String {
    let line = expr.lines().next().unwrap_or("");
    if line.chars().count() > 40 || line.len() < expr.len() {
        format!("{}…", line.chars().take(40).collect::<String>())
    } else {
        line.to_string()
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_support::*;

    const CODE: &str = "same-operands";

    #[test]
    fn comparisons_and_arithmetic_on_one_variable() {
        let src = "defmodule Shop.Cart do\n  @limit 10\n\n  def changed?(cart, other) do\n    cart.total == cart.total or other != other\n  end\n\n  def spread(min, max), do: max - max\n  def full?(items), do: @limit <= @limit and length(items) > 0\nend\n";
        let found = findings_of(src, "lib/shop/cart.ex", CODE);
        let msgs: Vec<&str> = found.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(found.len(), 3, "{msgs:?}");
        assert!(msgs[0].contains("always return false") && msgs[0].contains("`other`"));
        assert!(msgs[1].contains("always return 0"));
        assert!(msgs[2].contains("`@limit`"));
    }

    #[test]
    fn boolean_operators_on_identical_expressions() {
        let src = "defmodule ShopWeb.Auth do\n  def admin?(user) do\n    user.role == :admin || user.role == :admin\n  end\n\n  def visible?(post, user) do\n    post.published and post.published\n  end\nend\n";
        let found = findings_of(src, "lib/shop_web/auth.ex", CODE);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].message.contains("`||`"));
    }

    #[test]
    fn near_misses_are_fine() {
        let src = "defmodule Shop.Vector do\n  @spec diff(1..10) :: integer()\n  def a - b, do: sub(a, b)\n  def a == b, do: eq(a, b)\n  def same?(a, b), do: a === a and a == b\n  def double(x), do: x + x\n  def square(x), do: x * x\n  def changed?(old, new), do: old.id != new.id or old.name != new.name\n  def retry(f), do: f.() || f.()\nend\n";
        let found = findings_of(src, "lib/shop/vector.ex", CODE);
        // `f.() || f.()` calls twice on purpose; Credo flags it too, so do we.
        assert_eq!(found.len(), 1, "{found:?}");
    }

    #[test]
    fn redefined_boolean_operator_is_left_alone() {
        let src = "defmodule Shop.Logic do\n  import Kernel, except: [and: 2]\n  def a and b, do: both(a, b)\n  def f(x), do: x and x\nend\n";
        assert!(findings_of(src, "lib/shop/logic.ex", CODE).is_empty());
    }
}
