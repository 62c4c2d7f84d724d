//! `ladder-ls check`: lint files and folders in parallel, optionally fixing, and report.

use std::collections::HashSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use ropey::Rope;

use super::report::{CheckReport, FileReport, FixMode, plural};
use super::{CheckArgs, Format, baseline, output};
use crate::config::Config;
use crate::lint::rules::l0_compiles::invalid_encoding;
use crate::lint::{self, FileInfo, Finding, fix, parallel, rules};
use crate::mix::gates::{Gate, GateEvent, GateSettings, run_gates};
use crate::project::index::QueryLog;
use crate::project::{self, FileFacts, ProjectIndex};
use crate::workspace::{self, ConfigCache};
use tokio_util::sync::CancellationToken;

/// Fix rounds per file: each round applies the non-overlapping safe fixes, then re-lints.
const MAX_FIX_ROUNDS: usize = 10;

/// Runs `check` and prints its report; returns 0 (clean), 1 (findings) or 2 (error).
pub fn run(args: &CheckArgs) -> ExitCode {
    if args.statistics && !matches!(args.format, Format::Human | Format::Json | Format::Markdown) {
        eprintln!("ladder-ls: --statistics works with --format human, json or markdown");
        return ExitCode::from(2);
    }
    let fix = match (args.fix, args.unsafe_fixes) {
        (false, _) => FixMode::Report,
        (true, false) => FixMode::Safe,
        (true, true) => FixMode::Unsafe,
    };
    let cwd = match std::env::current_dir() {
        Ok(cwd) => cwd,
        Err(e) => {
            eprintln!("ladder-ls: cannot read the current directory: {e}");
            return ExitCode::from(2);
        }
    };
    // Read before linting: a missing or broken baseline is a usage error, found at once.
    let baseline = match &args.baseline {
        Some(file) => match baseline::read(file) {
            Ok(b) => Some((file, b)),
            Err(e) => {
                eprintln!("ladder-ls: {e}");
                return ExitCode::from(2);
            }
        },
        None => None,
    };
    let mut report = match check_with(&args.paths, fix, args.level) {
        Ok(report) => report,
        Err(e) => {
            eprintln!("ladder-ls: {e}");
            return ExitCode::from(2);
        }
    };
    if args.mix {
        add_gates(&mut report, &args.paths, args.level);
    }
    if let Some(file) = &args.write_baseline {
        if let Err(e) = baseline::write(&mut report, file, &cwd) {
            eprintln!("ladder-ls: {e}");
            return ExitCode::from(2);
        }
    } else if let Some((file, b)) = baseline {
        baseline::apply(&mut report, b, file, &cwd);
    }
    for path in &report.empty_paths {
        eprintln!(
            "ladder-ls: {path}: no Elixir file (.ex, .exs) to check here (skipped: .gitignored \
             files, hidden folders, deps/, _build/, node_modules/)"
        );
    }
    let options = output::Options {
        statistics: args.statistics,
    };
    let written = {
        let stdout = std::io::stdout();
        let mut out = std::io::BufWriter::new(stdout.lock());
        output::write(&report, args.format, options, &mut out).and_then(|()| out.flush())
    };
    match written {
        Ok(()) => {}
        // `check | head`: the reader has seen enough.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(e) => {
            eprintln!("ladder-ls: cannot write the report: {e}");
            return ExitCode::from(2);
        }
    }
    for error in &report.errors {
        eprintln!("ladder-ls: {error}");
    }
    // The human summary says it itself; for the other formats it goes to the log too.
    if let Some(summary) = report
        .fix_summary()
        .filter(|_| args.format != Format::Human)
    {
        eprintln!("ladder-ls: {summary}");
    }
    if let Some(b) = report.baseline.as_ref().filter(|b| b.written) {
        eprintln!(
            "ladder-ls: wrote {} to {}; run with `--baseline {}` to report only new findings",
            plural(b.baselined, "finding"),
            b.file,
            b.file
        );
    }
    ExitCode::from(report.exit_status())
}

