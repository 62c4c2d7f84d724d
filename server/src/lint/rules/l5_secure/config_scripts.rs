//! Facts about `config/*.exs` scripts shared by the configuration rules: which files configure
//! production, which `config` calls only run in dev or test, and what a `config` call sets.

use crate::syntax::Fields as _;
use crate::syntax::Node;

use crate::lint::FileInfo;
use crate::syntax::elixir;
use crate::syntax::text;

/// Whether the file is a config script that can configure production: `config.exs`,
/// `prod.exs`, `runtime.exs`, `releases.exs`… but not `dev.exs`, `test.exs` or their
/// `dev.secret.exs`-style companions (Sobelow skips the same files).
pub fn configures_production(file: &FileInfo) -> bool {
    if !file.is_config() {
        return false;
    }
    let stem = file.file_name().trim_end_matches(".exs");
    let env_only = |env: &str| stem == env || stem.starts_with(&format!("{env}."));
    !env_only("dev") && !env_only("test")
}

/// A `config :app, Key, opts` call.
#[derive(Clone, Copy, Debug)]
pub struct ConfigCall<'t> {
    /// The configured key (`ShopWeb.Endpoint`, `:logger`), when the call has one besides the app.
    pub key: Option<Node<'t>>,
    /// The trailing keyword list.
    pub keywords: Node<'t>,
    /// The whole call.
    pub node: Node<'t>,
}

/// Reads `config :app, opts` or `config :app, Key, opts` with a literal keyword list.
pub fn config_call<'t>(call: Node<'t>, src: &str) -> Option<ConfigCall<'t>> {
    if elixir::local_call_name(call, src) != Some("config") {
        return None;
    }
    let args = elixir::call_args(call);
    if args.first()?.kind() != "atom" {
        return None;
    }
    let keywords = *args.last()?;
    if keywords.kind() != "keywords" {
        return None;
    }
    Some(ConfigCall {
        key: (args.len() == 3).then(|| args[1]),
        keywords,
        node: call,
    })
}

/// The `key: value` pair named `key` in a `keywords` node.
pub fn pair<'t>(keywords: Node<'t>, src: &str, key: &str) -> Option<Node<'t>> {
    let mut cursor = keywords.walk();
    keywords.named_children(&mut cursor).find(|p| {
        p.kind() == "pair"
            && p.field("key")
                .is_some_and(|k| elixir::keyword_key(k, src) == key)
    })
}

/// Whether a condition (whitespace removed) holds only in dev or test: `config_env()==:dev`,
/// `Mix.env()in[:dev,:test]` (any environments named `*dev*`/`*test*`, such as `:ce_dev`),
/// `config_env()!=:prod`, or the `:dev_routes` flag of Phoenix's generated router.
fn is_dev_or_test_condition(cond: &str) -> bool {
    let dev_or_test = |atom: &str| {
        let atom = atom.trim_start_matches(':');
        !atom.is_empty() && (atom.contains("dev") || atom.contains("test"))
    };
    if cond.contains(":dev_routes") || cond.contains("!=:prod") {
        return true;
    }
    if let Some((_, rhs)) = cond.split_once("==") {
        let atom: String = rhs
            .chars()
            .take_while(|c| *c == ':' || c.is_alphanumeric() || *c == '_')
            .collect();
        return atom.starts_with(':') && dev_or_test(&atom);
    }
    if let Some((_, rhs)) = cond.split_once("in[") {
        let list = rhs.split(']').next().unwrap_or("");
        return list
            .split(',')
            .all(|a| a.starts_with(':') && dev_or_test(a));
    }
    false
}

/// Whether `node` only runs in dev or test: inside the `do` of `if config_env() == :dev`,
/// `if Mix.env() in [:dev, :test]`, `if config_env() != :prod`, `unless config_env() == :prod`,
/// `if Application.compile_env(:shop, :dev_routes)`, or in the `else` of
/// `if config_env() == :prod`.
pub fn dev_or_test_only(node: Node<'_>, src: &str) -> bool {
    let mut child = node;
    // tree-sitter-elixir nests `else_block` inside the `do_block`: remember having come up
    // through one until the `if` is reached.
    let mut in_else = false;
    while let Some(parent) = child.parent() {
        if child.kind() == "else_block" {
            in_else = true;
        }
        if parent.kind() == "call" {
            let name = elixir::local_call_name(parent, src);
            if matches!(name, Some("if" | "unless")) {
                let cond: String = elixir::call_args(parent)
                    .first()
                    .map(|c| {
                        text(*c, src)
                            .chars()
                            .filter(|c| !c.is_whitespace())
                            .collect()
                    })
                    .unwrap_or_default();
                let in_do = child.kind() == "do_block" && !in_else;
                let in_else = child.kind() == "do_block" && in_else;
                let dev_test = is_dev_or_test_condition(&cond);
                let prod = cond.contains("==:prod");
                let dev_branch = match name {
                    Some("if") => (in_do && dev_test) || (in_else && prod),
                    _ => (in_do && prod) || (in_else && dev_test),
                };
                if dev_branch {
                    return true;
                }
            }
            in_else = false;
        }
        child = parent;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dev_or_test_conditions() {
        for cond in [
            "config_env()==:dev",
            "Mix.env()==:test",
            "Mix.env()in[:dev,:test]",
            "Mix.env()in[:dev,:ce_dev]",
            "config_env()!=:prod",
            "Application.compile_env(:shop,:dev_routes)",
        ] {
            assert!(is_dev_or_test_condition(cond), "{cond}");
        }
        for cond in [
            "config_env()==:prod",
            "Mix.env()in[:dev,:prod]",
            "System.get_env(\"DEV\")",
            "enabled?",
        ] {
            assert!(!is_dev_or_test_condition(cond), "{cond}");
        }
    }

    #[test]
    fn production_config_files() {
        for path in ["config/config.exs", "config/prod.exs", "config/runtime.exs"] {
            assert!(configures_production(&FileInfo::new(path)), "{path}");
        }
        for path in [
            "config/dev.exs",
            "config/test.exs",
            "config/dev.secret.exs",
            "lib/config.exs",
            "config/prod.ex",
        ] {
            assert!(!configures_production(&FileInfo::new(path)), "{path}");
        }
    }
}
