//! A bounded soak of the real server over stdio: random edits (insertions, deletions and
//! replacements of 1–40 characters, some breaking the syntax and later undone), saves, closes
//! and re-opens over the open files of a generated Mix project, with a printed seed so a run can
//! be replayed. It checks what must hold however long a session lasts:
//!
//! - the diagnostics of a document are never published for an older version than already
//!   published, nor for a version never sent, nor with ranges outside that version's text;
//! - no versioned diagnostics arrive for a document after the server has taken its close;
//! - at every quiet point, each open document's latest diagnostics are for its latest version,
//!   and each closed one shows its findings on disk;
//! - a document saved and closed gets, from the server's fresh lint of the file on disk, exactly
//!   the diagnostics its last incrementally edited version had (same text, same findings);
//! - resident memory (`VmRSS`, sampled at quiet points) stays within a tolerance of its level
//!   after warm-up;
//! - the log has no panic and the server exits cleanly at the end.
//!
//! The bench (`cargo bench -p ladder-ls --bench soak`) runs it at full size; an integration test
//! of this crate runs a short one, with the same code.

use std::collections::{BTreeSet, VecDeque};
use std::fmt::Write as _;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::{Lsp, file_uri, push_client};

/// What one soak run does.
#[derive(Clone, Debug)]
pub struct Config {
    /// Files generated and kept open (closed and re-opened now and then).
    pub files: usize,
    /// Edits (text changes) to send; a `didChange` carries one to four of them.
    pub edits: usize,
    /// Seed of the random choices: the same seed replays the same session.
    pub seed: u64,
    /// Resident memory is sampled (for the report) every this many edits.
    pub sample_every: usize,
    /// Every this many edits the soak waits for the server to catch up and checks the state of
    /// every document (and samples the memory that the flatness check uses).
    pub checkpoint_every: usize,
    /// Edits before the memory baseline is taken.
    pub warmup: usize,
    /// Allowed growth of resident memory over the baseline (0.10 = 10 %); `None` to report only
    /// (debug builds on a shared machine).
    pub memory_tolerance: Option<f64>,
    /// How long to wait for any one expected publication before calling it missing.
    pub timeout: Duration,
}

impl Config {
    /// The full soak of issue 12: 20,000 edits over 20 open files, memory within 10 %.
    pub fn full(seed: u64) -> Self {
        Config {
            files: 20,
            edits: 20_000,
            seed,
            sample_every: 500,
            checkpoint_every: 1_000,
            warmup: 4_000,
            memory_tolerance: Some(0.10),
            timeout: Duration::from_secs(60),
        }
    }

    /// A short soak for the test suite: same code path, invariants only.
    pub fn short(seed: u64) -> Self {
        Config {
            files: 5,
            edits: 1_000,
            seed,
            sample_every: 100,
            checkpoint_every: 250,
            warmup: 250,
            memory_tolerance: None,
            timeout: Duration::from_secs(120),
        }
    }
}

/// One memory sample of the server.
#[derive(Clone, Copy, Debug)]
pub struct Sample {
    /// Edits sent so far.
    pub edits: usize,
    /// `VmRSS` in KiB.
    pub rss_kib: u64,
    /// Taken at a quiet point (every document published): the samples the flatness check uses.
    pub quiet: bool,
    /// Bytes of text in the files at that point (the edits keep it about level, so memory
    /// should stay level too).
    pub text_bytes: usize,
    /// The server's threads.
    pub threads: u64,
}

/// What a soak run saw.
#[derive(Debug, Default)]
pub struct Report {
    /// The seed (printed so a failing run can be replayed).
    pub seed: u64,
    /// Text changes sent.
    pub edits: usize,
    /// `didChange` notifications sent.
    pub did_change: usize,
    /// `didSave` notifications sent (each after writing the file).
    pub saves: usize,
    /// `didClose` notifications sent.
    pub closes: usize,
    /// Re-opens (`didOpen` of a closed file).
    pub reopens: usize,
    /// Undo edits (the inverse of an earlier change: syntax broken, then fixed).
    pub undos: usize,
    /// `publishDiagnostics` received.
    pub publishes: usize,
    /// Diagnostics received in all those publications.
    pub diagnostics: usize,
    /// Saved-and-closed documents whose fresh lint was compared with their last edited version.
    pub fresh_comparisons: usize,
    /// Versioned publications received after a `didClose` was sent but before the server's
    /// closing publication (sent before the server took the close).
    pub in_flight_at_close: usize,
    /// Wall time of the edit loop.
    pub elapsed: Duration,
    /// Memory samples.
    pub samples: Vec<Sample>,
    /// The baseline of the flatness check (KiB), the first quiet sample after warm-up.
    pub baseline_kib: Option<u64>,
    /// `VmHWM` of the server at the end (KiB).
    pub peak_kib: u64,
    /// Lines in the server's log, and those at `WARN`/`ERROR`.
    pub log_lines: usize,
    /// Log lines at `WARN` or `ERROR` (the first few, for the report).
    pub log_problems: Vec<String>,
    /// Broken invariants, each with what was seen.
    pub violations: Vec<String>,
}

