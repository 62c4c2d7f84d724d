//! What one file contributes to the project index, read from its parse tree.
//!
//! Facts are small owned values (names, flags), so the index can keep them for every file of a
//! project without keeping trees, and a file's facts can be compared with its previous ones to
//! learn whether an edit changed anything other files depend on.

use crate::syntax::Node;

use super::aliases::ModuleNames;
use super::migrations::{self, MigrationFacts};
use crate::lint::LintContext;
use crate::syntax::module_model::{ModuleModel, spec_ref};
use crate::syntax::{callbacks, elixir, text};

/// The facts of one file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileFacts {
    /// Its modules, outer before inner.
    pub modules: Vec<ModuleFacts>,
    /// For test files: the full names of the project modules it names (what it exercises).
    pub mentions: Vec<String>,
    /// It sets up telemetry: `Telemetry.Metrics`, `:telemetry_poller`, `:telemetry.attach*`,
    /// PromEx or OpenTelemetry instrumentation.
    pub telemetry: bool,
    /// A `mix.exs` that depends on Phoenix.
    pub phoenix_project: bool,
    /// Ecto repositories it defines: `(module, adapter as written)`.
    pub repos: Vec<(String, String)>,
    /// A migration's schema changes.
    pub migration: Option<MigrationFacts>,
    /// The supervisors it defines and their children: `(supervisor, children)`, full names,
    /// children in the order they are listed.
    pub children: Vec<(String, Vec<Child>)>,
    /// The structs it defines: `(module, fields in order)`.
    pub structs: Vec<(String, Vec<String>)>,
}

/// The facts of one module.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ModuleFacts {
    /// Its full name.
    pub name: String,
    /// It defines `@type t` or `@opaque t` (of any arity 0).
    pub has_type_t: bool,
    /// It defines a struct (`defstruct`, an Ecto `schema`/`embedded_schema`, `defexception`).
    pub has_struct: bool,
    /// It has public functions worth a test: not callbacks, not `@doc false`, not generated
    /// hooks, in a module that is not framework boilerplate (a repository, an endpoint…).
    /// Only the file's own lint reads it (`missing-test-file`, from `LintContext::module_facts`);
    /// other files never see it ([`ModuleFacts::seen_from_elsewhere`]).
    pub testable: bool,
    /// The `@callback`s and `@macrocallback`s it declares.
    pub callbacks: Vec<(String, usize)>,
    /// What `use`-ing it brings: the modules its `__using__` quote `use`s or declares as
    /// `@behaviour` (full names; itself for `@behaviour __MODULE__`).
    pub using_behaviours: Vec<String>,
    /// Functions its `__using__` quote defines with a `@spec` (a module that `use`s it has the
    /// spec already).
    pub using_specs: Vec<(String, usize)>,
}

/// A child a supervisor lists.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Child {
    /// The child's module, full name (`Task.Supervisor`, `MyApp.Cache`).
    pub module: String,
    /// The name it is registered under (`{Task.Supervisor, name: MyApp.TaskSupervisor}`), full
    /// name, when written as an alias.
    pub name: Option<String>,
}

impl ModuleFacts {
    /// The facts as the index shows them to other files: without [`ModuleFacts::testable`],
    /// which is the module's own file's business. Replaying a lint's questions compares these.
    pub fn seen_from_elsewhere(&self) -> ModuleFacts {
        ModuleFacts {
            testable: false,
            ..self.clone()
        }
    }
}

/// `use`s of these are framework wiring whose public functions are generated or configured, and
/// which projects do not unit-test (the generators do not either).
const BOILERPLATE_USES: &[&str] = &[
    "Application",
    "Ecto.Repo",
    "Phoenix.Endpoint",
    "Phoenix.Router",
    "Phoenix.Presence",
    "Gettext",
    "Gettext.Backend",
    "Ecto.Migration",
    // Function component modules render through the pages that use them.
    "Phoenix.Component",
    "Phoenix.LiveComponent",
];

/// Endings of `use MyAppWeb, :kind` for modules that render (`:view`, `:admin_view`, `:html`,
/// `:component`, `:live_component`) or route: they are exercised by the controller and live view
/// tests that render through them, which do not name them.
const RENDERING_KINDS: &[&str] = &["router", "view", "html", "component"];

/// A function component (`def button(assigns)`), exercised by whatever renders it.
fn is_function_component(f: &crate::syntax::module_model::Function<'_>, src: &str) -> bool {
    f.arity == 1
        && f.clauses.iter().all(|c| {
            c.params
                .first()
                .is_some_and(|p| text(*p, src).contains("assigns"))
        })
}

