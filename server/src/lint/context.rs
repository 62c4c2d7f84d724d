//! What a rule sees of the file it checks.

use std::cell::OnceCell;
use std::sync::Arc;

use crate::syntax::{Node, SyntaxTree as Tree};
use ropey::Rope;

use super::analysis::taint::{FileFlow, analyze_file};
use crate::config::Config;
use crate::lint::segments::{Segments, Unit};
use crate::project::ProjectIndex;
use crate::project::aliases::ModuleNames;
use crate::syntax::module_model::{ModuleModel, module_models_from_calls};

/// Facts about a file's path that rules depend on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileInfo {
    /// The path shown to users (relative to the current directory or the workspace).
    pub display: String,
    /// The path relative to its Mix project root, `/`-separated (`lib/shop/orders.ex`). For a
    /// file of an umbrella app this is relative to the app (`apps/shop/lib/x.ex` → `lib/x.ex`).
    pub project_rel: String,
    /// The Mix project root (for a file of an umbrella app, the app), when the file is in one:
    /// how project facts about this file are looked up.
    pub root: Option<std::path::PathBuf>,
}

impl FileInfo {
    /// A file whose display path and project path are the same.
    pub fn new(path: impl Into<String>) -> Self {
        let path = path.into();
        FileInfo {
            display: path.clone(),
            project_rel: path,
            root: None,
        }
    }

    /// The file name.
    pub fn file_name(&self) -> &str {
        self.project_rel
            .rsplit('/')
            .next()
            .unwrap_or(&self.project_rel)
    }

    /// An ExUnit test file or test support file.
    pub fn is_test(&self) -> bool {
        self.project_rel.starts_with("test/") || self.file_name().ends_with("_test.exs")
    }

    /// Application code under `lib/`.
    pub fn is_lib(&self) -> bool {
        self.project_rel.starts_with("lib/")
    }

    /// A configuration script under `config/`.
    pub fn is_config(&self) -> bool {
        self.project_rel.starts_with("config/") && self.project_rel.ends_with(".exs")
    }

    /// An Elixir script (`.exs`).
    pub fn is_script(&self) -> bool {
        self.project_rel.ends_with(".exs")
    }
}

/// Nodes many rules look at, collected in one walk of the tree per lint.
#[derive(Clone, Debug, Default)]
pub struct NodeIndex<'a> {
    /// Every `call` node (local and remote calls, `def`s, `defmodule`s…), in document order.
    pub calls: Vec<Node<'a>>,
    /// Every `comment` node, in document order.
    pub comments: Vec<Node<'a>>,
    /// Every `binary_operator` node (`==`, `|>`, `=`, `=>`, `when`…), in document order.
    pub binary_operators: Vec<Node<'a>>,
    /// Every keyword `pair` (`key: value` in calls, lists and maps), in document order.
    pub pairs: Vec<Node<'a>>,
    /// Every `fn … end`, in document order.
    pub anonymous_functions: Vec<Node<'a>>,
    /// Every `integer` and `float` literal, in document order.
    pub numbers: Vec<Node<'a>>,
}

impl<'a> NodeIndex<'a> {
    /// Files a node under its kind's list, if it has one. Nodes must come in document order.
    pub(crate) fn add(&mut self, node: Node<'a>) {
        match node.kind() {
            "call" => self.calls.push(node),
            "comment" => self.comments.push(node),
            "binary_operator" => self.binary_operators.push(node),
            "pair" => self.pairs.push(node),
            "anonymous_function" => self.anonymous_functions.push(node),
            "integer" | "float" => self.numbers.push(node),
            _ => {}
        }
    }

