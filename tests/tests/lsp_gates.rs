//! The mix gates through the real server: saving a file of a real Mix project (real `mix`,
//! Debian's Elixir) publishes compile warnings, format drift and failing tests at the right
//! lines; a fake `mix` shows that shutdown leaves no process behind.

use std::time::Duration;

use ladder_e2e::*;
use serde_json::{Value, json};

fn gates_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixtures().join("gates_app"), dir.path());
    dir
}

/// Waits for diagnostics of `uri` that include `code`; returns those with that code.
fn wait_for_code(lsp: &mut Lsp, uri: &str, code: &str) -> Vec<Value> {
    let with_code = |p: &Value| -> Vec<Value> {
        p["diagnostics"]
            .as_array()
            .map(|d| d.iter().filter(|d| d["code"] == code).cloned().collect())
            .unwrap_or_default()
    };
    let params = lsp.wait_notification("textDocument/publishDiagnostics", |p| {
        p["uri"] == uri && !with_code(p).is_empty()
    });
    with_code(&params)
}

fn gate_options() -> Value {
    json!({"mix": {"enabled": true, "debounceMs": 0}})
}

#[test]
fn saving_a_file_runs_the_gates_and_publishes_their_findings() {
    let project = gates_project();
    let mut lsp = Lsp::start(project.path());
    lsp.initialize_with(Some(project.path()), push_client(&[]), gate_options());
    let math = project.path().join("lib/gates/math.ex");
    let uri = file_uri(&math);
    let text = std::fs::read_to_string(&math).unwrap();
    lsp.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "elixir", "version": 1, "text": text}}),
    );
    lsp.wait_diagnostics(&uri, Some(1));
    lsp.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri}}),
    );

    // The compile warning, on the open file, with its line and column.
    let warning = wait_for_code(&mut lsp, &uri, "compile-warning").remove(0);
    assert_eq!(warning["source"], "mix");
    assert_eq!(
        warning["range"]["start"],
        json!({"line": 6, "character": 4})
    );
    assert!(
        warning["message"]
            .as_str()
            .unwrap()
            .contains("\"unused\" is unused")
    );

    // The failing test, on the closed test file, at the test and at the failing line.
    let test_uri = file_uri(&project.path().join("test/math_test.exs"));
    let lines: Vec<u64> = wait_for_code(&mut lsp, &test_uri, "test-failure")
        .iter()
        .map(|d| d["range"]["start"]["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [7, 8]);

    // Format drift on the unformatted file, with a fix that formats those lines.
    let messy_uri = file_uri(&project.path().join("lib/gates/messy.ex"));
    let drift = wait_for_code(&mut lsp, &messy_uri, "unformatted").remove(0);
    assert_eq!(drift["range"]["start"]["line"], 5);
    assert_eq!(
        drift["data"]["fix"]["edits"][0]["newText"],
        "  def double(x), do: x * 2\n"
    );

    // The gates verified L0–L3: the lens no longer says "not verified" and shows the blocker.
    let lenses = lsp.call(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": uri}}),
    );
    let title = lenses[0]["command"]["title"].as_str().unwrap().to_string();
    assert_eq!(
        title,
        "Ladder L– → target L3: 1 blocker · next: L0 — 1 compile-warning"
    );

    // An edit hides the file's gate findings until the next run.
    lsp.notify("textDocument/didChange", json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "# edited\n"}]}));
    let after = lsp.wait_diagnostics(&uri, Some(2));
    assert!(
        !codes(&after).contains(&"compile-warning".to_string()),
        "{after:?}"
    );
    assert!(lsp.shutdown().success());
}

#[test]
fn gates_are_off_until_enabled() {
    let project = gates_project();
    let mut lsp = Lsp::start(project.path());
    lsp.initialize(Some(project.path()), push_client(&[]));
    let response = lsp.request(
        "workspace/executeCommand",
        json!({"command": "ladder.runGates", "arguments": []}),
    );
    assert!(
        response["error"]["message"]
            .as_str()
            .unwrap()
            .contains("mix gates are off"),
        "{response}"
    );
    assert!(!project.path().join("_build").exists());
    assert!(lsp.shutdown().success());
}

