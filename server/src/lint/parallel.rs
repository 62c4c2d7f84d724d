//! Linting one large file on several cores.
//!
//! `check` lints the files of a project in parallel, but a single large file (a generated
//! module, a 3 MB file of debug output to `--fix`) used one core. Here the file is cut as the
//! incremental re-lint cuts it ([`super::segments`]): the [`Scope::Function`] rules check runs of
//! function units and the skeleton between them as separate parts, each through a context whose
//! node lists hold only that part's nodes, while the rules of the other scopes (and two rules that scan
//! the text line by line) check the whole file;
//! the parts are shared out between threads. A function-scoped finding depends only on its own
//! segment and the skeleton (the contract the incremental re-lint relies on too), so each part
//! keeps the findings that start in it, and together they are the findings of a plain
//! [`super::lint`].

use std::ops::Range;
use std::sync::Mutex;

use super::context::NodeIndex;
use super::engine::{finish, run_rule};
use super::{LintContext, LintOutput, Scope, registry};

/// Files smaller than this are linted on one thread: below it, setting up the parts costs
/// about what the second core saves (and `check` keeps both cores busy with other files).
pub const MIN_BYTES: usize = 128 * 1024;

/// Parts per thread: several, so a thread that finishes early takes over the remaining parts
/// (the file-scoped rules may cost more or less than a share of the functions).
const PARTS_PER_THREAD: usize = 8;

/// Function-scoped rules that read the file's text line by line rather than its node lists:
/// in a part they would scan the whole text again only to keep that part's findings (17 parts
/// of a 3 MB file: 0.05 G → 0.9 G instructions for `trailing-whitespace`), so they run once on
/// the whole file with the file-scoped rules. Any rule may run there: it is a plain lint of it.
const WHOLE_TEXT: &[&str] = &["trailing-whitespace", "line-too-long"];

/// Whether `rule` runs on the whole file (rather than on each part).
fn on_whole_file(rule: &super::Rule) -> bool {
    // Callers and Mentions rules read several functions: like File rules, the whole file.
    rule.meta.scope != Scope::Function || WHOLE_TEXT.contains(&rule.meta.code)
}

/// Lints `ctx` like [`super::lint`], on up to `threads` threads when the file is large enough
/// to gain from it.
pub fn lint(ctx: &LintContext<'_>, threads: usize) -> LintOutput {
    if ctx.source.len() < MIN_BYTES {
        return super::lint(ctx);
    }
    lint_split(ctx, threads)
}

/// [`lint`] whatever the file's size (one thread when it has fewer than two units).
fn lint_split(ctx: &LintContext<'_>, threads: usize) -> LintOutput {
    if threads < 2 || ctx.segments().units.len() < 2 {
        return super::lint(ctx);
    }
    let findings = rule_findings(ctx, threads).into_iter().flatten().collect();
    finish(ctx, findings)
}

/// Each rule's findings (indexed as [`registry::RULES`], before suppressions and severities),
/// found on `threads` threads: what the incremental re-lint's first, full lint of a large
/// file files by rule scope.
pub(crate) fn rule_findings(ctx: &LintContext<'_>, threads: usize) -> Vec<Vec<super::Finding>> {
    let started = std::time::Instant::now();
    let parts = parts(ctx, threads * PARTS_PER_THREAD);
    let count = parts.len();
    let prepared = started.elapsed();
    let mut file_rules = std::time::Duration::ZERO;
    let queue = Mutex::new(parts.into_iter().enumerate().collect::<Vec<_>>());
    // Each entry: (part number, per-rule findings); the file-scoped rules are part 0.
    let done: Mutex<Vec<(usize, Vec<Vec<super::Finding>>)>> = Mutex::new(Vec::new());
    let work = |part_queue: &Mutex<Vec<(usize, Part<'_>)>>| {
        loop {
            let next = part_queue.lock().unwrap_or_else(|e| e.into_inner()).pop();
            let Some((n, part)) = next else { break };
            let found = part.run();
            done.lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((n + 1, found));
        }
    };
    std::thread::scope(|scope| {
        for _ in 1..threads {
            scope.spawn(|| work(&queue));
        }
        // This thread holds the whole file's context (it is not shared): the file-scoped rules
        // first, then parts like the others.
        let whole = per_rule(ctx, true, None);
        file_rules = started.elapsed() - prepared;
        done.lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((0, whole));
        work(&queue);
    });
    tracing::debug!(
        file = %ctx.file.display,
        parts = count,
        ?prepared,
        ?file_rules,
        rules = ?started.elapsed(),
        "linted on {threads} threads"
    );
    let mut done = done.into_inner().unwrap_or_else(|e| e.into_inner());
    done.sort_by_key(|(n, _)| *n);
    // In registry order, then by part: the order a plain lint adds them in, which decides the
    // order of findings the sort cannot tell apart.
    (0..registry::RULES.len())
        .map(|rule| {
            let mut findings = Vec::new();
            for (_, found) in &mut done {
                findings.append(&mut found[rule]);
            }
            findings
        })
        .collect()
}

