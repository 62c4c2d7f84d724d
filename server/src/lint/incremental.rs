//! Re-linting after an edit: only the function clauses whose text changed are checked again by
//! the [`Scope::Function`] rules; their findings elsewhere are reused, moved to where their
//! clause or stretch of skeleton now starts. [`Scope::File`] rules re-check the whole file.
//!
//! The cache is keyed by what a function-scoped finding may depend on besides its own segment:
//! the skeleton's text (everything outside the units), the signatures of the functions (kind,
//! name, arities: what a module's other functions may know of one without reading its body), the
//! file's path facts, the configuration and the project index. When any of those changes, the next lint is a full one. A finding that
//! does not fit in one segment (its range, fixes or related ranges reaching into another)
//! cannot be moved safely, so it makes the next lint a full one too; so does a syntax error
//! outside the functions being re-checked.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::ops::Range;
use std::sync::Arc;

use super::context::UnitNodes;
use super::engine::{finish, run_rule};
use super::segments::Segments;
use super::{FileInfo, Finding, LintContext, LintOutput, Scope, parallel, reach, registry};
use crate::project::ProjectIndex;

/// What one document's previous lint leaves for the next.
#[derive(Default)]
pub struct LintCache {
    key: Option<Key>,
    /// Function-scoped findings in each gap (gap `i` lies before unit `i`; the last one after
    /// the last unit), relative to the gap's start.
    gaps: Vec<Vec<Finding>>,
    /// Each unit's text hash, findings and reach data. Units are matched by position: with
    /// the skeleton and the signatures unchanged (the key), the file has the same units in the
    /// same order, and only their bodies may differ. (Two units with the same text in
    /// different modules may have different findings.)
    units: Vec<UnitCache>,
    /// Whether the syntax scanner found nothing in the last lint's text.
    scanner_clean: bool,
    /// How the last lint went, for tests and benchmarks.
    last: Reuse,
}

/// What the cache keeps of one unit.
#[derive(Clone)]
struct UnitCache {
    hash: u64,
    /// [`Scope::Function`] findings, relative to the unit's start.
    function: Vec<Finding>,
    /// [`Scope::Callers`] findings, relative to the unit's start.
    callers: Vec<Finding>,
    /// Its name and words, for the reach of an edit.
    reach: reach::Node,
}

/// How much of the last lint was reused.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Reuse {
    /// Units in the file.
    pub units: usize,
    /// Units re-checked by the function-scoped rules (all of them in a full lint).
    pub relinted: usize,
    /// Units re-checked by the [`Scope::Callers`] and [`Scope::Mentions`] rules (all of them
    /// in a full lint).
    pub reached: usize,
    /// Whether it was a full lint.
    pub full: bool,
}

impl LintCache {
    /// How the last lint through this cache went.
    pub fn last(&self) -> Reuse {
        self.last
    }
}

struct Key {
    skeleton: u64,
    file: FileInfo,
    config: u64,
    /// Held, not only compared by address: an index kept alive cannot have its address reused.
    project: Arc<ProjectIndex>,
}

impl Key {
    fn of(ctx: &LintContext<'_>, segs: &Segments<'_>, project: &Arc<ProjectIndex>) -> Key {
        let mut h = DefaultHasher::new();
        for gap in gap_ranges(segs, ctx.source.len()) {
            ctx.source[gap].hash(&mut h);
            // Separates gaps, so moving text across a unit changes the key.
            0xffu8.hash(&mut h);
        }
        for unit in &segs.units {
            super::segments::signature(unit, ctx.source).hash(&mut h);
        }
        let mut c = DefaultHasher::new();
        format!("{:?}", ctx.config).hash(&mut c);
        Key {
            skeleton: h.finish(),
            file: ctx.file.clone(),
            config: c.finish(),
            project: project.clone(),
        }
    }

    fn same(&self, other: &Key) -> bool {
        self.skeleton == other.skeleton
            && self.file == other.file
            && self.config == other.config
            && Arc::ptr_eq(&self.project, &other.project)
    }
}

/// The gaps between units: `units.len() + 1` ranges covering the rest of the file.
fn gap_ranges(segs: &Segments<'_>, len: usize) -> Vec<Range<usize>> {
    let mut out = Vec::with_capacity(segs.units.len() + 1);
    let mut at = 0;
    for unit in &segs.units {
        out.push(at..unit.range.start);
        at = unit.range.end;
    }
    out.push(at..len);
    out
}

