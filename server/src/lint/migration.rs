//! Ecto migration analysis shared by the L2 migration-safety rules.
//!
//! [`analyze`] reads a migration file once into [`Op`]s: index creations and drops, table
//! creations, drops and renames, column changes inside `alter table(...)` / `create table(...)`,
//! check constraints, `execute` calls and `Repo` writes, each with the function direction it
//! runs in and whether its table was created by the same migration. Rules then only decide
//! which ops they report.
//!
//! What counts as a migration: a module that `use`s `Ecto.Migration` (any path), or any module of
//! a script under a `migrations` folder (`priv/repo/migrations/20240101000000_x.exs`), so modules
//! built on a project's own migration wrapper are covered too. Files whose timestamp prefix is not
//! after the configured `start_after` are skipped entirely.
//!
//! Lock and rewrite behaviour is PostgreSQL's (Ecto's default adapter); projects on other
//! databases turn the rules they disagree with off in `.ladder.exs`.
//!
//! Forms understood: `change/0`, `up/0`, `down/0` and helpers they call; `create`,
//! `create_if_not_exists`, `drop`, `drop_if_exists` with `index/2,3`, `unique_index/2,3`,
//! `table/1,2` (with `prefix:`) and `constraint/3`; `alter table(...) do ... end` (or `, do:`);
//! `rename`; pipes (`index(:t, [:c]) |> create()`); options inline, as a list literal, or bound
//! to a variable earlier in the same function; helpers called with or without parentheses or
//! as `Ecto.Migration.f`.
//!
//! Direction: everything outside `down/0` runs forward. `down/0`, and private helpers only it
//! reaches, are the rollback: they restore the schema the previous release expects, so rules
//! report there only what is dangerous whatever the direction (building an index without
//! `concurrently: true`, and the attributes that `concurrently: true` needs).

use crate::syntax::Fields as _;
use crate::syntax::Node;

use super::{Edit, Finding, Fix, LintContext, RuleMeta};
use crate::syntax::elixir::{self, ModuleDef};
use crate::syntax::module_model::{Function, ModuleModel};
use crate::syntax::text;

/// Which way an operation runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// `change/0`, `up/0` and every other function: migrating forward.
    Forward,
    /// `down/0`: the rollback.
    Down,
}

/// A `table(...)` (or the table named by `index(...)`/`constraint(...)`).
#[derive(Clone, Debug)]
pub struct Table<'t> {
    /// The name without `:`/quotes (`users`), or the expression's text when computed.
    pub name: String,
    /// The `prefix:` option, without `:`/quotes.
    pub prefix: Option<String>,
    /// The node naming the table.
    pub node: Node<'t>,
}

impl Table<'_> {
    /// Whether both name the same table (same name and prefix).
    pub fn same(&self, other: &Table<'_>) -> bool {
        self.name == other.name && self.prefix == other.prefix
    }

    /// `users` or `tenant.users`, for messages.
    pub fn label(&self) -> String {
        match &self.prefix {
            Some(p) => format!("{p}.{}", self.name),
            None => self.name.clone(),
        }
    }
}

/// The options argument of a call.
#[derive(Clone, Copy, Debug)]
pub enum Opts<'t> {
    /// No options argument.
    Absent,
    /// A keyword list: the `keywords` node, and whether it is written in the call itself (an
    /// automatic fix can only edit options written in place).
    Keywords {
        /// The `keywords` node.
        node: Node<'t>,
        /// Written in the call (`f(x, a: 1)` or `f(x, [a: 1])`), not through a variable.
        inline: bool,
    },
    /// `[]`.
    Empty {
        /// The `[]` node.
        node: Node<'t>,
        /// Written in the call.
        inline: bool,
    },
    /// Computed options (a function call, an unbound variable…): contents unknown.
    Unknown,
}

/// What an option is set to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flag {
    /// Literally `true`.
    True,
    /// Absent, or literally `false`/`nil`.
    False,
    /// Computed: cannot tell.
    Unknown,
}

impl<'t> Opts<'t> {
    /// The value of `key`, or `None` when absent. Unknown options give `None` too; check
    /// [`Opts::is_unknown`] first when that matters.
    pub fn get(&self, src: &str, key: &str) -> Option<Node<'t>> {
        match self {
            Opts::Keywords { node, .. } => elixir::keyword_value(*node, src, key),
            _ => None,
        }
    }

    /// Whether the options are computed and cannot be read.
    pub fn is_unknown(&self) -> bool {
        matches!(self, Opts::Unknown)
    }

    /// What boolean option `key` is set to.
    pub fn flag(&self, src: &str, key: &str) -> Flag {
        if self.is_unknown() {
            return Flag::Unknown;
        }
        match self.get(src, key).map(|v| text(v, src)) {
            None | Some("false") | Some("nil") => Flag::False,
            Some("true") => Flag::True,
            Some(_) => Flag::Unknown,
        }
    }
}

/// Create or drop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IndexAction {
    /// `create`, `create_if_not_exists`.
    Create,
    /// `drop`, `drop_if_exists`.
    Drop,
}

/// `create`/`drop` of an `index(...)`/`unique_index(...)`.
#[derive(Clone, Debug)]
pub struct IndexOp<'t> {
    /// Create or drop.
    pub action: IndexAction,
    /// The `index(...)` call.
    pub call: Node<'t>,
    /// `unique_index`, or `unique: true`.
    pub unique: bool,
    /// The indexed table.
    pub table: Table<'t>,
    /// The indexed columns (names, or expressions as written); `None` when computed.
    pub columns: Option<Vec<String>>,
    /// The index options.
    pub opts: Opts<'t>,
}

impl IndexOp<'_> {
    /// "index `name` on `users`" or "index on `users` (`email`, `name`)", for messages.
    pub fn label(&self, src: &str) -> String {
        let kind = if self.unique { "unique index" } else { "index" };
        if let Some(name) = self.opts.get(src, "name") {
            return format!(
                "{kind} `{}` on `{}`",
                literal_name(name, src),
                self.table.label()
            );
        }
        match &self.columns {
            Some(cols) if !cols.is_empty() => {
                let cols: Vec<String> = cols.iter().map(|c| format!("`{c}`")).collect();
                format!("{kind} on `{}` ({})", self.table.label(), cols.join(", "))
            }
            _ => format!("{kind} on `{}`", self.table.label()),
        }
    }
}

