//! `unsafe-atom`: request input turned into atoms (`String.to_atom/1`, `List.to_atom/1`,
//! `:erlang.binary_to_atom`, `:"#{x}"`). Atoms are never garbage-collected: enough distinct
//! values exhaust the atom table and crash the node.
//!
//! The fix switches to the `_existing_` variant; it is unsafe (offered one at a time) because
//! it raises for atoms that do not exist yet.

use crate::syntax::Fields as _;
use crate::syntax::Node;

use crate::lint::analysis::taint::SinkKind;
use crate::lint::{Edit, Finding, Fix, LintContext, Rule, RuleDocs, RuleMeta, Severity};
use crate::syntax::{elixir, text};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "unsafe-atom",
        level: 5,
        severity: Severity::Warning,
        fixable: true,
        summary: "Request input turned into atoms (`String.to_atom`, `:\"#{x}\"`)",
        docs: RuleDocs {
            why: "Atoms are never garbage-collected and the atom table is limited (1,048,576 by \
                  default): a client sending new values to an endpoint that calls \
                  `String.to_atom/1` on them crashes the whole node. The rule follows request \
                  input (params, headers, LiveView event params) through variables, pipes, \
                  `Enum` callbacks (`Enum.map(keys, &String.to_atom/1)`) and one level of \
                  private functions to `String.to_atom/1`, `List.to_atom/1`, \
                  `:erlang.binary_to_atom/1,2`, `:erlang.list_to_atom/1` and atom \
                  interpolation. Not flagged: literals (`String.to_atom(\"admin\")`), values \
                  checked against a fixed list first, and conversions of internal data \
                  (configuration, module names) that no request reaches.",
            bad: "def index(conn, %{\"sort\" => sort}) do\n  products = Catalog.list_products(order_by: String.to_atom(sort))\n  render(conn, :index, products: products)\nend",
            good: "def index(conn, %{\"sort\" => sort}) do\n  products = Catalog.list_products(order_by: String.to_existing_atom(sort))\n  render(conn, :index, products: products)\nend",
            fix: "Offers `String.to_existing_atom/1` (and the `_existing_` variants of the \
                  others), which raises instead of creating atoms; better still, map the \
                  allowed strings to atoms explicitly (`%{\"name\" => :name}`). Never applied in \
                  bulk: it can raise where the old code did not.",
        },
        sobelow: &["DOS.StringToAtom", "DOS.ListToAtom", "DOS.BinToAtom"],
        scope: crate::lint::Scope::Mentions(crate::lint::analysis::taint::sinks::SINK_MENTIONS),
        ..RuleMeta::BASE
    },
    check: Some(check),
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    if ctx.file.is_test() {
        return;
    }
    for hit in ctx.flow().of(SinkKind::Atom) {
        let Some(flow) = hit.request_flow(|_| true) else {
            continue;
        };
        let message = format!(
            "Atom exhaustion: {}; atoms are never freed, so untrusted values can crash the node",
            hit.reach(flow, |b| ctx.line_of(b))
        );
        let mut f = Finding::new(&RULE.meta, hit.call.byte_range(), message);
        if let Some(fix) = existing_variant(hit.call, ctx.source) {
            f = f.with_fix(fix);
        }
        out.push(f);
    }
}

/// Renames `String.to_atom` (or its capture) to `String.to_existing_atom`, and the like.
fn existing_variant(node: Node<'_>, src: &str) -> Option<Fix> {
    let call = if node.kind() == "unary_operator" {
        let operand = node.field("operand")?;
        if elixir::is_binary_op(operand, src, "/") {
            operand.field("left")?
        } else {
            operand
        }
    } else {
        node
    };
    let name = call
        .field("target")
        .filter(|t| t.kind() == "dot")?
        .field("right")?;
    let (module, function) = elixir::remote_call(call, src)?;
    let replacement = match (module, text(name, src)) {
        ("String" | "List", "to_atom") => "to_existing_atom",
        (":erlang", "binary_to_atom") => "binary_to_existing_atom",
        (":erlang", "list_to_atom") => "list_to_existing_atom",
        _ => return None,
    };
    Some(Fix::unsafe_(
        format!("Use `{module}.{replacement}` (raises for unknown atoms)"),
        vec![Edit::replace(name.byte_range(), replacement)],
    ))
    .filter(|_| function == text(name, src))
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_support::*;

    const CODE: &str = "unsafe-atom";
    const PATH: &str = "lib/shop_web/controllers/product_controller.ex";

    fn found(src: &str) -> Vec<String> {
        findings_of(src, PATH, CODE)
            .into_iter()
            .map(|f| f.message)
            .collect()
    }

    const BAD: &str = r#"defmodule ShopWeb.ProductController do
  use ShopWeb, :controller

  def filter(conn, params) do
    filters = Map.new(params, fn {key, value} -> {String.to_atom(key), value} end)
    json(conn, Shop.Catalog.filter(filters))
  end

  def index(conn, %{"sort" => sort} = params) do
    fields = params |> Map.get("fields", "") |> String.split(",") |> Enum.map(&String.to_atom/1)
    products = Shop.Catalog.list_products(order_by: String.to_atom(sort), select: fields)
    render(conn, :index, products: products, view: :"view_#{params["view"]}")
  end
end
"#;

    #[test]
    fn params_turned_into_atoms() {
        let messages = found(BAD);
        assert_eq!(messages.len(), 4, "{messages:?}");
        assert!(messages[0].contains("`params` reaches `String.to_atom/1` through `key` (line 5)"));
        let messages = &messages[1..];
        assert!(
            messages[0].contains("`params` reaches `String.to_atom/1`"),
            "{}",
            messages[0]
        );
        assert!(
            messages[1].contains("`params[\"sort\"]` reaches `String.to_atom/1`"),
            "{}",
            messages[1]
        );
        assert!(
            messages[2].contains("atom interpolation"),
            "{}",
            messages[2]
        );
    }

    #[test]
    fn fix_uses_existing_atoms_and_is_offered_one_at_a_time() {
        let found = findings_of(BAD, PATH, CODE);
        assert!(!found[0].fix.as_ref().unwrap().safe);
        assert!(found[3].fix.is_none());
        let src = "defmodule ShopWeb.ProductController do\n  use ShopWeb, :controller\n\n  def index(conn, %{\"sort\" => sort}) do\n    render(conn, :index, sort: String.to_atom(sort), keys: Enum.map(conn.params[\"keys\"], &String.to_atom/1))\n  end\nend\n";
        let fixed = assert_clean_after_fix(src, PATH, CODE);
        assert!(
            fixed.contains("sort: String.to_existing_atom(sort)"),
            "{fixed}"
        );
        assert!(fixed.contains("&String.to_existing_atom/1"), "{fixed}");
    }

    #[test]
    fn literals_allow_lists_and_internal_data_are_fine() {
        let src = r#"defmodule ShopWeb.ProductController do
  use ShopWeb, :controller

  @sorts ~w(name price)

  def index(conn, %{"sort" => sort}) when sort in @sorts do
    render(conn, :index, sort: String.to_atom(sort), role: String.to_atom("admin"))
  end

  def show(conn, %{"id" => id}) do
    product = Shop.Catalog.get_product!(id)
    render(conn, :show, product: product, kind: String.to_atom(product.kind))
  end

  defp column(name), do: String.to_atom("sort_" <> name)
end
"#;
        assert_eq!(found(src), Vec::<String>::new());
    }
}
