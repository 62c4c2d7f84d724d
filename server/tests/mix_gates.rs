//! The mix gates against real `mix` (Debian's Elixir; `tests/run.sh` installs it) on a fixture
//! project with a compiler warning, an unformatted file and a failing test, and against a fake
//! `mix` for what real mix cannot show (a hang with children, garbage output).

use std::path::{Path, PathBuf};
use std::time::Duration;

use ladder_ls::mix::gates::{Gate, GateSettings, run_gates};
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
        &|g| started.lock().unwrap().push(g),
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
