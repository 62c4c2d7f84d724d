//! `line-too-long`: a line longer than the project's `line_length` (`.formatter.exs`, default
//! 98; the rule's `max:` option overrides it), measured as `Credo.Check.Readability.MaxLineLength`
//! measures: without the contents of strings, heredocs and sigils (interpolations included), skipping lines that hold a
//! URL-like token and lines that start a `def`.

use std::ops::Range;

use crate::syntax::Node;

use crate::lint::{Finding, LintContext, Rule, RuleDocs, RuleMeta, Severity};
use crate::syntax::elixir;

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "line-too-long",
        level: 1,
        severity: Severity::Info,
        fixable: false,
        summary: "Lines over the limit, ignoring strings, heredocs, URLs and `@doc`/`@moduledoc`",
        docs: RuleDocs {
            why: "`mix format` wraps code at the `line_length` of `.formatter.exs` (98 by \
                  default) but cannot shorten a long comment or a long chain of names; such lines \
                  force horizontal scrolling in reviews and side-by-side diffs. The limit is \
                  `.formatter.exs`'s `line_length`, or the rule's `max:` option. Lines are \
                  measured as Credo's `Readability.MaxLineLength` measures them. Not flagged: the \
                  text of strings, heredocs and sigils (which `mix format` does not wrap either), \
                  `@doc`/`@moduledoc`/`@typedoc` lines, lines that start a `def`, and lines \
                  holding a URL-like token — with Credo's pattern, which also matches dotted \
                  names such as `Repo.all`.",
            bad: "    # Retry the webhook delivery with exponential backoff until the partner endpoint acknowledges the event or we give up\n    deliver(event, attempt + 1)",
            good: "    # Retry the webhook delivery with exponential backoff until the partner\n    # endpoint acknowledges the event or we give up.\n    deliver(event, attempt + 1)",
            fix: "Wrap the comment, or split the expression (introduce a variable, a pipe or a \
                  helper) so that `mix format` can lay it out.",
        },
        options: &[(
            "max",
            "the longest line allowed (default: `line_length` of `.formatter.exs`, else 98)",
        )],
        credo: &["Credo.Check.Readability.MaxLineLength"],
        scope: crate::lint::Scope::Function,
        ..RuleMeta::BASE
    },
    check: Some(check),
};

/// `mix format`'s default `line_length`.
const DEFAULT_LINE_LENGTH: usize = 98;

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    let default = ctx
        .config
        .formatter_line_length
        .unwrap_or(DEFAULT_LINE_LENGTH) as i64;
    let max = ctx.option_int(RULE.meta.code, "max", default).max(1) as usize;
    let src = ctx.source;
    // Only the long lines in scope are looked at: most files have none, and a re-lint's
    // context reads its own stretches (after an edit, the edited functions' lines), not every
    // line of the file.
    let long: Vec<Long> = ctx
        .scope_ranges()
        .into_iter()
        .flat_map(|r| long_lines(ctx, r, max))
        .filter(|l| ctx.in_scope(l.range.start))
        .collect();
    if long.is_empty() {
        return;
    }
    let mut excluded = vec![0usize; long.len()];
    let mut skipped = vec![false; long.len()];
    collect_exclusions(ctx, &long, &mut excluded, &mut skipped);
    for (i, Long { range, .. }) in long.iter().enumerate() {
        let line = &src[range.clone()];
        if skipped[i] {
            continue;
        }
        let length = line.chars().count();
        let measured = length.saturating_sub(excluded[i]);
        if measured <= max || has_url(&comparison_line(ctx, range.clone())) {
            continue;
        }
        let start = range.start + line.char_indices().nth(max).map_or(line.len(), |(b, _)| b);
        out.push(Finding::new(
            &RULE.meta,
            start..range.end,
            format!("Line is {length} characters long (max {max})"),
        ));
    }
}

/// A line: its row and its bytes, without the terminator.
struct Long {
    row: usize,
    range: Range<usize>,
}

/// The lines of `stretch` (which starts at the start of a line) longer than `max` bytes, found
/// from the line breaks (memchr: a re-check of the skeleton reads half a large file).
fn long_lines(ctx: &LintContext<'_>, stretch: Range<usize>, max: usize) -> Vec<Long> {
    let src = ctx.source;
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut start = stretch.start;
    // The row of the last long line and the breaks since: rows are counted on from it.
    let mut last: Option<(usize, usize)> = None;
    let breaks = memchr::memchr_iter(b'\n', &bytes[stretch.clone()]).map(|i| stretch.start + i);
    let ends = breaks.chain((stretch.end == src.len()).then_some(src.len()));
    for (k, end) in ends.enumerate() {
        if start > end || start >= stretch.end {
            break;
        }
        // Without its terminator (and any `\r` before it).
        let content_end = start + src[start..end].trim_end_matches('\r').len();
        if content_end - start > max {
            let row = match last {
                Some((row, at)) => row + (k - at),
                None => ctx.tree.row_of(start),
            };
            last = Some((row, k));
            out.push(Long {
                row,
                range: start..content_end,
            });
        }
        start = end + 1;
    }
    out
}

