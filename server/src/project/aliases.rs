//! Full module names: what `Car` means inside `MyApp.Garage` after `alias MyApp.Fleet.Car`, and
//! the full names of nested modules (`defmodule Inner` inside `defmodule MyApp.Outer`).
//!
//! Cross-file facts are keyed by full module names, while code names modules as written; this
//! is the bridge. Only what Elixir resolves lexically at the module level is modelled: `alias`
//! statements in the module body and in enclosing modules, and nested module definitions (which
//! alias themselves in the enclosing module). An `alias` inside a function body is not seen, so
//! a name it introduces resolves to itself: callers then find no project module by that name and
//! fall back to what is known to compile.

use crate::syntax::Node;

use crate::syntax::module_model::ModuleModel;
use crate::syntax::{elixir, text};

/// The full names of the modules of a file and the aliases in effect in each.
#[derive(Clone, Debug, Default)]
pub struct ModuleNames {
    /// Per module model (same order as the models): its full name, the index of the enclosing
    /// model, and its own `(short, full)` aliases.
    entries: Vec<Entry>,
}

#[derive(Clone, Debug)]
struct Entry {
    full: String,
    parent: Option<usize>,
    aliases: Vec<(String, String)>,
}

impl ModuleNames {
    /// Resolves the names of `models` (every module of one file, outer before inner, in document
    /// order, as `module_models` gives them).
    pub fn of(models: &[ModuleModel<'_>], src: &str) -> Self {
        let mut entries: Vec<Entry> = Vec::with_capacity(models.len());
        for (i, model) in models.iter().enumerate() {
            let range = model.def.node.byte_range();
            // The nearest earlier model whose range holds this one encloses it.
            let parent = (0..i).rev().find(|j| {
                let outer = models[*j].def.node.byte_range();
                outer.start <= range.start && range.end <= outer.end
            });
            let written = model.def.name;
            let full = match parent {
                // `defmodule Inner` inside `MyApp.Outer` is `MyApp.Outer.Inner`.
                Some(p) if model.def.kind == elixir::ModuleKind::Module => {
                    let outer = &entries[p].full;
                    match written.strip_prefix("__MODULE__.") {
                        Some(rest) => format!("{outer}.{rest}"),
                        None => format!("{outer}.{written}"),
                    }
                }
                _ => written.to_string(),
            };
            let aliases = module_aliases(model, &full, src);
            if let Some(p) = parent {
                // A nested module aliases itself in its parent by its first segment.
                let short = written.split('.').next().unwrap_or(written).to_string();
                let target = format!(
                    "{}.{}",
                    entries[p].full,
                    written.split('.').next().unwrap_or(written)
                );
                if !written.starts_with("__MODULE__") {
                    entries[p].aliases.push((short, target));
                }
            }
            entries.push(Entry {
                full,
                parent,
                aliases,
            });
        }
        ModuleNames { entries }
    }

    /// The full name of the `i`th module.
    pub fn full_name(&self, i: usize) -> &str {
        self.entries.get(i).map_or("", |e| e.full.as_str())
    }

    /// What `written` (an alias as written in the `i`th module: `Car`, `Fleet.Car`,
    /// `__MODULE__.Car`) names.
    pub fn resolve(&self, i: usize, written: &str) -> String {
        if i >= self.entries.len() {
            return written.to_string();
        }
        resolve_in(&self.entries, i, written)
    }

    /// The index of the innermost module whose definition holds `byte`, if any.
    pub fn module_at(&self, models: &[ModuleModel<'_>], byte: usize) -> Option<usize> {
        models
            .iter()
            .enumerate()
            .rev()
            .find(|(_, m)| m.def.node.byte_range().contains(&byte))
            .map(|(i, _)| i)
    }
}

fn resolve_in(entries: &[Entry], i: usize, written: &str) -> String {
    let written = written.trim();
    if written == "__MODULE__" {
        return entries[i].full.clone();
    }
    if let Some(rest) = written.strip_prefix("__MODULE__.") {
        return format!("{}.{rest}", entries[i].full);
    }
    let (head, tail) = match written.split_once('.') {
        Some((h, t)) => (h, Some(t)),
        None => (written, None),
    };
    let mut at = Some(i);
    while let Some(j) = at {
        if let Some((_, full)) = entries[j].aliases.iter().rev().find(|(s, _)| s == head) {
            return match tail {
                Some(t) => format!("{full}.{t}"),
                None => full.clone(),
            };
        }
        at = entries[j].parent;
    }
    written.to_string()
}

/// The `(short, full)` pairs of the `alias` statements directly in a module body.
fn module_aliases(model: &ModuleModel<'_>, full: &str, src: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let Some(body) = model.def.body else {
        return out;
    };
    for stmt in elixir::block_statements(body) {
        if elixir::local_call_name(stmt, src) != Some("alias") {
            continue;
        }
        let args = elixir::call_args(stmt);
        let Some(target) = args.first() else { continue };
        let as_name = args
            .get(1)
            .and_then(|kw| elixir::keyword_value(*kw, src, "as"))
            .map(|n| text(n, src).to_string());
        for (short, full_target) in alias_targets(*target, full, src) {
            let short = as_name.clone().unwrap_or(short);
            out.push((short, full_target));
        }
    }
    out
}

/// The modules one `alias` target names: `A.B.C` → `(C, A.B.C)`; `A.B.{C, D.E}` →
/// `(C, A.B.C)`, `(E, A.B.D.E)`; `__MODULE__.X` → the module's own name joined.
fn alias_targets(target: Node<'_>, own: &str, src: &str) -> Vec<(String, String)> {
    let expand = |t: &str| match t.strip_prefix("__MODULE__") {
        Some(rest) => format!("{own}{rest}"),
        None => t.to_string(),
    };
    let last = |t: &str| t.rsplit('.').next().unwrap_or(t).to_string();
    // `A.B.{C, D}` parses as a call of `{}` on `A.B` (a dot whose right side is a tuple).
    let written = text(target, src);
    if let Some((base, rest)) = written.split_once(".{") {
        let base = expand(base.trim());
        let inner = rest.trim_end().trim_end_matches('}');
        return inner
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty() && s.chars().next().is_some_and(|c| c.is_ascii_uppercase()))
            .map(|s| (last(s), format!("{base}.{s}")))
            .collect();
    }
    if target.kind() == "alias" || written.starts_with("__MODULE__") {
        let full = expand(written);
        return vec![(last(&full), full)];
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::module_model::module_models;

    fn names(src: &str) -> (ModuleNames, usize) {
        let tree = crate::syntax::parse(src);
        let models = module_models(tree.root_node(), src);
        (ModuleNames::of(&models, src), models.len())
    }

    #[test]
    fn resolves_aliases_multi_aliases_as_and_module() {
        let src = "defmodule MyApp.Garage do\n  alias MyApp.Fleet.Car\n  alias MyApp.{Accounts.User, Repo}\n  alias MyApp.Billing.Invoice, as: Bill\n  alias __MODULE__.Slot\nend\n";
        let (n, _) = names(src);
        assert_eq!(n.full_name(0), "MyApp.Garage");
        assert_eq!(n.resolve(0, "Car"), "MyApp.Fleet.Car");
        assert_eq!(n.resolve(0, "User"), "MyApp.Accounts.User");
        assert_eq!(n.resolve(0, "Repo"), "MyApp.Repo");
        assert_eq!(n.resolve(0, "Bill"), "MyApp.Billing.Invoice");
        assert_eq!(n.resolve(0, "Slot"), "MyApp.Garage.Slot");
        assert_eq!(n.resolve(0, "Car.Wheel"), "MyApp.Fleet.Car.Wheel");
        assert_eq!(n.resolve(0, "__MODULE__"), "MyApp.Garage");
        assert_eq!(n.resolve(0, "Other.Thing"), "Other.Thing");
    }

    #[test]
    fn nested_modules_have_full_names_and_alias_themselves() {
        let src = "defmodule MyApp.Outer do\n  alias MyApp.Car\n  defmodule Inner do\n    def f(%Car{} = c), do: c\n  end\n  def g(%Inner{} = i), do: i\nend\n";
        let (n, len) = names(src);
        assert_eq!(len, 2);
        assert_eq!(n.full_name(1), "MyApp.Outer.Inner");
        assert_eq!(n.resolve(0, "Inner"), "MyApp.Outer.Inner");
        // Aliases of the enclosing module apply inside the nested one.
        assert_eq!(n.resolve(1, "Car"), "MyApp.Car");
    }
}
