//! Re-linting after an edit: only the function clauses whose text changed are checked again by
//! the [`Scope::Function`] rules; their findings elsewhere are reused, moved to where their
//! clause or stretch of skeleton now starts. [`Scope::File`] rules re-check the whole file.
//!
//! The [`Scope::Callers`] and [`Scope::Mentions`] rules keep their findings per function too.
//! After an edit they re-check the edited functions, plus the functions whose findings read
//! something of an edited one that changed: each function's summary per group of rules
//! ([`summary`]: which parameters of a private function reach which sinks, the return type a
//! call of it infers, the Repo read a helper wraps, …) is computed again for the edited
//! functions only and compared with the last one. Groups whose findings rest on module-wide
//! facts re-check their whole reach when such a fact changed.
//!
//! The cache is keyed by what a function-scoped finding may depend on besides its own segment:
//! the skeleton's text (everything outside the units), the file's path facts, the
//! configuration and the project index. When any of those changes, the next lint is a full one
//! — but for the prose of docs ([`doc_prose`]): typing in a `@doc` re-checks the skeleton's
//! function-scoped findings and the documented function, and moves the rest across the prose.
//! An edit of a function's signature (kind, name, arities: what a module's other functions may
//! know of one without reading its body) re-checks, besides the function, every function whose
//! text names it by its old or its new name, and the skeleton's function-scoped findings; a
//! name the skeleton mentions makes a full lint. Renaming the first or last clause of a function
//! with several changes how the file is cut (the function's unit splits in two, or two join
//! again): the cache is then re-indexed to the new units when nothing else of the cut changed —
//! the other units the same, the gaps around the run the same text — and the run's units are
//! re-checked as renamed ([`realign`]). A finding that
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
use super::{
    FileInfo, Finding, LintContext, LintOutput, Scope, doc_prose, parallel, reach, registry,
    summary,
};
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
    /// Per group ([`summary::groups`]), its findings in each gap, relative to the gap's start.
    group_gaps: Vec<Vec<Vec<Finding>>>,
    /// Whether the syntax scanner found nothing in the last lint's text.
    scanner_clean: bool,
    /// The reach data of the functions outside the units ([`skeleton_reach`]), once a re-lint
    /// needed it: it reads the skeleton only, which the key covers.
    skeleton_reach: Option<Vec<reach::Node>>,
    /// The words of the skeleton's text ([`skeleton_words`]), once a re-lint needed them.
    skeleton_words: Option<reach::Node>,
    /// Each gap's text hash ([`doc_prose::GapText::plain`]): what [`realign`] compares when
    /// the file is cut into a different number of units, and what shows an edit of a doc's
    /// prose.
    gap_hashes: Vec<u64>,
    /// The docs' prose in each gap, relative to the gap's start.
    gap_docs: Vec<Vec<doc_prose::DocStretch>>,
    /// For each gap, `Some(its line terminators)` when it is only whitespace.
    gap_blank: Vec<Option<usize>>,
    /// How the last lint went, for tests and benchmarks.
    last: Reuse,
}

/// What the cache keeps of one unit.
#[derive(Clone)]
struct UnitCache {
    hash: u64,
    /// [`Scope::Function`] findings, relative to the unit's start.
    function: Vec<Finding>,
    /// Per group ([`summary::groups`]): its findings, relative to the unit's start.
    groups: Vec<Vec<Finding>>,
    /// Per group: what the group's findings elsewhere read of the unit.
    exports: Vec<summary::Export>,
    /// Its number of line terminators.
    lines: usize,
    /// [`summary::between_clauses`].
    between: u64,
    /// A hash of its [`super::segments::signature`].
    signature: u64,
    /// Its name and words, for the reach of an edit (shared with the next lint's cache while
    /// its text stays the same).
    reach: Arc<reach::Node>,
}

