//! Where `syntax-error` points when one token is deleted from real-shaped, formatted Elixir.
//!
//! For each kind of deletion (an `end` line, a `)`, a `]`, a `}`, a `,`), tokens are deleted at
//! seeded-random places in the corpus under `tests/syntax_placement/corpus/` (modules written
//! for this test: controllers, GenServers, schemas, LiveViews with sigils and heredocs…), one at
//! a time. The real Elixir parser (`tests/syntax_placement/oracle.exs`, run once over every
//! mutation) says which results are broken and where it reports them. For the broken ones, the
//! rule must land within 3 lines of the deleted token in at least 90 % of cases and at least as
//! often as the compiler does, with at most 1.3 diagnostics per broken file; for the ones the
//! compiler accepts, it must stay silent.
//!
//! `LADDER_SYNTAX_CORPUS=/path/to/project cargo test --test syntax_placement -- --ignored
//! --nocapture` prints the same table for any folder of Elixir files.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use ladder_ls::config::Config;
use ladder_ls::document::Document;
use ladder_ls::lint::rules::l0_compiles::syntax_error::RULE;
use ladder_ls::lint::{FileInfo, LintContext};

/// The sequence of deletions: fixed, so every run measures the same mutations.
const SEED: u64 = 0x5EED_1ADD_5EED;

/// Lines between the deleted token and a diagnostic that still count as pointing at it.
const NEAR: usize = 3;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Deleted {
    EndLine,
    Paren,
    Bracket,
    Brace,
    Comma,
}

const KINDS: [Deleted; 5] = [
    Deleted::EndLine,
    Deleted::Paren,
    Deleted::Bracket,
    Deleted::Brace,
    Deleted::Comma,
];

impl Deleted {
    fn name(self) -> &'static str {
        match self {
            Deleted::EndLine => "an `end` line",
            Deleted::Paren => "a `)`",
            Deleted::Bracket => "a `]`",
            Deleted::Brace => "a `}`",
            Deleted::Comma => "a `,`",
        }
    }
}

/// One deletion.
struct Mutation {
    file: usize,
    kind: Deleted,
    range: std::ops::Range<usize>,
    /// Zero-based line of the deleted token.
    line: usize,
}

/// xorshift64*: a seeded sequence, the same on every machine.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n
    }
}

/// The deletable tokens of a file, by kind: tree-sitter's own `)`, `]`, `}`, `,` tokens (never
/// inside strings or comments) and the lines holding nothing but `end`.
fn candidates(src: &str) -> HashMap<Deleted, Vec<std::ops::Range<usize>>> {
    let mut out: HashMap<Deleted, Vec<_>> = HashMap::new();
    let mut offset = 0;
    for line in src.split_inclusive('\n') {
        if line.trim() == "end" {
            out.entry(Deleted::EndLine)
                .or_default()
                .push(offset..offset + line.len());
        }
        offset += line.len();
    }
    let tree = ladder_ls::syntax::new_parser().parse(src, None).unwrap();
    let mut cursor = tree.walk();
    'walk: loop {
        let node = cursor.node();
        if !node.is_named() {
            let kind = match node.kind() {
                ")" => Some(Deleted::Paren),
                "]" => Some(Deleted::Bracket),
                "}" => Some(Deleted::Brace),
                "," => Some(Deleted::Comma),
                _ => None,
            };
            if let Some(kind) = kind {
                out.entry(kind).or_default().push(node.byte_range());
            }
        }
        if cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                break 'walk;
            }
        }
    }
    out
}

/// Up to `per_file` deletions of each kind in each file.
fn mutations(files: &[(PathBuf, String)], per_file: usize, seed: u64) -> Vec<Mutation> {
    let mut rng = Rng(seed);
    let mut out = Vec::new();
    for (file, (_, src)) in files.iter().enumerate() {
        let cands = candidates(src);
        for kind in KINDS {
            let Some(list) = cands.get(&kind) else {
                continue;
            };
            let mut picked: Vec<usize> = (0..list.len()).collect();
            // A partial Fisher–Yates shuffle picks `per_file` distinct ones.
            let take = per_file.min(list.len());
            for i in 0..take {
                let j = i + rng.below(list.len() - i);
                picked.swap(i, j);
            }
            for &k in &picked[..take] {
                let range = list[k].clone();
                let line = src[..range.start].matches('\n').count();
                out.push(Mutation {
                    file,
                    kind,
                    range,
                    line,
                });
            }
        }
    }
    out
}

