//! Reading `.ladder.exs` into a [`Config`], collecting every problem instead of stopping.

use crate::syntax::Fields as _;
use crate::syntax::Node;

use super::literal::{keyword_name, read_literal};
use super::{Config, ConfigError, Literal, RuleSettings};
use crate::lint::{Severity, registry};
use crate::syntax;

/// Parses the text of a `.ladder.exs`. Whatever is wrong is reported with its range, and the
/// defaults stay in place for that part.
pub fn parse_config(text: &str) -> (Config, Vec<ConfigError>) {
    let mut parser = syntax::new_parser();
    let mut config = Config::default();
    let mut errors = Vec::new();
    let Some(tree) = parser.parse(text, None) else {
        return (config, errors);
    };
    let tree = syntax::SyntaxTree::new(&tree, text);
    let root = tree.root_node();
    if root.has_error() {
        let at = first_error(root).unwrap_or(root);
        errors.push(err(
            at,
            "syntax error in the configuration; using the defaults".into(),
        ));
        return (config, errors);
    }
    let mut cursor = root.walk();
    let exprs: Vec<Node> = root
        .named_children(&mut cursor)
        .filter(|n| n.kind() != "comment")
        .collect();
    let [list] = exprs.as_slice() else {
        if !exprs.is_empty() {
            errors.push(err(
                root,
                "the configuration must be a single keyword list `[...]`".into(),
            ));
        }
        return (config, errors);
    };
    let pairs = match keyword_pairs(*list, text) {
        Ok(pairs) => pairs,
        Err(e) => {
            errors.push(e);
            return (config, errors);
        }
    };
    for (key, key_node, value_node) in pairs {
        if key == "targets" {
            // Tuples are not plain literals: read the list node by node.
            read_targets(value_node, text, &mut config, &mut errors);
            continue;
        }
        let value = match read_literal(value_node, text) {
            Ok(v) => v,
            Err((node, message)) => {
                errors.push(err(node, message));
                continue;
            }
        };
        match key.as_str() {
            "target_level" => match value {
                Literal::Integer(n @ 0..=7) => config.target_level = Some(n as u8),
                _ => errors.push(err(value_node, "`target_level` must be an integer from 0 to 7".into())),
            },
            "exclude" => read_exclude(&value, value_node, &mut config, &mut errors),
            "rules" => read_rules(value_node, text, &mut config, &mut errors),
            "mix" => read_mix(&value, value_node, &mut config, &mut errors),
            "start_after" => match value {
                Literal::String(s) if !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()) => {
                    config.start_after = Some(s)
                }
                _ => errors.push(err(
                    value_node,
                    "`start_after` must be a migration timestamp string such as \"20240101000000\"".into(),
                )),
            },
            "postgres_version" => match value {
                Literal::Integer(n @ 9..=99) => config.postgres_version = Some(n as u32),
                _ => errors.push(err(
                    value_node,
                    "`postgres_version` must be the PostgreSQL major version, such as 16".into(),
                )),
            },
            other => errors.push(err(
                key_node,
                format!("unknown setting `{other}` (known: target_level, targets, exclude, rules, mix, start_after, postgres_version)"),
            )),
        }
    }
    config.compile_excludes();
    config.compile_targets();
    (config, errors)
}

