//! `doc-without-example`: the `@doc` of a public function with no code sample: no `iex>`
//! example, no fenced or indented code block, and no "Examples" heading in any form.

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
                  run as doctests, so they stay true as the code changes. Any code sample \
                  counts: an `iex>` line, a fenced (```` ``` ```` or `~~~`) or indented \
                  (4 spaces) code block, or an Examples heading (`## Examples`, `### Example`, \
                  `Examples:`, `**Examples**`). Not flagged: `@impl` callbacks (their behaviour \
                  documents them), `@doc false`, computed docs, and test files and scripts.",
            bad: "@doc \"Adds two numbers.\"\ndef add(a, b), do: a + b",
            good: "@doc \"\"\"\nAdds two numbers.\n\n## Examples\n\n    iex> Math.add(1, 2)\n    3\n\"\"\"\ndef add(a, b), do: a + b",
            fix: "Add an `## Examples` section with `iex>` examples, and `doctest Module` in its test.",
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
    for module in ctx.modules() {
        for function in module.functions.iter().filter(|f| f.kind.is_public()) {
            if function
                .impl_attr
                .is_some_and(|i| i.value.is_none_or(|v| text(v, src) != "false"))
            {
                continue; // A callback: documented by its behaviour.
            }
            let Some(doc) = function.doc else { continue };
            if !ctx.in_scope(doc.node.start_byte()) {
                continue; // A re-lint keeps the previous finding there.
            }
            let Some(value) = doc.value else { continue };
            if !matches!(value.kind(), "string" | "sigil") {
                continue; // `@doc false`, or computed docs.
            }
            if has_code_sample(text(value, src)) {
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

/// Whether a doc string (as written, delimiters included) holds a code sample: an `iex>`
/// prompt, a fenced or indented code block, or an Examples heading.
fn has_code_sample(doc: &str) -> bool {
    if doc.contains("iex>") {
        return true;
    }
    let lines: Vec<&str> = doc.lines().collect();
    // Heredoc content is indented like its closing delimiter; measure code blocks from there.
    let base = lines
        .last()
        .filter(|l| {
            let t = l.trim_start();
            t.starts_with("\"\"\"") || t.starts_with("'''")
        })
        .map_or(0, |l| indent(l));
    // Not `true`: a doc whose first line is indented is prose written that way, not a sample.
    let mut previous_blank = false;
    let mut in_list = false;
    // The first line holds the opening delimiter (`"""`, `~S"""`), not content.
    for line in lines.iter().skip(1) {
        let trimmed = line.trim();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") || is_examples_heading(trimmed)
        {
            return true;
        }
        let blank = trimmed.is_empty();
        if !blank {
            if is_list_item(trimmed) {
                in_list = true;
            } else if indent(line) <= base {
                in_list = false;
            }
        }
        // An indented line after a blank one starts a code block, unless it continues a list.
        if !blank && previous_blank && !in_list && indent(line) >= base + 4 {
            return true;
        }
        previous_blank = blank;
    }
    false
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// `- item`, `* item`, `1. item`: indented lists and their continuations are not code.
fn is_list_item(line: &str) -> bool {
    line.starts_with("- ")
        || line.starts_with("* ")
        || line
            .split_once(". ")
            .is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

/// `## Examples`, `### Example`, `Examples:`, `**Examples**`, `Example` alone on its line.
fn is_examples_heading(line: &str) -> bool {
    let is_heading = line.starts_with('#');
    let words = line
        .trim_start_matches('#')
        .trim()
        .trim_matches('*')
        .trim_end_matches(':')
        .trim()
        .to_ascii_lowercase();
    matches!(
        words.as_str(),
        "example" | "examples" | "usage example" | "usage examples"
    ) || (is_heading && words.starts_with("example"))
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_support::*;

    const CODE: &str = "doc-without-example";

    #[test]
    fn flags_docs_without_examples() {
        let src = "defmodule A do\n  @moduledoc \"A.\"\n  @doc \"Adds.\"\n  def add(a, b), do: a + b\n  @doc \"\"\"\n  Subtracts.\n\n  ## Examples\n\n      iex> A.sub(2, 1)\n      1\n  \"\"\"\n  def sub(a, b), do: a - b\n  @doc ~S\"\"\"\n      iex> A.mul(2, 2)\n      4\n  \"\"\"\n  def mul(a, b), do: a * b\n  @doc false\n  def hidden, do: 1\nend\n";
        let found = findings_of(src, "lib/a.ex", CODE);
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].message,
            "The @doc of `add/2` has no example (`iex>` or `## Examples`)"
        );
    }

    #[test]
    fn any_code_sample_counts() {
        let src = r#"defmodule Shop.Money do
  @moduledoc "Money."

  @doc """
  Formats an amount.

  ```elixir
  Shop.Money.format(100, :eur)
  ```
  """
  def format(amount, currency), do: {amount, currency}

  @doc """
  Parses an amount.

      Shop.Money.parse("1.00 EUR")
  """
  def parse(s), do: s

  @doc """
  Adds two amounts.

  Examples:

  Shop.Money.add(a, b)
  """
  def add(a, b), do: {a, b}

  @doc """
  Converts.

  ### Example
  """
  def convert(a), do: a

  @doc """
  Rounds.

  **Examples**

  ~~~
  Shop.Money.round(a)
  ~~~
  """
  def round(a), do: a

  @impl true
  @doc "Handles the cast."
  def handle_cast(msg, state), do: {:noreply, [msg | state]}
end
"#;
        let found = findings_of(src, "lib/shop/money.ex", CODE);
        assert!(found.is_empty(), "{found:#?}");
    }

    #[test]
    fn prose_and_lists_are_not_samples() {
        let src = r#"defmodule Shop.Money do
  @moduledoc "Money."

  @doc """
  Splits an amount.

  ## Options

    * `:parts` - how many parts

        more about parts, still in the list item
  """
  def split(a, opts), do: {a, opts}

  @doc "See the examples in the guide."
  def guide, do: :ok

  @doc """
      Marks a contact as opted in.
  """
  def opt_in(contact), do: contact
end
"#;
        let found = findings_of(src, "lib/shop/money.ex", CODE);
        let messages: Vec<&str> = found.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(messages.len(), 3, "{messages:#?}");
    }
}
