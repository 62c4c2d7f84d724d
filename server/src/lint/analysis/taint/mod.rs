//! Request-input data flow: "does this expression carry request input?", answered once per
//! function for every rule that says "fed from params" (sql-injection, path-traversal,
//! open-redirect, command-injection, code-eval, unsafe-atom, mass-assignment, xss-send-resp,
//! raw-html).
//!
//! The analysis walks each function body once, in evaluation order, with an environment from
//! variable names to [`Taint`]s:
//! - **Sources** ([`sources`]): a controller action's params argument (destructured too:
//!   `%{"id" => id}` binds `id` to `params["id"]`), LiveView `handle_event/3`,
//!   `handle_params/3` and `mount/3` params, `conn.params` / `query_params` / `body_params` /
//!   `path_params`, request headers and cookies.
//! - **Propagation** ([`eval`]): `=` and pattern matches, pipes, interpolation and `<>`, access
//!   (`params["x"]`, `params[:x]`), `Map`/`Keyword`/`Enum`/`String`/`List` transforms,
//!   `case`/`with`/`for`/`if` bindings, and into private functions of the same module by
//!   argument position, one level deep (a private function is summarised by which of its
//!   parameters reach which sinks).
//! - **Sanitisers** end a flow: `String.to_integer`, `Integer.parse`, `Ecto.UUID.cast`,
//!   predicates and counts, membership checks against a literal list (`x in ["a", "b"]`,
//!   `x in @allowed`, in `if`, `cond` and guards); `Path.basename` ends it for file paths only.
//! - **Sinks** ([`sinks`]): every call a rule cares about records a [`SinkHit`] with the flows
//!   that reach its argument.
//!
//! Flows also start at the parameters of the function itself ([`Root::Param`]), so rules can
//! judge code whose callers live in other files (an argument interpolated into a SQL value), and
//! private functions can be summarised for their callers.
//!
//! Every function is analysed on its own ([`analyze_function`]), from its text and the summaries
//! of the private functions it calls: the unit of caching across edits.

mod calls;
mod control;
mod eval;
mod patterns;
pub mod sinks;
pub mod sources;
mod values;

use std::collections::HashMap;

use crate::syntax::Node;

use crate::syntax::module_model::{Function, ModuleModel};

pub use sinks::SinkKind;
pub use values::is_constant;

/// Where a tainted value comes from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Root {
    /// Request input, named by the expression that read it (`params["sort"]`,
    /// `conn.query_params`), at a byte offset.
    Request {
        /// The source expression as written (or as destructured: `params["id"]`).
        source: String,
        /// Where it was read.
        at: usize,
    },
    /// A parameter of the analysed function (callers decide what it carries).
    Param {
        /// Zero-based position.
        index: usize,
        /// The variable name, or the pattern's text.
        name: String,
    },
    /// Every field of a schema (`__schema__(:fields)`), as a `cast/3` permitted list.
    AllFields {
        /// The expression as written.
        source: String,
    },
}

/// One way tainted data reached a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flow {
    /// Where it started.
    pub root: Root,
    /// Variables it passed through, in order, with the byte offset of each binding.
    pub via: Vec<(String, usize)>,
    /// Whether it was interpolated into or concatenated onto a string on the way.
    pub built: bool,
    /// Whether it was interpolated inside a quoted SQL string literal (`'%#{term}%'`), where
    /// one `'` in it ends the literal.
    pub quoted: bool,
    /// Whether a field or key was read from it (`post.body`, `attrs["bio"]`): data held in a
    /// record rather than the argument as a whole.
    pub field: bool,
    /// Whether `Path.basename/1` stripped its directories.
    pub basename: bool,
    /// Whether it was appended after a literal URL origin (`"https://host/" <> x`), so it cannot
    /// choose where a redirect goes.
    pub after_origin: bool,
}

impl Flow {
    /// A flow starting at `root`.
    pub fn new(root: Root) -> Self {
        Flow {
            root,
            via: Vec::new(),
            built: false,
            quoted: false,
            field: false,
            basename: false,
            after_origin: false,
        }
    }

    /// Whether it starts at request input.
    pub fn is_request(&self) -> bool {
        matches!(self.root, Root::Request { .. })
    }

    /// Whether it starts at a parameter of the function.
    pub fn param(&self) -> Option<(usize, &str)> {
        match &self.root {
            Root::Param { index, name } => Some((*index, name)),
            _ => None,
        }
    }

