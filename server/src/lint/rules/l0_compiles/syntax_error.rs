//! `syntax-error`: code that does not parse.
//!
//! First the scanner of [`crate::syntax::scanner`]: delimiters matched as Elixir's tokenizer
//! matches them, the culprit of a mismatch placed by layout (one finding per broken region,
//! at the place the missing `end`, `)`, `]` or `}` belongs, naming its opener), and the missing
//! commas tree-sitter accepts. When the scanner finds nothing, what tree-sitter could not parse
//! (`ERROR` nodes) or had to invent (`MISSING` nodes), one finding per region.

use crate::syntax::Fields as _;
use crate::syntax::Node;

use crate::lint::{Edit, Finding, Fix, LintContext, Rule, RuleDocs, RuleMeta, Severity};
use crate::syntax::{elixir, scanner, text};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "syntax-error",
        level: 0,
        severity: Severity::Error,
        summary: "Code that does not parse: missing `end`, unclosed brackets, unexpected tokens",
        docs: RuleDocs {
            why: "Code that does not parse does not compile: nothing above L0 can be trusted until \
                  it does. Shown as you type, before any `mix compile`.",
            bad: "defmodule Shop do\n  def total(items) do\n    Enum.sum(items)\n\n  def empty?, do: true\nend",
            good: "defmodule Shop do\n  def total(items) do\n    Enum.sum(items)\n  end\n\n  def empty?, do: true\nend",
            fix: "Add what the message names at the place it points to: the missing `end` or \
                  closer belongs right after the underlined token (the related location shows \
                  its opener; the code action inserts it there).",
        },
        ..RuleMeta::BASE
    },
    check: Some(check),
};

/// More would only repeat the first few: one mistake often derails the rest of the file.
const MAX_FINDINGS: usize = 20;

/// tree-sitter errors this close (in lines) to the previous one are the same broken region.
const REGION_LINES: usize = 3;

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    // Shared with the incremental re-lint, which knows when an edit cannot have broken it.
    let found = ctx.scanner_problems();
    if !found.is_empty() {
        out.extend(found.iter().take(MAX_FINDINGS).cloned().map(scanned));
        return;
    }
    let root = ctx.tree.root_node();
    if !root.has_error() {
        return;
    }
    let mut problems = Vec::new();
    let mut last_line = None;
    elixir::walk(root, &mut |node| {
        if problems.len() >= MAX_FINDINGS {
            return false;
        }
        let valid = is_access_keyword(node, ctx.source) || is_spaced_access(node, ctx.source);
        if node.is_missing() || (node.is_error() && !valid) {
            // Errors right after another are its cascade, not a new mistake.
            let line = ctx.line_of(node.start_byte());
            if last_line.is_none_or(|l| line > l + REGION_LINES) {
                problems.push(node);
            }
            last_line = Some(ctx.line_of(node.end_byte()));
            return false;
        }
        node.has_error()
    });
    for node in problems {
        let finding = if node.is_missing() {
            missing(ctx, node)
        } else {
            unexpected(ctx, node)
        };
        out.push(finding);
    }
}

/// A scanner problem as a finding. Its insertion is a guess: offered as a code action (an
/// alternative), never the rule's fix, so `--fix --unsafe-fixes` leaves it alone and the rule
/// stays unfixable as the catalogue says.
fn scanned(p: scanner::Problem) -> Finding {
    let mut finding = Finding::new(&RULE.meta, p.range, p.message);
    for (range, message) in p.related {
        finding = finding.with_related(range, message);
    }
    if let Some((at, text)) = p.insert {
        let title = format!("Insert `{}`", text.trim());
        finding = finding.with_alternative(Fix::unsafe_(title, vec![Edit::insert(at, text)]));
    }
    finding
}

/// `map[key: value]` (a keyword list inside access brackets) is valid Elixir that
/// tree-sitter-elixir does not parse: it leaves an `ERROR` holding just the `: ` between the key
/// and its value, in the call that is the access's key. Not a syntax error.
fn is_access_keyword(node: Node<'_>, src: &str) -> bool {
    let Some(call) = node.parent().filter(|p| p.kind() == "call") else {
        return false;
    };
    let in_access = call
        .parent()
        .is_some_and(|a| a.kind() == "access_call" && a.field("key") == Some(call));
    in_access && text(node, src).trim() == ":"
}

