//! Project configuration: `.ladder.exs` at the Mix project root, a literal Elixir keyword list
//! read with the tree-sitter parser (never evaluated), plus settings from the editor, plus the
//! `ignore:`/`ignore_files:` of Sobelow's `.sobelow-conf` and the disabled checks and parameters
//! of Credo's `.credo.exs` beside it.

mod credo;
mod literal;
mod parse;
mod sobelow;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};

pub use credo::{
    CREDO_CONF_FILE, CredoConf, CredoSettings, PARAMS as CREDO_PARAMS, parse_credo_conf,
};
pub use literal::Literal;
pub use parse::parse_config;
pub use sobelow::{
    SOBELOW_CONF_FILE, SobelowConf, SobelowOff, parse_sobelow_conf, sobelow_name_matches,
};

use crate::lint::{Severity, registry};

/// The configuration file's name.
pub const CONFIG_FILE: &str = ".ladder.exs";

/// Settings of one rule.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RuleSettings {
    /// `false` when the rule is `:off`.
    pub enabled: Option<bool>,
    /// Overrides the rule's default severity.
    pub severity: Option<Severity>,
    /// Rule options such as `max: 3`.
    pub options: BTreeMap<String, Literal>,
}

/// Settings of the background mix gates.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MixSettings {
    /// Whether mix may be run (it executes the project's code).
    pub enabled: Option<bool>,
    /// `MIX_ENV` for the gates.
    pub env: Option<String>,
    /// Time limit of one gate.
    pub timeout_ms: Option<u64>,
    /// Delay after a save before the gates run (saves in quick succession run them once).
    pub debounce_ms: Option<u64>,
}

/// A configuration problem, at a byte range of the configuration file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// Where in `.ladder.exs`.
    pub range: std::ops::Range<usize>,
    /// What is wrong.
    pub message: String,
}

/// The target level when neither `.ladder.exs` nor the editor sets one: L3, the ladder's merge
/// bar ("most features should reach at least L3 before merge").
pub const DEFAULT_TARGET: u8 = 3;

/// What the editor does with findings above a file's target level (setting `aboveTarget`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AboveTarget {
    /// Published as hints, message prefixed "above target", so the Problems panel lists only
    /// what blocks the target (the default).
    #[default]
    Hint,
    /// Not published at all (they still count for the level and the code lens).
    Off,
    /// Published at their own severity, as if every level were the target.
    AsIs,
}

impl AboveTarget {
    /// Reads `"hint"`, `"off"` or `"asIs"` (case-insensitive, `as_is`/`as-is` too).
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().replace(['_', '-'], "").as_str() {
            "hint" => Some(AboveTarget::Hint),
            "off" => Some(AboveTarget::Off),
            "asis" => Some(AboveTarget::AsIs),
            _ => None,
        }
    }
}

/// The effective configuration for a project.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// The level the team aims for: `check` fails only for findings at or below it by default,
    /// and the editor demotes findings above it. `None`: [`DEFAULT_TARGET`].
    pub target_level: Option<u8>,
    /// Per-path targets, `{"glob", level}` in `.ladder.exs` order (globs relative to the folder
    /// of `.ladder.exs`, like `exclude`); the most specific matching glob wins over
    /// `target_level`.
    pub targets: Vec<(String, u8)>,
    targets_compiled: Vec<(globset::GlobMatcher, usize, u8)>,
    /// What the editor does with findings above the target (an editor setting).
    pub above_target: AboveTarget,
    /// Glob patterns (relative to the project root) of files not to lint.
    pub exclude: Vec<String>,
    exclude_set: Option<GlobSet>,
    /// Per-rule settings, by rule code.
    pub rules: BTreeMap<String, RuleSettings>,
    /// Mix gate settings.
    pub mix: MixSettings,
    /// Migrations whose timestamp prefix is not after this are not checked.
    pub start_after: Option<String>,
    /// The PostgreSQL major version the project runs on (`postgres_version: 16`), when it says:
    /// rules about locks older servers take (a column added with a default) apply below 11.
    pub postgres_version: Option<u32>,
    /// `line_length` from `.formatter.exs`, when present.
    pub formatter_line_length: Option<usize>,
    /// The rules `.sobelow-conf` turns off, everywhere or in some files.
    pub sobelow: SobelowOff,
    /// The rules `.credo.exs` turns off and the options its check parameters give.
    pub credo: CredoSettings,
    /// Whether the project builds Mix releases (it has `config/runtime.exs`,
    /// `config/releases.exs`, a `rel/` folder or `releases:` in `mix.exs`); `None` when unknown
    /// (no project on disk). Build-time configuration only matters for releases.
    pub builds_releases: Option<bool>,
}