impl Report {
    /// Edits per second over the whole loop (waits for diagnostics included).
    pub fn edits_per_sec(&self) -> f64 {
        self.edits as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// A human summary of the run.
    pub fn summary(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "soak: seed {}", self.seed);
        let _ = writeln!(
            s,
            "soak: {} edits in {} didChange, {} undos, {} saves, {} closes, {} re-opens in {:.1} s — {:.0} edits/s",
            self.edits,
            self.did_change,
            self.undos,
            self.saves,
            self.closes,
            self.reopens,
            self.elapsed.as_secs_f64(),
            self.edits_per_sec()
        );
        let _ = writeln!(
            s,
            "soak: {} publishDiagnostics, {} diagnostics (findings) in them, {} fresh-lint comparisons, {} publications in flight at a close",
            self.publishes, self.diagnostics, self.fresh_comparisons, self.in_flight_at_close
        );
        let rss: Vec<String> = self
            .samples
            .iter()
            .map(|x| {
                format!(
                    "{}:{:.1}{}",
                    x.edits,
                    x.rss_kib as f64 / 1024.0,
                    if x.quiet { "*" } else { "" }
                )
            })
            .collect();
        let _ = writeln!(
            s,
            "soak: VmRSS MiB by edits (* = quiet point): {}",
            rss.join(" ")
        );
        let text: Vec<String> = self
            .samples
            .iter()
            .filter(|x| x.quiet)
            .map(|x| format!("{}:{:.0}", x.edits, x.text_bytes as f64 / 1024.0))
            .collect();
        let _ = writeln!(
            s,
            "soak: text in the files, KiB, at quiet points: {}",
            text.join(" ")
        );
        let threads: Vec<String> = self
            .samples
            .iter()
            .filter(|x| x.quiet)
            .map(|x| format!("{}:{}", x.edits, x.threads))
            .collect();
        let _ = writeln!(
            s,
            "soak: server threads at quiet points: {}",
            threads.join(" ")
        );
        let _ = writeln!(
            s,
            "soak: baseline {} MiB, peak (VmHWM) {:.1} MiB",
            self.baseline_kib
                .map_or("-".to_string(), |b| format!("{:.1}", b as f64 / 1024.0)),
            self.peak_kib as f64 / 1024.0
        );
        let _ = writeln!(
            s,
            "soak: log {} lines, {} at WARN/ERROR",
            self.log_lines,
            self.log_problems.len()
        );
        for p in self.log_problems.iter().take(10) {
            let _ = writeln!(s, "soak:   log: {p}");
        }
        let _ = writeln!(s, "soak: {} violations", self.violations.len());
        for v in self.violations.iter().take(50) {
            let _ = writeln!(s, "soak:   VIOLATION {v}");
        }
        s
    }
}

/// SplitMix64: small, fast and reproducible (no dependency for a test crate).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// In `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// In `lo..=hi`.
    fn between(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `p`.
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
}

/// Pieces of Elixir typed into the files: tokens that open or close blocks (breaking the syntax
/// until undone), calls the rules flag, strings, and non-ASCII text (UTF-16 columns differ).
const SNIPPETS: &[&str] = &[
    "x",
    "value",
    " |> Enum.map(&(&1 * 2))",
    "IO.inspect(record)",
    " do",
    "\n  end",
    "end\n",
    "(",
    ")",
    "\"",
    "#{id}",
    "%{id: 1, name: \"n\"}",
    "fn x -> x end",
    "dbg()",
    "case result do\n",
    "{:ok, v} -> v\n",
    "café",
    "naïve 😀 ",
    "\n  def extra(a), do: a\n",
    "String.to_atom(name)",
    "@spec f(term()) :: term()\n",
    "# TODO: later\n",
    "[1, 2, 3]",
    " when is_map(m)",
    "Repo.get!(User, id)",
    "\n",
    "  ",
    ", ",
    "<<>>",
    "~s(sigil)",
    "@doc false\n",
    "if ok?, do: 1, else: 2",
    "raise \"boom\"",
    "try do\n",
    "rescue\n  _ -> :error\n",
    "'",
    "\\",
    ":atom",
    "!=",
    "|>",
];

/// A realistic module of the soak project; four kinds in turn, each with a few findings.
pub fn module_source(i: usize) -> String {
    match i % 4 {
        0 => worker(i),
        1 => server(i),
        2 => schema(i),
        _ => controller(i),
    }
}

