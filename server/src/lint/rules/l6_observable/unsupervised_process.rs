//! `unsupervised-process`: a process started in `lib/` that no supervisor watches and nobody
//! waits for — `spawn/1,3`, `Task.start/1,3`, and `Task.async/1,3` whose result the module never
//! awaits.

use crate::lint::rules::l2_static::pipeline::piped_into;
use crate::syntax::Node;

use super::module_calls::own_calls;
use crate::lint::rules::l2_static::removal::enclosing_function;
use crate::lint::rules::reason_comment::comment_at;
use crate::lint::{Finding, LintContext, Rule, RuleDocs, RuleMeta, Severity};
use crate::project::Supervised;
use crate::syntax::elixir;
use crate::syntax::module_model::ModuleModel;

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "unsupervised-process",
        level: 6,
        severity: Severity::Warning,
        summary: "`spawn`, `Task.start` or an unawaited `Task.async` outside a supervisor",
        docs: RuleDocs {
            why: "A process started with `spawn` or `Task.start` belongs to no supervision \
                  tree: when it crashes nothing restarts it and, unless it logs, nothing \
                  notices; on shutdown it is killed mid-work instead of being stopped in order; \
                  and it does not show up where operators look (observer, LiveDashboard's \
                  supervision tree). `Task.async` links the task to the caller and expects a \
                  `Task.await`: started and never awaited, its reply lands in the caller's \
                  mailbox and its crash takes the caller down. Not flagged: \
                  `Task.Supervisor.*`, `spawn_link`/`spawn_monitor` and `Task.start_link` (the \
                  caller is linked to or monitors the process: in a `start_link` or child spec \
                  it is supervised), `Task.async` in a module that awaits tasks \
                  (`Task.await`/`await_many`/`yield`/`yield_many`, a `receive`) or receives \
                  their replies in `handle_info/2` or `handle_event/4` (the GenServer and \
                  `gen_statem` pattern), a start with a comment above it saying why it is left \
                  unsupervised, calls to a module's own `spawn` function, `Task.async_stream`, Mix tasks \
                  under `lib/mix/` (not part of a release), code inside `quote`, and files \
                  outside `lib/`.",
            bad: "defmodule Shop.Orders do\n  def place(order) do\n    {:ok, order} = Repo.insert(order)\n    Task.start(fn -> Shop.Mailer.deliver_confirmation(order) end)\n    {:ok, order}\n  end\nend",
            good: "# In Shop.Application's children: {Task.Supervisor, name: Shop.TaskSupervisor}\ndefmodule Shop.Orders do\n  def place(order) do\n    {:ok, order} = Repo.insert(order)\n    Task.Supervisor.start_child(Shop.TaskSupervisor, fn ->\n      Shop.Mailer.deliver_confirmation(order)\n    end)\n    {:ok, order}\n  end\nend",
            fix: "Start a `Task.Supervisor` in the application's supervision tree and use \
                  `Task.Supervisor.start_child/2` (fire and forget) or \
                  `Task.Supervisor.async_nolink/2` (with a reply); for long-lived processes, \
                  a `GenServer` or `Task` child in a supervisor. Await every `Task.async`. \
                  When a supervisor of the project already starts a `Task.Supervisor` (a child \
                  of `Supervisor.init/2`, `Supervisor.start_link/2` or the application's \
                  `children`), the message names it and the name it is registered under.",
        },
        scope: crate::lint::Scope::Mentions(&["spawn", "Task", "receive"]),
        ..RuleMeta::BASE
    },
    check: Some(check),
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    let rel = &ctx.file.project_rel;
    if !ctx.file.is_lib() || rel.starts_with("lib/mix/") {
        return;
    }
    // Every start this rule reports is a `spawn` or a `Task.` call: without those words the
    // file has none, and the look at each of its calls can be skipped.
    if !ctx.source.contains("spawn") && !ctx.source.contains("Task") {
        return;
    }
    for module in ctx.modules() {
        check_module(ctx, module, out);
    }
}

