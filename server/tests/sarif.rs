//! `check --format sarif` as GitHub code scanning takes it: validated with Microsoft's SARIF
//! multitool (npm `@microsoft/sarif-multitool`, installed by `tests/sarif/install.sh`) against
//! the SARIF rules and GitHub's ingestion rules (`--rule-kind Gh`), on the sample project, the
//! security fixture and a project with awkward paths and an unreadable file; plus the properties
//! code scanning relies on (security severities, fingerprints that survive moved lines).
//!
//! Without the multitool the validation test is skipped with a message, unless
//! `LADDER_REQUIRE_SARIF_VALIDATOR` is set (tests/run.sh sets it, so CI never skips).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures")
        .join(name)
}

/// The SARIF of `check` in `dir`, after checking its exit status.
fn sarif(dir: &Path, status: i32) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_ladder-ls"))
        .args(["check", "--format", "sarif"])
        .current_dir(dir)
        .output()
        .expect("run ladder-ls");
    assert_eq!(
        out.status.code(),
        Some(status),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// The multitool binary, or `None` (test skipped) when it is not installed and not required.
fn multitool() -> Option<PathBuf> {
    let path = std::env::var_os("LADDER_SARIF_MULTITOOL")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join(
                "../tests/sarif/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool",
            )
        });
    if path.is_file() {
        return Some(path);
    }
    let why = format!(
        "the SARIF multitool is not installed at {} (run tests/sarif/install.sh, or set \
         LADDER_SARIF_MULTITOOL to its Sarif.Multitool binary)",
        path.display()
    );
    assert!(
        std::env::var_os("LADDER_REQUIRE_SARIF_VALIDATOR").is_none(),
        "LADDER_REQUIRE_SARIF_VALIDATOR is set but {why}"
    );
    eprintln!("SKIPPED: SARIF validation: {why}");
    None
}

/// The errors and warnings of `validate` (with `extra` arguments) on `log`, one line each.
fn validate(tool: &Path, log: &Path, extra: &[&str]) -> Vec<String> {
    let out_path = log.with_extension("validation.sarif");
    // The file comes first: `--rule-kind` takes a list and would swallow it.
    let out = Command::new(tool)
        .arg("validate")
        .arg(log)
        .args(extra)
        .arg("-o")
        .arg(&out_path)
        .args(["--log", "ForceOverwrite"])
        .env("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1")
        // SARIF2006 (a note, "URIs should be reachable") fetches every rule's helpUri: a proxy
        // that refuses at once keeps the test offline, deterministic and 3x faster.
        .env("HTTP_PROXY", "http://127.0.0.1:9")
        .env("HTTPS_PROXY", "http://127.0.0.1:9")
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .output()
        .expect("run the SARIF multitool");
    let console = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "multitool {extra:?} failed: {console}"
    );
    let text = std::fs::read_to_string(&out_path).unwrap_or_else(|e| panic!("{e}: {console}"));
    let report: Value = serde_json::from_str(&text).unwrap();
    let run = &report["runs"][0];
    let mut problems: Vec<String> = run["results"]
        .as_array()
        .unwrap()
        .iter()
        // A result without a level is a warning (SARIF 3.27.10).
        .filter(|r| {
            matches!(
                r["level"].as_str().unwrap_or("warning"),
                "error" | "warning"
            )
        })
        .map(|r| format!("{} {} {}", r["ruleId"], r["level"], r["message"]))
        .collect();
    for invocation in run["invocations"].as_array().into_iter().flatten() {
        for n in invocation["toolExecutionNotifications"]
            .as_array()
            .into_iter()
            .flatten()
        {
            if n["level"] == "error" {
                problems.push(format!("tool error: {n}"));
            }
        }
    }
    // The multitool reports findings on the console too; show them when it fails.
    if !problems.is_empty() {
        problems.push(console);
    }
    problems
}

/// A project with what SARIF URIs must encode (spaces, `#`, `%`, non-ASCII), findings of
/// L0, L1, L2, L4, L5 and L7, an invalid `.ladder.exs` and a file `check` cannot read.
fn awkward_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(
        root.join("mix.exs"),
        "defmodule P.MixProject do\n  use Mix.Project\n  def project, do: [app: :p]\nend\n",
    )
    .unwrap();
    std::fs::write(root.join(".ladder.exs"), "[rules: 5]\n").unwrap();
    let sub = root.join("lib/sub dir#1");
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::write(
        sub.join("100% café.ex"),
        "defmodule P.Shell do\n  def thumbnail(conn, %{\"name\" => name}) do \n    \
         IO.inspect(name)\n    System.shell(\"convert uploads/#{name} thumbs/#{name}\")\n    \
         conn\n  end\nend\n",
    )
    .unwrap();
    std::fs::write(
        root.join("lib/broken.ex"),
        "defmodule P.Broken do\n  def f(x) do\nend\n",
    )
    .unwrap();
    std::fs::write(
        root.join("lib/latin1.ex"),
        b"defmodule P.L do\n  # caf\xe9\nend\n",
    )
    .unwrap();
    dir
}

