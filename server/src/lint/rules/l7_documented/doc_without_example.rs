//! `doc-without-example`: the `@doc` of a public function with neither an `iex>` example nor
//! an `## Examples` section.

use crate::lint::{Finding, LintContext, Rule, RuleDocs, RuleMeta, Severity};
use crate::syntax::text;

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "doc-without-example",
        level: 7,
        severity: Severity::Hint,
        summary: "`@doc` without an `iex>` example or `## Examples` section",
        docs: RuleDocs {
            why: "An example is the fastest way to understand a function, and `iex>` examples \
                  run as doctests, so they stay true as the code changes.",
            bad: "@doc \"Adds two numbers.\"\ndef add(a, b), do: a + b",
            good: "@doc \"\"\"\nAdds two numbers.\n\n## Examples\n\n    iex> Math.add(1, 2)\n    3\n\"\"\"\ndef add(a, b), do: a + b",
            fix: "Add an `## Examples` section with `iex>` examples, and `doctest Module` in its test.",
        },
        ..RuleMeta::BASE
    },
    check: Some(check),
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    if ctx.file.is_test() || ctx.file.is_script() {
        return;
    }
    let src = ctx.source;
    for module in ctx.modules() {
        for function in module.functions.iter().filter(|f| f.kind.is_public()) {
            let Some(doc) = function.doc else { continue };
            let Some(value) = doc.value else { continue };
            if !matches!(value.kind(), "string" | "sigil") {
                continue; // `@doc false`, or computed docs.
            }
            let body = text(value, src);
            if body.contains("iex>") || body.to_lowercase().contains("## example") {
                continue;
            }
            let message = format!(
                "The @doc of `{}` has no example (`iex>` or `## Examples`)",
                function.label()
            );
            out.push(Finding::new(&RULE.meta, doc.node.byte_range(), message));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_support::*;

    #[test]
    fn flags_docs_without_examples() {
        let src = "defmodule A do\n  @moduledoc \"A.\"\n  @doc \"Adds.\"\n  def add(a, b), do: a + b\n  @doc \"\"\"\n  Subtracts.\n\n  ## Examples\n\n      iex> A.sub(2, 1)\n      1\n  \"\"\"\n  def sub(a, b), do: a - b\n  @doc ~S\"\"\"\n      iex> A.mul(2, 2)\n      4\n  \"\"\"\n  def mul(a, b), do: a * b\n  @doc false\n  def hidden, do: 1\nend\n";
        let found = findings_of(src, "lib/a.ex", "doc-without-example");
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].message,
            "The @doc of `add/2` has no example (`iex>` or `## Examples`)"
        );
    }
}
