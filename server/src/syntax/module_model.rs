//! What a module defines: its functions (clauses grouped by name and arity, with the `@doc`,
//! `@impl` and `@spec` attributes that belong to them) and its module attributes.
//!
//! `@doc` and `@impl` belong to the next definition in the same block; a function's clauses
//! share them. Only the module's own top-level statements count: definitions inside `quote`
//! (code generated for other modules) or nested modules belong elsewhere.

use crate::syntax::Fields as _;
use crate::syntax::Node;

use super::elixir::{self, Attribute, DefKind, FunctionDef, ModuleDef};
use super::text;

/// A function: all clauses with the same name and number of parameters.
#[derive(Clone, Debug)]
pub struct Function<'t> {
    /// Its name.
    pub name: &'t str,
    /// `def`, `defp`, …, from the first clause.
    pub kind: DefKind,
    /// Number of parameters (the highest arity it defines).
    pub arity: usize,
    /// The lowest arity it defines (lower when parameters have defaults).
    pub min_arity: usize,
    /// Clauses in document order.
    pub clauses: Vec<FunctionDef<'t>>,
    /// The `@doc` before the first clause.
    pub doc: Option<Attribute<'t>>,
    /// The `@impl` before any of its clauses.
    pub impl_attr: Option<Attribute<'t>>,
}

impl<'t> Function<'t> {
    /// The first clause.
    pub fn first(&self) -> &FunctionDef<'t> {
        &self.clauses[0]
    }

    /// `name/arity`, or `name/1,2` when default arguments define several arities.
    pub fn label(&self) -> String {
        if self.min_arity == self.arity {
            format!("{}/{}", self.name, self.arity)
        } else {
            let arities: Vec<String> = (self.min_arity..=self.arity)
                .map(|a| a.to_string())
                .collect();
            format!("{}/{}", self.name, arities.join(","))
        }
    }

    /// Whether `@doc false` hides it.
    pub fn doc_false(&self, src: &str) -> bool {
        self.doc
            .and_then(|d| d.value)
            .is_some_and(|v| text(v, src) == "false")
    }
}

/// A `@spec` (or `@callback`, …) naming a function and arity.
#[derive(Clone, Debug)]
pub struct SpecRef<'t> {
    /// The function's name.
    pub name: &'t str,
    /// Its arity.
    pub arity: usize,
    /// The `@spec` node.
    pub node: Node<'t>,
}

/// A module and what it defines.
#[derive(Clone, Debug)]
pub struct ModuleModel<'t> {
    /// The definition.
    pub def: ModuleDef<'t>,
    /// Its functions, in order of their first clause.
    pub functions: Vec<Function<'t>>,
    /// Its `@spec`s.
    pub specs: Vec<SpecRef<'t>>,
    /// Every module attribute statement (`@moduledoc`, `@behaviour`, `@type`…) in order.
    pub attributes: Vec<Attribute<'t>>,
    /// Modules it `use`s (`Ecto.Migration`, `GenServer`…), as written.
    pub uses: Vec<&'t str>,
    /// The atoms given to `use` (`:live_view` in `use MyAppWeb, :live_view`).
    pub use_kinds: Vec<&'t str>,
    /// Whether it calls `defexception`.
    pub is_exception: bool,
}

impl<'t> ModuleModel<'t> {
    /// The first attribute called `name`.
    pub fn attribute(&self, name: &str) -> Option<Attribute<'t>> {
        self.attributes.iter().copied().find(|a| a.name == name)
    }

    /// Whether a `@spec` covers `name` at any arity in `arities`.
    pub fn has_spec(&self, name: &str, arities: std::ops::RangeInclusive<usize>) -> bool {
        self.specs
            .iter()
            .any(|s| s.name == name && arities.contains(&s.arity))
    }
}

/// Models of every module in the tree (nested ones separately), in document order.
pub fn module_models<'t>(root: Node<'t>, src: &'t str) -> Vec<ModuleModel<'t>> {
    elixir::modules(root, src)
        .into_iter()
        .map(|m| model(m, src))
        .collect()
}

/// Models of the modules among `calls` (every call node of a tree, in document order), for
/// callers that already collected them: no second walk of the tree.
pub fn module_models_from_calls<'t>(calls: &[Node<'t>], src: &'t str) -> Vec<ModuleModel<'t>> {
    calls
        .iter()
        .filter_map(|c| elixir::module_def(*c, src))
        .filter(|m| !elixir::inside_quote(m.node, src))
        .map(|m| model(m, src))
        .collect()
}

