//! The project index: every file's facts, and the answers rules ask of them.
//!
//! An index is an immutable snapshot. Updating a file builds a new snapshot (the per-file facts
//! are shared through `Arc`s, only the derived tables are rebuilt), so a lint can hold one
//! without locks while the server swaps in the next.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};

use super::facts::{FileFacts, ModuleFacts};

/// One indexed file.
#[derive(Clone, Debug)]
pub struct IndexedFile {
    /// Its Mix project (for a file of an umbrella app, the app).
    pub app: PathBuf,
    /// The umbrella holding the app, or the app itself.
    pub umbrella: PathBuf,
    /// Its path inside the app, `/`-separated.
    pub project_rel: String,
    /// What it defines.
    pub facts: Arc<FileFacts>,
}

/// The facts of every file of one or more Mix projects.
#[derive(Clone, Debug, Default)]
pub struct ProjectIndex {
    files: HashMap<PathBuf, IndexedFile>,
    /// Whether every lintable file of the indexed projects is in (after the first scan):
    /// only then may a rule conclude that something exists nowhere.
    complete: bool,
    /// Full module name → (file, index of the module in its facts).
    modules: HashMap<String, (PathBuf, usize)>,
    /// App → `project_rel`s of its test files.
    test_paths: HashMap<PathBuf, HashSet<String>>,
    /// App → file names of its test files (`orders_test.exs`).
    test_names: HashMap<PathBuf, HashSet<String>>,
    /// Umbrella → modules named by its test files.
    tested: HashMap<PathBuf, HashSet<String>>,
    /// Umbrellas with telemetry set up somewhere.
    telemetry: HashSet<PathBuf>,
    /// App → its umbrella.
    umbrellas: HashMap<PathBuf, PathBuf>,
    /// (app, repository folder) → its migration files, oldest first.
    migrations: HashMap<(PathBuf, String), Vec<(String, PathBuf)>>,
    /// Umbrella → its Ecto repositories: (module, adapter as written).
    repos: HashMap<PathBuf, Vec<(String, String)>>,
}

static EMPTY: LazyLock<ProjectIndex> = LazyLock::new(ProjectIndex::default);

