//! `expensive-empty-check`: `length(x) == 0`, `Enum.count(x) > 0` and the like, which walk the
//! whole collection to learn whether it is empty (Credo's `Warning.ExpensiveEmptyEnumCheck`).

use crate::syntax::Fields as _;
use crate::syntax::Node;

use crate::lint::{Edit, Finding, Fix, LintContext, Rule, RuleDocs, RuleMeta, Severity};
use crate::syntax::{elixir, text};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "expensive-empty-check",
        level: 2,
        severity: Severity::Warning,
        fixable: true,
        summary: "`length(x) == 0`, `Enum.count(x) > 0`: emptiness checks that count everything",
        docs: RuleDocs {
            why: "`length/1` and `Enum.count/1` walk the whole collection; comparing the result \
                  with 0 (or 1) only asks whether it is empty, which `x == []` or \
                  `Enum.empty?/1` answers at once. As in Credo, every comparison operator with \
                  `0` on either side is flagged, and `>= 1`, `< 1`, `1 <=`. Not flagged: \
                  comparisons with other numbers (`length(x) > 2`), `byte_size`/`map_size` \
                  (constant time) and counts bound to a variable first.",
            bad: "def render(conn, %{\"items\" => items}) do\n  if length(items) == 0 do\n    render(conn, :empty)\n  else\n    render(conn, :index, items: items)\n  end\nend",
            good: "def render(conn, %{\"items\" => items}) do\n  if items == [] do\n    render(conn, :empty)\n  else\n    render(conn, :index, items: items)\n  end\nend",
            fix: "`length(x) == 0` → `x == []`, `length(x) > 0` → `x != []` (safe: `length/1` \
                  only accepts lists), `Enum.count(x) == 0` → `Enum.empty?(x)`, \
                  `Enum.count(x) > 0` → `not Enum.empty?(x)` (safe), in either operand order. \
                  `Enum.count/2` and comparisons that are constant (`length(x) >= 0`) get no fix.",
        },
        credo: &["Credo.Check.Warning.ExpensiveEmptyEnumCheck"],
        scope: crate::lint::Scope::Function,
        ..RuleMeta::BASE
    },
    check: Some(check),
};

const COMPARISONS: &[&str] = &["==", "!=", "===", "!==", ">", "<", ">=", "<="];

/// What a counting call is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Counter {
    Length,
    EnumCount,
}

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    for op in &ctx.nodes().binary_operators {
        if let Some(f) = comparison(ctx.source, *op) {
            out.push(f);
        }
    }
}

/// `length(x)` or `Enum.count(…)`.
fn counter(node: Node<'_>, src: &str) -> Option<Counter> {
    if elixir::is_remote_call(node, src, "Enum", "count") && elixir::has_arguments(node) {
        return Some(Counter::EnumCount);
    }
    (elixir::is_local_call(node, src, "length") && elixir::call_args(node).len() == 1)
        .then_some(Counter::Length)
}

/// The finding for one comparison of a count with 0 or 1.
fn comparison(src: &str, op: Node<'_>) -> Option<Finding> {
    let operator = elixir::operator(op, src);
    if !COMPARISONS.contains(&operator) {
        return None;
    }
    let left = op.field("left")?;
    let right = op.field("right")?;
    let literal = |n: Node<'_>| (n.kind() == "integer").then(|| text(n, src));
    // Normalise to `count OP n`.
    let (call, kind, operator, n) = if let (Some(k), Some(n)) = (counter(left, src), literal(right))
    {
        (left, k, operator, n)
    } else if let (Some(n), Some(k)) = (literal(left), counter(right, src)) {
        let flipped = match operator {
            "<" => ">",
            ">" => "<",
            "<=" => ">=",
            ">=" => "<=",
            o => o,
        };
        // Credo accepts 1 on the left only as `1 <= count`.
        if n == "1" && operator != "<=" {
            return None;
        }
        (right, k, flipped, n)
    } else {
        return None;
    };
    let emptiness = match (n, operator) {
        ("0", "==" | "===" | "<=") | ("1", "<") => Some(true),
        ("0", "!=" | "!==" | ">") | ("1", ">=") => Some(false),
        ("0", "<" | ">=") => None,
        _ => return None,
    };
    let args = elixir::call_args(call);
    let name = match kind {
        Counter::Length => "length/1".to_string(),
        Counter::EnumCount => format!("Enum.count/{}", args.len()),
    };
    let suggestion = match kind {
        Counter::Length => "comparing with `[]`",
        Counter::EnumCount if args.len() == 2 => "`Enum.any?/2`",
        Counter::EnumCount => "`Enum.empty?/1`",
    };
    let message =
        format!("`{name}` counts every element only to compare with {n}; prefer {suggestion}");
    let mut f = Finding::new(&RULE.meta, op.byte_range(), message);
    if let Some(empty) = emptiness
        && args.len() == 1
    {
        let subject = operand_text(args[0], src);
        let replacement = match (kind, empty) {
            (Counter::Length, true) => format!("{subject} == []"),
            (Counter::Length, false) => format!("{subject} != []"),
            (Counter::EnumCount, true) => format!("Enum.empty?({})", text(args[0], src)),
            (Counter::EnumCount, false) => format!("not Enum.empty?({})", text(args[0], src)),
        };
        let replacement = if kind == Counter::Length && binds_tighter_than_equality(op, src) {
            format!("({replacement})")
        } else {
            replacement
        };
        let edit = Edit::replace(op.byte_range(), replacement.clone());
        f = f.with_fix(Fix::safe(format!("Use `{replacement}`"), vec![edit]));
    }
    Some(f)
}