/// Which column operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnAction {
    /// `add`, `add_if_not_exists`.
    Add,
    /// `modify`.
    Modify,
    /// `remove`, `remove_if_exists`.
    Remove,
}

/// `add`/`modify`/`remove` inside `alter table(...)` or `create table(...)`.
#[derive(Clone, Debug)]
pub struct ColumnOp<'t> {
    /// Which operation.
    pub action: ColumnAction,
    /// The table of the enclosing block.
    pub table: Table<'t>,
    /// Inside `create table(...)` (a new, empty table) rather than `alter table(...)`.
    pub in_create: bool,
    /// The column name.
    pub column: String,
    /// Whether the name is written literally (`:email`), not computed at run time (a variable).
    pub column_literal: bool,
    /// The column type argument (`:string`, `references(:users)`), when given.
    pub type_node: Option<Node<'t>>,
    /// The options.
    pub opts: Opts<'t>,
}

/// What an operation does.
#[derive(Clone, Debug)]
pub enum OpKind<'t> {
    /// `create`/`drop` of an index.
    Index(IndexOp<'t>),
    /// `create table(...)` / `create_if_not_exists table(...)`.
    CreateTable(Table<'t>),
    /// `drop table(...)` / `drop_if_exists table(...)`.
    DropTable(Table<'t>),
    /// A column operation in a table block.
    Column(ColumnOp<'t>),
    /// `rename table(:t), :a, to: :b`.
    RenameColumn {
        /// The table.
        table: Table<'t>,
        /// The old column name.
        from: String,
        /// The new column name.
        to: String,
    },
    /// `rename table(:a), to: table(:b)`.
    RenameTable {
        /// The table renamed.
        from: Table<'t>,
        /// Its new name.
        to: Table<'t>,
    },
    /// `create constraint(:t, :name, check: ...)`.
    CheckConstraint {
        /// The table.
        table: Table<'t>,
        /// The constraint name.
        name: String,
        /// The `constraint(...)` call.
        call: Node<'t>,
        /// Its options.
        opts: Opts<'t>,
    },
    /// `drop constraint(:t, :name)` / `drop_if_exists constraint(...)`.
    DropConstraint {
        /// The table.
        table: Table<'t>,
        /// The constraint name.
        name: String,
    },
    /// `execute(...)`.
    Execute,
    /// `Repo.insert/update/delete…` or `repo().…`.
    RepoWrite {
        /// The receiver as written (`MyApp.Repo`, `repo()`).
        repo: &'t str,
        /// The function (`update_all`).
        function: &'t str,
        /// The table written, when `*_all` names it (`insert_all("countries", rows)`).
        table: Option<Table<'t>>,
    },
}

/// One migration operation.
#[derive(Clone, Debug)]
pub struct Op<'t> {
    /// The statement: the call, or the whole pipe.
    pub node: Node<'t>,
    /// Which way it runs.
    pub direction: Direction,
    /// Index of its module in [`Migration::modules`].
    pub module: usize,
    /// Its table is created by the same migration in the same direction: it is empty, there is
    /// nothing to lock, rewrite or validate.
    pub new_table: bool,
    /// What it does.
    pub kind: OpKind<'t>,
}

/// A module attribute that migrations turn on.
#[derive(Clone, Copy, Debug)]
pub enum AttrState<'t> {
    /// Set to `true` (or to a computed value, which we trust).
    On,
    /// Set to `false`/`nil`: the attribute node.
    Off(Node<'t>),
    /// Not set.
    Missing,
}

impl AttrState<'_> {
    /// Whether the attribute is known not to be `true`.
    pub fn is_off(&self) -> bool {
        !matches!(self, AttrState::On)
    }
}

/// A migration module.
#[derive(Clone, Debug)]
pub struct MigrationModule<'t> {
    /// Its definition.
    pub def: ModuleDef<'t>,
    /// The `use Ecto.Migration` statement (or the first `use`), where attributes go.
    pub use_node: Option<Node<'t>>,
    /// `@disable_ddl_transaction`.
    pub ddl_transaction: AttrState<'t>,
    /// `@disable_migration_lock`.
    pub migration_lock: AttrState<'t>,
}

/// The analysis of a migration file.
#[derive(Clone, Debug, Default)]
pub struct Migration<'t> {
    /// Its migration modules.
    pub modules: Vec<MigrationModule<'t>>,
    /// Their operations, in document order.
    pub ops: Vec<Op<'t>>,
}

