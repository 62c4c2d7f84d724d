//! Settings from the editor (`initializationOptions`, `workspace/didChangeConfiguration`),
//! merged with the project's `.ladder.exs`: the project file wins for rules and the target
//! level, the editor for mix enablement.

use serde_json::Value;

use crate::config::{AboveTarget, Config, Literal, RuleSettings};
use crate::lint::Severity;

/// What the editor configured.
#[derive(Clone, Debug, Default)]
pub struct EditorSettings {
    /// `targetLevel`.
    pub target_level: Option<u8>,
    /// `aboveTarget`: `"hint"` (default), `"off"` or `"asIs"`.
    pub above_target: Option<AboveTarget>,
    /// `rules`: code → settings.
    pub rules: Vec<(String, RuleSettings)>,
    /// `mix.enabled`.
    pub mix_enabled: Option<bool>,
    /// `mix.env`.
    pub mix_env: Option<String>,
    /// `mix.timeoutMs`.
    pub mix_timeout_ms: Option<u64>,
    /// `mix.debounceMs`.
    pub mix_debounce_ms: Option<u64>,
}

impl EditorSettings {
    /// Reads settings from JSON: `{"targetLevel": 5, "aboveTarget": "hint", "rules": {"io-inspect": "off",
    /// "deep-nesting": {"max": 3, "severity": "info"}}, "mix": {"enabled": true}}`, also nested
    /// under a `"ladder"` key (VS Code's `didChangeConfiguration` payload). Unknown or
    /// malformed entries are skipped with a log line.
    pub fn from_json(value: &Value) -> Self {
        let value = value.get("ladder").unwrap_or(value);
        let mut s = EditorSettings {
            target_level: value
                .get("targetLevel")
                .and_then(Value::as_u64)
                .filter(|l| *l <= 7)
                .map(|l| l as u8),
            above_target: value.get("aboveTarget").and_then(|v| {
                let parsed = v.as_str().and_then(AboveTarget::parse);
                if parsed.is_none() && !v.is_null() {
                    tracing::warn!(%v, "ignoring aboveTarget (expected \"hint\", \"off\" or \"asIs\")");
                }
                parsed
            }),
            ..Default::default()
        };
        if let Some(rules) = value.get("rules").and_then(Value::as_object) {
            for (code, v) in rules {
                match rule_settings(v) {
                    Some(r) => s.rules.push((code.clone(), r)),
                    None => tracing::warn!(code, "ignoring malformed editor setting for rule"),
                }
            }
        }
        if let Some(mix) = value.get("mix") {
            s.mix_enabled = mix.get("enabled").and_then(Value::as_bool);
            s.mix_env = mix.get("env").and_then(Value::as_str).map(str::to_string);
            s.mix_timeout_ms = mix.get("timeoutMs").and_then(Value::as_u64);
            s.mix_debounce_ms = mix.get("debounceMs").and_then(Value::as_u64);
        }
        s
    }

    /// The effective configuration of a project.
    pub fn merge(&self, project: &Config) -> Config {
        let mut config = project.clone();
        if config.target_level.is_none() {
            config.target_level = self.target_level;
        }
        // Only the editor sets how findings above the target look.
        config.above_target = self.above_target.unwrap_or_default();
        for (code, settings) in &self.rules {
            config
                .rules
                .entry(code.clone())
                .or_insert_with(|| settings.clone());
        }
        if self.mix_enabled.is_some() {
            config.mix.enabled = self.mix_enabled;
        }
        config.mix.env = config.mix.env.clone().or_else(|| self.mix_env.clone());
        config.mix.timeout_ms = config.mix.timeout_ms.or(self.mix_timeout_ms);
        config.mix.debounce_ms = config.mix.debounce_ms.or(self.mix_debounce_ms);
        config
    }
}

fn rule_settings(v: &Value) -> Option<RuleSettings> {
    let mut r = RuleSettings::default();
    match v {
        Value::String(s) => switch(s, &mut r)?,
        Value::Bool(b) => r.enabled = Some(*b),
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("severity", Value::String(s)) => switch(s, &mut r)?,
                    ("enabled", Value::Bool(b)) => r.enabled = Some(*b),
                    (k, Value::Number(n)) if n.is_i64() => {
                        r.options
                            .insert(k.to_string(), Literal::Integer(n.as_i64()?));
                    }
                    (k, Value::String(s)) => {
                        r.options.insert(k.to_string(), Literal::String(s.clone()));
                    }
                    _ => return None,
                }
            }
        }
        _ => return None,
    }
    Some(r)
}

fn switch(s: &str, r: &mut RuleSettings) -> Option<()> {
    match s {
        "off" => r.enabled = Some(false),
        "on" => r.enabled = Some(true),
        other => r.severity = Some(Severity::parse(other)?),
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn project_wins_for_rules_editor_for_mix() {
        let editor = EditorSettings::from_json(&json!({"ladder": {
            "targetLevel": 4,
            "aboveTarget": "asIs",
            "rules": {"io-inspect": "off", "missing-spec": {"severity": "info"}},
            "mix": {"enabled": true}
        }}));
        let (mut project, _) =
            crate::config::parse_config("[rules: [\"io-inspect\": :error], mix: [enabled: false]]");
        project.compile_excludes();
        let merged = editor.merge(&project);
        assert!(merged.rule_enabled("io-inspect"));
        assert_eq!(
            merged.rule("io-inspect").unwrap().severity,
            Some(Severity::Error)
        );
        assert_eq!(
            merged.rule("missing-spec").unwrap().severity,
            Some(Severity::Info)
        );
        assert_eq!(merged.target_level, Some(4));
        assert_eq!(merged.above_target, AboveTarget::AsIs);
        assert_eq!(
            EditorSettings::from_json(&json!({"aboveTarget": "loud"}))
                .merge(&project)
                .above_target,
            AboveTarget::Hint
        );
        assert_eq!(merged.mix.enabled, Some(true));
    }
}
