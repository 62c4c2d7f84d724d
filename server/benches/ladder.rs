//! Benchmarks reported in `BENCHMARKS.md` (a bench binary, not timed tests):
//!
//! 1. cold `check` of a generated 2,000-file Mix project (files/s, MB/s, peak memory);
//! 2. per-edit latency from `didChange` to `publishDiagnostics` on a 5,000-line file, over the
//!    real server binary (p50, p99), and the server's peak memory.
//!
//! Run: `cargo bench -p ladder-ls --bench ladder`.

use std::path::Path;
use std::time::{Duration, Instant};

use ladder_e2e::{Lsp, push_client};
use serde_json::json;

/// A realistic module: docs, specs, pipes, pattern-matching clauses, a debug call now and then.
fn module_source(i: usize) -> String {
    let mut s = format!(
        "defmodule Bench.Context{i}.Worker do\n  @moduledoc \"\"\"\n  Worker {i}: loads, transforms and stores records.\n  \"\"\"\n\n  alias Bench.Repo\n  require Logger\n\n"
    );
    for f in 0..12 {
        if f % 3 != 0 {
            s.push_str(&format!("  @doc \"Handles case {f}.\"\n  @spec handle_{f}(map(), keyword()) :: {{:ok, map()}} | {{:error, term()}}\n"));
        }
        s.push_str(&format!(
            "  def handle_{f}(%{{id: id}} = record, opts \\\\ []) when is_integer(id) do\n    record\n    |> Map.put(:seen_at, DateTime.utc_now())\n    |> validate_{f}(opts)\n    |> case do\n      {{:ok, valid}} -> {{:ok, Map.put(valid, :step, {f})}}\n      {{:error, reason}} ->\n        Logger.warning(\"invalid record #{{id}}: #{{inspect(reason)}}\")\n        {{:error, reason}}\n    end\n  end\n\n"
        ));
        s.push_str(&format!(
            "  defp validate_{f}(record, opts) do\n    if Keyword.get(opts, :strict, false) and map_size(record) > {f} do\n      {{:error, :too_big}}\n    else\n      {{:ok, record}}\n    end\n  end\n\n"
        ));
    }
    if i.is_multiple_of(10) {
        s.push_str("  def debug(x), do: IO.inspect(x, label: \"debug\")\n");
    }
    s.push_str("end\n");
    s
}

fn generate_project(dir: &Path, files: usize) -> usize {
    std::fs::write(
        dir.join("mix.exs"),
        "defmodule Bench.MixProject do\n  use Mix.Project\n  def project, do: [app: :bench]\nend\n",
    )
    .unwrap();
    let mut bytes = 0;
    for i in 0..files {
        let folder = dir.join(format!("lib/bench/context{}", i / 100));
        std::fs::create_dir_all(&folder).unwrap();
        let text = module_source(i);
        bytes += text.len();
        std::fs::write(folder.join(format!("worker{i}.ex")), text).unwrap();
    }
    bytes
}

/// Peak resident memory (VmHWM) of a process, in MiB.
fn peak_rss_mib(pid: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn bench_check() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = generate_project(dir.path(), 2_000);
    let start = Instant::now();
    let report = ladder_ls::cli::check::check(&[dir.path().to_path_buf()], false, None).unwrap();
    let elapsed = start.elapsed();
    let secs = elapsed.as_secs_f64();
    println!(
        "check: {} files, {:.1} MB, {} findings",
        report.files_checked,
        bytes as f64 / 1e6,
        report.findings().count()
    );
    println!(
        "check: cold run {:.0} ms — {:.0} files/s, {:.1} MB/s, peak RSS {:.0} MiB",
        secs * 1000.0,
        report.files_checked as f64 / secs,
        bytes as f64 / 1e6 / secs,
        peak_rss_mib("self")
    );
}

/// Lines of code inside function bodies (not a clause's head or `end`), where typing happens.
fn body_lines(text: &str) -> Vec<usize> {
    let doc = ladder_ls::document::Document::new(text, 0);
    let lines: Vec<&str> = text.lines().collect();
    ladder_ls::lint::segments::body_lines(doc.tree(), text)
        .into_iter()
        // Only lines with code: a character typed after their indentation lands in code.
        .filter(|l| lines.get(*l).is_some_and(|l| l.trim().len() > 3))
        .collect()
}

/// Prose lines inside `@moduledoc`, `@doc` and `@typedoc` heredocs, with their indentation:
/// typing documentation.
fn doc_lines(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut inside = false;
    for (i, line) in text.lines().enumerate() {
        let code = line.trim_start();
        if inside {
            if code.starts_with("\"\"\"") {
                inside = false;
            } else if code.len() > 3 {
                out.push((i, line.len() - code.len()));
            }
        } else if ["@moduledoc \"\"\"", "@doc \"\"\"", "@typedoc \"\"\""]
            .iter()
            .any(|open| {
                code.strip_prefix(open)
                    .is_some_and(|rest| rest.trim().is_empty())
            })
        {
            inside = true;
        }
    }
    out
}

