//! The project index in the server: built from disk by the workspace scan, then kept current
//! with the facts of every lint (open buffers on each edit, closed files when they change on
//! disk); when a file's facts change, the files whose findings depend on them are re-linted.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::super::lsp::Uri;
use super::super::state::State;
use super::{diagnostics, workspace};
use crate::project::{self, FileFacts, IndexedFile, ProjectIndex};

/// The current index.
pub fn current(state: &State) -> Arc<ProjectIndex> {
    state
        .project
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone()
}

/// Replaces the index with one built by a workspace scan, keeping the facts of open buffers
/// recorded meanwhile (they are newer than the disk).
pub fn install(state: &Arc<State>, built: ProjectIndex) {
    let mut index = built;
    for entry in state.docs.iter() {
        let Some(path) = entry.value().target.path.as_ref() else {
            continue;
        };
        if let Some(file) = current(state).file(path) {
            index = index.with_file(path.clone(), file.clone());
        }
    }
    *state.project.lock().unwrap_or_else(|e| e.into_inner()) = Arc::new(index);
}

/// Records the facts of `path` from a lint, and re-lints its dependents when they changed.
pub fn record(state: &Arc<State>, path: &Path, facts: FileFacts) {
    let (old, new) = {
        let mut guard = state.project.lock().unwrap_or_else(|e| e.into_inner());
        let old = guard.file(path).cloned();
        if old.as_ref().is_some_and(|o| *o.facts == facts) {
            return;
        }
        let new = match &old {
            Some(o) => IndexedFile {
                facts: Arc::new(facts),
                ..o.clone()
            },
            None => {
                let Some((app, umbrella)) = project::roots_of(path) else {
                    return;
                };
                IndexedFile {
                    project_rel: crate::workspace::relative_slash(path, &app),
                    app,
                    umbrella,
                    facts: Arc::new(facts),
                }
            }
        };
        *guard = Arc::new(guard.with_file(path.to_path_buf(), new.clone()));
        (old, new)
    };
    relint_dependents(state, path, old.as_ref(), Some(&new));
}

/// Forgets a deleted file, and re-lints its dependents.
pub fn forget(state: &Arc<State>, path: &Path) {
    let old = {
        let mut guard = state.project.lock().unwrap_or_else(|e| e.into_inner());
        let Some(old) = guard.file(path).cloned() else {
            return;
        };
        *guard = Arc::new(guard.without_file(path));
        old
    };
    relint_dependents(state, path, Some(&old), None);
}

/// What a change of one file's facts can change elsewhere.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Dependents {
    /// Files to re-lint (closed ones from disk, open ones from their buffers).
    pub paths: BTreeSet<PathBuf>,
    /// Module names (last segment) whose facts changed: open documents naming them are
    /// re-linted (their spec stubs may change).
    pub names: BTreeSet<String>,
}

/// The files and names affected when `path`'s facts go from `old` to `new`.
pub fn dependents(
    index: &ProjectIndex,
    path: &Path,
    old: Option<&IndexedFile>,
    new: Option<&IndexedFile>,
) -> Dependents {
    let mut out = Dependents::default();
    let empty = FileFacts::default();
    let before = old.map_or(&empty, |f| &*f.facts);
    let after = new.map_or(&empty, |f| &*f.facts);
    let Some(file) = new.or(old) else {
        return out;
    };
    // Module facts: whoever names a changed module may infer other stubs or callbacks.
    for m in before.modules.iter().chain(&after.modules) {
        let same = before.modules.contains(m) && after.modules.contains(m);
        if !same {
            let last = m.name.rsplit('.').next().unwrap_or(&m.name);
            out.names.insert(last.to_string());
        }
    }
    // A test file appearing, going or naming other modules: the lib files it tests.
    if project::index::is_test_file(&file.project_rel)
        && (old.is_none() || new.is_none() || before.mentions != after.mentions)
    {
        let changed: BTreeSet<&String> = if old.is_none() || new.is_none() {
            after.mentions.iter().chain(&before.mentions).collect()
        } else {
            let b: BTreeSet<&String> = before.mentions.iter().collect();
            let a: BTreeSet<&String> = after.mentions.iter().collect();
            b.symmetric_difference(&a).copied().collect()
        };
        for module in changed {
            if let Some(p) = index.module_file(module) {
                out.paths.insert(p.to_path_buf());
            }
        }
        // The lib files it is named after (`test/a/b_test.exs` → `lib/a/b.ex`, or any
        // `b.ex` of the app).
        let stem = file
            .project_rel
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .trim_end_matches("_test.exs")
            .to_string();
        for p in index.files_of_app(&file.app) {
            let rel = crate::workspace::relative_slash(p, &file.app);
            if rel.starts_with("lib/") && rel.ends_with(&format!("/{stem}.ex")) {
                out.paths.insert(p.to_path_buf());
            }
        }
    }
    // Struct fields: whoever names a changed struct (`mass-assignment` asks whether another
    // module's schema is embedded).
    for (module, fields) in before.structs.iter().chain(&after.structs) {
        let same = before
            .structs
            .iter()
            .any(|(m, f)| m == module && f == fields)
            && after
                .structs
                .iter()
                .any(|(m, f)| m == module && f == fields);
        if !same {
            let last = module.rsplit('.').next().unwrap_or(module);
            out.names.insert(last.to_string());
        }
    }
    // Supervisors' children changing: `unsupervised-process` names the `Task.Supervisor` the
    // project starts in its messages about `Task.*` and `spawn` calls.
    if before.children != after.children {
        out.names.insert("Task".to_string());
        out.names.insert("spawn".to_string());
    }
    // Telemetry appearing or going: the Phoenix `mix.exs` files of the umbrella.
    if before.telemetry != after.telemetry {
        for (p, f) in index_files_of_umbrella(index, &file.umbrella) {
            if f.facts.phoenix_project {
                out.paths.insert(p);
            }
        }
    }
    out.paths.remove(path);
    out
}