/// What the Elixir parser says of a mutation: `None` when it parses, else the lines (1-based)
/// its error names.
fn oracle(files: &[(PathBuf, String)], muts: &[Mutation]) -> Vec<Option<Vec<usize>>> {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("mutations.tsv");
    let mut text = String::new();
    for (i, m) in muts.iter().enumerate() {
        let path = files[m.file].0.canonicalize().unwrap();
        writeln!(
            text,
            "{i}\t{}\t{}\t{}",
            path.display(),
            m.range.start,
            m.range.end
        )
        .unwrap();
    }
    std::fs::write(&list, text).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/syntax_placement/oracle.exs");
    let out = Command::new("elixir")
        .arg(&script)
        .arg(&list)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run `elixir` ({e}): install Elixir (`apt-get install elixir`) or run tests/run.sh")
        });
    assert!(
        out.status.success(),
        "oracle.exs failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut results = vec![None; muts.len()];
    let mut seen = 0;
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        let mut cols = line.split('\t');
        let id: usize = cols.next().unwrap().parse().unwrap();
        if cols.next() == Some("error") {
            let lines = cols
                .next()
                .unwrap_or("")
                .split(',')
                .filter_map(|n| n.parse().ok())
                .collect();
            results[id] = Some(lines);
        }
        seen += 1;
    }
    assert_eq!(seen, muts.len(), "the oracle answered for every mutation");
    results
}

/// The lines (zero-based) of the `syntax-error` findings of a text.
fn syntax_error_lines(src: &str) -> Vec<usize> {
    syntax_errors(src).into_iter().map(|(l, _)| l).collect()
}

/// The `syntax-error` findings of a text: zero-based line and message.
fn syntax_errors(src: &str) -> Vec<(usize, String)> {
    let doc = Document::new(src, 0);
    let file = FileInfo::new("lib/corpus.ex");
    let config = Config::default();
    let ctx = LintContext::new(src, doc.rope(), doc.tree(), &file, &config);
    let mut found = Vec::new();
    (RULE.check.unwrap())(&ctx, &mut found);
    found
        .into_iter()
        .map(|f| (ctx.line_of(f.range.start), f.message))
        .collect()
}

#[derive(Default, Debug)]
struct Rates {
    broken: usize,
    near: usize,
    first_near: usize,
    compiler_near: usize,
    diagnostics: usize,
    silent: usize,
    accepted: usize,
    false_alarms: usize,
}

impl Rates {
    fn pct(n: usize, of: usize) -> f64 {
        if of == 0 {
            100.0
        } else {
            100.0 * n as f64 / of as f64
        }
    }
    fn near_pct(&self) -> f64 {
        Self::pct(self.near, self.broken)
    }
    fn compiler_pct(&self) -> f64 {
        Self::pct(self.compiler_near, self.broken)
    }
    fn per_file(&self) -> f64 {
        if self.broken == 0 {
            0.0
        } else {
            self.diagnostics as f64 / self.broken as f64
        }
    }
}

