//! Per-function summaries: what the findings of the [`Scope::Callers`] and [`Scope::Mentions`]
//! rules in one function can read of another, so that the incremental re-lint re-checks a
//! function's callers only when what they read of it changed.
//!
//! The rules are grouped as the re-lint runs them: the `Callers` rules, then one group per
//! distinct list of mention strings ([`reach::groups`]). Each group has a [`Kind`] saying how
//! its findings in one function depend on the rest of the file, read off its rules:
//! - [`Kind::Spec`] (missing-spec): a caller's inferred spec reads the return types its
//!   callees' inference gives, up to three calls deep ([`crate::types::infer::callee_view`]).
//! - [`Kind::Taint`] (the request-input rules): a caller reads the summaries of the private
//!   functions it calls (which parameters reach which sinks, which are returned), computed
//!   from their own text only.
//! - [`Kind::Repo`] (query-in-loop): a caller reads which Repo read a small helper wraps.
//! - [`Kind::Changeset`] (unvalidated-changeset): a module-wide fixpoint over each function's
//!   facts (validates, calls, casts): any change to those re-checks the reach within that
//!   module (the whole file's when a fact every module reads changed: the file naming
//!   `Ecto.Changeset`).
//! - [`Kind::Processes`] (unsupervised-process): every finding of a module reads one
//!   module-wide fact, whether any of its functions awaits a task or receives; a unit's own
//!   findings are its process starts. Unchanged facts re-check only edited units that start
//!   processes, with the units that await; changed ones the module's reach.
//! - [`Kind::Opaque`]: a group this module does not know; the whole reach after every edit.
//!
//! Summaries are relative to their function (lines counted from its first line): an edit that
//! moves functions up or down re-checks, in groups whose messages name lines, the functions
//! holding findings.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::LazyLock;

use super::analysis::taint::{self, Summaries, sources::ModuleContext};
use super::rules::l5_secure::unvalidated_changeset;
use super::segments::{Segments, Unit};
use super::{LintContext, Scope, reach, registry};
use crate::syntax::module_model::Function;

/// How a group's findings in one function depend on other functions (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Spec inference through callees.
    Spec,
    /// Request-input flow through private functions.
    Taint,
    /// Repo reads through helpers.
    Repo,
    /// A module-wide fixpoint over per-function facts.
    Changeset,
    /// Process starts, against a module-wide "awaits" fact.
    Processes,
    /// Unknown: the whole reach, always.
    Opaque,
}

/// One group of rules the re-lint runs together.
#[derive(Debug)]
pub struct Group {
    /// The scope its rules share.
    pub scope: Scope,
    /// How its findings depend on other functions.
    pub kind: Kind,
    /// Whether its messages may name lines (of the function or of a callee): then functions
    /// holding findings are re-checked when an edit moves lines.
    pub names_lines: bool,
    /// Its index in [`reach::groups`], for a `Mentions` group.
    pub mentions: Option<usize>,
}

/// The groups: the [`Scope::Callers`] rules first (index 0), then the [`Scope::Mentions`]
/// groups in [`reach::groups`] order (index `1 + g`).
pub fn groups() -> &'static [Group] {
    static GROUPS: LazyLock<Vec<Group>> = LazyLock::new(|| {
        let codes = |scope: Scope| -> Vec<&'static str> {
            registry::RULES
                .iter()
                .filter(|r| r.meta.scope == scope)
                .map(|r| r.meta.code)
                .collect()
        };
        let kind_of = |codes: &[&str]| {
            let all_in = |set: &[&str]| !codes.is_empty() && codes.iter().all(|c| set.contains(c));
            if all_in(&["missing-spec"]) {
                Kind::Spec
            } else if all_in(TAINT_RULES) {
                Kind::Taint
            } else if all_in(&["query-in-loop"]) {
                Kind::Repo
            } else if all_in(&["unvalidated-changeset"]) {
                Kind::Changeset
            } else if all_in(&["unsupervised-process"]) {
                Kind::Processes
            } else {
                Kind::Opaque
            }
        };
        let mut out = vec![Group {
            scope: Scope::Callers,
            kind: kind_of(&codes(Scope::Callers)),
            names_lines: true,
            mentions: None,
        }];
        for (g, group) in reach::groups().iter().enumerate() {
            let scope = Scope::Mentions(group.strings);
            let kind = kind_of(&codes(scope));
            out.push(Group {
                scope,
                kind,
                // Read off the messages: only the request-input rules name lines (of the
                // flow's steps and of a sink in a callee); unknown rules may.
                names_lines: matches!(kind, Kind::Taint | Kind::Opaque),
                mentions: Some(g),
            });
        }
        out
    });
    &GROUPS
}