impl ProjectIndex {
    /// An index that knows nothing (a file linted on its own).
    pub fn empty() -> &'static ProjectIndex {
        &EMPTY
    }

    /// An index of `files`; `complete` when they are every lintable file of their projects.
    pub fn from_files(files: HashMap<PathBuf, IndexedFile>, complete: bool) -> Self {
        let mut index = ProjectIndex {
            files,
            complete,
            ..ProjectIndex::default()
        };
        index.derive();
        index.sort_migrations();
        index
    }

    fn derive(&mut self) {
        for (path, file) in &self.files {
            self.umbrellas
                .insert(file.app.clone(), file.umbrella.clone());
            for (i, module) in file.facts.modules.iter().enumerate() {
                // Two files defining one module (a stale copy): keep the first by path, so the
                // answer does not depend on hash order.
                match self.modules.get(&module.name) {
                    Some((other, _)) if other <= path => {}
                    _ => {
                        self.modules.insert(module.name.clone(), (path.clone(), i));
                    }
                }
            }
            if let Some(m) = &file.facts.migration {
                self.migrations
                    .entry((file.app.clone(), m.dir.clone()))
                    .or_default()
                    .push((m.stamp.clone(), path.clone()));
            }
            if !file.facts.repos.is_empty() {
                self.repos
                    .entry(file.umbrella.clone())
                    .or_default()
                    .extend(file.facts.repos.iter().cloned());
            }
            if file.facts.telemetry {
                self.telemetry.insert(file.umbrella.clone());
            }
            if is_test_file(&file.project_rel) {
                self.test_paths
                    .entry(file.app.clone())
                    .or_default()
                    .insert(file.project_rel.clone());
                let name = file.project_rel.rsplit('/').next().unwrap_or_default();
                self.test_names
                    .entry(file.app.clone())
                    .or_default()
                    .insert(name.to_string());
                self.tested
                    .entry(file.umbrella.clone())
                    .or_default()
                    .extend(file.facts.mentions.iter().cloned());
            }
        }
    }

    fn sort_migrations(&mut self) {
        for list in self.migrations.values_mut() {
            list.sort_by(|(a, pa), (b, pb)| {
                let key = |s: &str| {
                    let t = s.trim_start_matches('0');
                    (t.len(), t.to_string())
                };
                key(a).cmp(&key(b)).then(pa.cmp(pb))
            });
        }
    }

    /// A copy with `path` (re)indexed.
    pub fn with_file(&self, path: PathBuf, file: IndexedFile) -> Self {
        let mut files = self.files.clone();
        files.insert(path, file);
        Self::from_files(files, self.complete)
    }

    /// A copy without `path` (deleted).
    pub fn without_file(&self, path: &Path) -> Self {
        let mut files = self.files.clone();
        files.remove(path);
        Self::from_files(files, self.complete)
    }

    /// A copy marked complete (or not).
    pub fn completed(mut self, complete: bool) -> Self {
        self.complete = complete;
        self
    }

    /// Whether every file of the indexed projects is in.
    pub fn is_complete(&self) -> bool {
        self.complete
    }

    /// The number of files indexed.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The facts of a file, if indexed.
    pub fn file(&self, path: &Path) -> Option<&IndexedFile> {
        self.files.get(path)
    }

    /// The facts of a module, by full name.
    pub fn module(&self, name: &str) -> Option<&ModuleFacts> {
        let (path, i) = self.modules.get(name)?;
        self.files.get(path)?.facts.modules.get(*i)
    }

    /// The file defining a module, by full name.
    pub fn module_file(&self, name: &str) -> Option<&Path> {
        self.modules.get(name).map(|(p, _)| p.as_path())
    }

    /// Whether the complete index covers the app at `app`: absence answers are only trusted
    /// then.
    pub fn covers(&self, app: &Path) -> bool {
        self.complete && self.umbrellas.contains_key(app)
    }

    /// The umbrella of an indexed app.
    pub fn umbrella_of(&self, app: &Path) -> Option<&Path> {
        self.umbrellas.get(app).map(PathBuf::as_path)
    }

    /// Whether the lib file `project_rel` of `app`, defining `modules`, has a test: the test at
    /// the mirrored path (`lib/a/b.ex` → `test/a/b_test.exs`), a test file of the app named after
    /// it (`b_test.exs`), or any test file of the umbrella naming one of its modules.
    pub fn has_test(&self, app: &Path, project_rel: &str, modules: &[&str]) -> bool {
        let stem = project_rel
            .rsplit('/')
            .next()
            .unwrap_or(project_rel)
            .trim_end_matches(".ex");
        let mirrored = mirrored_test(project_rel);
        let by_path = self
            .test_paths
            .get(app)
            .is_some_and(|t| t.contains(&mirrored));
        let by_name = self
            .test_names
            .get(app)
            .is_some_and(|t| t.contains(&format!("{stem}_test.exs")));
        let umbrella = self.umbrella_of(app).unwrap_or(app);
        let by_mention = self
            .tested
            .get(umbrella)
            .is_some_and(|t| modules.iter().any(|m| t.contains(*m)));
        by_path || by_name || by_mention
    }

    /// Whether any file of the umbrella holding `app` sets up telemetry.
    pub fn has_telemetry(&self, app: &Path) -> bool {
        let umbrella = self.umbrella_of(app).unwrap_or(app);
        self.telemetry.contains(umbrella)
    }

    /// What `table.column` was before the migration `stamp` of the repository folder `dir` of
    /// `app`, replaying the migrations before it; `None` when the complete index knows no such
    /// column (created by `execute`, in another repository, or by a migration not indexed).
    pub fn column_before(
        &self,
        app: &Path,
        dir: &str,
        stamp: &str,
        table: &str,
        column: &str,
    ) -> Option<super::migrations::ColumnState> {
        if !self.covers(app) {
            return None;
        }
        let list = self.migrations.get(&(app.to_path_buf(), dir.to_string()))?;
        let earlier = list
            .iter()
            .take_while(|(s, _)| super::migrations::stamp_before(s, stamp))
            .filter_map(|(_, p)| self.files.get(p)?.facts.migration.as_ref());
        super::migrations::replay(earlier, table, column)
    }

    /// The adapter (as written) of the repository whose migrations live in `dir` (`priv/repo` →
    /// `MyApp.Repo`, `priv/clickhouse_repo` → `MyApp.ClickhouseRepo`, Ecto's default `priv`
    /// folder), when the project defines it.
    pub fn repo_adapter(&self, app: &Path, dir: &str) -> Option<&str> {
        let umbrella = self.umbrella_of(app).unwrap_or(app);
        let folder = dir.rsplit('/').next().unwrap_or(dir);
        self.repos
            .get(umbrella)?
            .iter()
            .find(|(module, _)| {
                let last = module.rsplit('.').next().unwrap_or(module);
                snake_case(last) == folder
            })
            .map(|(_, adapter)| adapter.as_str())
    }

    /// The indexed files matching `pred`.
    pub fn files_in<'a>(
        &'a self,
        pred: impl Fn(&IndexedFile) -> bool + 'a,
    ) -> impl Iterator<Item = (&'a Path, &'a IndexedFile)> + 'a {
        self.files
            .iter()
            .filter(move |(_, f)| pred(f))
            .map(|(p, f)| (p.as_path(), f))
    }

    /// The indexed files of an app (paths).
    pub fn files_of_app<'a>(&'a self, app: &'a Path) -> impl Iterator<Item = &'a Path> + 'a {
        self.files
            .iter()
            .filter(move |(_, f)| f.app == app)
            .map(|(p, _)| p.as_path())
    }
}

/// `ClickhouseRepo` → `clickhouse_repo`, as `Macro.underscore` does for plain names.
fn snake_case(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The test that mirrors a lib file: `lib/a/b.ex` → `test/a/b_test.exs`.
pub fn mirrored_test(project_rel: &str) -> String {
    let rest = project_rel.strip_prefix("lib/").unwrap_or(project_rel);
    format!("test/{}_test.exs", rest.trim_end_matches(".ex"))
}

/// A test file by its place in the app: `test/**/*_test.exs`.
pub fn is_test_file(project_rel: &str) -> bool {
    project_rel.starts_with("test/") && project_rel.ends_with("_test.exs")
}
