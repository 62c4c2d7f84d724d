//! The project index: every file's facts, and the answers rules ask of them.
//!
//! An index is an immutable snapshot. Updating a file builds a new snapshot (the per-file facts
//! are shared through `Arc`s, only the derived tables are rebuilt), so a lint can hold one
//! without locks while the server swaps in the next.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex};

use super::facts::{Child, FileFacts, ModuleFacts};
use super::migrations::ColumnState;

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
///
/// A copy made by [`ProjectIndex::recording`] shares the tables and writes down every question a
/// lint asks with the answer it got ([`Question`], [`Answer`]), so the lint can later be replayed
/// against another index ([`ProjectIndex::answers_alike`]): `check` lints once against an index
/// read from tokens and re-lints only the files that would have been told something else by the
/// exact one.
#[derive(Clone, Debug, Default)]
pub struct ProjectIndex {
    tables: Arc<Tables>,
    log: Option<Arc<Mutex<QueryLog>>>,
}

/// Questions asked of a recording index, with their answers.
pub type QueryLog = Vec<(Question, Answer)>;

/// A question a rule asks of the index (the arguments of one query method).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Question {
    /// [`ProjectIndex::covers`].
    Covers(PathBuf),
    /// [`ProjectIndex::umbrella_of`].
    UmbrellaOf(PathBuf),
    /// [`ProjectIndex::module`].
    Module(String),
    /// [`ProjectIndex::module_file`].
    ModuleFile(String),
    /// [`ProjectIndex::has_test`].
    HasTest(PathBuf, String, Vec<String>),
    /// [`ProjectIndex::has_telemetry`].
    HasTelemetry(PathBuf),
    /// [`ProjectIndex::column_before`]: app, folder, stamp, table, column.
    ColumnBefore(PathBuf, String, String, String, String),
    /// [`ProjectIndex::repo_adapter`].
    RepoAdapter(PathBuf, String),
    /// [`ProjectIndex::supervised`].
    Supervised(PathBuf, String),
    /// [`ProjectIndex::supervisors_of`].
    SupervisorsOf(PathBuf, String),
    /// [`ProjectIndex::struct_fields`].
    StructFields(String),
    /// A question whose answer is not recorded (whole files, every file): never replayable.
    Unrecorded,
}

/// The answer a recording index gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// A yes/no.
    Bool(bool),
    /// A name or path, if any.
    Text(Option<String>),
    /// A module's facts as other files see them ([`ModuleFacts::seen_from_elsewhere`]).
    Module(Option<ModuleFacts>),
    /// A column's state.
    Column(Option<ColumnState>),
    /// A list of names, if known.
    Names(Option<Vec<String>>),
    /// Supervisors listing a module.
    Supervisors(Vec<Supervised>),
    /// Not recorded.
    Unknown,
}

/// One supervisor listing a module as its child.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Supervised {
    /// The supervisor (full name).
    pub supervisor: String,
    /// The name the child is registered under, if written (full name).
    pub name: Option<String>,
}

#[derive(Clone, Debug, Default)]
struct Tables {
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
    /// Umbrella → child module (full name) → the supervisors listing it and the name it is
    /// registered under there (sorted).
    children: HashMap<PathBuf, HashMap<String, Vec<Supervised>>>,
    /// Struct module (full name) → its fields, in order.
    structs: HashMap<String, (PathBuf, Vec<String>)>,
}

static EMPTY: LazyLock<ProjectIndex> = LazyLock::new(ProjectIndex::default);

