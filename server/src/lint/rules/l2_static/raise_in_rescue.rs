//! `raise-in-rescue`: `raise` inside a `rescue` clause, which replaces the stacktrace of the
//! error being handled with one pointing at the rescue (Credo's `Warning.RaiseInsideRescue`).

use crate::syntax::Fields as _;
use crate::syntax::Node;

use super::removal::enclosing_function;
use crate::lint::{Edit, Finding, Fix, LintContext, Rule, RuleDocs, RuleMeta, Severity};
use crate::syntax::{elixir, text};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "raise-in-rescue",
        level: 2,
        severity: Severity::Warning,
        fixable: true,
        summary: "`raise` inside a `rescue` clause (the original stacktrace is lost)",
        docs: RuleDocs {
            why: "`raise` in a `rescue` clause starts a new stacktrace at the rescue: the \
                  report no longer shows where the error happened. `reraise error, \
                  __STACKTRACE__` keeps it, also when wrapping the error in another exception. \
                  As in Credo, every `raise` in the `rescue` of a `try` or of a function body \
                  (`def … do … rescue … end`) is flagged. Not flagged: `raise` in `catch`, \
                  `else` and `after` clauses, and in functions with both `rescue` and `after`.",
            bad: "def fetch_config!(path) do\n  path |> File.read!() |> Jason.decode!()\nrescue\n  e in Jason.DecodeError ->\n    Logger.error(\"bad config: #{Exception.message(e)}\")\n    raise e\nend",
            good: "def fetch_config!(path) do\n  path |> File.read!() |> Jason.decode!()\nrescue\n  e in Jason.DecodeError ->\n    Logger.error(\"bad config: #{Exception.message(e)}\")\n    reraise e, __STACKTRACE__\nend",
            fix: "When the raised value is the rescued variable itself (`raise e`), rewrites it \
                  to `reraise e, __STACKTRACE__`. The fix is safe: the same exception is raised \
                  and only its stacktrace changes, to the original one. It is not offered inside \
                  an anonymous function (no `__STACKTRACE__` there) or when the variable is \
                  rebound.",
        },
        credo: &["Credo.Check.Warning.RaiseInsideRescue"],
        scope: crate::lint::Scope::Function,
        ..RuleMeta::BASE
    },
    check: Some(check),
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    let src = ctx.source;
    for call in &ctx.nodes().calls {
        if elixir::is_local_call(*call, src, "raise")
            && let Some(rescue) = elixir::ancestor(*call, |n| is_checked_rescue(n, src))
        {
            out.push(finding(ctx, *call, rescue));
        }
    }
}

/// A `rescue` block of a `try`, or of a `def`/`defp`/`defmacro`/`defmacrop` body that has no
/// other `else`/`catch`/`after` block (Credo's patterns).
fn is_checked_rescue(node: Node<'_>, src: &str) -> bool {
    if node.kind() != "rescue_block" {
        return false;
    }
    let Some(owner) = node.parent().and_then(|b| b.parent()) else {
        return false;
    };
    match elixir::local_call_name(owner, src) {
        Some("try") => true,
        Some("def" | "defp" | "defmacro" | "defmacrop") => {
            let block = node.parent().unwrap_or(node);
            let mut cursor = block.walk();
            block
                .named_children(&mut cursor)
                .all(|c| !matches!(c.kind(), "else_block" | "catch_block" | "after_block"))
        }
        _ => false,
    }
}

fn finding(ctx: &LintContext<'_>, call: Node<'_>, rescue: Node<'_>) -> Finding {
    let src = ctx.source;
    let place = match enclosing_function(call, src) {
        Some(f) => format!(" in `{f}`"),
        None => String::new(),
    };
    let rescued = rescued_variable(call, rescue, src);
    let suggestion = rescued.unwrap_or("error");
    let message = format!(
        "`raise` inside `rescue`{place} loses the original stacktrace; use `reraise {suggestion}, __STACKTRACE__`"
    );
    let mut f = Finding::new(&RULE.meta, call.byte_range(), message);
    let args = elixir::call_args(call);
    if let Some(var) = rescued
        && args.len() == 1
        && args[0].kind() == "identifier"
        && text(args[0], src) == var
    {
        let edit = Edit::replace(call.byte_range(), format!("reraise {var}, __STACKTRACE__"));
        f = f.with_fix(Fix::safe(
            format!("Use `reraise {var}, __STACKTRACE__`"),
            vec![edit],
        ));
    }
    f
}