/// How a call starts a process.
enum Start {
    /// `spawn/1,3`, `Task.start/1,3`: nobody watches it.
    Unwatched,
    /// `Task.async/1,3`: linked, needs an await.
    Async,
}

/// What the incremental re-lint needs of the calls of one unit (byte range `range`, whose
/// calls `ctx` must hold): `(awaits, starts)` — whether one awaits a task or receives (the
/// module-wide fact every finding of the module reads), and whether one may start a process
/// (only then can the unit hold a finding).
pub(crate) fn unit_facts(ctx: &LintContext<'_>, range: std::ops::Range<usize>) -> (bool, bool) {
    let src = ctx.source;
    let calls = &ctx.nodes().calls;
    let start = calls.partition_point(|c| c.start_byte() < range.start);
    let (mut awaits, mut starts) = (false, false);
    for (call, remote) in calls[start..]
        .iter()
        .zip(&ctx.remote_calls()[start..])
        .take_while(|(c, _)| c.start_byte() < range.end)
    {
        starts |= starts_process(*call, *remote, src).is_some();
        awaits |= matches!(
            remote,
            Some(("Task", "await" | "await_many" | "yield" | "yield_many"))
        ) || elixir::local_call_name(*call, src) == Some("receive");
    }
    (awaits, starts)
}

fn check_module<'a>(ctx: &LintContext<'a>, module: &ModuleModel<'a>, out: &mut Vec<Finding>) {
    let src = ctx.source;
    let mut starts = Vec::new();
    // A GenServer (`handle_info/2`) or `:gen_statem` (`handle_event/4`) receives the task's
    // `{ref, result}` reply as a message, as does an explicit `receive`.
    let mut awaits = module.functions.iter().any(|f| {
        (f.name == "handle_info" && f.arity == 2) || (f.name == "handle_event" && f.arity == 4)
    });
    // A module defining its own `spawn` (a pool's API, say) calls that one, not `Kernel.spawn`.
    let own_spawn = module.functions.iter().any(|f| f.name == "spawn");
    for (call, remote) in own_calls(ctx, module) {
        if let Some((kind, label)) = starts_process(call, remote, src) {
            let shadowed = own_spawn && elixir::local_call_name(call, src) == Some("spawn");
            if !shadowed && !elixir::inside_quote(call, src) {
                starts.push((call, kind, label));
            }
        } else if matches!(
            remote,
            Some(("Task", "await" | "await_many" | "yield" | "yield_many"))
        ) || elixir::local_call_name(call, src) == Some("receive")
        {
            // Also matches `&Task.await/1` handed to `Enum.map`.
            awaits = true;
        }
    }
    // Asked only when there is something to report: the project's `Task.Supervisor`.
    let mut task_supervisor = None;
    for (call, kind, label) in starts {
        if comment_at(ctx, statement_of(call)) {
            continue; // "failures are only logged; the cleanup reruns on every start".
        }
        let place = match enclosing_function(call, src) {
            Some(f) => format!(" in `{f}`"),
            None => String::new(),
        };
        if matches!(kind, Start::Async) && awaits {
            continue;
        }
        let started = task_supervisor.get_or_insert_with(|| project_task_supervisor(ctx));
        let message = match (kind, started.as_ref()) {
            (Start::Unwatched, None) => format!(
                "`{label}`{place} starts a process no supervisor watches: use \
                 `Task.Supervisor.start_child/2` or a supervised child"
            ),
            (
                Start::Unwatched,
                Some(Supervised {
                    name: Some(name),
                    supervisor,
                }),
            ) => format!(
                "`{label}`{place} starts a process no supervisor watches: use \
                 `Task.Supervisor.start_child({name}, fun)` (`{supervisor}` starts it) or a \
                 supervised child"
            ),
            (Start::Unwatched, Some(Supervised { supervisor, .. })) => format!(
                "`{label}`{place} starts a process no supervisor watches: use \
                 `Task.Supervisor.start_child/2` with the `Task.Supervisor` `{supervisor}` \
                 starts, or a supervised child"
            ),
            (Start::Async, None) => format!(
                "`{label}`{place} starts a linked task that `{}` never awaits: await it, or \
                 use `Task.Supervisor.async_nolink/2` or `start_child/2`",
                module.def.name
            ),
            (
                Start::Async,
                Some(Supervised {
                    name: Some(name),
                    supervisor,
                }),
            ) => format!(
                "`{label}`{place} starts a linked task that `{}` never awaits: await it, or \
                 use `Task.Supervisor.async_nolink({name}, fun)` (`{supervisor}` starts it) \
                 or `start_child/2`",
                module.def.name
            ),
            (Start::Async, Some(Supervised { supervisor, .. })) => format!(
                "`{label}`{place} starts a linked task that `{}` never awaits: await it, or \
                 use `Task.Supervisor.async_nolink/2` or `start_child/2` with the \
                 `Task.Supervisor` `{supervisor}` starts",
                module.def.name
            ),
        };
        out.push(Finding::new(&RULE.meta, call.byte_range(), message));
    }
}