/// Opens `text` in a fresh server, times the first diagnostics, then types and deletes a
/// character inside function bodies spread over the file, timing each `didChange` until its
/// `publishDiagnostics`.
fn bench_edits_on(name: &str, text: &str) {
    let dir = tempfile::tempdir().unwrap();
    let lines = text.lines().count();
    let targets = body_lines(text);
    assert!(!targets.is_empty(), "{name}: no function bodies to type in");
    // `LADDER_BENCH_BIN=PATH`: another build of the server (an older commit, to compare).
    let bin = std::env::var_os("LADDER_BENCH_BIN").map_or_else(
        || env!("CARGO_BIN_EXE_ladder-ls").into(),
        std::path::PathBuf::from,
    );
    let bin = bin.as_path();
    // `LADDER_BENCH_LOG=FILE`: the server's debug log (each lint's time and reuse) goes to
    // FILE.1, FILE.2, … (one per file benchmarked, in order).
    static LOGS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(1);
    let mut lsp = match std::env::var("LADDER_BENCH_LOG") {
        Ok(path) => {
            let n = LOGS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let log = std::fs::File::create(format!("{path}.{n}")).expect("create the log file");
            Lsp::start_with_stderr(bin, dir.path(), &[], log)
        }
        Err(_) => Lsp::start_binary(bin, dir.path()),
    };
    lsp.initialize(None, push_client(&[]));
    let uri = "file:///bench/lib/big.ex";
    let start = Instant::now();
    lsp.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "elixir", "version": 1, "text": text}}),
    );
    lsp.wait_diagnostics(uri, Some(1));
    let mut first = Timed::default();
    first.push(&lsp, start);
    let edits = 300u32;
    let body: Vec<(usize, usize)> = targets
        .iter()
        .map(|line| {
            let indent = text
                .lines()
                .nth(*line)
                .map_or(0, |l| l.len() - l.trim_start().len());
            (*line, indent)
        })
        .collect();
    // Odd steps type a character after a body line's indentation, even steps delete it.
    let latencies = time_edits(&mut lsp, uri, 2, &body, edits);
    // The same after a function's name in its head: renaming it changes what the rest of the
    // module may know of it.
    let heads = head_targets(text);
    let head_edits = 100u32;
    let head_latencies = time_edits(&mut lsp, uri, 2 + edits, &heads, head_edits);
    let docs = doc_lines(text);
    let doc_edits = if docs.is_empty() { 0 } else { 100u32 };
    let doc_latencies = time_edits(&mut lsp, uri, 2 + edits + head_edits, &docs, doc_edits);
    let edits_done = edits + head_edits + doc_edits;
    let bursts = bench_bursts(&mut lsp, uri, text, &targets, 2 + edits_done as i64);
    let pid = lsp.pid().to_string();
    println!(
        "burst: {name} — a word of {BURST} characters typed {} ms apart, 40 times: last didChange→publishDiagnostics {}",
        BURST_GAP.as_millis(),
        bursts.describe(),
    );
    println!(
        "edit: {name}, {lines} lines — first diagnostics after didOpen {:.1} ms ({:.1} ms parsed); {edits} edits in function bodies, didChange→publishDiagnostics {}, max {:.2} ms; server peak RSS {:.0} MiB",
        first.arrived[0].as_secs_f64() * 1000.0,
        first.parsed[0].as_secs_f64() * 1000.0,
        latencies.describe(),
        latencies.arrived.last().unwrap().as_secs_f64() * 1000.0,
        peak_rss_mib(&pid)
    );
    println!(
        "edit: {name} — {head_edits} edits of function names in clause heads: {}",
        head_latencies.describe(),
    );
    if !doc_latencies.arrived.is_empty() {
        println!(
            "edit: {name} — {doc_edits} edits in the prose of @doc and @moduledoc heredocs: {}",
            doc_latencies.describe(),
        );
    }
    let _ = lsp.shutdown();
}

/// Latencies of one kind of edit, each until the server's publication had arrived (its last
/// byte read off the pipe), and until this client had also parsed its JSON into a
/// `serde_json::Value` (hundreds of diagnostics are 150 KB: a client's cost, not the server's,
/// and all that earlier sessions reported).
#[derive(Default)]
struct Timed {
    arrived: Vec<Duration>,
    parsed: Vec<Duration>,
}

impl Timed {
    /// The latency of the publication `lsp` just returned, of a change sent at `start`.
    fn push(&mut self, lsp: &Lsp, start: Instant) {
        let parsed = start.elapsed();
        let arrived = lsp
            .last_arrival()
            .map_or(parsed, |at| at.saturating_duration_since(start));
        self.arrived.push(arrived);
        self.parsed.push(parsed);
    }

    fn sorted(mut self) -> Timed {
        self.arrived.sort();
        self.parsed.sort();
        self
    }