/// `targets: [{"lib/my_app/billing/**", 5}, {"lib/legacy/**", 1}]`: per-path target levels.
/// Each bad entry is reported and skipped; the good ones still apply.
fn read_targets(node: Node<'_>, text: &str, config: &mut Config, errors: &mut Vec<ConfigError>) {
    const SHAPE: &str = "`targets` entries must be `{\"glob\", level}` tuples, e.g. `{\"lib/my_app/billing/**\", 5}`";
    if node.kind() != "list" {
        errors.push(err(node, format!("`targets` must be a list; {SHAPE}")));
        return;
    }
    let mut cursor = node.walk();
    for entry in node.named_children(&mut cursor) {
        if entry.kind() == "comment" {
            continue;
        }
        let mut inner = entry.walk();
        let parts: Vec<Node> = entry
            .named_children(&mut inner)
            .filter(|n| n.kind() != "comment")
            .collect();
        let (glob_node, level_node) = match (entry.kind(), parts.as_slice()) {
            ("tuple", [g, l]) => (*g, *l),
            _ => {
                errors.push(err(entry, SHAPE.into()));
                continue;
            }
        };
        let glob = match read_literal(glob_node, text) {
            Ok(Literal::String(glob)) => glob,
            _ => {
                errors.push(err(
                    glob_node,
                    format!("the glob must be a string; {SHAPE}"),
                ));
                continue;
            }
        };
        if let Err(e) = globset::Glob::new(&glob) {
            errors.push(err(
                glob_node,
                format!("invalid glob `{glob}` in `targets`: {e}"),
            ));
            continue;
        }
        match read_literal(level_node, text) {
            Ok(Literal::Integer(n @ 0..=7)) => config.targets.push((glob, n as u8)),
            _ => errors.push(err(
                level_node,
                format!("the target level of `{glob}` must be an integer from 0 to 7"),
            )),
        }
    }
}

fn err(node: Node<'_>, message: String) -> ConfigError {
    ConfigError {
        range: node.byte_range(),
        message,
    }
}

fn first_error(node: Node<'_>) -> Option<Node<'_>> {
    if node.is_error() || node.is_missing() {
        return Some(node);
    }
    let mut cursor = node.walk();
    let children: Vec<Node> = node.children(&mut cursor).collect();
    children.into_iter().find_map(first_error)
}

/// The `key: value` pairs of a keyword-list node, with the key and value nodes.
pub(super) fn keyword_pairs<'t>(
    list: Node<'t>,
    text: &str,
) -> Result<Vec<(String, Node<'t>, Node<'t>)>, ConfigError> {
    if list.kind() != "list" {
        return Err(err(
            list,
            "expected a keyword list `[key: value, ...]`".into(),
        ));
    }
    let mut out = Vec::new();
    let mut cursor = list.walk();
    for child in list.named_children(&mut cursor) {
        match child.kind() {
            "comment" => {}
            "keywords" => {
                let mut inner = child.walk();
                for pair in child
                    .named_children(&mut inner)
                    .filter(|p| p.kind() == "pair")
                {
                    if let (Some(k), Some(v)) = (pair.field("key"), pair.field("value")) {
                        out.push((keyword_name(k, text), k, v));
                    }
                }
            }
            _ => return Err(err(child, "expected `key: value` pairs".into())),
        }
    }
    Ok(out)
}

fn read_exclude(
    value: &Literal,
    node: Node<'_>,
    config: &mut Config,
    errors: &mut Vec<ConfigError>,
) {
    let Literal::List(items) = value else {
        errors.push(err(node, "`exclude` must be a list of glob strings".into()));
        return;
    };
    for item in items {
        match item {
            Literal::String(glob) => match globset::Glob::new(glob) {
                Ok(_) => config.exclude.push(glob.clone()),
                Err(e) => errors.push(err(
                    node,
                    format!("invalid glob `{glob}` in `exclude`: {e}"),
                )),
            },
            other => errors.push(err(
                node,
                format!(
                    "`exclude` entries must be strings, found {}",
                    other.type_name()
                ),
            )),
        }
    }
}

