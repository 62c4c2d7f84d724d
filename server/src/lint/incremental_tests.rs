//! The incremental lint against a full lint of the same text, after thousands of edits in and
//! around function clauses: they must agree finding for finding.

use std::sync::Arc;

use super::*;
use crate::config::Config;
use crate::document::Document;
use crate::lint::lint;
use crate::lint::registry::RULES as RULES_FOR_TESTS;

/// A small, deterministic random source (xorshift), so a failure repeats.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Text typed into functions: code that rules flag, code that breaks the syntax, whitespace.
const INSERTS: &[&str] = &[
    " ",
    "x",
    "\n",
    "IO.inspect(a)\n",
    "  # TODO: later\n",
    "1000000",
    "unless ok do\n  a\nelse\n  b\nend\n",
    "end\n",
    "(",
    "\"",
    "Enum.map(list, fn id -> Repo.get(User, id) end)\n",
    "if a == a, do: :same\n",
    "dbg(value)\n",
    "rescue\n  _ -> nil\n",
    "password = \"hunter2hunter2\"\n",
    "length(items) == 0\n",
    "  def extra(a), do: a\n",
    "@doc \"More.\"\n",
    "very_long_name_that_makes_the_line_too_long_for_the_formatter_and_for_the_line_length_rule_too = 1\n",
];

/// Moves `at` back to a char boundary of `text`.
fn boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn edit(text: &str, rng: &mut Rng) -> String {
    let doc = Document::new(text, 0);
    let segs = crate::lint::segments::segments(doc.tree(), text);
    // Mostly inside a function clause, where typing happens; sometimes anywhere.
    let at = match segs.units.len() {
        n if n > 0 && rng.below(10) < 8 => {
            let unit = &segs.units[rng.below(n)];
            unit.range.start + rng.below(unit.range.len())
        }
        _ => rng.below(text.len() + 1),
    };
    let at = boundary(text, at);
    let mut out = text.to_string();
    match rng.below(4) {
        0 => {
            let end = boundary(text, at + 1 + rng.below(6));
            out.replace_range(at..end, "");
        }
        1 => {
            // Duplicate the line: a clause grows, or a copy of a clause appears.
            let start = crate::syntax::elixir::line_start(text, at);
            let end = crate::syntax::elixir::line_end_with_terminator(text, at);
            out.insert_str(start, &text[start..end]);
        }
        _ => out.insert_str(at, INSERTS[rng.below(INSERTS.len())]),
    }
    out
}

fn lint_full(text: &str, file: &FileInfo, config: &Config, project: &ProjectIndex) -> String {
    let doc = Document::new(text, 0);
    let ctx = LintContext::new(text, doc.rope(), doc.tree(), file, config).with_project(project);
    format!("{:#?}", lint(&ctx))
}

/// Lints `text` through `cache` and checks it against a full lint; returns how it went.
fn check_step(
    text: &str,
    file: &FileInfo,
    config: &Config,
    project: &Arc<ProjectIndex>,
    cache: &mut LintCache,
) -> Reuse {
    let doc = Document::new(text, 0);
    let ctx = LintContext::new(text, doc.rope(), doc.tree(), file, config).with_project(project);
    let incremental = format!("{:#?}", lint_incremental(&ctx, project, cache));
    let full = lint_full(text, file, config, project);
    if incremental != full {
        let diff: Vec<String> = diff_lines(&full, &incremental);
        panic!(
            "{}: the incremental lint differs from a full lint\n--- text ---\n{text}\n--- diff (- full, + incremental) ---\n{}",
            file.display,
            diff.join("\n")
        );
    }
    cache.last()
}

fn diff_lines(a: &str, b: &str) -> Vec<String> {
    let a: Vec<&str> = a.lines().collect();
    let b: Vec<&str> = b.lines().collect();
    let mut out = Vec::new();
    for l in &a {
        if !b.contains(l) {
            out.push(format!("- {l}"));
        }
    }
    for l in &b {
        if !a.contains(l) {
            out.push(format!("+ {l}"));
        }
    }
    out.truncate(80);
    out
}

/// Runs `steps` random edits over `text`, comparing every lint; returns (units re-linted,
/// units seen) over the incremental steps.
fn run_sequence(text: &str, path: &str, seed: u64, steps: usize) -> (usize, usize) {
    let file = FileInfo::new(path);
    let config = Config::default();
    let project = Arc::new(ProjectIndex::default());
    let mut cache = LintCache::default();
    let mut rng = Rng(seed | 1);
    let mut text = text.to_string();
    check_step(&text, &file, &config, &project, &mut cache);
    let (mut relinted, mut seen) = (0, 0);
    for _ in 0..steps {
        text = edit(&text, &mut rng);
        let reuse = check_step(&text, &file, &config, &project, &mut cache);
        if !reuse.full {
            relinted += reuse.relinted;
            seen += reuse.units;
        }
    }
    (relinted, seen)
}

