//! The incremental lint against a full lint of the same text, after thousands of edits in and
//! around function clauses: they must agree finding for finding.

use std::sync::Arc;

use super::*;
use crate::config::Config;
use crate::document::Document;
use crate::lint::lint;
use crate::lint::registry::RULES as RULES_FOR_TESTS;

/// A small, deterministic random source (xorshift), so a failure repeats.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    /// A number below `n` (0 when `n` is 0).
    pub(crate) fn below(&mut self, n: usize) -> usize {
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
    edit_with(text, rng, INSERTS)
}

fn edit_with(text: &str, rng: &mut Rng, inserts: &[&str]) -> String {
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
        _ => out.insert_str(at, inserts[rng.below(inserts.len())]),
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
    let first = a
        .iter()
        .zip(&b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    let from = first.saturating_sub(12);
    let mut out = vec![format!(
        "first difference at line {first} of {} / {}",
        a.len(),
        b.len()
    )];
    out.extend(
        a[from..(first + 8).min(a.len())]
            .iter()
            .map(|l| format!("- {l}")),
    );
    out.extend(
        b[from..(first + 8).min(b.len())]
            .iter()
            .map(|l| format!("+ {l}")),
    );
    out
}

/// Runs `steps` random edits over `text`, comparing every lint; returns (units re-linted,
/// units seen) over the incremental steps.
fn run_sequence(text: &str, path: &str, seed: u64, steps: usize) -> (usize, usize) {
    run_edits(text, path, seed, steps, |t, rng| Some(edit(t, rng)))
        .iter()
        .filter(|r| !r.full)
        .fold((0, 0), |(relinted, seen), r| {
            (relinted + r.relinted, seen + r.units)
        })
}

/// Up to `steps` edits that `edit` makes over `text` (it may decline one), comparing every
/// lint with a full one; returns how each edit's lint went.
fn run_edits(
    text: &str,
    path: &str,
    seed: u64,
    steps: usize,
    mut edit: impl FnMut(&str, &mut Rng) -> Option<String>,
) -> Vec<Reuse> {
    let file = FileInfo::new(path);
    let config = Config::default();
    let project = Arc::new(ProjectIndex::default());
    let mut cache = LintCache::default();
    let mut rng = Rng(seed | 1);
    let mut text = text.to_string();
    check_step(&text, &file, &config, &project, &mut cache);
    let mut out = Vec::new();
    for _ in 0..steps {
        let Some(next) = edit(&text, &mut rng) else {
            continue;
        };
        text = next;
        out.push(check_step(&text, &file, &config, &project, &mut cache));
    }
    out
}

/// A documentation example as a file: wrapped in a module unless it is one.
pub(crate) fn as_module(example: &str) -> String {
    if example.trim_start().starts_with("defmodule") {
        return format!("{example}\n");
    }
    let body: String = example.lines().map(|l| format!("  {l}\n")).collect();
    format!("defmodule Example do\n{body}end\n")
}

/// Every rule's bad example that parses, as modules in one file: many modules, many functions
/// with findings.
pub(crate) fn bad_examples_file() -> String {
    RULES_FOR_TESTS
        .iter()
        .map(|r| as_module(r.meta.docs.bad))
        .filter(|m| !Document::new(m, 0).tree().root_node().has_error())
        .collect()
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

/// Typing that keeps the code valid: a statement added at the start of a body line, or one such
/// statement taken out again.
fn valid_edit(text: &str, rng: &mut Rng) -> String {
    const LINE: &str = "_ = :typed\n";
    for _ in 0..50 {
        let doc = Document::new(text, 0);
        let segs = crate::lint::segments::segments(doc.tree(), text);
        let Some(unit) = segs.units.get(rng.below(segs.units.len())) else {
            break;
        };
        // From the first clause on (comments right above it are in the unit too).
        let from = unit.node.start_byte();
        let body = &text[from..unit.range.end];
        let mut out = text.to_string();
        if let Some(at) = body.find(LINE).filter(|_| rng.below(2) == 0) {
            let start = from + at;
            out.replace_range(start..start + LINE.len(), "");
        } else {
            // Starts of the lines after the first, the last line's end excluded.
            let lines: Vec<usize> = body.match_indices('\n').map(|(i, _)| i + 1).collect();
            if lines.len() < 2 {
                continue;
            }
            let line = &lines[rng.below(lines.len() - 1)];
            let line = from + line;
            let indent = text[line..].len() - text[line..].trim_start_matches(' ').len();
            out.insert_str(line + indent, &format!("{LINE}{}", " ".repeat(indent)));
        }
        if !Document::new(&out, 0).tree().root_node().has_error() {
            return out;
        }
    }
    text.to_string()
}

#[test]
fn incremental_lint_equals_full_lint_on_a_large_file_and_reuses_most_functions() {
    let text = bad_examples_file();
    let file = FileInfo::new("lib/big.ex");
    let config = Config::default();
    let project = Arc::new(ProjectIndex::default());
    let mut cache = LintCache::default();
    let mut rng = Rng(42);
    let mut text = text;
    check_step(&text, &file, &config, &project, &mut cache);
    let (mut relinted, mut seen, mut steps) = (0, 0, 0);
    for _ in 0..150 {
        text = valid_edit(&text, &mut rng);
        let reuse = check_step(&text, &file, &config, &project, &mut cache);
        if !reuse.full {
            relinted += reuse.relinted;
            seen += reuse.units;
            steps += 1;
        }
    }
    // Adding `_ = :typed` changes no signature and no skeleton: every step reuses the cache,
    // and re-lints the one function typed in.
    assert_eq!(steps, 150, "steps that reused the cache");
    assert!(
        relinted <= steps,
        "re-linted {relinted} functions in {steps} one-function edits"
    );
    assert!(
        seen > 20 * steps,
        "too few functions for the test to mean much"
    );
}

#[test]
fn incremental_lint_equals_full_lint_on_the_fixture_projects() {
    for (i, (path, text)) in fixture_files().iter().enumerate() {
        run_sequence(text, path, 7 + i as u64, 10);
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

/// Every readable `.ex`/`.exs` file under `root`, in a stable order, with its `/`-separated path
/// relative to `root`.
pub(crate) fn elixir_files(root: &std::path::Path) -> Vec<(String, String)> {
    let mut paths = Vec::new();
    collect(root, &mut paths);
    paths
        .iter()
        .filter_map(|path| {
            let text = std::fs::read_to_string(path).ok()?;
            let rel = path
                .strip_prefix(root)
                .ok()?
                .to_string_lossy()
                .replace('\\', "/");
            Some((rel, text))
        })
        .collect()
}

/// The fixtures' files with their paths inside their Mix project (`sample_app/lib/x.ex` →
/// `lib/x.ex`).
pub(crate) fn fixture_files() -> Vec<(String, String)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures");
    let files = elixir_files(&root);
    assert!(
        files.len() > 20,
        "fixtures not found under {}",
        root.display()
    );
    files
        .into_iter()
        .map(|(rel, text)| {
            let project_rel = rel
                .split_once('/')
                .map_or(rel.clone(), |(_, r)| r.to_string());
            (project_rel, text)
        })
        .collect()
}

/// The same check over a real project (not in the repository), for use by hand:
/// `LADDER_DIFF_ROOT=/path/to/project cargo test -p ladder-ls --release --lib real_project -- --ignored`.
#[test]
#[ignore]
fn incremental_lint_equals_full_lint_on_a_real_project() {
    let Ok(root) = std::env::var("LADDER_DIFF_ROOT") else {
        return;
    };
    let files = elixir_files(std::path::Path::new(&root));
    let steps: usize = std::env::var("LADDER_DIFF_STEPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let (mut relinted, mut seen) = (0, 0);
    let (mut heads, mut partial) = (0, 0);
    let (mut clause_renames, mut renamed_partly, mut realigned) = (0, 0, 0);
    let (mut prose_edits, mut prose_partly) = (0, 0);
    for (i, (rel, text)) in files.iter().enumerate() {
        let (r, s) = run_sequence(text, rel, 1 + i as u64, steps);
        relinted += r;
        seen += s;
        let (h, p) = run_head_sequence(text, rel, 1 + i as u64, steps);
        heads += h;
        partial += p;
        let renames = run_edits(text, rel, 1 + i as u64, steps, clause_rename);
        let (n, p) = tally(&renames);
        clause_renames += n;
        renamed_partly += p;
        realigned += renames.iter().filter(|r| r.realigned && !r.full).count();
        let (n, p) = tally(&run_edits(text, rel, 1 + i as u64, steps, prose_edit));
        prose_edits += n;
        prose_partly += p;
    }
    eprintln!(
        "{} files, re-linted {relinted} of {seen} units; {partial} of {heads} head edits re-linted part of their file; {renamed_partly} of {clause_renames} renames of one clause of several re-linted part of their file ({realigned} realigned to a new cut); {prose_partly} of {prose_edits} edits in docs re-linted part of their file",
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

/// A stand-in for a unit with the same signature (kinds, names, arities) and nothing else.
fn stub(unit: &crate::lint::segments::Unit<'_>, src: &str) -> String {
    let mut out = String::new();
    for clause in crate::lint::segments::clauses(unit) {
        let Some(def) = crate::syntax::elixir::function_def(clause, src) else {
            out.push_str(&format!("  {}\n", &src[clause.byte_range()]));
            continue;
        };
        let arities = def.arities(src);
        let params: Vec<String> = (0..*arities.end())
            .map(|i| {
                if i < *arities.start() {
                    format!("_p{i}")
                } else {
                    format!("_p{i} \\\\ nil")
                }
            })
            .collect();
        let kind = crate::syntax::elixir::local_call_name(clause, src).unwrap_or("def");
        let tail = match kind {
            "defguard" | "defguardp" => " when is_nil(_p0)".to_string(),
            "defdelegate" => ", to: Stub".to_string(),
            _ => ", do: nil".to_string(),
        };
        out.push_str(&format!(
            "  {kind} {}({}){tail}\n",
            def.name,
            params.join(", ")
        ));
    }
    out
}

/// What makes a rule [`Scope::Function`]: its findings in a function do not change when every
/// other function is replaced by a stand-in of the same signature, and its findings between
/// functions do not change when all are. Random edits rarely break a link between two
/// functions; this breaks them all.
fn assert_findings_are_local(text: &str, path: &str) {
    let file = FileInfo::new(path);
    let config = Config::default();
    let doc = Document::new(text, 0);
    let segs = crate::lint::segments::segments(doc.tree(), text);
    let whole = function_scoped(text, &file, &config);
    let gaps = gap_ranges(&segs, text.len());
    let stubs: Vec<String> = segs.units.iter().map(|u| stub(u, text)).collect();
    // The text with the units in `keep` as written and the others stubbed, and where each
    // unit starts in it.
    let variant = |keep: Option<usize>| {
        let mut out = String::new();
        let mut starts = Vec::new();
        for (i, gap) in gaps.iter().enumerate() {
            out.push_str(&text[gap.clone()]);
            if let Some(unit) = segs.units.get(i) {
                starts.push(out.len());
                if keep == Some(i) {
                    out.push_str(&text[unit.range.clone()]);
                } else {
                    out.push_str(&stubs[i]);
                }
            }
        }
        (out, starts)
    };
    // Between functions: the skeleton with stand-ins gives the same findings, moved.
    let (skeleton, starts) = variant(None);
    let mut in_gaps = Vec::new();
    for f in &whole {
        if let Some(Segment::Gap(i)) = segment_of(f, &segs, &gaps) {
            // Gap `i` moved by what the stand-ins before it changed.
            let new_start = if i == 0 {
                0
            } else {
                starts[i - 1] + stubs[i - 1].len()
            };
            in_gaps.push(shifted(f, new_start as isize - gaps[i].start as isize));
        }
    }
    let in_units_of_skeleton = |f: &Finding| {
        starts
            .iter()
            .zip(&stubs)
            .any(|(s, st)| (*s..s + st.len()).contains(&f.range.start))
    };
    let alone: Vec<Finding> = function_scoped(&skeleton, &file, &config)
        .into_iter()
        .filter(|f| !in_units_of_skeleton(f))
        .collect();
    assert_eq!(
        describe(&in_gaps),
        describe(&alone),
        "{path}: findings between clauses depend on the clauses\n{text}"
    );
    // In each function: the skeleton, stand-ins and that function give the same findings, moved.
    for (k, unit) in segs.units.iter().enumerate() {
        let (only, starts) = variant(Some(k));
        let by = starts[k] as isize - unit.range.start as isize;
        let expected: Vec<Finding> = whole
            .iter()
            .filter(|f| unit.range.contains(&f.range.start))
            .map(|f| shifted(f, by))
            .collect();
        let range = starts[k]..starts[k] + unit.range.len();
        let got: Vec<Finding> = function_scoped(&only, &file, &config)
            .into_iter()
            .filter(|f| range.contains(&f.range.start))
            .collect();
        assert_eq!(
            describe(&expected),
            describe(&got),
            "{path}: findings in `{}` depend on other functions\n{text}",
            text[unit.range.clone()].lines().next().unwrap_or("").trim()
        );
    }
}

/// Code where one function's findings hang on another's: what a rule must be
/// [`Scope::File`] for, or what the signatures in the cache key cover.
const LINKED_FUNCTIONS: &[&str] = &[
    // `function-name` reports a name once, at its last clause.
    "defmodule Shop.Cart do\n  def addItem(cart, nil), do: cart\n\n  def addItem(cart, item) do\n    [item | cart]\n  end\nend\n",
    // `query-in-loop` follows local helpers that query.
    "defmodule Shop.Orders do\n  alias Shop.Repo\n\n  def totals(ids) do\n    Enum.map(ids, fn id -> load(id) end)\n  end\n\n  defp load(id) do\n    Repo.get(Shop.Order, id)\n  end\nend\n",
    // Request input flows through a private helper into SQL.
    "defmodule ShopWeb.SearchController do\n  use ShopWeb, :controller\n\n  def index(conn, %{\"q\" => q}) do\n    rows = run(q)\n    json(conn, rows)\n  end\n\n  defp run(q) do\n    Ecto.Adapters.SQL.query!(Shop.Repo, \"SELECT * FROM items WHERE name = '#{q}'\")\n  end\nend\n",
    // A predicate-like name that implements a callback.
    "defmodule Shop.Check do\n  @behaviour Shop.Rule\n\n  @impl true\n  def is_valid(a), do: a\n\n  def is_valid(a, b), do: a and b\nend\n",
    // A supervisor's functions: `init/1` makes the module one.
    "defmodule Shop.Telemetry do\n  use Supervisor\n\n  def start_link(arg) do\n    Supervisor.start_link(__MODULE__, arg, name: __MODULE__)\n  end\n\n  def init(_arg) do\n    Supervisor.init([], strategy: :one_for_one)\n  end\n\n  def metrics do\n    [counter(\"shop.orders\")]\n  end\nend\n",
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
    for (path, text) in fixture_files() {
        assert_findings_are_local(&text, &path);
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
    let files = elixir_files(std::path::Path::new(&root));
    for (rel, text) in &files {
        assert_findings_are_local(text, rel);
    }
    eprintln!("{} files", files.len());
}

/// Where the code of the first body line of `unit` starts, when it has a `do` block: where the
/// profiles type.
fn first_body_code(text: &str, unit: &crate::lint::segments::Unit<'_>) -> Option<usize> {
    let head = text[unit.range.clone()].find(" do\n")?;
    let line_end = unit.range.start + head + 4;
    Some(line_end + (text[line_end..].len() - text[line_end..].trim_start().len()))
}

/// Where the time of one incremental re-lint goes, by hand:
/// `LADDER_PROFILE_FILE=path cargo test -p ladder-ls --release --lib profile_one_edit -- --ignored --nocapture`.
#[test]
#[ignore]
fn profile_one_edit() {
    use std::time::Instant;
    let Some(text) = crate::syntax::tree::tests::profile_text() else {
        return;
    };
    let file = FileInfo::new("lib/x.ex");
    let config = Config::default();
    let project = Arc::new(ProjectIndex::default());
    let mut cache = LintCache::default();
    let doc = Document::new(&text, 0);
    // The full lint that fills the cache (with every unit's summaries) against a plain one.
    let ctx =
        LintContext::new(&text, doc.rope(), doc.tree(), &file, &config).with_project(&project);
    let t = Instant::now();
    lint(&ctx);
    let plain = t.elapsed();
    let ctx =
        LintContext::new(&text, doc.rope(), doc.tree(), &file, &config).with_project(&project);
    let t = Instant::now();
    lint_incremental(&ctx, &project, &mut cache);
    let filling = t.elapsed();
    let all: Vec<usize> = (0..ctx.segments().units.len()).collect();
    let t = Instant::now();
    // As the full lint does: spec views are left for each function's first edit.
    crate::lint::summary::exports(&ctx, ctx.segments(), &all, &|_| false);
    eprintln!(
        "full lint {plain:?}; filling the cache {filling:?}, of which every unit's summaries {:?}",
        t.elapsed()
    );
    // Type one character into a body line in the middle of the file.
    let segs = crate::lint::segments::segments(doc.tree(), &text);
    // The first unit from the middle on with a `do` block; type into its first body line.
    let at = segs.units[segs.units.len() / 2..]
        .iter()
        .find_map(|u| first_body_code(&text, u))
        .expect("a function with a do block");
    let mut edited = text.clone();
    edited.insert(at, 'x');
    let n: u32 = std::env::var("LADDER_PROFILE_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(20);
    let mut doc2 = Document::new(&edited, 1);
    let t = Instant::now();
    for _ in 0..n {
        doc2 = Document::new(&edited, 1);
    }
    let parse = t.elapsed() / n;
    let mut per_rule = vec![std::time::Duration::ZERO; RULES_FOR_TESTS.len()];
    let mut total = std::time::Duration::ZERO;
    let zero = std::time::Duration::ZERO;
    let (mut segments_t, mut models_t, mut nodes_t) = (zero, zero, zero);
    let (mut shared_t, mut flow_t, mut facts_t) = (zero, zero, zero);
    for round in 0..n {
        let mut c = LintCache::default();
        std::mem::swap(&mut c, &mut cache);
        let ctx = LintContext::new(&edited, doc2.rope(), doc2.tree(), &file, &config)
            .with_project(&project);
        let t = Instant::now();
        ctx.segments();
        segments_t += t.elapsed();
        let t = Instant::now();
        ctx.modules();
        models_t += t.elapsed();
        let t0 = Instant::now();
        let out = lint_incremental(&ctx, &project, &mut c);
        total += t0.elapsed();
        if round == 0 {
            eprintln!("reuse {:?}, {} findings", c.last(), out.len());
        }
        // Put back the cache of the unedited text, so every round is the same edit.
        let ctx0 =
            LintContext::new(&text, doc.rope(), doc.tree(), &file, &config).with_project(&project);
        lint_incremental(&ctx0, &project, &mut c);
        cache = c;
        let ctx = LintContext::new(&edited, doc2.rope(), doc2.tree(), &file, &config)
            .with_project(&project);
        let t = Instant::now();
        ctx.nodes();
        nodes_t += t.elapsed();
        // Shared models first, so that no rule is charged for building them.
        let t = Instant::now();
        ctx.modules();
        ctx.names();
        shared_t += t.elapsed();
        let t = Instant::now();
        ctx.flow();
        flow_t += t.elapsed();
        let t = Instant::now();
        crate::project::facts::extract(&ctx);
        facts_t += t.elapsed();
        for (i, rule) in RULES_FOR_TESTS.iter().enumerate() {
            if rule.meta.scope == Scope::File {
                let t = Instant::now();
                let mut out = Vec::new();
                run_rule(rule, &ctx, &mut out);
                per_rule[i] += t.elapsed();
            }
        }
    }
    eprintln!(
        "parse {parse:?}; incremental lint {:?} (segments {:?}, models {:?}); a full node walk {:?}",
        total / n,
        segments_t / n,
        models_t / n,
        nodes_t / n
    );
    eprintln!(
        "segments + models + names {:?}; data flow {:?}; project facts {:?}",
        shared_t / n,
        flow_t / n,
        facts_t / n
    );
    let mut rows: Vec<_> = RULES_FOR_TESTS.iter().zip(per_rule).collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.1));
    for (rule, t) in rows.iter().take(20) {
        eprintln!("{:>10.3?} {}", *t / n, rule.meta.code);
    }
}

#[test]
fn incremental_lint_equals_full_lint_while_typing_breaks_and_mends_the_syntax() {
    // The same large file, under edits that often leave syntax errors behind: reuse must hold
    // only where error recovery cannot have changed how a function reads.
    let text: String = RULES_FOR_TESTS
        .iter()
        .map(|r| as_module(r.meta.docs.bad))
        .collect();
    for seed in [42, 7, 2026] {
        run_sequence(&text, "lib/big.ex", seed, 120);
    }
}

/// Lints `before` in full, then `after` through the same cache (checking both against a full
/// lint); returns how the second lint went and its findings of `code`.
fn relint(before: &str, after: &str, path: &str, code: &str) -> (Reuse, Vec<Finding>) {
    let file = FileInfo::new(path);
    let config = Config::default();
    let project = Arc::new(ProjectIndex::default());
    let mut cache = LintCache::default();
    check_step(before, &file, &config, &project, &mut cache);
    let reuse = check_step(after, &file, &config, &project, &mut cache);
    let doc = Document::new(after, 0);
    let ctx = LintContext::new(after, doc.rope(), doc.tree(), &file, &config);
    let found = lint(&ctx).into_iter().filter(|f| f.code == code).collect();
    (reuse, found)
}

/// [`relint`] after the same edit was made and undone once: how the keystrokes after the
/// first in a function go (a full lint leaves the spec views for the first edit).
fn relint_again(before: &str, after: &str, path: &str, code: &str) -> (Reuse, Vec<Finding>) {
    let file = FileInfo::new(path);
    let config = Config::default();
    let project = Arc::new(ProjectIndex::default());
    let mut cache = LintCache::default();
    for text in [before, after, before] {
        check_step(text, &file, &config, &project, &mut cache);
    }
    let reuse = check_step(after, &file, &config, &project, &mut cache);
    let doc = Document::new(after, 0);
    let ctx = LintContext::new(after, doc.rope(), doc.tree(), &file, &config);
    let found = lint(&ctx).into_iter().filter(|f| f.code == code).collect();
    (reuse, found)
}

/// Ordinary functions that call each other by name, so that callers' reaches are wide.
fn filler(n: usize) -> String {
    (0..n)
        .map(|i| {
            format!(
                "  @spec step{i}(map()) :: map()\n  def step{i}(params) do\n    params\n    |> Map.put(:step, {i})\n    |> helper()\n  end\n\n"
            )
        })
        .collect()
}

const SEARCH_LIVE: &str = r#"defmodule ShopWeb.SearchLive do
  use ShopWeb, :live_view

  def handle_event("search", %{"term" => term}, socket) do
    {:noreply, assign(socket, results: run_search(term))}
  end

  def helper(params) do
    Map.delete(params, :ignored)
  end

FILLER
  defp run_search(term) do
    Shop.Repo.query!("SELECT id FROM products WHERE name = '" <> term <> "'")
  end
end
"#;

#[test]
fn a_helper_that_stops_reaching_its_sink_clears_its_callers_finding() {
    let before = SEARCH_LIVE.replace("FILLER", &filler(6));
    let after = before.replace(
        r#"Shop.Repo.query!("SELECT id FROM products WHERE name = '" <> term <> "'")"#,
        r#"Shop.Repo.query!("SELECT id FROM products WHERE name = $1", [term])"#,
    );
    let path = "lib/shop_web/live/search_live.ex";
    let (_, found) = relint(&after, &before, path, "sql-injection");
    assert_eq!(found.len(), 1, "{found:?}");
    // The finding lies in the caller, which the edit did not touch.
    assert!(before[found[0].range.clone()].contains("term"));
    assert!(found[0].range.start < before.find("defp run_search").unwrap());
    let (reuse, found) = relint(&before, &after, path, "sql-injection");
    assert!(found.is_empty(), "{found:?}");
    assert!(!reuse.full);
    assert_eq!(reuse.relinted, 1);
}

#[test]
fn an_edit_that_keeps_a_helpers_summary_rechecks_no_caller() {
    let before = SEARCH_LIVE.replace("FILLER", &filler(12));
    // Typing in the helper's SQL literal: the same parameter still reaches the same sink.
    let after = before.replace("SELECT id FROM", "SELECT id, name FROM");
    let path = "lib/shop_web/live/search_live.ex";
    let (reuse, found) = relint_again(&before, &after, path, "sql-injection");
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(!reuse.full);
    assert_eq!(reuse.relinted, 1);
    // Only the helper itself: its caller reads its summary, which did not change.
    assert_eq!(reuse.reached, 1, "{reuse:?}");

    // Typing in `helper`, which all the `step` functions call: its inferred return type stays
    // `map()`, so none of them is re-checked.
    let after = before.replace(
        "Map.delete(params, :ignored)",
        "Map.delete(params, :ignored_too)",
    );
    let (reuse, _) = relint_again(&before, &after, path, "missing-spec");
    assert!(!reuse.full);
    assert_eq!(reuse.relinted, 1);
    assert_eq!(reuse.reached, 1, "{reuse:?}");
    // The first edit of a function after a full lint re-checks its callers once.
    let (reuse, _) = relint(&before, &after, path, "missing-spec");
    assert!(reuse.reached > 1, "{reuse:?}");
}

#[test]
fn a_callees_new_return_type_changes_its_callers_spec_stub() {
    let text = "defmodule Shop.Orders do\n  def total(order) do\n    sum(order)\n  end\n\n  defp sum(_order) do\n    :none\n  end\nend\n";
    let after = text.replace(":none", "{:ok, 1}");
    let stub = |found: &[Finding]| {
        found
            .iter()
            .find(|f| f.message.contains("total/1"))
            .and_then(|f| f.fix.as_ref())
            .map(|fix| fix.edits[0].new_text.clone())
            .expect("a stub for total/1")
    };
    let (_, before_found) = relint(&after, text, "lib/shop/orders.ex", "missing-spec");
    let (reuse, after_found) = relint_again(text, &after, "lib/shop/orders.ex", "missing-spec");
    assert!(stub(&before_found).contains(":: :none"), "{before_found:?}");
    assert!(stub(&after_found).contains(":: {:ok, "), "{after_found:?}");
    assert!(!reuse.full);
    assert_eq!(reuse.relinted, 1);
    // `sum` and its caller `total`.
    assert_eq!(reuse.reached, 2, "{reuse:?}");
}

#[test]
fn recursion_through_the_edited_function_rechecks_its_callers() {
    // `a` infers through `b`, which calls `a` back: what `a`'s inference reads of `b` is not
    // `b`'s view on its own, so an edit in `b` re-checks `a` even when that view is unchanged.
    let text = "defmodule M do\n  def a(x) do\n    b(x)\n  end\n\n  defp b(x) do\n    if x, do: a(x), else: :ok\n  end\nend\n";
    let after = text.replace("if x, do:", "if x , do:");
    let (reuse, _) = relint_again(text, &after, "lib/m.ex", "missing-spec");
    assert!(!reuse.full);
    assert_eq!(reuse.reached, 2, "{reuse:?}");
}

/// Modules whose functions read each other's summaries: request input through private
/// helpers into sinks, Repo helpers called in loops, changesets validated through other
/// functions, tasks awaited elsewhere, specs inferred through callees.
const CROSS_FUNCTION: &str = r#"defmodule ShopWeb.SearchController do
  use ShopWeb, :controller

  def index(conn, %{"term" => term} = params) do
    rows = run_search(term)
    path = build_path(params["file"])
    send_file(conn, 200, path)
    render(conn, :index, rows: rows, count: count(rows))
  end

  def show(conn, params) do
    id = pick(params["id"])
    redirect(conn, external: id)
  end

  defp run_search(term) do
    Shop.Repo.query!("SELECT id FROM products WHERE name = '" <> term <> "'")
  end

  defp build_path(name) do
    Path.join("/srv/files", name)
  end

  defp pick(value) do
    value
  end

  defp count(rows), do: length(rows)
end

defmodule Shop.Catalog do
  alias Shop.Repo

  def names(ids) do
    Enum.map(ids, fn id -> fetch(id) end)
  end

  def totals(orders) do
    for order <- orders, do: sum(order)
  end

  defp fetch(id), do: Repo.get(Product, id)

  defp sum(order) do
    order.lines
  end

  def start(items) do
    Task.async(fn -> names(items) end)
  end

  def wait(task) do
    Task.await(task)
  end
end

defmodule Shop.Product do
  use Ecto.Schema
  import Ecto.Changeset

  schema "products" do
    field :name, :string
    field :price, :integer
  end

  def changeset(product, attrs) do
    product
    |> cast(attrs, [:name, :price])
    |> checks()
  end

  def quick(product, attrs) do
    cast(product, attrs, [:name])
  end

  defp checks(changeset) do
    validate_required(changeset, [:name])
  end
end
"#;

const CROSS_INSERTS: &[&str] = &[
    " ",
    "x",
    "\n",
    "Shop.Repo.query!(value)\n",
    "String.to_integer(value)",
    "params[\"x\"]",
    "|> validate_required([:price])\n",
    "checks(changeset)\n",
    "Task.await(task)\n",
    "fetch(id)\n",
    "pick(value)",
    "{:ok, 1}\n",
    ":ok\n",
    "%{a: 1}\n",
    "run_search(term)\n",
    "String.to_atom(name)\n",
    "receive do\n  m -> m\nend\n",
    "@doc false\n",
];

#[test]
fn incremental_lint_equals_full_lint_while_editing_functions_others_read() {
    let file = FileInfo::new("lib/shop_web/controllers/search_controller.ex");
    let config = Config::default();
    let project = Arc::new(ProjectIndex::default());
    let mut partial = 0;
    for seed in 1..=24 {
        let mut cache = LintCache::default();
        let mut rng = Rng(seed * 7919);
        let mut text = CROSS_FUNCTION.to_string();
        check_step(&text, &file, &config, &project, &mut cache);
        // Few steps per sequence: broken syntax piles up, and then nothing is reused.
        for _ in 0..25 {
            text = edit_with(&text, &mut rng, CROSS_INSERTS);
            let reuse = check_step(&text, &file, &config, &project, &mut cache);
            partial += usize::from(!reuse.full && reuse.reached < reuse.units);
        }
    }
    // Edits that break the syntax outside a function, or change what the cache is keyed
    // by, make full re-lints; the rest must reuse something.
    assert!(partial > 30, "only {partial} of 600 re-lints were partial");
}

/// [`profile_one_edit`] in every function of a file: one character typed into the first body
/// line of each unit with a `do` block; the distribution of the re-lint's time and reach, by
/// hand: `LADDER_PROFILE_FILE=path cargo test -p ladder-ls --release --lib
/// profile_every_function -- --ignored --nocapture`.
#[test]
#[ignore]
fn profile_every_function() {
    use std::time::{Duration, Instant};
    let Some(text) = crate::syntax::tree::tests::profile_text() else {
        return;
    };
    let file = FileInfo::new("lib/x.ex");
    let config = Config::default();
    let project = Arc::new(ProjectIndex::default());
    let doc = Document::new(&text, 0);
    let segs = crate::lint::segments::segments(doc.tree(), &text);
    let mut rows: Vec<(Duration, usize)> = Vec::new();
    for unit in &segs.units {
        let Some(at) = first_body_code(&text, unit) else {
            continue;
        };
        let mut edited = text.clone();
        edited.insert(at, 'x');
        let doc2 = Document::new(&edited, 1);
        let mut times = Vec::new();
        let mut reached = 0;
        for _ in 0..5 {
            let mut cache = LintCache::default();
            let ctx0 = LintContext::new(&text, doc.rope(), doc.tree(), &file, &config)
                .with_project(&project);
            lint_incremental(&ctx0, &project, &mut cache);
            let ctx = LintContext::new(&edited, doc2.rope(), doc2.tree(), &file, &config)
                .with_project(&project);
            // As in the server, the cut and the module models come with the parse.
            ctx.segments();
            ctx.modules();
            let t = Instant::now();
            lint_incremental(&ctx, &project, &mut cache);
            times.push(t.elapsed());
            reached = cache.last().reached;
        }
        times.sort();
        rows.push((times[2], reached));
    }
    let mut by_time: Vec<Duration> = rows.iter().map(|r| r.0).collect();
    by_time.sort();
    let mut by_reach: Vec<usize> = rows.iter().map(|r| r.1).collect();
    by_reach.sort();
    let at = |q: usize| q * (rows.len() - 1) / 100;
    eprintln!(
        "{} edits over {} units: lint p50 {:?}, p90 {:?}, max {:?}; reached p50 {}, p90 {}, max {}; {} edits reached more than the edited unit",
        rows.len(),
        segs.units.len(),
        by_time[at(50)],
        by_time[at(90)],
        by_time[rows.len() - 1],
        by_reach[at(50)],
        by_reach[at(90)],
        by_reach[rows.len() - 1],
        rows.iter().filter(|r| r.1 > 1).count()
    );
}

#[test]
fn an_await_added_in_another_function_clears_a_task_finding() {
    let text = "defmodule Shop.Jobs do\n  def start(items) do\n    Task.async(fn -> items end)\n  end\n\n  def wait(task) do\n    task\n  end\n\n  def other(x) do\n    x\n  end\nend\n";
    let after = text.replace("    task\n", "    Task.await(task)\n");
    let path = "lib/shop/jobs.ex";
    let (_, found) = relint(&after, text, path, "unsupervised-process");
    assert_eq!(found.len(), 1, "{found:?}");
    let (reuse, found) = relint(text, &after, path, "unsupervised-process");
    assert!(found.is_empty(), "{found:?}");
    assert!(!reuse.full);
    // Typing elsewhere keeps the module's awaiting as it was: only the edited unit.
    let typed = after.replace("    x\n", "    x + 1\n");
    let (reuse, _) = relint_again(&after, &typed, path, "unsupervised-process");
    assert_eq!(reuse.reached, 1, "{reuse:?}");
}

/// An edit of a function's head, as typing a new name or parameter makes: a character in its
/// name, a suffix, a parameter added, `def` and `defp` swapped. `None` when the unit picked has
/// no head to edit.
fn head_edit(text: &str, rng: &mut Rng) -> Option<String> {
    let doc = Document::new(text, 0);
    let segs = crate::lint::segments::segments(doc.tree(), text);
    let unit = segs.units.get(rng.below(segs.units.len().max(1)))?;
    // Any clause: renaming one of several splits the function's unit.
    let clauses = crate::lint::segments::clauses(unit);
    let clause = clauses[rng.below(clauses.len())];
    let (_, name) = crate::syntax::elixir::function_head(clause, text)?;
    let (start, end) = (name.start_byte(), name.end_byte());
    let mut out = text.to_string();
    match rng.below(5) {
        0 => out.insert(start + rng.below(end - start + 1), 'x'),
        1 => out.insert_str(end, "_v2"),
        2 if end - start > 1 => out.replace_range(end - 1..end, ""),
        3 => match text[end..].starts_with('(') {
            true => out.insert_str(end + 1, "extra, "),
            false => out.insert_str(end, "(extra)"),
        },
        _ => {
            let head = clause.start_byte();
            if text[head..].starts_with("defp ") {
                out.replace_range(head..head + 5, "def ");
            } else if text[head..].starts_with("def ") {
                out.replace_range(head..head + 4, "defp ");
            } else {
                return None;
            }
        }
    }
    Some(out)
}

/// How many lints `lints` holds, and how many of them re-linted part of their file.
fn tally(lints: &[Reuse]) -> (usize, usize) {
    (lints.len(), lints.iter().filter(|r| !r.full).count())
}

/// Up to `steps` [`head_edit`]s over `text`, comparing every lint; returns (edits made, edits
/// re-linted incrementally).
fn run_head_sequence(text: &str, path: &str, seed: u64, steps: usize) -> (usize, usize) {
    tally(&run_edits(text, path, seed, steps, head_edit))
}

#[test]
fn incremental_lint_equals_full_lint_while_editing_function_heads() {
    let docs = bad_examples_file();
    let texts = [
        (
            "lib/shop_web/controllers/search_controller.ex",
            CROSS_FUNCTION.to_string(),
        ),
        ("lib/big.ex", docs),
    ];
    let (mut steps, mut partial) = (0, 0);
    for (path, start) in &texts {
        for seed in 1..=6 {
            let (s, p) = run_head_sequence(start, path, seed * 104_729, 20);
            steps += s;
            partial += p;
        }
    }
    // Most head edits keep the units (a new name may join or split one, a full lint then):
    // they must re-check part of the file only.
    assert!(steps > 150, "only {steps} head edits");
    assert!(
        partial * 2 > steps,
        "only {partial} of {steps} head edits were partial re-lints"
    );
}

/// A GenServer and helpers whose functions have several clauses, some calling each other, some
/// with a comment or attributes between their clauses.
const MULTI_CLAUSE: &str = r##"defmodule MyApp.Counter do
  @moduledoc "Counts."
  use GenServer
  require Logger

  @doc "Starts."
  @spec start_link(keyword()) :: GenServer.on_start()
  def start_link(opts), do: GenServer.start_link(__MODULE__, opts, name: __MODULE__)

  @impl true
  def init(opts) do
    {:ok, %{opts: opts, count: 0}}
  end

  @impl true
  def handle_call(:count, _from, state) do
    {:reply, state.count, state}
  end

  def handle_call({:add, n}, _from, state) when is_integer(n) do
    IO.inspect(n)
    {:reply, :ok, %{state | count: state.count + n}}
  end

  def handle_call(:reset, _from, state) do
    {:reply, :ok, reset(state)}
  end

  defp reset(state), do: %{state | count: 0}

  def format(%{count: 0}), do: "none"
  def format(%{count: 1}), do: "one"
  def format(%{count: n}) when n > 1, do: "#{n} items"
  def format(_), do: "?"

  def parse(input) when is_binary(input) do
    case Integer.parse(input) do
      {n, ""} -> {:ok, n}
      _ -> {:error, :invalid}
    end
  end

  # Integers pass through.
  def parse(input) when is_integer(input), do: {:ok, input}

  def total(items), do: Enum.reduce(items, 0, fn i, acc -> acc + count_of(i) end)

  defp count_of(i), do: parse(i) |> elem(1)

  @doc "Looks the items up."
  @spec lookup(module(), [integer()]) :: list()
  def lookup(repo, ids) do
    for id <- ids do
      repo.get(MyApp.Item, id)
    end
  end

  @doc "Looks the items up, with options."
  @spec lookup(module(), [integer()], keyword()) :: list()
  def lookup(repo, ids, opts) do
    Enum.map(ids, fn id -> repo.get(MyApp.Item, id, opts) end)
  end
end
"##;

/// Renames one clause of a function with several (`_v2` added to its name, which splits the
/// function in two or three units), or takes a `_v2` off again (joining them).
fn clause_rename(text: &str, rng: &mut Rng) -> Option<String> {
    if let Some(at) = text.find("_v2").filter(|_| rng.below(2) == 0) {
        let mut out = text.to_string();
        out.replace_range(at..at + 3, "");
        return Some(out);
    }
    let doc = Document::new(text, 0);
    let segs = crate::lint::segments::segments(doc.tree(), text);
    let multi: Vec<_> = segs
        .units
        .iter()
        .map(crate::lint::segments::clauses)
        .filter(|c| c.len() > 1)
        .collect();
    let clauses = multi.get(rng.below(multi.len().max(1)))?;
    let clause = clauses[rng.below(clauses.len())];
    let (_, name) = crate::syntax::elixir::function_head(clause, text)?;
    let mut out = text.to_string();
    out.insert_str(name.end_byte(), "_v2");
    Some(out)
}

#[test]
fn renaming_one_clause_of_several_re_checks_part_of_the_file() {
    let (mut steps, mut partial, mut realigned) = (0, 0, 0);
    for seed in 1..=8 {
        let lints = run_edits(
            MULTI_CLAUSE,
            "lib/my_app/counter.ex",
            seed * 7_919,
            16,
            clause_rename,
        );
        let (n, p) = tally(&lints);
        steps += n;
        partial += p;
        realigned += lints.iter().filter(|r| r.realigned && !r.full).count();
    }
    assert!(steps > 100, "only {steps} renames");
    // The first, a middle or the last clause renamed, and renamed back: the first and the last
    // split or join the function's unit (the cache follows the new cut), a middle one keeps it
    // (one unit holds both names); only the function and its callers are re-checked.
    assert!(
        partial * 10 > steps * 9 && realigned * 4 > steps,
        "{partial} of {steps} renames were partial lints, {realigned} realigned"
    );
    // Attributes between the clauses (`@doc`, `@spec` of `lookup/3`) end up between units:
    // the groups then re-check their whole reach, the functions still only their own.
    let split = MULTI_CLAUSE.replace("def lookup(repo, ids) do", "def lookup_v2(repo, ids) do");
    let mut step = 0;
    let lints = run_edits(MULTI_CLAUSE, "lib/my_app/counter.ex", 1, 2, |_, _| {
        step += 1;
        Some(if step == 1 {
            split.clone()
        } else {
            MULTI_CLAUSE.to_string()
        })
    });
    assert!(lints.iter().all(|r| r.realigned && !r.full), "{lints:?}");
}

#[test]
fn a_join_re_checks_the_callers_of_the_name_that_went() {
    // `helper_b` renamed `helper_a` joins the two helpers into one unit: `caller` no longer
    // calls a function of this module, and what its `@spec` stub infers changes.
    let text = "defmodule MyApp.Join do\n  @moduledoc false\n  def caller(x), do: helper_b(x)\n\n  def other(y), do: y\n\n  defp helper_a(:a), do: :alpha\n\n  defp helper_b(x) when is_integer(x), do: x + 1\nend\n";
    let joined = text.replace("defp helper_b(x)", "defp helper_a(x)");
    let mut step = 0;
    let lints = run_edits(text, "lib/my_app/join.ex", 1, 2, |t, _| {
        step += 1;
        Some(if step == 1 {
            joined.clone()
        } else {
            t.replace("defp helper_a(x)", "defp helper_b(x)")
        })
    });
    assert_eq!(lints.len(), 2);
    assert!(lints.iter().all(|r| r.realigned && !r.full), "{lints:?}");
}

/// A documented context module: heredoc and one-line docs with and without examples, docs
/// between clauses, a `@typedoc`, specs after docs, and code the security, query and spec
/// rules flag around them (in functions outside the units too: two on one line).
const DOCUMENTED: &str = r##"defmodule Shop.Orders do
  @moduledoc """
  Orders placed from carts.

  Orders are read with `Repo` and written in one transaction.
  """

  import Ecto.Query
  alias Shop.Repo

  @typedoc "An order's state."
  @type state :: :open | :paid

  @doc """
  Lists the orders of a customer, newest first.

  ## Examples

      iex> Shop.Orders.list(1)
      []
  """
  @spec list(integer()) :: [map()]
  def list(customer_id) do
    Repo.all(from o in "orders", where: o.customer_id == ^customer_id)
  end

  @doc "Finds orders by a free text search."
  def search(term) do
    Repo.query!("SELECT * FROM orders WHERE note LIKE '%" <> term <> "%'")
  end

  @doc """
  The totals of `ids`.
  """
  def totals(ids) do
    Enum.map(ids, fn id -> total(id) end)
  end

  # The sum of one order's lines.
  defp total(id), do: Repo.get(Order, id).total

  @doc "Counts orders by note; on the same line, the raw query for reports."
  def count(note), do: Repo.query!("SELECT count(*) FROM orders WHERE note = '" <> note <> "'"); def raw(q), do: Repo.query!(q)

  @doc """
  Pays an order.
  """
  def pay(%{state: :open} = order), do: {:ok, %{order | state: :paid}}
  @doc false
  def pay(order), do: {:error, order}

  @doc ~S"""
  Parses a state, as in `"paid"`.
  """
  def parse(text) do
    String.to_atom(text)
  end
end
"##;

/// Text typed into a doc's prose: words, examples, markers the comment rules read, long lines,
/// trailing spaces, names of functions and calls some rules look for, and what ends the prose
/// (interpolation, the closing quotes).
const PROSE_INSERTS: &[&str] = &[
    "x",
    " ",
    "\n",
    "\n  ## Examples\n\n      iex> f(1)\n      2\n",
    "TODO: explain ",
    "FIXME ",
    "Repo.query!(sql)",
    "total(id)",
    "String.to_atom(x)",
    "a line long enough to pass the limit of the line length rule by itself alone and then some more words",
    "trailing   \n",
    "#{x}",
    "\"\"\"\n",
    "\\",
];

/// An edit in the prose of one of `text`'s docs: text typed in, or some deleted.
fn prose_edit(text: &str, rng: &mut Rng) -> Option<String> {
    let doc = Document::new(text, 0);
    let file = FileInfo::new("lib/a.ex");
    let config = Config::default();
    let ctx = LintContext::new(text, doc.rope(), doc.tree(), &file, &config);
    let docs = crate::lint::doc_prose::doc_prose(&ctx);
    let (prose, _) = docs.get(rng.below(docs.len().max(1)))?;
    let at = boundary(text, prose.start + rng.below(prose.len() + 1));
    let mut out = text.to_string();
    if rng.below(4) == 0 {
        let end = boundary(text, (at + 1 + rng.below(6)).min(prose.end));
        out.replace_range(at.min(end)..end, "");
    } else {
        out.insert_str(at, PROSE_INSERTS[rng.below(PROSE_INSERTS.len())]);
    }
    Some(out)
}

#[test]
fn incremental_lint_equals_full_lint_while_typing_in_docs() {
    let texts = [
        ("lib/shop/orders.ex", DOCUMENTED.to_string()),
        ("lib/my_app/counter.ex", MULTI_CLAUSE.to_string()),
        (
            "lib/shop/everything.ex",
            format!("{DOCUMENTED}\n{CROSS_FUNCTION}\n{}", bad_examples_file()),
        ),
    ];
    let (mut steps, mut partial) = (0, 0);
    for (path, start) in &texts {
        for seed in 1..=6 {
            let (n, p) = tally(&run_edits(start, path, seed * 15_485_863, 24, prose_edit));
            steps += n;
            partial += p;
        }
    }
    assert!(steps > 300, "only {steps} edits");
    // Prose typed in keeps the key; interpolation, the closing quotes and what they break
    // (and the edits after them, while the doc stays broken) are full lints.
    assert!(
        partial * 2 > steps,
        "only {partial} of {steps} edits in docs were partial re-lints"
    );
}

#[test]
fn typing_in_a_doc_re_checks_its_function_and_keeps_the_others() {
    let at = DOCUMENTED.find("The totals of").unwrap();
    let mut typed = DOCUMENTED.to_string();
    typed.insert_str(at, "Sums up.\n  ");
    let (reuse, _) = relint_again(DOCUMENTED, &typed, "lib/shop/orders.ex", "");
    assert!(!reuse.full, "{reuse:?}");
    assert_eq!(reuse.relinted, 1, "{reuse:?}");
    // A call in an interpolation is code: the skeleton changed.
    let mut code = DOCUMENTED.to_string();
    code.insert_str(at, "#{total(1)} ");
    let (reuse, _) = relint_again(DOCUMENTED, &code, "lib/shop/orders.ex", "");
    assert!(reuse.full && reuse.why == "skeleton", "{reuse:?}");
}

#[test]
fn a_rename_the_skeleton_mentions_only_in_comments_and_keys_is_partial() {
    let cart = "defmodule Shop.Cart do\n  # If a field is added here, def merge must follow.\n  defstruct items: [], merge: nil\n\n  def merge(a, b), do: %{a | items: a.items ++ b.items}\n\n  def add(cart, item), do: merge(cart, %{items: [item]})\nend\n";
    let renamed = cart.replace("def merge(a, b)", "def merge_carts(a, b)");
    let (reuse, _) = relint_again(cart, &renamed, "lib/shop/cart.ex", "");
    assert!(!reuse.full, "{reuse:?}");
    // Code outside the functions that names it (an atom here) may call it: a full lint.
    let called = cart.replace("merge: nil", "merge: nil, by: :merge");
    let renamed = called.replace("def merge(a, b)", "def merge_carts(a, b)");
    let (reuse, _) = relint_again(&called, &renamed, "lib/shop/cart.ex", "");
    assert!(reuse.full && reuse.why == "signature", "{reuse:?}");
}

/// Schemas in one file whose functions share names across modules (as a file holding a module
/// twice does): changesets validating through helpers, cast-only helpers, a nested module, a
/// function split by another (so it lies outside the units), tasks started and awaited, and a
/// module whose changesets count only because the file names `Ecto.Changeset` (inside one of
/// `Shop.Order`'s functions; an artificial file, so that an edit there changes it).
const SCHEMAS: &str = r#"defmodule Shop.Product do
  use Ecto.Schema

  schema "products" do
    field :name, :string
    field :price, :integer
  end

  def changeset(product, attrs) do
    product
    |> base(attrs)
    |> checks()
  end

  def quick(product, attrs) do
    base(product, attrs)
  end

  def import_row(row, :csv), do: cast(%__MODULE__{}, row, [:name]) |> checks_price()

  defp base(product, attrs) do
    cast(product, attrs, [:name, :price])
  end

  def start(items) do
    Task.async(fn -> items end)
  end

  def import_row(row, _), do: cast(%__MODULE__{}, row, [:price])

  defp checks(changeset) do
    validate_required(changeset, [:name])
  end

  defp checks_price(changeset) do
    validate_required(changeset, [:price])
  end

  defmodule Variant do
    use Ecto.Schema

    embedded_schema do
      field :sku, :string
    end

    def changeset(variant, attrs) do
      variant
      |> cast(attrs, [:sku])
      |> checks()
    end

    defp checks(changeset), do: validate_required(changeset, [:sku])
  end
end

defmodule Shop.Order do
  use Ecto.Schema

  schema "orders" do
    field :total, :integer
  end

  def notify(order, :email), do: Task.async(fn -> order end)

  def changeset(order, attrs) do
    order
    |> cast(attrs, [:total])
    |> checks()
  end

  def quick(order, attrs) do
    cast(order, attrs, [:total])
  end

  def notify(order, _), do: order

  defp checks(changeset) do
    Ecto.Changeset.validate_required(changeset, [:total])
  end

  def start(items) do
    Task.async(fn -> items end)
  end

  def wait(task) do
    Task.await(task)
  end
end

defmodule Shop.Forms do
  def signup(user, params) do
    cast(user, params, [:email])
  end
end
"#;

const SCHEMA_INSERTS: &[&str] = &[
    " ",
    "x",
    "\n",
    "|> validate_required([:price])\n",
    "|> checks()\n",
    "checks(changeset)\n",
    "base(product, attrs)\n",
    "cast(order, attrs, [:total])\n",
    "Ecto.Changeset.change(order)\n",
    "Task.await(task)\n",
    "Task.async(fn -> 1 end)\n",
    "receive do\n  m -> m\nend\n",
];

#[test]
fn incremental_lint_equals_full_lint_in_modules_that_share_function_names() {
    let path = "lib/shop/schemas.ex";
    let (mut steps, mut partial) = (0, 0);
    for seed in 1..=12 {
        // Renames and edits of bodies, mixed.
        let edit = |t: &str, rng: &mut Rng| match rng.below(2) {
            0 => head_edit(t, rng),
            _ => Some(edit_with(t, rng, SCHEMA_INSERTS)),
        };
        let (n, p) = tally(&run_edits(SCHEMAS, path, seed * 1_299_709, 20, edit));
        steps += n;
        partial += p;
    }
    assert!(steps > 200, "only {steps} edits");
    // Edits in the schemas, in the split function and the syntax they break are full lints.
    assert!(
        partial * 3 > steps,
        "only {partial} of {steps} edits were partial re-lints"
    );
}

#[test]
fn a_changeset_fact_changed_in_one_module_re_checks_that_module_alone() {
    let path = "lib/shop/schemas.ex";
    let code = "unvalidated-changeset";
    let order = SCHEMAS.find("defmodule Shop.Order").unwrap();
    let (units_in_order, units) = {
        let doc = Document::new(SCHEMAS, 0);
        let segs = crate::lint::segments::segments(doc.tree(), SCHEMAS);
        let n = segs.units.iter().filter(|u| u.range.start > order).count();
        (n, segs.units.len())
    };
    // Renaming `Shop.Order.checks` leaves its `changeset` validating nothing; the functions
    // named `checks` in the other modules are edited units too, their modules' facts unchanged.
    let renamed = format!(
        "{}{}",
        &SCHEMAS[..order],
        SCHEMAS[order..].replacen("defp checks(", "defp checks_total(", 1)
    );
    let (reuse, found) = relint_again(SCHEMAS, &renamed, path, code);
    assert!(!reuse.full, "{reuse:?}");
    assert!(
        reuse.reached <= units_in_order + 3 && reuse.reached < units,
        "{reuse:?}: {units_in_order} units in Shop.Order"
    );
    let labels: Vec<&str> = found.iter().map(|f| f.message.as_str()).collect();
    assert!(
        labels.iter().any(|m| m.contains("`changeset/2`")) && found.len() == 4,
        "{labels:?}"
    );
    // In `Shop.Product`, `import_row/2` (outside the units: two functions stand between its
    // clauses) validated through `checks_price`, which no longer validates: found again there.
    let product = SCHEMAS[..order].replacen(
        "    validate_required(changeset, [:price])\n",
        "    changeset\n",
        1,
    );
    let renamed = format!("{product}{}", &SCHEMAS[order..]);
    let (reuse, found) = relint_again(SCHEMAS, &renamed, path, code);
    assert!(!reuse.full, "{reuse:?}");
    assert!(
        found.iter().any(|f| f.message.contains("`import_row/2`")),
        "{found:?}"
    );
}

#[test]
fn an_await_dropped_in_one_module_re_checks_its_starts_alone() {
    let path = "lib/shop/schemas.ex";
    let code = "unsupervised-process";
    let (_, found) = relint_again(SCHEMAS, SCHEMAS, path, code);
    // `Shop.Product` starts a task and awaits none; `Shop.Order` awaits its own.
    assert_eq!(found.len(), 1, "{found:?}");
    // The unit still names `Task` (a fact of the file, read by every module).
    let dropped = SCHEMAS.replace("    Task.await(task)\n", "    Task.ignore(task)\n");
    let (reuse, found) = relint_again(SCHEMAS, &dropped, path, code);
    assert!(!reuse.full, "{reuse:?}");
    // `notify/2` lies outside the units (two functions stand between its clauses).
    assert_eq!(found.len(), 3, "{found:?}");
    let order = SCHEMAS.find("defmodule Shop.Order").unwrap();
    assert!(
        found[1..].iter().all(|f| f.range.start > order),
        "{found:?}"
    );
    assert!(reuse.reached < 10, "{reuse:?}");
}

#[test]
fn a_fact_every_module_reads_re_checks_the_whole_file() {
    // `Shop.Forms` casts with `cast/3` only because the file names `Ecto.Changeset`, in
    // `Shop.Order.checks`: dropping that name clears its finding.
    let path = "lib/shop/schemas.ex";
    let code = "unvalidated-changeset";
    let forms = |found: &[Finding]| {
        found
            .iter()
            .filter(|f| f.message.contains("signup"))
            .count()
    };
    let (_, found) = relint_again(SCHEMAS, SCHEMAS, path, code);
    assert_eq!(forms(&found), 1, "{found:?}");
    let unnamed = SCHEMAS.replace("Ecto.Changeset.validate_required", "validate_required");
    let (reuse, found) = relint_again(SCHEMAS, &unnamed, path, code);
    assert!(!reuse.full, "{reuse:?}");
    assert_eq!(forms(&found), 0, "{found:?}");
    let (_, found) = relint_again(&unnamed, SCHEMAS, path, code);
    assert_eq!(forms(&found), 1, "{found:?}");
}