/// Reads the facts of a linted (or only parsed) file.
pub fn extract(ctx: &LintContext<'_>) -> FileFacts {
    if super::index::is_test_file(&ctx.file.project_rel) {
        return test_file(ctx.source);
    }
    let src = ctx.source;
    let models = ctx.modules();
    let names = ctx.names();
    let modules = ctx.module_facts().to_vec();
    let file_name = ctx.file.file_name();
    FileFacts {
        modules,
        mentions: if ctx.file.is_test() {
            mentions(ctx, names)
        } else {
            Vec::new()
        },
        // Every telemetry setup names "…elemetry…" or PromEx: most files need no look at
        // their calls (after an edit, the server has not walked the unchanged functions).
        telemetry: (src.contains("elemetry") || src.contains("PromEx"))
            && (ctx
                .calls_with_remote()
                .any(|(call, remote)| sets_up_telemetry(call, remote, src))
                || src.contains(":telemetry_poller")),
        phoenix_project: file_name == "mix.exs" && src.contains("{:phoenix,"),
        repos: models
            .iter()
            .enumerate()
            .filter_map(|(i, m)| repo(m, src).map(|a| (names.full_name(i).to_string(), a)))
            .collect(),
        migration: migrations::extract(ctx),
        children: supervisors(ctx, names),
        structs: structs(ctx, names),
    }
}

/// The facts of a test file (`test/**/*_test.exs`): the modules it names, from its tokens (no
/// parse needed). What it defines or attaches is the tests' own business, not the project's.
pub fn test_file(source: &str) -> FileFacts {
    FileFacts {
        mentions: super::test_mentions::mentions(source),
        ..FileFacts::default()
    }
}

/// The facts of the file's modules (indexes as in [`LintContext::modules`]).
pub fn modules_of(ctx: &LintContext<'_>) -> Vec<ModuleFacts> {
    let names = ctx.names();
    ctx.modules()
        .iter()
        .enumerate()
        .map(|(i, m)| module_facts(m, names, i, ctx.source))
        .collect()
}

fn module_facts(model: &ModuleModel<'_>, names: &ModuleNames, i: usize, src: &str) -> ModuleFacts {
    let mut facts = ModuleFacts {
        name: names.full_name(i).to_string(),
        has_struct: model.is_exception,
        ..ModuleFacts::default()
    };
    for attr in &model.attributes {
        match attr.name {
            "type" | "opaque" => {
                facts.has_type_t |= attr.value.is_some_and(|v| type_head(v, src) == Some("t"));
            }
            "callback" | "macrocallback" => {
                if let Some(cb) = head_arity(*attr, src) {
                    facts.callbacks.push(cb);
                }
            }
            _ => {}
        }
    }
    if let Some(body) = model.def.body {
        for stmt in elixir::block_statements(body) {
            if matches!(
                elixir::local_call_name(stmt, src),
                Some("defstruct" | "schema" | "embedded_schema")
            ) {
                facts.has_struct = true;
            }
        }
    }
    if let Some(using) = model.functions.iter().find(|f| f.name == "__using__") {
        for clause in &using.clauses {
            read_using_quote(clause.node, names, i, src, &mut facts);
        }
    }
    let boilerplate = model.uses.iter().any(|u| BOILERPLATE_USES.contains(u))
        || model.use_kinds.iter().any(|k| {
            let k = k.trim_start_matches(':');
            // Live views are pages with tests of their own (`mix phx.gen.live` writes them).
            k != "live_view" && RENDERING_KINDS.iter().any(|r| k.ends_with(r))
        })
        || model.def.kind != elixir::ModuleKind::Module
        // A `__using__` module (`MyAppWeb`) is a DSL for other modules, tested through them.
        || model.functions.iter().any(|f| f.name == "__using__")
        // The telemetry supervisor `mix phx.new` generates: metric definitions, not logic.
        || (model.uses.contains(&"Supervisor") && model.def.name.ends_with("Telemetry"));
    facts.testable = !boilerplate
        && model.functions.iter().any(|f| {
            f.kind.is_public()
                && !f.kind.is_macro()
                && f.impl_attr.is_none()
                && !f.doc_false(src)
                && !f.name.starts_with("__")
                && !matches!(f.name, "child_spec" | "start_link")
                && !callbacks::is_callback(model, f.name, f.arity, src)
                && !is_function_component(f, src)
        });
    facts
}