impl<'t> Migration<'t> {
    /// The module of an op.
    pub fn module_of(&self, op: &Op<'_>) -> &MigrationModule<'t> {
        &self.modules[op.module]
    }

    /// Column operations (`add`, `modify`, `remove`) on tables that existed before this
    /// migration, in its forward direction: where locks and rewrites hit live data. The shared
    /// filter of the column rules.
    pub fn live_columns(&self) -> impl Iterator<Item = (&Op<'t>, &ColumnOp<'t>)> {
        self.ops.iter().filter_map(|op| match &op.kind {
            OpKind::Column(col)
                if !col.in_create && !op.new_table && op.direction == Direction::Forward =>
            {
                Some((op, col))
            }
            _ => None,
        })
    }

    /// Whether every operation of the module (both directions) creates or drops an index: then
    /// running it without a DDL transaction changes nothing else.
    pub fn only_indexes(&self, module: usize) -> bool {
        self.ops
            .iter()
            .filter(|op| op.module == module)
            .all(|op| matches!(op.kind, OpKind::Index(_)))
    }
}

/// Whether the file is a migration by its path: a script under a `migrations` folder. Ecto's
/// migrator only loads `.exs` files there, so `lib/**/migrations/*.ex` modules are not
/// migrations unless they `use Ecto.Migration`.
pub fn in_migrations_dir(ctx: &LintContext<'_>) -> bool {
    ctx.file.is_script()
        && [&ctx.file.project_rel, &ctx.file.display].iter().any(|p| {
            let p = p.replace('\\', "/");
            p.starts_with("migrations/") || p.contains("/migrations/")
        })
}

/// Whether `start_after` excludes the file: its name's leading timestamp is not after it.
pub fn before_start_after(ctx: &LintContext<'_>) -> bool {
    let Some(after) = ctx.config.start_after.as_deref() else {
        return false;
    };
    let stamp: String = ctx
        .file
        .file_name()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    if stamp.is_empty() || !after.chars().all(|c| c.is_ascii_digit()) {
        return false;
    }
    // Compare as numbers of any length: strip leading zeros, then longer is larger.
    let a = stamp.trim_start_matches('0');
    let b = after.trim_start_matches('0');
    (a.len(), a) <= (b.len(), b)
}

/// Reads the migration operations of the file, or `None` when it is not a migration (or is
/// excluded by `start_after`).
pub fn analyze<'c, 't>(ctx: &'c LintContext<'t>) -> Option<&'c Migration<'t>> {
    if before_start_after(ctx) {
        return None;
    }
    analyze_all(ctx)
}

/// [`analyze`] for the rules about PostgreSQL's locks and rewrites: `None` also for the
/// migrations of a repository whose adapter the project index knows is not PostgreSQL
/// (ClickHouse, MySQL, SQLite), where those rules would be wrong.
pub fn analyze_postgres<'c, 't>(ctx: &'c LintContext<'t>) -> Option<&'c Migration<'t>> {
    if !postgres(ctx) {
        return None;
    }
    analyze(ctx)
}

/// Whether the file's migrations run on PostgreSQL, as far as is known: true unless the
/// project defines the repository (by the migrations folder's name, as Ecto's default `priv`
/// does) with another adapter.
pub fn postgres(ctx: &LintContext<'_>) -> bool {
    let Some(app) = ctx.file.root.as_deref() else {
        return true;
    };
    let Some((dir, _)) = crate::project::migrations::place(&ctx.file.project_rel) else {
        return true;
    };
    ctx.project
        .repo_adapter(app, &dir)
        .is_none_or(|a| a.is_empty() || a.contains("Postgres"))
}

/// What `table.column` was before this migration, from the project's migration history (when
/// the complete project index knows it).
pub fn column_before(
    ctx: &LintContext<'_>,
    table: &Table<'_>,
    column: &str,
) -> Option<crate::project::migrations::ColumnState> {
    if table.prefix.is_some() {
        return None;
    }
    let app = ctx.file.root.as_deref()?;
    let (dir, stamp) = crate::project::migrations::place(&ctx.file.project_rel)?;
    ctx.project
        .column_before(app, &dir, &stamp, &table.name, column)
}

/// [`analyze`] regardless of `start_after`: the project index records the whole history.
/// Computed once per context.
pub fn analyze_all<'c, 't>(ctx: &'c LintContext<'t>) -> Option<&'c Migration<'t>> {
    ctx.migration.get_or_init(|| analysis(ctx)).as_ref()
}

fn analysis<'t>(ctx: &LintContext<'t>) -> Option<Migration<'t>> {
    let src = ctx.source;
    let by_path = in_migrations_dir(ctx);
    // Most files are not migrations: decide before building module models.
    if !by_path && !src.contains("Ecto.Migration") {
        return None;
    }
    let mut migration = Migration::default();
    // Module models are built once per lint and shared with the other rules.
    for model in ctx.modules() {
        let uses_migration = model.uses.contains(&"Ecto.Migration");
        if !uses_migration && !by_path {
            continue;
        }
        let statements = model
            .def
            .body
            .map(elixir::block_statements)
            .unwrap_or_default();
        let uses: Vec<Node<'t>> = statements
            .iter()
            .copied()
            .filter(|s| elixir::local_call_name(*s, src) == Some("use"))
            .collect();
        let use_node = uses
            .iter()
            .copied()
            .find(|u| {
                elixir::call_args(*u)
                    .first()
                    .is_some_and(|a| text(*a, src) == "Ecto.Migration")
            })
            .or_else(|| uses.first().copied());
        let attr = |name: &str| match model.attribute(name) {
            None => AttrState::Missing,
            Some(a) => match a.value.map(|v| text(v, src)) {
                Some("false") | Some("nil") => AttrState::Off(a.node),
                // `@disable_ddl_transaction` with no value is nil for Elixir: not disabled.
                None => AttrState::Off(a.node),
                Some(_) => AttrState::On,
            },
        };
        let module = migration.modules.len();
        migration.modules.push(MigrationModule {
            def: model.def.clone(),
            use_node,
            ddl_transaction: attr("disable_ddl_transaction"),
            migration_lock: attr("disable_migration_lock"),
        });
        let rollback_only = rollback_helpers(model, src);
        for function in &model.functions {
            let direction = if (function.name == "down" && function.arity == 0)
                || rollback_only.contains(&function.name)
            {
                Direction::Down
            } else {
                Direction::Forward
            };
            for clause in &function.clauses {
                let Some(body) = clause.body else { continue };
                let scope = Scope::of(body, src);
                collect(body, src, &scope, direction, module, &mut migration.ops);
            }
        }
    }
    mark_new_tables(&mut migration.ops);
    Some(migration)
}

