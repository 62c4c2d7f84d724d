//! `module-name`: a `defmodule` name with a segment that is not PascalCase (`Shop.Order_item`),
//! as `Credo.Check.Readability.ModuleNames` checks it.

use crate::syntax::Fields as _;
use crate::syntax::Node;

use crate::lint::{Finding, LintContext, Rule, RuleDocs, RuleMeta, Severity};
use crate::syntax::{elixir, text};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "module-name",
        level: 2,
        severity: Severity::Warning,
        fixable: false,
        summary: "Module names that are not PascalCase",
        docs: RuleDocs {
            why: "Elixir modules are written in PascalCase (`MyApp.OrderItem`); an underscore in \
                  a segment (`MyApp.Order_item`) reads like a typo and breaks the convention every \
                  tool and reader relies on to map modules to files. Each segment must match \
                  Credo's `^[A-Z][a-zA-Z0-9]*$`. Not flagged: names built at compile time \
                  (`defmodule __MODULE__.Helpers`, `defmodule unquote(name)`), whose static part \
                  only is checked, and Erlang-style atom module names (`defmodule :shop_nif`).",
            bad: "defmodule Shop.Order_item do\n  defstruct [:sku, :qty]\nend",
            good: "defmodule Shop.OrderItem do\n  defstruct [:sku, :qty]\nend",
            fix: "Rename the module to PascalCase and update its references (and file name).",
        },
        credo: &["Credo.Check.Readability.ModuleNames"],
        scope: crate::lint::Scope::Function,
        ..RuleMeta::BASE
    },
    check: Some(check),
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    for call in &ctx.nodes().calls {
        if elixir::is_local_call(*call, ctx.source, "defmodule") {
            out.extend(check_module(ctx, *call));
        }
    }
}

/// The finding for one `defmodule`, if a segment of its name is not PascalCase.
fn check_module(ctx: &LintContext<'_>, call: Node<'_>) -> Option<Finding> {
    let src = ctx.source;
    let name = *elixir::call_args(call).first()?;
    // `__MODULE__.Sub` is a dot: its static right part is an alias.
    let alias = match name.kind() {
        "alias" => name,
        "dot" => name.field("right").filter(|r| r.kind() == "alias")?,
        _ => return None,
    };
    let full = text(alias, src);
    let segments: Vec<&str> = full.split('.').map(str::trim).collect();
    if segments.iter().all(|s| is_pascal_case(s)) {
        return None;
    }
    let suggestion: Vec<String> = segments.iter().map(|s| to_pascal_case(s)).collect();
    Some(Finding::new(
        &RULE.meta,
        alias.byte_range(),
        format!(
            "Module name `{full}` is not PascalCase; rename it to `{}`",
            suggestion.join(".")
        ),
    ))
}

/// Credo's `Name.pascal_case?/1`: `^[A-Z][a-zA-Z0-9]*$`.
pub(crate) fn is_pascal_case(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase()) && chars.all(|c| c.is_ascii_alphanumeric())
}

/// `Order_item` → `OrderItem`.
fn to_pascal_case(name: &str) -> String {
    name.split('_')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut cs = p.chars();
            cs.next()
                .map(|c| c.to_ascii_uppercase().to_string() + cs.as_str())
                .unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_support::*;

    const CODE: &str = "module-name";

    #[test]
    fn flags_underscored_segments() {
        let src = "defmodule Shop.Order_item do\n  defstruct [:sku, :qty]\n\n  defmodule Line_Total do\n    def sum(items), do: Enum.sum(items)\n  end\nend\n";
        let found = findings_of(src, "lib/shop/order_item.ex", CODE);
        assert_eq!(found.len(), 2);
        assert_eq!(&src[found[0].range.clone()], "Shop.Order_item");
        assert!(
            found[0].message.contains("`Shop.OrderItem`"),
            "{}",
            found[0].message
        );
        assert!(
            found[1].message.contains("`LineTotal`"),
            "{}",
            found[1].message
        );
    }

    #[test]
    fn pascal_case_and_dynamic_names_are_fine() {
        let src = r#"defmodule ShopWeb.API.V2.OrderJSON do
  def index(%{orders: orders}), do: %{data: orders}

  defmodule __MODULE__.Helpers do
    def id(o), do: o.id
  end

  for name <- [:a, :b] do
    defmodule Module.concat(__MODULE__, name) do
    end
  end
end

defmodule :shop_nif do
end
"#;
        assert!(findings_of(src, "lib/a.ex", CODE).is_empty());
    }
}
