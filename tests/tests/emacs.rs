//! Real-editor test: Emacs in batch mode, configured with the files users copy from
//! `editors/emacs/`, talks to the real `ladder-ls` binary. The scenario itself is Emacs Lisp
//! (`tests/emacs/e2e.el`), run once per client:
//!
//! - Eglot (`ladder-ls.el`; Debian 12's Emacs 28.2 with `elpa-eglot` 1.9, or a built-in
//!   Eglot): diagnostics in flymake, `initializationOptions`, hover, the "Remove `IO.inspect`"
//!   quick fix through `eglot-code-actions`, fix-all, fix-all on save, the level command,
//!   shutdown.
//! - lsp-mode (`ladder-ls-lsp-mode.el`; `elpa-lsp-mode` 8.0.0 with `elpa-flycheck`): ladder-ls
//!   as an add-on beside a stand-in ElixirLS (`tests/emacs/fake_elixir_ls.py`), both servers'
//!   diagnostics in flycheck, the code lens, a quick fix through `lsp-execute-code-action`.
//!
//! A missing Emacs or package is a failure, not a skip: `tests/emacs/install.sh` installs them.

use std::fs;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long one Emacs run may take before it is killed. A passing run takes a few seconds; the
/// margin is for a loaded two-core CI machine (each wait inside the scenario is 25 s at most).
const EMACS_TIMEOUT: Duration = Duration::from_secs(90);

/// How long the servers may outlive Emacs's exit.
const SERVER_EXIT_TIMEOUT: Duration = Duration::from_secs(10);

const INSTALL_HINT: &str = "install them with `tests/emacs/install.sh` (Debian 12: `emacs-nox`, \
     `elpa-eglot`, `elpa-lsp-mode`, `elpa-flycheck` and `python3` via apt-get)";

/// What Emacs prints when Lisp code run from a process filter, sentinel or timer fails: such
/// errors are only printed, never raised into the scenario, so they fail the test here.
const LISP_ERROR_MARKERS: &[&str] = &[
    "error in process filter",
    "error in process sentinel",
    "Error running timer",
    "Error processing message",
];

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .unwrap()
}

/// `$LADDER_EMACS` when set, else `emacs` on `PATH`, with its version (`GNU Emacs 28.2`).
fn emacs() -> Result<(PathBuf, String), String> {
    let emacs = match std::env::var_os("LADDER_EMACS") {
        Some(path) => PathBuf::from(path),
        None => std::env::var_os("PATH")
            .and_then(|path| {
                std::env::split_paths(&path)
                    .map(|dir| dir.join("emacs"))
                    .find(|p| p.is_file())
            })
            .ok_or_else(|| format!("no `emacs` on PATH; {INSTALL_HINT}"))?,
    };
    let output = Command::new(&emacs)
        .arg("--version")
        .output()
        .map_err(|e| {
            format!(
                "cannot run `{} --version`: {e}; {INSTALL_HINT}",
                emacs.display()
            )
        })?;
    let text = String::from_utf8_lossy(&output.stdout);
    let first = text.lines().next().unwrap_or("").to_string();
    let major = first
        .strip_prefix("GNU Emacs ")
        .and_then(|v| v.split('.').next())
        .and_then(|m| m.parse::<u32>().ok())
        .ok_or_else(|| format!("`{} --version` printed {first:?}", emacs.display()))?;
    if major < 28 {
        return Err(format!(
            "{} is {first}; the tests need Emacs 28 or newer; {INSTALL_HINT}",
            emacs.display()
        ));
    }
    Ok((emacs, first))
}