/// A documentation example as a file: wrapped in a module unless it is one.
fn as_module(example: &str) -> String {
    if example.trim_start().starts_with("defmodule") {
        return format!("{example}\n");
    }
    let body: String = example.lines().map(|l| format!("  {l}\n")).collect();
    format!("defmodule Example do\n{body}end\n")
}

/// Every rule's bad and good examples, as modules.
fn doc_examples() -> Vec<String> {
    RULES_FOR_TESTS
        .iter()
        .flat_map(|r| [as_module(r.meta.docs.bad), as_module(r.meta.docs.good)])
        .collect()
}

#[test]
fn incremental_lint_equals_full_lint_on_the_docs_examples() {
    let all = doc_examples();
    for (i, text) in all.iter().enumerate() {
        for path in ["lib/example.ex", "test/example_test.exs"] {
            run_sequence(text, path, 0x9e37_79b9 + i as u64, 12);
        }
    }
}

#[test]
fn incremental_lint_equals_full_lint_on_a_large_file_and_reuses_most_functions() {
    // Every bad example in one file: many modules, many clauses with findings.
    let text: String = RULES_FOR_TESTS
        .iter()
        .map(|r| as_module(r.meta.docs.bad))
        .collect();
    let (relinted, seen) = run_sequence(&text, "lib/big.ex", 42, 150);
    assert!(seen > 0, "no incremental step at all");
    // An edit inside one clause re-lints that clause (two at most, when a line is duplicated
    // across a boundary), not the file.
    assert!(
        relinted * 10 < seen,
        "re-linted {relinted} of {seen} units: the cache is not reused"
    );
}

#[test]
fn incremental_lint_equals_full_lint_on_the_fixture_projects() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures");
    let mut files = Vec::new();
    collect(&root, &mut files);
    assert!(
        files.len() > 20,
        "fixtures not found under {}",
        root.display()
    );
    for (i, path) in files.iter().enumerate() {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let rel = path
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        // `sample_app/lib/x.ex` → `lib/x.ex`: the path inside its Mix project.
        let project_rel = rel.split_once('/').map_or(rel.as_str(), |(_, r)| r);
        run_sequence(&text, project_rel, 7 + i as u64, 10);
    }
}

fn collect(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "ex" || e == "exs") {
            out.push(path);
        }
    }
}

