//! `io-inspect`: `IO.inspect` left in code, called, piped or captured.
//!
//! The fix is pipe-aware: `x |> IO.inspect() |> f()` becomes `x |> f()`; a call used as a value
//! becomes its argument (`IO.inspect` returns it); a statement whose value is dropped is deleted
//! when its argument has no side effects. It is offered one at a time and never applied in bulk:
//! removing debug output on save while someone is debugging would be hostile.

use crate::syntax::Node;

use super::removal::{
    capture_of, delete_statement, drop_pipe_step, enclosing_function, is_dropped_statement, is_pure,
};
use crate::lint::{Edit, Finding, Fix, LintContext, Rule, RuleDocs, RuleMeta, Severity};
use crate::syntax::{elixir, text};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "io-inspect",
        level: 2,
        severity: Severity::Warning,
        fixable: true,
        summary: "`IO.inspect` calls, including piped and captured ones",
        docs: RuleDocs {
            why: "`IO.inspect` is a debugging aid. Left in production code it writes unstructured \
                  output to stdout, bypassing Logger's levels, metadata and backends, and may \
                  print sensitive data. Not flagged: code whose job is printing — `defimpl \
                  Inspect` implementations, Mix tasks (`use Mix.Task`: run from a shell, not part \
                  of a release), and functions named `print_*`, `dump_*` or `debug_*` (`inspect_*` \
                  is flagged: such functions usually return a string, and an `IO.inspect` in them \
                  is a leftover).",
            bad: "def total(order) do\n  order.items\n  |> IO.inspect(label: \"items\")\n  |> Enum.sum()\nend",
            good: "def total(order) do\n  order.items\n  |> Enum.sum()\nend",
            fix: "Removes the call: the pipe step is dropped, a call used as a value is replaced by \
                  its argument, and a statement is deleted. Use `Logger.debug/2` for output that \
                  should stay.",
        },
        credo: &["Credo.Check.Warning.IoInspect"],
        scope: crate::lint::Scope::Function,
        reads_heads: true,
        ..RuleMeta::BASE
    },
    check: Some(check),
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    for call in &ctx.nodes().calls {
        if elixir::is_remote_call(*call, ctx.source, "IO", "inspect")
            && !prints_on_purpose(ctx, *call)
        {
            out.push(finding(ctx, *call));
        }
    }
}

/// Code whose job is printing: an `Inspect` implementation, a Mix task (`use Mix.Task`, run
/// from a shell, never in a release), and functions named `print_*`, `dump_*` or `debug_*`.
fn prints_on_purpose(ctx: &LintContext<'_>, call: Node<'_>) -> bool {
    let src = ctx.source;
    if let Some(def) = elixir::ancestor(call, |n| elixir::is_function_def(n, src))
        .and_then(|n| elixir::function_def(n, src))
        && ["print_", "dump_", "debug_"]
            .iter()
            .any(|p| def.name.starts_with(p))
    {
        return true;
    }
    let Some(module) = elixir::ancestor(call, |n| elixir::module_def(n, src).is_some()) else {
        return false;
    };
    ctx.modules().iter().any(|m| {
        m.def.node == module
            && ((m.def.kind == elixir::ModuleKind::Impl && m.def.name == "Inspect")
                || m.uses.contains(&"Mix.Task"))
    })
}

fn finding(ctx: &LintContext<'_>, call: Node<'_>) -> Finding {
    let src = ctx.source;
    let place = match enclosing_function(call, src) {
        Some(f) => format!(" in `{f}`"),
        None => String::new(),
    };
    let captured = capture_of(call, src);
    let message = if captured.is_some() {
        format!("Captured `IO.inspect`{place} prints debug output; remove it or use Logger")
    } else {
        format!("`IO.inspect`{place} prints debug output; remove it or use Logger")
    };
    let range = captured.unwrap_or(call).byte_range();
    let mut f = Finding::new(&RULE.meta, range, message);
    if let Some(edit) = removal(ctx, call, captured) {
        f = f.with_fix(Fix::unsafe_("Remove `IO.inspect`", vec![edit]));
    }
    f
}