fn worker(i: usize) -> String {
    let mut s = format!(
        "defmodule Soak.Context{i}.Worker do\n  @moduledoc \"\"\"\n  Worker {i}: loads, transforms and stores records — café-grade.\n  \"\"\"\n\n  alias Soak.Repo\n  require Logger\n\n"
    );
    for f in 0..8 {
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
    s.push_str("  def debug(x), do: IO.inspect(x, label: \"debug\")\nend\n");
    s
}

fn server(i: usize) -> String {
    format!(
        r#"defmodule Soak.Cache{i} do
  @moduledoc "A cache process {i}: keeps recent lookups in memory."
  use GenServer

  @doc "Starts the cache."
  @spec start_link(keyword()) :: GenServer.on_start()
  def start_link(opts) do
    GenServer.start_link(__MODULE__, opts, name: Keyword.get(opts, :name, __MODULE__))
  end

  @doc "Reads a key."
  @spec get(GenServer.server(), term()) :: term() | nil
  def get(server \\ __MODULE__, key), do: GenServer.call(server, {{:get, key}})

  @doc "Writes a key."
  @spec put(GenServer.server(), term(), term()) :: :ok
  def put(server \\ __MODULE__, key, value), do: GenServer.cast(server, {{:put, key, value}})

  @impl true
  def init(opts) do
    ttl = Keyword.get(opts, :ttl, 60_000)
    {{:ok, %{{entries: %{{}}, ttl: ttl}}}}
  end

  @impl true
  def handle_call({{:get, key}}, _from, state) do
    case Map.fetch(state.entries, key) do
      {{:ok, {{value, _at}}}} -> {{:reply, value, state}}
      :error -> {{:reply, nil, state}}
    end
  end

  @impl true
  def handle_cast({{:put, key, value}}, state) do
    entries = Map.put(state.entries, key, {{value, System.monotonic_time(:millisecond)}})
    {{:noreply, %{{state | entries: entries}}}}
  end

  @impl true
  def handle_info(:sweep, state) do
    now = System.monotonic_time(:millisecond)
    entries =
      state.entries
      |> Enum.reject(fn {{_k, {{_v, at}}}} -> now - at > state.ttl end)
      |> Map.new()

    {{:noreply, %{{state | entries: entries}}}}
  end

  def handle_info(msg, state) do
    # TODO: log unexpected messages
    {{:noreply, state}}
  end
end
"#
    )
}

fn schema(i: usize) -> String {
    format!(
        r#"defmodule Soak.Accounts{i}.User do
  @moduledoc "A user account ({i})."
  use Ecto.Schema
  import Ecto.Changeset

  @type t :: %__MODULE__{{}}

  schema "users_{i}" do
    field :email, :string
    field :name, :string
    field :role, :string, default: "member"
    field :age, :integer
    timestamps()
  end

  @doc "Validates the fields of a user."
  @spec changeset(t(), map()) :: Ecto.Changeset.t()
  def changeset(user, attrs) do
    user
    |> cast(attrs, [:email, :name, :role, :age])
    |> validate_required([:email, :name])
    |> validate_format(:email, ~r/@/)
    |> validate_number(:age, greater_than: 0)
    |> unique_constraint(:email)
  end

  def role_atom(%__MODULE__{{role: role}}), do: String.to_atom(role)

  @doc "A display name: « name » or the email."
  @spec display(t()) :: String.t()
  def display(%__MODULE__{{name: nil, email: email}}), do: email
  def display(%__MODULE__{{name: name}}), do: name
end
"#
    )
}

fn controller(i: usize) -> String {
    format!(
        r#"defmodule SoakWeb.Page{i}Controller do
  @moduledoc "Pages {i}."
  alias Soak.Repo

  @doc "Lists the items."
  @spec index(map(), map()) :: map()
  def index(conn, params) do
    page = Map.get(params, "page", "1") |> String.to_integer()

    items =
      Repo.all_items()
      |> Enum.filter(fn item -> item.visible end)
      |> Enum.drop((page - 1) * 20)
      |> Enum.take(20)

    if length(items) == 0 do
      Map.put(conn, :status, 404)
    else
      Map.put(conn, :assigns, %{{items: items, page: page}})
    end
  end

  @doc "Shows one item."
  @spec show(map(), map()) :: map()
  def show(conn, %{{"id" => id}}) do
    case Repo.get_item(id) do
      nil -> Map.put(conn, :status, 404)
      item -> Map.put(conn, :assigns, %{{item: item}})
    end
  end

  def search(conn, %{{"q" => q}}) do
    results = Enum.map(Repo.search(q), fn r -> r |> IO.inspect() |> Map.take([:id, :title]) end)
    Map.put(conn, :assigns, %{{results: results, query: q}})
  end
end
"#
    )
}

/// One text change in byte offsets of the text it applies to.
#[derive(Clone, Debug)]
struct Change {
    start: usize,
    end: usize,
    text: String,
}

/// A diagnostic reduced to what must match between two lints of the same text.
type DiagKey = String;

/// The client's view of one file.
struct Doc {
    uri: String,
    path: PathBuf,
    text: String,
    original: String,
    /// The file's content on disk (what a re-open reads).
    disk: String,
    open: bool,
    /// The last version sent (versions keep growing across re-opens, so a publication of an
    /// earlier session is always older than the current one).
    version: i64,
    /// The version of the current session's `didOpen`.
    opened_version: i64,
    /// Undo groups: the inverse of each `didChange` sent, newest last.
    undo: Vec<Vec<Change>>,
    /// Recent versions' texts, to check that published ranges lie inside them.
    history: VecDeque<(i64, String)>,
    /// Newest version published, and the newest publication (its version and diagnostics).
    newest_published: Option<i64>,
    last: Option<(Option<i64>, BTreeSet<DiagKey>)>,
    /// Closed, and the server's closing publication (the file's findings on disk, or none:
    /// version `null`) has arrived: from then on, until a re-open, the server has nothing more to
    /// say about the edited document.
    close_published: bool,
    /// The diagnostics a fresh lint of the file on disk must give (saved, then closed).
    expect_fresh: Option<BTreeSet<DiagKey>>,
    /// Iterations until a closed document is re-opened.
    reopen_in: usize,
    /// Re-opened before the last session's closing publication arrived: a publication of
    /// that session the server sent before it took the close may still come, until the first
    /// of this session's (which the server sends after it) or that closing publication.
    stale_may_arrive: bool,
}

const HISTORY: usize = 256;

impl Doc {
    /// The client's side of a (re-)open: a new session at the next version, with the text on
    /// disk.
    fn opened(&mut self) {
        self.version += 1;
        self.opened_version = self.version;
        self.open = true;
        self.stale_may_arrive = !self.close_published;
        self.close_published = false;
        self.expect_fresh = None;
        self.text = self.disk.clone();
        self.undo.clear();
        self.remember();
    }

    fn remember(&mut self) {
        self.history.push_back((self.version, self.text.clone()));
        if self.history.len() > HISTORY {
            self.history.pop_front();
        }
    }
}

/// The soak session.
struct Soak<'a> {
    config: &'a Config,
    rng: Rng,
    docs: Vec<Doc>,
    report: Report,
    pid: String,
}

