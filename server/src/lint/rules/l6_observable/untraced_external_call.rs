//! `untraced-external-call`: a module that calls an HTTP client which emits no telemetry of its
//! own (`HTTPoison`, `:httpc`, Tesla without its telemetry middleware) and opens no
//! `:telemetry` event or OpenTelemetry span around it. Reported once per module, at the first
//! call.

use crate::lint::rules::l2_static::pipeline::piped_into;
use crate::syntax::Node;

use super::module_calls::own_calls;
use crate::lint::rules::l2_static::removal::enclosing_function;
use crate::lint::{Finding, LintContext, Rule, RuleDocs, RuleMeta, Severity};
use crate::syntax::module_model::ModuleModel;
use crate::syntax::{elixir, text};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "untraced-external-call",
        level: 6,
        severity: Severity::Warning,
        summary: "Module calling an HTTP client with no telemetry event or OpenTelemetry span",
        docs: RuleDocs {
            why: "Calls to other services are where latency and failures come from. When a \
                  module calls an HTTP client that emits nothing itself and wraps the call in \
                  no `:telemetry.span/3`, `:telemetry.execute/3` or OpenTelemetry span, a slow \
                  or failing partner shows up only as slow or failing requests of your own, \
                  with nothing pointing at the cause. Flagged clients: `HTTPoison` (also \
                  `use HTTPoison.Base` modules), `:httpc`, and Tesla when the module calls it \
                  with the default client (`Tesla.get(\"https://…\")`) or builds its client \
                  (`use Tesla`, `Tesla.client/1`) without `Tesla.Middleware.Telemetry` or \
                  `Tesla.Middleware.OpenTelemetry`. A module is traced when it calls \
                  `:telemetry.span/execute`, an OpenTelemetry tracer (`Tracer.with_span`, \
                  `OpenTelemetry.Tracer.*`, `OpentelemetryTelemetry.*`), `Appsignal.instrument` \
                  or has a `@decorate`/`@trace` tracing decorator. Not flagged: `Req`, `Finch` \
                  and Tesla on `Tesla.Adapter.Finch` (Finch emits `[:finch, :request, …]` events for every request, Req's \
                  included, which `OpentelemetryFinch` or a metrics handler attached elsewhere \
                  turns into spans; whether any handler is attached is a project-wide question \
                  for `missing-telemetry-setup`), Tesla calls on a client built in another \
                  module (its middleware cannot be seen from here; likewise a project-wide \
                  `config :tesla, adapter: …`), Mix tasks under `lib/mix/` (not part of a \
                  release), and files outside `lib/`.",
            bad: "defmodule Shop.Shipping do\n  def quote(parcel) do\n    HTTPoison.post(\"https://api.carrier.example/quotes\", Jason.encode!(parcel))\n  end\nend",
            good: "defmodule Shop.Shipping do\n  def quote(parcel) do\n    :telemetry.span([:shop, :carrier, :quote], %{parcel_id: parcel.id}, fn ->\n      result = HTTPoison.post(\"https://api.carrier.example/quotes\", Jason.encode!(parcel))\n      {result, %{}}\n    end)\n  end\nend",
            fix: "Wrap the call in `:telemetry.span/3` (or an OpenTelemetry `Tracer.with_span`), \
                  add `plug Tesla.Middleware.Telemetry` / `Tesla.Middleware.OpenTelemetry` to a \
                  Tesla client, or move to Req/Finch, which emit telemetry for every request.",
        },
        ..RuleMeta::BASE
    },
    check: Some(check),
};

/// Request functions of HTTPoison (and of `use HTTPoison.Base` / `use Tesla` modules).
const REQUEST_FUNCTIONS: &[&str] = &[
    "get", "get!", "post", "post!", "put", "put!", "patch", "patch!", "delete", "delete!", "head",
    "head!", "options", "options!", "request", "request!",
];