/// The variable the rescue clause around `call` binds (`e` in `e ->` or `e in X ->`), when
/// `call` is directly in that clause (not in an inner `fn`, which has no `__STACKTRACE__`) and
/// the clause does not rebind it.
fn rescued_variable<'a>(call: Node<'_>, rescue: Node<'_>, src: &'a str) -> Option<&'a str> {
    let mut node = call.parent()?;
    let clause = loop {
        if node.kind() == "anonymous_function" {
            return None;
        }
        if node.kind() == "stab_clause" && node.parent() == Some(rescue) {
            break node;
        }
        node = node.parent()?;
    };
    let head = clause.field("left")?;
    let pattern = head.named_child(0)?;
    let var = if elixir::is_binary_op(pattern, src, "in") {
        pattern.field("left")?
    } else {
        pattern
    };
    if var.kind() != "identifier" || text(var, src).starts_with('_') {
        return None;
    }
    let name = text(var, src);
    let body = clause.field("right")?;
    (!rebinds(body, src, name)).then_some(name)
}

/// Whether `name` appears in a pattern inside `body` (`name = …`, `name <- …`, `name ->`).
fn rebinds(body: Node<'_>, src: &str, name: &str) -> bool {
    let mut found = false;
    elixir::walk(body, &mut |n| {
        let pattern = match n.kind() {
            "binary_operator" if matches!(elixir::operator(n, src), "=" | "<-") => n.field("left"),
            "stab_clause" => n.field("left"),
            _ => None,
        };
        if let Some(p) = pattern {
            elixir::walk(p, &mut |m| {
                found |= m.kind() == "identifier" && text(m, src) == name;
                true
            });
        }
        !found
    });
    found
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_support::*;

    const CODE: &str = "raise-in-rescue";

    #[test]
    fn reraising_the_rescued_error_is_fixed() {
        let src = "defmodule Shop.Config do\n  require Logger\n\n  def load!(path) do\n    path |> File.read!() |> Jason.decode!()\n  rescue\n    e in Jason.DecodeError ->\n      Logger.error(\"bad config: #{Exception.message(e)}\")\n      raise e\n  end\nend\n";
        let found = findings_of(src, "lib/shop/config.ex", CODE);
        assert_eq!(found.len(), 1);
        assert!(
            found[0].message.contains("`load!/1`"),
            "{}",
            found[0].message
        );
        assert!(found[0].fix.as_ref().unwrap().safe);
        let fixed = assert_clean_after_fix(src, "lib/shop/config.ex", CODE);
        assert!(
            fixed.contains("      reraise e, __STACKTRACE__\n"),
            "{fixed}"
        );
    }

    #[test]
    fn wrapping_in_try_is_flagged_without_fix() {
        let src = "defmodule Shop.Importer do\n  def import(rows) do\n    try do\n      Enum.each(rows, &insert!/1)\n    rescue\n      error ->\n        raise Shop.ImportError, message: Exception.message(error)\n    end\n  end\nend\n";
        let found = findings_of(src, "lib/shop/importer.ex", CODE);
        assert_eq!(found.len(), 1);
        assert!(found[0].fix.is_none());
        assert!(found[0].message.contains("reraise error, __STACKTRACE__"));
    }

    #[test]
    fn no_fix_inside_fn_or_when_rebound() {
        let src = "defmodule A do\n  def f(xs) do\n    try do\n      g(xs)\n    rescue\n      e ->\n        Enum.each(xs, fn _ -> raise e end)\n        e = wrap(e)\n        raise e\n    end\n  end\nend\n";
        let found = findings_of(src, "lib/a.ex", CODE);
        assert_eq!(found.len(), 2);
        assert!(found.iter().all(|f| f.fix.is_none()));
    }

    #[test]
    fn raise_outside_rescue_is_fine() {
        let src = "defmodule Shop.Orders do\n  def fetch!(id) do\n    case Repo.get(Order, id) do\n      nil -> raise Ecto.NoResultsError, queryable: Order\n      order -> order\n    end\n  catch\n    :exit, reason -> raise \"exit: #{inspect(reason)}\"\n  end\n\n  def safe(f) do\n    f.()\n  rescue\n    e -> reraise e, __STACKTRACE__\n  end\nend\n";
        assert!(findings_of(src, "lib/shop/orders.ex", CODE).is_empty());
    }
}
