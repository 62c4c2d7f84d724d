//! `map-join`: `Enum.map` then `Enum.join`, which `Enum.map_join/3` does in one pass (Credo's
//! `Refactor.MapJoin`).

use super::pipeline::{ends_with_enum, fed_value, piped_into};
use crate::lint::{Finding, LintContext, Rule, RuleDocs, RuleMeta, Severity};
use crate::syntax::elixir;

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "map-join",
        level: 2,
        severity: Severity::Info,
        fixable: false,
        summary: "`Enum.map` followed by `Enum.join` (use `Enum.map_join/3`)",
        docs: RuleDocs {
            why: "`Enum.map/2 |> Enum.join/2` builds an intermediate list only to join it; \
                  `Enum.map_join/3` does both in one pass. As in Credo, the piped forms and \
                  `Enum.join(Enum.map(…), sep)` are recognised. Not flagged: \
                  `Enum.join(Enum.map(…))` without a separator (Credo leaves it too), and a map \
                  whose result is bound to a variable before being joined.",
            bad: "def tag_list(post) do\n  post.tags\n  |> Enum.map(& &1.name)\n  |> Enum.join(\", \")\nend",
            good: "def tag_list(post) do\n  Enum.map_join(post.tags, \", \", & &1.name)\nend",
            fix: "Use `Enum.map_join(enumerable, separator, mapper)`.",
        },
        credo: &["Credo.Check.Refactor.MapJoin"],
        scope: crate::lint::Scope::Function,
        ..RuleMeta::BASE
    },
    check: Some(check),
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    let src = ctx.source;
    for (call, remote) in ctx.calls_with_remote() {
        if remote == Some(("Enum", "join"))
            && elixir::has_arguments(call)
            && fed_value(call, src, None, 2).is_some_and(|v| ends_with_enum(v, src, "map"))
        {
            let arity =
                elixir::call_args(call).len() + usize::from(piped_into(call, src).is_some());
            let message = format!(
                "`Enum.map/2` then `Enum.join/{arity}` builds a list only to join it; use `Enum.map_join/{}`",
                arity + 1
            );
            out.push(Finding::new(&RULE.meta, call.byte_range(), message));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_support::*;

    const CODE: &str = "map-join";

    #[test]
    fn piped_and_nested_forms() {
        let src = "defmodule ShopWeb.PostView do\n  def tag_list(post) do\n    post.tags\n    |> Enum.map(& &1.name)\n    |> Enum.join(\", \")\n  end\n\n  def ids(items), do: Enum.map(items, & &1.id) |> Enum.join(\",\")\n  def csv(rows), do: Enum.join(Enum.map(rows, &to_string/1), \"\\n\")\n  def names(users), do: Enum.join(users |> Enum.map(& &1.name), \" \")\nend\n";
        let found = findings_of(src, "lib/a.ex", CODE);
        assert_eq!(found.len(), 4, "{found:?}");
        assert_eq!(found[0].severity, crate::lint::Severity::Info);
        assert!(
            found[0].message.contains("`Enum.join/2`")
                && found[0].message.contains("`Enum.map_join/3`")
        );
        let bare = findings_of(
            "def f(xs), do: xs |> Enum.map(&to_string/1) |> Enum.join()\n",
            "lib/a.ex",
            CODE,
        );
        assert!(
            bare[0].message.contains("`Enum.join/1`")
                && bare[0].message.contains("`Enum.map_join/2`")
        );
    }

    #[test]
    fn near_misses_are_fine() {
        let src = "defmodule ShopWeb.PostView do\n  def tag_list(post) do\n    names = Enum.map(post.tags, & &1.name)\n    Logger.debug(\"#{length(names)} tags\")\n    Enum.join(names, \", \")\n  end\n\n  def glued(xs), do: Enum.join(Enum.map(xs, &to_string/1))\n  def joined(xs), do: xs |> Enum.map_join(\",\", & &1.id)\n  def filtered(xs), do: xs |> Enum.map(& &1.id) |> Enum.filter(& &1) |> Enum.join(\",\")\nend\n";
        assert!(findings_of(src, "lib/a.ex", CODE).is_empty());
    }
}