/// Reads the `quote` blocks of a `__using__` clause: the behaviours and `use`s it injects and
/// the functions it defines with a spec.
fn read_using_quote(
    clause: Node<'_>,
    names: &ModuleNames,
    i: usize,
    src: &str,
    facts: &mut ModuleFacts,
) {
    let own = names.full_name(i).to_string();
    let resolve = |written: &str| {
        let written = written.trim();
        if written == "unquote(__MODULE__)" || written == "__MODULE__" {
            own.clone()
        } else {
            names.resolve(i, written)
        }
    };
    elixir::walk(clause, &mut |node| {
        if node.kind() != "call" || elixir::local_call_name(node, src) != Some("quote") {
            return true;
        }
        let Some(block) = elixir::do_block(node) else {
            return false;
        };
        let mut specced = Vec::new();
        for stmt in elixir::block_statements(block) {
            if let Some(attr) = elixir::attribute(stmt, src) {
                match (attr.name, attr.value) {
                    ("behaviour", Some(v)) => facts.using_behaviours.push(resolve(text(v, src))),
                    ("spec", Some(_)) => specced.extend(head_arity(attr, src)),
                    _ => {}
                }
            } else if elixir::local_call_name(stmt, src) == Some("use") {
                if let Some(first) = elixir::call_args(stmt).first() {
                    facts.using_behaviours.push(resolve(text(*first, src)));
                }
            } else if let Some(def) = elixir::function_def(stmt, src) {
                let arity = *def.arities(src).end();
                if specced.iter().any(|(n, a)| n == def.name && *a == arity) {
                    facts.using_specs.push((def.name.to_string(), arity));
                }
            }
        }
        false
    });
    facts.using_behaviours.dedup();
}

/// The name of a `@type name :: …` / `@type name(a) :: …` head.
fn type_head<'a>(value: Node<'_>, src: &'a str) -> Option<&'a str> {
    if !elixir::is_binary_op(value, src, "::") {
        return None;
    }
    let head = crate::syntax::Fields::field(&value, "left")?;
    match head.kind() {
        "identifier" => Some(text(head, src)),
        "call" if elixir::call_args(head).is_empty() => elixir::local_call_name(head, src),
        _ => None,
    }
}

/// `name/arity` of a `@callback`/`@spec` attribute, read as the module model reads specs.
fn head_arity(attr: elixir::Attribute<'_>, src: &str) -> Option<(String, usize)> {
    spec_ref(attr, src).map(|s| (s.name.to_string(), s.arity))
}

/// `use Ecto.Repo, adapter: X`: the adapter as written.
fn repo(model: &ModuleModel<'_>, src: &str) -> Option<String> {
    let body = model.def.body?;
    elixir::block_statements(body).into_iter().find_map(|stmt| {
        if elixir::local_call_name(stmt, src) != Some("use") {
            return None;
        }
        let args = elixir::call_args(stmt);
        if args.first().map(|a| text(*a, src)) != Some("Ecto.Repo") {
            return None;
        }
        let adapter = args
            .get(1)
            .and_then(|kw| elixir::keyword_value(*kw, src, "adapter"))
            .map_or("", |n| text(n, src));
        Some(adapter.to_string())
    })
}

/// Whether a call (whose `elixir::remote_call` is `remote`) sets up telemetry handlers or
/// metrics.
fn sets_up_telemetry(call: Node<'_>, remote: Option<(&str, &str)>, src: &str) -> bool {
    if let Some((module, fun)) = remote {
        return (module == ":telemetry" && fun.starts_with("attach"))
            || module.starts_with("Telemetry.Metrics")
            || module.starts_with("TelemetryMetrics")
            || module.starts_with("OpentelemetryPhoenix")
            || module.starts_with("OpentelemetryEcto")
            || module.starts_with("OpentelemetryBandit")
            || module.starts_with("OpentelemetryCowboy")
            || module == "PromEx";
    }
    match elixir::local_call_name(call, src) {
        Some("import" | "alias" | "use") => elixir::call_args(call).first().is_some_and(|a| {
            let t = text(*a, src);
            t.starts_with("Telemetry.Metrics") || t == "PromEx" || t.starts_with("PromEx.")
        }),
        // Metric definitions: `counter("phoenix.endpoint.stop.duration")` and friends, once
        // `Telemetry.Metrics` is imported (the import is a fact of its own, above).
        _ => false,
    }
}

