//! One module per rule.

pub mod check_constraint_not_validated;
pub mod column_added_with_default;
pub mod column_removed;
pub mod column_renamed;
pub mod column_type_changed;
pub mod concurrent_index_in_transaction;
pub mod concurrent_index_with_migration_lock;
pub mod data_change_in_migration;
pub mod doc_without_example;
pub mod index_not_concurrent;
pub mod invalid_config;
pub mod io_inspect;
pub mod json_column;
pub mod many_columns_index;
pub mod missing_doc;
pub mod missing_moduledoc;
pub mod missing_spec;
pub mod mix_gates;
pub mod not_null_added;
pub mod raw_sql_in_migration;
pub mod reference_not_validated;
pub mod struct_without_type;
pub mod syntax_error;
pub mod table_dropped;
pub mod table_renamed;
pub mod trailing_whitespace;
pub mod unused_suppression;
pub mod vague_spec;
pub mod volatile_default;

#[cfg(test)]
pub mod migration_test_support;
#[cfg(test)]
pub mod test_support;
