//! `missing-spec`: a public `def`/`defmacro` without a `@spec`.
//!
//! A spec for any clause of the same name and arity counts; with default arguments a spec for
//! any of the arities counts. Exempt, as Elixir reviewers expect: `@impl` callbacks (an `@impl`
//! before any clause covers the function) and callbacks implied by common `use`s, `@behaviour`s
//! and `defexception` (see `syntax::callbacks`), `defdelegate`, `defguard`, `@doc false` functions,
//! protocol implementations (`defimpl`), `__using__`-style hooks, functions generated inside
//! `quote`, Phoenix controller actions and function components (called by the framework by
//! convention), test files and scripts (`.exs`: `mix.exs`, configuration, migrations, seeds).

use crate::lint::{Edit, Finding, Fix, LintContext, Rule, RuleDocs, RuleMeta, Severity};
use crate::project::lookup;
use crate::syntax::elixir::{self, DefKind, ModuleKind};
use crate::syntax::module_model::{Function, ModuleModel};
use crate::syntax::text;
use crate::types::{format, format_spec, infer_function_spec};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "missing-spec",
        level: 4,
        severity: Severity::Warning,
        fixable: true,
        summary: "Public function or macro without `@spec`",
        docs: RuleDocs {
            why: "A `@spec` is the contract of a public function: it documents what callers may \
                  pass and get back, lets Dialyzer and the type checker catch misuse, and shows in \
                  generated docs. Public functions without one make every caller read the body.",
            bad: "def create_order(%User{} = user, items) when is_list(items) do\n  {:ok, build(user, items)}\nend",
            good: "@spec create_order(User.t(), list()) :: {:ok, term()}\ndef create_order(%User{} = user, items) when is_list(items) do\n  {:ok, build(user, items)}\nend",
            fix: "Inserts one `@spec` stub per arity right above the function's first clause \
                  (below its `@doc`), to be refined by hand.",
        },
        credo: &["Credo.Check.Readability.Specs"],
        scope: crate::lint::Scope::Callers,
        ..RuleMeta::BASE
    },
    check: Some(check),
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    if ctx.file.is_test() || ctx.file.is_script() {
        return;
    }
    let src = ctx.source;
    for (i, module) in ctx.modules().iter().enumerate() {
        if module.def.kind == ModuleKind::Impl {
            continue;
        }
        for function in &module.functions {
            // An incremental re-lint reuses the findings of functions it does not cover.
            if !ctx.in_scope(function.first().node.start_byte())
                || exempt(function, src)
                || phoenix_callback(function, module, src)
                || module.has_spec(function.name, function.min_arity..=function.arity)
                || (function.min_arity..=function.arity)
                    .any(|a| lookup::spec_comes_with_use(ctx, i, function.name, a))
            {
                continue;
            }
            let what = if function.kind.is_macro() {
                "macro"
            } else {
                "function"
            };
            let message = format!("Public {what} `{}` has no @spec", function.label());
            let first = function.first();
            out.push(
                Finding::new(&RULE.meta, first.name_node.byte_range(), message).with_fix(stub_fix(
                    function,
                    module,
                    ctx,
                    &|written| lookup::struct_has_t(ctx, i, written),
                )),
            );
        }
    }
}

fn exempt(function: &Function<'_>, src: &str) -> bool {
    !function.kind.is_public()
        || matches!(function.kind, DefKind::Defdelegate | DefKind::Defguard)
        || function.impl_attr.is_some()
        || function.doc_false(src)
        || function.name.starts_with("__")
}

