//! `hardcoded-secret`: a password, secret, token or key written as a string literal in
//! configuration that reaches production (`config/config.exs`, `prod.exs`, `runtime.exs`,
//! `releases.exs`) or in application code under `lib/`.
//!
//! Where a secret is written: keyword options and map entries (`password: "…"`,
//! `"api_key" => "…"`), module attributes (`@api_key "…"`) and variables (`api_key = "…"`) in
//! `lib/`. What counts as a secret is decided by the key's head noun (see `secret_names`).
//!
//! Signing and encryption salts are not secrets: they only separate the keys derived from
//! `secret_key_base`, which is the secret (José Valim, phoenixframework/phoenix#2146), and every
//! Phoenix generator writes them into `endpoint.ex` and `config.exs`. Like Sobelow, a
//! `secret_key_base` in `config/config.exs` is left alone: Phoenix up to 1.5 generated one there
//! for dev and test, overridden in production.

use crate::syntax::Fields as _;
use crate::syntax::Node;

use super::secret_names::{SecretKind, has_interpolation, literal_key, secret_kind};
use crate::lint::{Finding, LintContext, Rule, RuleDocs, RuleMeta, Severity};
use crate::syntax::{elixir, text};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "hardcoded-secret",
        level: 5,
        severity: Severity::Error,
        fixable: false,
        summary: "String literals for `secret_key_base`, passwords, secrets, API keys, private keys and access tokens in prod config or `lib/`",
        docs: RuleDocs {
            why: "A secret in the source is in every clone, fork, CI log and backup of the \
                  repository, cannot be rotated without a deploy, and is the same in every \
                  environment. Production secrets belong in the environment (or a secret store), \
                  read at boot in `config/runtime.exs`. Checked: `config/config.exs`, \
                  `prod.exs`, `runtime.exs`, `releases.exs` and `lib/`; keyword options and map \
                  entries whose key names a password, secret, token or API/private key, and, in \
                  `lib/`, module attributes and variables named so. A placeholder such as \
                  `\"changeme\"` is still reported: in production it is a default credential. \
                  Not flagged: `dev.exs`, `test.exs`, `*.secret.exs` and `test/`; values read \
                  from the environment; empty strings, `\"${VAR}\"` references, text with spaces \
                  (labels), in `lib/` values naming the secret (`@csrf_token \"_csrf_token\"`), paths to key files, environment variable names (`\"STRIPE_API_KEY\"`) and placeholders \
                  that authenticate nothing (`\"NA\"`, `\"TODO\"`, `\"xxxx\"`, `\"<key>\"`); seeds \
                  and factories under `lib/` (fake data); signing and encryption salts (not secrets: \
                  the key is derived from `secret_key_base`); `secret_key_base` in `config.exs` \
                  (the dev/test default of Phoenix ≤ 1.5, as Sobelow); names that only describe \
                  a secret (`password_min_length`, `token_ttl`).",
            bad: "# config/prod.exs\nconfig :shop, Shop.Repo,\n  username: \"shop\",\n  password: \"s3cr3t-pr0d\",\n  hostname: \"db.internal\"\n\nconfig :stripity_stripe, api_key: \"sk_live_51H8xYzAbCdEf\"",
            good: "# config/runtime.exs\nif config_env() == :prod do\n  config :shop, Shop.Repo,\n    username: \"shop\",\n    password: System.fetch_env!(\"DATABASE_PASSWORD\"),\n    hostname: \"db.internal\"\n\n  config :stripity_stripe, api_key: System.fetch_env!(\"STRIPE_API_KEY\")\nend",
            fix: "Move the value to an environment variable (or a secret manager) and read it at \
                  boot in `config/runtime.exs` with `System.fetch_env!/1`; then rotate the \
                  secret: it is in the repository's history.",
        },
        sobelow: &["Config.Secrets"],
        scope: crate::lint::Scope::Function,
        ..RuleMeta::BASE
    },
    check: Some(check),
};

/// Where a file stands for this rule.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// `config/config.exs`: shared by every environment.
    SharedConfig,
    /// `prod.exs`, `runtime.exs`, `releases.exs`.
    ProdConfig,
    /// `lib/`.
    Lib,
}