impl Config {
    /// Builds the exclusion matcher after `exclude` is set. Invalid globs are reported by the
    /// parser and skipped here.
    pub fn compile_excludes(&mut self) {
        let mut builder = GlobSetBuilder::new();
        for pattern in &self.exclude {
            if let Ok(glob) = Glob::new(pattern) {
                builder.add(glob);
            }
        }
        self.exclude_set = builder.build().ok();
    }

    /// Builds the matchers of `targets` after it is set. Invalid globs are reported by the parser
    /// and skipped here.
    pub fn compile_targets(&mut self) {
        self.targets_compiled = self
            .targets
            .iter()
            .filter_map(|(pattern, level)| {
                let matcher = Glob::new(pattern).ok()?.compile_matcher();
                Some((matcher, specificity(pattern), *level))
            })
            .collect();
    }

    /// The target level of a file (path relative to the configuration's folder, `/`
    /// separators): the most
    /// specific matching `targets` glob (the later entry on a tie), else `target_level`, else
    /// [`DEFAULT_TARGET`].
    pub fn target_for(&self, rel_path: &str) -> u8 {
        self.targets_compiled
            .iter()
            .filter(|(matcher, _, _)| matcher.is_match(rel_path))
            .max_by_key(|(_, specificity, _)| *specificity)
            .map(|(_, _, level)| *level)
            .or(self.target_level)
            .unwrap_or(DEFAULT_TARGET)
    }

    /// Whether a path relative to the project root is excluded.
    pub fn is_excluded(&self, rel_path: &str) -> bool {
        self.exclude_set
            .as_ref()
            .is_some_and(|set| set.is_match(rel_path))
    }

    /// The settings of a rule (defaults when not configured).
    pub fn rule(&self, code: &str) -> Option<&RuleSettings> {
        self.rules.get(code)
    }

    /// Whether a rule runs (in files that `.sobelow-conf`'s `ignore_files` does not name; see
    /// [`Config::rule_enabled_in`]). A rule that `.ladder.exs` or the editor configures is
    /// governed by that alone: `:off` turns it off, anything else (`:on`, a severity, options)
    /// keeps it on whatever `.sobelow-conf` or `.credo.exs` says.
    pub fn rule_enabled(&self, code: &str) -> bool {
        match self.rule(code) {
            Some(settings) => settings.enabled.unwrap_or(true),
            None => !self.sobelow.rules.contains(code) && !self.credo.off.contains(code),
        }
    }

    /// Whether a rule runs on the file at `project_rel` (relative to the Mix project root, `/`
    /// separators): [`Config::rule_enabled`], and not turned off for that file by
    /// `.sobelow-conf`'s `ignore_files`.
    pub fn rule_enabled_in(&self, code: &str, project_rel: &str) -> bool {
        match self.rule(code) {
            Some(settings) => settings.enabled.unwrap_or(true),
            None => !self.sobelow.turns_off(code, project_rel) && !self.credo.off.contains(code),
        }
    }

    /// An option of a rule: from `.ladder.exs` or the editor, else from a parameter of a Credo
    /// check the rule mirrors in `.credo.exs`.
    pub fn rule_option(&self, code: &str, option: &str) -> Option<&Literal> {
        self.rule(code)
            .and_then(|r| r.options.get(option))
            .or_else(|| self.credo.options.get(code)?.get(option))
    }

    /// An integer option of a rule (see [`Config::rule_option`]).
    pub fn rule_int(&self, code: &str, option: &str) -> Option<i64> {
        match self.rule_option(code, option)? {
            Literal::Integer(n) => Some(*n),
            _ => None,
        }
    }
}

