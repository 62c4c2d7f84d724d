//! The mix gates against real `mix` (Debian's Elixir; `tests/run.sh` installs it) on a fixture
//! project with a compiler warning, an unformatted file and a failing test, and against a fake
//! `mix` for what real mix cannot show (a hang with children, garbage output).

use std::path::{Path, PathBuf};
use std::time::Duration;

use ladder_ls::mix::gates::{Gate, GateEvent, GateSettings, run_gates};
use ladder_ls::mix::runner::RunError;
use tokio_util::sync::CancellationToken;

fn fixture() -> (tempfile::TempDir, PathBuf) {
    // A path with a space: the gates must not split it.
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("my project");
    ladder_e2e::copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/gates_app"),
        &root,
    );
    (tmp, root)
}

fn settings(program: &str, timeout: Duration) -> GateSettings {
    GateSettings {
        program: program.to_string(),
        env: "test".to_string(),
        timeout,
    }
}

#[tokio::test]
async fn real_mix_reports_warnings_format_drift_and_failing_tests() {
    let (_tmp, root) = fixture();
    let started = std::sync::Mutex::new(Vec::new());
    let report = run_gates(
        &root,
        &Gate::ALL,
        &settings("mix", Duration::from_secs(300)),
        &CancellationToken::new(),
        &|e| {
            if let GateEvent::Started(g) = e {
                started.lock().unwrap().push(g)
            }
        },
    )
    .await
    .expect("mix runs (install Elixir: apt-get install elixir)");
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(report.ran, [Gate::Compile, Gate::Format, Gate::Test]);
    assert_eq!(
        *started.lock().unwrap(),
        [Gate::Compile, Gate::Format, Gate::Test]
    );
    assert!(report.verified(&root));
    let summary: Vec<String> = report
        .findings
        .iter()
        .map(|f| {
            format!(
                "{} {}:{}",
                f.code,
                f.path.strip_prefix(&root).unwrap().display(),
                f.line
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            "compile-warning lib/gates/math.ex:7",
            "unformatted lib/gates/messy.ex:6",
            "test-failure test/math_test.exs:8",
            "test-failure test/math_test.exs:9"
        ],
        "{:#?}",
        report.findings
    );
    let warning = &report.findings[0];
    assert!(
        warning.message.contains("variable \"unused\" is unused"),
        "{}",
        warning.message
    );
    let drift = &report.findings[1];
    assert_eq!(
        drift.replacement.as_deref(),
        Some("  def double(x), do: x * 2\n")
    );
    assert!(
        report.findings[2].message.contains("adds wrongly"),
        "{}",
        report.findings[2].message
    );
    // The gates built into their own build root, not the user's `_build/test`.
    assert!(root.join("_build/ladder_ls/test").is_dir());
    assert!(!root.join("_build/test").exists());
}

/// A fake `mix` (a shell script) for behaviour real mix cannot be made to show on demand.
fn fake_mix(dir: &Path, body: &str) -> String {
    let path = dir.join("mix");
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    path.display().to_string()
}

#[tokio::test]
async fn a_hung_suite_is_killed_with_its_children_at_the_timeout() {
    let (tmp, root) = fixture();
    let pidfile = tmp.path().join("child.pid");
    let mix = fake_mix(
        tmp.path(),
        &format!("sleep 600 &\necho $! > '{}'\nwait", pidfile.display()),
    );
    let err = run_gates(
        &root,
        &[Gate::Compile],
        &settings(&mix, Duration::from_millis(800)),
        &CancellationToken::new(),
        &|_| {},
    )
    .await
    .unwrap_err();
    assert_eq!(err, RunError::Timeout(Duration::from_millis(800)));
    let pid: i32 = std::fs::read_to_string(&pidfile)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(
        unsafe { libc::kill(pid, 0) } != 0,
        "the fake mix's child outlived the timeout"
    );
}

#[tokio::test]
async fn garbage_output_and_missing_deps_are_problems_not_crashes() {
    let (tmp, root) = fixture();
    let garbage = fake_mix(
        tmp.path(),
        "printf '\\377\\376 not mix output {{{{\\n' ; exit 1",
    );
    let report = run_gates(
        &root,
        &[Gate::Compile, Gate::Test],
        &settings(&garbage, Duration::from_secs(10)),
        &CancellationToken::new(),
        &|_| {},
    )
    .await
    .unwrap();
    assert!(report.findings.is_empty());
    assert_eq!(report.problems.len(), 2, "{:?}", report.problems);
    assert!(
        report.problems[0].starts_with("mix compile failed"),
        "{:?}",
        report.problems
    );

    let deps_dir = tempfile::tempdir().unwrap();
    let deps = fake_mix(
        deps_dir.path(),
        "echo 'Unchecked dependencies for environment test:' >&2; echo '* jason (Hex package)' >&2; echo '  the dependency is not available, run \"mix deps.get\"' >&2; exit 1",
    );
    let report = run_gates(
        &root,
        &[Gate::Compile],
        &settings(&deps, Duration::from_secs(10)),
        &CancellationToken::new(),
        &|_| {},
    )
    .await
    .unwrap();
    assert_eq!(
        report.problems,
        ["mix compile: dependencies are missing; run `mix deps.get`"]
    );
}

#[tokio::test]
async fn missing_mix_is_a_clear_error() {
    let (_tmp, root) = fixture();
    let err = run_gates(
        &root,
        &[Gate::Compile],
        &settings("/nonexistent/mix", Duration::from_secs(5)),
        &CancellationToken::new(),
        &|_| {},
    )
    .await
    .unwrap_err();
    assert!(matches!(err, RunError::NotFound(_)));
    assert!(err.to_string().contains("not found"));
}

#[tokio::test]
async fn credo_findings_come_with_the_check_name_when_the_project_has_credo() {
    let (tmp, root) = fixture();
    std::fs::create_dir_all(root.join("deps/credo")).unwrap();
    // The file the recorded report is about: findings need an existing project file.
    std::fs::create_dir_all(root.join("lib/sample_app")).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../fixtures/mix-output/credo-1.7.19/lint_bait.ex"),
        root.join("lib/sample_app/lint_bait.ex"),
    )
    .unwrap();
    let json = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/mix-output/credo-1.7.19/strict.json");
    // Real Credo needs Hex, which this machine cannot reach: a fake `mix` replays the recorded
    // report for `mix credo` (after compile lines, as mix prints them) and passes the rest.
    let mix = fake_mix(
        tmp.path(),
        &format!(
            "case \"$1\" in\n  credo) echo '==> credo'; echo 'Compiling 1 file (.ex)'; cat '{}'; exit 30;;\n  *) exit 0;;\nesac",
            json.display()
        ),
    );
    let report = run_gates(
        &root,
        &Gate::ALL,
        &settings(&mix, Duration::from_secs(10)),
        &CancellationToken::new(),
        &|_| {},
    )
    .await
    .unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(report.ran, Gate::ALL);
    assert!(report.verified(&root));
    let credo: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| f.source == "credo")
        .map(|f| f.code.as_str())
        .collect();
    assert!(
        credo.contains(&"Credo.Check.Readability.ModuleDoc"),
        "{credo:?}"
    );
    assert!(report.findings.iter().all(|f| f.level == 2));
}

