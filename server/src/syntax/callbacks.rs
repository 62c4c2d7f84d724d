//! Callbacks a module implements without saying `@impl`: the behaviours of common `use`s
//! (`GenServer`, `Application`, `Ecto.Type`, Phoenix live views and channels, Oban workers, Mix
//! tasks…), explicit `@behaviour`s of those, and `defexception`. Their contract is the
//! behaviour's `@callback` spec and documentation, so a reviewer asks for `@impl true`, not for a
//! `@spec` or a `@doc` of their own.

use super::module_model::ModuleModel;
use super::text;

/// `(behaviour, [(callback, arity)])`. A behaviour matches a `use`d or `@behaviour` module by
/// its full name, or a `use` kind atom (`:live_view`).
const BEHAVIOURS: &[(&str, &[(&str, usize)])] = &[
    (
        "GenServer",
        &[
            ("init", 1),
            ("handle_call", 3),
            ("handle_cast", 2),
            ("handle_info", 2),
            ("handle_continue", 2),
            ("terminate", 2),
            ("code_change", 3),
            ("format_status", 1),
            ("format_status", 2),
        ],
    ),
    ("Supervisor", &[("init", 1)]),
    (
        "Application",
        &[
            ("start", 2),
            ("stop", 1),
            ("prep_stop", 1),
            ("config_change", 3),
            ("start_phase", 3),
        ],
    ),
    (
        "Ecto.Type",
        &[
            ("type", 0),
            ("cast", 1),
            ("load", 1),
            ("dump", 1),
            ("equal?", 2),
            ("embed_as", 1),
            ("autogenerate", 0),
        ],
    ),
    (
        "Ecto.ParameterizedType",
        &[
            ("init", 1),
            ("type", 1),
            ("cast", 2),
            ("load", 3),
            ("dump", 3),
            ("equal?", 3),
            ("embed_as", 2),
            ("autogenerate", 1),
            ("format", 1),
        ],
    ),
    (
        "Phoenix.LiveView",
        &[
            ("mount", 3),
            ("handle_params", 3),
            ("handle_event", 3),
            ("handle_info", 2),
            ("handle_call", 3),
            ("handle_cast", 2),
            ("handle_async", 3),
            ("render", 1),
            ("terminate", 2),
        ],
    ),
    (
        "Phoenix.LiveComponent",
        &[
            ("mount", 1),
            ("update", 2),
            ("update_many", 1),
            ("render", 1),
            ("handle_event", 3),
            ("handle_async", 3),
        ],
    ),
    (
        "Phoenix.Channel",
        &[
            ("join", 3),
            ("handle_in", 3),
            ("handle_out", 3),
            ("handle_info", 2),
            ("handle_call", 3),
            ("handle_cast", 2),
            ("terminate", 2),
            ("code_change", 3),
        ],
    ),
    (
        "Phoenix.Socket",
        &[("connect", 2), ("connect", 3), ("id", 1)],
    ),
    ("Plug", &[("init", 1), ("call", 2)]),
    (
        "Oban.Worker",
        &[("perform", 1), ("backoff", 1), ("timeout", 1)],
    ),
    ("Mix.Task", &[("run", 1)]),
    // `use HTTPoison.Base` declares the behaviour and defines overridable `process_*` functions
    // with their specs: a module overriding one has the spec already.
    (
        "HTTPoison.Base",
        &[
            ("process_headers", 1),
            ("process_request_body", 1),
            ("process_request_headers", 1),
            ("process_request_options", 1),
            ("process_request_params", 1),
            ("process_request_url", 1),
            ("process_response", 1),
            ("process_response_body", 1),
            ("process_response_chunk", 1),
            ("process_response_headers", 1),
            ("process_response_status_code", 1),
            ("process_status_code", 1),
            ("process_url", 1),
        ],
    ),
    ("Tesla.Middleware", &[("call", 3)]),
    (
        "GenStage",
        &[
            ("init", 1),
            ("handle_demand", 2),
            ("handle_events", 3),
            ("handle_subscribe", 4),
            ("handle_cancel", 3),
            ("handle_info", 2),
            ("handle_call", 3),
            ("handle_cast", 2),
            ("terminate", 2),
        ],
    ),
    (
        "Broadway",
        &[
            ("handle_message", 3),
            ("handle_batch", 4),
            ("handle_failed", 2),
            ("prepare_messages", 2),
        ],
    ),
];

/// `use MyAppWeb, :live_view` and friends: the behaviour each Phoenix kind brings.
const USE_KINDS: &[(&str, &str)] = &[
    (":live_view", "Phoenix.LiveView"),
    (":live_component", "Phoenix.LiveComponent"),
    (":channel", "Phoenix.Channel"),
];

/// Callbacks of `defexception`.
const EXCEPTION: &[(&str, usize)] = &[("exception", 1), ("message", 1), ("blame", 2)];

/// Whether `name/arity` is a callback the module implements through a `use`, a `@behaviour` or
/// `defexception`.
pub fn is_callback(module: &ModuleModel<'_>, name: &str, arity: usize, src: &str) -> bool {
    let matches = |list: &[(&str, usize)]| list.iter().any(|(n, a)| *n == name && *a == arity);
    if module.is_exception && matches(EXCEPTION) {
        return true;
    }
    let behaviours = module
        .attributes
        .iter()
        .filter(|a| a.name == "behaviour")
        .filter_map(|a| a.value.map(|v| text(v, src)))
        .chain(module.uses.iter().copied())
        .chain(module.use_kinds.iter().filter_map(|k| {
            USE_KINDS
                .iter()
                .find(|(kind, _)| kind == k)
                .map(|(_, b)| *b)
        }));
    behaviours.into_iter().any(|b| {
        BEHAVIOURS
            .iter()
            .any(|(name, list)| *name == b && matches(list))
    })
}

/// Whether `name/arity` is a callback of the library behaviour `behaviour` (full name).
pub fn is_library_callback(behaviour: &str, name: &str, arity: usize) -> bool {
    BEHAVIOURS
        .iter()
        .any(|(b, list)| *b == behaviour && list.iter().any(|(n, a)| *n == name && *a == arity))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::module_model::module_models;

    fn callbacks(src: &str) -> Vec<String> {
        let tree = crate::syntax::parse(src);
        let models = module_models(tree.root_node(), src);
        let m = &models[0];
        m.functions
            .iter()
            .filter(|f| is_callback(m, f.name, f.arity, src))
            .map(|f| f.label())
            .collect()
    }

    #[test]
    fn callbacks_from_use_behaviour_and_defexception() {
        assert_eq!(
            callbacks(
                "defmodule A do\n  use GenServer\n  def init(s), do: {:ok, s}\n  def handle_info(_, s), do: {:noreply, s}\n  def run(x), do: x\nend\n"
            ),
            ["init/1", "handle_info/2"]
        );
        assert_eq!(
            callbacks(
                "defmodule A do\n  use MyAppWeb, :live_view\n  def mount(_, _, s), do: {:ok, s}\n  def helper(x), do: x\nend\n"
            ),
            ["mount/3"]
        );
        assert_eq!(
            callbacks(
                "defmodule A do\n  @behaviour Plug\n  def init(o), do: o\n  def call(c, _), do: c\nend\n"
            ),
            ["init/1", "call/2"]
        );
        assert_eq!(
            callbacks(
                "defmodule A.Error do\n  defexception [:message]\n  def exception(v), do: %__MODULE__{message: v}\nend\n"
            ),
            ["exception/1"]
        );
        assert!(callbacks("defmodule A do\n  def init(s), do: s\nend\n").is_empty());
    }
}
