//! The command line, run as users run it: the real binary on the bundled sample project.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/sample_app")
}

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

#[test]
fn check_human_output_on_the_sample_project() {
    let out = ladder(&sample(), &["check"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    insta::assert_snapshot!("check_human", stdout(&out));
}

#[test]
fn check_json_output_follows_the_stable_schema() {
    let out = ladder(&sample(), &["check", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["version"], 1);
    assert_eq!(json["files_checked"], 9);
    let first = &json["diagnostics"][0];
    let keys: Vec<&String> = first.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "code", "fix", "level", "message", "path", "range", "severity"
        ]
    );
    // Sorted by path, then position, then code.
    let order: Vec<(String, u64, u64)> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_string(),
                d["range"]["start"]["line"].as_u64().unwrap(),
                d["range"]["start"]["column"].as_u64().unwrap(),
            )
        })
        .collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted);
    insta::assert_snapshot!("check_json", text);
}

#[test]
fn check_sarif_and_github_outputs() {
    let sarif = stdout(&ladder(&sample(), &["check", "--format", "sarif"]));
    let json: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    assert_eq!(json["version"], "2.1.0");
    assert_eq!(json["runs"][0]["tool"]["driver"]["name"], "ladder-ls");
    insta::assert_snapshot!(
        "check_sarif_results",
        serde_json::to_string_pretty(&json["runs"][0]["results"]).unwrap()
    );
    let github = stdout(&ladder(&sample(), &["check", "--format", "github"]));
    insta::assert_snapshot!("check_github", github);
}

