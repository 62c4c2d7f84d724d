//! `ladder-ls check`: lint files and folders in parallel, optionally fixing, and report.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use ropey::Rope;

use super::report::{CheckReport, FileReport};
use super::{CheckArgs, output};
use crate::config::Config;
use crate::lint::{self, FileInfo, Finding, fix, rules};
use crate::mix::gates::{Gate, GateEvent, GateSettings, run_gates};
use crate::project::{self, ProjectIndex};
use crate::workspace::{self, ConfigCache};
use tokio_util::sync::CancellationToken;

/// Fix rounds per file: each round applies the non-overlapping safe fixes, then re-lints.
const MAX_FIX_ROUNDS: usize = 10;

/// Runs `check` and prints its report; returns 0 (clean), 1 (findings) or 2 (error).
pub fn run(args: &CheckArgs) -> ExitCode {
    let mut report = match check(&args.paths, args.fix, args.level) {
        Ok(report) => report,
        Err(e) => {
            eprintln!("ladder-ls: {e}");
            return ExitCode::from(2);
        }
    };
    if args.mix {
        add_gates(&mut report, &args.paths, args.level);
    }
    print!("{}", output::render(&report, args.format));
    for error in &report.errors {
        eprintln!("ladder-ls: {error}");
    }
    if args.fix && report.fixed > 0 {
        eprintln!(
            "ladder-ls: fixed {} finding{}",
            report.fixed,
            if report.fixed == 1 { "" } else { "s" }
        );
    }
    ExitCode::from(report.exit_status())
}

/// Lints (and with `fix`, fixes) every Elixir file under `paths`.
pub fn check(paths: &[PathBuf], fix: bool, level: Option<u8>) -> Result<CheckReport, String> {
    let files = workspace::collect_files(paths)?;
    // Cross-file facts come first: the index reads whole projects, also when one file is checked.
    let started = std::time::Instant::now();
    let index = project::build(&project::project_files(&files));
    tracing::info!(files = index.len(), elapsed = ?started.elapsed(), "project index built");
    let cwd =
        std::env::current_dir().map_err(|e| format!("cannot read the current directory: {e}"))?;
    let configs = ConfigCache::default();
    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::new());
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(files.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(path) = files.get(i) else { break };
                    let result = check_file(path, &cwd, &configs, &index, fix, level);
                    results
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push(result);
                }
            });
        }
    });
    let mut report = CheckReport {
        level_override: level,
        ..CheckReport::default()
    };
    for result in results.into_inner().unwrap_or_else(|e| e.into_inner()) {
        match result {
            Ok(None) => {}
            Ok(Some((file, fixed))) => {
                report.files_checked += 1;
                report.fixed += fixed;
                report.files.push(file);
            }
            Err(e) => report.errors.push(e),
        }
    }
    for (_, loaded) in configs.all() {
        if let (Some(path), false) = (&loaded.path, loaded.errors.is_empty()) {
            let shown = display_path(path, &cwd);
            if report.files.iter().any(|f| f.path == shown) {
                continue; // Linted as a file already (given on the command line).
            }
            let text = std::fs::read_to_string(path).unwrap_or_default();
            report.files_checked += 1;
            report.files.push(FileReport {
                path: shown,
                rope: Rope::from_str(&text),
                findings: rules::meta::invalid_config::findings(&loaded.errors),
                // A broken configuration (an L0 finding) fails every target.
                fail_level: level.unwrap_or(7),
            });
        }
    }
    report.files.sort_by(|a, b| a.path.cmp(&b.path));
    report.errors.sort();
    Ok(report)
}

/// Lints one file; `Ok(None)` when the configuration excludes it.
fn check_file(
    path: &Path,
    cwd: &Path,
    configs: &ConfigCache,
    index: &ProjectIndex,
    fix: bool,
    level: Option<u8>,
) -> Result<Option<(FileReport, usize)>, String> {
    let (root, loaded) = configs.for_file(path);
    let config: &Config = &loaded.config;
    let project_rel = workspace::relative_slash(path, &root);
    if config.is_excluded(&project_rel) {
        return Ok(None);
    }
    let display = display_path(path, cwd);
    let bytes = std::fs::read(path).map_err(|e| format!("{display}: {e}"))?;
    let mut text = String::from_utf8(bytes).map_err(|e| {
        format!(
            "{display}: not valid UTF-8 (at byte {}); skipped",
            e.utf8_error().valid_up_to()
        )
    })?;
    let info = workspace::file_info(path, display.clone());
    let mut findings = lint::lint_source_in(&text, &info, config, index);
    let mut fixed = 0;
    if fix {
        let before = findings.len();
        let (new_text, new_findings) = fix_text(text.clone(), findings, &info, config, index);
        if new_text != text {
            std::fs::write(path, &new_text)
                .map_err(|e| format!("{display}: cannot write fixes: {e}"))?;
            fixed = before.saturating_sub(new_findings.len());
        }
        text = new_text;
        findings = new_findings;
    }
    let fail_level = level.unwrap_or_else(|| config.target_for(&project_rel));
    Ok(Some((
        FileReport {
            path: display,
            rope: Rope::from_str(&text),
            findings,
            fail_level,
        },
        fixed,
    )))
}