#[test]
fn shutdown_kills_a_running_suite_and_its_children() {
    let project = gates_project();
    let bin = tempfile::tempdir().unwrap();
    let (mix, pidfile) = hanging_mix(bin.path());
    let mut lsp = Lsp::start_with_env(
        &binary(),
        project.path(),
        &[("LADDER_MIX", mix.to_str().unwrap())],
    );
    lsp.initialize_with(Some(project.path()), push_client(&[]), gate_options());
    let started = lsp.call(
        "workspace/executeCommand",
        json!({"command": "ladder.runTests", "arguments": []}),
    );
    assert_eq!(started["started"].as_array().unwrap().len(), 1);
    let pid = wait_for_pid(&pidfile);
    assert!(lsp.shutdown().success());
    // No process of the run outlives the server.
    assert!(
        process_gone(&pid, Duration::from_secs(2)),
        "process {pid} of the mix run outlived the server"
    );
}

#[test]
fn cancelling_the_progress_cancels_the_run() {
    let project = gates_project();
    let bin = tempfile::tempdir().unwrap();
    let (mix, pidfile) = hanging_mix(bin.path());
    let mut lsp = Lsp::start_with_env(
        &binary(),
        project.path(),
        &[("LADDER_MIX", mix.to_str().unwrap())],
    );
    lsp.initialize_with(Some(project.path()), push_client(&[]), gate_options());
    lsp.call(
        "workspace/executeCommand",
        json!({"command": "ladder.runGates", "arguments": []}),
    );
    let begin = lsp.wait_notification("$/progress", |p| {
        p["value"]["kind"] == "begin" && p["value"]["title"] == "Ladder: mix gates"
    });
    assert_eq!(begin["value"]["cancellable"], true);
    let pid = wait_for_pid(&pidfile);
    lsp.notify(
        "window/workDoneProgress/cancel",
        json!({"token": begin["token"]}),
    );
    lsp.wait_notification("$/progress", |p| {
        p["token"] == begin["token"] && p["value"]["kind"] == "end"
    });
    assert!(
        process_gone(&pid, Duration::from_secs(10)),
        "the cancelled run's child {pid} is still running"
    );
    // The server is still serving.
    lsp.call(
        "workspace/executeCommand",
        json!({"command": "ladder.runTests", "arguments": []}),
    );
    assert!(lsp.shutdown().success());
}

/// A project with a path dependency whose code has compiler warnings: the progress says the
/// dependency is being compiled, and only the project's own warning becomes a diagnostic (none
/// on the dependency's files, none on the project's `lib/shared.ex`, which has the same
/// relative path as a dependency file with a warning).
#[test]
fn a_dependency_s_warnings_never_become_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["deps_app", "deps_app_dep"] {
        copy_dir(&fixtures().join(name), &dir.path().join(name));
    }
    let project = dir.path().join("deps_app");
    let mut lsp = Lsp::start(&project);
    lsp.initialize_with(Some(&project), push_client(&[]), gate_options());
    lsp.call(
        "workspace/executeCommand",
        json!({"command": "ladder.runGates", "arguments": []}),
    );
    let report = lsp.wait_notification("$/progress", |p| {
        p["value"]["kind"] == "report"
            && p["value"]["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("compiling dependencies"))
    });
    assert_eq!(
        report["value"]["message"],
        "compiling dependencies: 1 of 1 (deps_app_dep)"
    );
    let own_uri = file_uri(&project.join("lib/deps_app.ex"));
    let own = wait_for_code(&mut lsp, &own_uri, "compile-warning");
    assert_eq!(own.len(), 1, "{own:?}");
    lsp.wait_notification("$/progress", |p| {
        p["token"] == report["token"] && p["value"]["kind"] == "end"
    });
    let later = lsp.drain(Duration::from_secs(2));
    let elsewhere: Vec<&Value> = later
        .iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics")
        .filter(|m| m["params"]["uri"] != own_uri.as_str())
        .filter(|m| {
            m["params"]["diagnostics"]
                .as_array()
                .is_some_and(|d| d.iter().any(|d| d["source"] == "mix"))
        })
        .collect();
    assert!(elsewhere.is_empty(), "{elsewhere:#?}");
    assert!(lsp.shutdown().success());
}