/// The `Task.Supervisor` a supervisor of the project starts, if any: preferably one registered
/// under a name that says it is for tasks (`MyApp.TaskSupervisor`), then any named one.
fn project_task_supervisor(ctx: &LintContext<'_>) -> Option<Supervised> {
    let app = ctx.file.root.as_deref()?;
    let started = ctx.project.supervisors_of(app, "Task.Supervisor");
    started
        .iter()
        .find(|s| s.name.as_deref().is_some_and(|n| n.contains("Task")))
        .or_else(|| started.iter().find(|s| s.name.is_some()))
        .or_else(|| started.first())
        .cloned()
}

/// The statement `call` belongs to, for finding the comment above it: the outermost expression
/// whose parent is a block.
fn statement_of(call: Node<'_>) -> Node<'_> {
    let mut node = call;
    while let Some(parent) = node.parent() {
        if matches!(parent.kind(), "do_block" | "body" | "source" | "else_block") {
            break;
        }
        node = parent;
    }
    node
}

/// `spawn/1,3` (also `Kernel.spawn`, `:erlang.spawn`), `Task.start/1,3`, `Task.async/1,3`;
/// `remote` is the call's `elixir::remote_call`.
fn starts_process(
    call: Node<'_>,
    remote: Option<(&str, &str)>,
    src: &str,
) -> Option<(Start, String)> {
    // The name first: most calls are something else, and their arguments need not be listed.
    let (label, kind) = match (remote, elixir::local_call_name(call, src)) {
        (Some(("Kernel" | ":erlang", "spawn")), _) | (None, Some("spawn")) => {
            ("spawn", Start::Unwatched)
        }
        (Some(("Task", "start")), _) => ("Task.start", Start::Unwatched),
        (Some(("Task", "async")), _) => ("Task.async", Start::Async),
        _ => return None,
    };
    if !elixir::has_arguments(call) {
        return None; // `&Task.start/1` passed somewhere: the caller decides.
    }
    let arity = elixir::call_args(call).len();
    if !matches!(arity, 1 | 3) && piped_into(call, src).is_none() {
        return None;
    }
    let arity = arity + usize::from(piped_into(call, src).is_some());
    Some((kind, format!("{label}/{arity}")))
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_support::*;

    const CODE: &str = "unsupervised-process";
    const PATH: &str = "lib/shop/orders.ex";

    #[test]
    fn flags_fire_and_forget_processes() {
        let src = r#"defmodule Shop.Orders do
  alias Shop.Repo

  def place(order) do
    {:ok, order} = Repo.insert(order)
    Task.start(fn -> Shop.Mailer.deliver_confirmation(order) end)
    {:ok, order}
  end

  def warm_cache(ids) do
    spawn(fn -> Enum.each(ids, &Shop.Cache.load/1) end)
    spawn(Shop.Cache, :load_all, [ids])
    :ok
  end
end
"#;
        let found = findings_of(src, PATH, CODE);
        let messages: Vec<&str> = found.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "`Task.start/1` in `place/1` starts a process no supervisor watches: use `Task.Supervisor.start_child/2` or a supervised child",
                "`spawn/1` in `warm_cache/1` starts a process no supervisor watches: use `Task.Supervisor.start_child/2` or a supervised child",
                "`spawn/3` in `warm_cache/1` starts a process no supervisor watches: use `Task.Supervisor.start_child/2` or a supervised child",
            ]
        );
    }

    #[test]
    fn flags_task_async_that_is_never_awaited() {
        let src = r#"defmodule Shop.Search do
  def index(product) do
    Task.async(fn -> Shop.SearchIndex.put(product) end)
    :ok
  end
end
"#;
        let found = findings_of(src, "lib/shop/search.ex", CODE);
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].message,
            "`Task.async/1` in `index/1` starts a linked task that `Shop.Search` never awaits: await it, or use `Task.Supervisor.async_nolink/2` or `start_child/2`"
        );
    }

    #[test]
    fn supervised_linked_and_awaited_processes_are_fine() {
        let src = r#"defmodule Shop.Checkout do
  def totals(cart) do
    shipping = Task.async(fn -> Shop.Shipping.quote(cart) end)
    tax = Task.async(Shop.Tax, :compute, [cart])
    {Task.await(shipping), Task.await(tax)}
  end

  def notify(order) do
    Task.Supervisor.start_child(Shop.TaskSupervisor, fn -> Shop.Mailer.confirm(order) end)
    Task.Supervisor.async_nolink(Shop.TaskSupervisor, fn -> Shop.Crm.sync(order) end)
  end

  def watch(order) do
    pid = spawn_link(fn -> Shop.Tracker.follow(order) end)
    {pid, ref} = spawn_monitor(fn -> Shop.Tracker.follow(order) end)
    Task.start_link(fn -> Shop.Tracker.follow(order) end)
    {pid, ref}
  end

  def prices(items) do
    items
    |> Task.async_stream(&Shop.Prices.fetch/1, max_concurrency: 4)
    |> Enum.map(fn {:ok, p} -> p end)
  end
end

defmodule Shop.Refresher do
  use GenServer

  def handle_call(:refresh, _from, state) do
    task = Task.async(fn -> Shop.Feed.fetch() end)
    {:reply, :ok, %{state | task: task}}
  end

  def handle_info({ref, result}, %{task: %{ref: ref}} = state) do
    Process.demonitor(ref, [:flush])
    {:noreply, %{state | items: result, task: nil}}
  end
end

defmodule Shop.Batch do
  def run(jobs) do
    jobs
    |> Enum.map(fn job -> Task.async(fn -> run_one(job) end) end)
    |> Task.await_many(30_000)
  end

  def run_all(jobs) do
    jobs |> Enum.map(&Task.async(Shop.Jobs, :run, [&1])) |> Enum.map(&Task.await/1)
  end

  defp run_one(job), do: job
end
"#;
        let found = findings_of(src, "lib/shop/checkout.ex", CODE);
        assert!(found.is_empty(), "{found:#?}");
    }

    #[test]
    fn explained_starts_and_receives_are_fine() {
        let src = r#"defmodule Shop.Mqtt do
  def init(opts) do
    # Runs while the children start; failures are only logged and the cleanup is
    # idempotent, so a missed run is corrected on the next restart.
    Task.start(fn -> clear_retained(opts) end)
    {:ok, opts}
  end

  def notify(event) do
    # TODO: how should we handle errors and retries?
    Task.start(fn -> Webhooks.send(event) end)
  end

  def run(fun) do
    %Task{ref: ref} = Task.async(fun)

    receive do
      {^ref, result} -> result
    end
  end
end
"#;
        assert_eq!(
            finding_lines(src, "lib/shop/mqtt.ex", CODE),
            [11],
            "a question is not a reason"
        );
    }

    const APPLICATION: &str = r#"defmodule Shop.Application do
  @moduledoc false
  use Application

  @impl true
  def start(_type, _args) do
    children = [
      Shop.Repo,
      {Phoenix.PubSub, name: Shop.PubSub},
      {Task.Supervisor, name: Shop.TaskSupervisor},
      ShopWeb.Endpoint
    ]

    Supervisor.start_link(children, strategy: :one_for_one, name: Shop.Supervisor)
  end