impl ProjectIndex {
    /// An index that knows nothing (a file linted on its own).
    pub fn empty() -> &'static ProjectIndex {
        &EMPTY
    }

    /// An index of `files`; `complete` when they are every lintable file of their projects.
    pub fn from_files(files: HashMap<PathBuf, IndexedFile>, complete: bool) -> Self {
        let mut tables = Tables {
            files,
            complete,
            ..Tables::default()
        };
        tables.derive();
        tables.sort_migrations();
        ProjectIndex {
            tables: Arc::new(tables),
            log: None,
        }
    }

    /// A copy sharing this index's tables that writes down every question asked of it.
    pub fn recording(&self) -> Self {
        ProjectIndex {
            tables: Arc::clone(&self.tables),
            log: Some(Arc::new(Mutex::new(Vec::new()))),
        }
    }

    /// The questions asked of a recording copy so far, with their answers (empty for an index
    /// that does not record).
    pub fn take_log(&self) -> QueryLog {
        self.log.as_ref().map_or_else(Vec::new, |l| {
            std::mem::take(&mut *l.lock().unwrap_or_else(|e| e.into_inner()))
        })
    }

    /// Whether this index answers every question of `log` as it was answered then: a lint that
    /// asked them would find exactly the same here.
    pub fn answers_alike(&self, log: &QueryLog) -> bool {
        log.iter()
            .all(|(q, a)| *q != Question::Unrecorded && self.answer(q) == *a)
    }

    fn note(&self, question: impl FnOnce() -> Question, answer: impl FnOnce() -> Answer) {
        if let Some(log) = &self.log {
            let entry = (question(), answer());
            log.lock().unwrap_or_else(|e| e.into_inner()).push(entry);
        }
    }

    /// The answer to `question` (as the query method gives it, without recording).
    fn answer(&self, question: &Question) -> Answer {
        let t = &self.tables;
        match question {
            Question::Covers(app) => Answer::Bool(t.covers(app)),
            Question::UmbrellaOf(app) => Answer::Text(t.umbrella_of(app).map(path_text)),
            Question::Module(name) => {
                Answer::Module(t.module(name).map(ModuleFacts::seen_from_elsewhere))
            }
            Question::ModuleFile(name) => Answer::Text(t.module_file(name).map(path_text)),
            Question::HasTest(app, rel, modules) => {
                let modules: Vec<&str> = modules.iter().map(String::as_str).collect();
                Answer::Bool(t.has_test(app, rel, &modules))
            }
            Question::HasTelemetry(app) => Answer::Bool(t.has_telemetry(app)),
            Question::ColumnBefore(app, dir, stamp, table, column) => {
                Answer::Column(t.column_before(app, dir, stamp, table, column))
            }
            Question::RepoAdapter(app, dir) => {
                Answer::Text(t.repo_adapter(app, dir).map(str::to_string))
            }
            Question::Supervised(app, module) => Answer::Bool(t.supervised(app, module)),
            Question::SupervisorsOf(app, module) => {
                Answer::Supervisors(t.supervisors_of(app, module).to_vec())
            }
            Question::StructFields(name) => {
                Answer::Names(t.struct_fields(name).map(<[String]>::to_vec))
            }
            Question::Unrecorded => Answer::Unknown,
        }
    }
}

