//! Credo's project file `.credo.exs` (spec §7): teams keep their Credo setup. A check the file
//! disables turns off the ladder rules that mirror it, and the parameters it sets (`max_nesting:
//! 3`) become those rules' options (`max`). `.ladder.exs` and editor settings win.
//!
//! The file is Elixir that Credo evaluates; ladder reads it as a literal with the tree-sitter
//! parser and never evaluates it. Both shapes Credo accepts are understood:
//!
//! ```elixir
//! %{configs: [%{name: "default", checks: %{enabled: [{Credo.Check.Refactor.Nesting, [max_nesting: 3]}],
//!                                          disabled: [{Credo.Check.Warning.MixEnv, []}]}}]}
//! %{configs: [%{name: "default", checks: [{Credo.Check.Refactor.Nesting, false}]}]}
//! ```
//!
//! Which ladder rules mirror a Credo check is read from the rules' own metadata
//! ([`crate::lint::RuleMeta::credo`]); only the parameter names need a table ([`PARAMS`]).

use crate::syntax::Fields as _;
use std::collections::{BTreeMap, BTreeSet};

use crate::syntax::Node;

use super::literal::{Literal, keyword_name, read_literal, read_single_expression};
use crate::lint::Rule;
use crate::syntax::text;

/// Credo's configuration file's name, at the Mix project root.
pub const CREDO_CONF_FILE: &str = ".credo.exs";

/// How a Credo parameter maps to a ladder rule option: `(Credo check, Credo parameter, ladder
/// option, added to the value)`. The offset converts Credo's exclusive bounds to ladder's
/// inclusive ones (`only_greater_than: 9_999` flags 10 000 and above: `min: 10_000`).
pub const PARAMS: &[(&str, &str, &str, i64)] = &[
    ("Credo.Check.Refactor.Nesting", "max_nesting", "max", 0),
    (
        "Credo.Check.Refactor.CyclomaticComplexity",
        "max_complexity",
        "max",
        0,
    ),
    ("Credo.Check.Refactor.FunctionArity", "max_arity", "max", 0),
    (
        "Credo.Check.Readability.MaxLineLength",
        "max_length",
        "max",
        0,
    ),
    (
        "Credo.Check.Readability.LargeNumbers",
        "only_greater_than",
        "only_greater_than",
        0,
    ),
];

/// What `.credo.exs` says about checks: the ones it disables and the parameters it sets, by
/// full check name (`Credo.Check.Refactor.Nesting`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CredoConf {
    /// Checks turned off (`{Check, false}`, or listed under `disabled:`).
    pub disabled: BTreeSet<String>,
    /// Parameters of enabled checks, as written (only literal values).
    pub params: BTreeMap<String, Vec<(String, Literal)>>,
}

/// Checks that Credo itself ships disabled (`mix credo gen.config` lists them under
/// `disabled:`, older configs as `{Check, false}`). Finding one of them disabled says nothing
/// about the team's wishes, only that they kept Credo's defaults: the ladder's own rung decides
/// (missing `@spec`s are an L4 matter, shown above target as hints, not switched off).
const CREDO_DEFAULT_OFF: &[&str] = &[
    "Credo.Check.Readability.Specs",
    "Credo.Check.Warning.MixEnv",
    "Credo.Check.Warning.UnsafeToAtom",
    "Credo.Check.Warning.LeakyEnvironment",
    "Credo.Check.Refactor.IoPuts",
    "Credo.Check.Refactor.ABCSize",
];

/// `.credo.exs` resolved against the rules.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CredoSettings {
    /// Rules turned off because a Credo check they mirror is disabled.
    pub off: BTreeSet<String>,
    /// Rule options derived from Credo parameters, by rule code.
    pub options: BTreeMap<String, BTreeMap<String, Literal>>,
}

