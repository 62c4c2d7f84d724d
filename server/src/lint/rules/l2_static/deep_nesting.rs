//! `deep-nesting`: control flow nested deeper than `max` (default 2) inside one function
//! clause, counted as `Credo.Check.Refactor.Nesting` counts it and reported on the same line: the
//! deepest construct.

use crate::lint::analysis::metrics;
use crate::lint::{Finding, LintContext, Rule, RuleDocs, RuleMeta, Severity};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "deep-nesting",
        level: 2,
        severity: Severity::Warning,
        fixable: false,
        summary: "Control flow nested deeper than `max` (default 2) inside a function",
        docs: RuleDocs {
            why: "Each `if`, `unless`, `case`, `cond`, `with`, `for` or `fn` inside another adds \
                  a path the reader must hold in mind; past two levels a function is usually \
                  doing several things and reads better split into named steps or pattern-matched \
                  clauses. The depth is counted as Credo's `Refactor.Nesting` counts it (its \
                  `max_nesting` defaults to 2, set with `max:`) and reported at the deepest \
                  construct. Not flagged, exactly as Credo: constructs inside list literals, \
                  two-element tuples, map values and keyword arguments, the body of `try … \
                  rescue`, and constructs that hold no variable or literal.",
            bad: "def sync(conn, %{\"items\" => items}) do\n  Enum.each(items, fn item ->\n    if item[\"enabled\"] do\n      case Catalog.upsert(item) do\n        {:ok, _} -> :ok\n        {:error, cs} -> Logger.warning(inspect(cs))\n      end\n    end\n  end)\n\n  send_resp(conn, 204, \"\")\nend",
            good: "def sync(conn, %{\"items\" => items}) do\n  items\n  |> Enum.filter(& &1[\"enabled\"])\n  |> Enum.each(&upsert/1)\n\n  send_resp(conn, 204, \"\")\nend\n\ndefp upsert(item) do\n  case Catalog.upsert(item) do\n    {:ok, _} -> :ok\n    {:error, cs} -> Logger.warning(inspect(cs))\n  end\nend",
            fix: "Extract the inner levels into private functions, replace nested `if`s by \
                  function clauses with pattern matching or guards, or flatten with `with`.",
        },
        options: &[(
            "max",
            "the deepest nesting allowed inside a function (default 2, Credo's `max_nesting`)",
        )],
        credo: &["Credo.Check.Refactor.Nesting"],
        scope: crate::lint::Scope::Function,
        ..RuleMeta::BASE
    },
    check: Some(check),
};

const DEFAULT_MAX: i64 = 2;

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    let max = ctx.option_int(RULE.meta.code, "max", DEFAULT_MAX).max(0) as usize;
    let nodes = ctx.nodes();
    for (at, call) in nodes.calls.iter().enumerate() {
        if metrics::metric_def_kind(*call, ctx.source).is_some() {
            out.extend(check_clause(ctx, nodes, at, max));
        }
    }
}