/// The supervisors of the file and the child modules they list: the children given to
/// `Supervisor.init/2` or `Supervisor.start_link/2` (a list, or a variable bound to one in the
/// same function), and `children = [...]` in the `start/2` of an `Application`.
fn supervisors(ctx: &LintContext<'_>, names: &ModuleNames) -> Vec<(String, Vec<Child>)> {
    let src = ctx.source;
    let models = ctx.modules();
    let mut out: Vec<(String, Vec<Child>)> = Vec::new();
    // The last expression of the module's zero-arity functions named `name` (`++ workers()`).
    let local = |i: usize, name: &str| -> Vec<Node<'_>> {
        models[i]
            .functions
            .iter()
            .filter(|f| f.name == name && f.arity == 0)
            .flat_map(|f| f.clauses.iter().filter_map(|c| c.body))
            .filter_map(|b| {
                if b.kind() == "do_block" {
                    elixir::block_statements(b).last().copied()
                } else {
                    Some(b)
                }
            })
            .collect()
    };
    let mut add = |i: usize, list: Node<'_>| {
        let mut found = Vec::new();
        let local = |name: &str| local(i, name);
        child_lists(list, src, &local, 0, &mut |module, name| {
            found.push(Child {
                module: names.resolve(i, module),
                name: name.map(|n| names.resolve(i, n)),
            });
        });
        if found.is_empty() {
            return;
        }
        let own = names.full_name(i);
        let at = match out.iter().position(|(s, _)| s == own) {
            Some(at) => at,
            None => {
                out.push((own.to_string(), Vec::new()));
                out.len() - 1
            }
        };
        for child in found {
            if !out[at].1.contains(&child) {
                out[at].1.push(child);
            }
        }
    };
    // Remote calls are named as written: a file without the word has none of these (and after
    // an edit, the server need not walk the functions the edit left alone to know it).
    let calls = src
        .contains("Supervisor")
        .then(|| ctx.calls_with_remote())
        .into_iter()
        .flatten();
    for (call, remote) in calls {
        let starts = matches!(remote, Some(("Supervisor", "init" | "start_link")));
        let Some(first) = starts
            .then(|| elixir::call_args(call).first().copied())
            .flatten()
        else {
            continue;
        };
        let Some(i) = names.module_at(models, call.start_byte()) else {
            continue;
        };
        if first.kind() == "identifier" {
            let Some(def) = enclosing_def(call, src) else {
                continue;
            };
            for value in bindings(def, text(first, src), src) {
                add(i, value);
            }
        } else {
            add(i, first);
        }
    }
    // `children = [...]` in `Application.start/2`, also when handed on to another function.
    for (i, model) in models.iter().enumerate() {
        let application = model.uses.contains(&"Application")
            || model.attributes.iter().any(|a| {
                a.name == "behaviour" && a.value.is_some_and(|v| text(v, src) == "Application")
            });
        if !application {
            continue;
        }
        for f in model
            .functions
            .iter()
            .filter(|f| f.name == "start" && f.arity == 2)
        {
            for clause in &f.clauses {
                for value in bindings(clause.node, "children", src) {
                    add(i, value);
                }
            }
        }
    }
    out
}

/// The `def`/`defp` holding `node`.
fn enclosing_def<'t>(node: Node<'t>, src: &str) -> Option<Node<'t>> {
    let mut at = node.parent();
    while let Some(n) = at {
        if matches!(elixir::local_call_name(n, src), Some("def" | "defp")) {
            return Some(n);
        }
        at = n.parent();
    }
    None
}

/// The values bound to the variable `var` (`var = value`) inside `scope`.
fn bindings<'t>(scope: Node<'t>, var: &str, src: &str) -> Vec<Node<'t>> {
    let mut out = Vec::new();
    elixir::walk(scope, &mut |n| {
        if elixir::is_binary_op(n, src, "=")
            && n.child_by_field_name("left")
                .is_some_and(|l| l.kind() == "identifier" && text(l, src) == var)
        {
            out.extend(n.child_by_field_name("right"));
        }
        true
    });
    out
}

/// Calls `child` with the module and registered name (as written) of each child spec in
/// `list`: a list literal, lists joined with `++`, or `Enum.filter`/`List.flatten`-style
/// wrappers around them.
fn child_lists<'t>(
    node: Node<'t>,
    src: &str,
    local: &dyn Fn(&str) -> Vec<Node<'t>>,
    depth: usize,
    child: &mut dyn FnMut(&str, Option<&str>),
) {
    // Helpers calling helpers: a few levels are plenty (and recursion ends).
    if depth > 3 {
        return;
    }
    match node.kind() {
        "list" => {
            for item in elixir::block_statements(node) {
                if let Some(module) = child_module(item, src) {
                    child(module, registered_name(item, src));
                }
            }
        }
        "binary_operator" if elixir::operator(node, src) == "++" => {
            for side in ["left", "right"] {
                if let Some(n) = node.child_by_field_name(side) {
                    child_lists(n, src, local, depth + 1, child);
                }
            }
        }
        "call" => match (
            elixir::local_call_name(node, src),
            elixir::call_args(node).first(),
        ) {
            // `++ workers()`: the list the module's own `workers/0` returns.
            (Some(name), None) => {
                for value in local(name) {
                    child_lists(value, src, local, depth + 1, child);
                }
            }
            (_, Some(first)) => child_lists(*first, src, local, depth + 1, child),
            _ => {}
        },
        _ => {}
    }
}

