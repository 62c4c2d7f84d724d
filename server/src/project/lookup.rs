//! Questions rules ask about names in the file they check, answered from the file itself, the
//! project index and what is known of common libraries.

use super::facts::ModuleFacts;
use crate::lint::LintContext;
use crate::syntax::{callbacks, text};

/// Library structs known to define `t/0` (so a stub may name `Mod.t()` without the project
/// defining it).
const LIBRARY_STRUCT_TYPES: &[&str] = &[
    "Date",
    "DateTime",
    "NaiveDateTime",
    "Time",
    "URI",
    "MapSet",
    "Range",
    "Regex",
    "Version",
    "Task",
    "File.Stat",
    "File.Stream",
    "IO.Stream",
    "Decimal",
    "Plug.Conn",
    "Plug.Upload",
    "Phoenix.Socket",
    "Phoenix.LiveView.Socket",
    "Phoenix.HTML.Form",
    "Ecto.Changeset",
    "Ecto.Query",
    "Ecto.Multi",
    "Oban.Job",
    "Tesla.Env",
    "Req.Request",
    "Req.Response",
    "HTTPoison.Response",
    "HTTPoison.Error",
    "Finch.Response",
    "Postgrex.Result",
];

/// The facts of the module `written` names in the `i`th module of the file: from the file
/// itself first (it may not be indexed yet, or be edited since), then from the index.
pub fn module_facts<'a>(
    ctx: &'a LintContext<'_>,
    i: usize,
    written: &str,
) -> (String, Option<&'a ModuleFacts>) {
    let full = ctx.names().resolve(i, written);
    let found = ctx
        .module_facts()
        .iter()
        .find(|m| m.name == full)
        .or_else(|| ctx.project.module(&full));
    (full, found)
}

/// Whether `written.t()` is a type that exists, seen from the `i`th module: the module defines
/// `@type t`, or it is a library struct known to.
pub fn struct_has_t(ctx: &LintContext<'_>, i: usize, written: &str) -> bool {
    let (full, found) = module_facts(ctx, i, written);
    match found {
        Some(m) => m.has_type_t,
        None => LIBRARY_STRUCT_TYPES.contains(&full.as_str()),
    }
}

/// The fields of the struct `written` names in the `i`th module, in order (`defstruct` keys, or
/// an Ecto schema's fields with `__meta__` first — absent from an `embedded_schema`): from the
/// file itself first, then from the index.
pub fn struct_fields(ctx: &LintContext<'_>, i: usize, written: &str) -> Option<Vec<String>> {
    let full = ctx.names().resolve(i, written);
    let own = super::facts::structs_of(ctx)
        .into_iter()
        .find(|(m, _)| *m == full)
        .map(|(_, f)| f);
    own.or_else(|| ctx.project.struct_fields(&full).map(<[String]>::to_vec))
}

/// Whether `written` names, seen from the `i`th module, an Ecto `embedded_schema` (a schema
/// whose struct has no `__meta__`), as far as the file and the index know.
pub fn is_embedded_schema(ctx: &LintContext<'_>, i: usize, written: &str) -> bool {
    struct_fields(ctx, i, written).is_some_and(|f| !f.iter().any(|k| k == "__meta__"))
}

/// Whether `name/arity` of the `i`th module implements something that comes with its own spec:
/// a callback of a library behaviour the module `use`s or declares, a `@callback` of a project
/// module it `use`s or declares, or a function a project module's `__using__` defines with a
/// `@spec`.
pub fn spec_comes_with_use(ctx: &LintContext<'_>, i: usize, name: &str, arity: usize) -> bool {
    let src = ctx.source;
    let Some(module) = ctx.modules().get(i) else {
        return false;
    };
    if callbacks::is_callback(module, name, arity, src) {
        return true;
    }
    let declared = module
        .attributes
        .iter()
        .filter(|a| a.name == "behaviour")
        .filter_map(|a| a.value.map(|v| text(v, src)))
        .chain(module.uses.iter().copied());
    let matches = |list: &[(String, usize)]| list.iter().any(|(n, a)| n == name && *a == arity);
    for written in declared {
        let full = ctx.names().resolve(i, written);
        let Some(used) = ctx.project.module(&full) else {
            continue;
        };
        if matches(&used.callbacks) || matches(&used.using_specs) {
            return true;
        }
        for brought in &used.using_behaviours {
            let hit = match ctx.project.module(brought) {
                Some(b) => matches(&b.callbacks),
                None => callbacks::is_library_callback(brought, name, arity),
            };
            if hit {
                return true;
            }
        }
    }
    false
}
