//! Sobelow's project file `.sobelow-conf` (spec §7): a literal Elixir keyword list such as
//! `[verbose: false, ignore: ["Config.HTTPS", "XSS"], ignore_files: ["lib/legacy/foo.ex"]]`,
//! read with the tree-sitter parser and never evaluated. A team that told Sobelow to ignore a
//! finding type, or a file, does not want the equivalent ladder rules to report it either.
//!
//! Which ladder rules a Sobelow type stands for is read from the rules' own metadata
//! ([`crate::lint::RuleMeta::sobelow`]), so the mapping lives in one place: the registry.

use std::collections::BTreeSet;

use super::literal::{Literal, read_literal, read_single_expression};
use super::parse::keyword_pairs;
use crate::lint::Rule;

/// Sobelow's configuration file's name, at the Mix project root.
pub const SOBELOW_CONF_FILE: &str = ".sobelow-conf";

/// What `.sobelow-conf` says that ladder honours; its other keys (`verbose`, `exit`, `skip`,
/// `threshold`…) only steer Sobelow's own run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SobelowConf {
    /// `ignore:` finding types (`"Config.HTTPS"`) or whole categories (`"XSS"`).
    pub ignore: Vec<String>,
    /// `ignore_files:` paths relative to the project root, which Sobelow does not scan at all.
    /// Files only: Sobelow matches whole paths, not folders or globs.
    pub ignore_files: Vec<String>,
}

/// `.sobelow-conf` resolved against the rules: which rules it turns off, and where.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SobelowOff {
    /// Rules turned off everywhere by `ignore:`.
    pub rules: BTreeSet<String>,
    /// Files (normalised `ignore_files:` entries) where `file_rules` are off.
    pub files: Vec<String>,
    /// Every rule that stands for some Sobelow type: off in `files`.
    pub file_rules: BTreeSet<String>,
}

impl SobelowOff {
    /// Whether `.sobelow-conf` turns `code` off in the file at `project_rel` (a path relative to
    /// the Mix project root with `/` separators).
    pub fn turns_off(&self, code: &str, project_rel: &str) -> bool {
        self.rules.contains(code)
            || (self.file_rules.contains(code) && self.files.iter().any(|f| f == project_rel))
    }
}

/// Whether a Sobelow finding type the rule stands for (`"SQL.Query"`) is selected by a name
/// from a `sobelow_skip` comment or an `ignore:` list: the exact type, or its category (the part
/// before the dot, `"SQL"`).
pub fn sobelow_name_matches(name: &str, rule_type: &str) -> bool {
    rule_type == name
        || rule_type
            .split_once('.')
            .is_some_and(|(category, _)| category == name)
}

impl SobelowConf {
    /// Which of `rules` this configuration turns off, and where. The registry's
    /// [`crate::lint::registry::RULES`] in production; tests pass their own.
    pub fn resolve(&self, rules: &[&Rule]) -> SobelowOff {
        let mapped = rules.iter().filter(|r| !r.meta.sobelow.is_empty());
        let mut off = SobelowOff {
            files: self.ignore_files.iter().map(|f| normalise(f)).collect(),
            ..SobelowOff::default()
        };
        for rule in mapped {
            // Ignoring one type of a rule that stands for several (`SQL.Stream` of
            // sql-injection) still turns the whole rule off: a ladder rule cannot be split by
            // Sobelow type, and a lit-up codebase is what this file exists to prevent.
            if rule
                .meta
                .sobelow
                .iter()
                .any(|t| self.ignore.iter().any(|name| sobelow_name_matches(name, t)))
            {
                off.rules.insert(rule.meta.code.to_string());
            }
            if !off.files.is_empty() {
                off.file_rules.insert(rule.meta.code.to_string());
            }
        }
        off
    }
}

/// `./lib/x.ex` and `lib\x.ex` as `lib/x.ex`.
fn normalise(path: &str) -> String {
    let path = path.trim().replace('\\', "/");
    let mut path = path.as_str();
    while let Some(rest) = path.strip_prefix("./") {
        path = rest;
    }
    path.to_string()
}