/// How much of the last lint was reused.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Reuse {
    /// Units in the file.
    pub units: usize,
    /// Units re-checked by the function-scoped rules (all of them in a full lint).
    pub relinted: usize,
    /// Units the [`Scope::Callers`] and [`Scope::Mentions`] rules looked at (all of them in a
    /// full lint): those whose findings they found again and those whose summaries these read,
    /// over all groups.
    pub reached: usize,
    /// Whether it was a full lint.
    pub full: bool,
    /// Why, when it was: `first` (nothing cached), `unmovable` (a finding of the last lint
    /// spanned segments), `skeleton` (text outside the units, or the file's
    /// path, configuration or project changed), `units` (their number changed), `errors` (a
    /// syntax error outside the units re-checked), `signature` (a function whose signature
    /// changed is named outside the units).
    pub why: &'static str,
    /// Whether the units were matched across a change in how the file is cut (a function's
    /// clauses split in two by renaming one, or joined again), [`realign`].
    pub realigned: bool,
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
    /// The key of `ctx`, whose gaps' texts are `gaps` ([`doc_prose::gap_texts`]): the
    /// skeleton without the docs' prose.
    fn of(ctx: &LintContext<'_>, gaps: &[doc_prose::GapText], project: &Arc<ProjectIndex>) -> Key {
        // One hash per gap, in order: moving text across a unit changes the key.
        let mut h = DefaultHasher::new();
        for gap in gaps {
            gap.masked.hash(&mut h);
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
        self.skeleton == other.skeleton && self.same_but_skeleton(other)
    }

    /// The same file, configuration and project (the skeleton may differ).
    fn same_but_skeleton(&self, other: &Key) -> bool {
        self.file == other.file
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
/// [`Scope::Function`] rules re-check the edited units; each group of [`Scope::Callers`] and
/// [`Scope::Mentions`] rules ([`summary::groups`]) those and the units (and skeleton) whose
/// findings read what changed of them; [`Scope::File`] rules the whole file. The syntax
/// scanner re-reads only the edited units while the text had no syntax problem before.
pub fn lint_incremental(
    ctx: &LintContext<'_>,
    project: &Arc<ProjectIndex>,
    cache: &mut LintCache,
) -> LintOutput {
    let segs = ctx.segments();
    let hashes: Vec<u64> = segs
        .units
        .iter()
        .map(|u| text_hash(&ctx.source[u.range.clone()]))
        .collect();
    // What depends on a unit's text alone is computed for the units whose text changed;
    // the others' is the last lint's (units are matched by position, as below).
    let same_text: Vec<bool> = (0..segs.units.len())
        .map(|i| cache.units.get(i).is_some_and(|c| c.hash == hashes[i]))
        .collect();
    let per_unit = |i: usize, cached: fn(&UnitCache) -> u64, compute: &dyn Fn() -> u64| {
        if same_text[i] {
            cached(&cache.units[i])
        } else {
            compute()
        }
    };
    let signatures: Vec<u64> = (0..segs.units.len())
        .map(|i| {
            per_unit(i, |c| c.signature, &|| {
                text_hash(&super::segments::signature(&segs.units[i], ctx.source))
            })
        })
        .collect();
    let lines: Vec<usize> = (0..segs.units.len())
        .map(|i| {
            per_unit(i, |c| c.lines as u64, &|| {
                ctx.source[segs.units[i].range.clone()]
                    .matches('\n')
                    .count() as u64
            }) as usize
        })
        .collect();
    let between: Vec<u64> = (0..segs.units.len())
        .map(|i| {
            per_unit(i, |c| c.between, &|| {
                summary::between_clauses(&segs.units[i], ctx.source)
            })
        })
        .collect();
    let gaps = gap_ranges(segs, ctx.source.len());
    let texts = doc_prose::gap_texts(ctx.source, &gaps, &doc_prose::doc_prose(ctx));
    let key = Key::of(ctx, &texts, project);
    let gap_hashes: Vec<u64> = texts.iter().map(|t| t.plain).collect();
    let gap_blank: Vec<Option<usize>> = gaps
        .iter()
        .map(|g| {
            let text = &ctx.source[g.clone()];
            text.trim().is_empty().then(|| text.matches('\n').count())
        })
        .collect();
    let mut why = match &cache.key {
        None if cache.units.is_empty() => "first",
        None => "unmovable",
        Some(k) if !k.same(&key) => "skeleton",
        Some(_) if cache.units.len() != segs.units.len() => "units",
        Some(_) => "",
    };
    // Renaming the first or last clause of several splits its function in two units (or joins
    // two again): the cache is re-indexed to the new cut when only that run of units differs.
    let realigned = if matches!(why, "skeleton" | "units")
        && cache
            .key
            .as_ref()
            .is_some_and(|k| k.same_but_skeleton(&key))
    {
        realign(cache, &hashes, &gap_hashes, &gap_blank, &between, &lines)
    } else {
        None
    };
    if realigned.is_some() {
        why = "";
    }
    // Gaps whose docs' prose alone changed (the key leaves it out): their findings are found
    // again, or moved across the prose, and the documented functions re-checked.
    let prose_edited: Vec<usize> = if why.is_empty() && realigned.is_none() {
        (0..gaps.len())
            .filter(|i| cache.gap_hashes.get(*i) != Some(&gap_hashes[*i]))
            .collect()
    } else {
        Vec::new()
    };
    let movable_across = |i: &usize| match cache.gap_docs.get(*i) {
        Some(old) if old.len() == texts[*i].docs.len() => cache.group_gaps.iter().all(|group| {
            group.get(*i).is_some_and(|found| {
                found
                    .iter()
                    .all(|f| doc_prose::moved_by(extent(f), old, &texts[*i].docs).is_some())
            })
        }),
        _ => false,
    };
    if !prose_edited.iter().all(movable_across) {
        why = "skeleton";
    }
    let reuse = why.is_empty();
    let mut clean: Vec<bool> = if reuse {
        hashes
            .iter()
            .zip(&cache.units)
            .map(|(h, cached)| *h == cached.hash)
            .collect()
    } else {
        vec![false; hashes.len()]
    };
    if let Some(r) = &realigned {
        for c in &mut clean[r.middle.clone()] {
            *c = false;
        }
    }
    // A doc's function: the unit after its gap.
    for i in &prose_edited {
        if let Some(c) = clean.get_mut(*i) {
            *c = false;
        }
    }
    // Error recovery is not local: a function next to broken code may be read differently
    // than on its own. Reuse only holds while every syntax error lies in a function that is
    // re-checked anyway.
    let reuse = reuse && errors_confined(ctx.tree.root_node(), segs, &mut clean);
    if why.is_empty() && !reuse {
        why = "errors";
    }
    let reach = unit_reach(ctx, segs, &hashes, cache);
    // Units whose signature changed (a function renamed, a parameter added, `def` made
    // `defp`): what other functions know of them changed.
    let renamed: Vec<usize> = if reuse {
        let middle = realigned.as_ref().map_or(0..0, |r| r.middle.clone());
        (0..segs.units.len())
            .filter(|i| signatures[*i] != cache.units[*i].signature || middle.contains(i))
            .collect()
    } else {
        Vec::new()
    };
    let mut reuse = reuse;
    if !renamed.is_empty() {
        // The functions naming a renamed one, by its old name or its new one, are re-checked as
        // if edited; a mention in the skeleton's code (a function outside the units, code a
        // syntax error left outside any) makes a full lint. Its module attributes do not count:
        // a `@spec` names its function, and no attribute calls one.
        let mut names: Vec<u64> = renamed
            .iter()
            .flat_map(|i| cache.units[*i].reach.names.iter().chain(&reach[*i].names))
            .copied()
            .collect();
        if let Some(r) = &realigned {
            names.extend(&r.old_names);
        }
        for (c, node) in clean.iter_mut().zip(&reach) {
            if reach::names(node, &names) {
                *c = false;
            }
        }
        for i in &renamed {
            clean[*i] = false;
        }
        let words = cache
            .skeleton_words
            .get_or_insert_with(|| skeleton_words(ctx, &gaps));
        if reach::names(words, &names) {
            reuse = false;
            why = "signature";
        }
    }
    if reuse
        && cache.scanner_clean
        && segs
            .units
            .iter()
            .zip(&clean)
            .filter(|(_, c)| !**c)
            .map(|(u, _)| &u.range)
            .chain(prose_edited.iter().map(|i| &gaps[*i]))
            .all(|range| crate::syntax::scanner::problems(&ctx.source[range.clone()]).is_empty())
    {
        // The rest of the text is as the scanner last read it, without a problem, and each
        // edited unit or gap reads without one on its own (it starts and ends outside any
        // string or bracket): so does the whole.
        let _ = ctx.scanned.set(Vec::new());
    }

    // What the key covers stays valid while the cache is reused.
    let skeleton_words = if reuse {
        cache.skeleton_words.take()
    } else {
        None
    };
    let n_units = segs.units.len();
    let n_groups = summary::groups().len();
    let mut findings = Vec::new();
    let mut local = Vec::new();
    // Per group: the findings of its rules, in units and gaps alike.
    let mut grouped: Vec<Vec<Finding>> = vec![Vec::new(); n_groups];
    let mut exports: Vec<Vec<summary::Export>>;
    let (relinted, reached, skeleton_reach) = if reuse {
        for rule in registry::RULES {
            if rule.meta.scope == Scope::File {
                run_rule(rule, ctx, &mut findings);
            }
        }
        let dirty: Vec<bool> = clean.iter().map(|c| !c).collect();
        let dirty_at: Vec<usize> = (0..n_units).filter(|i| dirty[*i]).collect();
        let units: Vec<_> = dirty_at.iter().map(|i| segs.units[*i].clone()).collect();
        exports = cache.units.iter().map(|u| u.exports.clone()).collect();
        let skeleton = cache
            .skeleton_reach
            .take()
            .unwrap_or_else(|| skeleton_reach(ctx, segs));
        let nodes: Vec<&reach::Node> = reach.iter().map(|n| &**n).chain(&skeleton).collect();
        let walked = UnitNodes::new(n_units);
        // After an edit of a doc's prose the skeleton's function-scoped findings are found
        // again (a doc's findings lie in it); after a signature edit those of the rules that
        // read functions' heads there (`RuleMeta::reads_heads`).
        let skeleton_edited = !renamed.is_empty() || !prose_edited.is_empty();
        let in_skeleton = |rule: &super::Rule| {
            !prose_edited.is_empty() || (!renamed.is_empty() && rule.meta.reads_heads)
        };
        if !units.is_empty() || skeleton_edited {
            let scoped = ctx.for_units(&units);
            let wider = skeleton_edited.then(|| ctx.restricted(&dirty, &walked));
            let mut found = Vec::new();
            for rule in registry::RULES {
                if rule.meta.scope != Scope::Function {
                    continue;
                }
                let (checked, skeleton) = match &wider {
                    Some(wider) if in_skeleton(rule) => (wider, true),
                    _ => (&scoped, false),
                };
                let mut by_rule = Vec::new();
                run_rule(rule, checked, &mut by_rule);
                // Rules that walk the module models also report on clean units (and on the
                // skeleton): those findings are the cached ones.
                by_rule.retain(|f| unit_at(segs, f.range.start).map_or(skeleton, |u| dirty[u]));
                found.extend(by_rule);
            }
            local.extend(found);
            // Only the edited units' summaries can have changed.
            let named = |i: usize| named_by_others(&nodes, i);
            for (i, export) in dirty_at
                .iter()
                .zip(summary::exports(&scoped, segs, &dirty_at, &named))
            {
                exports[*i] = export;
            }
        }
        // The skeleton's findings not found again above are the cached ones.
        for (i, gap) in gaps.iter().enumerate() {
            let cached = cache.gaps[i].iter();
            let kept = |f: &&Finding| {
                !skeleton_edited || !registry::find(f.code).is_some_and(&in_skeleton)
            };
            local.extend(cached.filter(kept).map(|f| shifted(f, gap.start as isize)));
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

        let plan = Plan {
            nodes: &nodes,
            n_units,
            dirty: &dirty,
            dirty_at: &dirty_at,
            old: &cache.units,
            now: &exports,
            lines_moved: dirty_at.iter().any(|i| lines[*i] != cache.units[*i].lines)
                // Per doc: text between two docs moves when either changed its lines.
                || prose_edited.iter().any(|i| {
                    let (old, new) = (&cache.gap_docs[*i], &texts[*i].docs);
                    old.iter().zip(new).any(|(o, n)| o.lines != n.lines)
                }),
            between_changed: dirty_at
                .iter()
                .any(|i| between[*i] != cache.units[*i].between),
            ctx,
            units: &segs.units,
            modules: std::cell::OnceCell::new(),
        };
        let mut reached = vec![false; n_units];
        // Per group: the units (and where in the skeleton) whose findings this lint found
        // again; the others' are the cached ones.
        let mut refound: Vec<(Vec<bool>, Outside)> = Vec::with_capacity(n_groups);
        let mut contexts: Vec<(Vec<bool>, LintContext<'_>)> = Vec::new();
        for (gi, group) in summary::groups().iter().enumerate() {
            let Recheck {
                units: recheck,
                skeleton,
                support,
                run,
            } = plan.group(gi, group);
            if run {
                // Groups covering the same units share one context (its node index, data
                // flow and remote calls).
                let k = match contexts.iter().position(|(s, _)| *s == support) {
                    Some(k) => k,
                    None => {
                        contexts.push((support.clone(), ctx.restricted(&support, &walked)));
                        contexts.len() - 1
                    }
                };
                let scoped = &contexts[k].1;
                let mut found = Vec::new();
                for rule in registry::RULES {
                    if rule.meta.scope == group.scope {
                        run_rule(rule, scoped, &mut found);
                    }
                }
                // Keep what lies where this group re-checked; the rest is cached.
                let keep = |byte: usize| match unit_at(segs, byte) {
                    Some(u) => recheck[u],
                    None => skeleton.holds(byte),
                };
                found.retain(|f| keep(f.range.start));
                grouped[gi].extend(found);
                for (r, s) in reached.iter_mut().zip(&support) {
                    *r |= *s;
                }
            }
            refound.push((recheck, skeleton));
        }
        for (gi, (recheck, skeleton)) in refound.iter().enumerate() {
            if *skeleton != Outside::Everywhere {
                for (i, gap) in gaps.iter().enumerate() {
                    let edited = prose_edited.contains(&i);
                    grouped[gi].extend(
                        cache.group_gaps[gi][i]
                            .iter()
                            .map(|f| {
                                // Checked above: every finding of an edited gap lies between
                                // docs.
                                let across = edited
                                    .then(|| {
                                        doc_prose::moved_by(
                                            extent(f),
                                            &cache.gap_docs[i],
                                            &texts[i].docs,
                                        )
                                    })
                                    .flatten()
                                    .unwrap_or(0);
                                shifted(f, gap.start as isize + across)
                            })
                            // Those where the group looked again were found again.
                            .filter(|f| !skeleton.holds(f.range.start)),
                    );
                }
            }
            for ((unit, recheck), cached) in segs.units.iter().zip(recheck).zip(&cache.units) {
                if !*recheck {
                    grouped[gi].extend(
                        cached.groups[gi]
                            .iter()
                            .map(|f| shifted(f, unit.range.start as isize)),
                    );
                }
            }
        }
        let reached = reached.iter().filter(|r| **r).count();
        (units.len(), reached, Some(skeleton))
    } else {
        // A large file's full lint (on opening it) runs on every core; the file-scoped rules'
        // findings are then among its own.
        let split = ctx.source.len() >= parallel::MIN_BYTES && segs.units.len() >= 2;
        let threads = if split { parallel::threads() } else { 1 };
        if threads >= 2 {
            let per_rule = parallel::rule_findings(ctx, threads);
            for (rule, found) in registry::RULES.iter().zip(per_rule) {
                match (rule.meta.scope, summary::group_of(rule.meta.scope)) {
                    (Scope::Function, _) => local.extend(found),
                    (_, Some(gi)) => grouped[gi].extend(found),
                    _ => findings.extend(found),
                }
            }
        } else {
            for rule in registry::RULES {
                match (rule.meta.scope, summary::group_of(rule.meta.scope)) {
                    (Scope::Function, _) => run_rule(rule, ctx, &mut local),
                    (_, Some(gi)) => run_rule(rule, ctx, &mut grouped[gi]),
                    _ => run_rule(rule, ctx, &mut findings),
                }
            }
        }
        let all: Vec<usize> = (0..n_units).collect();
        // Spec views are left for the first edit of each function: on a large module they
        // cost as much as the lint itself (31 ms on Ecto's `changeset.ex`), and until then the
        // edit counts as changing its view (callers within three calls are re-checked).
        exports = summary::exports(ctx, segs, &all, &|_| false);
        (n_units, n_units, None)
    };
    // Remember the findings by segment for the next edit.
    let mut next_gaps: Vec<Vec<Finding>> = vec![Vec::new(); gaps.len()];
    let mut next_group_gaps: Vec<Vec<Vec<Finding>>> = vec![vec![Vec::new(); gaps.len()]; n_groups];
    let mut next_units: Vec<UnitCache> = hashes
        .iter()
        .zip(reach)
        .zip(exports)
        .enumerate()
        .map(|(i, ((h, reach), exports))| UnitCache {
            hash: *h,
            function: Vec::new(),
            groups: vec![Vec::new(); n_groups],
            exports,
            lines: lines[i],
            between: between[i],
            signature: signatures[i],
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
    for (gi, found) in grouped.iter().enumerate() {
        for f in found {
            match segment_of(f, segs, &gaps) {
                Some(Segment::Gap(i)) => {
                    next_group_gaps[gi][i].push(shifted(f, -(gaps[i].start as isize)));
                }
                Some(Segment::Unit(i)) => {
                    let start = segs.units[i].range.start;
                    next_units[i].groups[gi].push(shifted(f, -(start as isize)));
                }
                None => movable = false,
            }
        }
    }
    findings.extend(local);
    findings.extend(grouped.into_iter().flatten());
    *cache = LintCache {
        key: movable.then_some(key),
        gaps: next_gaps,
        group_gaps: next_group_gaps,
        units: next_units,
        scanner_clean: ctx.scanned.get().is_some_and(Vec::is_empty),
        skeleton_reach,
        skeleton_words,
        gap_hashes,
        gap_docs: texts.into_iter().map(|t| t.docs).collect(),
        gap_blank,
        last: Reuse {
            units: segs.units.len(),
            relinted,
            reached,
            full: !reuse,
            why,
            realigned: realigned.is_some(),
        },
    };
    finish(ctx, findings)
}

/// What [`realign`] changed.
struct Realigned {
    /// The new units that replace the last lint's differing ones (all re-checked, as if
    /// renamed).
    middle: Range<usize>,
    /// The names of the functions of the last lint's units they replace: the functions naming
    /// those are re-checked too.
    old_names: Vec<u64>,
}

/// Re-indexes `cache` (the last lint's) to a file cut into other units, when the difference
/// is a run of units (`hashes`: the new units' text hashes) that replaced another, every other
/// unit and gap as before (`gap_hashes`, `gap_blank`, `lines`: the new gaps' and units'). A
/// run holds clauses, attributes and comments only, so the two runs are the same text but for
/// the edit. The replacing units get placeholders that count as edited and renamed, and as
/// moving the units after them when the run's lines may have changed in number; the gaps
/// between them no findings: the skeleton's function-scoped findings are found again after a
/// rename, and the other rules report nothing in blank text (checked on the gaps dropped) —
/// when the gaps in the run are not all blank, or its clauses have something between them,
/// the placeholders count as changing what lies between clauses, and every group re-checks
/// its whole reach and the skeleton. `None` when the cut changed in any other way.
fn realign(
    cache: &mut LintCache,
    hashes: &[u64],
    gap_hashes: &[u64],
    gap_blank: &[Option<usize>],
    between: &[u64],
    lines: &[usize],
) -> Option<Realigned> {
    let (n_old, n_new) = (cache.units.len(), hashes.len());
    let shortest = n_old.min(n_new);
    if shortest == 0
        || cache.gap_hashes.len() != n_old + 1
        || cache.gap_blank.len() != n_old + 1
        || gap_hashes.len() != n_new + 1
    {
        return None;
    }
    // Equal units before and after the run (leaving at least one unit in it on each side).
    let mut k = 0;
    while k + 1 < shortest && cache.units[k].hash == hashes[k] {
        k += 1;
    }
    let mut s = 0;
    while k + s + 1 < shortest && cache.units[n_old - 1 - s].hash == hashes[n_new - 1 - s] {
        s += 1;
    }
    let (m_old, m_new) = (n_old - k - s, n_new - k - s);
    // Gaps `..=k` and from `k + m` on are the same texts; those inside the run are blank.
    let outside = (0..=k).all(|i| gap_hashes[i] == cache.gap_hashes[i])
        && (k + m_new..=n_new).all(|i| gap_hashes[i] == cache.gap_hashes[i - m_new + m_old]);
    let blank_new: Option<usize> = (k + 1..k + m_new).map(|i| gap_blank[i]).sum();
    let n_groups = summary::groups().len();
    let blank_old: Option<usize> = (k + 1..k + m_old)
        .map(|i| {
            cache.gap_blank[i].filter(|_| (0..n_groups).all(|g| cache.group_gaps[g][i].is_empty()))
        })
        .sum();
    let empty = summary::nothing_between();
    let plain = (k..k + m_new).all(|i| between[i] == empty)
        && cache.units[k..k + m_old].iter().all(|u| u.between == empty);
    if !outside {
        return None;
    }
    // Attributes or comments between the clauses, which the new cut moved between units and
    // gaps (a run holds nothing else): counted as a change of what lies between the clauses,
    // so every group re-checks its whole reach and the skeleton.
    let moved = match (blank_new, blank_old, plain) {
        (Some(new), Some(old), true) => Some((new, old)),
        _ => None,
    };
    // The units after the run stay on their lines when the run has as many lines as before.
    let same_lines = moved.is_some_and(|(blank_new, blank_old)| {
        lines[k..k + m_new].iter().sum::<usize>() + blank_new
            == cache.units[k..k + m_old]
                .iter()
                .map(|u| u.lines)
                .sum::<usize>()
                + blank_old
    });
    let old_names = cache.units[k..k + m_old]
        .iter()
        .flat_map(|u| u.reach.names.iter().copied())
        .collect();
    let placeholder = |old: &UnitCache, lines: usize, between: u64| UnitCache {
        // Never clean: the middle is re-checked whatever its hashes.
        hash: old.hash,
        function: Vec::new(),
        groups: vec![Vec::new(); n_groups],
        // Unknown: counts as changed for every group.
        exports: vec![summary::Export::default(); n_groups],
        // Else counts as moving the units after it.
        lines: if same_lines { lines } else { usize::MAX },
        between: if moved.is_some() { between } else { !between },
        signature: old.signature,
        reach: old.reach.clone(),
    };
    let first_old = cache.units[k].clone();
    let suffix = cache.units.split_off(k + m_old);
    cache.units.truncate(k);
    cache
        .units
        .extend((k..k + m_new).map(|i| placeholder(&first_old, lines[i], between[i])));
    cache.units.extend(suffix);
    let regap = |gaps: &mut Vec<Vec<Finding>>| {
        let suffix = gaps.split_off(k + m_old);
        gaps.truncate(k + 1);
        gaps.extend((1..m_new).map(|_| Vec::new()));
        gaps.extend(suffix);
    };
    regap(&mut cache.gaps);
    for group in &mut cache.group_gaps {
        regap(group);
    }
    Some(Realigned {
        middle: k..k + m_new,
        old_names,
    })
}

/// What one lint knows of the edit, for deciding what each group re-checks.
struct Plan<'a, 't> {
    /// The reach data of the units, then of the functions outside them.
    nodes: &'a [&'a reach::Node],
    n_units: usize,
    dirty: &'a [bool],
    dirty_at: &'a [usize],
    /// The last lint's units.
    old: &'a [UnitCache],
    /// The exports now, per unit and group.
    now: &'a [Vec<summary::Export>],
    /// Whether an edit changed a unit's number of lines (moving the units after it).
    lines_moved: bool,
    /// Whether an edit changed what lies between a unit's clauses (attributes: module facts).
    between_changed: bool,
    /// The file's context (for its modules).
    ctx: &'a LintContext<'t>,
    /// The units.
    units: &'a [super::segments::Unit<'t>],
    /// See [`Plan::modules`].
    modules: std::cell::OnceCell<Modules>,
}

/// The file's modules' byte ranges, each unit's innermost module (an index into them), and
/// where each unit's first clause starts.
type Modules = (Vec<Range<usize>>, Vec<Option<usize>>, Vec<usize>);

/// Where a group's findings outside the units (in the skeleton) are found again; elsewhere the
/// cached ones stand.
#[derive(Clone, Debug, PartialEq)]
enum Outside {
    Nowhere,
    Everywhere,
    /// Within these byte ranges (of modules).
    Within(Vec<Range<usize>>),
}

impl Outside {
    fn everywhere_if(all: bool) -> Outside {
        if all {
            Outside::Everywhere
        } else {
            Outside::Nowhere
        }
    }

    fn within(ranges: Vec<Range<usize>>) -> Outside {
        if ranges.is_empty() {
            Outside::Nowhere
        } else {
            Outside::Within(ranges)
        }
    }

    /// Whether a finding outside the units starting at `byte` is found again.
    fn holds(&self, byte: usize) -> bool {
        match self {
            Outside::Nowhere => false,
            Outside::Everywhere => true,
            Outside::Within(ranges) => ranges.iter().any(|r| r.contains(&byte)),
        }
    }
}

/// What one group re-checks.
struct Recheck {
    /// The units whose findings are found again (the others' are the cached ones).
    units: Vec<bool>,
    /// Where the skeleton's are found again.
    skeleton: Outside,
    /// The units the re-checking context holds: those and the ones their findings read.
    support: Vec<bool>,
    /// Whether to run the rules at all (else the units re-checked have no findings).
    run: bool,
}

impl Plan<'_, '_> {
    /// See [`Modules`]; computed when a group first asks.
    fn modules(&self) -> &Modules {
        self.modules.get_or_init(|| {
            let ranges: Vec<Range<usize>> = self
                .ctx
                .modules()
                .iter()
                .map(|m| m.def.node.byte_range())
                .collect();
            let starts: Vec<usize> = self.units.iter().map(|u| u.node.start_byte()).collect();
            // A nested module lies inside its parent and starts after it.
            let of = starts
                .iter()
                .map(|at| {
                    (0..ranges.len())
                        .filter(|m| ranges[*m].contains(at))
                        .max_by_key(|m| ranges[*m].start)
                })
                .collect();
            (ranges, of, starts)
        })
    }

    /// The byte ranges of `modules`.
    fn ranges(&self, modules: &[usize]) -> Vec<Range<usize>> {
        modules
            .iter()
            .map(|m| self.modules().0[*m].clone())
            .collect()
    }

    /// Whether unit `i` lies within one of `modules` (in it or in a module nested in it).
    fn within(&self, i: usize, modules: &[usize]) -> bool {
        let (ranges, _, starts) = self.modules();
        modules.iter().any(|m| ranges[*m].contains(&starts[i]))
    }

    /// For the kinds whose findings read their own module's facts: the modules holding the
    /// edited units whose export in group `gi` changed; `None` (the whole file's reach is
    /// re-checked) when one lies in no module or what the file's other modules read of it
    /// changed too.
    fn changed_modules(&self, gi: usize) -> Option<Vec<usize>> {
        let of = &self.modules().1;
        let mut out = Vec::new();
        for i in self.dirty_at {
            let (old, now) = (&self.old[*i].exports[gi], &self.now[*i][gi]);
            if old.differs(now) {
                if old.differs_outside_its_module(now) {
                    return None;
                }
                out.push(of[*i]?);
            }
        }
        out.sort_unstable();
        out.dedup();
        Some(out)
    }

    /// What group `gi` re-checks (see [`summary`] for the kinds).
    fn group(&self, gi: usize, group: &summary::Group) -> Recheck {
        use summary::Kind;
        let n = self.n_units;
        let holds = |i: usize| !self.old[i].groups[gi].is_empty();
        let changed = |i: usize| self.old[i].exports[gi].differs(&self.now[i][gi]);
        let reach_of = |nodes: &[&reach::Node]| -> Vec<bool> {
            match group.mentions {
                Some(g) => {
                    let seeds = nodes.iter().map(|n| n.mentions & (1 << g) != 0).collect();
                    reach::callers_closure(nodes, seeds)
                }
                None => vec![true; nodes.len()],
            }
        };
        let whole = || {
            let mut r = reach_of(self.nodes);
            r.truncate(n);
            for i in self.dirty_at {
                r[*i] = true;
            }
            Recheck {
                units: r.clone(),
                skeleton: Outside::Everywhere,
                support: r,
                run: true,
            }
        };
        // The same within `modules` (for the kinds whose findings read their own module's
        // facts): their units in the reach, the edited ones among them, and the skeleton's
        // findings within their text (a nested module's among them, so its units too).
        let whole_in = |modules: &[usize]| {
            let mut r = reach_of(self.nodes);
            r.truncate(n);
            for (i, x) in r.iter_mut().enumerate() {
                *x &= self.within(i, modules);
            }
            for i in self.dirty_at {
                r[*i] |= self.within(*i, modules);
            }
            Recheck {
                units: r.clone(),
                skeleton: Outside::within(self.ranges(modules)),
                support: r,
                run: true,
            }
        };
        let seeds_of = |pick: &dyn Fn(usize) -> bool| -> Vec<bool> {
            let mut seeds = vec![false; self.nodes.len()];
            for i in self.dirty_at {
                seeds[*i] = pick(*i);
            }
            seeds
        };
        if self.between_changed {
            return whole();
        }
        if group.kind == Kind::Opaque {
            // As before summaries: the edited units and their callers, or the whole reach.
            if group.mentions.is_none() {
                let mut r = reach::callers_closure(self.nodes, seeds_of(&|_| true));
                r.truncate(n);
                return Recheck {
                    units: r.clone(),
                    skeleton: Outside::Everywhere,
                    support: r,
                    run: true,
                };
            }
            return whole();
        }
        let mut units = self.dirty.to_vec();
        let moved = group.names_lines && self.lines_moved;
        if moved {
            for (i, u) in units.iter_mut().enumerate() {
                *u |= holds(i);
            }
        }
        let mut skeleton = moved;
        // Adds the callers of `seeds` within `hops` calls.
        let mut add_callers = |seeds: Vec<bool>, hops: usize, units: &mut Vec<bool>| {
            if !seeds.iter().any(|s| *s) {
                return;
            }
            let set = reach::callers_within(self.nodes, seeds, hops);
            for (u, s) in units.iter_mut().zip(&set) {
                *u |= *s;
            }
            skeleton |= set[n..].iter().any(|s| *s);
        };
        match group.kind {
            Kind::Spec => {
                // A caller's inference may read a function three calls away; one already
                // inferring a function the edited one's inference enters reads it differently.
                let cycles = |i: usize| {
                    let one = {
                        let mut s = vec![false; self.nodes.len()];
                        s[i] = true;
                        s
                    };
                    let near = reach::callers_within(self.nodes, one, MAX_SPEC_DEPTH);
                    let names: Vec<u64> = self
                        .nodes
                        .iter()
                        .zip(&near)
                        .filter(|(_, s)| **s)
                        .flat_map(|(node, _)| node.names.iter().copied())
                        .collect();
                    let crosses = |e: &summary::Export| e.enters.iter().any(|w| names.contains(w));
                    crosses(&self.old[i].exports[gi]) || crosses(&self.now[i][gi])
                };
                add_callers(
                    seeds_of(&|i| changed(i) || cycles(i)),
                    MAX_SPEC_DEPTH,
                    &mut units,
                );
                Recheck {
                    support: units.clone(),
                    units,
                    skeleton: Outside::everywhere_if(skeleton),
                    run: true,
                }
            }
            Kind::Taint | Kind::Repo => {
                add_callers(seeds_of(&changed), 1, &mut units);
                // The functions whose summaries the re-checked ones read.
                let readers: Vec<&reach::Node> = self
                    .nodes
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| if *i < n { units[*i] } else { skeleton })
                    .map(|(_, node)| *node)
                    .collect();
                let provides = |i: usize| self.now[i][gi].provides;
                let named = |i: usize| {
                    readers
                        .iter()
                        .any(|r| reach::names(r, &self.nodes[i].names))
                };
                let support: Vec<bool> = (0..n)
                    .map(|i| units[i] || (provides(i) && named(i)))
                    .collect();
                // A unit that mentions none of the group's strings and reads no summary holds
                // no finding: no need to run for it alone.
                let g = group.mentions.unwrap_or(0);
                // Functions outside the units are not summarised here: one that mentions the
                // group's strings may be read.
                let mentions = |j: usize| self.nodes[j].mentions & (1 << g) != 0;
                let may_hold = |i: usize| {
                    mentions(i)
                        || (0..self.nodes.len()).any(|j| {
                            (if j < n { provides(j) } else { mentions(j) })
                                && reach::names(self.nodes[i], &self.nodes[j].names)
                        })
                };
                let run = skeleton || (0..n).any(|i| units[i] && may_hold(i));
                Recheck {
                    units,
                    skeleton: Outside::everywhere_if(skeleton),
                    support,
                    run,
                }
            }
            Kind::Changeset => {
                // A module's fixpoint reads its own functions: it runs again in the modules
                // whose facts changed.
                let Some(modules) = self.changed_modules(gi) else {
                    return whole();
                };
                let (_, of, _) = self.modules();
                // Elsewhere the modules' decisions stand: an edited unit's findings change
                // only where it held one and its own part (label, first cast) changed.
                let mut own = vec![false; n];
                let mut own_modules = Vec::new();
                for i in self.dirty_at {
                    if self.within(*i, &modules) {
                        continue;
                    }
                    let (old, now) = (&self.old[*i].exports[gi], &self.now[*i][gi]);
                    if now.may_find && old.own != now.own && holds(*i) {
                        own[*i] = true;
                        match of[*i] {
                            Some(m) => own_modules.push(m),
                            None => return whole(),
                        }
                    }
                }
                if modules.is_empty() && own_modules.is_empty() {
                    return Recheck {
                        support: own.clone(),
                        units: own,
                        skeleton: Outside::Nowhere,
                        run: false,
                    };
                }
                let mut all = whole_in(&[modules.as_slice(), &own_modules].concat());
                all.units = (0..n)
                    .map(|i| (all.units[i] && self.within(i, &modules)) || own[i])
                    .collect();
                all.skeleton = Outside::within(self.ranges(&modules));
                all
            }
            Kind::Processes => {
                // Whether a module awaits is a fact of that module: in the modules where an
                // edited unit's facts changed every finding is found again.
                let Some(modules) = self.changed_modules(gi) else {
                    return whole();
                };
                // Elsewhere an edited unit's findings are its own starts, judged against the
                // units that await (and the skeleton).
                let mut all = if modules.is_empty() {
                    Recheck {
                        units: vec![false; n],
                        skeleton: Outside::Nowhere,
                        support: vec![false; n],
                        run: self.dirty_at.iter().any(|i| self.now[*i][gi].may_find),
                    }
                } else {
                    whole_in(&modules)
                };
                for i in self.dirty_at {
                    all.units[*i] = true;
                    all.support[*i] = true;
                }
                for (i, s) in all.support.iter_mut().enumerate() {
                    *s |= self.now[i][gi].provides;
                }
                all
            }
            Kind::Opaque => whole(),
        }
    }
}

/// How many calls deep spec inference follows (`types::infer`'s `MAX_DEPTH`).
const MAX_SPEC_DEPTH: usize = 3;

/// Whether a function other than unit `i` names it.
fn named_by_others(nodes: &[&reach::Node], i: usize) -> bool {
    nodes
        .iter()
        .enumerate()
        .any(|(j, node)| j != i && reach::names(node, &nodes[i].names))
}

/// The unit holding `byte`, if any.
fn unit_at(segs: &Segments<'_>, byte: usize) -> Option<usize> {
    let i = segs.units.partition_point(|u| u.range.start <= byte);
    i.checked_sub(1)
        .filter(|u| segs.units[*u].range.contains(&byte))
}

/// The reach data of every unit: the cached one for units whose text is unchanged (wherever
/// they were), computed for the others.
fn unit_reach(
    ctx: &LintContext<'_>,
    segs: &Segments<'_>,
    hashes: &[u64],
    cache: &LintCache,
) -> Vec<Arc<reach::Node>> {
    let known: HashMap<u64, &Arc<reach::Node>> =
        cache.units.iter().map(|u| (u.hash, &u.reach)).collect();
    segs.units
        .iter()
        .zip(hashes)
        .map(|(unit, hash)| match known.get(hash) {
            Some(node) => Arc::clone(node),
            None => {
                let names = super::segments::names(unit, ctx.source);
                Arc::new(reach::Node::of(&names, &ctx.source[unit.range.clone()]))
            }
        })
        .collect()
}

/// The words of the code outside the units (`gaps`) that may call a function, as one reach
/// node: without the modules' attributes, comments and keyword keys (`constraints: []` in a
/// `defstruct` names no function, nor does a comment saying `def merge` must follow it).
fn skeleton_words(ctx: &LintContext<'_>, gaps: &[Range<usize>]) -> reach::Node {
    let outside = &ctx.segments().skeleton;
    let mut cut: Vec<Range<usize>> = ctx
        .modules()
        .iter()
        .flat_map(|m| m.attributes.iter().map(|a| a.node.byte_range()))
        .chain(outside.comments.iter().map(|c| c.byte_range()))
        .chain(
            outside
                .pairs
                .iter()
                .filter_map(|p| p.child_by_field_name("key"))
                .map(|k| k.byte_range()),
        )
        .collect();
    cut.sort_by_key(|r| r.start);
    let mut text = String::new();
    let mut next = 0;
    for gap in gaps {
        let mut at = gap.start;
        while next < cut.len() && cut[next].end <= at {
            next += 1;
        }
        while let Some(piece) = cut.get(next).filter(|a| a.start < gap.end) {
            if piece.start > at {
                text.push_str(&ctx.source[at..piece.start]);
                text.push('\n');
            }
            at = at.max(piece.end);
            if piece.end > gap.end {
                break;
            }
            next += 1;
        }
        if at < gap.end {
            text.push_str(&ctx.source[at..gap.end]);
        }
        // Words never run from one stretch into the next.
        text.push('\n');
    }
    reach::Node::of(&[], &text)
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
            out.push(reach::Node::of(&[function.name], &text));
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

/// From the first byte a finding points at to the last (its range, fixes and related places).
fn extent(f: &Finding) -> Range<usize> {
    let fixes = f
        .fix
        .iter()
        .chain(&f.alternatives)
        .flat_map(|fix| &fix.edits);
    let ranges = std::iter::once(&f.range)
        .chain(fixes.map(|e| &e.range))
        .chain(f.related.iter().map(|r| &r.range));
    let (mut start, mut end) = (f.range.start, f.range.end);
    for r in ranges {
        start = start.min(r.start);
        end = end.max(r.end);
    }
    start..end
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