#[test]
fn the_multitool_finds_nothing_with_the_sarif_and_github_rules() {
    let Some(tool) = multitool() else { return };
    let out = tempfile::tempdir().unwrap();
    let awkward = awkward_project();
    let projects = [
        ("sample_app", fixture("sample_app"), 1),
        ("secure_app", fixture("secure_app"), 1),
        ("awkward", awkward.path().to_path_buf(), 1),
    ];
    let mut failures = Vec::new();
    for (name, dir, status) in &projects {
        let log = out.path().join(format!("{name}.sarif"));
        std::fs::write(&log, sarif(dir, *status)).unwrap();
        for extra in [&[][..], &["--rule-kind", "Gh"][..]] {
            for problem in validate(&tool, &log, extra) {
                failures.push(format!("{name} {extra:?}: {problem}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_awkward_project_has_encoded_uris_and_an_invalid_encoding_result() {
    let dir = awkward_project();
    let log: Value = serde_json::from_str(&sarif(dir.path(), 1)).unwrap();
    let run = &log["runs"][0];
    let uris: BTreeSet<&str> = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let loc = &r["locations"][0]["physicalLocation"]["artifactLocation"];
            assert_eq!(loc["uriBaseId"], "%SRCROOT%");
            loc["uri"].as_str().unwrap()
        })
        .collect();
    assert!(
        uris.contains("lib/sub%20dir%231/100%25%20caf%C3%A9.ex"),
        "{uris:?}"
    );
    let root = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap();
    assert!(
        root.starts_with("file:///") && root.ends_with('/'),
        "{root}"
    );
    // The Latin-1 file is a finding (L0, at its first bad byte), not a failed run.
    let invocation = &run["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], true);
    assert_eq!(invocation["exitCode"], 1);
    let latin1 = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "invalid-encoding")
        .expect("an invalid-encoding result");
    let location = &latin1["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "lib/latin1.ex");
    assert_eq!(location["region"]["startLine"], 2);
    assert_eq!(location["region"]["startColumn"], 8);
    assert_eq!(latin1["level"], "error");
    let levels: BTreeSet<u64> = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["properties"]["ladderLevel"].as_u64().unwrap())
        .collect();
    assert_eq!(levels, BTreeSet::from([0, 1, 2, 3, 4, 5, 7]));
}

#[test]
fn security_rules_are_security_alerts_with_a_severity() {
    let log: Value = serde_json::from_str(&sarif(&fixture("secure_app"), 1)).unwrap();
    let run = &log["runs"][0];
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
    assert_eq!(run["invocations"][0]["exitCode"], 1);
    for rule in run["tool"]["driver"]["rules"].as_array().unwrap() {
        let level = rule["properties"]["ladderLevel"].as_u64().unwrap();
        let tags: Vec<&str> = rule["properties"]["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        let rung = format!("L{level}");
        let severity = rule["properties"]["security-severity"].as_str();
        if level == 5 {
            assert_eq!(tags, ["security", rung.as_str()], "{}", rule["id"]);
            let score: f64 = severity.unwrap().parse().unwrap();
            assert!((0.1..=10.0).contains(&score), "{}", rule["id"]);
        } else {
            assert_eq!(tags, [rung.as_str()], "{}", rule["id"]);
            assert!(severity.is_none(), "{}", rule["id"]);
        }
        for key in ["fullDescription", "shortDescription"] {
            assert!(!rule[key]["text"].as_str().unwrap().is_empty());
        }
        assert!(
            rule["help"]["markdown"]
                .as_str()
                .unwrap()
                .starts_with("# `")
        );
        assert!(rule["helpUri"].as_str().unwrap().ends_with(".md"));
    }
    let sql = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "sql-injection")
        .unwrap();
    let index = sql["ruleIndex"].as_u64().unwrap() as usize;
    let rule = &run["tool"]["driver"]["rules"][index];
    assert_eq!(rule["id"], "sql-injection");
    let score: f64 = rule["properties"]["security-severity"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(score >= 9.0, "SQL injection is critical: {score}");
}

/// `(ruleId, fingerprint)` and the start lines of every result.
fn fingerprints(log: &str) -> (BTreeSet<(String, String)>, Vec<u64>) {
    let log: Value = serde_json::from_str(log).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap().clone();
    let prints = results
        .iter()
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap().to_string(),
                r["partialFingerprints"]["ladderFingerprint/v1"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            )
        })
        .collect();
    let lines = results
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["region"]["startLine"]
                .as_u64()
                .unwrap()
        })
        .collect();
    (prints, lines)
}

#[test]
fn fingerprints_survive_moved_lines_and_tell_twins_apart() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("mix.exs"),
        "defmodule P.MixProject do\n  use Mix.Project\n  def project, do: [app: :p]\nend\n",
    )
    .unwrap();
    // The module has no test; that finding sits on the `defmodule` line, which does not move.
    std::fs::write(
        dir.path().join(".ladder.exs"),
        "[rules: [\"missing-test-file\": :off]]\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("lib")).unwrap();
    let body =
        "  def a(x) do\n    IO.inspect(x)\n  end\n\n  def b(x) do\n    IO.inspect(x)\n  end\nend\n";
    let file = dir.path().join("lib/p.ex");
    std::fs::write(
        &file,
        format!("defmodule P do\n  @moduledoc false\n\n{body}"),
    )
    .unwrap();
    let (before, lines_before) = fingerprints(&sarif(dir.path(), 1));
    // Two identical `IO.inspect(x)` findings, numbered apart.
    let inspects: Vec<&String> = before
        .iter()
        .filter(|(code, _)| code == "io-inspect")
        .map(|(_, print)| print)
        .collect();
    assert_eq!(inspects.len(), 2, "{before:?}");
    assert!(inspects[0].ends_with(":1") && inspects[1].ends_with(":2"));
    // Lines added above move every finding; the fingerprints stay.
    std::fs::write(
        &file,
        format!("defmodule P do\n  @moduledoc false\n\n  # Orders.\n  # More notes.\n\n{body}"),
    )
    .unwrap();
    let (after, lines_after) = fingerprints(&sarif(dir.path(), 1));
    assert_eq!(before, after);
    assert!(
        lines_before
            .iter()
            .zip(&lines_after)
            .all(|(b, a)| a == &(b + 3))
    );
}
