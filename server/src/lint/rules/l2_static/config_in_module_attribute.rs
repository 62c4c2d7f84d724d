//! `config-in-module-attribute`: `@attr Application.get_env(...)` (or `fetch_env`,
//! `fetch_env!`, `get_all_env`) — Credo's `Warning.ApplicationConfigInModuleAttribute`. A module
//! attribute is evaluated when the module is compiled, so the value is frozen into the `.beam`;
//! configuration changed at runtime (`config/runtime.exs`) is silently ignored.
//!
//! The fix rewrites `get_env/2,3` to `compile_env/2,3` and `fetch_env!/2` to `compile_env!/2`.
//! It is offered, never applied in bulk: `compile_env` keeps reading at compile time but records
//! the value, and a release then refuses to boot when the runtime configuration differs. That
//! turns the silent stale value into a loud error — the point — but a team whose value really
//! must change at runtime should move the read into a function instead.

use crate::syntax::Fields as _;
use crate::syntax::Node;

use crate::lint::{Edit, Finding, Fix, LintContext, Rule, RuleDocs, RuleMeta, Severity};
use crate::syntax::{elixir, text};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "config-in-module-attribute",
        level: 2,
        severity: Severity::Warning,
        fixable: true,
        summary: "`@attr Application.get_env/fetch_env!(...)` in a module body",
        docs: RuleDocs {
            why: "Module attributes are evaluated at compile time. `@url \
                  Application.get_env(:shop, :api_url)` freezes whatever the configuration was on \
                  the build machine into the compiled module: a value set in \
                  `config/runtime.exs` or changed for a release is silently ignored. \
                  `Application.compile_env` reads at the same moment but says so, and a release \
                  refuses to boot when the runtime value differs. Not flagged: `Application` \
                  reads inside functions (they run at runtime) and `compile_env` itself.",
            bad: "defmodule Shop.Mailer do\n  @from Application.get_env(:shop, :mail_from, \"shop@example.com\")\n\n  def from, do: @from\nend",
            good: "defmodule Shop.Mailer do\n  def from, do: Application.get_env(:shop, :mail_from, \"shop@example.com\")\nend",
            fix: "Replaces `Application.get_env` with `Application.compile_env` and \
                  `Application.fetch_env!` with `Application.compile_env!` (same arguments), \
                  offered one at a time: a release then fails to boot if the value is changed at \
                  runtime. When the value must be read at runtime, move the call into a function \
                  instead. `fetch_env/2` and `get_all_env/1` have no compile-time twin and get no \
                  fix.",
        },
        credo: &["Credo.Check.Warning.ApplicationConfigInModuleAttribute"],
        scope: crate::lint::Scope::Function,
        ..RuleMeta::BASE
    },
    check: Some(check),
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    let src = ctx.source;
    // Calls are in document order, so the reads of one attribute are consecutive.
    let mut current: Option<(Node<'_>, Vec<Node<'_>>)> = None;
    for (call, remote) in ctx.calls_with_remote() {
        let Some(_) = unsafe_read(call, remote) else {
            continue;
        };
        let Some(attr) = enclosing_attribute(call, src) else {
            continue;
        };
        match &mut current {
            Some((a, calls)) if *a == attr => calls.push(call),
            _ => {
                if let Some((a, calls)) = current.take() {
                    out.push(finding(ctx, a, &calls));
                }
                current = Some((attr, vec![call]));
            }
        }
    }
    if let Some((a, calls)) = current {
        out.push(finding(ctx, a, &calls));
    }
}

/// The `Application` function of a call that reads runtime configuration, with its arity as
/// Credo names it. `remote` is the call's `elixir::remote_call`.
fn unsafe_read(call: Node<'_>, remote: Option<(&str, &str)>) -> Option<String> {
    let (module, fun) = remote?;
    if module != "Application" {
        return None;
    }
    let arity = elixir::call_args(call).len();
    match fun {
        "get_env" => Some(format!("Application.get_env/{arity}")),
        "fetch_env" => Some("Application.fetch_env/2".into()),
        "fetch_env!" => Some("Application.fetch_env!/2".into()),
        "get_all_env" => Some("Application.get_all_env/1".into()),
        _ => None,
    }
}

/// The innermost `@name value` around `node`.
fn enclosing_attribute<'t>(node: Node<'t>, src: &str) -> Option<Node<'t>> {
    elixir::ancestor(node, |n| {
        n.kind() == "unary_operator"
            && elixir::operator(n, src) == "@"
            && n.field("operand").is_some_and(|o| o.kind() == "call")
    })
}