/// Copies fixture folders side by side into a temporary folder (path dependencies name their
/// sibling), returning it.
fn fixtures(names: &[&str]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    for name in names {
        ladder_e2e::copy_dir(
            &Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../fixtures")
                .join(name),
            &tmp.path().join(name),
        );
    }
    tmp
}

/// `code path:line` of each finding, relative to `root`.
fn summary(findings: &[ladder_ls::mix::GateFinding], root: &Path) -> Vec<String> {
    findings
        .iter()
        .map(|f| {
            format!(
                "{} {}:{}",
                f.code,
                f.path
                    .strip_prefix(root)
                    .unwrap_or_else(|_| panic!("{} is outside the project", f.path.display()))
                    .display(),
                f.line
            )
        })
        .collect()
}

async fn run_recording(
    root: &Path,
    gates: &[Gate],
    settings: &GateSettings,
) -> (ladder_ls::mix::GateReport, Vec<GateEvent>) {
    let events = std::sync::Mutex::new(Vec::new());
    let report = run_gates(root, gates, settings, &CancellationToken::new(), &|e| {
        events.lock().unwrap().push(e)
    })
    .await
    .expect("mix runs");
    let events = events.into_inner().unwrap();
    (report, events)
}

fn dependency_events(events: &[GateEvent]) -> Vec<String> {
    events
        .iter()
        .filter(|e| matches!(e, GateEvent::Dependency { .. }))
        .map(GateEvent::message)
        .collect()
}