    /// `p50 …, p99 … (parsed: p50 …, p99 …)`.
    fn describe(&self) -> String {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        format!(
            "p50 {:.2} ms, p99 {:.2} ms (parsed by the client: p50 {:.2} ms, p99 {:.2} ms)",
            ms(percentile(&self.arrived, 0.5)),
            ms(percentile(&self.arrived, 0.99)),
            ms(percentile(&self.parsed, 0.5)),
            ms(percentile(&self.parsed, 0.99)),
        )
    }
}

/// Types a character at a target (spread over them), then deletes it, `edits` times from
/// version `first`; returns each `didChange`→`publishDiagnostics` latency, sorted.
fn time_edits(
    lsp: &mut Lsp,
    uri: &str,
    first: u32,
    targets: &[(usize, usize)],
    edits: u32,
) -> Timed {
    let mut latencies = Timed::default();
    let mut at = (0, 0);
    for v in first..first + edits {
        let change = if (v - first).is_multiple_of(2) {
            at = targets[(v as usize * 7919) % targets.len()];
            json!({"range": {"start": {"line": at.0, "character": at.1}, "end": {"line": at.0, "character": at.1}}, "text": "x"})
        } else {
            json!({"range": {"start": {"line": at.0, "character": at.1}, "end": {"line": at.0, "character": at.1 + 1}}, "text": ""})
        };
        let start = Instant::now();
        lsp.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": v}, "contentChanges": [change]}),
        );
        lsp.wait_diagnostics(uri, Some(v as i64));
        latencies.push(lsp, start);
    }
    latencies.sorted()
}

/// Where a function's name ends in the heads `def name(` and `defp name(`: line and column.
fn head_targets(text: &str) -> Vec<(usize, usize)> {
    text.lines()
        .enumerate()
        .filter_map(|(i, l)| {
            let code = l.trim_start();
            let rest = code
                .strip_prefix("def ")
                .or_else(|| code.strip_prefix("defp "))?;
            let name = rest.find('(')?;
            rest[..name]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'?' || b == b'!')
                .then(|| (i, l.len() - rest.len() + name))
        })
        .collect()
}

/// Characters per burst, and the time between them (a fast typist; key repeat is ~33 ms).
const BURST: usize = 8;
const BURST_GAP: Duration = Duration::from_millis(40);

/// Types a word one character per `didChange`, `BURST_GAP` apart without waiting for
/// diagnostics, then times the last change until its `publishDiagnostics`; then deletes the word
/// (one change) and waits for that too. Returns the sorted latencies of 40 bursts.
fn bench_bursts(
    lsp: &mut Lsp,
    uri: &str,
    text: &str,
    targets: &[usize],
    mut version: i64,
) -> Timed {
    let mut latencies = Timed::default();
    for b in 0..40 {
        let line = targets[(b * 4493) % targets.len()];
        let col = text
            .lines()
            .nth(line)
            .map_or(0, |l| l.len() - l.trim_start().len());
        let mut last = Instant::now();
        for i in 0..BURST {
            if i > 0 {
                std::thread::sleep(BURST_GAP);
            }
            let at = json!({"line": line, "character": col + i});
            last = Instant::now();
            lsp.notify(
                "textDocument/didChange",
                json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"range": {"start": at, "end": at}, "text": "x"}]}),
            );
            version += 1;
        }
        lsp.wait_diagnostics(uri, Some(version - 1));
        latencies.push(lsp, last);
        let (start, end) = (
            json!({"line": line, "character": col}),
            json!({"line": line, "character": col + BURST}),
        );
        lsp.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"range": {"start": start, "end": end}, "text": ""}]}),
        );
        lsp.wait_diagnostics(uri, Some(version));
        version += 1;
    }
    latencies.sorted()
}

/// The generated 5,000-line file, then each real file named in `LADDER_BENCH_FILES`
/// (`:`-separated paths, e.g. Ecto's `lib/ecto/changeset.ex`), alone and doubled.
fn bench_edits() {
    let mut text = String::new();
    let mut i = 0;
    while text.lines().count() < 5_000 {
        text.push_str(&module_source(i));
        i += 1;
    }
    // `LADDER_BENCH_GENERATED=0`: only the real files.
    if std::env::var("LADDER_BENCH_GENERATED").as_deref() != Ok("0") {
        bench_edits_on("generated", &text);
    }
    let files = std::env::var("LADDER_BENCH_FILES").unwrap_or_default();
    for path in files.split(':').filter(|p| !p.is_empty()) {
        let Ok(real) = std::fs::read_to_string(path) else {
            eprintln!("LADDER_BENCH_FILES: cannot read {path}");
            continue;
        };
        bench_edits_on(path, &real);
        bench_edits_on(&format!("{path} twice"), &format!("{real}\n{real}"));
    }
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` would pass other flags: only run
    // when benchmarking.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    // `LADDER_BENCH=edits` (or `check`) runs one part only.
    let only = std::env::var("LADDER_BENCH").unwrap_or_default();
    if only.is_empty() || only == "check" {
        bench_check();
    }
    if only.is_empty() || only == "edits" {
        bench_edits();
    }
}