/// The text of `x` as the left operand of `==`, parenthesised when it is an operation that
/// binds more loosely than `==` (`a || b`, `a = b`).
fn operand_text(node: Node<'_>, src: &str) -> String {
    let t = text(node, src);
    let loose = node.kind() == "binary_operator"
        && !matches!(
            elixir::operator(node, src),
            "++" | "--" | "<>" | "+" | "-" | "*" | "/" | "|>" | ".." | "in" | "not in"
        );
    if loose {
        format!("({t})")
    } else {
        t.to_string()
    }
}

/// Whether the comparison's parent operator would capture `x == []` differently than it did
/// the original comparison (`a == length(x) > 0`).
fn binds_tighter_than_equality(op: Node<'_>, src: &str) -> bool {
    op.parent().is_some_and(|p| {
        p.kind() == "binary_operator"
            && !matches!(
                elixir::operator(p, src),
                "and" | "or" | "&&" | "||" | "=" | "when" | "<-" | "::" | "|" | "\\\\" | "->"
            )
    })
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_support::*;

    const CODE: &str = "expensive-empty-check";

    fn fixed(src: &str) -> String {
        assert_clean_after_fix(src, "lib/a.ex", CODE)
    }

    #[test]
    fn length_comparisons_become_list_comparisons() {
        let src = "defmodule ShopWeb.CartController do\n  def show(conn, %{\"items\" => items}) do\n    if length(items) == 0 do\n      render(conn, :empty)\n    else\n      render(conn, :show, items: items, any: 0 < length(items))\n    end\n  end\nend\n";
        assert_eq!(findings_of(src, "lib/a.ex", CODE).len(), 2);
        assert_eq!(
            fixed(src),
            "defmodule ShopWeb.CartController do\n  def show(conn, %{\"items\" => items}) do\n    if items == [] do\n      render(conn, :empty)\n    else\n      render(conn, :show, items: items, any: items != [])\n    end\n  end\nend\n"
        );
        assert_eq!(
            fixed("def f(xs) when length(xs) >= 1, do: hd(xs)\n"),
            "def f(xs) when xs != [], do: hd(xs)\n"
        );
        assert_eq!(
            fixed("def f(a, b), do: length(a ++ b) < 1\n"),
            "def f(a, b), do: a ++ b == []\n"
        );
    }

    #[test]
    fn enum_count_becomes_empty() {
        assert_eq!(
            fixed("def f(users), do: Enum.count(users) === 0\n"),
            "def f(users), do: Enum.empty?(users)\n"
        );
        assert_eq!(
            fixed("def f(users), do: if(Enum.count(users) != 0, do: :some, else: :none)\n"),
            "def f(users), do: if(not Enum.empty?(users), do: :some, else: :none)\n"
        );
        let found = findings_of(
            "def f(xs), do: Enum.count(xs, & &1.ok) > 0\n",
            "lib/a.ex",
            CODE,
        );
        assert!(found[0].fix.is_none());
        assert!(found[0].message.contains("Enum.any?/2"));
    }

    #[test]
    fn other_sizes_are_fine() {
        let src = "defmodule Shop.Cart do\n  def big?(items), do: length(items) > 10\n  def one?(items), do: length(items) == 1\n  def blank?(name), do: byte_size(name) == 0\n  def none?(map), do: map_size(map) == 0\n  def count_ok(items) do\n    n = Enum.count(items)\n    n > 0 and n < 5\n  end\nend\n";
        assert!(findings_of(src, "lib/a.ex", CODE).is_empty());
    }
}