/// Runs a soak against `bin` in a fresh temporary Mix project; `progress` receives a line per
/// checkpoint.
pub fn run(bin: &Path, config: &Config, mut progress: impl FnMut(&str)) -> Report {
    let dir = tempfile::tempdir().expect("temporary folder");
    let root = dir.path().join("soak_app");
    let docs = generate_project(&root, config.files);
    let log_path = dir.path().join("server.log");
    let log = File::create(&log_path).expect("log file");
    let mut lsp = Lsp::start_with_stderr(bin, &root, &[("LADDER_LOG", "debug")], log);
    let mut soak = Soak {
        config,
        rng: Rng(config.seed),
        docs,
        report: Report {
            seed: config.seed,
            ..Report::default()
        },
        pid: lsp.pid().to_string(),
    };
    lsp.initialize(Some(&root), push_client(&["utf-16"]));
    // The workspace scan publishes every file from disk first; opening files while it runs
    // would race its publications with the editor's (a race the soak is not about).
    soak.wait_scanned(&mut lsp);
    for i in 0..soak.docs.len() {
        soak.open(&mut lsp, i);
    }
    for i in 0..soak.docs.len() {
        soak.wait_current(&mut lsp, i);
    }
    let start = Instant::now();
    let mut next_sample = config.sample_every;
    let mut next_checkpoint = config.checkpoint_every;
    while soak.report.edits < config.edits {
        soak.step(&mut lsp);
        soak.pump(&mut lsp, Instant::now());
        if soak.report.edits >= next_sample {
            next_sample += config.sample_every;
            soak.sample(false);
        }
        if soak.report.edits >= next_checkpoint || soak.report.edits >= config.edits {
            next_checkpoint += config.checkpoint_every;
            soak.checkpoint(&mut lsp);
            progress(&format!(
                "soak: {} edits, {:.1} s, VmRSS {:.1} MiB, {} violations",
                soak.report.edits,
                start.elapsed().as_secs_f64(),
                soak.report.samples.last().map_or(0, |s| s.rss_kib) as f64 / 1024.0,
                soak.report.violations.len()
            ));
            if !lsp.is_running() {
                soak.violate("the server exited during the soak".into());
                break;
            }
        }
    }
    soak.report.elapsed = start.elapsed();
    soak.report.peak_kib = proc_status_kib(&soak.pid, "VmHWM:").unwrap_or(0);
    soak.check_memory();
    if lsp.is_running() {
        let status = lsp.shutdown();
        if !status.success() {
            soak.violate(format!("the server exited with {status} after shutdown"));
        }
    }
    soak.read_log(&log_path);
    soak.report
}

fn generate_project(root: &Path, files: usize) -> Vec<Doc> {
    std::fs::create_dir_all(root.join("lib/soak")).expect("project folder");
    std::fs::write(
        root.join("mix.exs"),
        "defmodule Soak.MixProject do\n  use Mix.Project\n\n  def project do\n    [app: :soak, version: \"0.1.0\", elixir: \"~> 1.14\", deps: []]\n  end\nend\n",
    )
    .expect("mix.exs");
    (0..files)
        .map(|i| {
            let path = root.join(format!("lib/soak/module_{i}.ex"));
            let text = module_source(i);
            std::fs::write(&path, &text).expect("module");
            Doc {
                uri: file_uri(&path),
                path,
                original: text.clone(),
                disk: text.clone(),
                text,
                open: false,
                version: 0,
                opened_version: 0,
                undo: Vec::new(),
                history: VecDeque::new(),
                newest_published: None,
                last: None,
                close_published: false,
                expect_fresh: None,
                reopen_in: 0,
                stale_may_arrive: false,
            }
        })
        .collect()
}