/// The rules that run on the whole file (`whole`) or on each part run on `ctx`, each rule's
/// findings on their own (indexed as [`registry::RULES`]); with `keep`, only the findings
/// starting in those byte ranges.
fn per_rule(ctx: &LintContext<'_>, whole: bool, keep: Option<&Keep>) -> Vec<Vec<super::Finding>> {
    registry::RULES
        .iter()
        .map(|rule| {
            let mut found = Vec::new();
            if on_whole_file(rule) == whole {
                run_rule(rule, ctx, &mut found);
                if let Some(keep) = keep {
                    found.retain(|f| keep.holds(f.range.start));
                }
            }
            found
        })
        .collect()
}

/// Which findings a part keeps, by where they start.
enum Keep {
    /// Inside one of these (sorted, disjoint) ranges: a run of units.
    Inside(Vec<Range<usize>>),
    /// Outside every one of these (sorted, disjoint) ranges: the skeleton, outside all units.
    Outside(Vec<Range<usize>>),
}

impl Keep {
    fn holds(&self, at: usize) -> bool {
        match self {
            Keep::Inside(ranges) => in_ranges(ranges, at),
            Keep::Outside(ranges) => !in_ranges(ranges, at),
        }
    }
}

/// Whether `at` lies in one of the sorted, disjoint `ranges`.
fn in_ranges(ranges: &[Range<usize>], at: usize) -> bool {
    let i = ranges.partition_point(|r| r.start <= at);
    i > 0 && ranges[i - 1].contains(&at)
}

/// A part of the file for the function-scoped rules.
struct Part<'a> {
    ctx: LintContext<'a>,
    keep: Keep,
}

impl Part<'_> {
    fn run(&self) -> Vec<Vec<super::Finding>> {
        per_rule(&self.ctx, false, Some(&self.keep))
    }
}

/// The skeleton and about `count` runs of units of similar size, each with a context of its
/// own nodes and the whole file's module models and names (as [`LintContext::for_units`] gives
/// the incremental re-lint).
fn parts<'a>(ctx: &LintContext<'a>, count: usize) -> Vec<Part<'a>> {
    let units = &ctx.segments().units;
    let all: Vec<Range<usize>> = units.iter().map(|u| u.range.clone()).collect();
    let total: usize = all.iter().map(|r| r.len()).sum();
    let share = total.div_ceil(count.max(1)).max(1);
    let mut runs: Vec<Vec<Range<usize>>> = Vec::new();
    let mut size = share;
    for range in &all {
        if size >= share {
            runs.push(Vec::new());
            size = 0;
        }
        size += range.len();
        if let Some(run) = runs.last_mut() {
            run.push(range.clone());
        }
    }
    // Each node goes to the part holding its start (the skeleton is the last part), in one
    // pass over each list: the lists stay in document order.
    let skeleton = runs.len();
    let unit_part: Vec<usize> = runs
        .iter()
        .enumerate()
        .flat_map(|(p, run)| std::iter::repeat_n(p, run.len()))
        .collect();
    let part_of = |at: usize| {
        let i = all.partition_point(|r| r.start <= at);
        match i.checked_sub(1) {
            Some(u) if all[u].contains(&at) => unit_part[u],
            _ => skeleton,
        }
    };
    let mut indexes: Vec<NodeIndex<'a>> = (0..=skeleton).map(|_| NodeIndex::default()).collect();
    let nodes = ctx.nodes();
    type Field<'a> = for<'r> fn(&'r mut NodeIndex<'a>) -> &'r mut Vec<crate::syntax::Node<'a>>;
    let lists: [(&[crate::syntax::Node<'a>], Field<'a>); 6] = [
        (&nodes.calls, |i| &mut i.calls),
        (&nodes.comments, |i| &mut i.comments),
        (&nodes.binary_operators, |i| &mut i.binary_operators),
        (&nodes.pairs, |i| &mut i.pairs),
        (&nodes.anonymous_functions, |i| &mut i.anonymous_functions),
        (&nodes.numbers, |i| &mut i.numbers),
    ];
    for (list, field) in lists {
        for node in list {
            field(&mut indexes[part_of(node.start_byte())]).push(*node);
        }
    }
    let mut out = Vec::with_capacity(skeleton + 1);
    for (index, run) in indexes.into_iter().zip(
        runs.into_iter()
            .map(Keep::Inside)
            .chain([Keep::Outside(all.clone())]),
    ) {
        out.push(Part {
            ctx: sub_context(ctx, index),
            keep: run,
        });
    }
    out
}