/// Applies safe fixes round after round until none is left (or the rounds run out).
pub fn fix_text(
    mut text: String,
    mut findings: Vec<Finding>,
    info: &FileInfo,
    config: &Config,
    index: &ProjectIndex,
) -> (String, Vec<Finding>) {
    for _ in 0..MAX_FIX_ROUNDS {
        let edits = fix::non_overlapping_safe_edits(&findings);
        if edits.is_empty() {
            break;
        }
        let Some(new_text) = fix::apply_edits(&text, &edits) else {
            break;
        };
        if new_text == text {
            break;
        }
        text = new_text;
        findings = lint::lint_source_in(&text, info, config, index);
    }
    (text, findings)
}

/// `path` relative to the current directory when under it, `/`-separated, without `./`.
fn display_path(path: &Path, cwd: &Path) -> String {
    match path.strip_prefix(cwd) {
        // Outside the current directory: as given (joining its components would double the
        // root's slash, `//tmp/x.ex`).
        Err(_) if path.is_absolute() => path.to_string_lossy().replace('\\', "/"),
        rel => {
            let rel = rel.unwrap_or(path);
            let rel = rel.strip_prefix(".").unwrap_or(rel);
            workspace::relative_slash(rel, Path::new(""))
        }
    }
}

/// The Mix projects to run the gates of: each path's project, or the top-level projects under a
/// folder that is not one (an umbrella runs its apps itself).
fn gate_roots(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut roots: Vec<PathBuf> = Vec::new();
    for path in paths {
        let found = match workspace::project_root(path) {
            Some(root) => vec![root],
            None => workspace::discover_projects(path),
        };
        for root in found {
            let root = root.canonicalize().unwrap_or(root);
            if !roots.iter().any(|r| root.starts_with(r)) {
                roots.retain(|r| !r.starts_with(&root));
                roots.push(root);
            }
        }
    }
    roots
}

/// Runs the mix gates of every project (`--mix`) and merges their findings into the report.
/// Anything that keeps a gate from answering is an error (exit status 2).
fn add_gates(report: &mut CheckReport, paths: &[PathBuf], level: Option<u8>) {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            report
                .errors
                .push(format!("cannot start the async runtime: {e}"));
            return;
        }
    };
    let cwd = std::env::current_dir().unwrap_or_default();
    let configs = ConfigCache::default();
    let roots = gate_roots(paths);
    let mut verified = !roots.is_empty();
    for root in roots {
        let (_, loaded) = configs.for_file(&root.join("mix.exs"));
        let settings = GateSettings::from_config(&loaded.config.mix);
        let cancel = CancellationToken::new();
        let announce =
            |event: GateEvent| eprintln!("ladder-ls: {} ({})", event.message(), root.display());
        let result = runtime.block_on(run_gates(&root, &Gate::ALL, &settings, &cancel, &announce));
        let mut gates = match result {
            Ok(gates) => gates,
            Err(e) => {
                report.errors.push(format!("{}: {e}", root.display()));
                verified = false;
                continue;
            }
        };
        gates.apply_config(&loaded.config);
        verified &= gates.verified(&root) && gates.problems.is_empty();
        report.errors.extend(
            gates
                .problems
                .iter()
                .map(|p| format!("{}: {p}", root.display())),
        );
        for gate_finding in &gates.findings {
            let path = display_path(&gate_finding.path, &cwd);
            let index = match report.files.iter().position(|f| f.path == path) {
                Some(i) => i,
                None => {
                    let text = std::fs::read_to_string(&gate_finding.path).unwrap_or_default();
                    // `targets:` globs are relative to the folder of the `.ladder.exs`.
                    let (config_root, file_config) = configs.for_file(&gate_finding.path);
                    let rel = workspace::relative_slash(&gate_finding.path, &config_root);
                    let fail_level = level.unwrap_or_else(|| file_config.config.target_for(&rel));
                    report.files.push(FileReport {
                        path,
                        rope: Rope::from_str(&text),
                        findings: Vec::new(),
                        fail_level,
                    });
                    report.files.len() - 1
                }
            };
            let file = &mut report.files[index];
            let finding = gate_finding.to_finding(&file.rope);
            file.findings.push(finding);
        }
    }
    for file in &mut report.files {
        lint::engine::sort(&mut file.findings);
    }
    report.files.sort_by(|a, b| a.path.cmp(&b.path));
    report.gates_verified = verified;
    report.gates_attempted = true;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_shown_relative_to_the_current_directory_or_as_given() {
        let cwd = Path::new("/home/me/app");
        let shown = |p: &str| display_path(Path::new(p), cwd);
        assert_eq!(shown("/home/me/app/lib/a.ex"), "lib/a.ex");
        assert_eq!(shown("./lib/a.ex"), "lib/a.ex");
        assert_eq!(shown("../other/lib/a.ex"), "../other/lib/a.ex");
        assert_eq!(shown("/tmp/x/lib/a.ex"), "/tmp/x/lib/a.ex");
    }
}