fn scope(ctx: &LintContext<'_>) -> Option<Scope> {
    let rel = ctx.file.project_rel.as_str();
    match rel {
        "config/config.exs" => Some(Scope::SharedConfig),
        "config/prod.exs" | "config/runtime.exs" | "config/releases.exs" => Some(Scope::ProdConfig),
        _ if ctx.file.is_lib() && !is_fake_data(rel) => Some(Scope::Lib),
        _ => None,
    }
}

/// Seeds and factories under `lib/` (kept there to be usable from dev tasks) create fake data
/// for development and tests: their passwords are not production credentials.
fn is_fake_data(rel: &str) -> bool {
    let file = rel.rsplit('/').next().unwrap_or(rel);
    rel.split('/')
        .any(|part| part == "seeds" || part == "factories")
        || file.contains("seed")
        || file.contains("factory")
        || file.contains("factories")
}

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    let Some(scope) = scope(ctx) else {
        return;
    };
    let src = ctx.source;
    let nodes = ctx.nodes();
    for pair in &nodes.pairs {
        if let (Some(k), Some(v)) = (pair.field("key"), pair.field("value")) {
            push(out, scope, elixir::keyword_key(k, src), v, src);
        }
    }
    for op in &nodes.binary_operators {
        if let Some((name, value)) = map_entry(*op, src) {
            push(out, scope, &name, value, src);
        } else if scope == Scope::Lib
            && let Some((name, value)) = assignment(*op, src)
        {
            push(out, scope, name, value, src);
        }
    }
    if scope == Scope::Lib {
        for call in &nodes.calls {
            // The text before the call first: asking each call for its parent costs a
            // descent from the root.
            if !elixir::may_be_attribute_operand(*call, src) {
                debug_assert!(
                    call.parent()
                        .and_then(|p| elixir::attribute(p, src))
                        .is_none()
                );
                continue;
            }
            let Some(attr) = call.parent().and_then(|p| elixir::attribute(p, src)) else {
                continue;
            };
            if let Some(value) = attr.value {
                push(out, scope, attr.name, value, src);
            }
        }
    }
}

/// `"api_key" => value` or `:api_key => value` in a map.
fn map_entry<'t>(op: Node<'t>, src: &str) -> Option<(String, Node<'t>)> {
    if !elixir::is_binary_op(op, src, "=>") {
        return None;
    }
    let key = literal_key(op.field("left")?, src)?;
    Some((key, op.field("right")?))
}

/// `api_key = value`.
fn assignment<'t>(op: Node<'t>, src: &'t str) -> Option<(&'t str, Node<'t>)> {
    if !elixir::is_binary_op(op, src, "=") {
        return None;
    }
    let left = op.field("left")?;
    (left.kind() == "identifier").then_some((text(left, src), op.field("right")?))
}

fn push(out: &mut Vec<Finding>, scope: Scope, name: &str, value: Node<'_>, src: &str) {
    let Some(kind) = secret_kind(name) else {
        return;
    };
    if !kind.is_credential() || kind == SecretKind::Card {
        return;
    }
    let is_base = name.trim_start_matches(':') == "secret_key_base";
    if is_base && scope == Scope::SharedConfig {
        return;
    }
    if !is_secret_literal(value, src) {
        return;
    }
    // In code, `@csrf_token "_csrf_token"` or `api_key: "x-api-key"` name a parameter or a
    // header; a credential does not spell out what it is. (Config values are kept: there
    // `password: "password"` is a working default credential.)
    if scope == Scope::Lib && text(value, src).to_ascii_lowercase().contains(kind.word()) {
        return;
    }
    let what = if is_base {
        "the secret key base"
    } else {
        kind.noun()
    };
    let message = format!(
        "`{name}` is {what} written in the source; read it from the environment at runtime \
         (`System.fetch_env!/1` in config/runtime.exs)"
    );
    out.push(Finding::new(&RULE.meta, value.byte_range(), message));
}

/// Whether `value` is a string literal that could be a real secret: not empty, not interpolated,
/// not a `${VAR}` reference, not text with spaces (a label) and not a path to a key file.
fn is_secret_literal(value: Node<'_>, src: &str) -> bool {
    literal_content(value, src).is_some_and(|content| {
        let trimmed = content.trim();
        !(trimmed.is_empty()
            || (trimmed.starts_with("${") && trimmed.ends_with('}'))
            || (trimmed.contains(char::is_whitespace) && !trimmed.starts_with("-----BEGIN"))
            || is_key_file(trimmed)
            || is_placeholder(trimmed)
            || is_env_var_name(trimmed))
    })
}

