//! Mix projects on disk: finding project roots (umbrella-aware), choosing the files to lint, and
//! loading each project's configuration once.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::config::{self, CONFIG_FILE, LoadedConfig};
use crate::lint::FileInfo;

/// Folders never linted: dependencies, build output, JavaScript packages and editor caches.
/// (Hidden folders, `.git` and `.elixir_ls` among them, are skipped by the walk as well.)
pub const SKIPPED_DIRS: &[&str] = &[
    "deps",
    "_build",
    "node_modules",
    ".elixir_ls",
    ".lexical",
    ".expert",
    ".git",
    ".hex",
    ".mix",
];

/// The nearest ancestor of `path` (or `path` itself, if a folder) holding a `mix.exs`: the Mix
/// project root (for a file of an umbrella app, the app).
pub fn project_root(path: &Path) -> Option<PathBuf> {
    let start = if path.is_dir() { path } else { path.parent()? };
    start
        .ancestors()
        .find(|dir| dir.join("mix.exs").is_file())
        .map(Path::to_path_buf)
}

/// Every Mix project under `root`: `root` itself and umbrella apps (`apps/*`), plus projects in
/// subfolders (monorepos), skipping dependencies and build output.
pub fn discover_projects(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let walker = ignore::WalkBuilder::new(root)
        .hidden(true)
        .max_depth(Some(4))
        .filter_entry(|e| !is_skipped_dir(e))
        .build();
    for entry in walker.flatten() {
        let is_mix_file =
            entry.file_name() == "mix.exs" && entry.file_type().is_some_and(|t| t.is_file());
        if let Some(dir) = entry.path().parent().filter(|_| is_mix_file) {
            out.push(dir.to_path_buf());
        }
    }
    out.sort();
    out
}

/// Whether a walked entry is a folder never linted. The name is compared first: the file type
/// comes from the walk, so no file is stat'ed for it.
fn is_skipped_dir(entry: &ignore::DirEntry) -> bool {
    entry
        .file_name()
        .to_str()
        .is_some_and(|n| SKIPPED_DIRS.contains(&n))
        && entry.file_type().is_some_and(|t| t.is_dir())
}

/// Whether `path` is an Elixir source file.
pub fn is_elixir_file(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("ex" | "exs")
    )
}

/// Whether a file should be linted: an Elixir file outside dependencies, build output and
/// JavaScript packages — anywhere else in a project (`lib/`, `test/`, `integration_test/`,
/// `examples/*` projects, scripts). For files met one by one (the server's file watcher); a walk
/// ([`collect_files`]) also honours `.gitignore` and skips hidden folders.
pub fn is_lintable(path: &Path) -> bool {
    is_elixir_file(path)
        && !path.components().any(|c| {
            c.as_os_str()
                .to_str()
                .is_some_and(|n| SKIPPED_DIRS.contains(&n))
        })
}

/// The Elixir files to lint under `paths`, sorted and without duplicates: files are taken as
/// given; folders are walked (see [`collect_files_under`]).
pub fn collect_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for path in paths {
        files.extend(collect_files_under(path)?);
    }
    files.sort();
    files.dedup();
    Ok(files)
}

/// The Elixir files to lint under one path: the path itself when it is a file, else every
/// `.ex`/`.exs` file below it (nested Mix projects and folders such as `integration_test/`
/// included) except `.gitignore`d ones (also `.ignore` and `.git/info/exclude`, inside a Git
/// repository or not), hidden files and folders, and [`SKIPPED_DIRS`]. Sorted.
pub fn collect_files_under(path: &Path) -> Result<Vec<PathBuf>, String> {
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    if !path.is_dir() {
        return Err(format!("{}: no such file or folder", path.display()));
    }
    let mut files = Vec::new();
    let walker = ignore::WalkBuilder::new(path)
        .hidden(true)
        .require_git(false)
        .filter_entry(|e| !is_skipped_dir(e))
        .build();
    for entry in walker {
        let entry = entry.map_err(|e| e.to_string())?;
        if entry.file_type().is_some_and(|t| t.is_file()) && is_elixir_file(entry.path()) {
            files.push(entry.into_path());
        }
    }
    files.sort();
    Ok(files)
}

