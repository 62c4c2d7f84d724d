//! `check` as a team adopting it meets it: which files it finds, the HTML and Markdown reports,
//! baselines, fixes withheld as unsafe, `--statistics`, paths with nothing to check, and control
//! characters from the source in every format. The real binary, on projects written here.
//!
//! The HTML report is rendered by Debian's headless Chromium and the screenshot checked for
//! content. Without Chromium that part is skipped with a message, unless
//! `LADDER_REQUIRE_CHROMIUM` is set (tests/run.sh sets it, so CI never skips).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn ladder(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ladder-ls"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run ladder-ls")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/sample_app")
}

const MIX: &str =
    "defmodule P.MixProject do\n  use Mix.Project\n  def project, do: [app: :p]\nend\n";

fn json(dir: &Path, args: &[&str]) -> Value {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let out = ladder(dir, &all);
    serde_json::from_str(&stdout(&out)).unwrap_or_else(|e| panic!("{e}: {}", stderr(&out)))
}

fn checked_paths(v: &Value) -> Vec<String> {
    v["levels"].as_object().unwrap().keys().cloned().collect()
}

/// Every `.ex`/`.exs` under the path: nested Mix projects and folders such as
/// `integration_test/` too; not `.gitignore`d files, `deps/`, `_build/`, `node_modules/` or the
/// configuration's excludes. Files of a nested project are linted as part of that project.
#[test]
fn discovery_takes_every_elixir_file_but_ignored_ones() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "mix.exs", MIX);
    write(d, ".gitignore", "/tmp/\n");
    write(d, ".ladder.exs", "[exclude: [\"lib/generated/**\"]]\n");
    let module = "defmodule M do\n  @moduledoc false\nend\n";
    for f in [
        "lib/p.ex",
        "lib/generated/big.ex",
        "integration_test/checkout_test.exs",
        "deps/jason/lib/jason.ex",
        "_build/dev/lib/p/x.ex",
        "assets/node_modules/pkg/y.ex",
        "tmp/scratch.exs",
        "scripts/seed.exs",
    ] {
        write(d, f, module);
    }
    write(d, "examples/demo/mix.exs", MIX);
    // `Mix.env()` is flagged in a project's `lib/` only: the nested project's root must be used.
    write(
        d,
        "examples/demo/lib/demo.ex",
        "defmodule Demo do\n  @moduledoc false\n  @spec env() :: atom()\n  def env, do: Mix.env()\nend\n",
    );
    let v = json(d, &["--level", "7"]);
    assert_eq!(
        checked_paths(&v),
        [
            "examples/demo/lib/demo.ex",
            "examples/demo/mix.exs",
            "integration_test/checkout_test.exs",
            "lib/p.ex",
            "mix.exs",
            "scripts/seed.exs",
        ]
    );
    assert_eq!(v["files_checked"], 6);
    let codes: Vec<(&str, &str)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["path"].as_str().unwrap(), d["code"].as_str().unwrap()))
        .collect();
    assert!(
        codes.contains(&("examples/demo/lib/demo.ex", "mix-env-at-runtime")),
        "{codes:?}"
    );
    // The human summary says how many the configuration excluded.
    let out = ladder(d, &["check", "--level", "7"]);
    assert!(
        stdout(&out).contains("(6 checked, 1 excluded)"),
        "{}",
        stdout(&out)
    );
}

/// A path with no Elixir file says so on stderr and exits 0; no project level is made up.
#[test]
fn a_path_with_no_elixir_file_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "docs/readme.md", "# docs\n");
    write(d, "lib/a.ex", "defmodule A do\n  @moduledoc false\nend\n");
    let out = ladder(d, &["check", "docs"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("ladder-ls: docs: no Elixir file (.ex, .exs) to check here"),
        "{}",
        stderr(&out)
    );
    let text = stdout(&out);
    assert!(text.starts_with("No Elixir file checked"), "{text}");
    assert!(!text.contains("project level L"), "{text}");
    // With another path that has files, the empty one is still named.
    let out = ladder(d, &["check", "docs", "lib"]);
    assert!(stderr(&out).contains("docs: no Elixir file"));
    assert!(
        stdout(&out).contains("project level L7"),
        "{}",
        stdout(&out)
    );
    // Every format says it: the page and the summary have no level either.
    let html = stdout(&ladder(d, &["check", "docs", "--format", "html"]));
    assert!(html.contains("No Elixir file was checked"), "{html}");
    let md = stdout(&ladder(d, &["check", "docs", "--format", "markdown"]));
    assert!(md.starts_with("## Ladder: no Elixir file checked"), "{md}");
}