impl CredoConf {
    /// Which of `rules` this configuration turns off, and the options it gives them. The
    /// registry's [`crate::lint::registry::RULES`] in production; tests pass their own.
    pub fn resolve(&self, rules: &[&Rule]) -> CredoSettings {
        let mut settings = CredoSettings::default();
        for rule in rules.iter().filter(|r| !r.meta.credo.is_empty()) {
            let code = rule.meta.code;
            // Disabling one of several checks a rule mirrors (`BoolOperationOnSameValues` of
            // same-operands) turns the whole rule off, as `.sobelow-conf` does: the team said it
            // does not want those findings, and a rule cannot be split by check.
            if rule
                .meta
                .credo
                .iter()
                .any(|c| self.disabled.contains(*c) && !CREDO_DEFAULT_OFF.contains(c))
            {
                settings.off.insert(code.to_string());
                continue;
            }
            for check in rule.meta.credo {
                let Some(params) = self.params.get(*check) else {
                    continue;
                };
                for (param, value) in params {
                    let Some((_, _, option, offset)) =
                        PARAMS.iter().find(|(c, p, _, _)| c == check && p == param)
                    else {
                        continue;
                    };
                    let value = match value {
                        Literal::Integer(n) => Literal::Integer(n.saturating_add(*offset)),
                        other => other.clone(),
                    };
                    settings
                        .options
                        .entry(code.to_string())
                        .or_default()
                        .insert(option.to_string(), value);
                }
            }
        }
        settings
    }
}

/// Reads the text of a `.credo.exs`: the config named `"default"` (Credo's default), or the
/// first one. An `Err` explains why the file cannot be read as Credo's literal map. Entries that
/// are not `{Check, params}` tuples, and parameter values that are not literals (`~r/…/`), are
/// skipped: custom checks may take anything.
pub fn parse_credo_conf(text: &str) -> Result<CredoConf, String> {
    read_single_expression(
        text,
        "a single map `%{configs: [...]}`",
        CredoConf::default(),
        |map| {
            let configs =
                map_value(map, text, "configs").ok_or("expected a map with `configs: [...]`")?;
            if configs.kind() != "list" {
                return Err("`configs` must be a list of maps".into());
            }
            let mut cursor = configs.walk();
            let maps: Vec<_> = configs
                .named_children(&mut cursor)
                .filter(|n| n.kind() == "map")
                .collect();
            let chosen = maps
                .iter()
                .find(|m| {
                    map_value(**m, text, "name")
                        .and_then(|n| read_literal(n, text).ok())
                        .is_some_and(|n| n == Literal::String("default".into()))
                })
                .or(maps.first());
            let mut conf = CredoConf::default();
            let Some(config) = chosen else {
                return Ok(conf);
            };
            let Some(checks) = map_value(*config, text, "checks") else {
                return Ok(conf);
            };
            match checks.kind() {
                // Credo ≥ 1.6: `checks: %{enabled: [...], disabled: [...]}`.
                "map" => {
                    // `extra:` adds checks (or parameters) on top of Credo's defaults.
                    for key in ["enabled", "extra"] {
                        if let Some(enabled) = map_value(checks, text, key) {
                            read_checks(enabled, text, false, &mut conf)?;
                        }
                    }
                    if let Some(disabled) = map_value(checks, text, "disabled") {
                        read_checks(disabled, text, true, &mut conf)?;
                    }
                }
                // The older `checks: [{Check, params}, ...]`.
                "list" => read_checks(checks, text, false, &mut conf)?,
                _ => return Err("`checks` must be a map or a list".into()),
            }
            Ok(conf)
        },
    )
}

/// The value of `key:` in a `%{key: value}` map node.
fn map_value<'t>(map: Node<'t>, text: &str, key: &str) -> Option<Node<'t>> {
    if map.kind() != "map" {
        return None;
    }
    let mut cursor = map.walk();
    let content = map
        .named_children(&mut cursor)
        .find(|n| n.kind() == "map_content")?;
    let mut cursor = content.walk();
    let keywords: Vec<_> = content
        .named_children(&mut cursor)
        .filter(|n| n.kind() == "keywords")
        .collect();
    keywords.into_iter().find_map(|kw| {
        let mut c = kw.walk();
        let pairs: Vec<_> = kw.named_children(&mut c).collect();
        pairs.into_iter().find_map(|pair| {
            let k = pair.field("key")?;
            (keyword_name(k, text) == key)
                .then(|| pair.field("value"))
                .flatten()
        })
    })
}