fn text_hash(text: &str) -> u64 {
    let mut h = DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

/// Lints `ctx` (whose project must be `project`), re-checking only what the edits since the
/// lint that filled `cache` can have changed, and leaves the results in `cache` for the next
/// edit. The findings equal those of [`super::lint`] on the same context.
///
/// [`Scope::Function`] rules re-check the edited units; [`Scope::Callers`] rules those and the
/// units that name them, transitively, plus the skeleton; each group of [`Scope::Mentions`]
/// rules the units mentioning its strings and their callers, plus the skeleton;
/// [`Scope::File`] rules the whole file. The syntax scanner re-reads only the edited units
/// while the text had no syntax problem before.
pub fn lint_incremental(
    ctx: &LintContext<'_>,
    project: &Arc<ProjectIndex>,
    cache: &mut LintCache,
) -> LintOutput {
    let segs = ctx.segments();
    let key = Key::of(ctx, segs, project);
    let reuse =
        cache.key.as_ref().is_some_and(|k| k.same(&key)) && cache.units.len() == segs.units.len();
    let gaps = gap_ranges(segs, ctx.source.len());
    let hashes: Vec<u64> = segs
        .units
        .iter()
        .map(|u| text_hash(&ctx.source[u.range.clone()]))
        .collect();
    let mut clean: Vec<bool> = if reuse {
        hashes
            .iter()
            .zip(&cache.units)
            .map(|(h, cached)| *h == cached.hash)
            .collect()
    } else {
        vec![false; hashes.len()]
    };
    // Error recovery is not local: a function next to broken code may be read differently
    // than on its own. Reuse only holds while every syntax error lies in a function that is
    // re-checked anyway.
    let reuse = reuse && errors_confined(ctx.tree.root_node(), segs, &mut clean);
    let reach = unit_reach(ctx, segs, &hashes, cache);
    if reuse
        && cache.scanner_clean
        && segs
            .units
            .iter()
            .zip(&clean)
            .filter(|(_, c)| !**c)
            .all(|(u, _)| crate::syntax::scanner::problems(&ctx.source[u.range.clone()]).is_empty())
    {
        // The rest of the text is as the scanner last read it, without a problem, and each
        // edited unit reads without one on its own (it starts and ends outside any string or
        // bracket): so does the whole.
        let _ = ctx.scanned.set(Vec::new());
    }

    let mut findings = Vec::new();
    let mut local = Vec::new();
    let mut callers = Vec::new();
    let (relinted, reached) = if reuse {
        for rule in registry::RULES {
            if rule.meta.scope == Scope::File {
                run_rule(rule, ctx, &mut findings);
            }
        }
        let dirty: Vec<bool> = clean.iter().map(|c| !c).collect();
        let units: Vec<_> = segs
            .units
            .iter()
            .zip(&dirty)
            .filter(|(_, d)| **d)
            .map(|(u, _)| u.clone())
            .collect();
        if !units.is_empty() {
            let scoped = ctx.for_units(&units);
            let mut found = Vec::new();
            for rule in registry::RULES {
                if rule.meta.scope == Scope::Function {
                    run_rule(rule, &scoped, &mut found);
                }
            }
            // Rules that walk the module models also report on clean units: those findings
            // are the cached ones.
            found.retain(|f| units.iter().any(|u| u.range.contains(&f.range.start)));
            local.extend(found);
        }
        for (i, gap) in gaps.iter().enumerate() {
            local.extend(cache.gaps[i].iter().map(|f| shifted(f, gap.start as isize)));
        }
        for ((unit, clean), cached) in segs.units.iter().zip(&clean).zip(&cache.units) {
            if *clean {
                local.extend(
                    cached
                        .function
                        .iter()
                        .map(|f| shifted(f, unit.range.start as isize)),
                );
            }
        }

        let skeleton = skeleton_reach(ctx, segs);
        let nodes: Vec<&reach::Node> = reach.iter().chain(&skeleton).collect();
        let n_units = segs.units.len();
        // Callers: the edited units and, transitively, the functions naming them.
        let mut seeds = dirty.clone();
        seeds.resize(nodes.len(), false);
        let reached_set = reach::callers_closure(&nodes, seeds);
        let covered = &reached_set[..n_units];
        let walked = UnitNodes::new(n_units);
        if registry::RULES
            .iter()
            .any(|r| r.meta.scope == Scope::Callers)
        {
            let scoped = ctx.restricted(covered, &walked);
            let mut found = Vec::new();
            for rule in registry::RULES {
                if rule.meta.scope == Scope::Callers {
                    run_rule(rule, &scoped, &mut found);
                }
            }
            // Findings of the skeleton are re-checked every time; those of units outside the
            // reach are the cached ones.
            found.retain(|f| scoped.in_scope(f.range.start));
            callers.extend(found);
            for ((unit, covered), cached) in segs.units.iter().zip(covered).zip(&cache.units) {
                if !*covered {
                    callers.extend(
                        cached
                            .callers
                            .iter()
                            .map(|f| shifted(f, unit.range.start as isize)),
                    );
                }
            }
        }
        let mut reached = covered.iter().filter(|c| **c).count();
        // Mentions: per group, the units mentioning its strings and their callers.
        for (g, group) in reach::groups().iter().enumerate() {
            let seeds: Vec<bool> = nodes.iter().map(|n| n.mentions & (1 << g) != 0).collect();
            let set = reach::callers_closure(&nodes, seeds);
            let scoped = ctx.restricted(&set[..n_units], &walked);
            reached = reached.max(set[..n_units].iter().filter(|c| **c).count());
            for rule in registry::RULES {
                if rule.meta.scope == Scope::Mentions(group.strings) {
                    run_rule(rule, &scoped, &mut findings);
                }
            }
        }
        (units.len(), reached)
    } else {
        // A large file's full lint (on opening it) runs on every core; the file-scoped rules'
        // findings are then among its own.
        let split = ctx.source.len() >= parallel::MIN_BYTES && segs.units.len() >= 2;
        let threads = if split { parallel::threads() } else { 1 };
        if threads >= 2 {
            let per_rule = parallel::rule_findings(ctx, threads);
            for (rule, found) in registry::RULES.iter().zip(per_rule) {
                match rule.meta.scope {
                    Scope::Function => local.extend(found),
                    Scope::Callers => callers.extend(found),
                    Scope::Mentions(_) | Scope::File => findings.extend(found),
                }
            }
        } else {
            for rule in registry::RULES {
                match rule.meta.scope {
                    Scope::Function => run_rule(rule, ctx, &mut local),
                    Scope::Callers => run_rule(rule, ctx, &mut callers),
                    Scope::Mentions(_) | Scope::File => run_rule(rule, ctx, &mut findings),
                }
            }
        }
        (segs.units.len(), segs.units.len())
    };
    // Remember the function-scoped findings by segment for the next edit.
    let mut next_gaps: Vec<Vec<Finding>> = vec![Vec::new(); gaps.len()];
    let mut next_units: Vec<UnitCache> = hashes
        .iter()
        .zip(reach)
        .map(|(h, reach)| UnitCache {
            hash: *h,
            function: Vec::new(),
            callers: Vec::new(),
            reach,
        })
        .collect();
    let mut movable = true;
    for f in &local {
        match segment_of(f, segs, &gaps) {
            Some(Segment::Gap(i)) => next_gaps[i].push(shifted(f, -(gaps[i].start as isize))),
            Some(Segment::Unit(i)) => {
                let start = segs.units[i].range.start;
                next_units[i].function.push(shifted(f, -(start as isize)));
            }
            None => movable = false,
        }
    }
    for f in &callers {
        match segment_of(f, segs, &gaps) {
            // The skeleton's are found again after every edit.
            Some(Segment::Gap(_)) => {}
            Some(Segment::Unit(i)) => {
                let start = segs.units[i].range.start;
                next_units[i].callers.push(shifted(f, -(start as isize)));
            }
            None => movable = false,
        }
    }
    findings.extend(local);
    findings.extend(callers);
    *cache = LintCache {
        key: movable.then_some(key),
        gaps: next_gaps,
        units: next_units,
        scanner_clean: ctx.scanned.get().is_some_and(Vec::is_empty),
        last: Reuse {
            units: segs.units.len(),
            relinted,
            reached,
            full: !reuse,
        },
    };
    finish(ctx, findings)
}

/// The reach data of every unit: the cached one for units whose text is unchanged (wherever
/// they were), computed for the others.
fn unit_reach(
    ctx: &LintContext<'_>,
    segs: &Segments<'_>,
    hashes: &[u64],
    cache: &LintCache,
) -> Vec<reach::Node> {
    let known: HashMap<u64, &reach::Node> =
        cache.units.iter().map(|u| (u.hash, &u.reach)).collect();
    segs.units
        .iter()
        .zip(hashes)
        .map(|(unit, hash)| match known.get(hash) {
            Some(node) => (*node).clone(),
            None => {
                let name = crate::syntax::elixir::function_def(unit.node, ctx.source)
                    .map_or("", |d| d.name);
                reach::Node::of(name, &ctx.source[unit.range.clone()])
            }
        })
        .collect()
}

/// The reach data of the functions outside the units (clauses sharing a line, a name defined
/// in two places): calls may pass through them too.
fn skeleton_reach(ctx: &LintContext<'_>, segs: &Segments<'_>) -> Vec<reach::Node> {
    let in_unit = |byte: usize| {
        let i = segs.units.partition_point(|u| u.range.start <= byte);
        i.checked_sub(1)
            .is_some_and(|u| segs.units[u].range.contains(&byte))
    };
    let mut out = Vec::new();
    for module in ctx.modules() {
        for function in &module.functions {
            if in_unit(function.first().node.start_byte()) {
                continue;
            }
            let mut text = String::new();
            for clause in &function.clauses {
                text.push_str(&ctx.source[clause.node.byte_range()]);
                text.push('\n');
            }
            out.push(reach::Node::of(function.name, &text));
        }
    }
    out
}

/// Marks dirty the units holding a syntax error; `false` when an error lies outside every
/// unit (in the skeleton), where nothing may be reused.
fn errors_confined(root: crate::syntax::Node<'_>, segs: &Segments<'_>, clean: &mut [bool]) -> bool {
    if !root.has_error() {
        return true;
    }
    let mut confined = true;
    crate::syntax::elixir::walk(root, &mut |node| {
        if !node.has_error() || !confined {
            return false;
        }
        if node.is_error() || node.is_missing() {
            let at = node.start_byte();
            let i = segs.units.partition_point(|u| u.range.start <= at);
            match i.checked_sub(1) {
                Some(u) if segs.units[u].range.contains(&at) => clean[u] = false,
                _ => confined = false,
            }
            return false;
        }
        true
    });
    confined
}

enum Segment {
    Gap(usize),
    Unit(usize),
}

/// The one segment holding everything a finding points at, if there is one.
fn segment_of(f: &Finding, segs: &Segments<'_>, gaps: &[Range<usize>]) -> Option<Segment> {
    let start = f.range.start;
    // Units are sorted and disjoint: the last one starting at or before `start`.
    let i = segs.units.partition_point(|u| u.range.start <= start);
    let (segment, range) = match i.checked_sub(1) {
        Some(u) if segs.units[u].range.contains(&start) => {
            (Segment::Unit(u), segs.units[u].range.clone())
        }
        _ => (Segment::Gap(i), gaps[i].clone()),
    };
    let inside = |r: &Range<usize>| r.start >= range.start && r.end <= range.end;
    let fixes = f.fix.iter().chain(&f.alternatives);
    let all_inside = inside(&f.range)
        && fixes.flat_map(|fix| &fix.edits).all(|e| inside(&e.range))
        && f.related.iter().all(|r| inside(&r.range));
    all_inside.then_some(segment)
}

/// A copy of `f` with every byte offset moved by `by`.
fn shifted(f: &Finding, by: isize) -> Finding {
    let mv = |r: &Range<usize>| (r.start as isize + by) as usize..(r.end as isize + by) as usize;
    let mut out = f.clone();
    out.range = mv(&f.range);
    for fix in out.fix.iter_mut().chain(out.alternatives.iter_mut()) {
        for edit in &mut fix.edits {
            edit.range = mv(&edit.range);
        }
    }
    for related in &mut out.related {
        related.range = mv(&related.range);
    }
    out
}

#[cfg(test)]
#[path = "incremental_tests.rs"]
pub(crate) mod tests;