/// The rules built on [`taint`] summaries of private functions.
const TAINT_RULES: &[&str] = &[
    "sql-injection",
    "unsafe-atom",
    "code-eval",
    "path-traversal",
    "mass-assignment",
    "raw-html",
    "open-redirect",
    "xss-send-resp",
    "command-injection",
];

/// The index in [`groups`] of a rule's group, if it has one.
pub fn group_of(scope: Scope) -> Option<usize> {
    match scope {
        Scope::Callers => Some(0),
        Scope::Mentions(strings) => reach::group_of(strings).map(|g| g + 1),
        _ => None,
    }
}

/// What one group's findings elsewhere may read of one unit.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Export {
    /// A hash of what other functions' findings read of it.
    pub visible: u64,
    /// For [`Kind::Changeset`]: a hash of what its own findings read of it besides.
    pub own: u64,
    /// Whether other functions read anything of it (a summarised private function, a Repo
    /// helper): such a unit must be in the context that re-checks its callers.
    pub provides: bool,
    /// For [`Kind::Changeset`] and [`Kind::Processes`]: whether it may hold findings at all
    /// (it casts; it starts a process).
    pub may_find: bool,
    /// For [`Kind::Spec`]: the word hashes of the functions a caller's inference enters
    /// through it.
    pub enters: Vec<u64>,
    /// For [`Kind::Changeset`] and [`Kind::Processes`], whose findings read facts of their own
    /// module only: a hash of what the file's other modules read of it besides.
    pub shared: u64,
    /// Whether it was computed (else it counts as changed).
    pub known: bool,
}

impl Export {
    /// Whether what others read of a unit may differ between `self` and `other`.
    pub fn differs(&self, other: &Export) -> bool {
        !self.known || !other.known || self.visible != other.visible
    }

    /// Whether what the file's other modules read of a unit may differ between `self` and
    /// `other` (for the kinds whose findings read their own module's facts; see
    /// [`Export::shared`]).
    pub fn differs_outside_its_module(&self, other: &Export) -> bool {
        !self.known || !other.known || self.shared != other.shared
    }
}

/// The exports of the units `wanted` (indexes into the context's units), per group: what
/// [`groups`] say others read of them. `ctx` must hold the nodes of those units. `named(i)`
/// says whether another function names unit `i`: the spec view of one nobody names is not
/// computed (it would be read by no one; the next edit then counts it as changed).
///
/// `segs` is the file's segments (a context derived for a re-lint would cut the file again).
pub fn exports<'t>(
    ctx: &LintContext<'t>,
    segs: &Segments<'t>,
    wanted: &[usize],
    named: &dyn Fn(usize) -> bool,
) -> Vec<Vec<Export>> {
    let at: HashMap<usize, usize> = wanted.iter().enumerate().map(|(k, i)| (*i, k)).collect();
    // Each wanted unit's functions, with their module.
    let mut functions: Vec<Vec<(usize, usize)>> = vec![Vec::new(); wanted.len()];
    for (m, module) in ctx.modules().iter().enumerate() {
        for (f, function) in module.functions.iter().enumerate() {
            let start = function.first().node.start_byte();
            let i = segs.units.partition_point(|u| u.range.start <= start);
            if let Some(u) = i.checked_sub(1)
                && segs.units[u].range.contains(&start)
                && let Some(k) = at.get(&u)
            {
                functions[*k].push((m, f));
            }
        }
    }
    let mut prepared = HashMap::new();
    wanted
        .iter()
        .zip(&functions)
        .map(|(i, fns)| {
            let unit = &segs.units[*i];
            groups()
                .iter()
                .map(|g| match g.kind {
                    Kind::Spec if !named(*i) => Export::default(),
                    kind => Export {
                        known: true,
                        ..export(ctx, unit, fns, kind, &mut prepared)
                    },
                })
                .collect()
        })
        .collect()
}

/// What [`unvalidated_changeset::unit_summary`] reads of each module, by module index.
type Prepared<'t> = HashMap<usize, unvalidated_changeset::Prepared<'t>>;

