//! `skipped-test`: `@tag :skip`, `@describetag :skip` or `@moduletag :skip` with no comment
//! saying why. A skipped test is a test that no longer protects anything; without a reason
//! nobody knows whether it may be deleted, fixed or is waiting for something.

use crate::syntax::Node;

use crate::lint::rules::reason_comment::comment_at;
use crate::lint::{Finding, LintContext, Rule, RuleDocs, RuleMeta, Severity};
use crate::syntax::{elixir, text};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "skipped-test",
        level: 3,
        severity: Severity::Info,
        summary: "`@tag :skip` / `@moduletag :skip` with no comment saying why",
        docs: RuleDocs {
            why: "ExUnit skips tests tagged `:skip`, and reports them only as a count. A skip \
                  without a reason outlives its cause: nobody knows whether the test is broken, \
                  flaky, waiting for a feature, or obsolete, so it is never revisited. A comment \
                  on the line above (or at the end of the line) is enough. Not flagged: \
                  `@tag skip: \"reason\"` (ExUnit prints the reason with the skip), tags other \
                  than `:skip` (`:pending`, `:integration`, excluded in `test_helper.exs` on \
                  purpose), and files outside `test/`.",
            bad: "describe \"refund/1\" do\n  @tag :skip\n  test \"refunds a paid order\" do\n    assert {:ok, _} = Orders.refund(insert(:paid_order))\n  end\nend",
            good: "describe \"refund/1\" do\n  @tag skip: \"payment sandbox is down, see #412\"\n  test \"refunds a paid order\" do\n    assert {:ok, _} = Orders.refund(insert(:paid_order))\n  end\nend",
            fix: "Fix the test and remove the tag, delete the test if it is obsolete, or say \
                  why: `@tag skip: \"reason\"`, or a comment above the tag.",
        },
        scope: crate::lint::Scope::Function,
        ..RuleMeta::BASE
    },
    check: Some(check),
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    if !ctx.file.is_test() {
        return;
    }
    let src = ctx.source;
    for call in &ctx.nodes().calls {
        let Some(name @ ("tag" | "moduletag" | "describetag")) =
            elixir::local_call_name(*call, src)
        else {
            continue;
        };
        let Some(attr) = call
            .parent()
            .filter(|p| p.kind() == "unary_operator" && elixir::operator(*p, src) == "@")
        else {
            continue;
        };
        let args = elixir::call_args(*call);
        if args.len() != 1 || !skips_without_reason(args[0], src) {
            continue;
        }
        if comment_at(ctx, attr) {
            continue;
        }
        let message = format!(
            "`@{name} {}` skips {} with no comment saying why",
            text(args[0], src),
            target(attr, name, src)
        );
        out.push(Finding::new(&RULE.meta, attr.byte_range(), message));
    }
}

/// `:skip`, `skip: true`, or a list holding one of them; `skip: "reason"` carries its reason.
fn skips_without_reason(arg: Node<'_>, src: &str) -> bool {
    match arg.kind() {
        "atom" => text(arg, src) == ":skip",
        "keywords" => elixir::keyword_value(arg, src, "skip").is_some_and(|v| {
            matches!(v.kind(), "boolean" | "atom" | "nil") && text(v, src) != "false"
        }),
        "list" => {
            let mut cursor = arg.walk();
            arg.named_children(&mut cursor)
                .any(|item| skips_without_reason(item, src))
        }
        _ => false,
    }
}

/// What the tag skips: `test "name"`, `describe "name"`, or the module.
fn target(attr: Node<'_>, name: &str, src: &str) -> String {
    if name == "moduletag" {
        let module = elixir::ancestor(attr, |n| elixir::module_def(n, src).is_some())
            .and_then(|m| elixir::module_def(m, src));
        return match module {
            Some(m) => format!("every test of `{}`", m.name),
            None => "every test of the module".to_string(),
        };
    }
    let wanted = if name == "describetag" {
        "describe"
    } else {
        "test"
    };
    let mut next = attr.next_named_sibling();
    while let Some(n) = next {
        if elixir::local_call_name(n, src) == Some(wanted)
            && let Some(title) = elixir::call_args(n).first()
        {
            return format!("`{wanted} {}`", text(*title, src));
        }
        if elixir::local_call_name(n, src).is_some_and(|c| matches!(c, "test" | "describe")) {
            break;
        }
        next = n.next_named_sibling();
    }
    if name == "describetag" {
        "every test of the `describe` block".to_string()
    } else {
        "the next test".to_string()
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_support::*;

    const CODE: &str = "skipped-test";
    const PATH: &str = "test/shop/orders_test.exs";

    #[test]
    fn flags_skips_without_a_reason() {
        let src = r#"defmodule Shop.OrdersTest do
  use Shop.DataCase, async: true

  describe "refund/1" do
    @describetag :skip

    @tag :skip
    test "refunds a paid order" do
      assert {:ok, _} = Orders.refund(insert(:paid_order))
    end

    @tag skip: true
    test "rejects a draft" do
      assert {:error, :not_paid} = Orders.refund(insert(:order))
    end
  end
end
"#;
        let found = findings_of(src, PATH, CODE);
        let messages: Vec<&str> = found.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "`@describetag :skip` skips every test of the `describe` block with no comment saying why",
                "`@tag :skip` skips `test \"refunds a paid order\"` with no comment saying why",
                "`@tag skip: true` skips `test \"rejects a draft\"` with no comment saying why",
            ]
        );
        let module = "defmodule Shop.SlowTest do\n  use ExUnit.Case\n  @moduletag :skip\n\n  test \"a\", do: assert(true)\nend\n";
        let found = findings_of(module, "test/shop/slow_test.exs", CODE);
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("every test of `Shop.SlowTest`"));
    }

    #[test]
    fn skips_with_a_reason_are_fine() {
        let src = r#"defmodule Shop.OrdersTest do
  use Shop.DataCase, async: true

  # The payment sandbox rejects refunds until the new API key lands (#412).
  @tag :skip
  test "refunds a paid order" do
    assert {:ok, _} = Orders.refund(insert(:paid_order))
  end

  @tag :skip # flaky on CI: depends on wall-clock time
  test "expires carts" do
    assert Carts.expired?(insert(:cart))
  end

  @tag skip: "needs a running Redis"
  test "caches totals" do
    assert Orders.total(insert(:order)) == 0
  end

  @tag :integration
  @tag skip: false
  test "talks to the sandbox" do
    assert :ok = Payments.ping()
  end
end
"#;
        let found = findings_of(src, PATH, CODE);
        assert!(found.is_empty(), "{found:#?}");
    }

    #[test]
    fn only_test_files_are_checked() {
        let src = "defmodule Shop.Tags do\n  @tag :skip\n  def f, do: 1\nend\n";
        assert!(findings_of(src, "lib/shop/tags.ex", CODE).is_empty());
    }

    #[test]
    fn empty_comment_is_not_a_reason() {
        let src = "defmodule ATest do\n  #\n  @tag :skip\n  test \"a\", do: assert(true)\nend\n";
        assert_eq!(finding_lines(src, "test/a_test.exs", CODE), [3]);
    }
}