    /// The nodes of `self` and `other` in document order. A node and one of its descendants
    /// never come from different sides (a unit's nodes are the whole subtrees of its
    /// clauses; the skeleton's are the rest), so equal starts keep `self`'s first: the
    /// skeleton's ancestors before the unit's nodes.
    fn merged(&self, other: &NodeIndex<'a>) -> NodeIndex<'a> {
        fn merge<'a>(a: &[Node<'a>], b: &[Node<'a>]) -> Vec<Node<'a>> {
            let mut out = Vec::with_capacity(a.len() + b.len());
            let (mut i, mut j) = (0, 0);
            while i < a.len() && j < b.len() {
                if b[j].start_byte() < a[i].start_byte() {
                    out.push(b[j]);
                    j += 1;
                } else {
                    out.push(a[i]);
                    i += 1;
                }
            }
            out.extend_from_slice(&a[i..]);
            out.extend_from_slice(&b[j..]);
            out
        }
        NodeIndex {
            calls: merge(&self.calls, &other.calls),
            comments: merge(&self.comments, &other.comments),
            binary_operators: merge(&self.binary_operators, &other.binary_operators),
            pairs: merge(&self.pairs, &other.pairs),
            anonymous_functions: merge(&self.anonymous_functions, &other.anonymous_functions),
            numbers: merge(&self.numbers, &other.numbers),
        }
    }
}

/// The nodes of each unit, collected on first use: several restricted contexts of one re-lint
/// walk a unit once.
pub struct UnitNodes<'a> {
    cells: Vec<OnceCell<NodeIndex<'a>>>,
}

impl<'a> UnitNodes<'a> {
    /// Room for `n` units.
    pub fn new(n: usize) -> Self {
        UnitNodes {
            cells: (0..n).map(|_| OnceCell::new()).collect(),
        }
    }

    fn of(&self, i: usize, unit: &Unit<'a>) -> &NodeIndex<'a> {
        self.cells[i].get_or_init(|| {
            let mut index = NodeIndex::default();
            crate::lint::segments::walk_unit(unit, &mut |node| {
                index.add(node);
                true
            });
            index
        })
    }
}

/// Which units a re-lint's context covers: for [`LintContext::in_scope`].
#[derive(Clone, Debug)]
pub struct Coverage {
    /// Every unit's range, in document order.
    units: Vec<std::ops::Range<usize>>,
    /// Whether the context holds each unit's nodes.
    covered: Vec<bool>,
    /// Whether it holds the skeleton's.
    skeleton: bool,
}

/// Everything a rule needs to check one file.
pub struct LintContext<'a> {
    /// The text.
    pub source: &'a str,
    /// The same text as a rope, for line lookups.
    pub rope: &'a Rope,
    /// Its tree-sitter tree.
    pub tree: &'a Tree,
    /// Path facts.
    pub file: &'a FileInfo,
    /// The project's configuration.
    pub config: &'a Config,
    /// Filled on first use by [`LintContext::nodes`].
    pub index: OnceCell<NodeIndex<'a>>,
    /// Filled on first use by [`LintContext::modules`] (shared with the contexts a re-lint
    /// derives from this one).
    pub models: OnceCell<Arc<Vec<ModuleModel<'a>>>>,
    /// Filled on first use by [`LintContext::flow`].
    pub taint: OnceCell<FileFlow<'a>>,
    /// Filled on first use by [`LintContext::names`].
    pub module_names: OnceCell<Arc<ModuleNames>>,
    /// Filled on first use by [`LintContext::module_facts`].
    pub own_facts: OnceCell<Vec<crate::project::ModuleFacts>>,
    /// What the rest of the project defines ([`ProjectIndex::empty`] when linted alone).
    pub project: &'a ProjectIndex,
    /// Filled on first use by [`LintContext::segments`].
    pub segs: OnceCell<Segments<'a>>,
    /// For a re-lint that checks some units only: which ones (see [`LintContext::in_scope`]).
    pub coverage: Option<Coverage>,
    /// Filled on first use by [`LintContext::scanner_problems`], or beforehand by an
    /// incremental re-lint that knows the scanner would find nothing.
    pub scanned: OnceCell<Vec<crate::syntax::scanner::Problem>>,
    /// Filled on first use by [`LintContext::remote_calls`].
    pub remotes: OnceCell<Vec<Option<(&'a str, &'a str)>>>,
    /// Filled on first use by [`crate::lint::migration::analyze_all`]: the sixteen migration
    /// rules and the project facts read one analysis.
    pub migration: OnceCell<Option<crate::lint::migration::Migration<'a>>>,
}

