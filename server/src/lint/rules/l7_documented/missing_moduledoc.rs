//! `missing-moduledoc`: a module without `@moduledoc`.
//!
//! Exempt, as reviewers expect: test files and scripts (migrations, `mix.exs`), protocol
//! implementations (`defimpl`), modules nested in another module (implementation details), and
//! the Phoenix modules Credo's own check leaves alone by default (controllers, views, live
//! views, endpoint, router, repo, sockets, HTML/JSON modules, telemetry, layouts, mailer).

use crate::lint::{Edit, Finding, Fix, LintContext, Rule, RuleDocs, RuleMeta, Severity};
use crate::syntax::elixir::{self, ModuleKind};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "missing-moduledoc",
        level: 7,
        severity: Severity::Warning,
        fixable: true,
        summary: "A module without `@moduledoc`",
        docs: RuleDocs {
            why: "The `@moduledoc` is where a reader learns what a module is for and how to use \
                  it; ExDoc and IEx's `h/1` show it. Modules that are deliberately internal say so \
                  with `@moduledoc false`, which also hides them from the docs.",
            bad: "defmodule Shop.Orders do\n  def place(cart), do: {:ok, cart}\nend",
            good: "defmodule Shop.Orders do\n  @moduledoc \"\"\"\n  Placing orders from carts.\n  \"\"\"\n  def place(cart), do: {:ok, cart}\nend",
            fix: "Inserts a `@moduledoc` heredoc stub naming the module, or `@moduledoc false` for \
                  an internal module. Both need a human decision, so neither is applied in bulk.",
        },
        credo: &["Credo.Check.Readability.ModuleDoc"],
        ..RuleMeta::BASE
    },
    check: Some(check),
};

/// Name endings that Credo's `ModuleDoc` check ignores by default (Phoenix boilerplate).
fn ignored_name(name: &str) -> bool {
    let segments: Vec<&str> = name.split('.').collect();
    let last = segments.last().copied().unwrap_or("");
    let is_live = segments.iter().rev().take(2).any(|s| s.ends_with("Live"));
    is_live
        || ["Controller", "Socket", "View", "HTML", "JSON"]
            .iter()
            .any(|suffix| last.ends_with(suffix) && last.len() > suffix.len())
        || [
            "Endpoint",
            "Repo",
            "Router",
            "Telemetry",
            "Layouts",
            "Mailer",
        ]
        .contains(&last)
}

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    if ctx.file.is_test() || ctx.file.is_script() {
        return;
    }
    let src = ctx.source;
    for module in ctx.modules() {
        let def = &module.def;
        let nested = elixir::ancestor(def.node, |n| elixir::module_def(n, src).is_some()).is_some();
        if def.kind == ModuleKind::Impl
            || nested
            || ignored_name(def.name)
            || module.attribute("moduledoc").is_some()
        {
            continue;
        }
        let Some(body) = def.body else { continue };
        let message = format!("Module `{}` has no @moduledoc", def.name);
        let mut finding = Finding::new(&RULE.meta, def.name_node.byte_range(), message);
        if let Some((at, indent, blank_after)) = insertion_point(src, body) {
            let gap = if blank_after { "\n" } else { "" };
            let stub = format!(
                "{indent}@moduledoc \"\"\"\n{indent}TODO: describe what `{}` is for.\n{indent}\"\"\"\n{gap}",
                def.name
            );
            finding = finding
                .with_fix(Fix::unsafe_(
                    "Insert @moduledoc stub",
                    vec![Edit::insert(at, stub)],
                ))
                .with_alternative(Fix::unsafe_(
                    "Insert @moduledoc false",
                    vec![Edit::insert(at, format!("{indent}@moduledoc false\n{gap}"))],
                ));
        }
        out.push(finding);
    }
}