#[test]
fn exit_status_follows_the_level_threshold() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("mix.exs"),
        "defmodule P.MixProject do\n  use Mix.Project\n  def project, do: [app: :p]\nend\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("lib")).unwrap();
    // Only an L4 finding: above the default target, L3.
    std::fs::write(
        dir.path().join("lib/p.ex"),
        "defmodule P do\n  @moduledoc false\n  def f(x), do: x\nend\n",
    )
    .unwrap();
    assert_eq!(ladder(dir.path(), &["check"]).status.code(), Some(0));
    assert_eq!(
        ladder(dir.path(), &["check", "--level", "3"]).status.code(),
        Some(0)
    );
    assert_eq!(
        ladder(dir.path(), &["check", "--level", "4"]).status.code(),
        Some(1)
    );
    // target_level in .ladder.exs replaces the default; `target_level: 7` counts everything.
    std::fs::write(dir.path().join(".ladder.exs"), "[target_level: 7]\n").unwrap();
    assert_eq!(ladder(dir.path(), &["check"]).status.code(), Some(1));
    std::fs::write(dir.path().join(".ladder.exs"), "[target_level: 2]\n").unwrap();
    assert_eq!(ladder(dir.path(), &["check"]).status.code(), Some(0));
    // Usage errors exit 2 with a message on stderr.
    let missing = ladder(dir.path(), &["check", "no/such/dir"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no/such/dir"));
    assert_eq!(
        ladder(dir.path(), &["check", "--level", "9"]).status.code(),
        Some(2)
    );
    assert_eq!(
        ladder(dir.path(), &["explain", "no-such-rule"])
            .status
            .code(),
        Some(2)
    );
}

/// Per-path targets: each file fails only on findings at or below its own target; `--level N`
/// replaces every target; the summary and the JSON say each target.
#[test]
fn per_path_targets_decide_what_fails() {
    let dir = tempfile::tempdir().unwrap();
    let write = |rel: &str, text: &str| {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write(
        "mix.exs",
        "defmodule P.MixProject do\n  use Mix.Project\n  def project, do: [app: :p]\nend\n",
    );
    // An L4 finding (missing-spec) in billing, an L2 one (io-inspect) in legacy.
    write(
        "lib/p/billing/invoice.ex",
        "defmodule P.Billing.Invoice do\n  @moduledoc false\n  def total(x), do: x\nend\n",
    );
    write(
        "lib/p/legacy/old.ex",
        "defmodule P.Legacy.Old do\n  @moduledoc false\n  @spec f(term()) :: term()\n  def f(x), do: IO.inspect(x)\nend\n",
    );
    write(
        ".ladder.exs",
        "[\n  targets: [{\"lib/**\", 3}, {\"lib/p/billing/**\", 5}, {\"lib/p/legacy/**\", 1}]\n]\n",
    );
    // Billing aims at L5: its L4 finding fails the run.
    let out = ladder(dir.path(), &["check", "lib"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("target L1: 1/1 file reach it; 0 findings fail it\n"),
        "{text}"
    );
    assert!(
        text.contains("target L5: 0/1 file reach it; 1 finding fails it\n"),
        "{text}"
    );
    // Billing back to L3: nothing at or below any file's target is left.
    write(
        ".ladder.exs",
        "[targets: [{\"lib/p/billing/**\", 3}, {\"lib/p/legacy/**\", 1}]]\n",
    );
    assert_eq!(ladder(dir.path(), &["check", "lib"]).status.code(), Some(0));
    // `--level 2` applies to every file: legacy's io-inspect fails it.
    let out = ladder(dir.path(), &["check", "lib", "--level", "2"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("threshold (--level) L2: 1/2 files reach it; 1 finding fails it\n"),
        "{}",
        stdout(&out)
    );
    // JSON: each file's target beside its level, version still 1.
    let out = ladder(dir.path(), &["check", "lib", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["version"], 1);
    assert_eq!(
        json["targets"],
        serde_json::json!({"lib/p/billing/invoice.ex": 3, "lib/p/legacy/old.ex": 1})
    );
    assert_eq!(
        json["levels"],
        serde_json::json!({"lib/p/billing/invoice.ex": 3, "lib/p/legacy/old.ex": 1})
    );
}

#[test]
fn fix_applies_safe_fixes_in_place_idempotently() {
    let dir = tempfile::tempdir().unwrap();
    ladder_e2e::copy_dir(&sample(), dir.path());
    let out = ladder(dir.path(), &["check", "--fix", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let orders = std::fs::read_to_string(dir.path().join("lib/shop/orders.ex")).unwrap();
    assert!(
        // `Shop.Order` has a struct but no `@type t` (the index knows): the stub says what
        // compiles.
        orders.contains("  @spec create_order(%Order{}, list()) :: term()\n  def create_order("),
        "{orders}"
    );
    assert!(
        orders.contains(
            "  @spec discount(amount :: term()) :: number()\n  @spec discount(amount :: term(), integer()) :: number()\n"
        ),
        "{orders}"
    );
    assert!(!orders.contains("10) do   \n"));
    // IO.inspect removal is not a safe fix: still reported, file keeps it.
    assert!(orders.contains("IO.inspect(label: \"order\")"));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let left: Vec<&str> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] != "hint" && d["code"] != "missing-test-file")
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    // Unsafe fixes stay offered one at a time: the migration still has its findings.
    assert_eq!(
        left,
        [
            "syntax-error",
            "io-inspect",
            "io-inspect",
            "json-column",
            "index-not-concurrent"
        ]
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("fixed 4 findings"));
    let order = std::fs::read_to_string(dir.path().join("lib/shop/order.ex")).unwrap();
    assert!(
        order.contains("  @type t :: %__MODULE__{id: term(), items: list()}\n  defstruct"),
        "{order}"
    );
    // A second run changes nothing.
    let before = std::fs::read_to_string(dir.path().join("lib/shop/orders.ex")).unwrap();
    ladder(dir.path(), &["check", "--fix"]);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("lib/shop/orders.ex")).unwrap(),
        before
    );
}

/// A file that is not UTF-8 is an L0 finding at its first bad byte (the compiler rejects it),
/// not an internal error; the rest is still checked and the project is below L0.
#[test]
fn a_file_that_is_not_utf8_is_an_invalid_encoding_finding() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.ex"),
        b"defmodule Bad do\n  # caf\xe9\nend\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("good.ex"), "IO.inspect(1)\n").unwrap();
    let out = ladder(dir.path(), &["check"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = stdout(&out);
    assert!(
        text.contains(
            "bad.ex:2:8: L0 error invalid-encoding Not valid UTF-8: byte 0xE9 at byte offset 24"
        ),
        "{text}"
    );
    assert!(
        text.contains("good.ex:1:1: L2 warning io-inspect"),
        "{text}"
    );
    assert!(
        text.contains("(2 checked); project level below L0"),
        "{text}"
    );
    // JSON: the file's level is null (below L0), the finding at line 2, column 8.
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&ladder(dir.path(), &["check", "--format", "json"]))).unwrap();
    assert_eq!(json["levels"]["bad.ex"], serde_json::Value::Null);
    let d = &json["diagnostics"][0];
    assert_eq!(d["code"], "invalid-encoding");
    assert_eq!(d["range"]["start"]["line"], 2);
    assert_eq!(d["range"]["start"]["column"], 8);
    // `--fix` leaves the file alone.
    ladder(dir.path(), &["check", "--fix"]);
    assert_eq!(
        std::fs::read(dir.path().join("bad.ex")).unwrap(),
        b"defmodule Bad do\n  # caf\xe9\nend\n"
    );
    // It can be turned off like any rule.
    std::fs::write(
        dir.path().join(".ladder.exs"),
        "[rules: [\"invalid-encoding\": :off, \"io-inspect\": :off]]\n",
    )
    .unwrap();
    assert_eq!(ladder(dir.path(), &["check"]).status.code(), Some(0));
}

#[test]
fn malformed_config_is_a_finding_and_defaults_apply() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(".ladder.exs"),
        "[rules: [\"io-inspect\": :loud]]\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("a.ex"), "IO.inspect(1)\n").unwrap();
    let out = stdout(&ladder(dir.path(), &["check"]));
    assert!(
        out.contains(".ladder.exs:1:24: L0 error invalid-config `:loud` is not"),
        "{out}"
    );
    assert!(out.contains("a.ex:1:1: L2 warning io-inspect"), "{out}");
}

#[test]
fn rules_and_explain() {
    let rules = stdout(&ladder(&sample(), &["rules"]));
    insta::assert_snapshot!("rules", rules);
    let explain = stdout(&ladder(&sample(), &["explain", "missing-spec"]));
    assert_eq!(
        explain,
        std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/rules/missing-spec.md")
        )
        .unwrap()
    );
}