fn finding(ctx: &LintContext<'_>, attr: Node<'_>, calls: &[Node<'_>]) -> Finding {
    let src = ctx.source;
    let name = elixir::attribute(attr, src).map_or("", |a| a.name);
    // Credo names the last read it meets; the first is as good and reads better.
    let read = unsafe_read(calls[0], elixir::remote_call(calls[0], src)).unwrap_or_default();
    let message = format!(
        "Module attribute `@{name}` reads configuration with `{read}` at compile time; use \
         `Application.compile_env` or read it in a function"
    );
    let mut f = Finding::new(&RULE.meta, attr.byte_range(), message);
    if let Some(edits) = calls
        .iter()
        .map(|c| compile_env_edit(*c, src))
        .collect::<Option<Vec<_>>>()
    {
        f = f.with_fix(Fix::unsafe_("Use `Application.compile_env`", edits));
    }
    f
}

/// Renames `get_env`/`fetch_env!` to `compile_env`/`compile_env!` when the call has a
/// compile-time twin with the same arguments, and is not inside a function (`compile_env` is
/// only allowed in the module body).
fn compile_env_edit(call: Node<'_>, src: &str) -> Option<Edit> {
    let (_, fun) = elixir::remote_call(call, src)?;
    let arity = elixir::call_args(call).len();
    let new = match (fun, arity) {
        ("get_env", 2 | 3) => "compile_env",
        ("fetch_env!", 2) => "compile_env!",
        _ => return None,
    };
    if elixir::ancestor(call, |n| n.kind() == "anonymous_function").is_some() {
        return None;
    }
    let name = call.field("target")?.field("right")?;
    debug_assert_eq!(text(name, src), fun);
    Some(Edit::replace(name.byte_range(), new))
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_support::*;

    const CODE: &str = "config-in-module-attribute";

    const MAILER: &str = r#"defmodule Shop.Mailer do
  use Swoosh.Mailer, otp_app: :shop

  @from Application.get_env(:shop, :mail_from, "shop@example.com")
  @api_key Application.fetch_env!(:shop, :mail_api_key)
  @timeout Keyword.get(Application.get_env(:shop, __MODULE__, []), :timeout, 5_000)

  def from, do: @from
end
"#;

    #[test]
    fn reads_in_attributes_are_flagged_at_the_attribute() {
        let found = findings_of(MAILER, "lib/shop/mailer.ex", CODE);
        assert_eq!(found.len(), 3);
        assert!(
            found[0]
                .message
                .contains("`@from` reads configuration with `Application.get_env/3`"),
            "{}",
            found[0].message
        );
        assert!(found[1].message.contains("`Application.fetch_env!/2`"));
        assert!(MAILER[found[2].range.clone()].starts_with("@timeout"));
        assert!(!found[0].fix.as_ref().unwrap().safe);
    }

    #[test]
    fn the_fix_uses_compile_env() {
        let fixed = assert_clean_after_fix(MAILER, "lib/shop/mailer.ex", CODE);
        assert!(
            fixed
                .contains("@from Application.compile_env(:shop, :mail_from, \"shop@example.com\")")
        );
        assert!(fixed.contains("@api_key Application.compile_env!(:shop, :mail_api_key)"));
        assert!(
            fixed.contains("Keyword.get(Application.compile_env(:shop, __MODULE__, []), :timeout")
        );
    }

    #[test]
    fn reads_without_a_compile_time_twin_get_no_fix() {
        let src = "defmodule A do\n  @conf Application.get_all_env(:shop)\n  @mode Application.fetch_env(:shop, :mode)\nend\n";
        let found = findings_of(src, "lib/a.ex", CODE);
        assert_eq!(found.len(), 2);
        assert!(found.iter().all(|f| f.fix.is_none()));
    }

    #[test]
    fn runtime_reads_and_compile_env_are_fine() {
        let src = r#"defmodule ShopWeb.Endpoint do
  use Phoenix.Endpoint, otp_app: :shop

  @session_options [store: :cookie, key: "_shop_key"]
  @origin Application.compile_env(:shop, :origin)

  @doc "The configured host."
  def host, do: Application.get_env(:shop, :host)

  def api_key do
    Application.fetch_env!(:shop, :api_key)
  end
end
"#;
        assert!(findings_of(src, "lib/shop_web/endpoint.ex", CODE).is_empty());
    }
}
