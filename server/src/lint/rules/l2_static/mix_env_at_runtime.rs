//! `mix-env-at-runtime`: `Mix.env()` called inside a function in `lib/` — Credo's
//! `Warning.MixEnv`. Mix is a build tool and is not part of a release: the call raises
//! `UndefinedFunctionError` in production.
//!
//! Like Credo, only calls inside `def`, `defp` and `defmacro` count: `Mix.env()` in the module
//! body or a module attribute (`@env Mix.env()`) runs at compile time, which is fine.

use crate::syntax::Node;

use crate::lint::{Finding, LintContext, Rule, RuleDocs, RuleMeta, Severity};
use crate::syntax::elixir::{self, DefKind};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "mix-env-at-runtime",
        level: 2,
        severity: Severity::Error,
        fixable: false,
        summary: "`Mix.env()` called inside a function in `lib/` (Mix is absent in releases)",
        docs: RuleDocs {
            why: "Mix is a build tool: it is not included in a release, so `Mix.env()` in code \
                  that runs in production raises `UndefinedFunctionError` (and even where it \
                  works, it reports the build environment, not a runtime setting). Read the \
                  environment at compile time (`@env Mix.env()` in the module body) or, better, \
                  configure the behaviour (`config :shop, :sandbox, true` in `config/test.exs`, \
                  read with `Application.get_env`). Not flagged: `Mix.env()` in the module body \
                  and in module attributes (compile time), in a `defmacro` outside its `quote` \
                  (also compile time), in `.exs` files, and in Mix tasks (files under `lib/mix/` \
                  or modules that `use Mix.Task`: Mix is loaded when they run), where Credo \
                  would still report it.",
            bad: "defmodule Shop.Payments do\n  def client do\n    if Mix.env() == :prod, do: Stripe, else: Shop.FakeStripe\n  end\nend",
            good: "defmodule Shop.Payments do\n  def client, do: Application.get_env(:shop, :payments_client, Stripe)\nend",
            fix: "Move the decision to configuration (`config/test.exs`, `config/runtime.exs`) and \
                  read it with `Application.get_env`, or capture the build environment in a \
                  module attribute: `@env Mix.env()`.",
        },
        credo: &["Credo.Check.Warning.MixEnv"],
        scope: crate::lint::Scope::Function,
        reads_heads: true,
        ..RuleMeta::BASE
    },
    check: Some(check),
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    let rel = &ctx.file.project_rel;
    if !ctx.file.is_lib() || ctx.file.is_script() || rel.starts_with("lib/mix/") {
        return;
    }
    for (call, remote) in ctx.calls_with_remote() {
        if remote != Some(("Mix", "env")) {
            continue;
        }
        if let Some(f) = check_call(ctx, call) {
            out.push(f);
        }
    }
}

/// The finding for `call`, a `Mix.env` call.
fn check_call(ctx: &LintContext<'_>, call: Node<'_>) -> Option<Finding> {
    let src = ctx.source;
    let def = runtime_function(call, src)?;
    if in_mix_task(call, ctx) {
        return None;
    }
    let message = format!(
        "`Mix.env()` in `{}/{}` fails in a release (Mix is not available at runtime); read \
         configuration instead, or use `@env Mix.env()` at compile time",
        def.name,
        def.params.len()
    );
    Some(Finding::new(&RULE.meta, call.byte_range(), message))
}

/// The innermost `def`/`defp`/`defmacro` around `call` whose body runs at runtime. A macro's
/// body runs at compile time, except what it `quote`s into its caller.
fn runtime_function<'t>(call: Node<'t>, src: &'t str) -> Option<elixir::FunctionDef<'t>> {
    let node = elixir::ancestor(call, |n| elixir::is_function_def(n, src))?;
    let def = elixir::function_def(node, src)?;
    match def.kind {
        DefKind::Def | DefKind::Defp => Some(def),
        DefKind::Defmacro if elixir::inside_quote(call, src) => Some(def),
        _ => None,
    }
}

/// Whether `call` is in a module that `use`s `Mix.Task`.
fn in_mix_task(call: Node<'_>, ctx: &LintContext<'_>) -> bool {
    ctx.modules().iter().any(|m| {
        m.def.node.byte_range().contains(&call.start_byte()) && m.uses.contains(&"Mix.Task")
    })
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_support::*;

    const CODE: &str = "mix-env-at-runtime";

    #[test]
    fn calls_inside_functions_are_flagged() {
        let src = r#"defmodule Shop.Payments do
  @moduledoc false

  def client do
    if Mix.env() == :prod, do: Stripe, else: Shop.FakeStripe
  end

  defp sandbox?, do: Mix.env == :test

  defmacro log_env do
    quote do
      Logger.info("running in #{Mix.env()}")
    end
  end
end
"#;
        let found = findings_of(src, "lib/shop/payments.ex", CODE);
        assert_eq!(found.len(), 3);
        assert!(
            found[0].message.contains("`client/0`"),
            "{}",
            found[0].message
        );
        assert!(found[1].message.contains("`sandbox?/0`"));
        assert_eq!(&src[found[1].range.clone()], "Mix.env");
        assert_eq!(found[0].severity, crate::lint::Severity::Error);
    }

    #[test]
    fn compile_time_uses_are_fine() {
        let src = r#"defmodule Shop.Application do
  use Application

  @env Mix.env()

  if Mix.env() == :dev do
    def dev_routes?, do: true
  end

  defmacro env_specific(do: block) do
    if Mix.env() == :test, do: nil, else: block
  end

  def start(_type, _args) do
    children = [Shop.Repo] ++ extra(@env)
    Supervisor.start_link(children, strategy: :one_for_one)
  end
end
"#;
        assert!(findings_of(src, "lib/shop/application.ex", CODE).is_empty());
    }

    #[test]
    fn mix_tasks_scripts_and_other_folders_are_fine() {
        let task = r#"defmodule Mix.Tasks.Shop.Seed do
  use Mix.Task

  def run(_args) do
    if Mix.env() == :prod, do: Mix.raise("not in prod")
  end
end
"#;
        assert!(findings_of(task, "lib/mix/tasks/shop.seed.ex", CODE).is_empty());
        assert!(findings_of(task, "lib/shop/tasks/seed.ex", CODE).is_empty());
        let plain = "defmodule A do\n  def f, do: Mix.env()\nend\n";
        assert!(findings_of(plain, "mix.exs", CODE).is_empty());
        assert!(findings_of(plain, "lib/a.exs", CODE).is_empty());
        assert!(findings_of(plain, "test/support/a.ex", CODE).is_empty());
        assert_eq!(findings_of(plain, "lib/a.ex", CODE).len(), 1);
    }
}
