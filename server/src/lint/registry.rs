//! The list of every rule, in the order of the catalogue (spec §8). The CLI, the server,
//! `rules`, `explain` and the generated docs all read this list.

use super::Rule;
use super::rules;

/// Every rule.
pub static RULES: &[&Rule] = &[
    // L0
    &rules::l0_compiles::syntax_error::RULE,
    &rules::mix_gates::COMPILE_ERROR,
    &rules::mix_gates::COMPILE_WARNING,
    &rules::l0_compiles::invalid_encoding::RULE,
    // L1
    &rules::mix_gates::UNFORMATTED,
    &rules::l1_formatted::trailing_whitespace::RULE,
    &rules::l1_formatted::line_too_long::RULE,
    // L2
    &rules::l2_static::io_inspect::RULE,
    &rules::l2_static::dbg_call::RULE,
    &rules::l2_static::raise_in_rescue::RULE,
    &rules::l2_static::same_operands::RULE,
    &rules::l2_static::iex_pry::RULE,
    &rules::l2_static::todo_comment::RULE,
    &rules::l2_static::fixme_comment::RULE,
    &rules::l2_static::deep_nesting::RULE,
    &rules::l2_static::high_complexity::RULE,
    &rules::l2_static::too_many_params::RULE,
    &rules::l2_static::module_name::RULE,
    &rules::l2_static::function_name::RULE,
    &rules::l2_static::variable_name::RULE,
    &rules::l2_static::predicate_name::RULE,
    &rules::l2_static::large_number::RULE,
    &rules::l2_static::unless_else::RULE,
    &rules::l2_static::negated_condition_with_else::RULE,
    &rules::l2_static::map_join::RULE,
    &rules::l2_static::filter_count::RULE,
    &rules::l2_static::expensive_empty_check::RULE,
    &rules::l2_static::unused_result::RULE,
    &rules::l2_migrations::index_not_concurrent::RULE,
    &rules::l2_migrations::concurrent_index_in_transaction::RULE,
    &rules::l2_migrations::concurrent_index_with_migration_lock::RULE,
    &rules::l2_migrations::column_type_changed::RULE,
    &rules::l2_migrations::column_removed::RULE,
    &rules::l2_migrations::column_renamed::RULE,
    &rules::l2_migrations::table_renamed::RULE,
    &rules::l2_migrations::table_dropped::RULE,
    &rules::l2_migrations::not_null_added::RULE,
    &rules::l2_migrations::reference_not_validated::RULE,
    &rules::l2_migrations::check_constraint_not_validated::RULE,
    &rules::l2_migrations::volatile_default::RULE,
    &rules::l2_migrations::column_added_with_default::RULE,
    &rules::l2_migrations::json_column::RULE,
    &rules::l2_migrations::many_columns_index::RULE,
    &rules::l2_migrations::data_change_in_migration::RULE,
    &rules::l2_migrations::raw_sql_in_migration::RULE,
    &rules::l2_static::query_in_loop::RULE,
    &rules::l2_static::compile_time_env::RULE,
    &rules::l2_static::config_in_module_attribute::RULE,
    &rules::l2_static::mix_env_at_runtime::RULE,
    // L3
    &rules::mix_gates::TEST_FAILURE,
    &rules::l3_tested::missing_test_file::RULE,
    &rules::l3_tested::silent_rescue::RULE,
    &rules::l3_tested::swallowed_error::RULE,
    &rules::l3_tested::skipped_test::RULE,
    // L4
    &rules::l4_typed::missing_spec::RULE,
    &rules::l4_typed::vague_spec::RULE,
    &rules::l4_typed::struct_without_type::RULE,
    // L5
    &rules::l5_secure::sql_injection::RULE,
    &rules::l5_secure::raw_html::RULE,
    &rules::l5_secure::unsafe_atom::RULE,
    &rules::l5_secure::unsafe_deserialization::RULE,
    &rules::l5_secure::code_eval::RULE,
    &rules::l5_secure::command_injection::RULE,
    &rules::l5_secure::timing_attack::RULE,
    &rules::l5_secure::hardcoded_secret::RULE,
    &rules::l5_secure::path_traversal::RULE,
    &rules::l5_secure::missing_csrf_protection::RULE,
    &rules::l5_secure::missing_secure_headers::RULE,
    &rules::l5_secure::mass_assignment::RULE,
    &rules::l5_secure::unvalidated_changeset::RULE,
    &rules::l5_secure::logged_secret::RULE,
    &rules::l5_secure::open_redirect::RULE,
    &rules::l5_secure::insecure_ssl::RULE,
    &rules::l5_secure::websocket_origin_unchecked::RULE,
    &rules::l5_secure::xss_send_resp::RULE,
    &rules::l5_secure::missing_force_ssl::RULE,
    // L6
    &rules::l6_observable::untraced_external_call::RULE,
    &rules::l6_observable::missing_telemetry_setup::RULE,
    &rules::l6_observable::unsupervised_process::RULE,
    // L7
    &rules::l7_documented::missing_moduledoc::RULE,
    &rules::l7_documented::missing_doc::RULE,
    &rules::l7_documented::doc_without_example::RULE,
    // Meta
    &rules::meta::unused_suppression::RULE,
    &rules::meta::invalid_config::RULE,
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

    /// A function-scoped rule reading the module models (which hold every function's head)
    /// says so, or a rename would keep its findings outside the functions stale. Read from the
    /// rules' sources: one file per rule, named by its code.
    #[test]
    fn function_rules_reading_module_models_declare_it() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lint/rules");
        let mut checked = 0;
        for rung in std::fs::read_dir(&dir).expect("the rules folder") {
            let rung = rung.expect("a rung folder").path();
            let Ok(files) = std::fs::read_dir(&rung) else {
                continue;
            };
            for file in files {
                let path = file.expect("a rule file").path();
                let code = path
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .map(|s| s.replace('_', "-"));
                let Some(rule) = code.and_then(|c| find(&c)) else {
                    continue;
                };
                if rule.meta.scope != crate::lint::Scope::Function {
                    continue;
                }
                checked += 1;
                let source = std::fs::read_to_string(&path).expect("a readable rule");
                if source.contains(".modules()") || source.contains("module_model") {
                    assert!(
                        rule.meta.reads_heads,
                        "{} reads the module models",
                        rule.meta.code
                    );
                }
            }
        }
        assert!(checked > 30, "only {checked} function-scoped rules found");
    }
}