fn path_text(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

impl Tables {
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
            for (supervisor, children) in &file.facts.children {
                let table = self.children.entry(file.umbrella.clone()).or_default();
                for Child { module, name } in children {
                    let entry = Supervised {
                        supervisor: supervisor.clone(),
                        name: name.clone(),
                    };
                    let list = table.entry(module.clone()).or_default();
                    if let Err(at) = list.binary_search(&entry) {
                        list.insert(at, entry);
                    }
                }
            }
            for (module, fields) in &file.facts.structs {
                // As for modules: the first definition by path wins.
                match self.structs.get(module) {
                    Some((other, _)) if other <= path => {}
                    _ => {
                        self.structs
                            .insert(module.clone(), (path.clone(), fields.clone()));
                    }
                }
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

    fn covers(&self, app: &Path) -> bool {
        self.complete && self.umbrellas.contains_key(app)
    }

    fn umbrella_of(&self, app: &Path) -> Option<&Path> {
        self.umbrellas.get(app).map(PathBuf::as_path)
    }

    fn module(&self, name: &str) -> Option<&ModuleFacts> {
        let (path, i) = self.modules.get(name)?;
        self.files.get(path)?.facts.modules.get(*i)
    }

    fn module_file(&self, name: &str) -> Option<&Path> {
        self.modules.get(name).map(|(p, _)| p.as_path())
    }

    fn has_test(&self, app: &Path, project_rel: &str, modules: &[&str]) -> bool {
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

    fn has_telemetry(&self, app: &Path) -> bool {
        let umbrella = self.umbrella_of(app).unwrap_or(app);
        self.telemetry.contains(umbrella)
    }

    fn column_before(
        &self,
        app: &Path,
        dir: &str,
        stamp: &str,
        table: &str,
        column: &str,
    ) -> Option<ColumnState> {
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

    fn repo_adapter(&self, app: &Path, dir: &str) -> Option<&str> {
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

    fn supervisors_of(&self, app: &Path, module: &str) -> &[Supervised] {
        let umbrella = self.umbrella_of(app).unwrap_or(app);
        self.children
            .get(umbrella)
            .and_then(|c| c.get(module))
            .map_or(&[], Vec::as_slice)
    }

    fn supervised(&self, app: &Path, module: &str) -> bool {
        !self.supervisors_of(app, module).is_empty()
    }

    fn struct_fields(&self, name: &str) -> Option<&[String]> {
        self.structs.get(name).map(|(_, f)| f.as_slice())
    }
}

impl ProjectIndex {
    /// A copy with `path` (re)indexed.
    pub fn with_file(&self, path: PathBuf, file: IndexedFile) -> Self {
        let mut files = self.tables.files.clone();
        files.insert(path, file);
        Self::from_files(files, self.tables.complete)
    }

    /// A copy where indexed files have new facts (files not indexed are left out), or `None`
    /// when every one of them has these facts already.
    pub fn refined(&self, updates: impl IntoIterator<Item = (PathBuf, FileFacts)>) -> Option<Self> {
        let mut files: Option<HashMap<PathBuf, IndexedFile>> = None;
        for (path, facts) in updates {
            let Some(old) = self.tables.files.get(&path) else {
                continue;
            };
            if *old.facts == facts {
                continue;
            }
            let files = files.get_or_insert_with(|| self.tables.files.clone());
            files.insert(
                path,
                IndexedFile {
                    facts: Arc::new(facts),
                    ..old.clone()
                },
            );
        }
        files.map(|files| Self::from_files(files, self.tables.complete))
    }

    /// A copy without `path` (deleted).
    pub fn without_file(&self, path: &Path) -> Self {
        let mut files = self.tables.files.clone();
        files.remove(path);
        Self::from_files(files, self.tables.complete)
    }

    /// A copy marked complete (or not).
    pub fn completed(self, complete: bool) -> Self {
        let mut tables = Arc::unwrap_or_clone(self.tables);
        tables.complete = complete;
        ProjectIndex {
            tables: Arc::new(tables),
            log: self.log,
        }
    }

    /// Whether every file of the indexed projects is in. (Like [`ProjectIndex::len`], not
    /// recorded: `check`'s token-read and exact indexes hold the same files.)
    pub fn is_complete(&self) -> bool {
        self.tables.complete
    }

    /// The number of files indexed.
    pub fn len(&self) -> usize {
        self.tables.files.len()
    }

    /// Whether nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.tables.files.is_empty()
    }

    /// The facts of a file, if indexed. (Not replayable: a recording index notes that a whole
    /// file was read, which no other index is taken to answer alike.)
    pub fn file(&self, path: &Path) -> Option<&IndexedFile> {
        self.note(|| Question::Unrecorded, || Answer::Unknown);
        self.tables.files.get(path)
    }

    /// The facts of a module, by full name.
    pub fn module(&self, name: &str) -> Option<&ModuleFacts> {
        let found = self.tables.module(name);
        self.note(
            || Question::Module(name.to_string()),
            || Answer::Module(found.map(ModuleFacts::seen_from_elsewhere)),
        );
        found
    }

    /// The file defining a module, by full name.
    pub fn module_file(&self, name: &str) -> Option<&Path> {
        let found = self.tables.module_file(name);
        self.note(
            || Question::ModuleFile(name.to_string()),
            || Answer::Text(found.map(path_text)),
        );
        found
    }

    /// Whether the complete index covers the app at `app`: absence answers are only trusted
    /// then.
    pub fn covers(&self, app: &Path) -> bool {
        let answer = self.tables.covers(app);
        self.note(
            || Question::Covers(app.to_path_buf()),
            || Answer::Bool(answer),
        );
        answer
    }

    /// The umbrella of an indexed app.
    pub fn umbrella_of(&self, app: &Path) -> Option<&Path> {
        let found = self.tables.umbrella_of(app);
        self.note(
            || Question::UmbrellaOf(app.to_path_buf()),
            || Answer::Text(found.map(path_text)),
        );
        found
    }

    /// Whether the lib file `project_rel` of `app`, defining `modules`, has a test: the test at
    /// the mirrored path (`lib/a/b.ex` → `test/a/b_test.exs`), a test file of the app named after
    /// it (`b_test.exs`), or any test file of the umbrella naming one of its modules.
    pub fn has_test(&self, app: &Path, project_rel: &str, modules: &[&str]) -> bool {
        let answer = self.tables.has_test(app, project_rel, modules);
        self.note(
            || {
                Question::HasTest(
                    app.to_path_buf(),
                    project_rel.to_string(),
                    modules.iter().map(|m| m.to_string()).collect(),
                )
            },
            || Answer::Bool(answer),
        );
        answer
    }

    /// Whether any file of the umbrella holding `app` sets up telemetry.
    pub fn has_telemetry(&self, app: &Path) -> bool {
        let answer = self.tables.has_telemetry(app);
        self.note(
            || Question::HasTelemetry(app.to_path_buf()),
            || Answer::Bool(answer),
        );
        answer
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
    ) -> Option<ColumnState> {
        let answer = self.tables.column_before(app, dir, stamp, table, column);
        self.note(
            || {
                Question::ColumnBefore(
                    app.to_path_buf(),
                    dir.to_string(),
                    stamp.to_string(),
                    table.to_string(),
                    column.to_string(),
                )
            },
            || Answer::Column(answer.clone()),
        );
        answer
    }

    /// The adapter (as written) of the repository whose migrations live in `dir` (`priv/repo` →
    /// `MyApp.Repo`, `priv/clickhouse_repo` → `MyApp.ClickhouseRepo`, Ecto's default `priv`
    /// folder), when the project defines it.
    pub fn repo_adapter(&self, app: &Path, dir: &str) -> Option<&str> {
        let found = self.tables.repo_adapter(app, dir);
        self.note(
            || Question::RepoAdapter(app.to_path_buf(), dir.to_string()),
            || Answer::Text(found.map(str::to_string)),
        );
        found
    }

    /// The supervisors of the umbrella holding `app` that list `module` (a full name) among
    /// their children — given to `Supervisor.init/2` or `Supervisor.start_link/2`, or bound to
    /// `children` in an `Application.start/2` — with the name each registers it under; sorted.
    pub fn supervisors_of(&self, app: &Path, module: &str) -> &[Supervised] {
        let found = self.tables.supervisors_of(app, module);
        self.note(
            || Question::SupervisorsOf(app.to_path_buf(), module.to_string()),
            || Answer::Supervisors(found.to_vec()),
        );
        found
    }

    /// Whether a supervisor of the umbrella holding `app` lists `module` (a full name) as a
    /// child.
    pub fn supervised(&self, app: &Path, module: &str) -> bool {
        let answer = self.tables.supervised(app, module);
        self.note(
            || Question::Supervised(app.to_path_buf(), module.to_string()),
            || Answer::Bool(answer),
        );
        answer
    }

    /// The fields of the struct `name` (a full name) defines, in order: `defstruct` keys, or an
    /// Ecto schema's fields, association and embed keys, foreign keys and timestamps.
    pub fn struct_fields(&self, name: &str) -> Option<&[String]> {
        let found = self.tables.struct_fields(name);
        self.note(
            || Question::StructFields(name.to_string()),
            || Answer::Names(found.map(<[String]>::to_vec)),
        );
        found
    }

    /// The indexed files matching `pred` (not replayable, as [`ProjectIndex::file`]).
    pub fn files_in<'a>(
        &'a self,
        pred: impl Fn(&IndexedFile) -> bool + 'a,
    ) -> impl Iterator<Item = (&'a Path, &'a IndexedFile)> + 'a {
        self.note(|| Question::Unrecorded, || Answer::Unknown);
        self.tables
            .files
            .iter()
            .filter(move |(_, f)| pred(f))
            .map(|(p, f)| (p.as_path(), f))
    }

    /// The indexed files of an app (paths; not replayable, as [`ProjectIndex::file`]).
    pub fn files_of_app<'a>(&'a self, app: &'a Path) -> impl Iterator<Item = &'a Path> + 'a {
        self.note(|| Question::Unrecorded, || Answer::Unknown);
        self.tables
            .files
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::index_sources;

    const APPLICATION: &str = r#"defmodule Shop.Application do
  @moduledoc false
  use Application
  alias Shop.Billing

  @impl true
  def start(_type, _args) do
    children =
      [
        Shop.Repo,
        {Phoenix.PubSub, name: Shop.PubSub},
        {Task.Supervisor, name: Shop.TaskSupervisor},
        Supervisor.child_spec({Billing.Poller, interval: 5_000}, id: :billing_poller),
        %{id: Shop.Cache, start: {Shop.Cache, :start_link, [[]]}},
        ShopWeb.Endpoint
      ] ++ workers()

    Supervisor.start_link(children, strategy: :one_for_one, name: Shop.Supervisor)
  end

  defp workers, do: [Shop.Mailer.Worker]
end
"#;

    const WORKERS: &str = r#"defmodule Shop.Workers do
  use Supervisor

  def start_link(arg), do: Supervisor.start_link(__MODULE__, arg, name: __MODULE__)

  @impl true
  def init(_arg) do
    children = [
      {Registry, keys: :unique, name: Shop.Registry},
      {DynamicSupervisor, [name: Shop.Jobs, strategy: :one_for_one]},
      Shop.Cache
    ]

    Supervisor.init(children, strategy: :one_for_one)
  end
end
"#;

    const USER: &str = r#"defmodule Shop.Accounts.User do
  use Ecto.Schema

  schema "users" do
    field :email, :string
    belongs_to :team, Shop.Teams.Team
    has_many :orders, Shop.Orders.Order
    embeds_one :settings, Shop.Accounts.Settings
    timestamps(type: :utc_datetime)
  end
end
"#;

    const POINT: &str = "defmodule Shop.Geo.Point do\n  @type t :: %__MODULE__{}\n  defstruct [:lat, :lng, srid: 4326]\nend\n";

    fn index() -> ProjectIndex {
        index_sources(&[
            ("lib/shop/application.ex", APPLICATION),
            ("lib/shop/workers.ex", WORKERS),
            ("lib/shop/accounts/user.ex", USER),
            ("lib/shop/geo/point.ex", POINT),
        ])
    }

    fn supervisors(index: &ProjectIndex, module: &str) -> Vec<(String, Option<String>)> {
        index
            .supervisors_of(Path::new("/app"), module)
            .iter()
            .map(|s| (s.supervisor.clone(), s.name.clone()))
            .collect()
    }

    #[test]
    fn children_of_applications_and_supervisors() {
        let index = index();
        let facts = &index
            .file(Path::new("/app/lib/shop/application.ex"))
            .unwrap()
            .facts;
        let (supervisor, children) = &facts.children[0];
        assert_eq!(supervisor, "Shop.Application");
        let modules: Vec<&str> = children.iter().map(|c| c.module.as_str()).collect();
        assert_eq!(
            modules,
            [
                "Shop.Repo",
                "Phoenix.PubSub",
                "Task.Supervisor",
                "Shop.Billing.Poller",
                "Shop.Cache",
                "ShopWeb.Endpoint",
                "Shop.Mailer.Worker",
            ]
        );
        assert_eq!(
            supervisors(&index, "Task.Supervisor"),
            [(
                "Shop.Application".to_string(),
                Some("Shop.TaskSupervisor".to_string())
            )]
        );
        // Listed by two supervisors: both, sorted.
        assert_eq!(
            supervisors(&index, "Shop.Cache"),
            [
                ("Shop.Application".to_string(), None),
                ("Shop.Workers".to_string(), None)
            ]
        );
        assert_eq!(
            supervisors(&index, "DynamicSupervisor"),
            [("Shop.Workers".to_string(), Some("Shop.Jobs".to_string()))]
        );
        assert!(index.supervised(Path::new("/app"), "Shop.Billing.Poller"));
        assert!(!index.supervised(Path::new("/app"), "Shop.Orders"));
    }

    #[test]
    fn struct_fields_of_defstruct_and_schemas() {
        let index = index();
        let fields = |m: &str| index.struct_fields(m).map(<[String]>::to_vec);
        assert_eq!(fields("Shop.Geo.Point").unwrap(), ["lat", "lng", "srid"]);
        assert_eq!(
            fields("Shop.Accounts.User").unwrap(),
            [
                "__meta__",
                "id",
                "email",
                "team",
                "team_id",
                "orders",
                "settings",
                "inserted_at",
                "updated_at"
            ]
        );
        assert_eq!(fields("Shop.Workers"), None);
    }

    #[test]
    fn a_recording_index_replays_against_another() {
        let exact = index();
        // The same project, but `Point` read without its `@type t`, as an inexact reading might.
        let point = "defmodule Shop.Geo.Point do\n  defstruct [:lat, :lng, srid: 4326]\nend\n";
        let approx = index_sources(&[
            ("lib/shop/application.ex", APPLICATION),
            ("lib/shop/workers.ex", WORKERS),
            ("lib/shop/accounts/user.ex", USER),
            ("lib/shop/geo/point.ex", point),
        ]);
        let recording = approx.recording();
        assert!(recording.module("Shop.Accounts.User").is_some());
        assert!(recording.covers(Path::new("/app")));
        let log = recording.take_log();
        assert_eq!(log.len(), 2);
        // Questions about what both readings agree on replay alike…
        assert!(exact.answers_alike(&log));
        // …a question about `Point` does not.
        assert!(!recording.module("Shop.Geo.Point").unwrap().has_type_t);
        let log = recording.take_log();
        assert!(!exact.answers_alike(&log));
        // Whole-file reads cannot be replayed.
        let _ = recording.file(Path::new("/app/lib/shop/workers.ex"));
        assert!(!exact.answers_alike(&recording.take_log()));
        // An index that does not record keeps no log.
        let _ = exact.module("Shop.Geo.Point");
        assert!(exact.take_log().is_empty());
    }

    #[test]
    fn refined_replaces_facts_and_says_when_nothing_changed() {
        let exact = index();
        let path = PathBuf::from("/app/lib/shop/geo/point.ex");
        let same = (*exact.file(&path).unwrap().facts).clone();
        assert!(exact.refined([(path.clone(), same.clone())]).is_none());
        let mut changed = same;
        changed.modules[0].has_type_t = false;
        let refined = exact.refined([(path, changed)]).unwrap();
        assert!(!refined.module("Shop.Geo.Point").unwrap().has_type_t);
        assert!(exact.module("Shop.Geo.Point").unwrap().has_type_t);
        // Files the index does not hold are left out.
        let stray = (PathBuf::from("/elsewhere/a.ex"), FileFacts::default());
        assert!(exact.refined([stray]).is_none());
    }
}