/// Functions Phoenix calls by convention, which teams do not spec: controller actions
/// (`def show(conn, params)` in a `*Controller` module) and function components
/// (`def button(assigns)`).
fn phoenix_callback(function: &Function<'_>, module: &ModuleModel<'_>, src: &str) -> bool {
    let binds = |param: &crate::syntax::Node<'_>, name: &str| {
        let mut found = false;
        elixir::walk(*param, &mut |n| {
            found |= n.kind() == "identifier" && text(n, src) == name;
            !found
        });
        found
    };
    let first_params: Vec<crate::syntax::Node> = function
        .clauses
        .iter()
        .filter_map(|c| c.params.first().copied())
        .collect();
    let all_bind =
        |name: &str| !first_params.is_empty() && first_params.iter().all(|p| binds(p, name));
    let controller =
        module.def.name.ends_with("Controller") && function.arity == 2 && all_bind("conn");
    let component = function.arity == 1 && all_bind("assigns");
    controller || component
}

/// One `@spec` per arity, inferred from the clauses and laid out as `mix format` would,
/// inserted above the first clause at its indentation (so below its `@doc`).
fn stub_fix(
    function: &Function<'_>,
    module: &ModuleModel<'_>,
    ctx: &LintContext<'_>,
    has_t: &dyn Fn(&str) -> bool,
) -> Fix {
    let src = ctx.source;
    let first = function.first();
    let at = elixir::line_start(src, first.node.start_byte());
    let indent = elixir::indentation(src, first.node.start_byte());
    let line_length = ctx
        .config
        .formatter_line_length
        .unwrap_or(format::LINE_LENGTH);
    let mut text = String::new();
    // A stub that says only `term()` satisfies this rule in letter and trips `vague-spec`: it is
    // offered, but never applied in bulk.
    let mut vague = false;
    for arity in function.min_arity..=function.arity {
        let spec = infer_function_spec(function, arity, module, src).check_structs(has_t);
        vague |= !function.kind.is_macro()
            && spec.ret.is_term()
            && spec.args.iter().all(|(_, t)| t.is_term());
        text.push_str(&format_spec(
            indent,
            function.name,
            &spec.arg_texts(),
            &spec.ret_alternatives(),
            line_length,
        ));
    }
    let title = if function.min_arity == function.arity {
        "Insert @spec stub"
    } else {
        "Insert @spec stubs"
    };
    if vague {
        Fix::unsafe_(title, vec![Edit::insert(at, text)])
    } else {
        Fix::safe(title, vec![Edit::insert(at, text)])
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_support::*;

    const CODE: &str = "missing-spec";

    fn labels(src: &str, path: &str) -> Vec<String> {
        findings_of(src, path, CODE)
            .into_iter()
            .map(|f| f.message)
            .collect()
    }

    #[test]
    fn flags_public_functions_and_macros_without_spec() {
        let src = "defmodule Shop.Orders do\n  def create(attrs), do: {:ok, attrs}\n  defmacro m(ast), do: ast\n  defp helper, do: :ok\nend\n";
        assert_eq!(
            labels(src, "lib/shop/orders.ex"),
            [
                "Public function `create/1` has no @spec",
                "Public macro `m/1` has no @spec"
            ]
        );
    }

    #[test]
    fn any_clause_spec_counts_and_defaults_cover_arities() {
        let src = "defmodule A do\n  @spec f(integer()) :: integer()\n  def f(0), do: 0\n  def f(n), do: n\n  @spec g(term()) :: term()\n  def g(a, b \\\\ 1), do: {a, b}\nend\n";
        assert!(labels(src, "lib/a.ex").is_empty());
    }

    #[test]
    fn exemptions() {
        let src = "defmodule A do\n  @behaviour B\n  @impl true\n  def init(s), do: {:ok, s}\n  def init(a, b), do: {a, b}\n  @doc false\n  def hidden, do: 1\n  defdelegate d(x), to: B\n  defguard is_small(x) when x < 3\n  defmacro __using__(_), do: quote(do: :ok)\n  defmacro __before_compile__(_), do: nil\nend\ndefimpl String.Chars, for: A do\n  def to_string(_), do: \"a\"\nend\n";
        assert_eq!(
            labels(src, "lib/a.ex"),
            ["Public function `init/2` has no @spec"]
        );
        assert!(
            labels(
                "defmodule ATest do\n  def helper, do: 1\nend\n",
                "test/a_test.exs"
            )
            .is_empty()
        );
        assert!(
            labels(
                "defmodule A.MixProject do\n  def project, do: []\nend\n",
                "mix.exs"
            )
            .is_empty()
        );
    }

    #[test]
    fn phoenix_actions_and_function_components_are_exempt() {
        let controller = "defmodule ShopWeb.UserController do\n  use ShopWeb, :controller\n  def index(conn, _params), do: render(conn, :index)\n  def show(conn, %{\"id\" => id}), do: render(conn, :show, id: id)\n  def helper(a, b), do: {a, b}\nend\n";
        assert_eq!(
            labels(controller, "lib/shop_web/controllers/user_controller.ex"),
            ["Public function `helper/2` has no @spec"]
        );
        let components = "defmodule ShopWeb.CoreComponents do\n  use Phoenix.Component\n  def button(assigns) do\n    ~H\"<button>{@label}</button>\"\n  end\n  def title(%{text: _} = assigns), do: ~H\"<h1>{@text}</h1>\"\n  def format(value), do: to_string(value)\nend\n";
        assert_eq!(
            labels(components, "lib/shop_web/components/core_components.ex"),
            ["Public function `format/1` has no @spec"]
        );
    }

    #[test]
    fn impl_before_first_clause_covers_all_clauses() {
        let src = "defmodule A do\n  @impl true\n  def handle_call(:a, _, s), do: {:reply, 1, s}\n  def handle_call(:b, _, s), do: {:reply, 2, s}\nend\n";
        assert!(labels(src, "lib/a.ex").is_empty());
    }

    #[test]
    fn quoted_definitions_are_not_the_modules_own() {
        let src = "defmodule A do\n  @spec __using__(term()) :: Macro.t()\n  defmacro __using__(_) do\n    quote do\n      def injected, do: 1\n    end\n  end\nend\n";
        assert!(labels(src, "lib/a.ex").is_empty());
    }

    #[test]
    fn fix_inserts_one_spec_per_arity_below_the_doc() {
        let src = "defmodule A do\n  @doc \"Adds.\"\n  def add(a, b \\\\ 1) when is_integer(a) do\n    a + b\n  end\nend\n";
        let fixed = assert_clean_after_fix(src, "lib/a.ex", CODE);
        assert_eq!(
            fixed,
            "defmodule A do\n  @doc \"Adds.\"\n  @spec add(integer()) :: integer()\n  @spec add(integer(), integer()) :: integer()\n  def add(a, b \\\\ 1) when is_integer(a) do\n    a + b\n  end\nend\n"
        );
    }

    #[test]
    fn nested_modules_are_checked_on_their_own() {
        let src = "defmodule A do\n  @spec f() :: :ok\n  def f, do: :ok\n  defmodule B do\n    def f, do: :ok\n  end\nend\n";
        let found = findings_of(src, "lib/a.ex", CODE);
        assert_eq!(found.len(), 1);
        assert_eq!(&src[found[0].range.clone()], "f");
        assert!(found[0].range.start > src.find("defmodule B").unwrap());
    }

    const FLEET: &str = "defmodule MyApp.Fleet do\n  alias MyApp.Fleet.{Car, Truck}\n\n  def park(%Car{} = car, %Truck{} = truck), do: {car, truck}\n\n  def stamp(%Car{} = car, %DateTime{} = at), do: %{car | parked_at: at}\n\n  def handle(%Plug.Conn{} = conn, %Stripe.Customer{} = c), do: {conn, c}\nend\n";
    const CAR: &str = "defmodule MyApp.Fleet.Car do\n  @type t :: %__MODULE__{plate: String.t() | nil}\n  defstruct [:plate]\nend\n";
    const TRUCK: &str = "defmodule MyApp.Fleet.Truck do\n  defstruct [:plate]\nend\n";

    #[test]
    fn stubs_name_only_types_that_exist() {
        let files = [
            ("lib/my_app/fleet.ex", FLEET),
            ("lib/my_app/fleet/car.ex", CAR),
            ("lib/my_app/fleet/truck.ex", TRUCK),
        ];
        let fixes: Vec<String> = findings_in_project(&files, "lib/my_app/fleet.ex", CODE)
            .into_iter()
            .map(|f| f.fix.unwrap().edits[0].new_text.clone())
            .collect();
        // `Car` defines `@type t`; `Truck` has a struct but no type: `%Truck{}` compiles,
        // `Truck.t()` would not.
        assert_eq!(
            fixes[0],
            "  @spec park(Car.t(), %Truck{}) :: {Car.t(), %Truck{}}\n"
        );
        // Library structs known to define `t/0`.
        assert_eq!(
            fixes[1],
            "  @spec stamp(Car.t(), DateTime.t()) :: Car.t()\n"
        );
        // A dependency's struct the index cannot see: the literal.
        assert_eq!(
            fixes[2],
            "  @spec handle(Plug.Conn.t(), %Stripe.Customer{}) :: {Plug.Conn.t(), %Stripe.Customer{}}\n"
        );
    }

    #[test]
    fn a_struct_gaining_its_type_changes_the_stub() {
        let truck_typed = "defmodule MyApp.Fleet.Truck do\n  @type t :: %__MODULE__{}\n  defstruct [:plate]\nend\n";
        let files = [
            ("lib/my_app/fleet.ex", FLEET),
            ("lib/my_app/fleet/car.ex", CAR),
            ("lib/my_app/fleet/truck.ex", truck_typed),
        ];
        let fix = fix_text_in_project(&files, "lib/my_app/fleet.ex", CODE);
        assert_eq!(
            fix,
            "  @spec park(Car.t(), Truck.t()) :: {Car.t(), Truck.t()}\n"
        );
    }

    #[test]
    fn alone_a_file_names_only_its_own_and_library_types() {
        // Without the project, `Car` is not known to define `t`.
        let fix = apply_fix_of(FLEET, "lib/my_app/fleet.ex", CODE);
        assert!(
            fix.contains("@spec park(%Car{}, %Truck{}) :: {%Car{}, %Truck{}}"),
            "{fix}"
        );
    }

    #[test]
    fn no_stub_where_use_brings_the_spec() {
        let worker = "defmodule MyApp.Worker do\n  @callback perform(map()) :: :ok | {:error, term()}\n\n  defmacro __using__(_opts) do\n    quote do\n      @behaviour unquote(__MODULE__)\n      @spec enqueue(map()) :: :ok\n      def enqueue(args), do: MyApp.Queue.push(__MODULE__, args)\n      defoverridable enqueue: 1\n    end\n  end\nend\n";
        let mailer = "defmodule MyApp.Mailer do\n  use MyApp.Worker\n\n  def perform(args), do: send_mail(args)\n\n  def enqueue(args), do: MyApp.Queue.push(__MODULE__, Map.put(args, :mail, true))\n\n  def preview(args), do: args\n\n  defp send_mail(_), do: :ok\nend\n";
        let client = "defmodule MyApp.Zulip.Client do\n  use HTTPoison.Base\n\n  def process_url(url), do: \"https://zulip.example.com/api/v1\" <> url\n\n  def process_response_body(body), do: Jason.decode!(body)\nend\n";
        let files = [
            ("lib/my_app/worker.ex", worker),
            ("lib/my_app/mailer.ex", mailer),
            ("lib/my_app/zulip/client.ex", client),
        ];
        let messages: Vec<String> = findings_in_project(&files, "lib/my_app/mailer.ex", CODE)
            .into_iter()
            .map(|f| f.message)
            .collect();
        assert_eq!(messages, ["Public function `preview/1` has no @spec"]);
        assert!(findings_in_project(&files, "lib/my_app/zulip/client.ex", CODE).is_empty());
    }
}