/// Lints (and with `fix`, applies the safe fixes of) every Elixir file under `paths`.
pub fn check(paths: &[PathBuf], fix: bool, level: Option<u8>) -> Result<CheckReport, String> {
    let mode = if fix { FixMode::Safe } else { FixMode::Report };
    check_with(paths, mode, level)
}

/// Lints every Elixir file under `paths`, applying the fixes `fix` allows.
pub fn check_with(
    paths: &[PathBuf],
    fix: FixMode,
    level: Option<u8>,
) -> Result<CheckReport, String> {
    let mut files = Vec::new();
    let mut empty_paths = Vec::new();
    for path in paths {
        let found = workspace::collect_files_under(path)?;
        if found.is_empty() {
            empty_paths.push(path.display().to_string());
        }
        files.extend(found);
    }
    files.sort();
    files.dedup();
    let cwd =
        std::env::current_dir().map_err(|e| format!("cannot read the current directory: {e}"))?;
    // Cross-file facts come first: the index reads whole projects, also when one file is
    // checked. Its paths are absolute, as the files' project roots are.
    let started = std::time::Instant::now();
    let absolute: Vec<PathBuf> = files
        .iter()
        .map(|f| baseline::normalise(&cwd.join(f)))
        .collect();
    let configs = ConfigCache::default();
    let project_files = project::project_files(&absolute);
    // Without fixes, each linted file gives its exact facts itself: the index reads those files
    // from their tokens and the lint is checked against the exact facts afterwards (below). A
    // fix writes files, so fixing lints against the exact index from the start.
    let replay = fix == FixMode::Report;
    let (index, parsed) = if replay {
        let linted: HashSet<PathBuf> = absolute
            .iter()
            .filter(|abs| {
                let (root, loaded) = configs.for_file(abs);
                !loaded
                    .config
                    .is_excluded(&workspace::relative_slash(abs, &root))
            })
            .cloned()
            .collect();
        project::build::build_for_lint_keeping(&project_files, &linted)
    } else {
        (
            project::build(&project_files),
            project::build::ParsedTexts::default(),
        )
    };
    tracing::info!(files = index.len(), elapsed = ?started.elapsed(), "project index built");
    let mut relinted = 0;
    let mut results = in_parallel(files.len(), |i| {
        let recording = if replay {
            index.recording()
        } else {
            index.clone()
        };
        let with_facts = replay.then_some(&parsed);
        check_file(
            &files[i], &cwd, &configs, &recording, fix, level, with_facts,
        )
    });
    if replay {
        // The facts every lint read from its own parse make the exact index; a lint is redone
        // only when the exact index answers one of its questions differently, so the report
        // is the one a lint against the exact index gives.
        let mut parser = None;
        let updates: Vec<(PathBuf, FileFacts)> = results
            .iter()
            .enumerate()
            .filter_map(|(i, r)| match r {
                Ok(Some(Checked {
                    facts: Some(facts), ..
                })) => Some((absolute[i].clone(), facts.clone())),
                // Excluded: indexed exactly already.
                Ok(None) => None,
                // Not linted after all (unreadable, not UTF-8): its exact facts, if any.
                _ => {
                    let parser = parser.get_or_insert_with(crate::syntax::new_parser);
                    let file = project::build::index_path(&absolute[i], parser)?;
                    Some((absolute[i].clone(), (*file.facts).clone()))
                }
            })
            .collect();
        if let Some(exact) = index.refined(updates) {
            let stale: Vec<usize> = results
                .iter()
                .enumerate()
                .filter(|(_, r)| match r {
                    Ok(Some(checked)) => !exact.answers_alike(&checked.log),
                    _ => false,
                })
                .map(|(i, _)| i)
                .collect();
            let redone = in_parallel(stale.len(), |k| {
                check_file(&files[stale[k]], &cwd, &configs, &exact, fix, level, None)
            });
            for (k, result) in redone.into_iter().enumerate() {
                results[stale[k]] = result;
            }
            relinted = stale.len();
            tracing::info!(
                relinted = stale.len(),
                elapsed = ?started.elapsed(),
                "re-linted the files the exact project index answers differently"
            );
        }
    }
    let mut report = CheckReport {
        level_override: level,
        fix_mode: fix,
        empty_paths,
        relinted,
        ..CheckReport::default()
    };
    for result in results {
        match result {
            Ok(None) => report.excluded += 1,
            Ok(Some(checked)) => {
                report.files_checked += 1;
                report.fixed += checked.fixed;
                report.files.push(checked.report);
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
            report.files.push(FileReport::new(
                shown,
                Rope::from_str(&text),
                rules::meta::invalid_config::findings(&loaded.errors),
                // A broken configuration (an L0 finding) fails every target.
                level.unwrap_or(7),
            ));
        }
    }
    report.files.sort_by(|a, b| a.path.cmp(&b.path));
    report.errors.sort();
    Ok(report)
}

/// `f(0..n)` on every core, results in order.
fn in_parallel<T: Send>(n: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::with_capacity(n));
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(n.max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= n {
                        break;
                    }
                    let result = f(i);
                    results
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push((i, result));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_else(|e| e.into_inner());
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

/// One checked file.
struct Checked {
    report: FileReport,
    /// Findings fixed.
    fixed: usize,
    /// Its project facts, read from its lint (when asked for).
    facts: Option<FileFacts>,
    /// The questions its lint asked of a recording index.
    log: QueryLog,
}

/// Lints one file; `Ok(None)` when the configuration excludes it. With `with_facts`, its
/// project facts are read from the lint's context too, and the lint takes the file's tree from
/// there when the index parsed it already.
fn check_file(
    path: &Path,
    cwd: &Path,
    configs: &ConfigCache,
    index: &ProjectIndex,
    fix: FixMode,
    level: Option<u8>,
    with_facts: Option<&project::build::ParsedTexts>,
) -> Result<Option<Checked>, String> {
    // Projects and configurations are looked up from the absolute path: `check .` run in
    // `lib/` still finds the `.ladder.exs` and `mix.exs` above it.
    let abs = baseline::normalise(&cwd.join(path));
    let (root, loaded) = configs.for_file(&abs);
    let config: &Config = &loaded.config;
    let project_rel = workspace::relative_slash(&abs, &root);
    if config.is_excluded(&project_rel) {
        return Ok(None);
    }
    let display = display_path(path, cwd);
    let fail_level = level.unwrap_or_else(|| config.target_for(&project_rel));
    let bytes = std::fs::read(path).map_err(|e| format!("{display}: {e}"))?;
    let (mut text, invalid) = invalid_encoding::decode(bytes);
    if let Some(finding) = invalid {
        // Not linted further (the parse of a guessed text would only add noise), never fixed;
        // the finding (L0) keeps the file and the project below L0.
        let findings = if config.rule_enabled(finding.code) {
            vec![finding]
        } else {
            Vec::new()
        };
        let rope = Rope::from_str(&text);
        return Ok(Some(Checked {
            report: FileReport::new(display, rope, findings, fail_level),
            fixed: 0,
            facts: None,
            log: index.take_log(),
        }));
    }
    let info = workspace::file_info(&abs, display.clone());
    // A large file is linted on every core (the other files wait; it is usually the last).
    let threads = parallel::threads();
    // The rope the lint built serves the report unless fixes change the text.
    let (mut findings, facts, mut rope) = if let Some(parsed) = with_facts {
        let kept = parsed.take(&abs, &text);
        let (findings, facts, rope) =
            parallel::lint_parsed_with_facts(&text, kept, &info, config, index, threads);
        (findings, Some(facts), Some(rope))
    } else {
        (
            parallel::lint_source_in(&text, &info, config, index, threads),
            None,
            None,
        )
    };
    let mut fixed = 0;
    if fix != FixMode::Report {
        let before = findings.len();
        let (new_text, new_findings) = fix_text_with(
            text.clone(),
            findings,
            &info,
            config,
            index,
            fix == FixMode::Unsafe,
        );
        if new_text != text {
            std::fs::write(path, &new_text)
                .map_err(|e| format!("{display}: cannot write fixes: {e}"))?;
            fixed = before.saturating_sub(new_findings.len());
        }
        if new_text != text {
            rope = None;
        }
        text = new_text;
        findings = new_findings;
    }
    let rope = rope.unwrap_or_else(|| Rope::from_str(&text));
    Ok(Some(Checked {
        report: FileReport::new(display, rope, findings, fail_level),
        fixed,
        facts,
        log: index.take_log(),
    }))
}

/// Applies safe fixes round after round until none is left (or the rounds run out).
pub fn fix_text(
    text: String,
    findings: Vec<Finding>,
    info: &FileInfo,
    config: &Config,
    index: &ProjectIndex,
) -> (String, Vec<Finding>) {
    fix_text_with(text, findings, info, config, index, false)
}

/// Applies fixes (the unsafe ones too when `unsafe_fixes`) round after round until none is left
/// (or the rounds run out).
pub fn fix_text_with(
    mut text: String,
    mut findings: Vec<Finding>,
    info: &FileInfo,
    config: &Config,
    index: &ProjectIndex,
    unsafe_fixes: bool,
) -> (String, Vec<Finding>) {
    for _ in 0..MAX_FIX_ROUNDS {
        let edits = fix::non_overlapping_edits(&findings, unsafe_fixes);
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
        findings = parallel::lint_source_in(&text, info, config, index, parallel::threads());
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
                    report.files.push(FileReport::new(
                        path,
                        Rope::from_str(&text),
                        Vec::new(),
                        fail_level,
                    ));
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

    /// `check` indexes the files it lints from their tokens, then re-lints the files whose
    /// questions the exact index answers differently: the findings are those of a lint against
    /// the exact index, whatever the token reading got wrong.
    #[test]
    fn findings_are_those_of_the_exact_index() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let write = |rel: &str, text: &str| {
            let path = root.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write(
            "mix.exs",
            "defmodule Shop.MixProject do\n  use Mix.Project\n  def project, do: [app: :shop]\nend\n",
        );
        // Tokens take `schema = …` for an Ecto `schema` block: a struct the module does not have.
        write(
            "lib/shop/settings.ex",
            "defmodule Shop.Settings do\n  @moduledoc false\n  schema = \"settings\"\n  def table, do: unquote(schema)\nend\n",
        );
        write(
            "lib/shop/car.ex",
            "defmodule Shop.Car do\n  @moduledoc false\n  @type t :: %__MODULE__{plate: String.t()}\n  defstruct [:plate]\nend\n",
        );
        let garage = "defmodule Shop.Garage do\n  @moduledoc false\n  def park(%Shop.Car{} = car, %Shop.Settings{} = s), do: {car, s}\n  def name, do: \"garage\"\nend\n";
        write("lib/shop/garage.ex", garage);
        let report = check_with(&[root.to_path_buf()], FixMode::Report, None).unwrap();
        assert_eq!(
            report.relinted, 1,
            "only the garage asked about `Shop.Settings`"
        );
        // The same findings as a lint against an index built by parsing every file.
        let exact = project::build(&project::project_files(&[root.join("mix.exs")]));
        let path = root.join("lib/shop/garage.ex");
        let info = workspace::file_info(&path, "garage.ex".to_string());
        let expected = lint::lint_source_in(garage, &info, &Config::default(), &exact);
        let shown = report
            .files
            .iter()
            .find(|f| f.path.ends_with("lib/shop/garage.ex"))
            .unwrap();
        let messages = |f: &[Finding]| f.iter().map(|f| f.message.clone()).collect::<Vec<_>>();
        assert_eq!(messages(&shown.findings), messages(&expected));
        assert!(
            expected.iter().any(|f| f.code == "missing-spec"),
            "{expected:#?}"
        );
    }

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