/// The edit that removes the call, when one is obviously right.
fn removal(ctx: &LintContext<'_>, call: Node<'_>, captured: Option<Node<'_>>) -> Option<Edit> {
    let src = ctx.source;
    if let Some(capture) = captured {
        // `x |> tap(&IO.inspect/1)` and `then(&IO.inspect/1)` are the identity: drop the step.
        let args_node = capture.parent().filter(|p| p.kind() == "arguments")?;
        let step = args_node.parent()?;
        let name = elixir::local_call_name(step, src)?;
        if !matches!(name, "tap" | "then") || elixir::call_args(step).len() != 1 {
            return None;
        }
        return drop_pipe_step(src, step);
    }
    if let Some(edit) = drop_pipe_step(src, call) {
        return Some(edit);
    }
    let args = elixir::call_args(call);
    let item = match args.len() {
        1 | 2 => args[0],
        3 => args[1],
        _ => return None,
    };
    if is_dropped_statement(call) && is_pure(item, src) {
        return Some(delete_statement(src, call));
    }
    // `IO.inspect(label: "x")` inspects the list its keywords make: bare, they would not parse.
    let value = match item.kind() {
        "keywords" => format!("[{}]", text(item, src)),
        _ => text(item, src).to_string(),
    };
    Some(Edit::replace(call.byte_range(), value))
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_support::*;

    const CODE: &str = "io-inspect";

    fn fixed(src: &str) -> String {
        assert_clean_after_fix(src, "lib/a.ex", CODE)
    }

    #[test]
    fn pipe_step_is_dropped() {
        let src = "def f(x) do\n  x |> IO.inspect() |> g()\nend\n";
        assert_eq!(fixed(src), "def f(x) do\n  x |> g()\nend\n");
        let multi = "def f(x) do\n  x\n  |> IO.inspect(label: \"x\")\n  |> g()\nend\n";
        assert_eq!(fixed(multi), "def f(x) do\n  x\n  |> g()\nend\n");
        let last = "def f(x) do\n  x\n  |> g()\n  |> IO.inspect()\nend\n";
        assert_eq!(fixed(last), "def f(x) do\n  x\n  |> g()\nend\n");
    }

    #[test]
    fn call_used_as_value_becomes_its_argument() {
        assert_eq!(
            fixed("def f(x), do: g(IO.inspect(x, label: \"x\"))\n"),
            "def f(x), do: g(x)\n"
        );
        assert_eq!(
            fixed("def f(x) do\n  IO.inspect(compute(x))\nend\n"),
            "def f(x) do\n  compute(x)\nend\n"
        );
        assert_eq!(fixed("IO.inspect(:stderr, value, [])\n"), "value\n");
        // Found by the `lint_fix` fuzz target: a lone keyword list is the value inspected.
        assert_eq!(
            fixed(
                "def f(x) do\n  x\n  |> IO.inspect(label: \"x\")\n  .inspect(label: \"x\")\nend\n"
            ),
            "def f(x) do\n  x\n  |> [label: \"x\"]\n  .inspect(label: \"x\")\nend\n"
        );
        assert_eq!(
            fixed("def f, do: g(IO.inspect(a: 1, b: 2))\n"),
            "def f, do: g([a: 1, b: 2])\n"
        );
    }

    #[test]
    fn dropped_statement_is_deleted_only_when_pure() {
        let src = "def f(x) do\n  IO.inspect(x)\n  x + 1\nend\n";
        assert_eq!(fixed(src), "def f(x) do\n  x + 1\nend\n");
        let effect = "def f(x) do\n  IO.inspect(save(x))\n  :ok\nend\n";
        assert_eq!(fixed(effect), "def f(x) do\n  save(x)\n  :ok\nend\n");
    }

    #[test]
    fn pure_collections_and_access_leave_nothing_behind() {
        for arg in [
            "%{user: user.id, items: [1, 2]}",
            "[label: \"x\", value: params[:id]]",
            "%Shop.Order{id: id, total: -1}",
            "{conn.assigns.current_user, ~w(a b)}",
            "%{state | step: 2}",
            "%{\"id\" => id}",
        ] {
            let src = format!(
                "def f(user, params, id, conn, state) do\n  IO.inspect({arg})\n  :ok\nend\n"
            );
            assert_eq!(
                fixed(&src),
                "def f(user, params, id, conn, state) do\n  :ok\nend\n",
                "{arg}"
            );
        }
        let effect = "def f(x) do\n  IO.inspect(%{a: save(x)})\n  :ok\nend\n";
        assert_eq!(fixed(effect), "def f(x) do\n  %{a: save(x)}\n  :ok\nend\n");
        let interpolated = "def f(x) do\n  IO.inspect(~s(#{send(x, :hi)}))\n  :ok\nend\n";
        assert!(fixed(interpolated).contains("~s(#{send(x, :hi)})"));
    }

    #[test]
    fn captures_are_flagged_and_identity_steps_removed() {
        let src = "def f(xs), do: Enum.each(xs, &IO.inspect/1)\n";
        let found = findings_of(src, "lib/a.ex", CODE);
        assert_eq!(found.len(), 1);
        assert!(found[0].fix.is_none());
        assert!(found[0].message.contains("Captured"));
        assert_eq!(&src[found[0].range.clone()], "&IO.inspect/1");
        assert_eq!(
            fixed("def f(xs), do: xs |> tap(&IO.inspect/1) |> g()\n"),
            "def f(xs), do: xs |> g()\n"
        );
    }

    #[test]
    fn message_names_the_function() {
        let found = findings_of(
            "defmodule A do\n  def run(a, b), do: IO.inspect(a + b)\nend\n",
            "lib/a.ex",
            CODE,
        );
        assert!(found[0].message.contains("`run/2`"), "{}", found[0].message);
    }

    #[test]
    fn other_inspects_are_fine() {
        let src = "def f(x) do\n  Logger.debug(inspect(x))\n  Kernel.inspect(x)\n  MyIO.inspect(x)\nend\n";
        assert!(findings_of(src, "lib/a.ex", CODE).is_empty());
    }

    #[test]
    fn printing_code_is_quiet() {
        let src = r##"defimpl Inspect, for: Shop.Secret do
  def inspect(secret, _opts) do
    IO.inspect(secret.id, label: "secret")
    "#Shop.Secret<redacted>"
  end
end

defmodule Mix.Tasks.Shop.Dump do
  use Mix.Task

  @shortdoc "Prints every order"
  def run(_args) do
    Mix.Task.run("app.start")
    Shop.Repo.all(Shop.Order) |> IO.inspect(limit: :infinity)
  end
end

defmodule Shop.Debug do
  def print_tree(node), do: IO.inspect(node, label: "tree")
  def dump_state(pid), do: pid |> :sys.get_state() |> IO.inspect()
  def debug_query(q), do: IO.inspect(Ecto.Adapters.SQL.to_sql(:all, Shop.Repo, q))
end
"##;
        assert!(findings_of(src, "lib/shop/debug.ex", CODE).is_empty());
        let leftover = r#"defmodule Shop.Orders do
  def inspect_total(order) do
    total = Enum.sum(order.lines)
    IO.inspect(total)
    "total: #{total}"
  end

  defimpl String.Chars do
    def to_string(order), do: IO.inspect(order.id) |> Integer.to_string()
  end
end
"#;
        assert_eq!(finding_lines(leftover, "lib/shop/orders.ex", CODE), [4, 9]);
    }

    #[test]
    fn fix_is_not_applied_in_bulk() {
        let found = findings_of("IO.inspect(1)\n", "lib/a.ex", CODE);
        assert!(!found[0].fix.as_ref().unwrap().safe);
    }
}