/// Control characters in paths and in text quoted from the source never reach the output raw.
#[test]
fn control_characters_are_escaped_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let name = "evil\u{1b}[2J\u{7}.ex";
    write(
        d,
        name,
        "defmodule Evil do\n  @moduledoc false\n  # TODO clear \u{1b}[31mred\u{9b}1m \u{7f}\n  def f(x), do: x\nend\n",
    );
    for format in ["human", "json", "sarif", "github", "html", "markdown"] {
        let out = ladder(d, &["check", "--format", format, "--level", "7"]);
        assert_eq!(out.status.code(), Some(1), "{format}: {}", stderr(&out));
        let text = stdout(&out);
        let raw: Vec<char> = text
            .chars()
            .filter(|c| c.is_control() && *c != '\n')
            .collect();
        assert!(raw.is_empty(), "{format}: raw control characters {raw:?}");
        assert!(text.contains("TODO"), "{format}: the finding is reported");
        match format {
            "json" | "sarif" => {
                // Still the same characters once decoded.
                let v: Value = serde_json::from_str(&text).unwrap();
                assert!(v.to_string().contains("\\u001b[31mred"), "{format}");
                assert!(
                    text.contains("\\u009b1m \\u007f"),
                    "{format}: C1 and DEL escaped too"
                );
            }
            "github" | "human" | "markdown" => {
                assert!(text.contains("\\u{1b}[2J"), "{format}: {text}")
            }
            _ => assert!(text.contains("\\u{1b}"), "{format}"),
        }
    }
}