    /// `params["sort"]` reaches … : the source as a reader sees it.
    pub fn describe_source(&self) -> String {
        match &self.root {
            Root::Request { source, .. } | Root::AllFields { source } => format!("`{source}`"),
            Root::Param { name, .. } => format!("argument `{name}`"),
        }
    }

    /// ` through `q` (line 4), `sql` (line 5)`, or empty when it went straight to the sink.
    pub fn describe_path(&self, line_of: impl Fn(usize) -> usize) -> String {
        if self.via.is_empty() {
            return String::new();
        }
        let steps: Vec<String> = self
            .via
            .iter()
            .map(|(name, at)| format!("`{name}` (line {})", line_of(*at) + 1))
            .collect();
        format!(" through {}", steps.join(", "))
    }
}

/// What a value may carry: the flows that reach it (empty when clean).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Taint {
    /// The flows, at most one per root.
    pub flows: Vec<Flow>,
}

impl Taint {
    /// A clean value.
    pub fn clean() -> Self {
        Taint::default()
    }

    /// A value carrying one flow.
    pub fn from_root(root: Root) -> Self {
        Taint {
            flows: vec![Flow::new(root)],
        }
    }

    /// Whether nothing reaches it.
    pub fn is_clean(&self) -> bool {
        self.flows.is_empty()
    }

    /// Adds the flows of `other` (keeping the first flow per root).
    pub fn merge(&mut self, other: Taint) {
        for flow in other.flows {
            if !self.flows.iter().any(|f| f.root == flow.root) {
                self.flows.push(flow);
            }
        }
    }

    /// The union of two values.
    pub fn union(mut self, other: Taint) -> Taint {
        self.merge(other);
        self
    }

    /// The same flows, each changed by `f`.
    pub fn map(mut self, f: impl Fn(&mut Flow)) -> Taint {
        self.flows.iter_mut().for_each(f);
        self
    }

    /// The flows from request input.
    pub fn request(&self) -> impl Iterator<Item = &Flow> {
        self.flows.iter().filter(|f| f.is_request())
    }
}

/// A sink reached by a tainted value.
#[derive(Clone, Debug)]
pub struct SinkHit<'t> {
    /// What kind of sink.
    pub kind: SinkKind,
    /// The call to report: the sink itself, or the call of the private function that reaches it.
    pub call: Node<'t>,
    /// The argument that carries the flows.
    pub arg: Node<'t>,
    /// The sink as `Repo.query!/2`.
    pub callee: String,
    /// The flows reaching the argument.
    pub taint: Taint,
    /// When reached through a private function: its `name/arity` and the sink's byte offset.
    pub through: Option<(String, usize)>,
    /// The function holding `call`, as `name/arity`.
    pub function: String,
    /// Whether that function is public (its parameters come from unknown callers).
    pub public: bool,
    /// Whether the enclosing function sets an HTML content type (for `send_resp`).
    pub html_response: bool,
}

impl SinkHit<'_> {
    /// `Repo.query!/2`, or `Repo.query!/2` in `run/1` (line 40) when reached through a private
    /// function.
    pub fn describe_sink(&self, line_of: impl Fn(usize) -> usize) -> String {
        match &self.through {
            None => format!("`{}`", self.callee),
            Some((function, at)) => format!(
                "`{}` in `{function}` (line {})",
                self.callee,
                line_of(*at) + 1
            ),
        }
    }
}

impl SinkHit<'_> {
    /// "`params["sort"]` reaches `Repo.query!/2` through `sql` (line 12)".
    pub fn reach(&self, flow: &Flow, line_of: impl Fn(usize) -> usize) -> String {
        format!(
            "{} reaches {}{}",
            flow.describe_source(),
            self.describe_sink(&line_of),
            flow.describe_path(&line_of)
        )
    }

    /// The first flow from request input that `keep` accepts.
    pub fn request_flow(&self, keep: impl Fn(&Flow) -> bool) -> Option<&Flow> {
        self.taint.request().find(|f| keep(f))
    }
}

/// The data flow of one file: every sink reached by a flow, per function, in document order.
#[derive(Debug, Default)]
pub struct FileFlow<'t> {
    /// The hits.
    pub hits: Vec<SinkHit<'t>>,
}

impl<'t> FileFlow<'t> {
    /// The hits of one kind.
    pub fn of(&self, kind: SinkKind) -> impl Iterator<Item = &SinkHit<'t>> {
        self.hits.iter().filter(move |h| h.kind == kind)
    }
}