/// `:a [:b]` and `{x} [y]` parse in Elixir (an access with a space before the bracket);
/// tree-sitter-elixir leaves an `ERROR` starting at the value before the bracket.
fn is_spaced_access(node: Node<'_>, src: &str) -> bool {
    let mut leaf = node;
    while let Some(child) = leaf.child(0) {
        leaf = child;
    }
    let spaced_bracket = |at: usize| {
        let after = src.get(at..).unwrap_or("");
        let rest = after.trim_start_matches([' ', '\t']);
        rest.len() < after.len() && rest.starts_with('[')
    };
    if spaced_bracket(leaf.end_byte()) || spaced_bracket(node.end_byte()) {
        return true;
    }
    // tree-sitter may also give up later on the line (`{{:error, _} [d | r]} ->`).
    let start = elixir::line_start(src, node.start_byte());
    let line = src[start..].lines().next().unwrap_or("");
    line.match_indices(" [").any(|(i, _)| {
        // The value before the bracket: a closer, a string, an atom or a number (a name
        // there is a call without parentheses, which tree-sitter parses).
        let word = line[..i]
            .rsplit([' ', '(', ',', '{', '['])
            .next()
            .unwrap_or("");
        word.ends_with([')', ']', '}', '"', '\''])
            || (word.starts_with(':') && word.len() > 1)
            || word.parse::<f64>().is_ok()
    })
}

fn line_no(ctx: &LintContext<'_>, byte: usize) -> usize {
    ctx.line_of(byte) + 1
}

fn missing(ctx: &LintContext<'_>, node: Node<'_>) -> Finding {
    let token = node.kind();
    let parent = node.parent();
    if let (Some(block), "end") = (parent, token) {
        let (opener, keyword) = unclosed_block(ctx, block);
        let message = format!(
            "missing `end` for the `{keyword}` on line {}",
            line_no(ctx, opener.start_byte())
        );
        return Finding::new(&RULE.meta, opener.byte_range(), message);
    }
    if let Some(open) = parent
        .and_then(|p| p.child(0))
        .filter(|o| is_opener(o.kind()) && *o != node)
    {
        let message = format!(
            "missing `{token}` to close the `{}` on line {}",
            open.kind(),
            line_no(ctx, open.start_byte())
        );
        return Finding::new(&RULE.meta, open.byte_range(), message);
    }
    let at = node.start_byte();
    Finding::new(&RULE.meta, at..at, format!("missing `{token}`"))
}

fn is_opener(kind: &str) -> bool {
    matches!(
        kind,
        "(" | "[" | "{" | "%{" | "<<" | "\"" | "'" | "\"\"\"" | "'''" | "fn" | "do"
    )
}

/// The `do`/`fn` token that lacks its `end`. tree-sitter reports the `end` missing on the outer
/// block, because an inner block took the outer block's `end`. The inner block whose `end` is
/// not aligned with the line that opened it is the one really missing it.
fn unclosed_block<'t>(ctx: &LintContext<'_>, block: Node<'t>) -> (Node<'t>, &'static str) {
    let src = ctx.source;
    let mut found = None;
    elixir::walk(block, &mut |n| {
        if found.is_some() {
            return false;
        }
        if n != block && matches!(n.kind(), "do_block" | "anonymous_function") {
            let end = (0..n.child_count() as u32)
                .rev()
                .filter_map(|i| n.child(i))
                .find(|c| c.kind() == "end");
            if let Some(end) = end.filter(|e| !e.is_missing()) {
                let opener_indent = elixir::indentation(src, n.start_byte()).len();
                let end_col = end.start_byte() - elixir::line_start(src, end.start_byte());
                if end_col != opener_indent
                    && ctx.line_of(end.start_byte()) != ctx.line_of(n.start_byte())
                {
                    found = Some(n);
                    return false;
                }
            }
        }
        true
    });
    let target = found.unwrap_or(block);
    let keyword = if target.kind() == "anonymous_function" {
        "fn"
    } else {
        "do"
    };
    let opener = target
        .child(0)
        .filter(|c| c.kind() == keyword)
        .unwrap_or(target);
    (opener, keyword)
}