/// Reads a list of `{Check, params}` / `{Check, false}` / `{Check}` tuples.
fn read_checks(
    list: Node<'_>,
    text: &str,
    disabled: bool,
    conf: &mut CredoConf,
) -> Result<(), String> {
    if list.kind() != "list" {
        return Err("a check list must be a list of `{Check, params}` tuples".into());
    }
    let mut cursor = list.walk();
    for tuple in list
        .named_children(&mut cursor)
        .filter(|n| n.kind() == "tuple")
    {
        let mut c = tuple.walk();
        let parts: Vec<_> = tuple
            .named_children(&mut c)
            .filter(|n| n.kind() != "comment")
            .collect();
        let Some(check) = parts.first().filter(|n| n.kind() == "alias") else {
            continue;
        };
        let name = text_of(*check, text);
        let off = disabled
            || parts
                .get(1)
                .is_some_and(|p| p.kind() == "boolean" && text_of(*p, text) == "false");
        if off {
            conf.disabled.insert(name);
            continue;
        }
        // `{Check, [max: 3]}` or `{Check, max: 3}`: a keyword list either way.
        let params = parts
            .get(1)
            .map(|p| params_of(*p, text))
            .unwrap_or_default();
        conf.disabled.remove(&name);
        conf.params.insert(name, params);
    }
    Ok(())
}

/// The literal `key: value` parameters of a check; non-literal values are left out.
fn params_of(node: Node<'_>, text: &str) -> Vec<(String, Literal)> {
    let keywords = match node.kind() {
        "keywords" => Some(node),
        "list" => {
            let mut c = node.walk();
            node.named_children(&mut c).find(|n| n.kind() == "keywords")
        }
        _ => None,
    };
    let Some(keywords) = keywords else {
        return Vec::new();
    };
    let mut c = keywords.walk();
    let pairs: Vec<_> = keywords.named_children(&mut c).collect();
    pairs
        .into_iter()
        .filter_map(|pair| {
            let key = keyword_name(pair.field("key")?, text);
            let value = read_literal(pair.field("value")?, text).ok()?;
            Some((key, value))
        })
        .collect()
}

