//! Phoenix router pipelines, shared by `missing-csrf-protection` and `missing-secure-headers`.
//!
//! A pipeline is read as Sobelow reads it (`Sobelow.Config.is_vuln_pipeline?/2`): the `plug`
//! statements directly in its `do` block, by name (`:fetch_session`) or module
//! (`Plug.CSRFProtection`). Unlike Sobelow, the routes' `pipe_through` lists of the same router
//! are consulted too: a pipeline that is only ever piped through together with one that has the
//! missing plug (`pipe_through [:browser, :admin]`, or a pipeline of an enclosing `scope`) is
//! protected by its companion.

use crate::syntax::Node;

use crate::lint::rules::l5_secure::config_scripts;
use crate::lint::{Edit, LintContext};
use crate::syntax::elixir;
use crate::syntax::module_model::ModuleModel;
use crate::syntax::text;

/// One `plug` statement of a pipeline.
#[derive(Clone, Copy, Debug)]
pub struct PlugStmt<'t> {
    /// The plug's name without the colon (`fetch_session`) or its module (`Plug.CSRFProtection`).
    pub name: &'t str,
    /// The `plug …` call.
    pub node: Node<'t>,
}

/// A `pipeline :name do … end` of a router.
#[derive(Clone, Debug)]
pub struct Pipeline<'t> {
    /// The pipeline's name without the colon (`browser`).
    pub name: &'t str,
    /// The `pipeline` call.
    pub node: Node<'t>,
    /// `pipeline :browser`: where findings point.
    pub head: std::ops::Range<usize>,
    /// Its plugs, in order.
    pub plugs: Vec<PlugStmt<'t>>,
}

impl<'t> Pipeline<'t> {
    /// Whether one of its plugs is called any of `names`.
    pub fn has_plug(&self, names: &[&str]) -> bool {
        self.plugs.iter().any(|p| names.contains(&p.name))
    }

    /// The last plug called any of `names`.
    pub fn last_plug(&self, names: &[&str]) -> Option<PlugStmt<'t>> {
        self.plugs
            .iter()
            .rev()
            .find(|p| names.contains(&p.name))
            .copied()
    }

    /// The formats of `plug :accepts, [...]` when written as a literal list or `~w(...)` sigil;
    /// `None` when there is no such plug or the list is computed (`@accepted_formats`).
    pub fn accepts(&self, src: &str) -> Option<Vec<String>> {
        let plug = self.plugs.iter().find(|p| p.name == "accepts")?;
        let formats = *elixir::call_args(plug.node).get(1)?;
        literal_strings(formats, src)
    }

    /// Whether it accepts `"html"` requests (a literal list naming it).
    pub fn accepts_html(&self, src: &str) -> bool {
        self.accepts(src)
            .is_some_and(|formats| formats.iter().any(|f| f == "html"))
    }
}

/// The strings of a literal list of strings or a `~w(...)` sigil.
fn literal_strings(node: Node<'_>, src: &str) -> Option<Vec<String>> {
    match node.kind() {
        "list" => {
            let mut cursor = node.walk();
            node.named_children(&mut cursor)
                .filter(|n| n.kind() != "comment")
                .map(|n| {
                    let t = text(n, src);
                    (n.kind() == "string" && !t.contains("#{"))
                        .then(|| t.trim_matches('"').to_string())
                })
                .collect()
        }
        "sigil" => {
            let t = text(node, src);
            let rest = t.strip_prefix("~w")?;
            let inner = rest.get(1..)?;
            let close = inner.rfind([')', ']', '}', '>', '|', '/', '"', '\''])?;
            Some(
                inner[..close]
                    .split_whitespace()
                    .map(str::to_string)
                    .collect(),
            )
        }
        _ => None,
    }
}

/// Whether the module is a Phoenix router: `use Phoenix.Router` or `use MyAppWeb, :router`.
pub fn is_router(module: &ModuleModel<'_>) -> bool {
    module.uses.contains(&"Phoenix.Router") || module.use_kinds.contains(&":router")
}

/// The pipelines of a router module, wherever they are in its body (also inside `scope` or
/// macro blocks such as `on_ee do … end`), but not those of nested modules.
pub fn pipelines<'t>(ctx: &LintContext<'t>, module: &ModuleModel<'t>) -> Vec<Pipeline<'t>> {
    let src = ctx.source;
    calls_in(ctx, module.def.node)
        .filter(|c| elixir::is_local_call(**c, src, "pipeline"))
        .filter(|c| {
            elixir::ancestor(**c, |n| elixir::module_def(n, src).is_some()) == Some(module.def.node)
        })
        .filter_map(|c| pipeline(*c, src))
        .collect()
}