/// The module of one child spec: `Mod`, `{Mod, arg}`, `Mod.child_spec(arg)`,
/// `Supervisor.child_spec(spec, opts)`, `worker(Mod, args)`/`supervisor(Mod, args)`, or
/// `%{id: _, start: {Mod, :start_link, args}}`.
fn child_module<'a>(item: Node<'_>, src: &'a str) -> Option<&'a str> {
    match item.kind() {
        "alias" => Some(text(item, src)),
        "tuple" => {
            let first = *elixir::block_statements(item).first()?;
            (first.kind() == "alias").then(|| text(first, src))
        }
        "call" => match (
            elixir::remote_call(item, src),
            elixir::local_call_name(item, src),
        ) {
            (Some(("Supervisor", "child_spec")), _) => {
                child_module(*elixir::call_args(item).first()?, src)
            }
            (Some((module, "child_spec")), _) => Some(module),
            (None, Some("worker" | "supervisor")) => {
                let first = *elixir::call_args(item).first()?;
                (first.kind() == "alias").then(|| text(first, src))
            }
            _ => None,
        },
        "map" => {
            let mut found = None;
            elixir::walk(item, &mut |n| {
                if n.kind() == "pair"
                    && n.child_by_field_name("key")
                        .is_some_and(|k| elixir::keyword_key(k, src) == "start")
                {
                    if let Some(v) = n
                        .child_by_field_name("value")
                        .filter(|v| v.kind() == "tuple")
                    {
                        found = child_module(v, src);
                    }
                    return false;
                }
                found.is_none()
            });
            found
        }
        _ => None,
    }
}

/// The `name:` of a `{Mod, name: Name}` or `{Mod, [name: Name, …]}` child spec, when an alias.
fn registered_name<'a>(item: Node<'_>, src: &'a str) -> Option<&'a str> {
    if item.kind() != "tuple" {
        return None;
    }
    let opts = *elixir::block_statements(item).get(1)?;
    let keywords = match opts.kind() {
        "keywords" => opts,
        "list" => *elixir::block_statements(opts)
            .iter()
            .find(|n| n.kind() == "keywords")?,
        _ => return None,
    };
    let name = elixir::keyword_value(keywords, src, "name")?;
    (name.kind() == "alias").then(|| text(name, src))
}

/// The structs of the file's modules with their fields in order (as the index records them).
pub fn structs_of(ctx: &LintContext<'_>) -> Vec<(String, Vec<String>)> {
    structs(ctx, ctx.names())
}

/// The structs of the file's modules with their fields in order: `defstruct` keys, or what an
/// Ecto schema defines (when every statement of its block is one Ecto defines).
fn structs(ctx: &LintContext<'_>, names: &ModuleNames) -> Vec<(String, Vec<String>)> {
    use crate::lint::rules::l4_typed::{schema_fields, struct_without_type};
    let src = ctx.source;
    let mut out = Vec::new();
    for (i, model) in ctx.modules().iter().enumerate() {
        let Some(body) = model.def.body else { continue };
        let defstruct = elixir::block_statements(body)
            .into_iter()
            .find(|s| elixir::local_call_name(*s, src) == Some("defstruct"));
        let fields = match defstruct {
            Some(d) => struct_without_type::fields(d, src),
            None => schema_fields::schema_call(model, src)
                .and_then(|schema| schema_fields::fields(model, schema, src, &|_| false)),
        };
        if let Some(fields) = fields {
            let keys = fields.into_iter().map(|(k, _)| k).collect();
            out.push((names.full_name(i).to_string(), keys));
        }
    }
    out
}

/// The full names of the modules a test file names: aliases anywhere in it, resolved in the
/// module they appear in.
fn mentions(ctx: &LintContext<'_>, names: &ModuleNames) -> Vec<String> {
    let src = ctx.source;
    let models = ctx.modules();
    let mut out = Vec::new();
    elixir::walk(ctx.tree.root_node(), &mut |node| {
        if node.kind() == "alias" {
            let written = text(node, src);
            let resolved = match names.module_at(models, node.start_byte()) {
                Some(i) => names.resolve(i, written),
                None => written.to_string(),
            };
            out.push(resolved);
            return false;
        }
        true
    });
    out.sort();
    out.dedup();
    out
}