#[tokio::test]
async fn real_mix_reports_only_the_project_s_findings_next_to_a_path_dependency() {
    let tmp = fixtures(&["deps_app", "deps_app_dep"]);
    let root = tmp.path().join("deps_app");
    let settings = settings("mix", Duration::from_secs(300));
    // The dependency's warnings (`lib/deps_app_dep.ex`, and `lib/shared.ex`, a path the project
    // has too) and its `mix.exs` warning are not the project's.
    let expected = ["compile-warning lib/deps_app.ex:5"];

    // First run: the dependency is compiled into the gates' build root, and the progress says so.
    let (report, events) = run_recording(&root, &Gate::ALL, &settings).await;
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(summary(&report.findings, &root), expected);
    assert!(report.verified(&root));
    assert_eq!(
        dependency_events(&events),
        ["compiling dependencies: 1 of 1 (deps_app_dep)"]
    );
    assert!(
        report.findings[0].message.contains("\"loud\" is unused"),
        "{}",
        report.findings[0].message
    );

    // Nothing to compile: the project's warning is replayed.
    let (report, events) = run_recording(&root, &[Gate::Compile], &settings).await;
    assert_eq!(summary(&report.findings, &root), expected);
    assert!(dependency_events(&events).is_empty());

    // The dependency changed: mix recompiles it and replays the project's warning right after
    // the dependency's output, without a `==> deps_app` header.
    let dep_file = tmp.path().join("deps_app_dep/lib/deps_app_dep.ex");
    let text = std::fs::read_to_string(&dep_file).unwrap();
    std::fs::write(&dep_file, text.replace("\"hi \"", "\"hey \"")).unwrap();
    let (report, events) = run_recording(&root, &[Gate::Compile], &settings).await;
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(summary(&report.findings, &root), expected);
    assert_eq!(
        dependency_events(&events),
        ["compiling dependencies: 1 so far (deps_app_dep)"]
    );
}

#[tokio::test]
async fn real_mix_names_a_dependency_that_does_not_compile() {
    let tmp = fixtures(&["deps_app", "deps_app_dep"]);
    let root = tmp.path().join("deps_app");
    std::fs::write(
        tmp.path().join("deps_app_dep/lib/broken.ex"),
        "defmodule DepsAppDep.Broken do\n  def f(x), do: helper(x)\nend\n",
    )
    .unwrap();
    let (report, _) = run_recording(
        &root,
        &[Gate::Compile, Gate::Test],
        &settings("mix", Duration::from_secs(300)),
    )
    .await;
    // No finding at `lib/broken.ex` (the dependency's path) nor anywhere else.
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
    assert!(!report.verified(&root) || !report.problems.is_empty());
    assert_eq!(report.problems.len(), 2, "{:?}", report.problems);
    let problem = &report.problems[0];
    assert!(
        problem.starts_with("dependency `deps_app_dep` does not compile")
            && problem.contains("lib/broken.ex:2")
            && problem.contains("undefined function helper/1")
            && problem.contains("L0 stays unverified"),
        "{problem}"
    );
    assert_eq!(
        report.problems[1],
        "tests not run: the project does not compile"
    );
}