impl<'a> LintContext<'a> {
    /// A context for one file.
    pub fn new(
        source: &'a str,
        rope: &'a Rope,
        tree: &'a Tree,
        file: &'a FileInfo,
        config: &'a Config,
    ) -> Self {
        LintContext {
            source,
            rope,
            tree,
            file,
            config,
            index: OnceCell::new(),
            models: OnceCell::new(),
            taint: OnceCell::new(),
            module_names: OnceCell::new(),
            own_facts: OnceCell::new(),
            project: ProjectIndex::empty(),
            segs: OnceCell::new(),
            coverage: None,
            scanned: OnceCell::new(),
            remotes: OnceCell::new(),
            migration: OnceCell::new(),
        }
    }

    /// The same file seen through the nodes of `units` only (an incremental re-lint after an
    /// edit inside them): [`LintContext::nodes`] holds what lies in those units, while the
    /// module models, names and facts stay the whole file's.
    pub fn for_units(&self, units: &[Unit<'a>]) -> LintContext<'a> {
        let mut index = NodeIndex::default();
        for unit in units {
            crate::lint::segments::walk_unit(unit, &mut |node| {
                index.add(node);
                true
            });
        }
        let all = &self.segments().units;
        let ctx = LintContext {
            project: self.project,
            coverage: Some(Coverage {
                units: all.iter().map(|u| u.range.clone()).collect(),
                covered: all
                    .iter()
                    .map(|u| units.iter().any(|v| v.range == u.range))
                    .collect(),
                skeleton: false,
            }),
            ..LintContext::new(self.source, self.rope, self.tree, self.file, self.config)
        };
        let _ = ctx.index.set(index);
        let _ = ctx.models.set(self.shared_modules());
        let _ = ctx.module_names.set(self.shared_names());
        if let Some(facts) = self.own_facts.get() {
            let _ = ctx.own_facts.set(facts.clone());
        }
        ctx
    }

    /// The same file seen through the skeleton (everything outside the units) and the units
    /// marked in `covered` (one flag per unit of [`LintContext::segments`]): a re-lint whose
    /// rules need only those. [`LintContext::nodes`] holds their nodes, the module models,
    /// names and facts stay the whole file's, and [`LintContext::in_scope`] tells rules that
    /// walk the module models which functions to skip.
    pub fn restricted(&self, covered: &[bool], walked: &UnitNodes<'a>) -> LintContext<'a> {
        let segs = self.segments();
        let mut units = NodeIndex::default();
        for (i, _) in covered.iter().enumerate().filter(|(_, c)| **c) {
            let nodes = walked.of(i, &segs.units[i]);
            units.calls.extend_from_slice(&nodes.calls);
            units.comments.extend_from_slice(&nodes.comments);
            units
                .binary_operators
                .extend_from_slice(&nodes.binary_operators);
            units.pairs.extend_from_slice(&nodes.pairs);
            units
                .anonymous_functions
                .extend_from_slice(&nodes.anonymous_functions);
            units.numbers.extend_from_slice(&nodes.numbers);
        }
        let ctx = LintContext {
            project: self.project,
            coverage: Some(Coverage {
                units: segs.units.iter().map(|u| u.range.clone()).collect(),
                covered: covered.to_vec(),
                skeleton: true,
            }),
            ..LintContext::new(self.source, self.rope, self.tree, self.file, self.config)
        };
        let _ = ctx.index.set(segs.skeleton.merged(&units));
        let _ = ctx.models.set(self.shared_modules());
        let _ = ctx.module_names.set(self.shared_names());
        if let Some(facts) = self.own_facts.get() {
            let _ = ctx.own_facts.set(facts.clone());
        }
        if let Some(problems) = self.scanned.get() {
            let _ = ctx.scanned.set(problems.clone());
        }
        ctx
    }

    /// Whether a rule should look at what starts at `byte`: always in a whole-file context;
    /// in a [`LintContext::restricted`] one, only in the skeleton and the covered units, in a
    /// [`LintContext::for_units`] one only in its units (elsewhere the findings are the
    /// previous lint's).
    pub fn in_scope(&self, byte: usize) -> bool {
        let Some(c) = &self.coverage else {
            return true;
        };
        let i = c.units.partition_point(|u| u.start <= byte);
        match i.checked_sub(1) {
            Some(u) if c.units[u].contains(&byte) => c.covered[u],
            _ => c.skeleton,
        }
    }

    /// The stretches of the file [`LintContext::in_scope`] accepts, in order: the whole file,
    /// or for a re-lint's context its units (whole lines) and, if it holds them, the gaps.
    pub fn scope_ranges(&self) -> Vec<std::ops::Range<usize>> {
        let Some(c) = &self.coverage else {
            let whole = 0..self.source.len();
            return std::iter::once(whole).collect();
        };
        let mut out: Vec<std::ops::Range<usize>> = Vec::new();
        let mut push = |r: std::ops::Range<usize>| match out.last_mut() {
            Some(last) if last.end == r.start => last.end = r.end,
            _ if r.is_empty() => {}
            _ => out.push(r),
        };
        let mut at = 0;
        for (unit, covered) in c.units.iter().zip(&c.covered) {
            if c.skeleton {
                push(at..unit.start);
            }
            if *covered {
                push(unit.clone());
            }
            at = unit.end;
        }
        if c.skeleton {
            push(at..self.source.len());
        }
        out
    }

    /// What the syntax scanner finds in the file (unclosed delimiters, unterminated strings,
    /// missing commas), computed once.
    pub fn scanner_problems(&self) -> &[crate::syntax::scanner::Problem] {
        self.scanned
            .get_or_init(|| crate::syntax::scanner::problems(self.source))
    }

    /// The file cut into function clauses and the stretches between them, computed once.
    pub fn segments(&self) -> &Segments<'a> {
        self.segs
            .get_or_init(|| crate::lint::segments::segments(self.tree, self.source))
    }

    /// The same context answering cross-file questions from `project`.
    pub fn with_project(mut self, project: &'a ProjectIndex) -> Self {
        self.project = project;
        self
    }

    /// The modules of the file with their functions and attributes, built once and shared by
    /// every rule.
    pub fn modules(&self) -> &[ModuleModel<'a>] {
        self.models
            // Module definitions never lie inside a unit, so the calls outside the units (a walk
            // of the skeleton only) are enough: no walk of every function body.
            .get_or_init(|| {
                Arc::new(module_models_from_calls(
                    &self.segments().outer_calls,
                    self.source,
                ))
            })
    }

    /// The full names of the file's modules and the aliases in effect in each (indexes as in
    /// [`LintContext::modules`]).
    pub fn names(&self) -> &ModuleNames {
        self.module_names
            .get_or_init(|| Arc::new(ModuleNames::of(self.modules(), self.source)))
    }

    pub(crate) fn shared_names(&self) -> Arc<ModuleNames> {
        self.names();
        self.module_names.get().cloned().unwrap_or_default()
    }

    pub(crate) fn shared_modules(&self) -> Arc<Vec<ModuleModel<'a>>> {
        self.modules();
        self.models.get().cloned().unwrap_or_default()
    }

    /// The project facts of the file's own modules (as the index records them), built once
    /// per lint and shared by the rules that compare them with the index and by the index
    /// update itself.
    pub fn module_facts(&self) -> &[crate::project::ModuleFacts] {
        self.own_facts
            .get_or_init(|| crate::project::facts::modules_of(self))
    }

    /// The request-input data flow of every function, computed once (per function) and shared
    /// by the rules that follow params into sinks.
    pub fn flow(&self) -> &FileFlow<'a> {
        self.taint
            .get_or_init(|| analyze_file(self.modules(), &self.nodes().calls, self.source))
    }