fn read_mix(value: &Literal, node: Node<'_>, config: &mut Config, errors: &mut Vec<ConfigError>) {
    let Literal::Keyword(pairs) = value else {
        errors.push(err(
            node,
            "`mix` must be a keyword list such as `[enabled: true]`".into(),
        ));
        return;
    };
    for (key, value) in pairs {
        match (key.as_str(), value) {
            ("enabled", Literal::Atom(b)) if b == "true" || b == "false" => {
                config.mix.enabled = Some(b == "true")
            }
            ("env", Literal::String(env)) => config.mix.env = Some(env.clone()),
            ("timeout_ms", Literal::Integer(ms)) if *ms > 0 => {
                config.mix.timeout_ms = Some(*ms as u64)
            }
            ("enabled", _) => {
                errors.push(err(node, "`mix: enabled` must be `true` or `false`".into()))
            }
            ("env", _) => errors.push(err(
                node,
                "`mix: env` must be a string such as \"test\"".into(),
            )),
            ("timeout_ms", _) => errors.push(err(
                node,
                "`mix: timeout_ms` must be a positive integer".into(),
            )),
            ("debounce_ms", Literal::Integer(ms)) if *ms >= 0 => {
                config.mix.debounce_ms = Some(*ms as u64)
            }
            ("debounce_ms", _) => errors.push(err(
                node,
                "`mix: debounce_ms` must be a non-negative integer".into(),
            )),
            (other, _) => errors.push(err(
                node,
                format!(
                    "unknown `mix` setting `{other}` (known: enabled, env, timeout_ms, debounce_ms)"
                ),
            )),
        }
    }
}

fn read_rules(node: Node<'_>, text: &str, config: &mut Config, errors: &mut Vec<ConfigError>) {
    let pairs = match keyword_pairs(node, text) {
        Ok(pairs) => pairs,
        Err(e) => {
            errors.push(ConfigError {
                message: "`rules` must be a keyword list of rule codes".into(),
                ..e
            });
            return;
        }
    };
    for (name, key_node, value_node) in pairs {
        // `deep_nesting:` reads better than `"deep-nesting":` in Elixir; accept both.
        let code = name.replace('_', "-");
        let Some(rule) = registry::find(&code) else {
            errors.push(err(
                key_node,
                format!("unknown rule `{name}` (`ladder-ls rules` lists them)"),
            ));
            continue;
        };
        let value = match read_literal(value_node, text) {
            Ok(v) => v,
            Err((n, message)) => {
                errors.push(err(n, message));
                continue;
            }
        };
        let mut settings = RuleSettings::default();
        match value {
            Literal::Atom(a) => {
                if let Err(message) = apply_switch(&a, &mut settings) {
                    errors.push(err(value_node, message));
                    continue;
                }
            }
            Literal::Keyword(options) => {
                for (option, v) in options {
                    match (option.as_str(), v) {
                        ("severity", Literal::Atom(a)) => {
                            if let Err(message) = apply_switch(&a, &mut settings) {
                                errors.push(err(value_node, message));
                            }
                        }
                        ("severity", _) => errors.push(err(
                            value_node,
                            "`severity` must be an atom such as `:info`".into(),
                        )),
                        ("enabled", Literal::Atom(b)) if b == "true" || b == "false" => {
                            settings.enabled = Some(b == "true")
                        }
                        (option, v) if rule.meta.options.iter().any(|(n, _)| *n == option) => {
                            settings.options.insert(option.to_string(), v);
                        }
                        (option, _) => {
                            let known: Vec<&str> =
                                rule.meta.options.iter().map(|(n, _)| *n).collect();
                            let known = if known.is_empty() {
                                "severity".to_string()
                            } else {
                                format!("severity, {}", known.join(", "))
                            };
                            errors.push(err(
                                value_node,
                                format!("rule `{code}` has no option `{option}` (known: {known})"),
                            ));
                        }
                    }
                }
            }
            other => {
                errors.push(err(
                    value_node,
                    format!(
                        "expected `:off`, a severity atom or a keyword list for `{code}`, found {}",
                        other.type_name()
                    ),
                ));
                continue;
            }
        }
        config.rules.insert(code, settings);
    }
}

/// `:off`, `:on` or a severity name.
fn apply_switch(atom: &str, settings: &mut RuleSettings) -> Result<(), String> {
    match atom {
        "off" | "false" => settings.enabled = Some(false),
        "on" | "true" => settings.enabled = Some(true),
        other => match Severity::parse(other) {
            Some(s) => settings.severity = Some(s),
            None => {
                return Err(format!(
                    "`:{other}` is not `:off`, `:on`, `:error`, `:warning`, `:info` or `:hint`"
                ));
            }
        },
    }
    Ok(())
}

