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
    let left: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert!(
        !left.contains(&"missing-spec"),
        "missing-spec left after --fix: {left:?}"
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
    let mut text = std::fs::read_to_string(&undocumented).unwrap();
    let info = ladder_ls::lint::FileInfo::new("lib/shapes/undocumented.ex");
    let config = ladder_ls::config::Config::default();
    for _ in 0..20 {
        let findings = ladder_ls::lint::lint_source(&text, &info, &config);
        let Some(fix) = findings
            .iter()
            .filter(|f| matches!(f.code, "missing-moduledoc" | "missing-doc"))
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
    assert!(
        !left.iter().any(|c| matches!(
            *c,
            "missing-moduledoc" | "missing-doc" | "missing-spec" | "struct-without-type"
        )),
        "{left:?}\n{text}"
    );
    std::fs::write(&undocumented, &text).unwrap();
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