/// The calls inside `node`, from the file's call index.
fn calls_in<'a, 't>(
    ctx: &'a LintContext<'t>,
    node: Node<'t>,
) -> impl Iterator<Item = &'a Node<'t>> + 'a {
    let range = node.byte_range();
    let calls = &ctx.nodes().calls;
    let start = calls.partition_point(|c| c.start_byte() < range.start);
    calls[start..]
        .iter()
        .take_while(move |c| c.start_byte() < range.end)
}

/// Reads `pipeline :name do … end`.
fn pipeline<'t>(call: Node<'t>, src: &'t str) -> Option<Pipeline<'t>> {
    if elixir::local_call_name(call, src) != Some("pipeline") {
        return None;
    }
    let name_node = *elixir::call_args(call).first()?;
    if name_node.kind() != "atom" {
        return None;
    }
    let block = elixir::do_block(call)?;
    let plugs = elixir::block_statements(block)
        .into_iter()
        .filter_map(|stmt| plug(stmt, src))
        .collect();
    Some(Pipeline {
        name: text(name_node, src).trim_start_matches(':'),
        node: call,
        head: call.start_byte()..name_node.end_byte(),
        plugs,
    })
}

/// Reads `plug :name, opts` or `plug Module, opts` (with or without parentheses).
fn plug<'t>(stmt: Node<'t>, src: &'t str) -> Option<PlugStmt<'t>> {
    if elixir::local_call_name(stmt, src) != Some("plug") {
        return None;
    }
    let first = *elixir::call_args(stmt).first()?;
    let name = match first.kind() {
        "atom" => text(first, src).trim_start_matches(':'),
        "alias" => text(first, src),
        _ => return None,
    };
    Some(PlugStmt { name, node: stmt })
}

/// Routes that change state: the ones CSRF protection is for.
const MUTATING_ROUTES: &[&str] = &[
    "post",
    "put",
    "patch",
    "delete",
    "resources",
    "forward",
    "match",
];

/// One `pipe_through` of a router and the routes it applies to.
#[derive(Clone, Debug)]
pub struct RouteUse<'t> {
    /// Every plug the routes go through: the `pipe_through`'s own names plus those of
    /// `pipe_through`s of enclosing `scope`s (nested scopes inherit them). Atoms without the
    /// colon; modules as written.
    pub names: Vec<&'t str>,
    /// Whether it only exists in dev or test (`if Application.compile_env(:app, :dev_routes)`,
    /// `if Mix.env() in [:dev, :test]`).
    pub dev_only: bool,
    /// Whether its block declares state-changing routes (`post`, `put`, `resources`, `forward`…).
    pub mutating: bool,
}

/// The `pipe_through`s of `module` whose names are all literal.
pub fn route_uses<'t>(ctx: &LintContext<'t>, module: &ModuleModel<'t>) -> Vec<RouteUse<'t>> {
    let src = ctx.source;
    calls_in(ctx, module.def.node)
        .filter(|c| elixir::is_local_call(**c, src, "pipe_through"))
        .filter_map(|call| {
            let mut names = piped_names(*call, src)?;
            let mut node = *call;
            while let Some(scope) = elixir::ancestor(node, |n| {
                matches!(elixir::local_call_name(n, src), Some("scope"))
            }) {
                let Some(block) = elixir::do_block(scope) else {
                    break;
                };
                for stmt in elixir::block_statements(block) {
                    if stmt != *call && elixir::is_local_call(stmt, src, "pipe_through") {
                        names.extend(piped_names(stmt, src)?);
                    }
                }
                node = scope;
            }
            let mutating = call.parent().is_some_and(|block| {
                calls_in(ctx, block).any(|c| {
                    elixir::local_call_name(*c, src).is_some_and(|n| MUTATING_ROUTES.contains(&n))
                })
            });
            Some(RouteUse {
                names,
                dev_only: config_scripts::dev_or_test_only(*call, src),
                mutating,
            })
        })
        .collect()
}

/// The names of `pipe_through :a`, `pipe_through [:a, MyPlug]` or `pipe_through MyPlug`.
fn piped_names<'t>(call: Node<'t>, src: &'t str) -> Option<Vec<&'t str>> {
    let arg = *elixir::call_args(call).first()?;
    let atom = |n: Node<'t>| match n.kind() {
        "atom" => Some(text(n, src).trim_start_matches(':')),
        "alias" => Some(text(n, src)),
        _ => None,
    };
    match arg.kind() {
        "atom" | "alias" => Some(vec![atom(arg)?]),
        "list" => {
            let mut cursor = arg.walk();
            arg.named_children(&mut cursor)
                .filter(|n| n.kind() != "comment")
                .map(atom)
                .collect()
        }
        _ => None,
    }
}

