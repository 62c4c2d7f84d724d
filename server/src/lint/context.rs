//! What a rule sees of the file it checks.

use std::cell::OnceCell;

use ropey::Rope;
use tree_sitter::{Node, Tree};

use super::analysis::taint::{FileFlow, analyze_file};
use crate::config::Config;
use crate::lint::segments::{Segments, Unit};
use crate::project::ProjectIndex;
use crate::project::aliases::ModuleNames;
use crate::syntax::FastKind as _;
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
#[derive(Default)]
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
    /// Files a node under its kind's list, if it has one.
    fn add(&mut self, node: Node<'a>) {
        match node.kind_str() {
            "call" => self.calls.push(node),
            "comment" => self.comments.push(node),
            "binary_operator" => self.binary_operators.push(node),
            "pair" => self.pairs.push(node),
            "anonymous_function" => self.anonymous_functions.push(node),
            "integer" | "float" => self.numbers.push(node),
            _ => {}
        }
    }
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
    /// Filled on first use by [`LintContext::modules`].
    pub models: OnceCell<Vec<ModuleModel<'a>>>,
    /// Filled on first use by [`LintContext::flow`].
    pub taint: OnceCell<FileFlow<'a>>,
    /// Filled on first use by [`LintContext::names`].
    pub module_names: OnceCell<ModuleNames>,
    /// Filled on first use by [`LintContext::module_facts`].
    pub own_facts: OnceCell<Vec<crate::project::ModuleFacts>>,
    /// What the rest of the project defines ([`ProjectIndex::empty`] when linted alone).
    pub project: &'a ProjectIndex,
    /// Filled on first use by [`LintContext::segments`].
    pub segs: OnceCell<Segments<'a>>,
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
        let ctx = LintContext {
            project: self.project,
            ..LintContext::new(self.source, self.rope, self.tree, self.file, self.config)
        };
        let _ = ctx.index.set(index);
        let _ = ctx.models.set(self.modules().to_vec());
        let _ = ctx.module_names.set(self.names().clone());
        if let Some(facts) = self.own_facts.get() {
            let _ = ctx.own_facts.set(facts.clone());
        }
        ctx
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
            .get_or_init(|| module_models_from_calls(&self.segments().outer_calls, self.source))
    }

    /// The full names of the file's modules and the aliases in effect in each (indexes as in
    /// [`LintContext::modules`]).
    pub fn names(&self) -> &ModuleNames {
        self.module_names
            .get_or_init(|| ModuleNames::of(self.modules(), self.source))
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
        self.index.get_or_init(|| {
            let mut index = NodeIndex::default();
            crate::syntax::elixir::walk(self.tree.root_node(), &mut |node| {
                index.add(node);
                true
            });
            index
        })
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
