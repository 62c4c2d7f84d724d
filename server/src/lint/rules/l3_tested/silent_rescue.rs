//! `silent-rescue`: a `rescue` clause that catches every exception and then neither re-raises,
//! logs, reports, nor returns an error value. The failure disappears: tests pass, nothing is
//! logged, and the caller gets a value that looks like success.

use crate::syntax::Fields as _;
use crate::syntax::Node;

use super::handling::{handles_error, last_expression};
use crate::lint::rules::l2_static::removal::enclosing_function;
use crate::lint::rules::reason_comment::comment_within;
use crate::lint::{Finding, LintContext, Rule, RuleDocs, RuleMeta, Severity};
use crate::syntax::{elixir, text};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "silent-rescue",
        level: 3,
        severity: Severity::Warning,
        summary: "`rescue` of every exception that neither re-raises, logs, reports nor returns an error",
        docs: RuleDocs {
            why: "A `rescue` clause that catches every exception (`rescue _ ->`, `rescue e ->`, \
                  `e in Exception`) and answers with a plain value turns every bug in the \
                  protected code — a typo, a `nil` where a map was expected, a timeout — into a \
                  normal-looking result. Tests pass, nothing reaches the logs or the error \
                  tracker, and the caller carries on with a default. A clause counts as handling \
                  the error when it re-raises (`reraise`, `raise`, `throw`, `exit`), logs \
                  (`Logger.*`, any `log_*`/`*_error` helper, `IO.warn`), reports (`Sentry`, \
                  `Appsignal`, `Honeybadger`, `Bugsnag`, `:telemetry`, OpenTelemetry), returns \
                  or sends an error (`{:error, …}`, `:error`, `{:stop, …}`, `put_flash(…, \
                  :error, …)`, `put_status`/`send_resp`), or uses the rescued exception \
                  (`Exception.message(e)` passed on). Not flagged: clauses that name specific \
                  exceptions (`rescue ArgumentError -> nil` in a parser, `rescue \
                  Ecto.NoResultsError -> nil`: an expected failure handled on purpose), \
                  clauses with a comment saying why (a question or a `FIXME` is not a reason), \
                  predicates (`valid?/1`, `is_integer/1`) whose rescue answers `true` or \
                  `false`, `safe_*`/`try_*` functions (their name promises not to raise), a \
                  rescue that hands back the function's input unchanged (`rescue _ -> body` \
                  in a decoder), a retry with a raising call (`rescue _ -> HTTPoison.get!(…)`), \
                  `catch`, and test files.",
            bad: "defmodule Shop.Rates do\n  def fetch(currency) do\n    currency\n    |> RatesApi.get!()\n    |> Map.fetch!(\"rate\")\n  rescue\n    _ -> 1.0\n  end\nend",
            good: "defmodule Shop.Rates do\n  require Logger\n\n  def fetch(currency) do\n    {:ok, currency |> RatesApi.get!() |> Map.fetch!(\"rate\")}\n  rescue\n    e in [RatesApi.Error, KeyError] ->\n      Logger.warning(\"rate lookup failed: #{Exception.message(e)}\")\n      {:error, :rate_unavailable}\n  end\nend",
            fix: "Rescue only the exceptions you expect, and make the failure visible: return \
                  `{:error, reason}`, log it with `Logger.error/2`, report it to your error \
                  tracker, or `reraise e, __STACKTRACE__`. Often the better fix is no `rescue` at \
                  all: let it crash, and let the supervisor restart a clean process.",
        },
        scope: crate::lint::Scope::Function,
        ..RuleMeta::BASE
    },
    check: Some(check),
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    if ctx.file.is_test() {
        return;
    }
    for call in &ctx.nodes().calls {
        for rescue in rescue_blocks(*call, ctx.source) {
            check_rescue(ctx, rescue, out);
        }
    }
}