fn text_of(node: Node<'_>, src: &str) -> String {
    text(node, src).split_whitespace().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::RuleMeta;

    static NESTING: Rule = Rule {
        meta: RuleMeta {
            code: "fake-nesting",
            credo: &["Credo.Check.Refactor.Nesting"],
            ..RuleMeta::BASE
        },
        check: None,
    };
    static ARITY: Rule = Rule {
        meta: RuleMeta {
            code: "fake-arity",
            credo: &["Credo.Check.Refactor.FunctionArity"],
            ..RuleMeta::BASE
        },
        check: None,
    };
    static NUMBERS: Rule = Rule {
        meta: RuleMeta {
            code: "fake-numbers",
            credo: &["Credo.Check.Readability.LargeNumbers"],
            ..RuleMeta::BASE
        },
        check: None,
    };
    static SAME: Rule = Rule {
        meta: RuleMeta {
            code: "fake-same",
            credo: &[
                "Credo.Check.Warning.OperationOnSameValues",
                "Credo.Check.Warning.BoolOperationOnSameValues",
            ],
            ..RuleMeta::BASE
        },
        check: None,
    };
    static MIXENV: Rule = Rule {
        meta: RuleMeta {
            code: "fake-mixenv",
            credo: &["Credo.Check.Warning.IExPry"],
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
    static RULES: &[&Rule] = &[&NESTING, &ARITY, &NUMBERS, &SAME, &MIXENV, &PLAIN];

    /// The shape `mix credo gen.config` writes (Credo 1.7), trimmed.
    const GENERATED: &str = r#"# This file contains the configuration for Credo and you are probably reading
# this after creating it with `mix credo.gen.config`.
%{
  configs: [
    %{
      name: "default",
      files: %{
        included: ["lib/", "src/", "test/", "web/", "apps/*/lib/"],
        excluded: [~r"/_build/", ~r"/deps/", ~r"/node_modules/"]
      },
      plugins: [],
      requires: [],
      strict: false,
      parse_timeout: 5000,
      color: true,
      checks: %{
        enabled: [
          {Credo.Check.Consistency.ExceptionNames, []},
          {Credo.Check.Readability.LargeNumbers, [only_greater_than: 99_999]},
          {Credo.Check.Readability.ModuleDoc, [ignore_names: [~r/\.Mixfile$/]]},
          {Credo.Check.Refactor.FunctionArity, [max_arity: 6, priority: :low]},
          {Credo.Check.Refactor.Nesting, [max_nesting: 3]},
          {Credo.Check.Warning.BoolOperationOnSameValues, false}
        ],
        disabled: [
          # controversial
          {Credo.Check.Warning.IExPry, []},
          {Credo.Check.Refactor.ABCSize, []}
        ]
      }
    },
    %{name: "strict", checks: %{disabled: [{Credo.Check.Refactor.Nesting, []}]}}
  ]
}
"#;

    #[test]
    fn reads_the_file_mix_credo_gen_config_writes() {
        let conf = parse_credo_conf(GENERATED).unwrap();
        assert!(conf.disabled.contains("Credo.Check.Warning.IExPry"));
        assert!(conf.disabled.contains("Credo.Check.Refactor.ABCSize"));
        assert!(
            conf.disabled
                .contains("Credo.Check.Warning.BoolOperationOnSameValues")
        );
        assert!(!conf.disabled.contains("Credo.Check.Refactor.Nesting"));
        assert_eq!(
            conf.params["Credo.Check.Refactor.Nesting"],
            [("max_nesting".to_string(), Literal::Integer(3))]
        );
        // The regex parameter is not a literal and is skipped; the check stays enabled.
        assert!(conf.params["Credo.Check.Readability.ModuleDoc"].is_empty());
    }

    #[test]
    fn disabled_checks_turn_their_rules_off_and_params_become_options() {
        let settings = parse_credo_conf(GENERATED).unwrap().resolve(RULES);
        assert_eq!(
            settings.off,
            ["fake-mixenv", "fake-same"].map(String::from).into()
        );
        assert_eq!(settings.options["fake-nesting"]["max"], Literal::Integer(3));
        assert_eq!(settings.options["fake-arity"]["max"], Literal::Integer(6));
        assert!(!settings.options["fake-arity"].contains_key("priority"));
        assert_eq!(
            settings.options["fake-numbers"]["only_greater_than"],
            Literal::Integer(99_999)
        );
    }

    #[test]
    fn the_older_checks_list_is_understood() {
        let text = r#"%{
  configs: [
    %{
      name: "default",
      checks: [
        {Credo.Check.Refactor.Nesting, max_nesting: 4},
        {Credo.Check.Refactor.FunctionArity, false},
        {Credo.Check.Warning.IExPry}
      ]
    }
  ]
}
"#;
        let settings = parse_credo_conf(text).unwrap().resolve(RULES);
        assert_eq!(settings.off, ["fake-arity"].map(String::from).into());
        assert_eq!(settings.options["fake-nesting"]["max"], Literal::Integer(4));
    }

    #[test]
    fn extra_checks_and_the_config_folder_are_understood() {
        let text = "%{configs: [%{name: \"default\", checks: %{extra: [{Credo.Check.Refactor.Nesting, [max_nesting: 4]}, {Credo.Check.Warning.IExPry, false}]}}]}";
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("config")).unwrap();
        std::fs::write(dir.path().join("config/.credo.exs"), text).unwrap();
        let config = super::super::load_among(dir.path(), RULES).config;
        assert_eq!(config.rule_int("fake-nesting", "max"), Some(4));
        assert!(!config.rule_enabled("fake-mixenv"));
        // An umbrella app reads the umbrella's.
        let app = dir.path().join("apps/shop");
        std::fs::create_dir_all(&app).unwrap();
        let config = super::super::load_among(&app, RULES).config;
        assert_eq!(config.rule_int("fake-nesting", "max"), Some(4));
    }

    #[test]
    fn without_a_default_config_the_first_one_counts() {
        let text = "%{configs: [%{name: \"ci\", checks: %{disabled: [{Credo.Check.Refactor.Nesting, []}]}}]}";
        let settings = parse_credo_conf(text).unwrap().resolve(RULES);
        assert!(settings.off.contains("fake-nesting"));
    }

    #[test]
    fn malformed_files_are_errors() {
        for text in [
            "%{configs: [",
            "[configs: []]",
            "%{checks: []}",
            "%{configs: %{}}",
            "%{configs: [%{checks: :all}]}",
            "%{configs: []}\n%{configs: []}",
        ] {
            assert!(parse_credo_conf(text).is_err(), "{text}");
        }
        assert_eq!(parse_credo_conf("# empty\n"), Ok(CredoConf::default()));
    }

    #[test]
    fn a_registered_rule_follows_credo_exs() {
        let src = "defmodule Shop.Env do\n  def prod?, do: IO.inspect(Mix.env()) == :prod\nend\n";
        let codes = |config: &super::super::Config| -> Vec<&str> {
            crate::lint::lint_source(src, &crate::lint::FileInfo::new("lib/shop/env.ex"), config)
                .into_iter()
                .map(|f| f.code)
                .collect()
        };
        let mut config = super::super::Config::default();
        assert!(codes(&config).contains(&"io-inspect"));
        assert!(codes(&config).contains(&"mix-env-at-runtime"));
        config.credo = parse_credo_conf(
            "%{configs: [%{name: \"default\", checks: %{disabled: [{Credo.Check.Warning.IoInspect, []}, {Credo.Check.Warning.MixEnv, []}, {Credo.Check.Readability.Specs, []}]}}]}",
        )
        .unwrap()
        .resolve(crate::lint::registry::RULES);
        // The team switched IoInspect off; MixEnv and Specs are off in every generated config,
        // so their listing says nothing and the ladder's rules stay on.
        assert!(!codes(&config).contains(&"io-inspect"));
        assert!(codes(&config).contains(&"mix-env-at-runtime"));
        assert!(codes(&config).contains(&"missing-spec"));
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
            (".credo.exs", GENERATED),
            (".ladder.exs", "[rules: [\"io-inspect\": :off]]"),
        ]);
        let loaded = super::super::load_among(dir.path(), RULES);
        assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
        let mut config = loaded.config;
        assert_eq!(config.rule_int("fake-nesting", "max"), Some(3));
        assert_eq!(config.rule_int("fake-arity", "max"), Some(6));
        assert_eq!(config.rule_int("fake-plain", "max"), None);
        assert!(!config.rule_enabled("fake-mixenv"));
        assert!(!config.rule_enabled_in("fake-same", "lib/a.ex"));
        assert!(config.rule_enabled("fake-nesting"));
        assert!(!config.rule_enabled("io-inspect"));

        // What `.ladder.exs` (or the editor) sets for a rule wins over `.credo.exs`.
        let mut nesting = super::super::RuleSettings::default();
        nesting.options.insert("max".into(), Literal::Integer(5));
        config.rules.insert("fake-nesting".into(), nesting);
        config.rules.insert(
            "fake-mixenv".into(),
            super::super::RuleSettings {
                severity: Some(crate::lint::Severity::Warning),
                ..Default::default()
            },
        );
        assert_eq!(config.rule_int("fake-nesting", "max"), Some(5));
        assert!(config.rule_enabled("fake-mixenv"));
    }

    #[test]
    fn a_malformed_or_missing_file_changes_nothing_and_is_no_error() {
        for files in [
            &[(".credo.exs", "%{configs: [%{checks: %{disabled: [")][..],
            &[(".credo.exs", "[1, 2]")][..],
            &[][..],
        ] {
            let dir = project(files);
            let loaded = super::super::load_among(dir.path(), RULES);
            assert!(loaded.errors.is_empty() && loaded.path.is_none());
            assert_eq!(loaded.config.credo, CredoSettings::default());
            assert!(loaded.config.rule_enabled("fake-mixenv"));
        }
    }
}