/// The same check over a real project (not in the repository), for use by hand:
/// `LADDER_DIFF_ROOT=/path/to/project cargo test -p ladder-ls --release --lib real_project -- --ignored`.
#[test]
#[ignore]
fn incremental_lint_equals_full_lint_on_a_real_project() {
    let Ok(root) = std::env::var("LADDER_DIFF_ROOT") else {
        return;
    };
    let root = std::path::PathBuf::from(root);
    let mut files = Vec::new();
    collect(&root, &mut files);
    let steps: usize = std::env::var("LADDER_DIFF_STEPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let (mut relinted, mut seen) = (0, 0);
    for (i, path) in files.iter().enumerate() {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let rel = path
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let (r, s) = run_sequence(&text, &rel, 1 + i as u64, steps);
        relinted += r;
        seen += s;
    }
    eprintln!(
        "{} files, re-linted {relinted} of {seen} units",
        files.len()
    );
}

/// The findings of the function-scoped rules on `text`.
fn function_scoped(text: &str, file: &FileInfo, config: &Config) -> Vec<Finding> {
    let doc = Document::new(text, 0);
    let ctx = LintContext::new(text, doc.rope(), doc.tree(), file, config);
    let mut out = Vec::new();
    for rule in RULES_FOR_TESTS {
        if rule.meta.scope == Scope::Function {
            run_rule(rule, &ctx, &mut out);
        }
    }
    out.iter().map(|f| shifted(f, 0)).collect()
}

fn describe(findings: &[Finding]) -> Vec<String> {
    let mut out: Vec<String> = findings.iter().map(|f| format!("{f:?}")).collect();
    out.sort();
    out
}

/// What makes a rule [`Scope::Function`]: its findings in a clause do not change when every
/// other clause is removed, and its findings between clauses do not change when all clauses
/// are removed. Random edits rarely break a link between two functions; this removes them all.
fn assert_findings_are_local(text: &str, path: &str) {
    let file = FileInfo::new(path);
    let config = Config::default();
    let doc = Document::new(text, 0);
    let segs = crate::lint::segments::segments(doc.tree(), text);
    let whole = function_scoped(text, &file, &config);
    let gaps = gap_ranges(&segs, text.len());
    let skeleton: String = gaps.iter().map(|g| &text[g.clone()]).collect();
    // Between clauses: the skeleton alone gives the same findings, moved.
    let mut in_gaps = Vec::new();
    for f in &whole {
        if let Some(Segment::Gap(i)) = segment_of(f, &segs, &gaps) {
            let before: usize = segs.units[..i].iter().map(|u| u.range.len()).sum();
            in_gaps.push(shifted(f, -(before as isize)));
        }
    }
    let alone = function_scoped(&skeleton, &file, &config);
    assert_eq!(
        describe(&in_gaps),
        describe(&alone),
        "{path}: findings between clauses depend on the clauses\n{text}"
    );
    // In each clause: the skeleton plus that clause gives the same findings, moved.
    for (k, unit) in segs.units.iter().enumerate() {
        let mut only = String::new();
        for (i, gap) in gaps.iter().enumerate() {
            only.push_str(&text[gap.clone()]);
            if i == k {
                only.push_str(&text[unit.range.clone()]);
            }
        }
        let before: usize = segs.units[..k].iter().map(|u| u.range.len()).sum();
        let expected: Vec<Finding> = whole
            .iter()
            .filter(|f| unit.range.contains(&f.range.start))
            .map(|f| shifted(f, -(before as isize)))
            .collect();
        let start = unit.range.start - before;
        let range = start..start + unit.range.len();
        let got: Vec<Finding> = function_scoped(&only, &file, &config)
            .into_iter()
            .filter(|f| range.contains(&f.range.start))
            .collect();
        assert_eq!(
            describe(&expected),
            describe(&got),
            "{path}: findings in `{}` depend on other clauses\n{text}",
            text[unit.range.clone()].lines().next().unwrap_or("").trim()
        );
    }
}

/// Code where one function's findings hang on another's: what a rule must be
/// [`Scope::File`] for.
const LINKED_FUNCTIONS: &[&str] = &[
    // `function-name` reports a name once, at its last clause.
    "defmodule Shop.Cart do\n  def addItem(cart, nil), do: cart\n\n  def addItem(cart, item) do\n    [item | cart]\n  end\nend\n",
    // `query-in-loop` follows local helpers that query.
    "defmodule Shop.Orders do\n  alias Shop.Repo\n\n  def totals(ids) do\n    Enum.map(ids, fn id -> load(id) end)\n  end\n\n  defp load(id) do\n    Repo.get(Shop.Order, id)\n  end\nend\n",
    // Request input flows through a private helper into SQL.
    "defmodule ShopWeb.SearchController do\n  use ShopWeb, :controller\n\n  def index(conn, %{\"q\" => q}) do\n    rows = run(q)\n    json(conn, rows)\n  end\n\n  defp run(q) do\n    Ecto.Adapters.SQL.query!(Shop.Repo, \"SELECT * FROM items WHERE name = '#{q}'\")\n  end\nend\n",
    // A predicate-like name that implements a callback.
    "defmodule Shop.Check do\n  @behaviour Shop.Rule\n\n  @impl true\n  def is_valid(a), do: a\n\n  def is_valid(a, b), do: a and b\nend\n",
];

#[test]
fn function_scoped_findings_depend_on_their_own_clause_only() {
    for text in LINKED_FUNCTIONS {
        assert_findings_are_local(text, "lib/shop.ex");
    }
    for text in doc_examples() {
        for path in ["lib/example.ex", "test/example_test.exs"] {
            assert_findings_are_local(&text, path);
        }
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures");
    let mut files = Vec::new();
    collect(&root, &mut files);
    for path in files {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let rel = path
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let project_rel = rel.split_once('/').map_or(rel.as_str(), |(_, r)| r);
        assert_findings_are_local(&text, project_rel);
    }
}

/// [`function_scoped_findings_depend_on_their_own_clause_only`] over a real project, by hand:
/// `LADDER_DIFF_ROOT=/path/to/project cargo test -p ladder-ls --release --lib locality_on_a_real_project -- --ignored`.
#[test]
#[ignore]
fn locality_on_a_real_project() {
    let Ok(root) = std::env::var("LADDER_DIFF_ROOT") else {
        return;
    };
    let root = std::path::PathBuf::from(root);
    let mut files = Vec::new();
    collect(&root, &mut files);
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let rel = path
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        assert_findings_are_local(&text, &rel);
    }
    eprintln!("{} files", files.len());
}
