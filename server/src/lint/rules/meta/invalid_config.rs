//! `invalid-config`: problems in `.ladder.exs`. Reported on the configuration file by whoever
//! loads it (the CLI and the server), from `config::parse_config`'s errors.

use crate::config::ConfigError;
use crate::lint::{Finding, Rule, RuleDocs, RuleMeta, Severity};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "invalid-config",
        level: 0,
        severity: Severity::Error,
        summary: "`.ladder.exs` is not a valid configuration (defaults apply meanwhile)",
        docs: RuleDocs {
            why: "A configuration that cannot be read is ignored in favour of the defaults, so \
                  the team's settings silently stop applying. The file is read as a literal \
                  keyword list, never evaluated: function calls, variables and interpolation \
                  are not allowed.",
            bad: "[target_level: System.get_env(\"LEVEL\"), rules: [\"no-such-rule\": :off]]",
            good: "[target_level: 5, rules: [\"missing-test-file\": :off, \"deep-nesting\": [max: 3]]]",
            fix: "Correct the setting the message names; `ladder-ls rules` lists the rule codes.",
        },
        ..RuleMeta::BASE
    },
    check: None,
};

/// Turns configuration errors into findings on the configuration file.
pub fn findings(errors: &[ConfigError]) -> Vec<Finding> {
    errors
        .iter()
        .map(|e| Finding::new(&RULE.meta, e.range.clone(), e.message.clone()))
        .collect()
}