/// Tesla middlewares that emit telemetry or spans for every request.
/// `Tesla.Adapter.Finch` counts too: Finch emits telemetry for every request it sends.
const TRACING_MIDDLEWARES: &[&str] = &[
    "Tesla.Middleware.Telemetry",
    "Tesla.Middleware.OpenTelemetry",
    "Tesla.Adapter.Finch",
];

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    if !ctx.file.is_lib() || ctx.file.project_rel.starts_with("lib/mix/") {
        return;
    }
    // Every client call this rule reports names its client (`HTTPoison.get`, `:httpc.request`,
    // `Tesla.get`, or a local `get` under `use Tesla` / `use HTTPoison.Base`): without those
    // words the file has none, and the walk of its calls can be skipped (on every keystroke).
    if !["HTTPoison", ":httpc", "Tesla"]
        .iter()
        .any(|w| ctx.source.contains(w))
    {
        return;
    }
    for module in ctx.modules() {
        check_module(ctx, module, out);
    }
}

/// What a module knows about its HTTP calls and tracing.
#[derive(Default)]
struct Facts<'a> {
    /// The first untraced client call: the node and the client's label (`HTTPoison.post/2`).
    first: Option<(Node<'a>, String)>,
    /// Whether it emits telemetry or opens spans.
    traced: bool,
    /// Whether it builds a Tesla client with `Tesla.client/1,2`.
    builds_tesla_client: bool,
    /// Tesla calls on a client variable, kept until we know whether the module builds it.
    tesla_on_client: Option<(Node<'a>, String)>,
}

fn check_module<'a>(ctx: &LintContext<'a>, module: &ModuleModel<'a>, out: &mut Vec<Finding>) {
    let src = ctx.source;
    let module_text = text(module.def.node, src);
    let tesla_traced = TRACING_MIDDLEWARES.iter().any(|m| module_text.contains(m));
    let uses_tesla = module.uses.contains(&"Tesla");
    let uses_httpoison = module.uses.contains(&"HTTPoison.Base");
    let mut facts: Facts<'a> = Facts::default();
    for (call, remote) in own_calls(ctx, module) {
        if is_tracing(call, remote, src) {
            facts.traced = true;
            break;
        }
        if let Some((module_name, function)) = remote {
            if !matches!(module_name, "HTTPoison" | ":httpc" | "Tesla") {
                continue; // Most calls: no arguments to list, no label to write.
            }
            let piped = piped_into(call, src).is_some();
            let arity = elixir::call_args(call).len() + usize::from(piped);
            let label = format!("{module_name}.{function}/{arity}`");
            match module_name {
                "HTTPoison" if REQUEST_FUNCTIONS.contains(&function) => {
                    facts.first.get_or_insert((call, label));
                }
                ":httpc" if function == "request" => {
                    facts.first.get_or_insert((call, label));
                }
                "Tesla" if function == "client" => facts.builds_tesla_client = true,
                "Tesla" if REQUEST_FUNCTIONS.contains(&function) && !tesla_traced => {
                    let default_client = !piped
                        && elixir::call_args(call)
                            .first()
                            .is_some_and(|a| a.kind() == "string");
                    if default_client {
                        facts.first.get_or_insert((call, label));
                    } else {
                        facts.tesla_on_client.get_or_insert((call, label));
                    }
                }
                _ => {}
            }
        } else if let Some(name) = elixir::local_call_name(call, src)
            && REQUEST_FUNCTIONS.contains(&name)
            && elixir::has_arguments(call)
            && !is_definition_head(call, src)
        {
            let client = if uses_tesla && !tesla_traced {
                "Tesla"
            } else if uses_httpoison {
                "HTTPoison.Base"
            } else {
                continue;
            };
            let arity =
                elixir::call_args(call).len() + usize::from(piped_into(call, src).is_some());
            let label = format!("{name}/{arity}` (from `use {client}`)");
            facts.first.get_or_insert((call, label));
        }
    }
    if facts.traced {
        return;
    }
    let first = match (facts.first, facts.tesla_on_client) {
        (Some(a), Some(b)) if facts.builds_tesla_client && !tesla_traced => {
            Some(if b.0.start_byte() < a.0.start_byte() {
                b
            } else {
                a
            })
        }
        (Some(a), _) => Some(a),
        (None, Some(b)) if facts.builds_tesla_client && !tesla_traced => Some(b),
        _ => None,
    };
    let Some((call, label)) = first else {
        return;
    };
    let place = match enclosing_function(call, src) {
        Some(f) => format!(" in `{f}`"),
        None => String::new(),
    };
    let message = format!(
        "`{}` calls `{label}{place} with no telemetry event or OpenTelemetry span: wrap \
         external calls in `:telemetry.span/3` or a tracer span",
        module.def.name
    );
    out.push(Finding::new(&RULE.meta, call.byte_range(), message));
}

