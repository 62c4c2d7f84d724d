//! `dbg-call`: `dbg/0..2` and `Kernel.dbg` left in code (Credo's `Warning.Dbg`).
//!
//! The fix reuses the pipe-aware removal of `io-inspect`: `x |> dbg()` loses the step, `dbg(x)`
//! used as a value becomes `x` (`dbg` returns its argument), a dropped statement is deleted.
//! It is unsafe and offered one at a time: someone may be debugging right now.

use crate::syntax::Fields as _;
use crate::syntax::Node;

use super::removal::{
    capture_of, delete_statement, drop_pipe_step, enclosing_function, is_dropped_statement, is_pure,
};
use crate::lint::{Edit, Finding, Fix, LintContext, Rule, RuleDocs, RuleMeta, Severity};
use crate::syntax::{elixir, text};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "dbg-call",
        level: 2,
        severity: Severity::Warning,
        fixable: true,
        summary: "`dbg/0..2` and `Kernel.dbg` calls",
        docs: RuleDocs {
            why: "`dbg` is a debugging aid: it prints code and values to stdout (or stops in \
                  IEx.pry when run under `iex`), bypassing Logger. Left in production code it \
                  leaks data and noise. Not flagged: a function of your own named `dbg` being \
                  defined, `@dbg` attributes, and variables named `dbg` outside a pipe.",
            bad: "def create(conn, params) do\n  params\n  |> Accounts.register_user()\n  |> dbg()\n  |> respond(conn)\nend",
            good: "def create(conn, params) do\n  params\n  |> Accounts.register_user()\n  |> respond(conn)\nend",
            fix: "Removes the call (unsafe, one at a time): the pipe step is dropped, a call used \
                  as a value is replaced by its argument, and a statement is deleted.",
        },
        credo: &["Credo.Check.Warning.Dbg"],
        scope: crate::lint::Scope::Function,
        ..RuleMeta::BASE
    },
    check: Some(check),
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    let src = ctx.source;
    for call in &ctx.nodes().calls {
        if is_dbg_call(*call, src) {
            out.push(finding(ctx, *call));
        }
    }
    // `x |> dbg` without parentheses is an identifier on the right of a pipe.
    for op in &ctx.nodes().binary_operators {
        if elixir::is_binary_op(*op, src, "|>")
            && let Some(right) = op.field("right")
            && right.kind() == "identifier"
            && text(right, src) == "dbg"
        {
            out.push(finding(ctx, right));
        }
        // `&dbg/1`: the name is an identifier inside the capture.
        if elixir::is_binary_op(*op, src, "/")
            && let Some(left) = op.field("left")
            && left.kind() == "identifier"
            && text(left, src) == "dbg"
            && let Some(capture) = op.parent()
            && capture.kind() == "unary_operator"
            && elixir::operator(capture, src) == "&"
        {
            out.push(finding(ctx, left));
        }
    }
}

/// `dbg()`, `dbg(x)`, `dbg(x, opts)`, `Kernel.dbg(…)`, and `dbg` in a capture `&dbg/1`; not the
/// head of a `def dbg(x)` nor an `@dbg` attribute.
fn is_dbg_call(call: Node<'_>, src: &str) -> bool {
    // A name test on the text first: `dbg` or `Kernel.dbg` starts the call.
    if !["dbg", "Kernel", "Elixir.Kernel"]
        .iter()
        .any(|p| elixir::starts_with(call, src, p))
    {
        return false;
    }
    match elixir::remote_call(call, src) {
        Some((module, "dbg")) => matches!(module, "Kernel" | "Elixir.Kernel"),
        Some(_) => false,
        None => {
            if elixir::local_call_name(call, src) != Some("dbg") {
                return false;
            }
            if !elixir::has_arguments(call) {
                // `&dbg/1` is a call node without arguments inside the capture.
                return capture_of(call, src).is_some();
            }
            if elixir::call_args(call).len() > 2 || is_definition_head(call, src) {
                return false;
            }
            call.parent()
                .and_then(|p| elixir::attribute(p, src))
                .is_none()
        }
    }
}

/// Whether `call` is the head of a `def`/`defp`/… (`def dbg(x)`), possibly with a guard.
fn is_definition_head(call: Node<'_>, src: &str) -> bool {
    let mut node = call;
    if let Some(p) = node.parent()
        && elixir::is_binary_op(p, src, "when")
    {
        node = p;
    }
    node.parent()
        .filter(|p| p.kind() == "arguments")
        .and_then(|p| p.parent())
        .is_some_and(|def| elixir::is_function_def(def, src))
}