fn unexpected(ctx: &LintContext<'_>, node: Node<'_>) -> Finding {
    let mut leaf = node;
    while let Some(child) = leaf.child(0) {
        leaf = child;
    }
    let token = text(leaf, ctx.source).lines().next().unwrap_or("").trim();
    if token.is_empty() {
        return Finding::new(&RULE.meta, node.byte_range(), "syntax error");
    }
    let shown: String = token.chars().take(30).collect();
    let ellipsis = if shown.len() < token.len() { "…" } else { "" };
    Finding::new(
        &RULE.meta,
        leaf.byte_range(),
        format!("syntax error: unexpected `{shown}{ellipsis}`"),
    )
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_support::*;

    fn messages(src: &str) -> Vec<String> {
        findings_of(src, "lib/a.ex", "syntax-error")
            .into_iter()
            .map(|f| f.message)
            .collect()
    }

    #[test]
    fn missing_end_names_the_do_by_indentation() {
        let src = "defmodule A do\n  def f(x) do\n    x + 1\n\n  def g, do: 2\nend\n";
        assert_eq!(
            messages(src),
            ["the `do` of `def f/1` on line 2 has no `end`"]
        );
        assert_eq!(finding_lines(src, "lib/a.ex", "syntax-error"), [3]);
        let outer = "defmodule A do\n  def f(x) do\n    x\n  end\n";
        assert_eq!(
            messages(outer),
            ["the `do` of `defmodule A` on line 1 has no `end`"]
        );
    }

    #[test]
    fn the_opener_is_related_and_the_closer_offered() {
        let src = "defmodule A do\n  def f(x) do\n    x + 1\n\n  def g, do: 2\nend\n";
        let f = &findings_of(src, "lib/a.ex", "syntax-error")[0];
        assert_eq!(f.related.len(), 1);
        assert_eq!(&src[f.related[0].range.clone()], "do");
        assert_eq!(f.related[0].range.start, src.find("do\n    x").unwrap());
        assert!(f.fix.is_none(), "a guess is never the fix");
        let fix = f.alternatives.first().expect("an insertion is offered");
        assert!(!fix.safe);
        let fixed = crate::lint::fix::apply_edits(src, &fix.edits).unwrap();
        assert_eq!(
            fixed,
            "defmodule A do\n  def f(x) do\n    x + 1\n  end\n\n  def g, do: 2\nend\n"
        );
        assert!(messages(&fixed).is_empty());
    }

    #[test]
    fn missing_bracket_names_its_opener() {
        let src = "defmodule A do\n  def f(x) do\n    foo(x, [1, 2)\n  end\nend\n";
        assert_eq!(
            messages(src),
            ["the `[` on line 3 is never closed; `)` found on line 3"]
        );
    }

    #[test]
    fn unexpected_tokens_are_reported() {
        let found = messages("defmodule A do\n  def f(x) do\n    x + * 2\n  end\nend\n");
        assert!(!found.is_empty());
        assert!(found[0].starts_with("syntax error"), "{found:?}");
    }

    #[test]
    fn keyword_lists_in_access_brackets_are_valid() {
        assert!(
            messages("x = Ecto.Query.Query[from: module]\ny = m[from: 1, select: 2]\n").is_empty()
        );
        assert!(!messages("x = m[from: ]\n").is_empty() || !messages("x = m[: 1]\n").is_empty());
    }

    #[test]
    fn missing_commas_tree_sitter_accepts_are_errors() {
        let src = "defmodule A do\n  def f do\n    [a: 1 b: 2]\n  end\nend\n";
        assert_eq!(
            messages(src),
            ["missing `,` between `1` and `b:` on line 3"]
        );
    }

    #[test]
    fn access_after_a_space_is_valid() {
        assert!(messages("create index(:line_items [:order_id])\n").is_empty());
        assert!(messages("x = {{:error, _} [delay | rest]}\n").is_empty());
        assert!(!messages("plug :load when action in [:a] + * 2\n").is_empty());
    }

    #[test]
    fn valid_code_has_no_finding() {
        assert!(messages("defmodule A do\n  def f(x), do: fn y -> x + y end\nend\n").is_empty());
    }
}