/// `def get(url)` in a module that `use`s Tesla defines a function; it is not a request.
fn is_definition_head(call: Node<'_>, src: &str) -> bool {
    elixir::ancestor(call, |n| n.kind() == "call")
        .and_then(|def| elixir::function_def(def, src))
        .is_some_and(|d| d.name_node.parent() == Some(call) || d.name_node == call)
}

/// A call (whose `elixir::remote_call` is `remote`) that emits telemetry or opens a span.
fn is_tracing(call: Node<'_>, remote: Option<(&str, &str)>, src: &str) -> bool {
    if let Some((module, function)) = remote {
        let last = module.rsplit('.').next().unwrap_or(module);
        return match module {
            ":telemetry" => matches!(function, "span" | "execute"),
            "Appsignal" => function == "instrument",
            _ if module.starts_with("OpenTelemetry")
                || module.starts_with("OpentelemetryTelemetry") =>
            {
                true
            }
            _ => last == "Tracer" && (function.contains("span")),
        };
    }
    match elixir::local_call_name(call, src) {
        Some("with_span" | "start_span") => true,
        // `@decorate trace()`, `@decorate transaction_event()`, `@trace :name`.
        Some("decorate") => {
            let args = elixir::call_args(call);
            is_attribute(call, src)
                && args.first().is_some_and(|a| {
                    let t = text(*a, src);
                    t.contains("trace") || t.contains("span") || t.contains("transaction")
                })
        }
        Some("trace") => is_attribute(call, src),
        _ => false,
    }
}