/// Whether the routes piped through `pipeline` get what it lacks from companions.
///
/// True when, leaving out dev- and test-only routes, `pipeline` is piped through somewhere and
/// each time together with a companion that `provides` it: a pipeline for which `provides`
/// holds, or a plug piped through by a name in `plugs`. With `read_only_ok`, a use without such
/// a companion is also accepted when its block declares no state-changing route and another
/// use shows the router composes the protection deliberately (plausible's
/// `pipe_through [:browser, :csrf]`).
pub fn covered_by_companions(
    pipeline: &Pipeline<'_>,
    all: &[Pipeline<'_>],
    uses: &[RouteUse<'_>],
    plugs: &[&str],
    provides: impl Fn(&Pipeline<'_>) -> bool,
    read_only_ok: bool,
) -> bool {
    let companion = |name: &str| {
        plugs.contains(&name)
            || all
                .iter()
                .any(|p| p.name == name && p.name != pipeline.name && provides(p))
    };
    let relevant: Vec<&RouteUse<'_>> = uses
        .iter()
        .filter(|u| !u.dev_only && u.names.contains(&pipeline.name))
        .collect();
    let (covered, uncovered): (Vec<&RouteUse<'_>>, Vec<&RouteUse<'_>>) = relevant
        .into_iter()
        .partition(|u| u.names.iter().any(|n| companion(n)));
    if covered.is_empty() {
        return false;
    }
    uncovered.is_empty() || (read_only_ok && uncovered.iter().all(|u| !u.mutating))
}

/// An edit inserting `plug :name` on its own line after the plug statement `anchor`, with its
/// indentation and call style (`plug(:x)` when the anchor uses parentheses). `None` when the
/// anchor shares its line with other code.
pub fn insert_plug_after(src: &str, anchor: Node<'_>, name: &str) -> Option<Edit> {
    if !elixir::starts_line(src, anchor.start_byte()) || !elixir::ends_line(src, anchor.end_byte())
    {
        return None;
    }
    let indent = elixir::indentation(src, anchor.start_byte());
    let stmt = if text(anchor, src).starts_with("plug(") {
        format!("plug(:{name})")
    } else {
        format!("plug :{name}")
    };
    // The anchor ends its line: keep that line's terminator style.
    let rest = src[anchor.end_byte()..].trim_start_matches([' ', '\t']);
    let newline = if rest.starts_with("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    Some(Edit::insert(
        anchor.end_byte(),
        format!("{newline}{indent}{stmt}"),
    ))
}

#[cfg(test)]
pub(crate) mod fixtures {
    /// The router `mix phx.new` (Phoenix 1.7) generates, with `mix phx.gen.auth` routes.
    pub const PHOENIX_17_ROUTER: &str = r#"defmodule ShopWeb.Router do
  use ShopWeb, :router

  import ShopWeb.UserAuth

  pipeline :browser do
    plug :accepts, ["html"]
    plug :fetch_session
    plug :fetch_live_flash
    plug :put_root_layout, html: {ShopWeb.Layouts, :root}
    plug :protect_from_forgery
    plug :put_secure_browser_headers
    plug :fetch_current_user
  end

  pipeline :api do
    plug :accepts, ["json"]
  end

  scope "/", ShopWeb do
    pipe_through :browser

    get "/", PageController, :home
  end

  scope "/api", ShopWeb do
    pipe_through :api
  end

  if Application.compile_env(:shop, :dev_routes) do
    import Phoenix.LiveDashboard.Router

    scope "/dev" do
      pipe_through :browser

      live_dashboard "/dashboard", metrics: ShopWeb.Telemetry
      forward "/mailbox", Plug.Swoosh.MailboxPreview
    end
  end

  scope "/", ShopWeb do
    pipe_through [:browser, :redirect_if_user_is_authenticated]

    live_session :redirect_if_user_is_authenticated,
      on_mount: [{ShopWeb.UserAuth, :redirect_if_user_is_authenticated}] do
      live "/users/register", UserRegistrationLive, :new
      live "/users/log_in", UserLoginLive, :new
    end

    post "/users/log_in", UserSessionController, :create
  end

  scope "/", ShopWeb do
    pipe_through [:browser, :require_authenticated_user]

    live_session :require_authenticated_user,
      on_mount: [{ShopWeb.UserAuth, :ensure_authenticated}] do
      live "/users/settings", UserSettingsLive, :edit
    end
  end
end
"#;

    /// The generated router with `line` removed.
    pub fn router_without(line: &str) -> String {
        let out = PHOENIX_17_ROUTER.replacen(&format!("{line}\n"), "", 1);
        assert_ne!(out, PHOENIX_17_ROUTER, "{line} not in the router");
        out
    }
}