/// Counts, per line, the characters of string, heredoc and sigil contents, and marks the lines
/// that are never reported (`def` lines, documentation attributes).
fn collect_exclusions(
    ctx: &LintContext<'_>,
    long: &[Long],
    excluded: &mut [usize],
    skipped: &mut [bool],
) {
    let src = ctx.source;
    // Only the long lines are measured: a subtree touching none of them changes nothing
    // (most of a file, and all of it but one function after an edit).
    let touches_long = |node: Node<'_>| {
        let i = long.partition_point(|l| l.range.end < node.start_byte());
        long.get(i)
            .is_some_and(|l| l.range.start <= node.end_byte())
    };
    // The long lines on rows `rows`.
    let on_rows = |rows: std::ops::RangeInclusive<usize>| {
        let first = long.partition_point(|l| l.row < *rows.start());
        first
            ..first
                + long[first..]
                    .iter()
                    .take_while(|l| rows.contains(&l.row))
                    .count()
    };
    elixir::walk(ctx.tree.root_node(), &mut |node| match node.kind() {
        _ if !touches_long(node) => false,
        // The contents are read from their literal rather than as the walk reaches them:
        // asking each content node for its parent costs a descent from the root. A literal's
        // children are tokens and contents only, so nothing else of the walk is skipped.
        kind if is_literal(kind) => {
            let mut cursor = node.walk();
            for child in node.children(&mut cursor) {
                if is_content(child) {
                    count_chars(src, child.byte_range(), long, excluded);
                }
            }
            false
        }
        "call" => {
            if crate::lint::analysis::metrics::metric_def_kind(node, src).is_some() {
                let row = node.start_position().row;
                for s in &mut skipped[on_rows(row..=row)] {
                    *s = true;
                }
            }
            true
        }
        "unary_operator" => {
            if let Some(attr) = elixir::attribute(node, src)
                && matches!(attr.name, "doc" | "moduledoc" | "typedoc" | "shortdoc")
            {
                let (a, b) = (node.start_position().row, node.end_position().row);
                for s in &mut skipped[on_rows(a..=b)] {
                    *s = true;
                }
                return false;
            }
            true
        }
        _ => true,
    });
}

/// Adds the characters of `range` to the lines they are on.
fn count_chars(src: &str, range: Range<usize>, lines: &[Long], excluded: &mut [usize]) {
    let first = lines.partition_point(|l| l.range.end < range.start);
    for (i, Long { range: line, .. }) in lines.iter().enumerate().skip(first) {
        if line.start >= range.end {
            break;
        }
        let (a, b) = (line.start.max(range.start), line.end.min(range.end));
        if a < b {
            excluded[i] += src[a..b].chars().count();
        }
    }
}

/// The line with the contents of strings, heredocs and sigils removed, as Credo compares it.
fn comparison_line(ctx: &LintContext<'_>, range: Range<usize>) -> String {
    let src = ctx.source;
    let mut out = String::new();
    let mut at = range.start;
    let root = ctx.tree.root_node();
    let mut contents = Vec::new();
    collect_contents(root, range.clone(), &mut contents);
    for r in contents {
        let (a, b) = (r.start.max(range.start), r.end.min(range.end));
        if a >= b || a < at {
            continue;
        }
        out.push_str(&src[at..a]);
        at = b;
    }
    out.push_str(&src[at..range.end]);
    out
}

/// Text, escapes and interpolations between the delimiters of a string, charlist or sigil:
/// Credo blanks interpolations, then drops everything inside the quotes.
fn is_content(node: Node<'_>) -> bool {
    matches!(
        node.kind(),
        "quoted_content" | "escape_sequence" | "interpolation"
    )
}

/// The literals whose contents [`is_content`] picks out.
fn is_literal(kind: &str) -> bool {
    matches!(kind, "string" | "charlist" | "sigil")
}

/// The content ranges of literals overlapping `range`, in order.
fn collect_contents(node: Node<'_>, range: Range<usize>, out: &mut Vec<Range<usize>>) {
    let mut cursor = node.walk();
    let in_literal = is_literal(node.kind());
    for child in node.children(&mut cursor) {
        if child.end_byte() <= range.start || child.start_byte() >= range.end {
            continue;
        }
        if in_literal && is_content(child) {
            out.push(child.byte_range());
        } else {
            collect_contents(child, range.clone(), out);
        }
    }
}

