//! The list of every rule, in the order of the catalogue (spec §8). The CLI, the server,
//! `rules`, `explain` and the generated docs all read this list.

use super::Rule;
use super::rules;

/// Every rule.
pub static RULES: &[&Rule] = &[
    // L0
    &rules::syntax_error::RULE,
    &rules::mix_gates::COMPILE_ERROR,
    &rules::mix_gates::COMPILE_WARNING,
    // L1
    &rules::mix_gates::UNFORMATTED,
    &rules::trailing_whitespace::RULE,
    // L2
    &rules::io_inspect::RULE,
    &rules::index_not_concurrent::RULE,
    &rules::concurrent_index_in_transaction::RULE,
    &rules::concurrent_index_with_migration_lock::RULE,
    &rules::column_type_changed::RULE,
    &rules::column_removed::RULE,
    &rules::column_renamed::RULE,
    &rules::table_renamed::RULE,
    &rules::table_dropped::RULE,
    &rules::not_null_added::RULE,
    &rules::reference_not_validated::RULE,
    &rules::check_constraint_not_validated::RULE,
    &rules::volatile_default::RULE,
    &rules::column_added_with_default::RULE,
    &rules::json_column::RULE,
    &rules::many_columns_index::RULE,
    &rules::data_change_in_migration::RULE,
    &rules::raw_sql_in_migration::RULE,
    // L3
    &rules::mix_gates::TEST_FAILURE,
    // L4
    &rules::missing_spec::RULE,
    &rules::vague_spec::RULE,
    &rules::struct_without_type::RULE,
    // L7
    &rules::missing_moduledoc::RULE,
    &rules::missing_doc::RULE,
    &rules::doc_without_example::RULE,
    // Meta
    &rules::unused_suppression::RULE,
    &rules::invalid_config::RULE,
];

/// The rule with this code.
pub fn find(code: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|r| r.meta.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_documented() {
        let mut seen = std::collections::HashSet::new();
        for rule in RULES {
            let m = &rule.meta;
            assert!(seen.insert(m.code), "duplicate code {}", m.code);
            assert!(m.level <= 7, "{}", m.code);
            assert!(
                !m.summary.is_empty() && !m.docs.why.is_empty(),
                "{} lacks docs",
                m.code
            );
            assert!(
                !m.docs.bad.is_empty() && !m.docs.good.is_empty() && !m.docs.fix.is_empty(),
                "{}",
                m.code
            );
            assert!(
                m.code.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{}",
                m.code
            );
        }
    }
}
