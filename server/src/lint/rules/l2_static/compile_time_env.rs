//! `compile-time-env`: `System.get_env/fetch_env/fetch_env!` in a build-time configuration file
//! (`config/config.exs`, `config/prod.exs`…). Those files are evaluated when the release is
//! built, so the variable is read on the build machine and frozen into the release; the value set
//! where the release runs is ignored. `config/runtime.exs` is evaluated at boot.

use crate::syntax::Fields as _;
use crate::syntax::Node;

use crate::lint::{Finding, LintContext, Rule, RuleDocs, RuleMeta, Severity};
use crate::syntax::{elixir, text};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "compile-time-env",
        level: 2,
        severity: Severity::Warning,
        fixable: false,
        summary: "`System.get_env/fetch_env/fetch_env!` in `config/*.exs` other than `runtime.exs`",
        docs: RuleDocs {
            why: "`config/config.exs` and the files it imports are evaluated by `mix release` on \
                  the build machine: an environment variable read there is frozen into the \
                  release, and setting it where the release runs has no effect (or the build \
                  fails because the secret is not there). `config/runtime.exs` is evaluated each \
                  time the system boots. Wrapping the read in `if config_env() == :prod` does not \
                  help: the file is still read at build time. Not flagged: `config/runtime.exs`, \
                  `config/releases.exs` (also evaluated at boot), `config/dev.exs` and \
                  `config/test.exs` (never part of a release; Phoenix's generated `test.exs` reads \
                  `MIX_TEST_PARTITION`), and reads inside `if config_env() == :dev`/`:test` \
                  blocks, and projects that do not build releases (no `config/runtime.exs`, \
                  `config/releases.exs`, `rel/` or `releases:` in `mix.exs`: their configuration \
                  is evaluated by `mix` where the app runs).",
            bad: "# config/prod.exs\nconfig :shop, Shop.Repo,\n  url: System.get_env(\"DATABASE_URL\"),\n  pool_size: 10",
            good: "# config/runtime.exs\nif config_env() == :prod do\n  config :shop, Shop.Repo,\n    url: System.fetch_env!(\"DATABASE_URL\"),\n    pool_size: String.to_integer(System.get_env(\"POOL_SIZE\") || \"10\")\nend",
            fix: "Move the setting to `config/runtime.exs` (inside `if config_env() == :prod` \
                  when it only applies to production).",
        },
        scope: crate::lint::Scope::Function,
        ..RuleMeta::BASE
    },
    check: Some(check),
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    // Without releases, `mix phx.server` evaluates the configuration where the app runs.
    if !is_build_time_config(&ctx.file.project_rel) || ctx.config.builds_releases == Some(false) {
        return;
    }
    for call in &ctx.nodes().calls {
        if let Some(f) = check_call(ctx, *call) {
            out.push(f);
        }
    }
}

/// A `config/**/*.exs` evaluated when a release is built.
fn is_build_time_config(project_rel: &str) -> bool {
    let Some(rest) = project_rel.strip_prefix("config/") else {
        return false;
    };
    let name = rest.rsplit('/').next().unwrap_or(rest);
    rest.ends_with(".exs")
        && !matches!(name, "runtime.exs" | "releases.exs" | "dev.exs" | "test.exs")
        // `dev.secret.exs`, `test.local.exs`: imported only in those environments.
        && !name.starts_with("dev.")
        && !name.starts_with("test.")
}

fn check_call(ctx: &LintContext<'_>, call: Node<'_>) -> Option<Finding> {
    let src = ctx.source;
    let (module, fun) = elixir::remote_call(call, src)?;
    if module != "System" || !matches!(fun, "get_env" | "fetch_env" | "fetch_env!") {
        return None;
    }
    if in_dev_or_test_branch(call, src) {
        return None;
    }
    let what = match elixir::call_args(call).first() {
        Some(name) if name.kind() == "string" => format!("`System.{fun}({})`", text(*name, src)),
        _ => format!("`System.{fun}`"),
    };
    let message = format!(
        "{what} in `{}` is read when the release is built, not when it starts; move it to \
         `config/runtime.exs`",
        ctx.file.project_rel
    );
    Some(Finding::new(&RULE.meta, call.byte_range(), message))
}

/// Inside `if config_env() == :dev do … end` (or `Mix.env()`, `:test`, `in [:dev, :test]`):
/// code that never runs for a release build.
fn in_dev_or_test_branch(node: Node<'_>, src: &str) -> bool {
    let mut current = node;
    while let Some(parent) = current.parent() {
        if parent.kind() == "do_block"
            && let Some(call) = parent.parent()
            && elixir::is_local_call(call, src, "if")
            && let Some(cond) = elixir::call_args(call).first()
            && is_dev_or_test_condition(*cond, src)
        {
            return true;
        }
        current = parent;
    }
    false
}