/// Deletes, lints, compares; returns the rates by kind, a printable table and the misses.
fn measure(
    files: &[(PathBuf, String)],
    per_file: usize,
    seed: u64,
) -> (Vec<(Deleted, Rates)>, String, Vec<String>) {
    let muts = mutations(files, per_file, seed);
    let verdicts = oracle(files, &muts);
    let mut rates: Vec<(Deleted, Rates)> = KINDS.iter().map(|k| (*k, Rates::default())).collect();
    let mut misses = Vec::new();
    for (m, verdict) in muts.iter().zip(&verdicts) {
        let (path, src) = &files[m.file];
        let mutated = format!("{}{}", &src[..m.range.start], &src[m.range.end..]);
        let lines = syntax_error_lines(&mutated);
        let r = &mut rates.iter_mut().find(|(k, _)| *k == m.kind).unwrap().1;
        let Some(compiler_lines) = verdict else {
            r.accepted += 1;
            if !lines.is_empty() {
                r.false_alarms += 1;
                misses.push(format!(
                    "false alarm: {} deleted at {}:{} (the compiler accepts it): {:?}",
                    m.kind.name(),
                    path.display(),
                    m.line + 1,
                    syntax_errors(&mutated)
                ));
            }
            continue;
        };
        r.broken += 1;
        r.diagnostics += lines.len();
        if lines.len() > 1 && std::env::var("LADDER_SYNTAX_MULTI").is_ok() {
            println!(
                "{} findings: {} deleted at {}:{}: {:?}",
                lines.len(),
                m.kind.name(),
                path.display(),
                m.line + 1,
                syntax_errors(&mutated)
            );
        }
        let close = |l: usize| l.abs_diff(m.line) <= NEAR;
        if lines.is_empty() {
            r.silent += 1;
        }
        if lines.iter().any(|&l| close(l)) {
            r.near += 1;
        } else {
            misses.push(format!(
                "{} deleted at {}:{} — found at {:?}, compiler at {:?}",
                m.kind.name(),
                path.display(),
                m.line + 1,
                lines.iter().map(|l| l + 1).collect::<Vec<_>>(),
                compiler_lines
            ));
        }
        if lines.first().is_some_and(|&l| close(l)) {
            r.first_near += 1;
        }
        if compiler_lines.iter().any(|&l| l > 0 && close(l - 1)) {
            r.compiler_near += 1;
        }
    }
    let mut table = String::from(
        "| deleted | broken | ladder-ls within 3 lines | first finding within 3 | compiler within 3 | findings per broken file | none | compiler accepts | false alarms |\n|---|---|---|---|---|---|---|---|---|\n",
    );
    for (kind, r) in &rates {
        writeln!(
            table,
            "| {} | {} | {:.1} % | {:.1} % | {:.1} % | {:.2} | {} | {} | {} |",
            kind.name(),
            r.broken,
            r.near_pct(),
            Rates::pct(r.first_near, r.broken),
            r.compiler_pct(),
            r.per_file(),
            r.silent,
            r.accepted,
            r.false_alarms
        )
        .unwrap();
    }
    (rates, table, misses)
}

fn elixir_files(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            if !matches!(name, "deps" | "_build" | "node_modules" | ".git") {
                elixir_files(&path, out);
            }
        } else if (name.ends_with(".ex") || name.ends_with(".exs"))
            && let Ok(text) = std::fs::read_to_string(&path)
        {
            out.push((path, text));
        }
    }
}

#[test]
fn deleted_tokens_are_found_where_they_were() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/syntax_placement/corpus");
    let mut files = Vec::new();
    elixir_files(&dir, &mut files);
    let lines: usize = files.iter().map(|(_, s)| s.lines().count()).sum();
    assert!(lines >= 2000, "the corpus is real-sized ({lines} lines)");
    // The corpus itself is valid: no finding before anything is deleted.
    for (path, src) in &files {
        assert_eq!(
            syntax_error_lines(src),
            Vec::<usize>::new(),
            "{}",
            path.display()
        );
    }
    let (rates, table, misses) = measure(&files, 12, SEED);
    println!("{table}");
    for miss in &misses {
        println!("{miss}");
    }
    for (kind, r) in &rates {
        assert!(
            r.broken >= 50,
            "{}: too few broken files ({})",
            kind.name(),
            r.broken
        );
        assert!(
            r.near_pct() >= 90.0,
            "{}: {:.1} % within {NEAR} lines\n{table}",
            kind.name(),
            r.near_pct()
        );
        assert!(
            r.near >= r.compiler_near,
            "{}: behind the compiler ({} vs {})\n{table}",
            kind.name(),
            r.near,
            r.compiler_near
        );
        assert!(
            r.per_file() <= 1.3,
            "{}: {:.2} findings per broken file\n{table}",
            kind.name(),
            r.per_file()
        );
        assert_eq!(
            r.false_alarms,
            0,
            "{}: findings on valid code\n{table}",
            kind.name()
        );
    }
}

