//! `missing-test-file`: a `lib/` file whose modules have public functions, with no test.
//!
//! A test counts when it sits at the mirrored path (`lib/a/b.ex` → `test/a/b_test.exs`), when
//! a test file of the same app is named after the file (`b_test.exs` anywhere under `test/`),
//! or when any test file of the umbrella names one of the file's modules (after resolving its
//! aliases): contexts are often tested through `accounts_test.exs` naming `Accounts.User`. The
//! answer comes from the project index, and only once it is complete: a file linted on its own,
//! or before the workspace is indexed, gets no finding rather than a wrong one.

use crate::lint::{Finding, LintContext, Rule, RuleDocs, RuleMeta, Severity};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "missing-test-file",
        level: 3,
        severity: Severity::Info,
        summary: "A `lib/` module with public functions and no test",
        docs: RuleDocs {
            why: "Code without a test is code whose behaviour nobody has pinned down: the next \
                  change can break it silently. The test that mirrors a module's path is where \
                  the next developer looks for its examples and adds a case for a bug. Not \
                  flagged: files whose modules have no public function of their own (only \
                  callbacks of a `use`d behaviour, `@doc false` functions, `child_spec`/\
                  `start_link`, function components), framework wiring (`use Application`, \
                  `Ecto.Repo`, `Phoenix.Endpoint`, routers, `Gettext`, `Phoenix.Presence`, the \
                  generated `*Telemetry` supervisor, `__using__` modules), modules that render \
                  (`use Phoenix.Component`/`LiveComponent`, `use MyAppWeb, :html`/`:view`/\
                  `:component`; live views are not exempt), files with a test \
                  at the mirrored path or of the same name, and files whose modules any test of \
                  the project (or umbrella) names.",
            bad: "# lib/shop/pricing.ex, and no test/shop/pricing_test.exs\ndefmodule Shop.Pricing do\n  def total(items), do: Enum.sum_by(items, & &1.price)\nend",
            good: "# test/shop/pricing_test.exs\ndefmodule Shop.PricingTest do\n  use ExUnit.Case, async: true\n\n  test \"sums the prices\" do\n    assert Shop.Pricing.total([%{price: 2}, %{price: 3}]) == 5\n  end\nend",
            fix: "Add `test/<same path>_test.exs` with at least one test of the public functions \
                  (or test the module from an existing test that names it).",
        },
        ..RuleMeta::BASE
    },
    check: Some(check),
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    let file = ctx.file;
    if !file.is_lib() || file.is_script() {
        return;
    }
    let Some(app) = file.root.as_deref() else {
        return;
    };
    if !ctx.project.covers(app) {
        return;
    }
    let modules = ctx.module_facts();
    let Some(first) = modules.iter().position(|m| m.testable) else {
        return;
    };
    let names: Vec<&str> = modules.iter().map(|m| m.name.as_str()).collect();
    if ctx.project.has_test(app, &file.project_rel, &names) {
        return;
    }
    let Some(model) = ctx.modules().get(first) else {
        return;
    };
    let mirrored = crate::project::index::mirrored_test(&file.project_rel);
    out.push(Finding::new(
        &RULE.meta,
        model.def.name_node.byte_range(),
        format!(
            "`{}` has public functions but no test: no `{mirrored}`, and no test names the module",
            modules[first].name
        ),
    ));
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_support::*;

    const CODE: &str = "missing-test-file";
    const PRICING: &str = "defmodule Shop.Pricing do\n  @moduledoc \"Prices.\"\n  alias Shop.Catalog.Item\n\n  def total(items), do: Enum.reduce(items, 0, fn %Item{price: p}, acc -> acc + p end)\n\n  defp round_cents(x), do: x\nend\n";

    fn messages(files: &[(&str, &str)], path: &str) -> Vec<String> {
        findings_in_project(files, path, CODE)
            .into_iter()
            .map(|f| f.message)
            .collect()
    }

    #[test]
    fn flags_a_lib_module_nobody_tests() {
        let other_test = "defmodule Shop.CartTest do\n  use ExUnit.Case\n  test \"x\", do: assert Shop.Cart.new() == %{}\nend\n";
        let files = [
            ("lib/shop/pricing.ex", PRICING),
            ("test/shop/cart_test.exs", other_test),
        ];
        assert_eq!(
            messages(&files, "lib/shop/pricing.ex"),
            [
                "`Shop.Pricing` has public functions but no test: no `test/shop/pricing_test.exs`, and no test names the module"
            ]
        );
    }

    #[test]
    fn a_mirrored_named_or_naming_test_counts() {
        let mirrored = "defmodule Shop.PricingTest do\n  use ExUnit.Case\nend\n";
        for test_path in ["test/shop/pricing_test.exs", "test/pricing_test.exs"] {
            let files = [("lib/shop/pricing.ex", PRICING), (test_path, mirrored)];
            assert!(
                messages(&files, "lib/shop/pricing.ex").is_empty(),
                "{test_path}"
            );
        }
        // A context test naming the module through an alias.
        let context_test = "defmodule Shop.CheckoutTest do\n  use Shop.DataCase\n  alias Shop.Pricing\n\n  test \"totals\" do\n    assert Pricing.total([]) == 0\n  end\nend\n";
        let files = [
            ("lib/shop/pricing.ex", PRICING),
            ("test/shop/checkout_test.exs", context_test),
        ];
        assert!(messages(&files, "lib/shop/pricing.ex").is_empty());
    }

    #[test]
    fn wiring_callbacks_and_lone_files_are_quiet() {
        let repo = "defmodule Shop.Repo do\n  use Ecto.Repo, otp_app: :shop, adapter: Ecto.Adapters.Postgres\n\n  def tenant, do: :public\nend\n";
        let server = "defmodule Shop.Cache do\n  use GenServer\n\n  def start_link(opts), do: GenServer.start_link(__MODULE__, opts, name: __MODULE__)\n\n  @impl true\n  def init(opts), do: {:ok, opts}\n\n  @doc false\n  def debug_state, do: :sys.get_state(__MODULE__)\nend\n";
        let files = [("lib/shop/repo.ex", repo), ("lib/shop/cache.ex", server)];
        assert!(messages(&files, "lib/shop/repo.ex").is_empty());
        assert!(messages(&files, "lib/shop/cache.ex").is_empty());
        let web = "defmodule ShopWeb do\n  def static_paths, do: ~w(assets favicon.ico)\n\n  def controller do\n    quote do\n      use Phoenix.Controller\n    end\n  end\n\n  defmacro __using__(which) when is_atom(which), do: apply(__MODULE__, which, [])\nend\n";
        let telemetry = "defmodule ShopWeb.Telemetry do\n  use Supervisor\n  import Telemetry.Metrics\n\n  def start_link(arg), do: Supervisor.start_link(__MODULE__, arg, name: __MODULE__)\n\n  @impl true\n  def init(_arg), do: Supervisor.init([], strategy: :one_for_one)\n\n  def metrics, do: [summary(\"phoenix.endpoint.stop.duration\")]\nend\n";
        let components = "defmodule ShopWeb.Billing do\n  use Phoenix.Component\n\n  def billing_tab(assigns), do: ~H\"<p>{@total}</p>\"\n\n  def payment_date(iso), do: String.slice(iso, 0, 10)\nend\n";
        let files = [
            ("lib/shop_web.ex", web),
            ("lib/shop_web/telemetry.ex", telemetry),
            ("lib/shop_web/billing.ex", components),
        ];
        for (path, _) in files {
            assert!(messages(&files, path).is_empty(), "{path}");
        }
        // Tests and scripts are not subjects.
        let files = [("test/support/factory.ex", PRICING)];
        assert!(messages(&files, "test/support/factory.ex").is_empty());
        // Linted alone, the project is unknown: no finding.
        assert!(findings_of(PRICING, "lib/shop/pricing.ex", CODE).is_empty());
    }
}