impl Soak<'_> {
    fn violate(&mut self, what: String) {
        self.report.violations.push(what);
    }

    fn open(&mut self, lsp: &mut Lsp, i: usize) {
        let doc = &mut self.docs[i];
        doc.opened();
        lsp.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": doc.uri, "languageId": "elixir", "version": doc.version, "text": doc.text}}),
        );
    }

    /// One random action: mostly an edit of an open file, now and then a save, a close or a
    /// re-open.
    fn step(&mut self, lsp: &mut Lsp) {
        // Re-open closed files after a while.
        for i in 0..self.docs.len() {
            if !self.docs[i].open {
                if self.docs[i].reopen_in == 0 {
                    self.open(lsp, i);
                    self.report.reopens += 1;
                } else {
                    self.docs[i].reopen_in -= 1;
                }
            }
        }
        let open: Vec<usize> = (0..self.docs.len())
            .filter(|&i| self.docs[i].open)
            .collect();
        if open.is_empty() {
            return;
        }
        let i = open[self.rng.below(open.len())];
        let roll = self.rng.below(1000);
        if roll < 8 {
            self.close(lsp, i);
        } else if roll < 30 {
            self.save(lsp, i);
        } else {
            self.edit(lsp, i);
            // A pause in typing: the diagnostics of this version arrive before the next edit.
            // Otherwise the next edit follows at once (a burst the server may coalesce).
            if self.rng.chance(0.3) {
                self.wait_current(lsp, i);
            }
        }
    }

    fn edit(&mut self, lsp: &mut Lsp, i: usize) {
        // The texts stay about their size (the memory check compares like with like): a file
        // that drifted more than 15 % is brought back by undoing, or reset.
        let doc = &self.docs[i];
        let drift = doc.text.len() as f64 / doc.original.len() as f64;
        let drifted = !(0.85..=1.15).contains(&drift);
        let undo = !doc.undo.is_empty() && (drifted || self.rng.chance(0.5));
        let (changes, full) = if undo {
            self.report.undos += 1;
            (self.docs[i].undo.pop().expect("an undo group"), false)
        } else if drifted || self.rng.chance(0.003) {
            // Back to the pristine file in one full-text change (as after a `git checkout`).
            let doc = &self.docs[i];
            (
                vec![Change {
                    start: 0,
                    end: doc.text.len(),
                    text: doc.original.clone(),
                }],
                true,
            )
        } else {
            let n = if self.rng.chance(0.8) {
                1
            } else {
                self.rng.between(2, 4)
            };
            let mut text = self.docs[i].text.clone();
            let changes: Vec<Change> = (0..n)
                .map(|_| {
                    let c = self.random_change(&text);
                    text.replace_range(c.start..c.end, &c.text);
                    c
                })
                .collect();
            (changes, false)
        };
        let doc = &mut self.docs[i];
        let mut content_changes = Vec::new();
        let mut inverse = Vec::new();
        for c in &changes {
            if full {
                content_changes.push(json!({"text": c.text}));
            } else {
                let (sl, sc) = position(&doc.text, c.start);
                let (el, ec) = position(&doc.text, c.end);
                content_changes.push(json!({
                    "range": {"start": {"line": sl, "character": sc}, "end": {"line": el, "character": ec}},
                    "text": c.text,
                }));
            }
            inverse.push(Change {
                start: c.start,
                end: c.start + c.text.len(),
                text: doc.text[c.start..c.end].to_string(),
            });
            doc.text.replace_range(c.start..c.end, &c.text);
        }
        if full {
            doc.undo.clear();
        } else if !undo {
            inverse.reverse();
            doc.undo.push(inverse);
        }
        doc.version += 1;
        doc.remember();
        self.report.edits += changes.len();
        self.report.did_change += 1;
        lsp.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": doc.uri, "version": doc.version}, "contentChanges": content_changes}),
        );
    }

    /// An insertion, deletion or replacement of 1–40 characters somewhere in the code.
    fn random_change(&mut self, text: &str) -> Change {
        let start = self.random_offset(text);
        let kind = self.rng.below(3);
        let end = if kind == 0 {
            start
        } else {
            let n = self.rng.between(1, 40);
            text[start..]
                .char_indices()
                .nth(n)
                .map_or(text.len(), |(b, _)| start + b)
        };
        let inserted = if kind == 1 {
            String::new()
        } else {
            self.random_text()
        };
        Change {
            start,
            end,
            text: inserted,
        }
    }

    /// A char boundary on a random line, at a random column of it (its end included).
    fn random_offset(&mut self, text: &str) -> usize {
        let lines: Vec<(usize, &str)> = text
            .split_inclusive('\n')
            .scan(0, |at, l| {
                let start = *at;
                *at += l.len();
                Some((start, l))
            })
            .collect();
        if lines.is_empty() {
            return 0;
        }
        let (start, line) = lines[self.rng.below(lines.len())];
        let body = line.strip_suffix('\n').unwrap_or(line);
        let bounds: Vec<usize> = body
            .char_indices()
            .map(|(b, _)| b)
            .chain([body.len()])
            .collect();
        start + bounds[self.rng.below(bounds.len())]
    }

    /// 1–40 characters of Elixir-ish text.
    fn random_text(&mut self) -> String {
        let want = self.rng.between(1, 40);
        let mut s = String::new();
        while s.chars().count() < want {
            if self.rng.chance(0.2) {
                let c = (b'a' + self.rng.below(26) as u8) as char;
                s.push(c);
            } else {
                s.push_str(SNIPPETS[self.rng.below(SNIPPETS.len())]);
            }
        }
        s.chars().take(want).collect()
    }

    fn save(&mut self, lsp: &mut Lsp, i: usize) {
        let doc = &mut self.docs[i];
        std::fs::write(&doc.path, &doc.text).expect("write the saved file");
        doc.disk = doc.text.clone();
        self.report.saves += 1;
        lsp.notify(
            "textDocument/didSave",
            json!({"textDocument": {"uri": doc.uri}, "text": doc.text}),
        );
    }

    /// Closes a document: half the time saved first, and then its last diagnostics must be
    /// what the server's fresh lint of the file gives.
    fn close(&mut self, lsp: &mut Lsp, i: usize) {
        let saved = self.rng.chance(0.5);
        if saved {
            self.save(lsp, i);
            self.wait_current(lsp, i);
            let doc = &self.docs[i];
            if let Some((Some(v), diagnostics)) = &doc.last
                && *v == doc.version
            {
                let expected = diagnostics.clone();
                self.docs[i].expect_fresh = Some(expected);
            }
        }
        let reopen_in = self.rng.between(1, 40);
        let doc = &mut self.docs[i];
        doc.open = false;
        doc.reopen_in = reopen_in;
        self.report.closes += 1;
        let uri = doc.uri.clone();
        lsp.notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": uri}}),
        );
        // A request right behind the close (an editor asks for hovers and code actions all the
        // time): the server answers it whatever the state of the document.
        let id = self.request(
            lsp,
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}),
        );
        self.wait_response(lsp, id);
    }

    fn request(&mut self, lsp: &mut Lsp, method: &str, params: Value) -> Value {
        // Ids far from the harness's own (which counts from 1).
        let id = json!(format!("soak-{}", self.report.closes));
        lsp.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    fn wait_response(&mut self, lsp: &mut Lsp, id: Value) {
        let deadline = Instant::now() + self.config.timeout;
        loop {
            let Some(message) = lsp.next(deadline) else {
                self.violate(format!("no response to request {id}"));
                return;
            };
            if message.get("method").is_none() && message.get("id") == Some(&id) {
                if message.get("error").is_some() {
                    self.violate(format!("request {id} failed: {message}"));
                }
                return;
            }
            self.handle(&message);
        }
    }

    /// Waits until the workspace scan has published every file from disk.
    fn wait_scanned(&mut self, lsp: &mut Lsp) {
        let deadline = Instant::now() + self.config.timeout;
        while self.docs.iter().any(|d| d.last.is_none()) {
            let Some(message) = lsp.next(deadline) else {
                self.violate("the workspace scan did not publish every file".into());
                return;
            };
            self.handle(&message);
        }
    }

    /// Handles whatever the server has sent until `deadline` (now: without waiting).
    fn pump(&mut self, lsp: &mut Lsp, deadline: Instant) {
        while let Some(message) = lsp.next(deadline) {
            self.handle(&message);
        }
    }

    /// Waits until the current version of open document `i` is published.
    fn wait_current(&mut self, lsp: &mut Lsp, i: usize) {
        let deadline = Instant::now() + self.config.timeout;
        loop {
            let doc = &self.docs[i];
            if !doc.open || doc.newest_published.is_some_and(|v| v >= doc.version) {
                return;
            }
            let Some(message) = lsp.next(deadline) else {
                let (uri, version) = (doc.uri.clone(), doc.version);
                self.violate(format!(
                    "{uri}: version {version} not published within {:?}",
                    self.config.timeout
                ));
                // Count it published so one lost version is reported once.
                self.docs[i].newest_published = Some(version);
                return;
            };
            self.handle(&message);
        }
    }

    fn handle(&mut self, message: &Value) {
        if message["method"] != "textDocument/publishDiagnostics" {
            return;
        }
        let params = &message["params"];
        let uri = params["uri"].as_str().unwrap_or_default();
        let diagnostics = params["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let version = params["version"].as_i64();
        self.report.publishes += 1;
        self.report.diagnostics += diagnostics.len();
        let Some(i) = self.docs.iter().position(|d| d.uri == uri) else {
            // Files of the workspace that the soak never opens (none today): nothing to check.
            return;
        };
        let keys: BTreeSet<DiagKey> = diagnostics.iter().map(diag_key).collect();
        let mut problems = Vec::new();
        let doc = &mut self.docs[i];
        match version {
            Some(v) => {
                if !doc.open && doc.close_published {
                    problems.push(format!(
                        "{uri}: diagnostics for version {v} published after the document was closed (after its closing publication)"
                    ));
                } else if !doc.open {
                    // Sent before the server took the close (still in flight): allowed, as
                    // long as the closing publication comes after it.
                    self.report.in_flight_at_close += 1;
                }
                if v > doc.version {
                    problems.push(format!(
                        "{uri}: diagnostics for version {v}, never sent (newest {})",
                        doc.version
                    ));
                }
                if let Some(newest) = doc.newest_published
                    && v < newest
                {
                    problems.push(format!(
                        "{uri}: diagnostics for version {v} published after version {newest} (out of order)"
                    ));
                }
                if doc.open && v < doc.opened_version {
                    if doc.stale_may_arrive {
                        self.report.in_flight_at_close += 1;
                    } else {
                        problems.push(format!(
                            "{uri}: diagnostics for version {v} of an earlier session (re-opened at {})",
                            doc.opened_version
                        ));
                    }
                } else if doc.open {
                    doc.stale_may_arrive = false;
                }
                if let Some((_, text)) = doc.history.iter().find(|(hv, _)| *hv == v) {
                    for d in &diagnostics {
                        if !range_inside(text, &d["range"]) {
                            problems.push(format!(
                                "{uri}: version {v}: range {} outside the text",
                                d["range"]
                            ));
                        }
                    }
                }
                doc.newest_published = Some(doc.newest_published.map_or(v, |n| n.max(v)));
            }
            None => {
                if !doc.open {
                    doc.close_published = true;
                }
                doc.stale_may_arrive = false;
                if !doc.open
                    && let Some(expected) = doc.expect_fresh.take()
                {
                    self.report.fresh_comparisons += 1;
                    if expected != keys {
                        let missing: Vec<_> = expected.difference(&keys).take(3).collect();
                        let extra: Vec<_> = keys.difference(&expected).take(3).collect();
                        problems.push(format!(
                            "{uri}: the fresh lint of the saved file differs from the diagnostics of its last edited version: missing {missing:?}, extra {extra:?}"
                        ));
                    }
                }
            }
        }
        doc.last = Some((version, keys));
        for p in problems {
            self.violate(p);
        }
    }

    /// Waits for every open document's current version, lets the rest settle, then checks
    /// every document's latest diagnostics and samples memory.
    fn checkpoint(&mut self, lsp: &mut Lsp) {
        for i in 0..self.docs.len() {
            self.wait_current(lsp, i);
        }
        // Closed files are re-linted from disk: give those publications time to arrive.
        let settle = Instant::now() + Duration::from_millis(300);
        self.pump(lsp, settle);
        self.check_states();
        self.sample(true);
    }

    /// At a quiet point: each open document's latest diagnostics are for its current version,
    /// each closed one's come from disk.
    fn check_states(&mut self) {
        let mut problems = Vec::new();
        for doc in &self.docs {
            match (&doc.last, doc.open) {
                (Some((Some(v), _)), true) if *v == doc.version => {}
                (last, true) => problems.push(format!(
                    "{}: open at version {} but its latest diagnostics are for {:?}",
                    doc.uri,
                    doc.version,
                    last.as_ref().map(|l| l.0)
                )),
                (Some((None, _)), false) => {}
                (last, false) => problems.push(format!(
                    "{}: closed, but its latest diagnostics are for version {:?}, not from disk",
                    doc.uri,
                    last.as_ref().map(|l| l.0)
                )),
            }
            if !doc.open && doc.expect_fresh.is_some() {
                problems.push(format!(
                    "{}: saved and closed, but no diagnostics from disk arrived",
                    doc.uri
                ));
            }
        }
        for p in problems {
            self.violate(p);
        }
    }

    fn sample(&mut self, quiet: bool) {
        if let Some(rss_kib) = proc_status_kib(&self.pid, "VmRSS:") {
            let text_bytes = self.docs.iter().map(|d| d.text.len()).sum();
            self.report.samples.push(Sample {
                edits: self.report.edits,
                rss_kib,
                quiet,
                text_bytes,
                threads: proc_status_kib(&self.pid, "Threads:").unwrap_or(0),
            });
        }
    }

    /// Resident memory at quiet points after warm-up stays within the tolerance of the first.
    fn check_memory(&mut self) {
        let quiet: Vec<Sample> = self
            .report
            .samples
            .iter()
            .filter(|s| s.quiet && s.edits >= self.config.warmup)
            .copied()
            .collect();
        let Some(base) = quiet.first() else { return };
        self.report.baseline_kib = Some(base.rss_kib);
        let Some(tolerance) = self.config.memory_tolerance else {
            return;
        };
        let limit = base.rss_kib as f64 * (1.0 + tolerance);
        for s in &quiet[1..] {
            if s.rss_kib as f64 > limit {
                self.violate(format!(
                    "resident memory grew: {:.1} MiB after {} edits, over {:.0} % above the {:.1} MiB after warm-up",
                    s.rss_kib as f64 / 1024.0,
                    s.edits,
                    tolerance * 100.0,
                    base.rss_kib as f64 / 1024.0
                ));
            }
        }
    }

    fn read_log(&mut self, path: &Path) {
        let log = std::fs::read(path).unwrap_or_default();
        let log = String::from_utf8_lossy(&log);
        let mut panics = Vec::new();
        for line in log.lines() {
            self.report.log_lines += 1;
            if line.to_ascii_lowercase().contains("panic") {
                panics.push(line.to_string());
            }
            if line.contains(" WARN ") || line.contains(" ERROR ") {
                self.report.log_problems.push(line.to_string());
            }
        }
        for p in panics {
            self.violate(format!("panic in the server's log: {p}"));
        }
    }
}

/// The LSP position (line, UTF-16 column) of a byte offset.
fn position(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = text[line_start..offset].encode_utf16().count();
    (line, col)
}

/// Whether an LSP range lies inside `text` (lines exist, columns within them).
fn range_inside(text: &str, range: &Value) -> bool {
    let lines: Vec<&str> = text.split('\n').collect();
    let inside = |p: &Value| {
        let (Some(line), Some(col)) = (p["line"].as_u64(), p["character"].as_u64()) else {
            return false;
        };
        lines
            .get(line as usize)
            .is_some_and(|l| col as usize <= l.encode_utf16().count())
    };
    inside(&range["start"]) && inside(&range["end"])
}

fn diag_key(d: &Value) -> DiagKey {
    format!(
        "{}:{}-{}:{} {} {} {}",
        d["range"]["start"]["line"],
        d["range"]["start"]["character"],
        d["range"]["end"]["line"],
        d["range"]["end"]["character"],
        d["code"],
        d["severity"],
        d["message"]
    )
}

/// A numeric field of `/proc/PID/status` (those in `kB` give KiB).
pub fn proc_status_kib(pid: &str, field: &str) -> Option<u64> {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// The seed of a run unless `LADDER_SOAK_SEED` gives another: fixed, so two runs of the same
/// build send the same session.
pub const DEFAULT_SEED: u64 = 12_2026;

/// The seed from `LADDER_SOAK_SEED`, else [`DEFAULT_SEED`] (printed by the caller so the run
/// can be replayed).
pub fn seed_from_env() -> u64 {
    std::env::var("LADDER_SOAK_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_SEED)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session<'a>(config: &'a Config, dir: &Path) -> Soak<'a> {
        let mut docs = generate_project(dir, 2);
        for doc in &mut docs {
            doc.open = true;
            doc.version = 5;
            doc.opened_version = 1;
            doc.remember();
        }
        Soak {
            config,
            rng: Rng(1),
            docs,
            report: Report::default(),
            pid: "self".into(),
        }
    }

    fn publish(uri: &str, version: Option<i64>, diagnostics: Value) -> Value {
        json!({"jsonrpc": "2.0", "method": "textDocument/publishDiagnostics",
               "params": {"uri": uri, "version": version, "diagnostics": diagnostics}})
    }

    fn diagnostic(line: u64, character: u64) -> Value {
        json!({"range": {"start": {"line": line, "character": character}, "end": {"line": line, "character": character}},
               "code": "io-inspect", "severity": 2, "message": "m"})
    }

    /// The checks catch what they are for (a soak that cannot fail proves nothing).
    #[test]
    fn each_invariant_is_caught() {
        let config = Config::short(1);
        let dir = tempfile::tempdir().unwrap();
        let mut soak = session(&config, dir.path());
        let uri = soak.docs[0].uri.clone();
        soak.handle(&publish(&uri, Some(4), json!([diagnostic(0, 0)])));
        soak.handle(&publish(&uri, Some(5), json!([])));
        assert!(
            soak.report.violations.is_empty(),
            "{:?}",
            soak.report.violations
        );

        soak.handle(&publish(&uri, Some(3), json!([])));
        assert!(soak.report.violations[0].contains("out of order"));
        soak.handle(&publish(&uri, Some(5), json!([diagnostic(100_000, 0)])));
        assert!(soak.report.violations[1].contains("outside the text"));
        soak.handle(&publish(&uri, Some(9), json!([])));
        assert!(soak.report.violations[2].contains("never sent"));
        // Back to what the server really published, for the checks below.
        soak.docs[0].newest_published = Some(5);

        // Closed (and the server took the close): versioned diagnostics are stale; the fresh
        // lint from disk must equal the last edited version's.
        soak.docs[0].open = false;
        soak.docs[0].expect_fresh = Some([diag_key(&diagnostic(0, 0))].into());
        soak.handle(&publish(&uri, Some(5), json!([])));
        assert_eq!(soak.report.in_flight_at_close, 1);
        assert_eq!(soak.report.violations.len(), 3);
        soak.handle(&publish(&uri, None, json!([diagnostic(0, 1)])));
        assert!(soak.report.violations[3].contains("fresh lint"));
        assert_eq!(soak.report.fresh_comparisons, 1);
        soak.handle(&publish(&uri, Some(5), json!([])));
        assert!(soak.report.violations[4].contains("after the document was closed"));
        assert_eq!(soak.report.violations.len(), 5);

        // An open document whose latest publication is not its current version.
        let other = soak.docs[1].uri.clone();
        soak.handle(&publish(&other, Some(5), json!([])));
        soak.handle(&publish(&other, None, json!([])));
        soak.check_states();
        assert_eq!(
            soak.report.violations.len(),
            7,
            "{:?}",
            soak.report.violations
        );
        // The closed one's last word was the stale versioned publication.
        assert!(soak.report.violations[5].contains(&format!("{uri}: closed, but")));
        assert!(soak.report.violations[6].contains(&format!("{other}: open at version 5")));
    }

    /// Re-opened before the closing publication arrived: the last session's publications
    /// sent before the server took the close may still come, until the closing publication
    /// or the new session's first; after that they are a violation.
    #[test]
    fn a_publication_of_the_last_session_is_stale_only_after_the_new_one_spoke() {
        let config = Config::short(1);
        let dir = tempfile::tempdir().unwrap();
        let mut soak = session(&config, dir.path());
        let uri = soak.docs[0].uri.clone();
        soak.docs[0].open = false;
        soak.docs[0].close_published = false;
        soak.docs[0].opened();
        let current = soak.docs[0].version;
        soak.handle(&publish(&uri, Some(5), json!([])));
        assert!(
            soak.report.violations.is_empty(),
            "{:?}",
            soak.report.violations
        );
        assert_eq!(soak.report.in_flight_at_close, 1);
        soak.handle(&publish(&uri, Some(current), json!([])));
        soak.handle(&publish(&uri, Some(5), json!([])));
        assert!(
            soak.report
                .violations
                .iter()
                .any(|v| v.contains("of an earlier session")),
            "{:?}",
            soak.report.violations
        );
    }

    #[test]
    fn memory_growth_is_caught_after_warm_up_only() {
        let config = Config {
            memory_tolerance: Some(0.10),
            warmup: 100,
            ..Config::short(1)
        };
        let dir = tempfile::tempdir().unwrap();
        let mut soak = session(&config, dir.path());
        for (edits, rss_kib, quiet) in [
            (50, 10_000, true),
            (100, 20_000, true),
            (150, 40_000, false),
            (200, 21_900, true),
        ] {
            soak.report.samples.push(Sample {
                edits,
                rss_kib,
                quiet,
                text_bytes: 0,
                threads: 0,
            });
        }
        soak.check_memory();
        assert!(
            soak.report.violations.is_empty(),
            "{:?}",
            soak.report.violations
        );
        soak.report.samples.push(Sample {
            edits: 250,
            rss_kib: 22_100,
            quiet: true,
            text_bytes: 0,
            threads: 0,
        });
        soak.check_memory();
        assert_eq!(
            soak.report.violations.len(),
            1,
            "{:?}",
            soak.report.violations
        );
    }

    #[test]
    fn positions_count_utf16_units() {
        let text = "a😀b\néc\n";
        assert_eq!(position(text, 0), (0, 0));
        assert_eq!(position(text, 5), (0, 3));
        assert_eq!(position(text, text.find('c').unwrap()), (1, 1));
        let range = |l: u64, c: u64| json!({"start": {"line": 0, "character": 0}, "end": {"line": l, "character": c}});
        assert!(range_inside(text, &range(0, 4)));
        assert!(!range_inside(text, &range(0, 5)));
        assert!(range_inside(text, &range(2, 0)));
        assert!(!range_inside(text, &range(3, 0)));
    }
}
