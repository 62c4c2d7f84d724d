//! The migration history of each repository: what every migration does to columns, so a rule
//! can ask what `users.email` was before the migration it checks (its type, size, precision,
//! nullability).

use crate::lint::LintContext;
use crate::lint::migration::{self, ColumnAction, Direction, OpKind};
use crate::syntax::text;

/// The schema changes of one migration file, going forward.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MigrationFacts {
    /// The repository folder holding its `migrations/` folder (`priv/repo`).
    pub dir: String,
    /// The leading timestamp of its file name.
    pub stamp: String,
    /// What it does, in order.
    pub changes: Vec<Change>,
}

/// A column as the migrations left it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ColumnState {
    /// The Ecto type as written (`:string`, `:decimal`).
    pub ty: String,
    /// `size:` as written.
    pub size: Option<String>,
    /// `precision:` as written.
    pub precision: Option<String>,
    /// `scale:` as written.
    pub scale: Option<String>,
    /// `Some(false)` for NOT NULL, `Some(true)` for NULL allowed, `None` when not said (NULL).
    pub null: Option<bool>,
}

/// One schema change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// `add` (also in `create table`) or `modify` of a column: its new state. A `modify`
    /// without a type keeps none (never in Ecto, which requires it).
    Column {
        /// The table.
        table: String,
        /// The column.
        column: String,
        /// Its state afterwards.
        state: ColumnState,
    },
    /// `remove` of a column.
    Remove {
        /// The table.
        table: String,
        /// The column.
        column: String,
    },
    /// `rename table(:t), :a, to: :b`.
    RenameColumn {
        /// The table.
        table: String,
        /// The old name.
        from: String,
        /// The new name.
        to: String,
    },
    /// `rename table(:a), to: table(:b)`.
    RenameTable {
        /// The old name.
        from: String,
        /// The new name.
        to: String,
    },
    /// `drop table(:t)`.
    DropTable {
        /// The table.
        table: String,
    },
}

/// Where a migration file sits: its repository folder and timestamp, from its path
/// (`priv/repo/migrations/20240101000000_add_users.exs`).
pub fn place(project_rel: &str) -> Option<(String, String)> {
    let (dir, file) = project_rel.rsplit_once("/migrations/")?;
    let stamp: String = file.chars().take_while(char::is_ascii_digit).collect();
    (!stamp.is_empty() && !file.contains('/')).then(|| (dir.to_string(), stamp))
}

/// The facts of a migration file, or `None` for any other file.
pub fn extract(ctx: &LintContext<'_>) -> Option<MigrationFacts> {
    let (dir, stamp) = place(&ctx.file.project_rel)?;
    let m = migration::analyze_all(ctx)?;
    let src = ctx.source;
    let mut changes = Vec::new();
    for op in m.ops.iter().filter(|o| o.direction == Direction::Forward) {
        match &op.kind {
            OpKind::Column(col) if col.column_literal && col.table.prefix.is_none() => {
                let table = col.table.name.clone();
                let column = col.column.clone();
                match col.action {
                    ColumnAction::Remove => changes.push(Change::Remove { table, column }),
                    ColumnAction::Add | ColumnAction::Modify => {
                        let Some(ty) = col.type_node else { continue };
                        let opt = |k: &str| col.opts.get(src, k).map(|v| text(v, src).to_string());
                        let null = match opt("null").as_deref() {
                            Some("false") => Some(false),
                            Some("true") => Some(true),
                            Some(_) => continue,
                            None => None,
                        };
                        let state = ColumnState {
                            ty: text(ty, src).to_string(),
                            size: opt("size"),
                            precision: opt("precision"),
                            scale: opt("scale"),
                            null: match (col.action, null) {
                                // `modify` without `null:` keeps the nullability.
                                (ColumnAction::Modify, None) => None,
                                (_, n) => n.or(Some(true)),
                            },
                        };
                        changes.push(Change::Column {
                            table,
                            column,
                            state,
                        });
                    }
                }
            }
            OpKind::RenameColumn { table, from, to } => changes.push(Change::RenameColumn {
                table: table.name.clone(),
                from: from.clone(),
                to: to.clone(),
            }),
            OpKind::RenameTable { from, to } => changes.push(Change::RenameTable {
                from: from.name.clone(),
                to: to.name.clone(),
            }),
            OpKind::DropTable(t) => changes.push(Change::DropTable {
                table: t.name.clone(),
            }),
            _ => {}
        }
    }
    Some(MigrationFacts {
        dir,
        stamp,
        changes,
    })
}

/// Compares migration timestamps as numbers of any length.
pub fn stamp_before(a: &str, b: &str) -> bool {
    let (a, b) = (a.trim_start_matches('0'), b.trim_start_matches('0'));
    (a.len(), a) < (b.len(), b)
}

/// Replays `migrations` (sorted by timestamp) and returns the state of `table.column`.
pub fn replay<'a>(
    migrations: impl Iterator<Item = &'a MigrationFacts>,
    table: &str,
    column: &str,
) -> Option<ColumnState> {
    // Followed backwards from the name asked about would need renames undone; replaying
    // forward with a map of every column is simpler and cheap at migration-history sizes.
    let mut columns: std::collections::HashMap<(String, String), ColumnState> =
        std::collections::HashMap::new();
    for m in migrations {
        for change in &m.changes {
            match change {
                Change::Column {
                    table,
                    column,
                    state,
                } => {
                    let key = (table.clone(), column.clone());
                    let merged = match (columns.get(&key), state.null) {
                        (Some(old), None) => ColumnState {
                            null: old.null,
                            ..state.clone()
                        },
                        _ => state.clone(),
                    };
                    columns.insert(key, merged);
                }
                Change::Remove { table, column } => {
                    columns.remove(&(table.clone(), column.clone()));
                }
                Change::RenameColumn { table, from, to } => {
                    if let Some(s) = columns.remove(&(table.clone(), from.clone())) {
                        columns.insert((table.clone(), to.clone()), s);
                    }
                }
                Change::RenameTable { from, to } => {
                    let moved: Vec<_> =
                        columns.keys().filter(|(t, _)| t == from).cloned().collect();
                    for key in moved {
                        if let Some(s) = columns.remove(&key) {
                            columns.insert((to.clone(), key.1), s);
                        }
                    }
                }
                Change::DropTable { table } => columns.retain(|(t, _), _| t != table),
            }
        }
    }
    columns.remove(&(table.to_string(), column.to_string()))
}
