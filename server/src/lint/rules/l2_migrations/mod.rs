//! L2 — static analysis: Ecto migration safety.

pub mod check_constraint_not_validated;
pub mod column_added_with_default;
pub mod column_removed;
pub mod column_renamed;
pub mod column_type_changed;
pub mod concurrent_index_in_transaction;
pub mod concurrent_index_with_migration_lock;
pub mod data_change_in_migration;
#[cfg(test)]
mod history_tests;
pub mod index_not_concurrent;
pub mod json_column;
pub mod many_columns_index;
pub mod not_null_added;
pub mod raw_sql_in_migration;
pub mod reference_not_validated;
pub mod table_dropped;
pub mod table_renamed;
pub mod volatile_default;