#[tokio::test]
async fn real_mix_maps_umbrella_app_paths_to_their_apps() {
    let tmp = fixtures(&["umbrella_app", "deps_app_dep"]);
    let root = tmp.path().join("umbrella_app");
    let settings = settings("mix", Duration::from_secs(300));
    let expected = [
        "compile-warning apps/alpha/lib/alpha.ex:5",
        "compile-warning apps/beta/lib/beta.ex:5",
    ];
    let (report, events) = run_recording(&root, &Gate::ALL, &settings).await;
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let mut found = summary(&report.findings, &root);
    found.sort();
    assert_eq!(found, expected);
    assert!(report.verified(&root));
    // The apps are not dependencies; beta's path dependency is.
    assert_eq!(
        dependency_events(&events),
        ["compiling dependencies: 1 of 1 (deps_app_dep)"]
    );
    // A no-op compile replays every app's warnings without `==> app` headers.
    let (report, _) = run_recording(&root, &[Gate::Compile], &settings).await;
    let mut found = summary(&report.findings, &root);
    found.sort();
    assert_eq!(found, expected);
    // A failing test of an app: mix names the test from the umbrella and the failing line
    // from the app.
    let test_file = root.join("apps/beta/test/beta_test.exs");
    let text = std::fs::read_to_string(&test_file).unwrap();
    std::fs::write(&test_file, text.replace("== 4", "== 5")).unwrap();
    let (report, _) = run_recording(&root, &[Gate::Test], &settings).await;
    assert_eq!(
        summary(&report.findings, &root),
        [
            "test-failure apps/beta/test/beta_test.exs:4",
            "test-failure apps/beta/test/beta_test.exs:5"
        ]
    );
}

#[tokio::test]
async fn a_slow_first_run_compiling_dependencies_is_not_cut_short_and_a_stuck_one_says_so() {
    let (tmp, root) = fixture();
    // Each dependency takes most of the time limit; together they take far longer.
    let compiling = fake_mix(
        tmp.path(),
        "case \"$1\" in\n  deps) printf '* a (Hex package) (mix)\\n  the dependency build is outdated\\n* b (Hex package) (mix)\\n  the dependency build is outdated\\n* c (Hex package) (mix)\\n  the dependency build is outdated\\n';;\n  compile) for d in a b c; do echo \"==> $d\"; echo 'Compiling 1 file (.ex)'; sleep 0.5; done;;\nesac\nexit 0",
    );
    let (report, events) = run_recording(
        &root,
        &[Gate::Compile],
        &settings(&compiling, Duration::from_millis(900)),
    )
    .await;
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(
        dependency_events(&events),
        [
            "compiling dependencies: 1 of 3 (a)",
            "compiling dependencies: 2 of 3 (b)",
            "compiling dependencies: 3 of 3 (c)",
        ]
    );
    // One dependency alone longer than the limit: the error names it and what to do.
    let stuck_dir = tempfile::tempdir().unwrap();
    let stuck = fake_mix(
        stuck_dir.path(),
        "case \"$1\" in\n  deps) exit 0;;\n  compile) echo '==> a'; echo '==> bcrypt_elixir'; sleep 60;;\nesac",
    );
    let err = run_gates(
        &root,
        &[Gate::Compile],
        &settings(&stuck, Duration::from_millis(800)),
        &CancellationToken::new(),
        &|_| {},
    )
    .await
    .unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("compiling dependency `bcrypt_elixir`")
            && message.contains("timeout_ms")
            && message.contains("mix deps.compile"),
        "{message}"
    );
}

/// `ladder-ls check --mix` as a new user runs it on a project with a path dependency: the
/// progress on stderr says a dependency is compiled, and the report lists the project's own
/// compile warning only.
#[test]
fn check_mix_reports_only_the_project_s_files() {
    let tmp = fixtures(&["deps_app", "deps_app_dep"]);
    let root = tmp.path().join("deps_app");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ladder-ls"))
        .args(["check", "--mix", "--format", "json", "."])
        .current_dir(&root)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("ladder-ls: compiling dependencies: 1 of 1 (deps_app_dep)"),
        "{stderr}"
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let text = report.to_string();
    let compile: Vec<&serde_json::Value> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "compile-warning")
        .map(|d| &d["path"])
        .collect();
    assert_eq!(compile, ["lib/deps_app.ex"], "{text}");
    assert!(!text.contains("deps_app_dep"), "{text}");
}