/// `path` relative to `base` with `/` separators (or `path` itself when not under `base`).
pub fn relative_slash(path: &Path, base: &Path) -> String {
    let rel = path.strip_prefix(base).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// The folder whose `.ladder.exs` applies to `path`: the nearest ancestor that has one, else
/// the project root, else the file's folder.
pub fn config_root(path: &Path) -> PathBuf {
    let start = if path.is_dir() {
        path
    } else {
        path.parent().unwrap_or(path)
    };
    start
        .ancestors()
        .find(|dir| dir.join(CONFIG_FILE).is_file())
        .map(Path::to_path_buf)
        .or_else(|| project_root(path))
        .unwrap_or_else(|| start.to_path_buf())
}

/// Configurations loaded once per configuration root.
#[derive(Default)]
pub struct ConfigCache {
    loaded: Mutex<HashMap<PathBuf, Arc<LoadedConfig>>>,
}

impl ConfigCache {
    /// The configuration that applies to `path`, with the folder it is relative to.
    pub fn for_file(&self, path: &Path) -> (PathBuf, Arc<LoadedConfig>) {
        let root = config_root(path);
        let mut map = self.loaded.lock().unwrap_or_else(|e| e.into_inner());
        let loaded = map
            .entry(root.clone())
            .or_insert_with(|| Arc::new(config::load(&root)))
            .clone();
        (root, loaded)
    }

    /// Forgets every loaded configuration (after `.ladder.exs` changed).
    pub fn clear(&self) {
        self.loaded
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// Every configuration loaded so far.
    pub fn all(&self) -> Vec<(PathBuf, Arc<LoadedConfig>)> {
        let map = self.loaded.lock().unwrap_or_else(|e| e.into_inner());
        map.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
    }
}

/// Path facts of a file for the rules: its display path and its path inside its Mix project.
pub fn file_info(path: &Path, display: String) -> FileInfo {
    let root = project_root(path);
    let project_rel = match &root {
        Some(root) => relative_slash(path, root),
        None => display.replace('\\', "/"),
    };
    FileInfo {
        display,
        project_rel,
        root,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, rel: &str, text: &str) {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn walks_every_elixir_file_but_deps_build_output_and_ignored_ones() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        for f in [
            "mix.exs",
            "config/config.exs",
            "apps/shop/mix.exs",
            "apps/shop/lib/shop.ex",
            "apps/shop/test/shop_test.exs",
            "apps/shop/deps/x/lib/x.ex",
            "apps/shop/rel/env.exs",
            "apps/shop/assets/node_modules/phoenix/priv/x.ex",
            "deps/y/lib/y.ex",
            "_build/dev/lib/z.ex",
            "integration_test/checkout_test.exs",
            "integration_test/support/case.ex",
            "examples/demo/mix.exs",
            "examples/demo/lib/demo.ex",
            "examples/demo/_build/test/lib/demo.ex",
            "scripts/seed.exs",
            "lib/ignored.ex",
            "lib/notes.md",
            ".elixir_ls/build/lib/a.ex",
            "cover/lib/covered.ex",
        ] {
            write(d, f, "");
        }
        write(d, ".gitignore", "lib/ignored.ex\n");
        let files = collect_files(&[d.to_path_buf()]).unwrap();
        let rel: Vec<String> = files.iter().map(|f| relative_slash(f, d)).collect();
        assert_eq!(
            rel,
            [
                "apps/shop/lib/shop.ex",
                "apps/shop/mix.exs",
                "apps/shop/rel/env.exs",
                "apps/shop/test/shop_test.exs",
                "config/config.exs",
                "cover/lib/covered.ex",
                "examples/demo/lib/demo.ex",
                "examples/demo/mix.exs",
                "integration_test/checkout_test.exs",
                "integration_test/support/case.ex",
                "mix.exs",
                "scripts/seed.exs",
            ]
        );
        let projects: Vec<String> = discover_projects(d)
            .iter()
            .map(|p| relative_slash(p, d))
            .collect();
        assert_eq!(projects, ["", "apps/shop", "examples/demo"]);
        // Each file belongs to its nearest project: rules see `lib/…` of a nested project.
        let project_rel = |f: &str| file_info(&d.join(f), "x".into()).project_rel;
        assert_eq!(project_rel("apps/shop/lib/shop.ex"), "lib/shop.ex");
        assert_eq!(project_rel("examples/demo/lib/demo.ex"), "lib/demo.ex");
        assert_eq!(
            project_rel("integration_test/checkout_test.exs"),
            "integration_test/checkout_test.exs"
        );
        // A folder with nothing to lint gives nothing (the CLI says so): `lib/` holds only an
        // ignored file (the parent's `.gitignore` applies) and notes.
        assert!(collect_files_under(&d.join("lib")).unwrap().is_empty());
        // A skipped folder given explicitly is walked: the user asked for it.
        assert_eq!(collect_files_under(&d.join("_build")).unwrap().len(), 1);
        assert!(collect_files_under(&d.join("no/such")).is_err());
    }

    #[test]
    fn files_met_one_by_one_are_lintable_unless_in_deps_or_build_output() {
        assert!(is_lintable(Path::new("/p/integration_test/a_test.exs")));
        assert!(is_lintable(Path::new("/p/examples/demo/lib/demo.ex")));
        assert!(!is_lintable(Path::new("/p/deps/jason/lib/jason.ex")));
        assert!(!is_lintable(Path::new("/p/_build/dev/lib/a.ex")));
        assert!(!is_lintable(Path::new("/p/lib/a.md")));
    }
}