/// A context of the same file whose node lists are `index`, sharing the whole file's module
/// models, names and module facts (computed once here rather than once per part).
fn sub_context<'a>(ctx: &LintContext<'a>, index: NodeIndex<'a>) -> LintContext<'a> {
    let sub = LintContext::new(ctx.source, ctx.rope, ctx.tree, ctx.file, ctx.config)
        .with_project(ctx.project);
    let _ = sub.index.set(index);
    let _ = sub.models.set(ctx.shared_modules());
    let _ = sub.module_names.set(ctx.shared_names());
    let _ = sub.own_facts.set(ctx.module_facts().to_vec());
    sub
}

/// The cores to lint one file on: all of them. Asked once: on Linux the answer reads the
/// cgroup files (`check` would read them once per file).
pub fn threads() -> usize {
    static THREADS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *THREADS.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Parses and lints a text of a project, on `threads` threads when it is large (see [`lint`]).
pub fn lint_source_in(
    source: &str,
    file: &super::FileInfo,
    config: &crate::config::Config,
    project: &crate::project::ProjectIndex,
    threads: usize,
) -> LintOutput {
    let started = std::time::Instant::now();
    let tree = crate::syntax::parse(source);
    if source.len() >= MIN_BYTES {
        tracing::debug!(file = %file.display, elapsed = ?started.elapsed(), "parsed");
    }
    let rope = ropey::Rope::from_str(source);
    let ctx = LintContext::new(source, &rope, &tree, file, config).with_project(project);
    lint(&ctx, threads)
}

/// Parses and lints a text of a project as [`lint_source_in`] does, and reads its project
/// facts from the same context (as [`super::lint_document_with_facts`] does).
pub fn lint_source_with_facts(
    source: &str,
    file: &super::FileInfo,
    config: &crate::config::Config,
    project: &crate::project::ProjectIndex,
    threads: usize,
) -> (LintOutput, crate::project::FileFacts) {
    let (findings, facts, _) =
        lint_parsed_with_facts(source, (None, None), file, config, project, threads);
    (findings, facts)
}

/// [`lint_source_with_facts`] of a text whose tree or syntax scan may be at hand already
/// (`kept`: a parse of exactly `source` and its [`crate::syntax::scanner::problems`], as the
/// project index keeps them for the files it parsed or tokenized), also handing back the
/// text's rope (a report needs one). A one-shot lint needs no [`crate::document::Document`]:
/// its copy of the text for the parser, its scan for lone carriage returns and its own parser
/// serve only edits.
pub fn lint_parsed_with_facts(
    source: &str,
    kept: (
        Option<crate::syntax::SyntaxTree>,
        Option<Vec<crate::syntax::scanner::Problem>>,
    ),
    file: &super::FileInfo,
    config: &crate::config::Config,
    project: &crate::project::ProjectIndex,
    threads: usize,
) -> (LintOutput, crate::project::FileFacts, ropey::Rope) {
    let rope = ropey::Rope::from_str(source);
    let (tree, problems) = kept;
    let tree = tree.unwrap_or_else(|| crate::syntax::parse(source));
    let ctx = LintContext::new(source, &rope, &tree, file, config).with_project(project);
    if let Some(problems) = problems {
        let _ = ctx.scanned.set(problems);
    }
    let findings = lint(&ctx, threads);
    let facts = crate::project::facts::extract(&ctx);
    drop(ctx);
    (findings, facts, rope)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::document::Document;
    use crate::lint::FileInfo;
    use crate::lint::incremental::tests::{as_module, elixir_files, fixture_files};
    use crate::project::ProjectIndex;

    /// The plain lint and the split lint of `text`, as comparable text (every field of every
    /// finding, in order).
    fn both(text: &str, path: &str, threads: usize) -> (String, String) {
        let doc = Document::new(text, 0);
        let file = FileInfo::new(path);
        let config = Config::default();
        let project = ProjectIndex::empty();
        let ctx =
            || LintContext::new(text, doc.rope(), doc.tree(), &file, &config).with_project(project);
        let plain = format!("{:#?}", crate::lint::lint(&ctx()));
        let split = format!("{:#?}", lint_split(&ctx(), threads));
        (plain, split)
    }

    fn assert_same(text: &str, path: &str, threads: usize) {
        let (plain, split) = both(text, path, threads);
        if plain != split {
            let first = plain
                .lines()
                .zip(split.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(0);
            let show = |s: &str| {
                s.lines()
                    .skip(first.saturating_sub(5))
                    .take(30)
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            panic!(
                "{path}: the split lint differs from a plain lint\n--- plain ---\n{}\n--- split ---\n{}",
                show(&plain),
                show(&split)
            );
        }
    }

    #[test]
    fn split_lint_equals_plain_lint_on_the_docs_examples() {
        let examples: Vec<String> = registry::RULES
            .iter()
            .flat_map(|r| [as_module(r.meta.docs.bad), as_module(r.meta.docs.good)])
            .collect();
        for text in &examples {
            for path in ["lib/example.ex", "test/example_test.exs"] {
                assert_same(text, path, 2);
            }
        }
        // All of them in one file: many modules and functions, parts of several units each.
        let all: String = examples.concat();
        for threads in [2, 3, 8] {
            assert_same(&all, "lib/all.ex", threads);
        }
    }

    #[test]
    fn the_whole_text_rules_exist() {
        for code in WHOLE_TEXT {
            let rule = registry::RULES.iter().find(|r| r.meta.code == *code);
            assert!(
                rule.is_some_and(|r| r.check.is_some()),
                "no native rule {code}"
            );
        }
    }

    #[test]
    fn split_lint_equals_plain_lint_on_the_fixtures() {
        let files = fixture_files();
        for (path, text) in &files {
            assert_same(text, path, 2);
        }
    }

    /// A large file goes through the split (with the threshold), and a broken one too.
    #[test]
    fn split_lint_equals_plain_lint_on_a_large_file() {
        let mut text =
            String::from("defmodule Big do\n  @moduledoc \"Big.\"\n\n  alias Big.Repo\n\n");
        let mut n = 0;
        while text.len() < MIN_BYTES + 10_000 {
            text.push_str(&format!(
                "  @doc \"Step {n}.\"\n  def step_{n}(record, opts \\\\ []) do\n    IO.inspect(record, label: \"step {n}\")\n    if opts[:x] do\n      if record.y do\n        case Repo.get(Big, record.id) do\n          nil -> String.to_atom(opts[:name])\n          found -> found |> IO.inspect() |> Map.put(:n, {n})\n        end\n      end\n    end\n  end\n\n  defp helper_{n}(x), do: x+1\n\n"
            ));
            n += 1;
        }
        text.push_str("end\n");
        assert!(text.len() >= MIN_BYTES);
        let doc = Document::new(&text, 0);
        let file = FileInfo::new("lib/big.ex");
        let config = Config::default();
        let ctx = || LintContext::new(&text, doc.rope(), doc.tree(), &file, &config);
        let plain = crate::lint::lint(&ctx());
        assert!(
            plain.len() > 1000,
            "too few findings for the test to mean much"
        );
        assert_eq!(format!("{plain:#?}"), format!("{:#?}", lint(&ctx(), 2)));
        // A syntax error in the middle.
        let broken = text.replacen("def step_7(", "def step_7((", 1);
        assert_same(&broken, "lib/big.ex", 2);
    }

    /// The same comparison over a real project (not in the repository), by hand:
    /// `LADDER_DIFF_ROOT=/path/to/project cargo test -p ladder-ls --release --lib split_lint_on_a_real_project -- --ignored`.
    #[test]
    #[ignore]
    fn split_lint_on_a_real_project() {
        let Ok(root) = std::env::var("LADDER_DIFF_ROOT") else {
            return;
        };
        let files = elixir_files(std::path::Path::new(&root));
        for (path, text) in &files {
            assert_same(text, path, 2);
        }
        eprintln!(
            "{} files: the split lint equals the plain lint",
            files.len()
        );
    }
}