/// How specific a glob is: its literal characters, wildcards and brackets not counted, so
/// `lib/my_app/billing/**` (19) beats `lib/**` (4) and `lib/**/*_controller.ex` (19) beats
/// `lib/**/*.ex` (8).
fn specificity(pattern: &str) -> usize {
    let mut count = 0;
    let mut in_class = false;
    for c in pattern.chars() {
        match c {
            '[' => in_class = true,
            ']' => in_class = false,
            '*' | '?' | '{' | '}' | ',' => {}
            _ if in_class => {}
            _ => count += 1,
        }
    }
    count
}

/// A loaded project configuration: where it came from and what was wrong with it.
#[derive(Clone, Debug, Default)]
pub struct LoadedConfig {
    /// The effective configuration (defaults where the file was wrong).
    pub config: Config,
    /// The `.ladder.exs` read, if any.
    pub path: Option<PathBuf>,
    /// Problems in that file.
    pub errors: Vec<ConfigError>,
}

/// Reads `.ladder.exs` (and `.formatter.exs`'s `line_length`, `.sobelow-conf` and
/// `.credo.exs`) in `root`. A missing file gives defaults; an unreadable or malformed
/// `.ladder.exs` gives defaults plus errors. `.sobelow-conf` and `.credo.exs` belong to other
/// tools, so their problems are only logged.
pub fn load(root: &Path) -> LoadedConfig {
    load_among(root, registry::RULES)
}