/// What a private function does with its parameters, for its callers in the same module.
#[derive(Clone, Debug, Default)]
pub struct Summary<'t> {
    /// Sinks reached by each parameter: (parameter index, the hit inside the function).
    pub sinks: Vec<(usize, SinkHit<'t>)>,
    /// Parameters whose data the function returns.
    pub returns: Vec<usize>,
}

/// Summaries of a module's private functions, by `(name, arity)`.
pub type Summaries<'t> = HashMap<(&'t str, usize), Summary<'t>>;

/// Analyses every function of every module that can reach a sink: private functions first
/// (their summaries feed their callers), then the rest. `calls` is every call node of the file
/// in document order (the shared node index): a function is analysed only when a call in it
/// names a sink, or a private function whose parameters reach one, or it builds an atom by
/// interpolation. Most functions do neither, and cost one scan of their calls.
pub fn analyze_file<'t>(
    models: &[ModuleModel<'t>],
    calls: &[Node<'t>],
    src: &'t str,
) -> FileFlow<'t> {
    let mut hits = Vec::new();
    for module in models {
        let context = sources::ModuleContext::of(module, src);
        let no_summaries = Summaries::new();
        let mut summaries = Summaries::new();
        for function in module.functions.iter().filter(|f| !f.kind.is_public()) {
            if !reaches_sink(function, calls, &summaries, src) {
                continue;
            }
            let result = analyze_function(&context, function, &no_summaries, src);
            if !result.summary.sinks.is_empty() {
                summaries.insert((function.name, function.arity), result.summary);
            }
            hits.extend(result.hits);
        }
        for function in module.functions.iter().filter(|f| f.kind.is_public()) {
            if reaches_sink(function, calls, &summaries, src) {
                hits.extend(analyze_function(&context, function, &summaries, src).hits);
            }
        }
    }
    hits.sort_by_key(|h| (h.call.start_byte(), h.arg.start_byte()));
    FileFlow { hits }
}

/// Whether a clause of `function` calls a sink, a summarised private function, or interpolates
/// into an atom.
pub(crate) fn reaches_sink(
    function: &Function<'_>,
    calls: &[Node<'_>],
    summaries: &Summaries<'_>,
    src: &str,
) -> bool {
    function.clauses.iter().any(|clause| {
        let Some(body) = clause.body else {
            return false;
        };
        let range = body.byte_range();
        if src
            .get(range.clone())
            .is_some_and(|t| t.contains(":\"") && t.contains("#{"))
        {
            return true;
        }
        let start = calls.partition_point(|c| c.start_byte() < range.start);
        calls[start..]
            .iter()
            .take_while(|c| c.start_byte() < range.end)
            .any(|call| {
                if let Some((module, name)) = crate::syntax::elixir::remote_call(*call, src) {
                    return sinks::is_remote_sink(module, name);
                }
                let Some(name) = crate::syntax::elixir::local_call_name(*call, src) else {
                    return false;
                };
                sinks::is_local_sink(name) || summaries.keys().any(|(n, _)| *n == name)
            })
    })
}

/// The result of analysing one function.
#[derive(Debug, Default)]
pub struct FunctionFlow<'t> {
    /// Sinks reached, in evaluation order.
    pub hits: Vec<SinkHit<'t>>,
    /// What its parameters reach, for callers (meaningful for private functions).
    pub summary: Summary<'t>,
}

/// Analyses one function (all its clauses), given the summaries of the private functions it may
/// call.
pub fn analyze_function<'t>(
    module: &sources::ModuleContext,
    function: &Function<'t>,
    summaries: &Summaries<'t>,
    src: &'t str,
) -> FunctionFlow<'t> {
    let mut out = FunctionFlow::default();
    let label = function.label();
    let public = function.kind.is_public();
    for clause in &function.clauses {
        let Some(body) = clause.body else { continue };
        let mut walker = eval::Walker::new(src, summaries, &label, public, body);
        let mut env = sources::bind_params(module, function, clause, src, &mut walker);
        if let Some(guard) = clause.guard {
            walker.refine(guard, &mut env);
        }
        let result = walker.eval_in(body, env);
        for flow in &result.flows {
            if let Some((index, _)) = flow.param()
                && !out.summary.returns.contains(&index)
            {
                out.summary.returns.push(index);
            }
        }
        for hit in walker.into_hits() {
            for flow in &hit.taint.flows {
                if let Some((index, _)) = flow.param() {
                    let mut inner = hit.clone();
                    inner.taint = Taint {
                        flows: vec![flow.clone()],
                    };
                    out.summary.sinks.push((index, inner));
                }
            }
            out.hits.push(hit);
        }
    }
    out
}

#[cfg(test)]
mod tests;