/// The `rescue` blocks of a `try` or of a function body (`def … do … rescue … end`).
fn rescue_blocks<'t>(call: Node<'t>, src: &str) -> Vec<Node<'t>> {
    let is_owner = elixir::is_local_call(call, src, "try") || elixir::is_function_def(call, src);
    if !is_owner {
        return Vec::new();
    }
    let Some(block) = elixir::do_block(call) else {
        return Vec::new();
    };
    let mut cursor = block.walk();
    block
        .named_children(&mut cursor)
        .filter(|c| c.kind() == "rescue_block")
        .collect()
}

fn check_rescue(ctx: &LintContext<'_>, rescue: Node<'_>, out: &mut Vec<Finding>) {
    let src = ctx.source;
    let mut cursor = rescue.walk();
    // Where a comment explaining the current clause may start: after the previous clause.
    let mut comments_from = rescue.start_byte();
    for clause in rescue.named_children(&mut cursor) {
        if clause.kind() != "stab_clause" {
            continue;
        }
        let explained = comment_within(ctx, comments_from..clause.end_byte());
        comments_from = clause.end_byte();
        if explained {
            continue; // "we just trap the exception: the uuid may be gone" is a decision.
        }
        let Some(pattern) = clause.field("left").and_then(|l| l.named_child(0)) else {
            continue;
        };
        let Some(bound) = catch_all(pattern, src) else {
            continue; // Specific exceptions: handled on purpose.
        };
        let Some(body) = clause.field("right") else {
            continue; // `rescue _ ->` with nothing after it yet: half-typed code.
        };
        let function = enclosing_function(clause, src);
        if handles_error(body, src, bound)
            || retries_raising(body, src)
            || fallback_function(function.as_deref(), body, src)
            || returns_input(clause, body, src)
        {
            continue;
        }
        let place = match &function {
            Some(f) => format!(" in `{f}`"),
            None => String::new(),
        };
        let message = format!(
            "`rescue {} ->`{place} swallows every exception: it neither re-raises, logs, \
             reports nor returns an error",
            text(pattern, src)
        );
        out.push(Finding::new(&RULE.meta, pattern.byte_range(), message));
    }
}

/// For a pattern that rescues every exception, `Some(variable)` with the variable binding it
/// (`None` for `_`); `None` for patterns naming specific exceptions.
fn catch_all<'a>(pattern: Node<'_>, src: &'a str) -> Option<Option<&'a str>> {
    let var = |n: Node<'_>| {
        let name = text(n, src);
        (!name.starts_with('_')).then_some(name)
    };
    match pattern.kind() {
        "identifier" => Some(var(pattern)),
        "alias" if text(pattern, src) == "Exception" => Some(None),
        "binary_operator" if elixir::operator(pattern, src) == "in" => {
            let left = pattern.field("left")?;
            let right = pattern.field("right")?;
            let names_exception = match right.kind() {
                "alias" => text(right, src) == "Exception",
                "list" => {
                    let mut c = right.walk();
                    right
                        .named_children(&mut c)
                        .any(|a| text(a, src) == "Exception")
                }
                _ => false,
            };
            let bound = if left.kind() == "identifier" {
                var(left)
            } else {
                None
            };
            names_exception.then_some(bound)
        }
        _ => None,
    }
}

/// A function whose name promises a fallback: a predicate (`valid?/1`, `is_integer/1`) whose
/// rescue answers `true` or `false` ("is it valid? no" is the answer, not a hidden failure), or
/// a `safe_*`/`try_*` function, whose callers rely on it not raising.
fn fallback_function(function: Option<&str>, body: Node<'_>, src: &str) -> bool {
    let Some(name) = function.and_then(|f| f.split('/').next()) else {
        return false;
    };
    if name.starts_with("safe_") || name.starts_with("try_") {
        return true;
    }
    let is_predicate = name.ends_with('?') || name.starts_with("is_");
    is_predicate && last_expression(body).is_some_and(|e| matches!(text(e, src), "true" | "false"))
}