end
"#;

    const PLACE: &str = "defmodule Shop.Orders do\n  def place(order) do\n    Task.start(fn -> Shop.Mailer.confirm(order) end)\n    Task.async(fn -> Shop.Crm.sync(order) end)\n    {:ok, order}\n  end\nend\n";

    #[test]
    fn names_the_task_supervisor_the_application_starts() {
        let files = [
            ("lib/shop/application.ex", APPLICATION),
            ("lib/shop/orders.ex", PLACE),
        ];
        let found = findings_in_project(&files, "lib/shop/orders.ex", CODE);
        let messages: Vec<&str> = found.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "`Task.start/1` in `place/1` starts a process no supervisor watches: use `Task.Supervisor.start_child(Shop.TaskSupervisor, fun)` (`Shop.Application` starts it) or a supervised child",
                "`Task.async/1` in `place/1` starts a linked task that `Shop.Orders` never awaits: await it, or use `Task.Supervisor.async_nolink(Shop.TaskSupervisor, fun)` (`Shop.Application` starts it) or `start_child/2`",
            ]
        );
    }

    #[test]
    fn names_an_unnamed_task_supervisor_by_its_supervisor() {
        let workers = r#"defmodule Shop.Workers do
  use Supervisor

  def start_link(arg), do: Supervisor.start_link(__MODULE__, arg, name: __MODULE__)

  @impl true
  def init(_arg) do
    Supervisor.init([Task.Supervisor, Shop.Cache], strategy: :one_for_one)
  end
end
"#;
        let files = [
            ("lib/shop/workers.ex", workers),
            ("lib/shop/orders.ex", PLACE),
        ];
        let found = findings_in_project(&files, "lib/shop/orders.ex", CODE);
        assert_eq!(
            found[0].message,
            "`Task.start/1` in `place/1` starts a process no supervisor watches: use `Task.Supervisor.start_child/2` with the `Task.Supervisor` `Shop.Workers` starts, or a supervised child"
        );
        // Without a `Task.Supervisor` anywhere, the generic advice.
        let alone =
            findings_in_project(&[("lib/shop/orders.ex", PLACE)], "lib/shop/orders.ex", CODE);
        assert!(
            alone[0]
                .message
                .ends_with("use `Task.Supervisor.start_child/2` or a supervised child")
        );
    }

    #[test]
    fn a_module_s_own_spawn_is_not_kernel_spawn() {
        let src = "defmodule Shop.Pool do\n  def spawn(job), do: DynamicSupervisor.start_child(Shop.PoolSup, {Shop.Worker, job})\n  def run_all(jobs), do: Enum.map(jobs, &spawn(&1))\n  def run(job), do: spawn(job)\nend\n";
        assert!(findings_of(src, "lib/shop/pool.ex", CODE).is_empty());
    }

    #[test]
    fn tests_mix_tasks_and_quoted_code_are_fine() {
        let spawn = "defmodule A do\n  def f, do: spawn(fn -> :ok end)\nend\n";
        assert!(findings_of(spawn, "test/support/a.ex", CODE).is_empty());
        assert!(findings_of(spawn, "lib/mix/tasks/shop.seed.ex", CODE).is_empty());
        assert!(findings_of(spawn, "config/runtime.exs", CODE).is_empty());
        let quoted = "defmodule Shop.Worker do\n  defmacro __using__(_) do\n    quote do\n      def run_async(x), do: Task.start(fn -> run(x) end)\n    end\n  end\nend\n";
        assert!(findings_of(quoted, "lib/shop/worker.ex", CODE).is_empty());
    }
}