fn is_attribute(call: Node<'_>, src: &str) -> bool {
    call.parent()
        .is_some_and(|p| p.kind() == "unary_operator" && elixir::operator(p, src) == "@")
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_support::*;

    const CODE: &str = "untraced-external-call";
    const PATH: &str = "lib/shop/shipping.ex";

    #[test]
    fn flags_untraced_httpoison_once_per_module() {
        let src = r#"defmodule Shop.Shipping do
  @base "https://api.carrier.example"

  def quote(parcel) do
    case HTTPoison.post(@base <> "/quotes", Jason.encode!(parcel), headers()) do
      {:ok, %{status_code: 200, body: body}} -> {:ok, Jason.decode!(body)}
      {:ok, %{status_code: code}} -> {:error, code}
      {:error, reason} -> {:error, reason}
    end
  end

  def track(id), do: HTTPoison.get!(@base <> "/track/" <> id)

  defp headers, do: [{"content-type", "application/json"}]
end
"#;
        let found = findings_of(src, PATH, CODE);
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].message,
            "`Shop.Shipping` calls `HTTPoison.post/3` in `quote/1` with no telemetry event or OpenTelemetry span: wrap external calls in `:telemetry.span/3` or a tracer span"
        );
        assert!(src[found[0].range.clone()].starts_with("HTTPoison.post("));
    }

    #[test]
    fn flags_httpc_and_tesla_without_middleware() {
        let httpc = "defmodule Shop.Geo do\n  def lookup(ip) do\n    :httpc.request(:get, {~c\"https://geo.example/#{ip}\", []}, [], [])\n  end\nend\n";
        let found = findings_of(httpc, "lib/shop/geo.ex", CODE);
        assert_eq!(found.len(), 1);
        assert!(
            found[0]
                .message
                .contains("`:httpc.request/4` in `lookup/1`")
        );

        let tesla = r#"defmodule Shop.Github do
  use Tesla

  plug Tesla.Middleware.BaseUrl, "https://api.github.com"
  plug Tesla.Middleware.JSON

  def user_repos(login), do: get("/users/" <> login <> "/repos")
end
"#;
        let found = findings_of(tesla, "lib/shop/github.ex", CODE);
        assert_eq!(found.len(), 1);
        assert!(
            found[0]
                .message
                .contains("`get/1` (from `use Tesla`) in `user_repos/1`"),
            "{}",
            found[0].message
        );

        let dynamic = r#"defmodule Shop.Slack do
  def post(text) do
    Tesla.post(client(), "/chat.postMessage", %{text: text})
  end

  defp client do
    Tesla.client([{Tesla.Middleware.BaseUrl, "https://slack.com/api"}, Tesla.Middleware.JSON])
  end
end
"#;
        assert_eq!(finding_lines(dynamic, "lib/shop/slack.ex", CODE), [3]);
        let piped = "defmodule Shop.Disposable do\n  def check(email) do\n    [Tesla.Middleware.JSON]\n    |> Tesla.client()\n    |> Tesla.get(\"https://d.example/\", query: [email: email])\n  end\nend\n";
        let found = findings_of(piped, "lib/shop/disposable.ex", CODE);
        assert_eq!(found.len(), 1);
        assert!(
            found[0].message.contains("`Tesla.get/3` in `check/1`"),
            "{}",
            found[0].message
        );
        let default_client =
            "defmodule A do\n  def ping, do: Tesla.get(\"https://a.example/ping\")\nend\n";
        assert_eq!(findings_of(default_client, "lib/a.ex", CODE).len(), 1);
    }

    #[test]
    fn traced_modules_and_self_instrumenting_clients_are_fine() {
        let src = r#"defmodule Shop.Shipping do
  def quote(parcel) do
    :telemetry.span([:shop, :carrier, :quote], %{parcel_id: parcel.id}, fn ->
      {HTTPoison.post("https://api.carrier.example/quotes", Jason.encode!(parcel)), %{}}
    end)
  end
end

defmodule Shop.Payments do
  require OpenTelemetry.Tracer, as: Tracer

  def charge(card, amount) do
    Tracer.with_span "payments.charge" do
      HTTPoison.post!("https://pay.example/charges", Jason.encode!(%{card: card, amount: amount}))
    end
  end
end

defmodule Shop.Github do
  use Tesla

  plug Tesla.Middleware.BaseUrl, "https://api.github.com"
  plug Tesla.Middleware.Telemetry
  plug Tesla.Middleware.JSON

  def user_repos(login), do: get("/users/" <> login <> "/repos")
end

defmodule Shop.Weather do
  def today(city) do
    Req.get!("https://weather.example/today", params: [city: city]).body
  end

  def raw(city) do
    Finch.build(:get, "https://weather.example/raw?city=" <> city)
    |> Finch.request(Shop.Finch)
  end
end

defmodule Shop.Slack do
  def post(client, text), do: Tesla.post(client, "/chat.postMessage", %{text: text})
end

defmodule Shop.Fleet do
  def client(token) do
    Tesla.client(
      [{Tesla.Middleware.BearerAuth, token: token}, Tesla.Middleware.JSON],
      {Tesla.Adapter.Finch, name: Shop.Finch}
    )
  end

  def vehicles(token), do: Tesla.get(client(token), "/api/1/vehicles")
end

defmodule Shop.Cache do
  def get(key), do: :ets.lookup(:cache, key)
  def put(key, value), do: get(key) || :ets.insert(:cache, {key, value})
end
"#;
        let found = findings_of(src, PATH, CODE);
        assert!(found.is_empty(), "{found:#?}");
        let test = "defmodule Shop.ShippingTest do\n  test \"q\" do\n    HTTPoison.get!(\"http://localhost:4002\")\n  end\nend\n";
        assert!(findings_of(test, "test/shop/shipping_test.exs", CODE).is_empty());
        let task = "defmodule Mix.Tasks.Shop.Avatars do\n  use Mix.Task\n  def run(_), do: HTTPoison.get!(\"https://a.example\")\nend\n";
        assert!(findings_of(task, "lib/mix/tasks/shop.avatars.ex", CODE).is_empty());
    }

    #[test]
    fn nested_modules_are_judged_separately() {
        let src = r#"defmodule Shop.Api do
  def ping do
    :telemetry.execute([:shop, :api, :ping], %{count: 1})
  end

  defmodule Client do
    def get(url), do: HTTPoison.get(url)
  end
end
"#;
        let found = findings_of(src, PATH, CODE);
        assert_eq!(found.len(), 1);
        assert!(
            found[0]
                .message
                .starts_with("`Client` calls `HTTPoison.get/1`")
        );
    }
}