fn index_files_of_umbrella(index: &ProjectIndex, umbrella: &Path) -> Vec<(PathBuf, IndexedFile)> {
    let apps: BTreeSet<PathBuf> = index
        .files_in(|f| f.umbrella == umbrella)
        .map(|(_, f)| f.app.clone())
        .collect();
    apps.into_iter()
        .filter_map(|app| {
            let mix = app.join("mix.exs");
            index.file(&mix).map(|f| (mix, f.clone()))
        })
        .collect()
}

fn relint_dependents(
    state: &Arc<State>,
    path: &Path,
    old: Option<&IndexedFile>,
    new: Option<&IndexedFile>,
) {
    let index = current(state);
    let deps = dependents(&index, path, old, new);
    if deps.paths.is_empty() && deps.names.is_empty() {
        return;
    }
    tracing::debug!(path = %path.display(), ?deps, "project facts changed");
    let mut open: Vec<Uri> = Vec::new();
    for entry in state.docs.iter() {
        let doc = entry.value();
        if doc.target.path.as_deref() == Some(path) {
            continue;
        }
        let by_path = doc
            .target
            .path
            .as_ref()
            .is_some_and(|p| deps.paths.contains(p));
        let by_name = !deps.names.is_empty() && {
            let text = doc.lock().rope().to_string();
            deps.names.iter().any(|n| text.contains(n.as_str()))
        };
        if by_path || by_name {
            open.push(entry.key().clone());
        }
    }
    for uri in &open {
        if let Some(doc) = state.doc(uri) {
            *doc.latest.lock().unwrap_or_else(|e| e.into_inner()) = None;
        }
        diagnostics::schedule(state.clone(), uri.clone());
    }
    for p in deps.paths {
        let Some(uri) = Uri::from_file_path(&p) else {
            continue;
        };
        if !open.contains(&uri) && !state.docs.contains_key(&uri) {
            workspace::relint_from_disk(state.clone(), uri);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn indexed(rel: &str, src: &str) -> (PathBuf, IndexedFile) {
        let index = project::index_sources(&[(rel, src)]);
        let path = PathBuf::from("/app").join(rel);
        let file = index.file(&path).unwrap().clone();
        (path, file)
    }

    #[test]
    fn a_new_test_file_relints_what_it_tests_and_a_new_type_what_names_it() {
        let lib = "defmodule Shop.Pricing do\n  def total(x), do: x\nend\n";
        let other = "defmodule Shop.Other do\n  def f(x), do: x\nend\n";
        let test = "defmodule Shop.CheckoutTest do\n  use ExUnit.Case\n  test \"t\", do: Shop.Other.f(1)\nend\n";
        let index =
            project::index_sources(&[("lib/shop/pricing.ex", lib), ("lib/shop/other.ex", other)]);
        let (path, file) = indexed("test/shop/pricing_test.exs", test);
        let deps = dependents(&index, &path, None, Some(&file));
        let paths: Vec<String> = deps.paths.iter().map(|p| p.display().to_string()).collect();
        // Named after `pricing.ex`, and naming `Shop.Other`.
        assert_eq!(
            paths,
            ["/app/lib/shop/other.ex", "/app/lib/shop/pricing.ex"]
        );

        let (path, before) = indexed("lib/shop/pricing.ex", lib);
        let typed = "defmodule Shop.Pricing do\n  @type t :: %__MODULE__{}\n  defstruct []\n  def total(x), do: x\nend\n";
        let (_, after) = indexed("lib/shop/pricing.ex", typed);
        let deps = dependents(&index, &path, Some(&before), Some(&after));
        assert_eq!(deps.names.into_iter().collect::<Vec<_>>(), ["Pricing"]);
        // A `Task.Supervisor` child appearing: the documents starting tasks or processes.
        let app = "defmodule Shop.Application do\n  use Application\n  def start(_, _) do\n    children = [Shop.Repo]\n    Supervisor.start_link(children, strategy: :one_for_one)\n  end\nend\n";
        let (app_path, app_before) = indexed("lib/shop/application.ex", app);
        let with_tasks = app.replace(
            "[Shop.Repo]",
            "[Shop.Repo, {Task.Supervisor, name: Shop.Tasks}]",
        );
        let (_, app_after) = indexed("lib/shop/application.ex", &with_tasks);
        let deps = dependents(&index, &app_path, Some(&app_before), Some(&app_after));
        assert_eq!(
            deps.names.into_iter().collect::<Vec<_>>(),
            ["Task", "spawn"]
        );
        // Unchanged facts (a body edit) touch nothing.
        let edited = "defmodule Shop.Pricing do\n  def total(x), do: x + 0\nend\n";
        let (_, same) = indexed("lib/shop/pricing.ex", edited);
        assert_eq!(
            dependents(&index, &path, Some(&before), Some(&same)),
            Dependents::default()
        );
    }
}