/// Private helpers that only `down/0` reaches (directly or through other helpers): their
/// operations are part of the rollback. Helpers are matched by name, whatever their arity.
fn rollback_helpers<'t>(model: &ModuleModel<'t>, src: &'t str) -> Vec<&'t str> {
    let private: Vec<&str> = model
        .functions
        .iter()
        .filter(|f| !f.kind.is_public())
        .map(|f| f.name)
        .collect();
    if private.is_empty() {
        return Vec::new();
    }
    // The private helpers each function calls.
    let calls = |f: &Function<'t>| {
        let mut called = Vec::new();
        for body in f.clauses.iter().filter_map(|c| c.body) {
            elixir::walk(body, &mut |n| {
                if let Some(name) = elixir::local_call_name(n, src)
                    && private.contains(&name)
                {
                    called.push(name);
                }
                // `&helper/0` captures are references too.
                if n.kind() == "identifier" && private.contains(&text(n, src)) {
                    called.push(text(n, src));
                }
                true
            });
        }
        called
    };
    let reach = |roots: Vec<&Function<'t>>| {
        let mut seen: Vec<&str> = Vec::new();
        let mut todo = roots;
        while let Some(f) = todo.pop() {
            for name in calls(f) {
                if !seen.contains(&name) {
                    seen.push(name);
                    todo.extend(model.functions.iter().filter(|g| g.name == name));
                }
            }
        }
        seen
    };
    let is_down = |f: &Function<'_>| f.name == "down" && f.arity == 0;
    let forward = reach(
        model
            .functions
            .iter()
            .filter(|f| f.kind.is_public() && !is_down(f))
            .collect(),
    );
    reach(model.functions.iter().filter(|f| is_down(f)).collect())
        .into_iter()
        .filter(|name| !forward.contains(name))
        .collect()
}

/// Variable bindings of one function body, to resolve `opts = [...]; create index(..., opts)`.
struct Scope<'t> {
    bindings: Vec<(&'t str, Node<'t>)>,
}

impl<'t> Scope<'t> {
    fn of(body: Node<'t>, src: &'t str) -> Self {
        let mut bindings = Vec::new();
        elixir::walk(body, &mut |n| {
            if elixir::is_binary_op(n, src, "=")
                && let (Some(l), Some(r)) = (n.field("left"), n.field("right"))
                && l.kind() == "identifier"
            {
                bindings.push((text(l, src), r));
            }
            true
        });
        Scope { bindings }
    }

    /// The value last bound to the identifier `node` before it is used.
    fn resolve(&self, node: Node<'t>, src: &str) -> Option<Node<'t>> {
        if node.kind() != "identifier" {
            return Some(node);
        }
        let name = text(node, src);
        self.bindings
            .iter()
            .rev()
            .find(|(n, value)| *n == name && value.end_byte() <= node.start_byte())
            .map(|(_, value)| *value)
    }

    /// The options in `arg` (`None`: no options argument).
    fn opts(&self, arg: Option<Node<'t>>, src: &str) -> Opts<'t> {
        let Some(arg) = arg else {
            return Opts::Absent;
        };
        let inline = arg.kind() != "identifier";
        let Some(value) = self.resolve(arg, src) else {
            return Opts::Unknown;
        };
        match value.kind() {
            "keywords" => Opts::Keywords {
                node: value,
                inline,
            },
            "list" => {
                let items = elixir::block_statements(value);
                match items.as_slice() {
                    [] => Opts::Empty {
                        node: value,
                        inline,
                    },
                    [kw] if kw.kind() == "keywords" => Opts::Keywords { node: *kw, inline },
                    _ => Opts::Unknown,
                }
            }
            _ => Opts::Unknown,
        }
    }
}

/// The name of a migration helper call: a local call, or `Ecto.Migration.f(...)`.
fn helper_name<'a>(call: Node<'_>, src: &'a str) -> Option<&'a str> {
    if let Some(name) = elixir::local_call_name(call, src) {
        return Some(name);
    }
    match elixir::remote_call(call, src) {
        Some(("Ecto.Migration", f)) => Some(f),
        _ => None,
    }
}

/// `users` from `:users`, `:"users"` or `"users"`; other expressions as written.
pub fn literal_name(node: Node<'_>, src: &str) -> String {
    let t = text(node, src);
    match node.kind() {
        "atom" => t.trim_start_matches(':').to_string(),
        "quoted_atom" => t.trim_start_matches(':').trim_matches('"').to_string(),
        "string" if !t.contains("#{") => t.trim_matches('"').to_string(),
        _ => t.to_string(),
    }
}

/// Reads `table(name, opts)`.
fn table_of<'t>(call: Node<'t>, src: &str, scope: &Scope<'t>) -> Option<Table<'t>> {
    if helper_name(call, src) != Some("table") {
        return None;
    }
    let args = elixir::call_args(call);
    let name = *args.first()?;
    let prefix = scope
        .opts(args.get(1).copied(), src)
        .get(src, "prefix")
        .map(|p| literal_name(p, src));
    Some(Table {
        name: literal_name(name, src),
        prefix,
        node: name,
    })
}

/// The table named by the first argument of `index(...)`/`constraint(...)`, with `prefix:`.
fn table_arg<'t>(name: Node<'t>, opts: &Opts<'t>, src: &str) -> Table<'t> {
    Table {
        name: literal_name(name, src),
        prefix: opts.get(src, "prefix").map(|p| literal_name(p, src)),
        node: name,
    }
}

/// The object a `create`/`drop`/`alter` acts on, and the statement to report: the first
/// argument, or the left side of a pipe into the call.
fn subject<'t>(call: Node<'t>, src: &str, scope: &Scope<'t>) -> Option<(Node<'t>, Node<'t>)> {
    if let Some(parent) = call.parent()
        && elixir::is_binary_op(parent, src, "|>")
        && parent.field("right") == Some(call)
    {
        let left = parent.field("left")?;
        return Some((scope.resolve(left, src)?, parent));
    }
    let first = *elixir::call_args(call).first()?;
    Some((scope.resolve(first, src)?, call))
}

fn collect<'t>(
    body: Node<'t>,
    src: &'t str,
    scope: &Scope<'t>,
    direction: Direction,
    module: usize,
    ops: &mut Vec<Op<'t>>,
) {
    elixir::walk(body, &mut |node| {
        if node.kind() != "call" {
            return true;
        }
        let name = helper_name(node, src);
        if matches!(name, Some("quote" | "defmodule")) {
            return false;
        }
        let kind = match name {
            Some(op @ ("create" | "create_if_not_exists" | "drop" | "drop_if_exists")) => {
                operation(node, op, src, scope)
            }
            Some("rename") => rename(node, src, scope),
            Some("execute") if elixir::has_arguments(node) => Some(OpKind::Execute),
            Some("add" | "add_if_not_exists" | "modify" | "remove" | "remove_if_exists") => {
                column_op(node, src, scope)
            }
            _ => repo_write(node, src),
        };
        if let Some(kind) = kind {
            // Pipes report the whole statement.
            let statement = match &kind {
                OpKind::Index(_) | OpKind::CreateTable(_) | OpKind::DropTable(_) => {
                    subject(node, src, scope).map_or(node, |(_, s)| s)
                }
                _ => node,
            };
            ops.push(Op {
                node: statement,
                direction,
                module,
                new_table: false,
                kind,
            });
        }
        true
    });
}