/// The finding for the `def`/`defp`/`defmacro` clause `nodes.calls[at]`, if it nests deeper
/// than `max`.
fn check_clause(
    ctx: &LintContext<'_>,
    nodes: &crate::lint::context::NodeIndex<'_>,
    at: usize,
    max: usize,
) -> Option<Finding> {
    let src = ctx.source;
    let inside = metrics::Inside::of(nodes, at)?;
    // Each level is a distinct construct inside the clause: with no more constructs than
    // `max` the clause cannot nest deeper, and the walk is skipped (most clauses).
    if inside.nesting_bound(src) <= max {
        return None;
    }
    let def = inside.def;
    let deepest = metrics::nesting(def, src)?;
    if deepest.depth <= max {
        return None;
    }
    // Point at the keyword (`case`, `fn`), not the whole construct.
    let start = deepest.node.start_byte();
    let range = start..start + deepest.keyword.len();
    Some(Finding::new(
        &RULE.meta,
        range,
        format!(
            "`{}` nests `{}` {} levels deep (max {max}); extract a function",
            metrics::def_label(def, src),
            deepest.keyword,
            deepest.depth
        ),
    ))
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_support::*;

    const CODE: &str = "deep-nesting";

    const BAD: &str = r#"defmodule ShopWeb.ImportController do
  use ShopWeb, :controller

  def create(conn, %{"items" => items}) do
    Enum.each(items, fn item ->
      if item["enabled"] do
        case Catalog.upsert(item) do
          {:ok, _} -> :ok
          {:error, changeset} -> Logger.warning(inspect(changeset))
        end
      end
    end)

    send_resp(conn, 204, "")
  end
end
"#;

    #[test]
    fn flags_the_deepest_construct_like_credo() {
        let found = findings_of(BAD, "lib/shop_web/controllers/import_controller.ex", CODE);
        assert_eq!(found.len(), 1);
        assert_eq!(&BAD[found[0].range.clone()], "case");
        assert!(
            found[0].message.contains("`create/2`"),
            "{}",
            found[0].message
        );
        assert!(
            found[0].message.contains("3 levels"),
            "{}",
            found[0].message
        );
        assert_eq!(finding_lines(BAD, "lib/a.ex", CODE), vec![7]);
    }

    #[test]
    fn two_levels_are_fine() {
        let good = r#"defmodule ShopWeb.ImportController do
  use ShopWeb, :controller

  def create(conn, %{"items" => items}) do
    items
    |> Enum.filter(& &1["enabled"])
    |> Enum.each(&upsert/1)

    send_resp(conn, 204, "")
  end

  defp upsert(item) do
    case Catalog.upsert(item) do
      {:ok, _} -> :ok
      {:error, changeset} ->
        if changeset.action, do: Logger.warning(inspect(changeset)), else: :ok
    end
  end
end
"#;
        assert!(findings_of(good, "lib/a.ex", CODE).is_empty());
    }

    #[test]
    fn near_misses_credo_does_not_count() {
        // Values of a result tuple and keyword options are not entered by Credo.
        let src = r#"defmodule Shop.Cart do
  def totals(cart) do
    if cart.items != [] do
      {:ok,
       Enum.map(cart.items, fn item ->
         case item do
           %{qty: q} -> q
         end
       end)}
    end
  end

  def checkout(cart) do
    with {:ok, order} <- Orders.create(cart) do
      {:ok, order}
    else
      {:error, changeset} ->
        case changeset.errors do
          [] -> {:error, :unknown}
          errors -> {:error, errors}
        end
    end
  end

  def sync(cart) do
    try do
      Enum.each(cart.items, fn item ->
        if item.sku do
          case Stock.reserve(item) do
            :ok -> :ok
          end
        end
      end)
    rescue
      e in DBConnection.ConnectionError -> {:error, e}
    end
  end
end
"#;
        assert!(findings_of(src, "lib/a.ex", CODE).is_empty());
    }

    #[test]
    fn each_clause_is_checked_and_max_is_configurable() {
        let max3 = "[rules: [\"deep-nesting\": [max: 3]]]";
        assert!(findings_with_config(BAD, "lib/a.ex", max3, CODE).is_empty());
        let max1 = "[rules: [\"deep-nesting\": [max: 1]]]";
        let src = "def f(x) do\n  if x do\n    if x, do: 1\n  end\nend\n";
        assert_eq!(findings_with_config(src, "lib/a.ex", max1, CODE).len(), 1);
    }

    #[test]
    fn credo_disable_comment_silences_it() {
        let src = BAD.replace(
            "        case Catalog",
            "        # credo:disable-for-next-line Credo.Check.Refactor.Nesting\n        case Catalog",
        );
        assert!(findings_of(&src, "lib/a.ex", CODE).is_empty());
    }

    /// Cases of Credo's `nesting_test.exs`, with the trigger Credo reports.
    #[test]
    fn credos_cases() {
        let cases = [
            (
                "defp foo() do\n  if true do\n    if true do\n      if true do\n        if true do\n          \"nested\"\n        end\n      end\n    end\n  else\n    \"flat\"\n  end\nend\n",
                "if",
                5,
            ),
            (
                "defp foo() do\n  if true do\n    \"flat\"\n  else\n    if true do\n      if true do\n        if true do\n          \"nested\"\n        end\n      end\n    end\n  end\nend\n",
                "if",
                7,
            ),
            (
                "defp foo() do\n  for a <- list do\n    for b <- a do\n      for c <- b do\n        d * 2\n      end\n    end\n  end\nend\n",
                "for",
                4,
            ),
            (
                "defp foo(p) do\n  with {:ok, a} <- list(p) do\n    for b <- a do\n      if match?({:ok, _}, b) do\n        d * 2\n      end\n    end\n  end\nend\n",
                "if",
                4,
            ),
            (
                "def some_function(parameter1, parameter2) do\n  if parameter1 do\n    case parameter1 do\n      0 -> nil\n      1 ->\n        if parameter2, do: do_something\n    end\n  end\nend\n",
                "if",
                6,
            ),
        ];
        for (src, trigger, line) in cases {
            let found = findings_of(src, "lib/a.ex", CODE);
            assert_eq!(found.len(), 1, "{src}");
            assert_eq!(&src[found[0].range.clone()], trigger, "{src}");
            assert_eq!(finding_lines(src, "lib/a.ex", CODE), vec![line], "{src}");
        }
        let same_level = "def f(a, b) do\n  if a do\n    if b, do: 1\n  end\n  if b do\n    if a, do: 2\n  end\nend\n";
        assert!(findings_of(same_level, "lib/a.ex", CODE).is_empty());
    }
}