/// [`load`], with `.sobelow-conf`'s types and `.credo.exs`'s checks resolved against `rules`
/// rather than the registry.
pub fn load_among(root: &Path, rules: &[&crate::lint::Rule]) -> LoadedConfig {
    let path = root.join(CONFIG_FILE);
    let mut loaded = match std::fs::read(&path) {
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            let (config, errors) = parse_config(&text);
            LoadedConfig {
                config,
                path: Some(path),
                errors,
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => LoadedConfig::default(),
        Err(e) => LoadedConfig {
            config: Config::default(),
            path: Some(path),
            errors: vec![ConfigError {
                range: 0..0,
                message: format!("cannot read {CONFIG_FILE}: {e}"),
            }],
        },
    };
    if let Ok(text) = std::fs::read_to_string(root.join(".formatter.exs")) {
        loaded.config.formatter_line_length = parse::formatter_line_length(&text);
    }
    if let Some(conf) = load_sobelow_conf(root) {
        loaded.config.sobelow = conf.resolve(rules);
    }
    if let Some(conf) = load_credo_conf(root) {
        loaded.config.credo = conf.resolve(rules);
    }
    if root.join("mix.exs").is_file() {
        loaded.config.builds_releases = Some(builds_releases(root));
    }
    loaded
}

/// Whether the Mix project at `root` builds releases: the signs `mix release` leaves, also at
/// the umbrella root around an umbrella app (`apps/<app>`).
fn builds_releases(root: &Path) -> bool {
    let umbrella = root
        .parent()
        .filter(|p| p.file_name().is_some_and(|n| n == "apps"))
        .and_then(Path::parent);
    std::iter::once(root).chain(umbrella).any(|dir| {
        dir.join("config/runtime.exs").is_file()
            || dir.join("config/releases.exs").is_file()
            || dir.join("rel").is_dir()
            || std::fs::read_to_string(dir.join("mix.exs")).is_ok_and(|m| m.contains("releases:"))
    })
}

/// `root/.credo.exs` (or `root/config/.credo.exs`, where Credo also looks; for an umbrella app
/// `apps/<app>`, the umbrella's, where `mix credo` runs), if present and readable as Credo's
/// literal configuration map; otherwise `None`, with a log line when the file exists but cannot
/// be used.
pub fn load_credo_conf(root: &Path) -> Option<CredoConf> {
    let umbrella = root
        .parent()
        .filter(|p| p.file_name().is_some_and(|n| n == "apps"))
        .and_then(Path::parent);
    let path = std::iter::once(root)
        .chain(umbrella)
        .flat_map(|dir| {
            [
                dir.join(CREDO_CONF_FILE),
                dir.join("config").join(CREDO_CONF_FILE),
            ]
        })
        .find(|p| p.exists())?;
    let text = match std::fs::read(&path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => {
            tracing::warn!(path = %path.display(), "cannot read {CREDO_CONF_FILE}, ignoring it: {e}");
            return None;
        }
    };
    match parse_credo_conf(&text) {
        Ok(conf) => Some(conf),
        Err(reason) => {
            tracing::warn!(path = %path.display(), "malformed {CREDO_CONF_FILE}, ignoring it: {reason}");
            None
        }
    }
}

/// `root/.sobelow-conf`, if present and readable as a literal keyword list; otherwise `None`,
/// with a log line when the file exists but cannot be used.
pub fn load_sobelow_conf(root: &Path) -> Option<SobelowConf> {
    let path = root.join(SOBELOW_CONF_FILE);
    let text = match std::fs::read(&path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => {
            tracing::warn!(path = %path.display(), "cannot read {SOBELOW_CONF_FILE}, ignoring it: {e}");
            return None;
        }
    };
    match parse_sobelow_conf(&text) {
        Ok(conf) => Some(conf),
        Err(reason) => {
            tracing::warn!(path = %path.display(), "malformed {SOBELOW_CONF_FILE}, ignoring it: {reason}");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `line-too-long` follows the project's `.formatter.exs`, read as a literal (never
    /// evaluated) when the configuration is loaded, by the server and the CLI alike.
    #[test]
    fn load_reads_formatter_line_length() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(load(dir.path()).config.formatter_line_length, None);
        std::fs::write(
            dir.path().join(".formatter.exs"),
            "[\n  inputs: [\"{lib,test}/**/*.{ex,exs}\"],\n  line_length: 120\n]\n",
        )
        .unwrap();
        assert_eq!(load(dir.path()).config.formatter_line_length, Some(120));
        // Computed values are not evaluated: the default applies.
        std::fs::write(
            dir.path().join(".formatter.exs"),
            "[line_length: String.to_integer(System.get_env(\"LL\", \"80\"))]\n",
        )
        .unwrap();
        assert_eq!(load(dir.path()).config.formatter_line_length, None);
    }

    /// Per-path targets: the most specific matching glob wins whatever the order, a tie goes to
    /// the later entry, and files no glob matches get `target_level`, else L3.
    #[test]
    fn the_most_specific_target_glob_wins() {
        let (config, errors) = parse_config(
            r#"[
  targets: [
    {"lib/**", 4},
    {"lib/my_app/billing/**", 5},
    {"lib/legacy/**", 1},
    {"lib/**/*_controller.ex", 6},
    {"lib/my_app_web/**", 2}
  ]
]"#,
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(config.target_for("lib/my_app/billing/invoice.ex"), 5);
        assert_eq!(config.target_for("lib/my_app/billing/deep/er/tax.ex"), 5);
        assert_eq!(config.target_for("lib/legacy/old.ex"), 1);
        assert_eq!(config.target_for("lib/my_app/accounts.ex"), 4);
        // `lib/**/*_controller.ex` (19 literal characters) beats `lib/my_app_web/**` (15).
        assert_eq!(
            config.target_for("lib/my_app_web/controllers/page_controller.ex"),
            6
        );
        assert_eq!(config.target_for("lib/my_app_web/router.ex"), 2);
        // No glob matches: no `target_level` either, so the ladder's merge bar.
        assert_eq!(config.target_for("test/my_app_test.exs"), DEFAULT_TARGET);
        assert_eq!(DEFAULT_TARGET, 3);

        let (config, _) =
            parse_config(r#"[target_level: 7, targets: [{"lib/a/**", 2}, {"lib/*/x*", 5}]]"#);
        assert_eq!(config.target_for("mix.exs"), 7);
        // Equally specific (`lib/a/` and `lib//x` both count 6): the later entry wins.
        assert_eq!(config.target_for("lib/a/x.ex"), 5);
        assert_eq!(config.target_for("lib/a/y.ex"), 2);
        assert_eq!(Config::default().target_for("lib/a.ex"), 3);
    }

    #[test]
    fn above_target_setting_values() {
        assert_eq!(AboveTarget::parse("hint"), Some(AboveTarget::Hint));
        assert_eq!(AboveTarget::parse("off"), Some(AboveTarget::Off));
        assert_eq!(AboveTarget::parse("asIs"), Some(AboveTarget::AsIs));
        assert_eq!(AboveTarget::parse("as_is"), Some(AboveTarget::AsIs));
        assert_eq!(AboveTarget::parse("loud"), None);
        assert_eq!(AboveTarget::default(), AboveTarget::Hint);
    }
}
