//! `fixme-comment`: `FIXME` tags in comments and at the start of doc attributes (Credo's
//! `Design.TagFIXME`, with its default `include_doc: true`).

use super::tags::find_tags;
use crate::lint::{Finding, LintContext, Rule, RuleDocs, RuleMeta, Severity};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "fixme-comment",
        level: 2,
        severity: Severity::Warning,
        fixable: false,
        summary: "`FIXME` tags in comments",
        docs: RuleDocs {
            why: WHY,
            bad: BAD,
            good: GOOD,
            fix: "Do the work, or move it to the issue tracker and delete the comment.",
        },
        credo: &["Credo.Check.Design.TagFIXME"],
        scope: crate::lint::Scope::Function,
        ..RuleMeta::BASE
    },
    check: Some(check),
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    for tag in find_tags(ctx, "FIXME") {
        let message = format!("Found a FIXME tag: {}", tag.trigger);
        out.push(Finding::new(&RULE.meta, tag.range, message));
    }
}

const WHY: &str = "A `FIXME` marks code its author knew to be wrong. Unlike a `TODO` it is a \
                   warning: the code is shipping with a known defect. As in Credo the tag is \
                   matched case-insensitively right after the `#`, and at the very start of a \
                   literal `@doc`, `@moduledoc` or `@shortdoc`. Not flagged: a bare `# FIXME` \
                   with nothing after it, the word in the middle of a comment, and tags inside \
                   strings.";
const BAD: &str = "def refund(order) do\n  # FIXME: refunds twice when the webhook retries\n  Payments.refund(order.charge_id, order.total)\nend";
const GOOD: &str = "def refund(order) do\n  Payments.refund(order.charge_id, order.total, idempotency_key: order.id)\nend";

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_support::*;

    const CODE: &str = "fixme-comment";

    #[test]
    fn fixme_tags_are_warnings() {
        let src = "defmodule Shop.Payments do\n  def refund(order) do\n    # FIXME: refunds twice when the webhook retries\n    Stripe.refund(order.charge_id) # fixme: amount\n  end\nend\n";
        let found = findings_of(src, "lib/shop/payments.ex", CODE);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].severity, crate::lint::Severity::Warning);
        assert!(found[0].message.contains("FIXME: refunds twice"));
    }

    #[test]
    fn sigils_heredocs_and_char_literals() {
        let src = "defmodule Shop.Parser do\n  @moduledoc \"\"\"\n  Parses carts # FIXME: inside a heredoc, not a comment\n  \"\"\"\n\n  def quote_char do # FIXME quoting\n    pattern = ~r{# FIXME: in a regex}\n    ?\" # fixme: after a char literal\n    {pattern, \"# FIXME: in a string\"}\n  end\nend\n";
        let found = findings_of(src, "lib/shop/parser.ex", CODE);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].message.contains("FIXME quoting"));
    }

    #[test]
    fn todo_and_prose_are_not_fixme() {
        let src = "defmodule Shop.Payments do\n  # TODO: retries\n  # This used to be a FIXME, now solved.\n  def refund(order), do: Stripe.refund(order.charge_id, \"#FIXME\")\nend\n";
        assert!(findings_of(src, "lib/shop/payments.ex", CODE).is_empty());
    }
}
