//! `missing-telemetry-setup`: a Phoenix project where nothing sets up telemetry.
//!
//! Reported once per project, on the `{:phoenix, …}` dependency in `mix.exs`, when the complete
//! project index (the whole umbrella, for an umbrella app) has no file that sets up metrics or
//! handlers: `Telemetry.Metrics` (imported, aliased or called), `:telemetry_poller`,
//! `:telemetry.attach`/`attach_many`, PromEx, or OpenTelemetry instrumentation
//! (`OpentelemetryPhoenix.setup` and friends).

use crate::lint::{Finding, LintContext, Rule, RuleDocs, RuleMeta, Severity};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "missing-telemetry-setup",
        level: 6,
        severity: Severity::Warning,
        summary: "A Phoenix project with no telemetry metrics or handlers anywhere",
        docs: RuleDocs {
            why: "Phoenix, Ecto and most libraries emit `:telemetry` events, but nothing is \
                  measured until a project attaches handlers or defines metrics: without them \
                  there are no request latencies, query times or VM numbers to alert on when \
                  production degrades. `mix phx.new` generates a `MyAppWeb.Telemetry` supervisor \
                  for this. Not flagged: projects without the `:phoenix` dependency, and any \
                  project (or umbrella) where some file imports or calls `Telemetry.Metrics`, \
                  starts `:telemetry_poller`, calls `:telemetry.attach`/`attach_many`, uses \
                  PromEx, or sets up OpenTelemetry instrumentation.",
            bad: "# mix.exs of a Phoenix app, and no telemetry module anywhere\ndefp deps do\n  [\n    {:phoenix, \"~> 1.7\"},\n    {:phoenix_ecto, \"~> 4.4\"}\n  ]\nend",
            good: "# lib/shop_web/telemetry.ex\ndefmodule ShopWeb.Telemetry do\n  use Supervisor\n  import Telemetry.Metrics\n\n  def start_link(arg), do: Supervisor.start_link(__MODULE__, arg, name: __MODULE__)\n\n  @impl true\n  def init(_arg) do\n    children = [{:telemetry_poller, measurements: [], period: 10_000}]\n    Supervisor.init(children, strategy: :one_for_one)\n  end\n\n  def metrics do\n    [summary(\"phoenix.endpoint.stop.duration\", unit: {:native, :millisecond})]\n  end\nend",
            fix: "Add a telemetry supervisor as `mix phx.new` generates it (`MyAppWeb.Telemetry` \
                  with `Telemetry.Metrics` definitions and a `:telemetry_poller`), start it in \
                  the application's children, and report the metrics (LiveDashboard, Prometheus \
                  via PromEx or `telemetry_metrics_prometheus`, or OpenTelemetry).",
        },
        ..RuleMeta::BASE
    },
    check: Some(check),
};

/// How `mix.exs` names the dependency.
const PHOENIX_DEP: &str = "{:phoenix,";

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    if ctx.file.project_rel != "mix.exs" {
        return;
    }
    let Some(at) = ctx.source.find(PHOENIX_DEP) else {
        return;
    };
    let Some(app) = ctx.file.root.as_deref() else {
        return;
    };
    if !ctx.project.covers(app) || ctx.project.has_telemetry(app) {
        return;
    }
    out.push(Finding::new(
        &RULE.meta,
        at..at + PHOENIX_DEP.len() - 1,
        "This Phoenix project sets up no telemetry: no `Telemetry.Metrics`, \
         `:telemetry_poller`, `:telemetry.attach` or OpenTelemetry setup anywhere"
            .to_string(),
    ));
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_support::*;

    const CODE: &str = "missing-telemetry-setup";
    const MIX: &str = "defmodule Shop.MixProject do\n  use Mix.Project\n\n  def project do\n    [app: :shop, version: \"0.1.0\", deps: deps()]\n  end\n\n  defp deps do\n    [\n      {:phoenix, \"~> 1.7.14\"},\n      {:phoenix_ecto, \"~> 4.5\"},\n      {:telemetry_metrics, \"~> 1.0\"}\n    ]\n  end\nend\n";
    const APP: &str = "defmodule Shop.Application do\n  use Application\n\n  @impl true\n  def start(_type, _args) do\n    children = [Shop.Repo, ShopWeb.Endpoint]\n    Supervisor.start_link(children, strategy: :one_for_one, name: Shop.Supervisor)\n  end\nend\n";

    #[test]
    fn flags_a_phoenix_project_without_telemetry() {
        let files = [("mix.exs", MIX), ("lib/shop/application.ex", APP)];
        let found = findings_in_project(&files, "mix.exs", CODE);
        assert_eq!(found.len(), 1);
        assert_eq!(&MIX[found[0].range.clone()], "{:phoenix");
    }

    #[test]
    fn any_setup_anywhere_counts() {
        let telemetry = "defmodule ShopWeb.Telemetry do\n  use Supervisor\n  import Telemetry.Metrics\n\n  def start_link(arg), do: Supervisor.start_link(__MODULE__, arg, name: __MODULE__)\n\n  @impl true\n  def init(_arg) do\n    children = [{:telemetry_poller, measurements: [], period: 10_000}]\n    Supervisor.init(children, strategy: :one_for_one)\n  end\n\n  def metrics, do: [summary(\"phoenix.endpoint.stop.duration\")]\nend\n";
        let handler = "defmodule Shop.Instrumenter do\n  def setup do\n    :telemetry.attach_many(\"shop\", [[:phoenix, :endpoint, :stop]], &__MODULE__.handle/4, nil)\n  end\n\n  def handle(_event, _measurements, _meta, _config), do: :ok\nend\n";
        let otel = "defmodule Shop.Application do\n  use Application\n\n  @impl true\n  def start(_type, _args) do\n    OpentelemetryPhoenix.setup(adapter: :bandit)\n    Supervisor.start_link([], strategy: :one_for_one)\n  end\nend\n";
        for (path, src) in [
            ("lib/shop_web/telemetry.ex", telemetry),
            ("lib/shop/instrumenter.ex", handler),
            ("lib/shop/application.ex", otel),
        ] {
            let files = [("mix.exs", MIX), (path, src)];
            assert!(
                findings_in_project(&files, "mix.exs", CODE).is_empty(),
                "{path}"
            );
        }
    }

    #[test]
    fn not_phoenix_or_not_indexed_is_quiet() {
        let plain = MIX.replace("{:phoenix, \"~> 1.7.14\"},\n", "");
        let files = [
            ("mix.exs", plain.as_str()),
            ("lib/shop/application.ex", APP),
        ];
        assert!(findings_in_project(&files, "mix.exs", CODE).is_empty());
        assert!(findings_of(MIX, "mix.exs", CODE).is_empty());
    }
}
