//! The inserted specs compile: apply every `missing-spec` fix to a Mix project covering the
//! shapes spec inference handles, then run the real `mix compile --warnings-as-errors` and
//! `mix format --check-formatted` (Debian's `elixir` package; `tests/run.sh` installs it).

use std::path::Path;
use std::process::Command;

fn mix(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new("mix")
        .args(args)
        .current_dir(dir)
        .env("MIX_ENV", "dev")
        .output()
        .unwrap_or_else(|e| panic!("cannot run `mix` ({e}): install Elixir (`apt-get install elixir`) or run tests/run.sh"))
}

/// Applies the main fix of every finding with one of `codes` (safe or not) to a file, one at a
/// time with a re-lint in between; checks none is left and returns the new text.
fn apply_every(path: &Path, rel: &str, codes: &[&str]) -> String {
    let mut text = std::fs::read_to_string(path).unwrap();
    let info = ladder_ls::lint::FileInfo::new(rel);
    let config = ladder_ls::config::Config::default();
    for _ in 0..100 {
        let findings = ladder_ls::lint::lint_source(&text, &info, &config);
        let Some(fix) = findings
            .iter()
            .filter(|f| codes.contains(&f.code))
            .find_map(|f| f.fix.clone())
        else {
            break;
        };
        text = ladder_ls::lint::fix::apply_edits(&text, &fix.edits).unwrap();
    }
    let left: Vec<&str> = ladder_ls::lint::lint_source(&text, &info, &config)
        .iter()
        .map(|f| f.code)
        .collect();
    assert!(!left.iter().any(|c| codes.contains(c)), "{left:?}\n{text}");
    std::fs::write(path, &text).unwrap();
    text
}

#[test]
fn every_inserted_spec_compiles_and_is_formatted() {
    let project = tempfile::tempdir().unwrap();
    ladder_e2e::copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/spec_shapes"),
        project.path(),
    );
    let before = mix(project.path(), &["format", "--check-formatted"]);
    assert!(
        before.status.success(),
        "the fixture itself must be formatted"
    );

    let ladder = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_ladder-ls"))
            .args(args)
            .current_dir(project.path())
            .output()
            .unwrap()
    };
    let fixed = ladder(&["check", "--fix", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&fixed.stdout).unwrap();
    // What `--fix` leaves of `missing-spec` are the all-`term()` stubs, offered one at a time.
    let left: Vec<&serde_json::Value> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "missing-spec")
        .collect();
    assert!(left.iter().all(|d| d["fix"]["safe"] == false), "{left:?}");
    assert!(
        left.len() < 5,
        "most specs are inferred beyond term(): {left:?}"
    );
    apply_every(
        &project.path().join("lib/shapes/accounts.ex"),
        "lib/shapes/accounts.ex",
        &["missing-spec"],
    );
    let accounts = std::fs::read_to_string(project.path().join("lib/shapes/accounts.ex")).unwrap();
    assert!(accounts.matches("@spec ").count() >= 25, "{accounts}");

    let compile = mix(project.path(), &["compile", "--warnings-as-errors"]);
    assert!(
        compile.status.success(),
        "mix compile --warnings-as-errors failed:\n{}{}\n{accounts}",
        String::from_utf8_lossy(&compile.stdout),
        String::from_utf8_lossy(&compile.stderr)
    );
    let format = mix(project.path(), &["format", "--check-formatted"]);
    assert!(
        format.status.success(),
        "inserted specs are not formatted:\n{}\n{accounts}",
        String::from_utf8_lossy(&format.stderr)
    );

    // The doc fixes are offered one at a time (they need a human to write the text), but they
    // must leave code that compiles and is formatted too: apply every one of them.
    let undocumented = project.path().join("lib/shapes/undocumented.ex");
    let text = apply_every(
        &undocumented,
        "lib/shapes/undocumented.ex",
        &["missing-moduledoc", "missing-doc", "missing-spec"],
    );
    let compile = mix(project.path(), &["compile", "--warnings-as-errors"]);
    assert!(
        compile.status.success(),
        "doc stubs broke compilation:\n{}{}\n{text}",
        String::from_utf8_lossy(&compile.stdout),
        String::from_utf8_lossy(&compile.stderr)
    );
    let format = mix(project.path(), &["format", "--check-formatted"]);
    assert!(
        format.status.success(),
        "doc stubs are not formatted:\n{}\n{text}",
        String::from_utf8_lossy(&format.stderr)
    );

    // Idempotent: a second run changes nothing.
    ladder(&["check", "--fix"]);
    assert_eq!(
        std::fs::read_to_string(project.path().join("lib/shapes/accounts.ex")).unwrap(),
        accounts
    );
}
