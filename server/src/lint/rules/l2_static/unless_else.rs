//! `unless-else`: `unless … else …`, a double negative (Credo's `Refactor.UnlessWithElse`).

use crate::syntax::Fields as _;
use crate::syntax::Node;

use super::branches::{condition, has_else, negation, swap_branches};
use crate::lint::{Edit, Finding, Fix, LintContext, Rule, RuleDocs, RuleMeta, Severity};
use crate::syntax::{elixir, text};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "unless-else",
        level: 2,
        severity: Severity::Warning,
        fixable: true,
        summary: "`unless` with an `else` branch",
        docs: RuleDocs {
            why: "`unless … else` makes the reader negate the condition to understand the \
                  `else` branch: an `if` with the branches the other way round says the same \
                  thing directly. Not flagged: `unless` without `else`, and `@unless` \
                  attributes.",
            bad: "def render_price(product) do\n  unless product.on_sale do\n    format(product.price)\n  else\n    format(product.sale_price) <> \" (sale)\"\n  end\nend",
            good: "def render_price(product) do\n  if product.on_sale do\n    format(product.sale_price) <> \" (sale)\"\n  else\n    format(product.price)\n  end\nend",
            fix: "Rewrites it as `if` with the branches swapped (safe: `unless c, do: a, else: \
                  b` is defined as `if c, do: b, else: a`); `unless !c` becomes `if c` with the \
                  branches in place. Both the `do … end` and the keyword forms are handled.",
        },
        credo: &["Credo.Check.Refactor.UnlessWithElse"],
        scope: crate::lint::Scope::Function,
        ..RuleMeta::BASE
    },
    check: Some(check),
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    let src = ctx.source;
    for call in &ctx.nodes().calls {
        if elixir::is_local_call(*call, src, "unless")
            && elixir::attribute(call.parent().unwrap_or(*call), src).is_none()
            && has_else(*call, src)
        {
            out.push(finding(*call, src));
        }
    }
}

fn finding(call: Node<'_>, src: &str) -> Finding {
    let target = call.field("target").unwrap_or(call);
    let cond = condition(call).map_or(String::new(), |c| short(text(c, src)));
    let message =
        format!("`unless {cond}` has an `else` branch; use `if` with the branches swapped");
    let range = call.start_byte()..target.end_byte();
    let mut f = Finding::new(&RULE.meta, range, message);
    if let Some(edits) = rewrite(call, target, src) {
        f = f.with_fix(Fix::safe("Rewrite as `if` with swapped branches", edits));
    }
    f
}

fn rewrite(call: Node<'_>, target: Node<'_>, src: &str) -> Option<Vec<Edit>> {
    let mut edits = vec![Edit::replace(target.byte_range(), "if")];
    let cond = condition(call)?;
    match negation(cond, src) {
        // `unless !c` is `if c`, branches unchanged (`!` tests truthiness exactly as `unless`).
        Some(("!", operand)) => edits.push(Edit::replace(cond.byte_range(), text(operand, src))),
        _ => edits.extend(swap_branches(call, src)?),
    }
    Some(edits)
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

    const CODE: &str = "unless-else";

    #[test]
    fn do_block_form_is_swapped() {
        let src = "defmodule ShopWeb.ProductView do\n  def render_price(product) do\n    unless product.on_sale do\n      # regular price\n      format(product.price)\n    else\n      format(product.sale_price) <> \" (sale)\"\n    end\n  end\nend\n";
        let found = findings_of(src, "lib/a.ex", CODE);
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("`unless product.on_sale`"));
        assert_eq!(
            assert_clean_after_fix(src, "lib/a.ex", CODE),
            "defmodule ShopWeb.ProductView do\n  def render_price(product) do\n    if product.on_sale do\n      format(product.sale_price) <> \" (sale)\"\n    else\n      # regular price\n      format(product.price)\n    end\n  end\nend\n"
        );
    }

    #[test]
    fn keyword_form_and_negated_condition() {
        assert_eq!(
            assert_clean_after_fix(
                "def label(user), do: unless(user.admin, do: \"member\", else: \"admin\")\n",
                "lib/a.ex",
                CODE
            ),
            "def label(user), do: if(user.admin, do: \"admin\", else: \"member\")\n"
        );
        assert_eq!(
            assert_clean_after_fix(
                "def f(x) do\n  unless !x.ok do\n    :a\n  else\n    :b\n  end\nend\n",
                "lib/a.ex",
                CODE
            ),
            "def f(x) do\n  if x.ok do\n    :a\n  else\n    :b\n  end\nend\n"
        );
    }

    #[test]
    fn unless_without_else_is_fine() {
        let src = "defmodule ShopWeb.Plugs.RequireAdmin do\n  def call(conn, _opts) do\n    unless conn.assigns.current_user.admin do\n      conn |> put_status(:forbidden) |> halt()\n    end\n    if conn.halted, do: conn, else: assign(conn, :admin, true)\n  end\nend\n";
        assert!(findings_of(src, "lib/a.ex", CODE).is_empty());
    }
}