    /// The calls, comments, operators, keyword pairs, anonymous functions and numbers of the file,
    /// collected in one walk and shared by every rule.
    pub fn nodes(&self) -> &NodeIndex<'a> {
        // The module models need the skeleton walked anyway (`segments`), which files its
        // nodes: only the units remain to walk.
        self.index.get_or_init(|| {
            let segs = self.segments();
            let mut units = NodeIndex::default();
            for unit in &segs.units {
                crate::lint::segments::walk_unit(unit, &mut |node| {
                    units.add(node);
                    true
                });
            }
            segs.skeleton.merged(&units)
        })
    }

    /// [`crate::syntax::elixir::remote_call`] of each of [`LintContext::nodes`]' calls, in the
    /// same order, computed once: a dozen rules ask it of every call, and each answer costs
    /// three field lookups in the tree (measured, a twentieth of a check's instructions).
    pub fn remote_calls(&self) -> &[Option<(&'a str, &'a str)>] {
        self.remotes.get_or_init(|| {
            self.nodes()
                .calls
                .iter()
                .map(|call| crate::syntax::elixir::remote_call(*call, self.source))
                .collect()
        })
    }

    /// Each of [`LintContext::nodes`]' calls with its
    /// [`crate::syntax::elixir::remote_call`] (see [`LintContext::remote_calls`]).
    pub fn calls_with_remote(
        &self,
    ) -> impl Iterator<Item = (Node<'a>, Option<(&'a str, &'a str)>)> + '_ {
        self.nodes()
            .calls
            .iter()
            .copied()
            .zip(self.remote_calls().iter().copied())
    }

    /// Zero-based line of a byte offset.
    pub fn line_of(&self, byte: usize) -> usize {
        self.rope.byte_to_line(byte.min(self.rope.len_bytes()))
    }

    /// An integer option of a rule, or `default`.
    pub fn option_int(&self, code: &str, option: &str, default: i64) -> i64 {
        self.config.rule_int(code, option).unwrap_or(default)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Document;

    /// Every node of the tree, filed in one walk: what [`LintContext::nodes`] must equal.
    fn walked<'a>(tree: &'a Tree) -> NodeIndex<'a> {
        let mut index = NodeIndex::default();
        crate::syntax::elixir::walk(tree.root_node(), &mut |node| {
            index.add(node);
            true
        });
        index
    }

    fn ids(nodes: &[Node<'_>]) -> Vec<usize> {
        nodes.iter().map(|n| n.id()).collect()
    }

    #[test]
    fn the_node_index_from_the_skeleton_and_the_units_equals_one_walk() {
        let mut texts: Vec<String> = crate::lint::registry::RULES
            .iter()
            .flat_map(|r| [r.meta.docs.bad, r.meta.docs.good])
            .map(|e| format!("defmodule M do\n{e}\nend\n"))
            .collect();
        texts.push(
            "defmodule A do\n  @doc \"x #{y(1)}\"\n  def a(x) do\n    x + 1 # one\n  end # done\n\n  defp b, do: %{a: 1}\n  def c, do: 1; def d, do: fn -> 2 end\n  def a(y), do: y\n  def e(x) do\n    x |> f(\n  end\nend\n"
                .to_string(),
        );
        let config = crate::config::Config::default();
        let file = FileInfo::new("lib/x.ex");
        for text in &texts {
            let doc = Document::new(text, 0);
            let ctx = LintContext::new(text, doc.rope(), doc.tree(), &file, &config);
            let (got, want) = (ctx.nodes(), walked(doc.tree()));
            assert_eq!(ids(&got.calls), ids(&want.calls), "{text}");
            assert_eq!(ids(&got.comments), ids(&want.comments), "{text}");
            assert_eq!(
                ids(&got.binary_operators),
                ids(&want.binary_operators),
                "{text}"
            );
            assert_eq!(ids(&got.pairs), ids(&want.pairs), "{text}");
            assert_eq!(
                ids(&got.anonymous_functions),
                ids(&want.anonymous_functions)
            );
            assert_eq!(ids(&got.numbers), ids(&want.numbers), "{text}");
        }
    }
}