/// Credo's URL pattern, `[-a-zA-Z0-9@:%._+~#=]{2,256}\.[a-z]{2,6}\b…`: two URL characters, a dot,
/// then a run of 2 to 6 lowercase letters that ends a word.
fn has_url(line: &str) -> bool {
    let b = line.as_bytes();
    let url_char = |c: u8| c.is_ascii_alphanumeric() || b"-@:%._+~#=".contains(&c);
    let word_char = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    for (i, &c) in b.iter().enumerate() {
        if c != b'.' || i < 2 || !url_char(b[i - 1]) || !url_char(b[i - 2]) {
            continue;
        }
        let run = b[i + 1..]
            .iter()
            .take_while(|c| c.is_ascii_lowercase())
            .count();
        let ends_word = b.get(i + 1 + run).is_none_or(|&n| !word_char(n));
        if (2..=6).contains(&run) && ends_word {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::has_url;
    use crate::config::Config;
    use crate::lint::rules::test_support::*;
    use crate::lint::{FileInfo, lint_source};

    const CODE: &str = "line-too-long";

    const BAD: &str = r#"defmodule Shop.Webhooks do
  def deliver(event, attempt) do
    # Retry the webhook delivery with exponential backoff until the partner endpoint acknowledges it
    schedule(event, attempt + 1, backoff_in_milliseconds_for_attempt_number(attempt, jitter_factor, cap))
  end
end
"#;

    #[test]
    fn flags_long_code_and_comments_beyond_the_formatter_default() {
        let found = findings_of(BAD, "lib/shop/webhooks.ex", CODE);
        assert_eq!(finding_lines(BAD, "lib/a.ex", CODE), vec![3, 4]);
        assert!(
            found[0].message.contains("(max 98)"),
            "{}",
            found[0].message
        );
        assert_eq!(found[0].range.end, BAD.find(" it\n").unwrap() + 3);
    }

    #[test]
    fn follows_formatter_line_length_and_the_max_option() {
        let mut config = Config::default();
        config.formatter_line_length = Some(120);
        let found = lint_source(BAD, &FileInfo::new("lib/a.ex"), &config);
        assert!(!found.iter().any(|f| f.code == CODE));
        let max = "[rules: [\"line-too-long\": [max: 101]]]";
        assert_eq!(findings_with_config(BAD, "lib/a.ex", max, CODE).len(), 1);
    }

    #[test]
    fn strings_heredocs_docs_urls_and_defs_are_ignored() {
        let src = r#"defmodule Shop.Webhooks do
  @moduledoc """
  Delivers webhooks to partner endpoints, retrying with exponential backoff until acknowledged by them.
  """

  @doc "Delivers one event to the partner endpoint registered for it, retrying with backoff when it fails."
  def deliver(event, attempt) do
    Logger.warning("Webhook delivery to the partner endpoint failed, will retry with exponential backoff")
    # See https://developer.example.com/docs/webhooks/retries#exponential-backoff-and-jitter-explained
    message = ~s(The partner endpoint did not acknowledge the event, retrying later with more backoff)
    message
  end

  def handle_delivery_failure(%Event{id: id, partner_id: partner_id} = event, attempt, reason) do
    :ok
  end
end
"#;
        assert!(findings_of(src, "lib/a.ex", CODE).is_empty());
    }

    #[test]
    fn url_pattern_is_credos() {
        assert!(has_url("see https://hexdocs.pm/phoenix"));
        assert!(has_url("Repo.all(query)"));
        assert!(!has_url("socket.assigns.current_user"));
        assert!(!has_url("x = 1.5"));
    }

    #[test]
    fn crlf_lines_and_an_unterminated_last_line_are_measured_without_their_breaks() {
        let long = format!("    x = {}", "a + ".repeat(30));
        let exact = format!("    y = {}", "b".repeat(90));
        let doc = format!("  @doc \"{}\"", "word ".repeat(30));
        let src = format!(
            "defmodule A do\r\n{doc}\r\n  def f(a) do\r\n{long}\r\n{exact}\r\n  end\r\nend\r\n# {}",
            "c".repeat(120)
        );
        let found = findings_of(&src, "lib/a.ex", CODE);
        let lines: Vec<&str> = found
            .iter()
            .map(|f| src[..f.range.end].rsplit('\n').next().unwrap())
            .collect();
        // The 98-byte line without its `\r\n` is not over; the doc line is skipped.
        assert_eq!(lines, [long.as_str(), &*format!("# {}", "c".repeat(120))]);
        assert!(found.iter().all(|f| !src[f.range.clone()].contains('\r')));
    }
}