fn operation<'t>(call: Node<'t>, op: &str, src: &str, scope: &Scope<'t>) -> Option<OpKind<'t>> {
    let (object, _) = subject(call, src, scope)?;
    let creating = op.starts_with("create");
    match helper_name(object, src)? {
        kind @ ("index" | "unique_index") => {
            let args = elixir::call_args(object);
            let opts = scope.opts(args.get(2).copied(), src);
            let columns = args.get(1).and_then(|c| columns(*c, src));
            Some(OpKind::Index(IndexOp {
                action: if creating {
                    IndexAction::Create
                } else {
                    IndexAction::Drop
                },
                call: object,
                unique: kind == "unique_index" || opts.flag(src, "unique") == Flag::True,
                table: table_arg(*args.first()?, &opts, src),
                columns,
                opts,
            }))
        }
        "table" => {
            let table = table_of(object, src, scope)?;
            Some(if creating {
                OpKind::CreateTable(table)
            } else {
                OpKind::DropTable(table)
            })
        }
        "constraint" if creating => {
            let args = elixir::call_args(object);
            let opts = scope.opts(args.get(2).copied(), src);
            // Exclusion constraints cannot be added NOT VALID; only checks are reported.
            opts.get(src, "check")?;
            Some(OpKind::CheckConstraint {
                table: table_arg(*args.first()?, &opts, src),
                name: literal_name(*args.get(1)?, src),
                call: object,
                opts,
            })
        }
        "constraint" => {
            let args = elixir::call_args(object);
            let opts = scope.opts(args.get(2).copied(), src);
            Some(OpKind::DropConstraint {
                table: table_arg(*args.first()?, &opts, src),
                name: literal_name(*args.get(1)?, src),
            })
        }
        _ => None,
    }
}

/// The columns of an index: a list, or a single atom or expression string.
fn columns(node: Node<'_>, src: &str) -> Option<Vec<String>> {
    match node.kind() {
        "list" => {
            let items = elixir::block_statements(node);
            items
                .iter()
                .all(|i| matches!(i.kind(), "atom" | "quoted_atom" | "string"))
                .then(|| items.iter().map(|i| literal_name(*i, src)).collect())
        }
        "atom" | "quoted_atom" | "string" => Some(vec![literal_name(node, src)]),
        _ => None,
    }
}

fn rename<'t>(call: Node<'t>, src: &str, scope: &Scope<'t>) -> Option<OpKind<'t>> {
    let args = elixir::call_args(call);
    let table = table_of(scope.resolve(*args.first()?, src)?, src, scope)?;
    match args.as_slice() {
        [_, kw] => {
            let to = elixir::keyword_value(*kw, src, "to")?;
            let to = table_of(scope.resolve(to, src)?, src, scope)?;
            Some(OpKind::RenameTable { from: table, to })
        }
        [_, column, kw] => Some(OpKind::RenameColumn {
            table,
            from: literal_name(*column, src),
            to: literal_name(elixir::keyword_value(*kw, src, "to")?, src),
        }),
        _ => None,
    }
}

/// The table block (`alter table(...) do`, `create table(...) do`) directly around `node`.
fn enclosing_table_block<'t>(
    node: Node<'t>,
    src: &str,
    scope: &Scope<'t>,
) -> Option<(Table<'t>, bool)> {
    let block_call = elixir::ancestor(node, |n| {
        n.kind() == "call"
            && matches!(
                helper_name(n, src),
                Some("alter" | "create" | "create_if_not_exists")
            )
    })?;
    // The column op must sit in the block, not in the arguments (`create table(...)`).
    let in_block = elixir::do_block(block_call)
        .is_some_and(|b| b.byte_range().contains(&node.start_byte()))
        || elixir::call_args(block_call)
            .last()
            .and_then(|kw| elixir::keyword_value(*kw, src, "do"))
            .is_some_and(|b| b.byte_range().contains(&node.start_byte()));
    if !in_block {
        return None;
    }
    let (object, _) = subject(block_call, src, scope)?;
    let table = table_of(object, src, scope)?;
    let in_create = helper_name(block_call, src) != Some("alter");
    Some((table, in_create))
}

fn column_op<'t>(call: Node<'t>, src: &str, scope: &Scope<'t>) -> Option<OpKind<'t>> {
    let (table, in_create) = enclosing_table_block(call, src, scope)?;
    let action = match helper_name(call, src)? {
        "add" | "add_if_not_exists" => ColumnAction::Add,
        "modify" => ColumnAction::Modify,
        _ => ColumnAction::Remove,
    };
    let args = elixir::call_args(call);
    let column = literal_name(*args.first()?, src);
    let column_literal = matches!(args.first()?.kind(), "atom" | "quoted_atom" | "string");
    Some(OpKind::Column(ColumnOp {
        action,
        table,
        in_create,
        column,
        column_literal,
        type_node: args.get(1).copied().filter(|t| t.kind() != "keywords"),
        opts: scope.opts(args.get(2).copied(), src),
    }))
}