/// The same measure on any folder: `LADDER_SYNTAX_CORPUS=dir` (and optionally
/// `LADDER_SYNTAX_PER_FILE`, default 3).
#[test]
#[ignore = "measures an external project named by LADDER_SYNTAX_CORPUS"]
fn measure_external_corpus() {
    let dir = std::env::var("LADDER_SYNTAX_CORPUS").expect("LADDER_SYNTAX_CORPUS=dir");
    let per_file = std::env::var("LADDER_SYNTAX_PER_FILE")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(3);
    let mut files = Vec::new();
    elixir_files(Path::new(&dir), &mut files);
    let mut valid_but_flagged = 0;
    for (path, src) in &files {
        for (line, message) in syntax_errors(src) {
            valid_but_flagged += 1;
            println!("unmodified {}:{}: {message}", path.display(), line + 1);
        }
    }
    let (_, table, misses) = measure(&files, per_file, SEED);
    if std::env::var("LADDER_SYNTAX_MISSES").is_ok() {
        for miss in &misses {
            println!("{miss}");
        }
    }
    println!(
        "{} files, {valid_but_flagged} findings before any deletion\n{table}",
        files.len()
    );
}

/// The rule's cost on one file (`LADDER_SYNTAX_BIGFILE=path`), as it runs on every keystroke:
/// the scanner alone, and the whole rule, on the file as is and with one `end` line deleted
/// from its middle (the layout pass runs too). Run it in release:
/// `cargo test --release -p ladder-ls --test syntax_placement -- --ignored cost --nocapture`.
#[test]
#[ignore = "times the rule on the file named by LADDER_SYNTAX_BIGFILE"]
fn cost_on_a_big_file() {
    let path = std::env::var("LADDER_SYNTAX_BIGFILE").expect("LADDER_SYNTAX_BIGFILE=path");
    let src = std::fs::read_to_string(&path).unwrap();
    let middle = src.len() / 2;
    let end_line = src[middle..]
        .split_inclusive('\n')
        .scan(middle, |at, line| {
            let start = *at;
            *at += line.len();
            Some((start, line))
        })
        .find(|(_, line)| line.trim() == "end")
        .map(|(start, line)| start..start + line.len())
        .expect("an `end` line in the second half");
    let broken = format!("{}{}", &src[..end_line.start], &src[end_line.end..]);
    let time = |label: &str, f: &dyn Fn()| {
        let runs = 50;
        let mut times: Vec<f64> = (0..runs)
            .map(|_| {
                let t = std::time::Instant::now();
                f();
                t.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        times.sort_by(f64::total_cmp);
        println!(
            "{label}: median {:.3} ms, max {:.3} ms",
            times[runs / 2],
            times[runs - 1]
        );
    };
    println!("{path}: {} lines", src.lines().count());
    for (name, text) in [("valid", &src), ("one `end` deleted", &broken)] {
        time(&format!("scanner, {name}"), &|| {
            std::hint::black_box(ladder_ls::syntax::scanner::problems(text));
        });
        let doc = Document::new(text, 0);
        let file = FileInfo::new("lib/big.ex");
        let config = Config::default();
        time(&format!("syntax-error rule, {name}"), &|| {
            let ctx = LintContext::new(text, doc.rope(), doc.tree(), &file, &config);
            let mut found = Vec::new();
            (RULE.check.unwrap())(&ctx, &mut found);
            std::hint::black_box(found);
        });
        time(&format!("tree-sitter full parse, {name}"), &|| {
            std::hint::black_box(Document::new(text, 0));
        });
    }
}