/// `--write-baseline` records today's findings; `--baseline` reports and fails only on new
/// ones, even after lines moved, and says how many were baselined.
#[test]
fn baselines_report_only_new_findings() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ladder_e2e::copy_dir(&sample(), d);
    let before = json(d, &[]);
    let total = before["diagnostics"].as_array().unwrap().len();
    assert!(total > 10);

    let out = ladder(d, &["check", "--write-baseline", "ladder-baseline.json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!(
            "wrote {total} findings to ladder-baseline.json; run with `--baseline \
             ladder-baseline.json`"
        )),
        "{}",
        stderr(&out)
    );
    let baseline: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("ladder-baseline.json")).unwrap())
            .unwrap();
    assert_eq!(baseline["version"], 1);
    assert_eq!(baseline["findings"].as_array().unwrap().len(), total);
    // The baseline's fingerprints are the SARIF ones (same scheme, same folder).
    let sarif: Value =
        serde_json::from_str(&stdout(&ladder(d, &["check", "--format", "sarif"]))).unwrap();
    let sarif_prints: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["partialFingerprints"]["ladderFingerprint/v1"]
                .as_str()
                .unwrap()
        })
        .collect();
    for entry in baseline["findings"].as_array().unwrap() {
        assert!(sarif_prints.contains(&entry["fingerprint"].as_str().unwrap()));
    }

    let out = ladder(d, &["check", "--baseline", "ladder-baseline.json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(
        text.contains(&format!(
            "{total} findings baselined (ladder-baseline.json): not reported"
        )),
        "{text}"
    );
    // Levels still say how the code is.
    assert!(text.contains("project level below L0"), "{text}");

    // Lines added above the old findings and a new one below: only the new one is reported.
    let orders = d.join("lib/shop/orders.ex");
    let old = std::fs::read_to_string(&orders).unwrap();
    let moved = old.replacen(
        "  def create_order(",
        "  # Orders are created here.\n\n  def create_order(",
        1,
    );
    let moved = moved.replacen(
        "defp log(order), do: IO.inspect(order)",
        "defp log(order), do: IO.inspect(order)\n  defp log2(order), do: IO.inspect(order, label: \"again\")",
        1,
    );
    assert_ne!(moved, old);
    std::fs::write(&orders, &moved).unwrap();
    let v = json(d, &["--baseline", "ladder-baseline.json"]);
    let new: Vec<(&str, &str)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["code"].as_str().unwrap(), d["message"].as_str().unwrap()))
        .collect();
    assert_eq!(new.len(), 1, "{new:?}");
    assert_eq!(new[0].0, "io-inspect");
    assert!(new[0].1.contains("log2/1"), "{new:?}");
    let out = ladder(d, &["check", "--baseline", "ladder-baseline.json"]);
    assert_eq!(out.status.code(), Some(1));

    // Used from another folder, the same baseline still applies (paths are relative to it).
    let out = ladder(
        &d.join("lib"),
        &[
            "check",
            "--baseline",
            "../ladder-baseline.json",
            "--format",
            "json",
        ],
    );
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["diagnostics"].as_array().unwrap().len(), 1, "{v}");

    // A fixed finding leaves a stale entry, which the summary mentions.
    std::fs::write(&orders, old.replace("|> IO.inspect(label: \"order\")", "")).unwrap();
    let text = stdout(&ladder(d, &["check", "--baseline", "ladder-baseline.json"]));
    assert!(
        text.contains("1 baseline entry of the checked files match"),
        "{text}"
    );

    // Writing and reading one in the same run is a usage error (`--write-baseline` replaces).
    let out = ladder(
        d,
        &[
            "check",
            "--baseline",
            "a.json",
            "--write-baseline",
            "b.json",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(!d.join("b.json").exists());
    // A missing or malformed baseline is a usage error.
    let out = ladder(d, &["check", "--baseline", "nope.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot read the baseline nope.json"));
    std::fs::write(d.join("bad.json"), "{\"findings\": 3}").unwrap();
    let out = ladder(d, &["check", "--baseline", "bad.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("bad.json is not a ladder-ls baseline"));
}

/// `--fix` says how many fixes it withheld as unsafe and how to apply them; `--unsafe-fixes`
/// applies them; without `--fix`, the summary says what is fixable.
#[test]
fn fix_says_what_it_withheld_and_unsafe_fixes_apply_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ladder_e2e::copy_dir(&sample(), d);
    let out = ladder(d, &["check"]);
    assert!(
        stdout(&out).contains(
            "4 findings fixable with `ladder-ls check --fix`; 4 more with `ladder-ls check \
             --fix --unsafe-fixes`"
        ),
        "{}",
        stdout(&out)
    );
    let out = ladder(d, &["check", "--fix"]);
    let text = stdout(&out);
    assert!(
        text.contains(
            "Fixed 4 findings; 4 fixes withheld as unsafe (they may change what the code \
             does): review them, then apply them with `ladder-ls check --fix --unsafe-fixes`"
        ),
        "{text}"
    );
    let orders = d.join("lib/shop/orders.ex");
    assert!(
        std::fs::read_to_string(&orders)
            .unwrap()
            .contains("IO.inspect")
    );
    // Machine formats keep stdout clean: the words go to stderr.
    let out = ladder(d, &["check", "--fix", "--format", "json"]);
    assert!(
        stderr(&out).contains("4 fixes withheld as unsafe"),
        "{}",
        stderr(&out)
    );

    let out = ladder(d, &["check", "--fix", "--unsafe-fixes"]);
    let text = stdout(&out);
    assert!(text.contains("Fixed 4 findings"), "{text}");
    assert!(!text.contains("withheld"), "{text}");
    let fixed = std::fs::read_to_string(&orders).unwrap();
    assert!(!fixed.contains("IO.inspect"), "{fixed}");
    let v = json(d, &[]);
    assert!(
        !v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "io-inspect")
    );
    // `--unsafe-fixes` alone is a usage error: it only widens `--fix`.
    assert_eq!(
        ladder(d, &["check", "--unsafe-fixes"]).status.code(),
        Some(2)
    );
}

/// `--statistics`: counts per rule that add up to the findings.
#[test]
fn statistics_count_findings_per_rule() {
    let v = json(&sample(), &[]);
    let stats: Value = serde_json::from_str(&stdout(&ladder(
        &sample(),
        &["check", "--statistics", "--format", "json"],
    )))
    .unwrap();
    let rows = stats["statistics"].as_array().unwrap();
    let sum: u64 = rows.iter().map(|r| r["count"].as_u64().unwrap()).sum();
    assert_eq!(sum as usize, v["diagnostics"].as_array().unwrap().len());
    let count = |code: &str| {
        v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["code"] == code)
            .count() as u64
    };
    for r in rows {
        assert_eq!(r["count"], count(r["code"].as_str().unwrap()), "{r}");
    }
    // Most frequent first.
    assert_eq!(rows[0]["code"], "doc-without-example");
    let out = ladder(&sample(), &["check", "--statistics"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("     5  L7     hint           doc-without-example\n"),
        "{text}"
    );
    assert!(
        text.contains("     2  L4     warning   [*]  missing-spec\n"),
        "{text}"
    );
    assert!(
        !text.contains("lib/shop/orders.ex:"),
        "no findings listed: {text}"
    );
    let md = stdout(&ladder(
        &sample(),
        &["check", "--statistics", "--format", "markdown"],
    ));
    assert!(md.contains("| 2 | [`missing-spec`]("), "{md}");
    // Formats that list findings by nature refuse it.
    let out = ladder(&sample(), &["check", "--statistics", "--format", "sarif"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--statistics works with"));
}

/// The Markdown summary: headline, ladder, targets, blockers, folders and findings, with
/// source text escaped.
#[test]
fn markdown_summary_fits_a_job_summary() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "mix.exs", MIX);
    write(
        d,
        "lib/web/page.ex",
        "defmodule Web.Page do\n  @moduledoc false\n  @spec show(map()) :: term()\n  def show(params), do: raw(\"<script>\" <> params[\"x\"])\nend\n",
    );
    write(
        d,
        "lib/a|b.ex",
        "defmodule AB do\n  @moduledoc false\n  @spec f(term()) :: term()\n  def f(x), do: IO.inspect(x)\nend\n",
    );
    let out = ladder(d, &["check", "--format", "markdown", "--level", "5"]);
    assert_eq!(out.status.code(), Some(1));
    let md = stdout(&out);
    assert!(
        md.starts_with("## Ladder: project level **L1 (formatted)**\n"),
        "{md}"
    );
    // mix.exs, page.ex (L4: raw-html is L5) and a|b.ex (L1: io-inspect is L2).
    assert!(md.contains("| L2 | static analysis | 1 | 2/3 |"), "{md}");
    assert!(
        md.contains("- threshold (--level) L5: 1/3 files reach it; 2 findings fail it"),
        "{md}"
    );
    assert!(md.contains("### Top blockers"), "{md}");
    assert!(md.contains("| `lib/web` | 1 | L4 |"), "{md}");
    assert!(
        md.contains("| `lib/a\\|b.ex:4:17` | L2 | warning | [`io-inspect`]"),
        "{md}"
    );
    // Every table row has the same number of unescaped cell separators as its header.
    for line in md.lines().filter(|l| l.starts_with("| `lib/")) {
        let cells = line.replace("\\|", "").matches('|').count();
        assert!(cells == 6 || cells == 7, "{cells}: {line}");
    }
    assert!(!md.contains("<script>"), "{md}");

    // Many findings with long messages: the summary still fits a PR comment and says how many
    // it left out.
    let name = format!("handle_{}", "very_long_function_name_".repeat(12));
    let calls = "    IO.inspect(x)\n".repeat(400);
    write(
        d,
        "lib/many.ex",
        &format!("defmodule Many do\n  @moduledoc false\n  def {name}(x) do\n{calls}  end\nend\n"),
    );
    let md = stdout(&ladder(
        d,
        &["check", "--format", "markdown", "--level", "5"],
    ));
    assert!(
        md.chars().count() < 65_536,
        "{} characters",
        md.chars().count()
    );
    let rows = md
        .lines()
        .filter(|l| l.starts_with("| `lib/") && l.contains(".ex:"))
        .count();
    assert!((50..=100).contains(&rows), "{rows} rows");
    let total = json(d, &["--level", "5"])["diagnostics"]
        .as_array()
        .unwrap()
        .len();
    assert!(total > 400);
    assert!(
        md.contains(&format!("{} more: every finding is in", total - rows)),
        "{}",
        &md[md.len() - 400..]
    );
}

/// The HTML page: self-contained, with the level, the chart, the folders, the blockers and
/// every finding with its escaped source line; rendered by headless Chromium, the screenshot
/// is not blank.
#[test]
fn html_report_is_a_self_contained_page() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "mix.exs", MIX);
    write(
        d,
        "lib/web/page.ex",
        "defmodule Web.Page do\n  @moduledoc false\n  @spec show(map()) :: term()\n  def show(params), do: raw(\"<script>alert(1)</script>\" <> params[\"x\"])\nend\n",
    );
    write(
        d,
        "lib/shop/cart.ex",
        "defmodule Shop.Cart do\n  @moduledoc false\n  def add(cart, item), do: IO.inspect([item | cart])\n  def total(cart), do: Enum.sum(cart)\nend\n",
    );
    write(
        d,
        "test/shop/cart_test.exs",
        "defmodule Shop.CartTest do\n  use ExUnit.Case\nend\n",
    );
    let v = json(d, &["--level", "7"]);
    let out = ladder(d, &["check", "--format", "html", "--level", "7"]);
    assert_eq!(out.status.code(), Some(1));
    let html = stdout(&out);
    // Self-contained: no script, no external resource (links to rule docs are fine).
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.trim_end().ends_with("</html>"));
    assert!(
        !html.contains("<script"),
        "the source's <script> must stay text"
    );
    for resource in ["src=", "<link", "@import", "url("] {
        assert!(!html.contains(resource), "{resource}");
    }
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    // The project's level, and the chart's files per level agree with the JSON levels.
    assert!(
        html.contains("<title>Ladder report: L1</title>"),
        "{}",
        &html[..600]
    );
    let levels = v["levels"].as_object().unwrap();
    for l in 0..=7u64 {
        let n = levels.values().filter(|x| x.as_u64() == Some(l)).count();
        assert!(
            html.contains(&format!("data-level=\"L{l}\" data-files=\"{n}\"")),
            "L{l}: {n}"
        );
    }
    // Folders and blockers.
    for folder in ["lib/web", "lib/shop", "test/shop", "."] {
        assert!(
            html.contains(&format!("<tr><td><code>{folder}</code></td>")),
            "{folder}"
        );
    }
    assert!(html.contains("<table id=\"blockers\">"));
    assert!(html.contains("<code>io-inspect</code></a></td><td><span class=\"lvl\""));
    // Every finding, with its source line.
    let findings = v["diagnostics"].as_array().unwrap();
    assert_eq!(html.matches("<tr class=\"finding").count(), findings.len());
    assert!(
        html.contains("<mark>IO.inspect([item | cart])</mark>"),
        "flagged text marked"
    );

    let Some(chromium) = chromium() else { return };
    let page = d.join("report.html");
    std::fs::write(&page, &html).unwrap();
    let shot = d.join("shot.png");
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--window-size=1280,1600",
        ])
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", page.display()))
        // No network: a page that tried to load anything would fail visibly, not hang.
        .env("HTTP_PROXY", "http://127.0.0.1:9")
        .env("HTTPS_PROXY", "http://127.0.0.1:9")
        .stdout(std::process::Stdio::null())
        // A file, not a pipe: nobody reads the pipe while waiting, and a full one would block.
        .stderr(std::fs::File::create(d.join("chromium.log")).unwrap())
        .spawn()
        .expect("run chromium");
    // A hung browser fails the test instead of hanging it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium did not finish within 120 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(
        shot.is_file(),
        "no screenshot: {}",
        std::fs::read_to_string(d.join("chromium.log")).unwrap_or_default()
    );
    let (width, height, pixels) = decode_png(&shot);
    assert_eq!((width, height), (1280, 1600));
    // Not blank: many colours, a good share of the page drawn (text, bars, badges), and the
    // level colours of the chart and badges present.
    let mut colours = std::collections::HashSet::new();
    let mut drawn = 0usize;
    for px in &pixels {
        colours.insert(*px);
        if *px != [255, 255, 255] {
            drawn += 1;
        }
    }
    assert!(colours.len() > 50, "{} colours", colours.len());
    let share = drawn as f64 / pixels.len() as f64;
    assert!(
        share > 0.03 && share < 0.9,
        "{share:.3} of the pixels drawn"
    );
    // The L1 badge's red (#dc2626) and the L7 green (#15803d) of the chart.
    for colour in [[0xdc, 0x26, 0x26], [0x15, 0x80, 0x3d]] {
        let n = pixels.iter().filter(|p| **p == colour).count();
        assert!(n > 200, "{colour:?}: {n} pixels");
    }
}