/// `Repo.insert/update/delete…` on any alias ending in `Repo`, or on `repo()`.
fn repo_write<'t>(call: Node<'t>, src: &'t str) -> Option<OpKind<'t>> {
    let target = call.field("target")?;
    if target.kind() != "dot" || !elixir::has_arguments(call) {
        return None;
    }
    let left = target.field("left")?;
    let function = text(target.field("right")?, src);
    let is_repo = match left.kind() {
        "alias" => text(left, src)
            .rsplit('.')
            .next()
            .is_some_and(|last| last.ends_with("Repo")),
        "call" => helper_name(left, src) == Some("repo") && elixir::call_args(left).is_empty(),
        _ => false,
    };
    let writes = matches!(
        function.trim_end_matches('!'),
        "insert"
            | "insert_all"
            | "insert_or_update"
            | "update"
            | "update_all"
            | "delete"
            | "delete_all"
    );
    if !is_repo || !writes {
        return None;
    }
    // `insert_all("countries", rows)`: the source names the table (a schema module does not).
    let table = elixir::call_args(call)
        .first()
        .filter(|a| function.ends_with("_all") && matches!(a.kind(), "string" | "atom"))
        .map(|a| Table {
            name: literal_name(*a, src),
            prefix: None,
            node: *a,
        });
    Some(OpKind::RepoWrite {
        repo: text(left, src),
        function,
        table,
    })
}

/// The table an op acts on, for the "created by this migration" exemption.
fn acted_table<'a, 't>(kind: &'a OpKind<'t>) -> Option<&'a Table<'t>> {
    match kind {
        OpKind::Index(i) => Some(&i.table),
        OpKind::DropTable(t) => Some(t),
        OpKind::Column(c) => Some(&c.table),
        OpKind::RenameColumn { table, .. }
        | OpKind::CheckConstraint { table, .. }
        | OpKind::DropConstraint { table, .. } => Some(table),
        OpKind::RenameTable { from, .. } => Some(from),
        OpKind::RepoWrite { table, .. } => table.as_ref(),
        _ => None,
    }
}