/// Reads the text of a `.sobelow-conf`. Keys other than `ignore` and `ignore_files` are skipped
/// whatever their value; an `Err` explains why the file cannot be read as a keyword list.
pub fn parse_sobelow_conf(text: &str) -> Result<SobelowConf, String> {
    read_single_expression(
        text,
        "a single keyword list `[...]`",
        SobelowConf::default(),
        |list| {
            let pairs = keyword_pairs(list, text).map_err(|e| e.message)?;
            let mut conf = SobelowConf::default();
            for (key, _, value_node) in pairs {
                let target = match key.as_str() {
                    "ignore" => &mut conf.ignore,
                    "ignore_files" => &mut conf.ignore_files,
                    _ => continue,
                };
                let value = read_literal(value_node, text).map_err(|(_, message)| message)?;
                *target =
                    strings(&value).ok_or_else(|| format!("`{key}` must be a list of strings"))?;
            }
            Ok(conf)
        },
    )
}

/// The strings of `["a", "b"]`; also `"a,b"`, the form Sobelow's command line takes.
fn strings(value: &Literal) -> Option<Vec<String>> {
    match value {
        Literal::List(items) => items
            .iter()
            .map(|item| match item {
                Literal::String(s) => Some(s.trim().to_string()),
                _ => None,
            })
            .filter(|s| s.as_ref().is_none_or(|s| !s.is_empty()))
            .collect(),
        Literal::String(s) => Some(
            s.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::RuleMeta;

    static SQL: Rule = Rule {
        meta: RuleMeta {
            code: "fake-sql",
            sobelow: &["SQL.Query", "SQL.Stream"],
            ..RuleMeta::BASE
        },
        check: None,
    };
    static HTTPS: Rule = Rule {
        meta: RuleMeta {
            code: "fake-https",
            sobelow: &["Config.HTTPS"],
            ..RuleMeta::BASE
        },
        check: None,
    };
    static RAW: Rule = Rule {
        meta: RuleMeta {
            code: "fake-raw",
            sobelow: &["XSS.Raw", "XSS.HTML"],
            ..RuleMeta::BASE
        },
        check: None,
    };
    static PLAIN: Rule = Rule {
        meta: RuleMeta {
            code: "fake-plain",
            ..RuleMeta::BASE
        },
        check: None,
    };
    static RULES: &[&Rule] = &[&SQL, &HTTPS, &RAW, &PLAIN];

    const PHOENIX_CONF: &str = r#"[
  verbose: false,
  private: false,
  skip: false,
  router: "",
  exit: "false",
  format: "txt",
  out: "",
  threshold: "low",
  ignore: ["Config.HTTPS", "XSS"],
  ignore_files: ["lib/legacy/foo.ex", "./lib/shop_web/old_controller.ex"],
  version: false
]
"#;

    #[test]
    fn reads_the_file_mix_sobelow_save_config_writes() {
        let conf = parse_sobelow_conf(PHOENIX_CONF).unwrap();
        assert_eq!(conf.ignore, ["Config.HTTPS", "XSS"]);
        assert_eq!(
            conf.ignore_files,
            ["lib/legacy/foo.ex", "./lib/shop_web/old_controller.ex"]
        );
    }

    #[test]
    fn ignore_turns_off_the_rules_of_a_type_or_a_whole_category() {
        let off = parse_sobelow_conf(PHOENIX_CONF).unwrap().resolve(RULES);
        assert!(off.turns_off("fake-https", "config/prod.exs"));
        assert!(off.turns_off("fake-raw", "lib/shop_web/page_html.ex"));
        assert!(!off.turns_off("fake-sql", "lib/shop/orders.ex"));
        assert!(!off.turns_off("fake-plain", "lib/shop/orders.ex"));
    }

    #[test]
    fn one_type_of_a_rule_turns_the_rule_off() {
        let conf = SobelowConf {
            ignore: vec!["SQL.Stream".into()],
            ..SobelowConf::default()
        };
        assert!(conf.resolve(RULES).turns_off("fake-sql", "lib/a.ex"));
        let other_category = SobelowConf {
            ignore: vec!["SQ".into(), "Query".into(), "CI".into()],
            ..SobelowConf::default()
        };
        assert!(other_category.resolve(RULES).rules.is_empty());
    }

    #[test]
    fn ignore_files_turn_off_every_sobelow_rule_in_those_files_only() {
        let off = parse_sobelow_conf(PHOENIX_CONF).unwrap().resolve(RULES);
        for code in ["fake-sql", "fake-raw", "fake-https"] {
            assert!(off.turns_off(code, "lib/legacy/foo.ex"), "{code}");
            assert!(
                off.turns_off(code, "lib/shop_web/old_controller.ex"),
                "{code}"
            );
        }
        assert!(!off.turns_off("fake-sql", "lib/legacy/foo_test.ex"));
        assert!(!off.turns_off("fake-sql", "lib/legacy/bar.ex"));
        assert!(!off.turns_off("fake-sql", "foo.ex"));
        assert!(!off.turns_off("fake-plain", "lib/legacy/foo.ex"));
    }

    #[test]
    fn the_command_line_form_and_an_empty_file_are_accepted() {
        let conf = parse_sobelow_conf("[ignore: \"Config.CSP, XSS.Raw\"]").unwrap();
        assert_eq!(conf.ignore, ["Config.CSP", "XSS.Raw"]);
        assert_eq!(
            parse_sobelow_conf("# nothing yet\n"),
            Ok(SobelowConf::default())
        );
    }

    #[test]
    fn unrelated_keys_may_hold_anything() {
        let conf =
            parse_sobelow_conf("[router: Path.join(\"lib\", \"router.ex\"), ignore: [\"CI\"]]")
                .unwrap();
        assert_eq!(conf.ignore, ["CI"]);
    }

    #[test]
    fn malformed_files_are_errors() {
        for text in [
            "[ignore: [\"XSS\"",
            "[ignore: [:xss]]",
            "[ignore: [\"XSS\" <> suffix]]",
            "%{ignore: [\"XSS\"]}",
            "[ignore: [\"XSS\"]]\n[ignore: []]",
            "[ignore_files: 42]",
        ] {
            assert!(parse_sobelow_conf(text).is_err(), "{text}");
        }
    }

    fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        dir
    }

    #[test]
    fn loaded_beside_ladder_exs_and_ladder_settings_win() {
        let dir = project(&[
            (".sobelow-conf", PHOENIX_CONF),
            (".ladder.exs", "[rules: [\"io-inspect\": :off]]"),
        ]);
        let mut config = super::super::load_among(dir.path(), RULES).config;
        assert!(!config.rule_enabled("fake-https"));
        assert!(!config.rule_enabled_in("fake-raw", "lib/a.ex"));
        assert!(config.rule_enabled_in("fake-sql", "lib/a.ex"));
        assert!(!config.rule_enabled_in("fake-sql", "lib/legacy/foo.ex"));
        assert!(config.rule_enabled_in("fake-plain", "lib/legacy/foo.ex"));
        assert!(!config.rule_enabled("io-inspect"));

        // A rule that `.ladder.exs` (or the editor) configures follows that configuration.
        config.rules.insert(
            "fake-raw".into(),
            super::super::RuleSettings {
                severity: Some(crate::lint::Severity::Info),
                ..Default::default()
            },
        );
        config.rules.insert(
            "fake-sql".into(),
            super::super::RuleSettings {
                enabled: Some(true),
                ..Default::default()
            },
        );
        assert!(config.rule_enabled_in("fake-raw", "lib/a.ex"));
        assert!(config.rule_enabled_in("fake-sql", "lib/legacy/foo.ex"));
    }

    #[test]
    fn a_malformed_or_missing_file_changes_nothing_and_is_no_error() {
        for files in [
            &[(".sobelow-conf", "[ignore: [\"XSS\", ]")][..],
            &[(".sobelow-conf", "[ignore: \"XSS\"")][..],
            &[(".sobelow-conf", "[ignore: XSS]")][..],
            &[][..],
        ] {
            let dir = project(files);
            let loaded = super::super::load_among(dir.path(), RULES);
            assert!(loaded.errors.is_empty() && loaded.path.is_none());
            assert_eq!(loaded.config.sobelow, SobelowOff::default());
            assert!(loaded.config.rule_enabled_in("fake-raw", "lib/a.ex"));
        }
    }
}
