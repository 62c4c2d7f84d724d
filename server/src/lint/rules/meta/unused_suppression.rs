//! `unused-suppression`: a `ladder:` comment that silences nothing. The engine computes it after
//! applying suppressions (see `lint::suppression`), so the rule has no check of its own here.

use crate::lint::{Rule, RuleDocs, RuleMeta, Severity};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "unused-suppression",
        level: 2,
        severity: Severity::Warning,
        fixable: true,
        summary: "A `ladder:` suppression comment that suppresses nothing",
        docs: RuleDocs {
            why: "A suppression that silences nothing is noise at best; at worst it hides the \
                  next real finding on that line. Suppressions should be as narrow as the \
                  problem they excuse, and go when the problem goes.",
            bad: "# ladder:disable-next-line io-inspect\nvalue = compute(x)",
            good: "value = compute(x)",
            fix: "Deletes the comment, or removes the codes that silence nothing from its list.",
        },
        ..RuleMeta::BASE
    },
    check: None,
};

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_support::*;

    #[test]
    fn flags_a_comment_that_suppresses_nothing_and_deletes_it() {
        let src = "defmodule A do\n  @moduledoc false\n  # ladder:disable-next-line io-inspect\n  defp f(x), do: x\nend\n";
        let findings = lint_codes(src, "lib/a.ex");
        assert_eq!(findings, ["unused-suppression"]);
        let fixed = apply_fix_of(src, "lib/a.ex", "unused-suppression");
        assert_eq!(
            fixed,
            "defmodule A do\n  @moduledoc false\n  defp f(x), do: x\nend\n"
        );
        assert_clean_after_fix(src, "lib/a.ex", "unused-suppression");
    }

    #[test]
    fn a_used_suppression_is_silent() {
        let src = "# ladder:disable-next-line io-inspect\nIO.inspect(1)\n";
        assert_eq!(lint_codes(src, "lib/a.exs"), Vec::<&str>::new());
    }

    #[test]
    fn keeps_used_codes_and_drops_unknown_ones() {
        let src = "# ladder:disable-next-line io-inspect, no-such-rule\nIO.inspect(1)\n";
        let findings = lint_all(src, "lib/a.exs");
        assert_eq!(findings.len(), 1);
        assert!(
            findings[0].message.contains("unknown rule `no-such-rule`"),
            "{}",
            findings[0].message
        );
        assert_eq!(
            apply_fix_of(src, "lib/a.exs", "unused-suppression"),
            "# ladder:disable-next-line io-inspect\nIO.inspect(1)\n"
        );
    }

    #[test]
    fn trailing_comment_is_removed_with_its_spaces() {
        let src = "x = 1 # ladder:disable-for-this-file trailing-whitespace\n";
        assert_eq!(
            apply_fix_of(src, "lib/a.exs", "unused-suppression"),
            "x = 1\n"
        );
    }
}
