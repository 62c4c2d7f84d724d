//! Where request input enters a function: the parameters Phoenix fills from the request, and
//! the `conn` fields and functions that read it.

use crate::syntax::Fields as _;
use crate::syntax::Node;

use super::eval::{Env, Walker};
use super::{Root, Taint};
use crate::syntax::elixir::{self, FunctionDef};
use crate::syntax::module_model::{Function, ModuleModel};
use crate::syntax::text;

/// What kind of module a function lives in, as far as request input is concerned.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ModuleContext {
    /// A Phoenix controller (`use MyAppWeb, :controller`, `use Phoenix.Controller`, or a
    /// `*Controller` module): its public 2-arity functions taking `conn` are actions.
    pub controller: bool,
    /// A LiveView or LiveComponent: `handle_event/3`, `handle_params/3` and `mount/3` receive
    /// request input.
    pub live: bool,
}

impl ModuleContext {
    /// Classifies a module.
    pub fn of(module: &ModuleModel<'_>, _src: &str) -> Self {
        let uses = |name: &str| module.uses.contains(&name);
        let kind = |k: &str| module.use_kinds.contains(&k);
        ModuleContext {
            controller: kind(":controller")
                || uses("Phoenix.Controller")
                || module.def.name.ends_with("Controller"),
            live: kind(":live_view")
                || kind(":live_component")
                || uses("Phoenix.LiveView")
                || uses("Phoenix.LiveComponent"),
        }
    }

    /// The index of the parameter that carries request params, if `function` receives one.
    fn params_index(
        &self,
        function: &Function<'_>,
        clause: &FunctionDef<'_>,
        src: &str,
    ) -> Option<usize> {
        if self.live {
            return match (function.name, function.arity) {
                ("handle_event", 3) => Some(1),
                ("handle_params", 3) | ("mount", 3) => Some(0),
                _ => None,
            };
        }
        // `call/2` and `action/2` receive plug options, not params (`use Phoenix.Controller`
        // modules are plugs; a `*Controller` module may be a plain plug).
        let action = self.controller
            && !matches!(function.name, "call" | "action" | "init")
            && function.kind.is_public()
            && function.arity == 2
            && clause
                .params
                .first()
                .is_some_and(|p| binds(*p, src, "conn"));
        action.then_some(1)
    }
}

/// Whether the pattern `param` binds the variable `name`.
fn binds(param: Node<'_>, src: &str, name: &str) -> bool {
    let mut found = false;
    elixir::walk(param, &mut |n| {
        found |= n.kind() == "identifier" && text(n, src) == name;
        !found
    });
    found
}

/// The environment at the start of a clause: the request-params parameter bound to request
/// input, every other parameter to itself ([`Root::Param`]), except `conn` and `socket`, which
/// are framework structs (their request fields are sources of their own).
pub fn bind_params<'t>(
    module: &ModuleContext,
    function: &Function<'t>,
    clause: &FunctionDef<'t>,
    src: &'t str,
    walker: &mut Walker<'_, 't>,
) -> Env {
    let mut env = Env::default();
    let params_index = module.params_index(function, clause, src);
    for (index, param) in clause.params.iter().enumerate() {
        let pattern = if elixir::is_binary_op(*param, src, "\\\\") {
            param.field("left").unwrap_or(*param)
        } else {
            *param
        };
        let taint = if Some(index) == params_index {
            Taint::from_root(Root::Request {
                source: whole_name(pattern, src).unwrap_or("params").to_string(),
                at: pattern.start_byte(),
            })
        } else if is_framework_struct(pattern, src) {
            Taint::clean()
        } else {
            Taint::from_root(Root::Param {
                index,
                name: whole_name(pattern, src)
                    .unwrap_or_else(|| text(pattern, src))
                    .to_string(),
            })
        };
        walker.bind_param(pattern, taint, &mut env);
    }
    env
}

/// The variable naming a whole parameter: `params` in `params` or `%{"id" => id} = params`.
fn whole_name<'a>(pattern: Node<'_>, src: &'a str) -> Option<&'a str> {
    match pattern.kind() {
        "identifier" => Some(text(pattern, src)).filter(|n| !n.starts_with('_')),
        "binary_operator" if elixir::operator(pattern, src) == "=" => {
            let left = pattern.field("left")?;
            let right = pattern.field("right")?;
            whole_name(right, src).or_else(|| whole_name(left, src))
        }
        _ => None,
    }
}

/// `conn`, `socket` or a `%Plug.Conn{}` / `%Phoenix.LiveView.Socket{}` pattern.
fn is_framework_struct(pattern: Node<'_>, src: &str) -> bool {
    let t = text(pattern, src);
    matches!(whole_name(pattern, src), Some("conn" | "socket"))
        || t.starts_with("%Plug.Conn{")
        || t.starts_with("%Phoenix.LiveView.Socket{")
}

/// Fields of `conn` that hold request input.
pub const CONN_FIELDS: &[&str] = &[
    "params",
    "query_params",
    "body_params",
    "path_params",
    "req_headers",
    "cookies",
    "req_cookies",
    "query_string",
    "request_path",
];

/// Whether `receiver.field` (a field access without arguments) reads request input: a field of
/// [`CONN_FIELDS`] on `conn` or on the result of `fetch_query_params`/`fetch_cookies`.
pub fn is_conn_source(receiver: Node<'_>, field: &str, src: &str) -> bool {
    if !CONN_FIELDS.contains(&field) {
        return false;
    }
    match receiver.kind() {
        "identifier" => text(receiver, src) == "conn",
        "call" => {
            let name = elixir::local_call_name(receiver, src)
                .or_else(|| elixir::remote_call(receiver, src).map(|(_, f)| f));
            matches!(name, Some("fetch_query_params" | "fetch_cookies"))
        }
        _ => false,
    }
}

/// Calls whose result is request input: `get_req_header(conn, name)` and
/// `Plug.Conn.get_req_header/2`.
pub fn is_source_call(module: Option<&str>, name: &str) -> bool {
    matches!(module, None | Some("Plug.Conn")) && name == "get_req_header"
}