/// `line_length` of a `.formatter.exs`, if it is a literal in its top-level keyword list.
pub fn formatter_line_length(text: &str) -> Option<usize> {
    let tree = syntax::parse(text);
    let root = tree.root_node();
    let mut cursor = root.walk();
    let list = root
        .named_children(&mut cursor)
        .find(|n| n.kind() == "list")?;
    let pairs = keyword_pairs(list, text).ok()?;
    pairs
        .into_iter()
        .find(|(k, _, _)| k == "line_length")
        .and_then(|(_, _, v)| match read_literal(v, text) {
            Ok(Literal::Integer(n)) if n > 0 => Some(n as usize),
            _ => None,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_spec_example() {
        let text = r#"[
  target_level: 5,
  exclude: ["lib/legacy/**"],
  rules: [
    "missing-spec": :off,
    "io-inspect": [severity: :info],
    trailing_whitespace: :info
  ],
  mix: [enabled: true, env: "test", timeout_ms: 300_000]
]"#;
        let (config, errors) = parse_config(text);
        assert_eq!(errors, vec![]);
        assert_eq!(config.target_level, Some(5));
        assert!(config.is_excluded("lib/legacy/old.ex"));
        assert!(!config.is_excluded("lib/new.ex"));
        assert!(!config.rule_enabled("missing-spec"));
        assert_eq!(
            config.rule("io-inspect").unwrap().severity,
            Some(Severity::Info)
        );
        assert_eq!(config.mix.enabled, Some(true));
        assert_eq!(config.mix.timeout_ms, Some(300_000));
    }

    #[test]
    fn reports_each_problem_with_its_range() {
        let text =
            "[target_level: 9, rules: [\"no-such-rule\": :off, \"io-inspect\": :loud], colour: 1]";
        let (config, errors) = parse_config(text);
        let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(errors.len(), 4, "{messages:?}");
        assert!(messages[0].contains("target_level"));
        assert!(messages[1].contains("no-such-rule"));
        assert!(messages[2].contains(":loud"));
        assert!(messages[3].contains("colour"));
        assert_eq!(&text[errors[3].range.clone()], "colour: ");
        assert_eq!(config.target_level, None);
    }

    #[test]
    fn never_evaluates_code() {
        let (_, errors) = parse_config("[target_level: System.get_env(\"X\")]");
        assert!(errors[0].message.contains("not a literal"), "{errors:?}");
    }

    #[test]
    fn syntax_errors_fall_back_to_defaults() {
        let (config, errors) = parse_config("[target_level: 3,");
        assert_eq!(errors.len(), 1);
        assert_eq!(config.target_level, None);
    }

    #[test]
    fn reads_formatter_line_length() {
        assert_eq!(
            formatter_line_length("[inputs: [\"*.ex\"], line_length: 120]"),
            Some(120)
        );
        assert_eq!(formatter_line_length("[inputs: []]"), None);
    }

    #[test]
    fn bad_targets_entries_are_reported_and_the_good_ones_kept() {
        let (config, errors) = parse_config(
            r#"[targets: [{"lib/billing/**", 5}, {"lib/x/**", 9}, "lib/y/**", {"lib/[z", 2}, {:lib, 1}]]"#,
        );
        assert_eq!(config.targets, vec![("lib/billing/**".to_string(), 5)]);
        let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(messages.len(), 4, "{messages:?}");
        assert!(messages[0].contains("from 0 to 7"));
        assert!(messages[1].contains("tuples"));
        assert!(messages[2].contains("invalid glob"));
        assert!(messages[3].contains("must be a string"));
        let (_, errors) = parse_config(r#"[targets: "lib/**"]"#);
        assert!(errors[0].message.contains("must be a list"));
    }
}
