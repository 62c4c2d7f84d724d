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

use std::hash::{DefaultHasher, Hash, Hasher};
use std::ops::Range;
use std::sync::Arc;

use super::engine::{finish, run_rule};
use super::segments::Segments;
use super::{FileInfo, Finding, LintContext, LintOutput, Scope, registry};
use crate::project::ProjectIndex;

/// What one document's previous lint leaves for the next.
#[derive(Default)]
pub struct LintCache {
    key: Option<Key>,
    /// Function-scoped findings in each gap (gap `i` lies before unit `i`; the last one after
    /// the last unit), relative to the gap's start.
    gaps: Vec<Vec<Finding>>,
    /// Each unit's text hash and function-scoped findings, relative to the unit's start. Units
    /// are matched by position: with the skeleton and the signatures unchanged (the key), the
    /// file has the same units in the same order, and only their bodies may differ. (Two units
    /// with the same text in different modules may have different findings.)
    units: Vec<(u64, Vec<Finding>)>,
    /// How the last lint went, for tests and benchmarks.
    last: Reuse,
}

/// How much of the last lint was reused.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Reuse {
    /// Units in the file.
    pub units: usize,
    /// Units re-checked by the function-scoped rules (all of them in a full lint).
    pub relinted: usize,
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

/// Lints `ctx` (whose project must be `project`), re-checking with the function-scoped rules
/// only the units that are not in `cache`, and leaves the results in `cache` for the next edit.
/// The findings equal those of [`super::lint`] on the same context.
pub fn lint_incremental(
    ctx: &LintContext<'_>,
    project: &Arc<ProjectIndex>,
    cache: &mut LintCache,
) -> LintOutput {
    let segs = ctx.segments();
    let key = Key::of(ctx, segs, project);
    let reuse =
        cache.key.as_ref().is_some_and(|k| k.same(&key)) && cache.units.len() == segs.units.len();
    let mut findings = Vec::new();
    for rule in registry::RULES {
        if rule.meta.scope == Scope::File {
            run_rule(rule, ctx, &mut findings);
        }
    }
    let gaps = gap_ranges(segs, ctx.source.len());
    let unit_hashes: Vec<u64> = segs
        .units
        .iter()
        .map(|u| text_hash(&ctx.source[u.range.clone()]))
        .collect();
    let mut local = Vec::new();
    let mut clean = Vec::new();
    let reuse = if reuse {
        clean = unit_hashes
            .iter()
            .zip(&cache.units)
            .map(|(h, (cached, _))| h == cached)
            .collect();
        // Error recovery is not local: a function next to broken code may be read differently
        // than on its own. Reuse only holds while every syntax error lies in a function that is
        // re-checked anyway.
        errors_confined(ctx.tree.root_node(), segs, &mut clean)
    } else {
        false
    };
    let (relinted, full) = if reuse {
        let dirty: Vec<_> = segs
            .units
            .iter()
            .zip(&clean)
            .filter(|(_, clean)| !**clean)
            .map(|(u, _)| u.clone())
            .collect();
        if !dirty.is_empty() {
            let scoped = ctx.for_units(&dirty);
            let mut found = Vec::new();
            for rule in registry::RULES {
                if rule.meta.scope == Scope::Function {
                    run_rule(rule, &scoped, &mut found);
                }
            }
            // Rules that walk the module models also report on clean units: those findings
            // are the cached ones.
            found.retain(|f| dirty.iter().any(|u| u.range.contains(&f.range.start)));
            local.extend(found);
        }
        for (i, gap) in gaps.iter().enumerate() {
            local.extend(cache.gaps[i].iter().map(|f| shifted(f, gap.start as isize)));
        }
        for ((unit, clean), (_, cached)) in segs.units.iter().zip(&clean).zip(&cache.units) {
            if *clean {
                local.extend(cached.iter().map(|f| shifted(f, unit.range.start as isize)));
            }
        }
        (dirty.len(), false)
    } else {
        for rule in registry::RULES {
            if rule.meta.scope == Scope::Function {
                run_rule(rule, ctx, &mut local);
            }
        }
        (segs.units.len(), true)
    };
    // Remember the function-scoped findings by segment for the next edit.
    let mut next_gaps: Vec<Vec<Finding>> = vec![Vec::new(); gaps.len()];
    let mut next_units: Vec<(u64, Vec<Finding>)> =
        unit_hashes.iter().map(|h| (*h, Vec::new())).collect();
    let mut movable = true;
    for f in &local {
        match segment_of(f, segs, &gaps) {
            Some(Segment::Gap(i)) => next_gaps[i].push(shifted(f, -(gaps[i].start as isize))),
            Some(Segment::Unit(i)) => {
                let start = segs.units[i].range.start;
                next_units[i].1.push(shifted(f, -(start as isize)));
            }
            None => movable = false,
        }
    }
    findings.extend(local);
    *cache = LintCache {
        key: movable.then_some(key),
        gaps: next_gaps,
        units: next_units,
        last: Reuse {
            units: segs.units.len(),
            relinted,
            full,
        },
    };
    finish(ctx, findings)
}

/// Marks dirty the units holding a syntax error; `false` when an error lies outside every
/// unit (in the skeleton), where nothing may be reused.
fn errors_confined(root: tree_sitter::Node<'_>, segs: &Segments<'_>, clean: &mut [bool]) -> bool {
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
mod tests;