fn model<'t>(def: ModuleDef<'t>, src: &'t str) -> ModuleModel<'t> {
    let mut functions: Vec<Function<'t>> = Vec::new();
    let mut specs = Vec::new();
    let mut attributes = Vec::new();
    let mut uses = Vec::new();
    let mut use_kinds = Vec::new();
    let mut is_exception = false;
    // (name, arity) → index in `functions`: modules can have thousands of functions.
    let mut index: std::collections::HashMap<(&'t str, usize), usize> =
        std::collections::HashMap::new();
    let mut pending_doc = None;
    let mut pending_impl = None;
    let statements = def.body.map(elixir::block_statements).unwrap_or_default();
    for stmt in statements {
        if let Some(attr) = elixir::attribute(stmt, src) {
            match attr.name {
                "doc" => pending_doc = Some(attr),
                "impl" => pending_impl = Some(attr),
                "spec" => specs.extend(spec_ref(attr, src)),
                _ => {}
            }
            attributes.push(attr);
            continue;
        }
        if elixir::is_local_call(stmt, src, "use") {
            let args = elixir::call_args(stmt);
            if let Some(first) = args.first() {
                uses.push(text(*first, src));
            }
            if let Some(kind) = args.get(1).filter(|a| a.kind() == "atom") {
                use_kinds.push(text(*kind, src));
            }
            continue;
        }
        if elixir::is_local_call(stmt, src, "defexception") {
            is_exception = true;
            continue;
        }
        let Some(clause) = elixir::function_def(stmt, src) else {
            continue;
        };
        let arities = clause.arities(src);
        let doc = pending_doc.take();
        let impl_attr = pending_impl.take();
        match index
            .get(&(clause.name, *arities.end()))
            .map(|i| &mut functions[*i])
        {
            Some(f) => {
                f.min_arity = f.min_arity.min(*arities.start());
                f.impl_attr = f.impl_attr.or(impl_attr);
                f.clauses.push(clause);
            }
            None => {
                index.insert((clause.name, *arities.end()), functions.len());
                functions.push(Function {
                    name: clause.name,
                    kind: clause.kind,
                    arity: *arities.end(),
                    min_arity: *arities.start(),
                    clauses: vec![clause],
                    doc,
                    impl_attr,
                })
            }
        }
    }
    ModuleModel {
        def,
        functions,
        specs,
        attributes,
        uses,
        use_kinds,
        is_exception,
    }
}

/// Reads `@spec name(args) :: ret` (with or without `when`) as a name and arity.
pub fn spec_ref<'t>(attr: Attribute<'t>, src: &'t str) -> Option<SpecRef<'t>> {
    let mut value = attr.value?;
    if elixir::is_binary_op(value, src, "when") {
        value = value.field("left")?;
    }
    if !elixir::is_binary_op(value, src, "::") {
        return None;
    }
    let head = value.field("left")?;
    let (name, arity) = match head.kind() {
        "identifier" => (text(head, src), 0),
        "call" => (
            elixir::local_call_name(head, src)?,
            elixir::call_args(head).len(),
        ),
        _ => return None,
    };
    Some(SpecRef {
        name,
        arity,
        node: attr.node,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_clauses_and_attaches_attributes() {
        let src = "defmodule A do\n  use GenServer\n  @doc \"f\"\n  @spec f(integer()) :: integer()\n  def f(0), do: 0\n  def f(n), do: n\n  @impl true\n  def init(s), do: {:ok, s}\n  @doc false\n  def g(a, b \\\\ 1), do: a + b\n  defp h, do: 1\n  quote do\n    def generated, do: 1\n  end\nend\n";
        let tree = crate::syntax::parse(src);
        let models = module_models(tree.root_node(), src);
        let m = &models[0];
        let labels: Vec<String> = m.functions.iter().map(Function::label).collect();
        assert_eq!(labels, ["f/1", "init/1", "g/1,2", "h/0"]);
        assert_eq!(m.functions[0].clauses.len(), 2);
        assert!(m.functions[0].doc.is_some());
        assert!(m.functions[1].impl_attr.is_some());
        assert!(m.functions[2].doc_false(src));
        assert!(m.has_spec("f", 1..=1));
        assert_eq!(m.uses, ["GenServer"]);
    }
}