/// Marks ops on tables the same module creates in the same direction. Order does not matter:
/// an operation that ran before its table's creation would fail the migration anyway.
/// `create_if_not_exists table(...)` counts as a creation: we cannot tell whether it existed.
fn mark_new_tables(ops: &mut [Op<'_>]) {
    let created: Vec<(usize, Direction, Table<'_>)> = ops
        .iter()
        .filter_map(|op| match &op.kind {
            OpKind::CreateTable(t) => Some((op.module, op.direction, t.clone())),
            _ => None,
        })
        .collect();
    for op in ops.iter_mut() {
        if let Some(table) = acted_table(&op.kind) {
            op.new_table = created
                .iter()
                .any(|(m, d, t)| *m == op.module && *d == op.direction && t.same(table));
        }
    }
}

// ----- fixes -----

/// An edit setting option `key: value` on `call`, whose options are `opts`: replaces a
/// different value, appends to an inline keyword list, fills `[]`, or adds a trailing keyword
/// argument. `None` when the options come through a variable or are computed (editing the
/// binding could change other calls).
pub fn set_option(
    src: &str,
    call: Node<'_>,
    opts: &Opts<'_>,
    key: &str,
    value: &str,
) -> Option<Edit> {
    match opts {
        Opts::Keywords { node, inline: true } => {
            if let Some(existing) = elixir::keyword_value(*node, src, key) {
                return Some(Edit::replace(existing.byte_range(), value));
            }
            if elixir::ends_in_call_without_parens(src, *node) {
                return None;
            }
            Some(Edit::insert(node.end_byte(), format!(", {key}: {value}")))
        }
        Opts::Empty { node, inline: true } => Some(Edit::replace(
            node.byte_range(),
            format!("[{key}: {value}]"),
        )),
        Opts::Absent => {
            let args = call
                .named_children(&mut call.walk())
                .find(|c| c.kind() == "arguments")?;
            let last = *elixir::call_args(call).last()?;
            if text(args, src).starts_with('(') {
                if elixir::ends_in_call_without_parens(src, last) {
                    return None;
                }
                return Some(Edit::insert(last.end_byte(), format!(", {key}: {value}")));
            }
            // `references :users` nested in `add`: a comma after it would be ambiguous Elixir,
            // so the call gets its parentheses.
            let target = call.field("target")?;
            let written = &src[args.start_byte()..last.end_byte()];
            Some(Edit::replace(
                target.end_byte()..last.end_byte(),
                format!("({written}, {key}: {value})"),
            ))
        }
        _ => None,
    }
}

/// The migration attributes `concurrently: true` needs.
pub const DDL_TRANSACTION: &str = "disable_ddl_transaction";
/// See [`DDL_TRANSACTION`].
pub const MIGRATION_LOCK: &str = "disable_migration_lock";

/// Reports the concurrent index operations of modules where `attribute` (one of
/// [`DDL_TRANSACTION`], [`MIGRATION_LOCK`]) is not set to `true`, with the fix adding it: the
/// check shared by `concurrent-index-in-transaction` and
/// `concurrent-index-with-migration-lock`. `problem` says what goes wrong, as in "The index on
/// `users` (`email`) is built concurrently {problem}".
pub fn check_concurrent_attribute(
    ctx: &LintContext<'_>,
    out: &mut Vec<Finding>,
    meta: &RuleMeta,
    attribute: &str,
    problem: &str,
) {
    let Some(m) = analyze_postgres(ctx) else {
        return;
    };
    let src = ctx.source;
    for op in &m.ops {
        let OpKind::Index(index) = &op.kind else {
            continue;
        };
        let module = m.module_of(op);
        let state = if attribute == DDL_TRANSACTION {
            module.ddl_transaction
        } else {
            module.migration_lock
        };
        if index.opts.flag(src, "concurrently") != Flag::True || !state.is_off() {
            continue;
        }
        let verb = match index.action {
            IndexAction::Create => "built",
            IndexAction::Drop => "dropped",
        };
        let message = format!(
            "The {} is {verb} concurrently {problem}; add `@{attribute} true` to `{}`",
            index.label(src),
            module.def.name
        );
        let edits = attribute_edits(src, module, &[attribute]);
        let fix = Fix::safe(format!("Add `@{attribute} true`"), edits);
        out.push(Finding::new(meta, op.node.byte_range(), message).with_fix(fix));
    }
}

/// Edits setting `@name true` for each attribute in `names` that the module does not already
/// set to `true`. New attributes go right after `use Ecto.Migration`, separated by a blank line
/// as `mix format` leaves it, or next to the other attribute when that one is already there;
/// an attribute set to `false` has its value replaced.
pub fn attribute_edits(src: &str, module: &MigrationModule<'_>, names: &[&str]) -> Vec<Edit> {
    let state = |name: &str| {
        if name == DDL_TRANSACTION {
            module.ddl_transaction
        } else {
            module.migration_lock
        }
    };
    let mut edits = Vec::new();
    let mut missing = Vec::new();
    for name in names {
        match state(name) {
            AttrState::On => {}
            AttrState::Off(node) => {
                let value = node
                    .field("operand")
                    .and_then(|o| elixir::call_args(o).into_iter().next());
                match value {
                    Some(v) => edits.push(Edit::replace(v.byte_range(), "true")),
                    None => edits.push(Edit::insert(node.end_byte(), " true")),
                }
            }
            AttrState::Missing => missing.push(*name),
        }
    }
    if missing.is_empty() {
        return edits;
    }
    // Next to the companion attribute when it is already set.
    let companion = [DDL_TRANSACTION, MIGRATION_LOCK]
        .into_iter()
        .filter(|n| !missing.contains(n))
        .find_map(|n| match state(n) {
            AttrState::Off(node) => Some(node),
            _ => None,
        })
        .or_else(|| {
            // An attribute set to a computed value still has a node: find it by name.
            module.def.body.and_then(|b| {
                elixir::block_statements(b).into_iter().find(|s| {
                    elixir::attribute(*s, src).is_some_and(|a| {
                        (a.name == DDL_TRANSACTION || a.name == MIGRATION_LOCK)
                            && !missing.contains(&a.name)
                    })
                })
            })
        });
    if let Some(other) = companion {
        let indent = elixir::indentation(src, other.start_byte());
        let at = elixir::line_end_with_terminator(src, other.end_byte());
        let lines: String = missing
            .iter()
            .map(|n| format!("{indent}@{n} true\n"))
            .collect();
        edits.push(Edit::insert(at, lines));
        return edits;
    }
    let (at, indent) = match module.use_node {
        Some(u) => (
            elixir::line_end_with_terminator(src, u.end_byte()),
            elixir::indentation(src, u.start_byte()).to_string(),
        ),
        None => {
            let Some(body) = module.def.body else {
                return edits;
            };
            let Some(do_kw) = body.child(0).filter(|c| c.kind() == "do") else {
                return edits;
            };
            let indent = format!("{}  ", elixir::indentation(src, body.start_byte()));
            (
                elixir::line_end_with_terminator(src, do_kw.end_byte()),
                indent,
            )
        }
    };
    let lines: String = missing
        .iter()
        .map(|n| format!("{indent}@{n} true\n"))
        .collect();
    let next_line = src[at..].lines().next().unwrap_or("");
    // A blank line before; and after, unless one is already there or the module ends.
    let after = if next_line.trim().is_empty() || next_line.trim() == "end" {
        ""
    } else {
        "\n"
    };
    // Without a line break before `at` (a file ending in `use Ecto.Migration`), add one.
    let before = if src[..at].ends_with('\n') {
        "\n"
    } else {
        "\n\n"
    };
    edits.push(Edit::insert(at, format!("{before}{lines}{after}")));
    edits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::document::Document;
    use crate::lint::FileInfo;

    fn with_analysis(src: &str, path: &str, config: &Config, check: impl Fn(Option<&Migration>)) {
        let doc = Document::new(src, 0);
        let file = FileInfo::new(path);
        let ctx = LintContext::new(src, doc.rope(), doc.tree(), &file, config);
        check(analyze(&ctx));
    }

    const MIGRATION: &str = "defmodule M do\n  use Ecto.Migration\n\n  def change do\n    create table(:posts) do\n      add :title, :string\n    end\n\n    create index(:posts, [:title])\n    opts = [concurrently: true]\n    create index(:users, [:email], opts)\n    index(:users, [:name]) |> create()\n    alter table(:users, prefix: \"t\") do\n      remove :age\n    end\n  end\n\n  def down do\n    drop table(:posts)\n  end\nend\n";

    #[test]
    fn reads_operations_with_direction_and_new_tables() {
        with_analysis(MIGRATION, "lib/x.ex", &Config::default(), |m| {
            let m = m.expect("a migration");
            let kinds: Vec<String> = m
                .ops
                .iter()
                .map(|op| {
                    let what = match &op.kind {
                        OpKind::Index(i) => format!("index {} {:?}", i.table.label(), i.columns),
                        OpKind::CreateTable(t) => format!("create {}", t.label()),
                        OpKind::DropTable(t) => format!("drop {}", t.label()),
                        OpKind::Column(c) => {
                            format!("{:?} {}.{}", c.action, c.table.label(), c.column)
                        }
                        other => format!("{other:?}"),
                    };
                    format!("{what} new={} {:?}", op.new_table, op.direction)
                })
                .collect();
            assert_eq!(
                kinds,
                [
                    "create posts new=false Forward",
                    "Add posts.title new=true Forward",
                    "index posts Some([\"title\"]) new=true Forward",
                    "index users Some([\"email\"]) new=false Forward",
                    "index users Some([\"name\"]) new=false Forward",
                    "Remove t.users.age new=false Forward",
                    "drop posts new=false Down",
                ]
            );
            let OpKind::Index(bound) = &m.ops[3].kind else {
                panic!()
            };
            assert_eq!(bound.opts.flag(MIGRATION, "concurrently"), Flag::True);
            assert_eq!(
                text(m.ops[4].node, MIGRATION),
                "index(:users, [:name]) |> create()"
            );
        });
    }

    #[test]
    fn helpers_only_the_rollback_calls_run_down() {
        let src = "defmodule M do\n  use Ecto.Migration\n\n  def up do\n    create_things()\n  end\n\n  def down do\n    drop_things()\n    shared()\n  end\n\n  defp create_things, do: create(table(:a))\n  defp drop_things, do: really_drop()\n  defp really_drop, do: drop(table(:a))\n  defp shared, do: drop(table(:b))\n  defp create_things_again, do: shared()\nend\n";
        with_analysis(src, "lib/m.ex", &Config::default(), |m| {
            let dirs: Vec<(String, Direction)> = m
                .unwrap()
                .ops
                .iter()
                .map(|op| (text(op.node, src).to_string(), op.direction))
                .collect();
            assert_eq!(
                dirs,
                [
                    ("create(table(:a))".to_string(), Direction::Forward),
                    ("drop(table(:a))".to_string(), Direction::Down),
                    ("drop(table(:b))".to_string(), Direction::Down),
                ]
            );
        });
    }

    #[test]
    fn migrations_are_found_by_use_or_by_folder() {
        let config = Config::default();
        with_analysis(
            "defmodule A do\n  def f, do: 1\nend\n",
            "lib/a.ex",
            &config,
            |m| assert!(m.is_none()),
        );
        with_analysis(
            "defmodule A do\n  use MyApp.Migration\n  def change, do: execute(\"x\")\nend\n",
            "priv/repo/migrations/1_a.exs",
            &config,
            |m| assert_eq!(m.unwrap().ops.len(), 1),
        );
        with_analysis(
            "defmodule A do\n  use Ecto.Migration\n  def change, do: execute(\"x\")\nend\n",
            "test/support/a.exs",
            &config,
            |m| assert_eq!(m.unwrap().ops.len(), 1),
        );
        // Ecto only runs scripts from a migrations folder.
        with_analysis(
            "defmodule A do\n  def run, do: Repo.insert_all(\"a\", [])\nend\n",
            "lib/my_app/migrations/runner.ex",
            &config,
            |m| assert!(m.is_none()),
        );
        with_analysis(
            "defmodule A do\n  def f, do: 1\nend\n",
            "/home/me/shop/priv/repo/migrations/1_a.exs",
            &config,
            |m| assert!(m.is_some()),
        );
    }

    /// Codes, levels, severities and fixability as in the rule table (spec §8), in catalogue
    /// order right after `io-inspect`.
    #[test]
    fn rules_follow_the_catalogue() {
        use crate::lint::Severity::{Error as E, Hint as H, Info as I, Warning as W};
        use crate::lint::registry::RULES;
        let expected = [
            ("index-not-concurrent", W, true),
            ("concurrent-index-in-transaction", E, true),
            ("concurrent-index-with-migration-lock", W, true),
            ("column-type-changed", W, false),
            ("column-removed", W, false),
            ("column-renamed", W, false),
            ("table-renamed", W, false),
            ("table-dropped", W, false),
            ("not-null-added", W, false),
            ("reference-not-validated", W, true),
            ("check-constraint-not-validated", W, true),
            ("volatile-default", W, false),
            ("column-added-with-default", H, false),
            ("json-column", I, true),
            ("many-columns-index", I, false),
            ("data-change-in-migration", W, false),
            ("raw-sql-in-migration", I, false),
        ];
        let actual: Vec<_> = RULES
            .iter()
            .filter(|r| !r.meta.excellent_migrations.is_empty())
            .map(|r| (r.meta.code, r.meta.severity, r.meta.fixable))
            .collect();
        assert_eq!(actual, expected);
        let start = RULES
            .iter()
            .position(|r| r.meta.code == "io-inspect")
            .unwrap();
        for (i, (code, _, _)) in expected.iter().enumerate() {
            let rule = RULES[start + 1..]
                .iter()
                .position(|r| r.meta.code == *code)
                .unwrap();
            assert!(rule >= i, "{code} is out of catalogue order");
            assert_eq!(RULES[start + 1 + rule].meta.level, 2, "{code}");
        }
    }

    /// Every migration rule's documented bad example is flagged by it, and its good example
    /// (the safe recipe) is not.
    #[test]
    fn rule_docs_examples_agree_with_the_rules() {
        use crate::lint::registry::RULES;
        use crate::lint::rules::test_support::findings_with_config;
        // Every rule reports its bad example, also those that need a setting to report at all.
        let findings_of = |src: &str, path: &str, code: &str| {
            findings_with_config(src, path, "[postgres_version: 10]", code)
        };
        let wrap = |snippet: &str| {
            if snippet.starts_with("defmodule") {
                return snippet.to_string();
            }
            let body: String = snippet
                .lines()
                .map(|l| {
                    if l.is_empty() {
                        "\n".to_string()
                    } else {
                        format!("  {l}\n")
                    }
                })
                .collect();
            format!("defmodule M do\n  use Ecto.Migration\n\n{body}end\n")
        };
        let path = "priv/repo/migrations/20240101000000_m.exs";
        let mut checked = 0;
        for rule in RULES
            .iter()
            .filter(|r| !r.meta.excellent_migrations.is_empty())
        {
            let code = rule.meta.code;
            let bad = wrap(rule.meta.docs.bad);
            assert!(
                !findings_of(&bad, path, code).is_empty(),
                "{code} misses its bad example:\n{bad}"
            );
            let good = wrap(rule.meta.docs.good);
            let found = findings_of(&good, path, code);
            assert!(
                found.is_empty(),
                "{code} flags its good example:\n{good}\n{found:#?}"
            );
            checked += 1;
        }
        assert_eq!(checked, 17);
    }

    #[test]
    fn start_after_skips_older_migrations() {
        let mut config = Config::default();
        config.start_after = Some("20240101000000".into());
        let src = "defmodule A do\n  use Ecto.Migration\nend\n";
        for (path, skipped) in [
            ("priv/repo/migrations/20231231235959_a.exs", true),
            ("priv/repo/migrations/20240101000000_a.exs", true),
            ("priv/repo/migrations/20240101000001_a.exs", false),
            ("priv/repo/migrations/120240101000000_a.exs", false),
            ("priv/repo/migrations/add_a.exs", false),
        ] {
            with_analysis(src, path, &config, |m| {
                assert_eq!(m.is_none(), skipped, "{path}")
            });
        }
    }
}