/// Where the first line of a `do` block starts, its indentation, and whether a blank line
/// should follow the inserted attribute (when code follows directly).
fn insertion_point(src: &str, body: crate::syntax::Node<'_>) -> Option<(usize, String, bool)> {
    let do_kw = body.child(0).filter(|c| c.kind() == "do")?;
    let mut cursor = body.walk();
    if body
        .named_children(&mut cursor)
        .any(|c| c.kind() == "stab_clause")
    {
        // `defmodule A do x -> y end` parses (as clauses, not a module body) but takes no
        // attribute: inserting one would leave code that does not parse.
        return None;
    }
    if !elixir::ends_line(src, do_kw.end_byte()) {
        return None; // `defmodule A do def f ... end` on one line: leave it to a human.
    }
    let at = elixir::line_end_with_terminator(src, do_kw.end_byte());
    let module_indent = elixir::indentation(src, body.start_byte());
    let indent = format!("{module_indent}  ");
    let next_line = src[at..].lines().next().unwrap_or("");
    let blank_after = !next_line.trim().is_empty() && next_line.trim() != "end";
    Some((at, indent, blank_after))
}

#[cfg(test)]
mod tests {
    use crate::lint::fix::apply_edits;
    use crate::lint::rules::test_support::*;

    const CODE: &str = "missing-moduledoc";

    #[test]
    fn flags_and_offers_a_stub_or_false() {
        let src = "defmodule Shop.Orders do\n  use Shop.Schema\nend\n";
        let found = findings_of(src, "lib/shop/orders.ex", CODE);
        assert_eq!(found[0].message, "Module `Shop.Orders` has no @moduledoc");
        assert!(!found[0].fix.as_ref().unwrap().safe);
        let stub = assert_clean_after_fix(src, "lib/shop/orders.ex", CODE);
        assert_eq!(
            stub,
            "defmodule Shop.Orders do\n  @moduledoc \"\"\"\n  TODO: describe what `Shop.Orders` is for.\n  \"\"\"\n\n  use Shop.Schema\nend\n"
        );
        let no_doc = apply_edits(src, &found[0].alternatives[0].edits).unwrap();
        assert_eq!(
            no_doc,
            "defmodule Shop.Orders do\n  @moduledoc false\n\n  use Shop.Schema\nend\n"
        );
        assert!(findings_of(&no_doc, "lib/shop/orders.ex", CODE).is_empty());
    }

    /// Found by the `lint_fix` fuzz target: a `do` block of `->` clauses parses, but the stub
    /// inserted into it did not.
    #[test]
    fn no_fix_inside_a_do_block_of_clauses() {
        let src =
            "defmodule Shop.Cart do\n  nil -> %{}\n  encoded -> Base.decode64(encoded)\nend\n";
        let found = findings_of(src, "lib/shop/cart.ex", CODE);
        assert_eq!(found.len(), 1);
        assert!(found[0].fix.is_none() && found[0].alternatives.is_empty());
    }

    #[test]
    fn exemptions() {
        let nested = "defmodule A do\n  @moduledoc \"A.\"\n  defmodule State do\n    defstruct [:x]\n  end\nend\n";
        assert!(findings_of(nested, "lib/a.ex", CODE).is_empty());
        assert!(
            findings_of(
                "defimpl String.Chars, for: A do\n  def to_string(_), do: \"a\"\nend\n",
                "lib/a.ex",
                CODE
            )
            .is_empty()
        );
        for name in [
            "ShopWeb.PageController",
            "ShopWeb.Endpoint",
            "Shop.Repo",
            "ShopWeb.Router",
            "ShopWeb.CartLive.Index",
            "ShopWeb.UserSocket",
            "ShopWeb.PageHTML",
            "ShopWeb.Layouts",
        ] {
            let src = format!("defmodule {name} do\n  use Phoenix.Component\nend\n");
            assert!(
                findings_of(&src, "lib/shop_web/x.ex", CODE).is_empty(),
                "{name}"
            );
        }
        assert!(findings_of("defmodule ATest do\nend\n", "test/a_test.exs", CODE).is_empty());
        assert!(
            findings_of(
                "defmodule Repo.Migrations.AddX do\n  use Ecto.Migration\nend\n",
                "priv/repo/migrations/1_add_x.exs",
                CODE
            )
            .is_empty()
        );
    }

    #[test]
    fn moduledoc_false_counts() {
        assert!(
            findings_of(
                "defmodule A do\n  @moduledoc false\nend\n",
                "lib/a.ex",
                CODE
            )
            .is_empty()
        );
    }
}
