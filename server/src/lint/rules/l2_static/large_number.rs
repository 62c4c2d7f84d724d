//! `large-number`: numbers above 9 999 written without `_` every three digits (Credo's
//! `Readability.LargeNumbers` with its defaults: `only_greater_than: 9_999`, no trailing
//! digit groups).

use crate::syntax::Node;

use crate::lint::{Edit, Finding, Fix, LintContext, Rule, RuleDocs, RuleMeta, Severity};
use crate::syntax::text;

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "large-number",
        level: 2,
        severity: Severity::Info,
        fixable: true,
        summary: "Numbers of 10 000 and more without `_` separators",
        docs: RuleDocs {
            why: "`86400000` takes counting; `86_400_000` reads at a glance. As in Credo, \
                  integers and the integer part of floats above `only_greater_than` (default \
                  9 999) must be grouped by three from the right, so wrongly placed \
                  separators (`1_0000`) are flagged too. Not flagged: hexadecimal, octal and \
                  binary literals, character literals, and digits inside strings.",
            bad: "def session_ttl, do: 86400000\n\n@max_upload 10485760",
            good: "def session_ttl, do: 86_400_000\n\n@max_upload 10_485_760",
            fix: "Rewrites the literal with separators every three digits (safe: the value is \
                  unchanged).",
        },
        options: &[(
            "only_greater_than",
            "Numbers up to this value are left alone (default 9999, as in Credo).",
        )],
        credo: &["Credo.Check.Readability.LargeNumbers"],
        scope: crate::lint::Scope::Function,
        ..RuleMeta::BASE
    },
    check: Some(check),
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    let limit = ctx.option_int(RULE.meta.code, "only_greater_than", 9_999);
    for node in &ctx.nodes().numbers {
        if let Some(f) = number(ctx, *node, limit) {
            out.push(f);
        }
    }
}

/// The finding for one number literal.
fn number(ctx: &LintContext<'_>, node: Node<'_>, limit: i64) -> Option<Finding> {
    let literal = text(node, ctx.source);
    let expected = underscored(literal, limit)?;
    let message = format!("Write `{literal}` with underscores: `{expected}`");
    let edit = Edit::replace(node.byte_range(), expected.clone());
    Some(
        Finding::new(&RULE.meta, node.byte_range(), message)
            .with_fix(Fix::safe(format!("Write `{expected}`"), vec![edit])),
    )
}

/// The literal as it should be written, when it is a decimal number above `limit` written
/// differently.
fn underscored(literal: &str, limit: i64) -> Option<String> {
    if literal.len() > 1
        && literal.starts_with('0')
        && matches!(literal.as_bytes()[1], b'x' | b'o' | b'b')
    {
        return None;
    }
    let (int_part, rest) = match literal.find(['.', 'e', 'E']) {
        Some(i) => (&literal[..i], &literal[i..]),
        None => (literal, ""),
    };
    let digits: String = int_part.chars().filter(|c| *c != '_').collect();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let is_float = !rest.is_empty();
    let big = if is_float {
        let value: f64 = literal.replace('_', "").parse().ok()?;
        value > limit as f64
    } else {
        let significant = digits.trim_start_matches('0');
        significant.len() > 19 || significant.parse::<i64>().is_ok_and(|v| v > limit)
    };
    if !big {
        return None;
    }
    // Credo groups the integer's value for integers (dropping leading zeros) and the written
    // integer part for floats, keeping the fraction as written.
    let base = if is_float {
        digits.clone()
    } else {
        let s = digits.trim_start_matches('0');
        if s.is_empty() {
            "0".to_string()
        } else {
            s.to_string()
        }
    };
    let expected = format!("{}{rest}", group(&base));
    (expected != literal).then_some(expected)
}

/// `1234567` → `1_234_567`.
fn group(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('_');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::underscored;
    use crate::lint::rules::test_support::*;

    const CODE: &str = "large-number";

    #[test]
    fn grouping_follows_credo() {
        assert_eq!(
            underscored("86400000", 9_999).as_deref(),
            Some("86_400_000")
        );
        assert_eq!(underscored("1_0000", 9_999).as_deref(), Some("10_000"));
        assert_eq!(
            underscored("12345.6789", 9_999).as_deref(),
            Some("12_345.6789")
        );
        assert_eq!(underscored("10_000", 9_999), None);
        assert_eq!(underscored("9999", 9_999), None);
        assert_eq!(underscored("0xFFFFFF", 9_999), None);
        assert_eq!(underscored("1.0e10", 9_999), None);
    }

    #[test]
    fn module_constants_are_fixed() {
        let src = "defmodule ShopWeb.Endpoint do\n  @max_upload 10485760\n  @session_ttl 86_400_000\n\n  def timeout, do: 15000\n  def retries, do: 3\n  def color, do: 0xFFFFFF\n  def ratio, do: 1500.5\nend\n";
        let found = findings_of(src, "lib/shop_web/endpoint.ex", CODE);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].message.contains("`10_485_760`"));
        let fixed = assert_clean_after_fix(src, "lib/shop_web/endpoint.ex", CODE);
        assert!(fixed.contains("@max_upload 10_485_760") && fixed.contains("do: 15_000"));
    }

    #[test]
    fn threshold_is_configurable() {
        use crate::lint::{FileInfo, lint_source};
        let (config, errors) =
            crate::config::parse_config("[rules: [\"large-number\": [only_greater_than: 99_999]]]");
        assert!(errors.is_empty(), "{errors:?}");
        let found: Vec<_> = lint_source(
            "def f, do: {15000, 150000}\n",
            &FileInfo::new("lib/a.ex"),
            &config,
        )
        .into_iter()
        .filter(|f| f.code == CODE)
        .collect();
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("150_000"));
    }

    #[test]
    fn strings_and_chars_are_fine() {
        let src = "defmodule A do\n  def port, do: \"40000\"\n  def c, do: ?a\n  def small, do: -9999\nend\n";
        assert!(findings_of(src, "lib/a.ex", CODE).is_empty());
    }
}