/// Chromium, or `None` (test part skipped) when absent and not required.
fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("LADDER_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    if path.is_file() {
        return Some(path);
    }
    assert!(
        std::env::var_os("LADDER_REQUIRE_CHROMIUM").is_none(),
        "LADDER_REQUIRE_CHROMIUM is set but {} does not exist (apt-get install chromium)",
        path.display()
    );
    eprintln!(
        "SKIPPED: rendering the HTML report: no Chromium at {}",
        path.display()
    );
    None
}

/// A PNG's size and RGB pixels.
fn decode_png(path: &Path) -> (u32, u32, Vec<[u8; 3]>) {
    let decoder = png::Decoder::new(std::fs::File::open(path).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let bytes = &buf[..info.buffer_size()];
    let step = match info.color_type {
        png::ColorType::Rgba => 4,
        png::ColorType::Rgb => 3,
        other => panic!("unexpected PNG colour type {other:?}"),
    };
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    let pixels = bytes.chunks(step).map(|p| [p[0], p[1], p[2]]).collect();
    (info.width, info.height, pixels)
}

/// The commands of the GitHub Actions recipe in docs/ci.md, run as its steps run them (bash,
/// `$GITHUB_STEP_SUMMARY` set), and the entries of `.pre-commit-hooks.yaml` as pre-commit runs
/// them (the staged files as arguments): what the docs promise is what they produce.
#[test]
fn the_ci_recipe_and_the_pre_commit_hooks_work() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let docs = std::fs::read_to_string(repo.join("docs/ci.md")).unwrap();
    let workflow = docs
        .split("```yaml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a yaml block in docs/ci.md");
    let steps: Vec<&str> = workflow
        .lines()
        .filter_map(|l| l.trim().strip_prefix("run: "))
        .filter(|cmd| cmd.starts_with("ladder-ls "))
        .collect();
    assert_eq!(steps.len(), 4, "{steps:?}");
    assert!(workflow.contains("uses: github/codeql-action/upload-sarif@v4"));
    assert!(workflow.contains("sarif_file: ladder.sarif"));

    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ladder_e2e::copy_dir(&sample(), d);
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_ladder-ls")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let summary = d.join("step-summary.md");
    let run = |cmd: &str| {
        Command::new("bash")
            .args(["-e", "-c", cmd])
            .current_dir(d)
            .env("PATH", &path)
            .env("GITHUB_STEP_SUMMARY", &summary)
            .output()
            .expect("run bash")
    };
    let mut last = None;
    for step in &steps {
        last = Some(run(step));
    }
    let sarif: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("ladder.sarif")).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 16);
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(
        md.starts_with("## Ladder: project level **below L0"),
        "{md}"
    );
    let html = std::fs::read_to_string(d.join("ladder-report.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    // The last step fails the job, with annotations.
    let last = last.unwrap();
    assert_eq!(last.status.code(), Some(1), "{}", stderr(&last));
    assert!(stdout(&last).contains("::error file=lib/shop/cart.ex,line=7"));

    let hooks = std::fs::read_to_string(repo.join(".pre-commit-hooks.yaml")).unwrap();
    let entries: Vec<&str> = hooks
        .lines()
        .filter_map(|l| l.trim().strip_prefix("entry: "))
        .collect();
    assert_eq!(entries, ["ladder-ls check", "ladder-ls check --fix"]);
    assert_eq!(hooks.matches("files: \\.(ex|exs)$").count(), 2);
    let staged = "lib/shop/orders.ex lib/shop/order.ex";
    let out = run(&format!("{} {staged}", entries[0]));
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("(2 checked)"), "{}", stdout(&out));
    let out = run(&format!("{} {staged}", entries[1]));
    assert!(
        stdout(&out).contains("Fixed 4 findings"),
        "{}",
        stdout(&out)
    );
}