/// The name of an environment variable (`"STRIPE_API_KEY"`), given to code that reads it.
fn is_env_var_name(s: &str) -> bool {
    s.contains('_')
        && s.starts_with(|c: char| c.is_ascii_uppercase())
        && s.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// A value that cannot authenticate anything: `"NA"`, `"none"`, `"TODO"`, `"xxxx"`, `"<key>"`.
/// Default credentials (`"changeme"`, `"secret"`, `"admin"`) are not placeholders: they work.
fn is_placeholder(s: &str) -> bool {
    const WORDS: &[&str] = &[
        "na",
        "n/a",
        "none",
        "nothing",
        "null",
        "nil",
        "undefined",
        "unknown",
        "todo",
        "tbd",
        "placeholder",
        "redacted",
        "removed",
    ];
    let lower = s.to_ascii_lowercase();
    let mut chars = s.chars();
    let first = chars.next();
    WORDS.contains(&lower.as_str())
        || chars.all(|c| Some(c) == first)
        || (s.starts_with('<') && s.ends_with('>'))
}

/// The content of a plain string literal (`"…"`, `"""…"""`, `~s(…)`, `~S(…)`).
fn literal_content<'a>(value: Node<'_>, src: &'a str) -> Option<&'a str> {
    let content = match value.kind() {
        "string" if !has_interpolation(value) => {
            let t = text(value, src);
            t.strip_prefix("\"\"\"")
                .and_then(|t| t.strip_suffix("\"\"\""))
                .or_else(|| t.strip_prefix('"').and_then(|t| t.strip_suffix('"')))?
        }
        "sigil" if !has_interpolation(value) => {
            let name = value.field("sigil_name")?;
            if !matches!(text(name, src), "s" | "S") {
                return None;
            }
            let mut c = value.walk();
            let content = value
                .named_children(&mut c)
                .find(|n| n.kind() == "quoted_content")?;
            text(content, src)
        }
        _ => return None,
    };
    Some(content)
}

/// A path to a key or credentials file (`priv/keys/private.pem`), not the key itself.
fn is_key_file(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    [
        ".pem", ".key", ".crt", ".cer", ".der", ".p12", ".pfx", ".json", ".jks",
    ]
    .iter()
    .any(|ext| lower.ends_with(ext))
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_support::*;

    const CODE: &str = "hardcoded-secret";

    #[test]
    fn prod_config_secrets_are_flagged() {
        let src = r#"import Config

config :shop, ShopWeb.Endpoint,
  url: [host: "shop.example.com", port: 443],
  secret_key_base: "kF9n0v8w4Zt1pQy7xR2mL5bC3dE6gH8jK0lN2oP4qS6uV8wX0yZ1aB3cD5eF7gH9",
  live_view: [signing_salt: "Xy9z8W7v"]

config :shop, Shop.Repo,
  username: "shop",
  password: "pr0d-db-pa55",
  hostname: "db.internal",
  pool_size: 10

config :stripity_stripe, api_key: "sk_live_51H8xYzAbCdEfGh"
config :shop, Shop.Guardian, issuer: "shop", secret_key: "jwt-Hs256-kEy"
config :ex_aws, access_key_id: "AKIAIOSFODNN7EXAMPLE", secret_access_key: "wJalrXUtnFEMI/K7MDENG"
"#;
        let found = findings_of(src, "config/prod.exs", CODE);
        let keys: Vec<&str> = found
            .iter()
            .map(|f| f.message.split('`').nth(1).unwrap())
            .collect();
        assert_eq!(
            keys,
            [
                "secret_key_base",
                "password",
                "api_key",
                "secret_key",
                "secret_access_key"
            ]
        );
        assert_eq!(
            &src[found[1].range.clone()],
            "\"pr0d-db-pa55\"",
            "the range is the literal"
        );
        // The same file in config.exs: only `secret_key_base` is left alone.
        let shared = findings_of(src, "config/config.exs", CODE);
        assert_eq!(shared.len(), 4);
        assert!(findings_of(src, "config/dev.exs", CODE).is_empty());
        assert!(findings_of(src, "config/test.exs", CODE).is_empty());
        assert!(findings_of(src, "config/prod.secret.exs", CODE).is_empty());
    }

    #[test]
    fn runtime_config_reading_the_environment_is_fine() {
        let src = r#"import Config

if config_env() == :prod do
  database_url = System.get_env("DATABASE_URL") || raise "DATABASE_URL is missing"

  secret_key_base =
    System.get_env("SECRET_KEY_BASE") ||
      raise """
      environment variable SECRET_KEY_BASE is missing.
      """

  config :shop, Shop.Repo,
    url: database_url,
    password: System.fetch_env!("DB_PASSWORD"),
    ssl: true

  config :shop, ShopWeb.Endpoint,
    http: [ip: {0, 0, 0, 0, 0, 0, 0, 0}, port: 4000],
    secret_key_base: secret_key_base

  config :shop, :auth,
    password_min_length: 12,
    token_ttl: 3600,
    api_key: "",
    client_secret: "${CLIENT_SECRET}",
    webhook_secret: "<your webhook secret>",
    app_secret: "NA",
    signing_secret: "xxxxxxxx",
    env: %{api_key: "STRIPE_API_KEY"},
    private_key: "priv/keys/jwt_private.pem"

  config :shop, Shop.Mailer, adapter: Swoosh.Adapters.Postmark, api_key: {:system, "POSTMARK_KEY"}
end
"#;
        let found = findings_of(src, "config/runtime.exs", CODE);
        assert!(found.is_empty(), "{found:#?}");
    }

    #[test]
    fn lib_attributes_options_and_maps() {
        let src = r#"defmodule ShopWeb.Router do
  use ShopWeb, :router
  import Plug.BasicAuth

  @api_key "3f8a9c2e7b1d4f60"

  pipeline :admin do
    plug :basic_auth, username: "admin", password: "hunter22"
  end

  def client do
    headers = %{"x-api-key" => "3f8a9c2e7b1d4f60", "content-type" => "application/json"}
    access_token = "ya29.a0AfH6SMBx"
    {headers, access_token, @api_key}
  end
end
"#;
        let found = findings_of(src, "lib/shop_web/router.ex", CODE);
        assert_eq!(found.len(), 4, "{found:#?}");
        assert!(found.iter().all(|f| f.fix.is_none()));
    }

    #[test]
    fn lib_near_misses() {
        let src = r#"defmodule Shop.Accounts.User do
  use Ecto.Schema
  import Ecto.Changeset

  @session_options [store: :cookie, key: "_shop_key", signing_salt: "a1B2c3D4", encryption_salt: "z9Y8x7W6"]
  @password_min_length 12
  @reset_password_token_context "reset_password"
  @token_header "x-api-token"

  schema "users" do
    field :email, :string
    field :password, :string, virtual: true, redact: true
    field :password_hash, :string, redact: true
  end

  def registration_changeset(user, attrs) do
    user
    |> cast(attrs, [:email, :password])
    |> validate_length(:password, min: @password_min_length, max: 72)
    |> put_change(:password_hash, Bcrypt.hash_pwd_salt(attrs["password"]))
  end

  def labels, do: %{password: "Your password", email: "Email address"}
  def input(f), do: text_input(f, :password, type: "password", placeholder: "Password please")
  def secret_name, do: "shop_secret"
  def header, do: [api_key: "x-api-key", token: "_csrf_token"]
end
"#;
        let found = findings_of(src, "lib/shop/accounts/user.ex", CODE);
        assert!(found.is_empty(), "{found:#?}");
        let seeds = "defmodule Shop.Seeds do\n  def admin, do: %{email: \"admin@example.com\", password: \"Secret12345678!\"}\nend\n";
        assert_eq!(findings_of(seeds, "lib/shop/release.ex", CODE).len(), 1);
        assert!(findings_of(seeds, "lib/shop/seeds/dev.ex", CODE).is_empty());
        assert!(findings_of(seeds, "lib/shop/seeds_dev.ex", CODE).is_empty());
        assert!(findings_of(seeds, "lib/shop/factory.ex", CODE).is_empty());
        assert!(
            findings_of(
                "config :a, password: \"x1\"\n",
                "test/support/conf.exs",
                CODE
            )
            .is_empty()
        );
    }

    #[test]
    fn docs_examples() {
        let docs = &super::RULE.meta.docs;
        assert_eq!(findings_of(docs.bad, "config/prod.exs", CODE).len(), 2);
        assert!(findings_of(docs.good, "config/runtime.exs", CODE).is_empty());
    }
}
