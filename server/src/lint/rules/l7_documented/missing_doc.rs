//! `missing-doc`: a public function or macro without `@doc`, in a module that is documented
//! (its `@moduledoc` is not `false`). Callbacks (`@impl`, or implied by `use GenServer`,
//! `@behaviour Plug`, `defexception`… — documented by their behaviour),
//! `defdelegate` (ExDoc links the target), `__using__`-style hooks and `@doc false` functions
//! are exempt.

use crate::lint::{Edit, Finding, Fix, LintContext, Rule, RuleDocs, RuleMeta, Severity};
use crate::project::lookup;
use crate::syntax::elixir::{self, DefKind, ModuleKind};
use crate::syntax::module_model::Function;
use crate::syntax::text;

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "missing-doc",
        level: 7,
        severity: Severity::Warning,
        fixable: true,
        summary: "Public function without `@doc` in a documented module",
        docs: RuleDocs {
            why: "A documented module's public functions are its API: ExDoc lists them and IEx's \
                  `h/1` shows their docs. An undocumented one makes every caller read its body. \
                  Functions that are public only for technical reasons take `@doc false`.",
            bad: "defmodule Shop.Orders do\n  @moduledoc \"Orders.\"\n  def place(cart), do: {:ok, cart}\nend",
            good: "defmodule Shop.Orders do\n  @moduledoc \"Orders.\"\n  @doc \"Places an order for the cart.\"\n  def place(cart), do: {:ok, cart}\nend",
            fix: "Inserts a `@doc` heredoc stub above the function (above its `@spec` and other \
                  attributes). It needs a human to write it, so it is not applied in bulk.",
        },
        scope: crate::lint::Scope::Function,
        reads_heads: true,
        ..RuleMeta::BASE
    },
    check: Some(check),
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    if ctx.file.is_test() || ctx.file.is_script() {
        return;
    }
    let src = ctx.source;
    for (i, module) in ctx.modules().iter().enumerate() {
        let documented = module
            .attribute("moduledoc")
            .and_then(|a| a.value)
            .is_some_and(|v| text(v, src) != "false");
        if !documented || module.def.kind == ModuleKind::Impl {
            continue;
        }
        for function in &module.functions {
            if !function.kind.is_public()
                || function.kind == DefKind::Defdelegate
                || function.doc.is_some()
                || function.impl_attr.is_some()
                || lookup::spec_comes_with_use(ctx, i, function.name, function.arity)
                || function.name.starts_with("__")
            {
                continue;
            }
            let what = if function.kind.is_macro() {
                "macro"
            } else {
                "function"
            };
            let message = format!("Public {what} `{}` has no @doc", function.label());
            let first = function.first();
            let finding = Finding::new(&RULE.meta, first.name_node.byte_range(), message);
            out.push(finding.with_fix(doc_stub(src, function)));
        }
    }
}

/// The `@doc` stub, above the attributes that belong to the function (its `@spec`, `@impl`,
/// `@deprecated`… directly above its first clause) and nothing of the function before it.
fn doc_stub(src: &str, function: &Function<'_>) -> Fix {
    let first = function.first();
    let mut top = first.node;
    while let Some(prev) = top.prev_named_sibling() {
        let belongs = elixir::attribute(prev, src)
            .is_some_and(|a| !matches!(a.name, "doc" | "moduledoc" | "type" | "typep" | "opaque"))
            || prev.kind() == "comment";
        // Only attributes on the lines right above (no blank line between).
        let adjacent = src[prev.end_byte()..top.start_byte()].matches('\n').count() <= 1;
        if !belongs || !adjacent {
            break;
        }
        top = prev;
    }
    let indent = elixir::indentation(src, first.node.start_byte());
    let stub = format!(
        "{indent}@doc \"\"\"\n{indent}TODO: document `{}`.\n{indent}\"\"\"\n",
        function.label()
    );
    Fix::unsafe_(
        "Insert @doc stub",
        vec![Edit::insert(
            elixir::line_start(src, top.start_byte()),
            stub,
        )],
    )
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_support::*;

    const CODE: &str = "missing-doc";

    #[test]
    fn flags_in_documented_modules_and_inserts_above_the_spec() {
        let src = "defmodule A do\n  @moduledoc \"A.\"\n\n  @doc \"F.\"\n  def f, do: 1\n  @spec g(integer()) :: integer()\n  def g(x), do: x\nend\n";
        let found = findings_of(src, "lib/a.ex", CODE);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].message, "Public function `g/1` has no @doc");
        let fixed = assert_clean_after_fix(src, "lib/a.ex", CODE);
        assert!(fixed.contains("  def f, do: 1\n  @doc \"\"\"\n  TODO: document `g/1`.\n  \"\"\"\n  @spec g(integer())"), "{fixed}");
    }

    #[test]
    fn exemptions() {
        let src = "defmodule A do\n  @moduledoc \"A.\"\n  @behaviour B\n  @impl true\n  def init(x), do: x\n  @doc false\n  def hidden, do: 1\n  defdelegate d(x), to: B\n  defp p, do: 1\n  defmacro __using__(_), do: nil\nend\n";
        assert!(findings_of(src, "lib/a.ex", CODE).is_empty());
        let undocumented = "defmodule A do\n  @moduledoc false\n  def f, do: 1\nend\n";
        assert!(findings_of(undocumented, "lib/a.ex", CODE).is_empty());
        let no_moduledoc = "defmodule A do\n  def f, do: 1\nend\n";
        assert!(findings_of(no_moduledoc, "lib/a.ex", CODE).is_empty());
    }

    #[test]
    fn multi_clause_and_defaults_are_one_function() {
        let src = "defmodule A do\n  @moduledoc \"A.\"\n  @doc \"F.\"\n  def f(a, b \\\\ 1)\n  def f(0, b), do: b\n  def f(a, b), do: a + b\nend\n";
        assert!(findings_of(src, "lib/a.ex", CODE).is_empty());
    }
}