/// `rescue _ -> HTTPoison.get!(url, other_opts)`: a retry that raises when it fails too.
fn retries_raising(body: Node<'_>, src: &str) -> bool {
    let mut found = false;
    elixir::walk(body, &mut |n| {
        if n.kind() == "call" && elixir::has_arguments(n) {
            let name = match elixir::remote_call(n, src) {
                Some((_, f)) => Some(f),
                None => elixir::local_call_name(n, src),
            };
            found |= name.is_some_and(|f| f.ends_with('!'));
        }
        !found
    });
    found
}

/// `rescue _ -> body` in `decode(body)`: the input is handed back unchanged, the documented
/// "leave it as it is when it cannot be converted" idiom.
fn returns_input(clause: Node<'_>, body: Node<'_>, src: &str) -> bool {
    let Some(answer) = last_expression(body).filter(|e| e.kind() == "identifier") else {
        return false;
    };
    let Some(def) = elixir::ancestor(clause, |n| elixir::is_function_def(n, src))
        .and_then(|n| elixir::function_def(n, src))
    else {
        return false;
    };
    let name = text(answer, src);
    def.params.iter().any(|p| {
        let p = if elixir::is_binary_op(*p, src, "\\\\") {
            p.field("left").unwrap_or(*p)
        } else {
            *p
        };
        p.kind() == "identifier" && text(p, src) == name
    })
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_support::*;

    const CODE: &str = "silent-rescue";
    const PATH: &str = "lib/shop/rates.ex";

    #[test]
    fn flags_catch_all_rescues_that_answer_with_a_value() {
        let src = r#"defmodule Shop.Rates do
  def fetch(currency) do
    currency
    |> RatesApi.get!()
    |> Map.fetch!("rate")
  rescue
    _ -> 1.0
  end

  def refresh_all(currencies) do
    Enum.each(currencies, fn c ->
      try do
        Cache.put(c, fetch(c))
      rescue
        e -> :ok
      end
    end)
  end

  def order_total(order) do
    try do
      Enum.sum(order.lines)
    rescue
      _e in Exception -> nil
    end
  end
end
"#;
        let found = findings_of(src, PATH, CODE);
        let messages: Vec<&str> = found.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(found.len(), 3, "{messages:#?}");
        assert_eq!(
            messages[0],
            "`rescue _ ->` in `fetch/1` swallows every exception: it neither re-raises, logs, reports nor returns an error"
        );
        assert!(messages[1].contains("`rescue e ->` in `refresh_all/1`"));
        assert!(messages[2].contains("`rescue _e in Exception ->` in `order_total/1`"));
        assert_eq!(&src[found[0].range.clone()], "_");
    }

    #[test]
    fn genserver_loop_that_hides_crashes_is_flagged() {
        let src = r#"defmodule Shop.Poller do
  use GenServer

  @impl true
  def handle_info(:poll, state) do
    state = %{state | items: Feed.fetch!(state.url)}
    schedule()
    {:noreply, state}
  rescue
    _ ->
      schedule()
      {:noreply, state}
  end
end
"#;
        assert_eq!(finding_lines(src, "lib/shop/poller.ex", CODE), [10]);
    }

    #[test]
    fn clauses_that_surface_the_error_are_fine() {
        let src = r#"defmodule Shop.Importer do
  require Logger

  def parse(json) do
    {:ok, Jason.decode!(json)}
  rescue
    _ -> {:error, :invalid}
  end

  def run(path) do
    path |> File.read!() |> import!()
  rescue
    e ->
      Logger.error("import failed: " <> Exception.message(e))
      :ok
  end

  def sync(shop) do
    Api.push!(shop)
  rescue
    e -> reraise Shop.SyncError, [shop: shop, cause: e], __STACKTRACE__
  end

  def notify(user) do
    Mailer.deliver!(welcome(user))
  rescue
    e ->
      Sentry.capture_exception(e, stacktrace: __STACKTRACE__)
      nil
  end

  def measure(order) do
    Billing.charge!(order)
  rescue
    _ ->
      :telemetry.execute([:shop, :charge, :failed], %{count: 1}, %{order: order.id})
      :failed
  end

  def lookup(id) do
    Remote.get!(id)
  rescue
    e -> %{id: id, problem: Exception.message(e)}
  end

  def create(conn, params) do
    render(conn, "show.html", item: Items.create!(params))
  rescue
    _ -> conn |> put_flash(:error, "Could not save") |> redirect(to: "/")
  end

  def handle_call(:work, _from, state) do
    {:reply, do_work!(state), state}
  rescue
    _ -> {:reply, :error, state}
  end
end
"#;
        let found = findings_of(src, "lib/shop/importer.ex", CODE);
        assert!(found.is_empty(), "{found:#?}");
    }

    #[test]
    fn specific_exceptions_and_predicates_are_fine() {
        let src = r#"defmodule Shop.Params do
  def to_status(value) do
    String.to_existing_atom(value)
  rescue
    ArgumentError -> nil
  end

  def get_order(id) do
    Repo.get!(Order, id)
  rescue
    Ecto.NoResultsError -> nil
  end

  def parse_date(s) do
    Date.from_iso8601!(s)
  rescue
    _ in [ArgumentError, MatchError] -> nil
  end

  def valid_json?(s) do
    Jason.decode!(s)
    true
  rescue
    _ -> false
  end

  def fetch(k) do
    try do
      lookup!(k)
    catch
      :exit, _ -> nil
    end
  end
end
"#;
        let found = findings_of(src, "lib/shop/params.ex", CODE);
        assert!(found.is_empty(), "{found:#?}");
        let test = "defmodule Shop.ParamsTest do\n  test \"x\" do\n    try do\n      f()\n    rescue\n      _ -> :ok\n    end\n  end\nend\n";
        assert!(findings_of(test, "test/shop/params_test.exs", CODE).is_empty());
    }

    #[test]
    fn explained_and_fallback_idioms_are_fine() {
        let src = r#"defmodule Shop.Flows do
  use HTTPoison.Base

  def next_type(flow, exit) do
    {:node, node} = flow.uuid_map[exit.destination]
    if node.templating, do: :hsm, else: :session
  rescue
    # A destination may have been deleted since the flow was published.
    _ -> :unknown
  end

  def record(event) do
    :telemetry_metrics.emit(event)
    :ok
  rescue
    _ ->
      # Metrics are best-effort: never fail the job because of them.
      :ok
  end

  def process_response_body(body) do
    Jason.decode!(body)
  rescue
    _ -> body
  end

  defp safe_desc(ast) do
    ast |> Macro.to_string() |> String.slice(0, 60)
  rescue
    _ -> "unsupported construct"
  end

  def is_integer(string) do
    _ = String.to_integer(string)
    true
  rescue
    _ -> false
  end

  def get!(url, headers \\ []) do
    HTTPoison.get!(url, headers)
  rescue
    _ -> HTTPoison.get!(url, headers, ssl: [versions: [:"tlsv1.2"]])
  end
end
"#;
        let found = findings_of(src, "lib/shop/flows.ex", CODE);
        assert!(found.is_empty(), "{found:#?}");
    }

    #[test]
    fn comment_of_another_clause_does_not_count() {
        let src = "defmodule A do
  def f(x) do
    g(x)
  rescue
    # the record may be gone
    Ecto.StaleEntryError -> :ok
    _ -> :ok
  end
end
";
        assert_eq!(finding_lines(src, "lib/a.ex", CODE), [7]);
    }

    #[test]
    fn half_typed_rescue_does_not_panic() {
        for src in [
            "def f do\n  g()\nrescue\n  _ ->\n",
            "def f do\n  try do\n    g()\n  rescue\n",
            "try do\nrescue\n  e in ->\nend\n",
        ] {
            let _ = findings_of(src, PATH, CODE);
        }
    }
}