fn export<'t>(
    ctx: &LintContext<'t>,
    unit: &Unit<'t>,
    fns: &[(usize, usize)],
    kind: Kind,
    prepared: &mut Prepared<'t>,
) -> Export {
    let modules = ctx.modules();
    let src = ctx.source;
    let mut h = DefaultHasher::new();
    let mut out = Export::default();
    match kind {
        Kind::Spec => {
            let mut enters = Vec::new();
            for (m, f) in fns {
                let (module, function) = (&modules[*m], &modules[*m].functions[*f]);
                (function.name, function.min_arity, function.arity).hash(&mut h);
                for arity in function.min_arity..=function.arity {
                    let (types, entered) =
                        crate::types::infer::callee_view(function.name, arity, module, src);
                    types.hash(&mut h);
                    enters.extend(entered.iter().map(|n| reach::word_hash(n)));
                }
                out.provides = true;
            }
            enters.sort_unstable();
            enters.dedup();
            out.enters = enters;
        }
        Kind::Taint => {
            let base = ctx.line_of(unit.range.start);
            let line = |byte: usize| ctx.line_of(byte).saturating_sub(base);
            let none = Summaries::new();
            for (m, f) in fns {
                let (module, function) = (&modules[*m], &modules[*m].functions[*f]);
                if function.kind.is_public()
                    || !taint::reaches_sink(function, &ctx.nodes().calls, &none, src)
                {
                    continue;
                }
                let context = ModuleContext::of(module, src);
                let summary = taint::analyze_function(&context, function, &none, src).summary;
                if summary.sinks.is_empty() {
                    continue;
                }
                out.provides = true;
                (function.name, function.arity, &summary.returns).hash(&mut h);
                for (index, hit) in &summary.sinks {
                    (index, format!("{:?}", hit.kind), &hit.callee).hash(&mut h);
                    (hit.html_response, line(hit.call.start_byte())).hash(&mut h);
                    for flow in &hit.taint.flows {
                        format!("{:?}", flow.root).hash(&mut h);
                        (flow.built, flow.quoted, flow.field).hash(&mut h);
                        (flow.basename, flow.after_origin).hash(&mut h);
                        for (name, at) in &flow.via {
                            (name, line(*at)).hash(&mut h);
                        }
                    }
                }
            }
        }
        Kind::Repo => {
            for (m, f) in fns {
                let function: &Function<'_> = &modules[*m].functions[*f];
                if let Some(read) =
                    super::rules::l2_static::query_in_loop::helper_read(ctx, function)
                {
                    out.provides = true;
                    (function.name, function.min_arity, function.arity, read).hash(&mut h);
                }
            }
        }
        Kind::Changeset => {
            // The unit's functions by module (a unit lies in one module).
            if let Some((m, _)) = fns.first() {
                let module = &modules[*m];
                let functions: Vec<&Function<'_>> =
                    fns.iter().map(|(_, f)| &module.functions[*f]).collect();
                let prepared = prepared
                    .entry(*m)
                    .or_insert_with(|| unvalidated_changeset::prepare(module, src));
                let (visible, own, may_find, names_ecto) = unvalidated_changeset::unit_summary(
                    ctx,
                    module,
                    prepared,
                    &functions,
                    unit.range.start,
                    &src[unit.range.clone()],
                );
                visible.hash(&mut h);
                out.shared = u64::from(names_ecto);
                out.own = own;
                out.may_find = may_find;
            }
        }
        Kind::Processes => {
            let text = &src[unit.range.clone()];
            let (awaits, starts) = super::rules::l6_observable::unsupervised_process::unit_facts(
                ctx,
                unit.range.clone(),
            );
            // The rule looks at a file only when its text names `spawn` or `Task`: a fact of
            // the file, so of its other modules too.
            let names = (text.contains("spawn"), text.contains("Task"));
            (awaits, names).hash(&mut h);
            out.shared = u64::from(names.0) | u64::from(names.1) << 1;
            out.provides = awaits;
            out.may_find = starts;
        }
        Kind::Opaque => {}
    }
    out.visible = h.finish();
    out
}

/// What [`between_clauses`] gives a unit with nothing between its clauses.
pub fn nothing_between() -> u64 {
    DefaultHasher::new().finish()
}

/// A hash of what a unit holds besides its clauses (attributes and comments between them):
/// module-level facts (`@spec`, `@doc`, attribute values) other functions' findings may read.
pub fn between_clauses(unit: &Unit<'_>, src: &str) -> u64 {
    let mut h = DefaultHasher::new();
    let clauses = super::segments::clauses(unit);
    let mut next = unit.node.next_sibling();
    while let Some(n) = next {
        if n.start_byte() >= unit.range.end {
            break;
        }
        if !clauses.iter().any(|c| c.id() == n.id()) {
            src[n.byte_range()].hash(&mut h);
        }
        next = n.next_sibling();
    }
    h.finish()
}