fn is_dev_or_test_condition(cond: Node<'_>, src: &str) -> bool {
    let op = elixir::operator(cond, src);
    if cond.kind() != "binary_operator" || !matches!(op, "==" | "in") {
        return false;
    }
    let (Some(left), Some(right)) = (cond.field("left"), cond.field("right")) else {
        return false;
    };
    let env_call = |n: Node<'_>| {
        elixir::is_local_call(n, src, "config_env") || elixir::is_remote_call(n, src, "Mix", "env")
    };
    if !env_call(left) {
        return false;
    }
    let atoms: Vec<&str> = match right.kind() {
        "atom" => vec![text(right, src)],
        "list" => {
            let mut c = right.walk();
            right.named_children(&mut c).map(|n| text(n, src)).collect()
        }
        _ => return false,
    };
    !atoms.is_empty() && atoms.iter().all(|a| matches!(*a, ":dev" | ":test"))
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_support::*;

    const CODE: &str = "compile-time-env";

    const PROD: &str = r#"import Config

config :shop, ShopWeb.Endpoint,
  url: [host: "example.com", port: 443],
  cache_static_manifest: "priv/static/cache_manifest.json"

config :shop, Shop.Repo,
  url: System.get_env("DATABASE_URL"),
  pool_size: String.to_integer(System.get_env("POOL_SIZE") || "10")

config :shop, :secret, System.fetch_env!("SECRET_KEY_BASE")
"#;

    #[test]
    fn reads_in_prod_and_config_exs_are_flagged() {
        let found = findings_of(PROD, "config/prod.exs", CODE);
        assert_eq!(found.len(), 3);
        assert!(
            found[0]
                .message
                .contains("`System.get_env(\"DATABASE_URL\")` in `config/prod.exs`"),
            "{}",
            found[0].message
        );
        assert_eq!(
            &PROD[found[2].range.clone()],
            "System.fetch_env!(\"SECRET_KEY_BASE\")"
        );
        assert_eq!(findings_of(PROD, "config/config.exs", CODE).len(), 3);
        assert_eq!(findings_of(PROD, "config/prod.secret.exs", CODE).len(), 3);
    }

    #[test]
    fn a_prod_guard_in_config_exs_does_not_make_it_runtime() {
        let src = "import Config\n\nif config_env() == :prod do\n  config :shop, :key, System.get_env(\"KEY\")\nend\n";
        assert_eq!(findings_of(src, "config/config.exs", CODE).len(), 1);
    }

    #[test]
    fn runtime_files_dev_and_test_are_fine() {
        for path in [
            "config/runtime.exs",
            "config/releases.exs",
            "config/dev.exs",
            "config/test.exs",
            "config/dev.secret.exs",
            "lib/shop/config.ex",
        ] {
            assert!(findings_of(PROD, path, CODE).is_empty(), "{path}");
        }
        // Phoenix's generated test.exs.
        let test = "config :shop, Shop.Repo,\n  database: \"shop_test#{System.get_env(\"MIX_TEST_PARTITION\")}\"\n";
        assert!(findings_of(test, "config/test.exs", CODE).is_empty());
    }

    #[test]
    fn projects_without_releases_are_fine() {
        let mut config = crate::config::Config::default();
        config.builds_releases = Some(false);
        let lint = |config: &crate::config::Config| {
            crate::lint::lint_source(PROD, &crate::lint::FileInfo::new("config/prod.exs"), config)
                .into_iter()
                .filter(|f| f.code == CODE)
                .count()
        };
        assert_eq!(lint(&config), 0);
        config.builds_releases = Some(true);
        assert_eq!(lint(&config), 3);
    }

    #[test]
    fn release_signs_are_read_from_the_project() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("mix.exs"), "defmodule Shop.MixProject do\nend\n").unwrap();
        assert_eq!(
            crate::config::load(root).config.builds_releases,
            Some(false)
        );
        std::fs::create_dir(root.join("config")).unwrap();
        std::fs::write(root.join("config/runtime.exs"), "import Config\n").unwrap();
        assert_eq!(crate::config::load(root).config.builds_releases, Some(true));
        let app = root.join("apps/shop");
        std::fs::create_dir_all(&app).unwrap();
        std::fs::write(app.join("mix.exs"), "defmodule Shop.MixProject do\nend\n").unwrap();
        assert_eq!(crate::config::load(&app).config.builds_releases, Some(true));
    }

    #[test]
    fn dev_and_test_branches_of_config_exs_are_fine() {
        let src = r#"import Config

if config_env() == :dev do
  config :shop, :host, System.get_env("DEV_HOST", "localhost")
end

if Mix.env() in [:dev, :test] do
  config :shop, :token, System.get_env("TOKEN")
end

config :logger, level: :info
"#;
        assert!(findings_of(src, "config/config.exs", CODE).is_empty());
    }
}
