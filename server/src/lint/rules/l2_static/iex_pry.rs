//! `iex-pry`: `IEx.pry` breakpoints and the `require IEx` they need (Credo's
//! `Warning.IExPry`, which flags the calls only).

use crate::syntax::Node;

use super::removal::{delete_statement, enclosing_function};
use crate::lint::{Finding, Fix, LintContext, Rule, RuleDocs, RuleMeta, Severity};
use crate::syntax::elixir;

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "iex-pry",
        level: 2,
        severity: Severity::Error,
        fixable: true,
        summary: "`IEx.pry` breakpoints and `require IEx`",
        docs: RuleDocs {
            why: "`IEx.pry` is a breakpoint: under `iex` it stops the process and asks for \
                  permission to open a shell; elsewhere it does nothing useful. `require IEx` \
                  exists only to call it, so unlike Credo it is flagged too. Neither belongs in \
                  committed code. Not flagged: `IEx` helpers other than `pry` \
                  (`IEx.started?/0`, `IEx.configure/1`) and `alias`/`import` of `IEx`.",
            bad: "def handle_event(\"save\", params, socket) do\n  require IEx\n  IEx.pry()\n  {:noreply, assign(socket, :params, params)}\nend",
            good: "def handle_event(\"save\", params, socket) do\n  {:noreply, assign(socket, :params, params)}\nend",
            fix: "Deletes the statement (unsafe, one at a time: a breakpoint may be in use).",
        },
        credo: &["Credo.Check.Warning.IExPry"],
        scope: crate::lint::Scope::Function,
        ..RuleMeta::BASE
    },
    check: Some(check),
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    for call in &ctx.nodes().calls {
        if let Some(f) = finding(ctx, *call) {
            out.push(f);
        }
    }
}

fn finding(ctx: &LintContext<'_>, call: Node<'_>) -> Option<Finding> {
    let src = ctx.source;
    let what = if elixir::is_remote_call(call, src, "IEx", "pry") {
        "IEx.pry"
    } else if elixir::is_local_call(call, src, "require")
        && elixir::call_args(call)
            .first()
            .map(|a| crate::syntax::text(*a, src))
            == Some("IEx")
    {
        "require IEx"
    } else {
        return None;
    };
    let place = match enclosing_function(call, src) {
        Some(f) => format!(" in `{f}`"),
        None => String::new(),
    };
    let message = format!("`{what}`{place} is a debugging breakpoint; remove it");
    let mut f = Finding::new(&RULE.meta, call.byte_range(), message);
    if is_statement(call) {
        let edit = delete_statement(src, call);
        f = f.with_fix(Fix::unsafe_(format!("Remove `{what}`"), vec![edit]));
    }
    Some(f)
}

/// Whether `node` stands alone in a block (its value at most returned, never an argument).
fn is_statement(node: Node<'_>) -> bool {
    node.parent().is_some_and(|p| {
        matches!(
            p.kind(),
            "do_block"
                | "body"
                | "source"
                | "else_block"
                | "after_block"
                | "rescue_block"
                | "catch_block"
        )
    })
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_support::*;

    const CODE: &str = "iex-pry";

    #[test]
    fn pry_and_require_are_removed() {
        let src = "defmodule ShopWeb.CartLive do\n  use ShopWeb, :live_view\n\n  def handle_event(\"add\", %{\"id\" => id}, socket) do\n    require IEx\n    IEx.pry()\n    {:noreply, update(socket, :items, &[id | &1])}\n  end\nend\n";
        let found = findings_of(src, "lib/shop_web/live/cart_live.ex", CODE);
        assert_eq!(found.len(), 2);
        assert!(
            found[1].message.contains("`handle_event/3`"),
            "{}",
            found[1].message
        );
        assert!(!found[0].fix.as_ref().unwrap().safe);
        let fixed = assert_clean_after_fix(src, "lib/shop_web/live/cart_live.ex", CODE);
        assert_eq!(
            fixed,
            "defmodule ShopWeb.CartLive do\n  use ShopWeb, :live_view\n\n  def handle_event(\"add\", %{\"id\" => id}, socket) do\n    {:noreply, update(socket, :items, &[id | &1])}\n  end\nend\n"
        );
    }

    #[test]
    fn module_level_require_is_flagged() {
        let src = "defmodule Shop.Debug do\n  require IEx\n\n  def run, do: :ok\nend\n";
        assert_eq!(findings_of(src, "lib/a.ex", CODE).len(), 1);
        assert_clean_after_fix(src, "lib/a.ex", CODE);
    }

    #[test]
    fn only_statements_are_deleted() {
        let src = "defmodule A do\n  def debug do\n    IEx.pry()\n  end\n\n  def maybe(x), do: if(x, do: IEx.pry())\nend\n";
        let found = findings_of(src, "lib/a.ex", CODE);
        assert_eq!(found.len(), 2);
        assert!(found[1].fix.is_none());
        let fixed = apply_fix_of(src, "lib/a.ex", CODE);
        assert!(
            !lint_codes(&fixed, "lib/a.ex").contains(&"syntax-error"),
            "{fixed}"
        );
    }

    #[test]
    fn other_iex_uses_are_fine() {
        let src = "defmodule Shop.Console do\n  require Logger\n  alias IEx.Helpers\n\n  def interactive?, do: IEx.started?()\n  def setup, do: IEx.configure(colors: [enabled: true])\n  def pry_label, do: \"IEx.pry\"\nend\n";
        assert!(findings_of(src, "lib/a.ex", CODE).is_empty());
    }
}