/// Runs `tests/emacs/e2e.el` for one client on a copy of `fixtures/sample_app`; returns the
/// scenario's log, or everything Emacs said when it does not pass.
fn run_scenario(emacs: &Path, client: &str) -> Result<String, String> {
    let work = tempfile::tempdir().unwrap();
    let project = work.path().join("sample_app");
    ladder_e2e::copy_dir(&ladder_e2e::fixtures().join("sample_app"), &project);
    let file = project.join("lib/shop/orders.ex");
    let scratch = work.path().join("scratch");
    // A private home: no user init file, packages or lsp-mode session get in, or out.
    let home = work.path().join("home");
    fs::create_dir_all(&scratch).unwrap();
    fs::create_dir_all(&home).unwrap();
    let result = scratch.join("result.txt");
    let script = repo_root().join("tests/emacs/e2e.el");

    let started = Instant::now();
    let mut child = Command::new(emacs)
        .args(["--batch", "-Q", "-l"])
        .arg(&script)
        .current_dir(repo_root())
        .env("HOME", &home)
        .env("LADDER_LS_BIN", ladder_e2e::binary())
        .env("LADDER_EMACS_PROJECT", &project)
        .env("LADDER_EMACS_RESULT", &result)
        .env("LADDER_EMACS_CLIENT", client)
        .env("LADDER_LOG", "info")
        // A caller's load path would change which Eglot or lsp-mode gets loaded.
        .env_remove("EMACSLOADPATH")
        .env_remove("EMACSDATA")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}; {INSTALL_HINT}", emacs.display()))?;
    let stdout = ladder_e2e::drain(child.stdout.take().unwrap());
    let stderr = ladder_e2e::drain(child.stderr.take().unwrap());
    let status = ladder_e2e::wait_or_kill(&mut child, EMACS_TIMEOUT);
    let elapsed = started.elapsed();

    // The servers must not outlive the editor.
    let deadline = Instant::now() + SERVER_EXIT_TIMEOUT;
    let mut leftovers = ladder_e2e::processes_under(work.path());
    while !leftovers.is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
        leftovers = ladder_e2e::processes_under(work.path());
    }
    for (pid, _) in &leftovers {
        // Only processes this test started run in its private temporary folder.
        let _ = Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status();
    }

    let outcome = fs::read_to_string(&result).unwrap_or_default();
    let passed = status.is_some_and(|s| s.success()) && outcome.starts_with("PASS");
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    let lisp_error = LISP_ERROR_MARKERS
        .iter()
        .find(|marker| stdout.contains(*marker) || stderr.contains(*marker));
    if passed && leftovers.is_empty() && lisp_error.is_none() {
        return Ok(format!(
            "{client} passed in {elapsed:.1?}:\n{outcome}--- emacs output ---\n{stderr}"
        ));
    }

    let mut report = format!(
        "Emacs {client} scenario failed after {elapsed:.1?}: {}\n",
        match status {
            None => format!("killed after {EMACS_TIMEOUT:?}"),
            Some(s) if passed && !leftovers.is_empty() =>
                format!("{s}, but servers outlived Emacs: {leftovers:?}"),
            Some(s) if passed => format!("{s}, but Emacs reported a Lisp error ({lisp_error:?})"),
            Some(s) => s.to_string(),
        }
    );
    if !outcome.starts_with("PASS") && outcome.contains("not installed") {
        report += &format!("Emacs packages are missing: {INSTALL_HINT}\n");
    }
    report += &format!(
        "--- result file ---\n{}\n",
        if outcome.is_empty() {
            "(none written)"
        } else {
            &outcome
        }
    );
    report += &format!("--- emacs stdout ---\n{stdout}\n--- emacs stderr ---\n{stderr}\n");
    report += &format!(
        "--- {} at the end ---\n{}\n",
        file.display(),
        fs::read_to_string(&file).unwrap_or_default()
    );
    Err(report)
}

/// Both Emacs LSP clients, each in its own Emacs: Eglot with `editors/emacs/ladder-ls.el`, then
/// lsp-mode with `editors/emacs/ladder-ls-lsp-mode.el` beside a stand-in ElixirLS.
#[test]
fn emacs_eglot_and_lsp_mode_apply_a_quick_fix() {
    let (emacs, version) = emacs().unwrap_or_else(|e| panic!("{e}"));
    let mut failures = Vec::new();
    for client in ["eglot", "lsp-mode"] {
        match run_scenario(&emacs, client) {
            Ok(log) => eprintln!("{version} ({}), {log}", emacs.display()),
            Err(report) => failures.push(report),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