fn finding(ctx: &LintContext<'_>, node: Node<'_>) -> Finding {
    let src = ctx.source;
    let place = match enclosing_function(node, src) {
        Some(f) => format!(" in `{f}`"),
        None => String::new(),
    };
    let name = match elixir::remote_call(node, src) {
        Some((module, _)) => format!("{module}.dbg"),
        None => "dbg".to_string(),
    };
    let captured = capture_of(node, src);
    let message = if captured.is_some() {
        format!("Captured `{name}`{place} prints debug output; remove it before shipping")
    } else {
        format!("`{name}`{place} prints debug output; remove it before shipping")
    };
    let range = captured.unwrap_or(node).byte_range();
    let mut f = Finding::new(&RULE.meta, range, message);
    if captured.is_none()
        && let Some(edit) = removal(src, node)
    {
        f = f.with_fix(Fix::unsafe_(format!("Remove `{name}`"), vec![edit]));
    }
    f
}

/// The edit that removes the call, when one is obviously right.
fn removal(src: &str, node: Node<'_>) -> Option<Edit> {
    if let Some(edit) = drop_pipe_step(src, node) {
        return Some(edit);
    }
    if node.kind() != "call" {
        return None;
    }
    let args = elixir::call_args(node);
    if args.is_empty() || is_dropped_statement(node) && is_pure(args[0], src) {
        // `dbg()` returns the binding: only a statement whose value is unused can go.
        return is_dropped_statement(node).then(|| delete_statement(src, node));
    }
    Some(Edit::replace(node.byte_range(), text(args[0], src)))
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_support::*;

    const CODE: &str = "dbg-call";

    fn fixed(src: &str) -> String {
        assert_clean_after_fix(src, "lib/a.ex", CODE)
    }

    #[test]
    fn pipe_steps_are_dropped() {
        let src = "defmodule ShopWeb.OrderController do\n  def create(conn, params) do\n    params\n    |> Orders.create()\n    |> dbg()\n    |> respond(conn)\n  end\nend\n";
        assert_eq!(
            fixed(src),
            "defmodule ShopWeb.OrderController do\n  def create(conn, params) do\n    params\n    |> Orders.create()\n    |> respond(conn)\n  end\nend\n"
        );
        assert_eq!(
            fixed("def f(x), do: x |> g() |> dbg\n"),
            "def f(x), do: x |> g()\n"
        );
        assert_eq!(
            fixed("def f(x), do: x |> Kernel.dbg(label: \"x\") |> g()\n"),
            "def f(x), do: x |> g()\n"
        );
    }

    #[test]
    fn calls_become_their_argument_or_go() {
        assert_eq!(
            fixed("def f(x) do\n  y = dbg(compute(x))\n  y + 1\nend\n"),
            "def f(x) do\n  y = compute(x)\n  y + 1\nend\n"
        );
        assert_eq!(
            fixed("def f(x) do\n  dbg(x)\n  dbg()\n  x + 1\nend\n"),
            "def f(x) do\n  x + 1\nend\n"
        );
    }

    #[test]
    fn captures_are_flagged_without_fix() {
        let found = findings_of("def f(xs), do: Enum.map(xs, &dbg/1)\n", "lib/a.ex", CODE);
        assert_eq!(found.len(), 1);
        assert!(found[0].fix.is_none());
    }

    #[test]
    fn message_names_function_and_fix_is_unsafe() {
        let found = findings_of(
            "defmodule A do\n  def run(a, b), do: dbg(a + b)\nend\n",
            "lib/a.ex",
            CODE,
        );
        assert!(found[0].message.contains("`run/2`"), "{}", found[0].message);
        assert!(!found[0].fix.as_ref().unwrap().safe);
    }

    #[test]
    fn own_dbg_functions_and_attributes_are_fine() {
        let src = "defmodule MyApp.Debug do\n  @dbg false\n  def dbg(term, opts) when is_list(opts), do: {term, opts}\n  def run(x) do\n    dbg = @dbg\n    MyApp.Debug.dbg(x, [])\n    if dbg, do: Logger.debug(inspect(x))\n  end\nend\n";
        assert!(findings_of(src, "lib/a.ex", CODE).is_empty());
    }
}
