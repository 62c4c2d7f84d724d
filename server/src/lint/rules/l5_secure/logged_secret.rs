//! `logged-secret`: a password, token, secret, key or card number written to the logs.
//!
//! The message of `Logger.debug/info/notice/warning/warn/error/critical/alert/emergency`,
//! `Logger.log/2,3`, `IO.puts/1,2` and `IO.warn/1,2` is searched for values named like credentials:
//! interpolated (`"token: #{token}"`), concatenated (`"key " <> api_key`), inspected
//! (`inspect(user.password)`), in iodata (`["secret=", secret]`) or returned by a lazy
//! `fn -> … end` message. Words inside the literal text are not values and are fine.

use crate::syntax::Fields as _;
use crate::syntax::Node;

use super::secret_names::{NamedSecret, named_secret};
use crate::lint::{Finding, LintContext, Rule, RuleDocs, RuleMeta, Severity};
use crate::syntax::elixir;

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "logged-secret",
        level: 5,
        severity: Severity::Warning,
        fixable: false,
        summary: "`Logger.*`/`IO.puts` of a value named like a password, token, secret, key or card number",
        docs: RuleDocs {
            why: "Log lines are kept for months, shipped to third-party services and read by \
                  people who must not see credentials: a password or an API token in a log is a \
                  leaked credential. The message is searched for values whose name says they \
                  hold a password, token, secret, API/private key or card data, interpolated, \
                  concatenated, `inspect`ed or in iodata, in `Logger` calls, `IO.puts` and \
                  `IO.warn`. Not flagged: words in the literal text (`\"password reset \
                  requested for #{user.email}\"`), names that only describe a secret \
                  (`token_count`, `token_expires_at`), signatures and digests (not secrets), \
                  whole structs or params maps (`inspect(params)`: whether they hold a secret is \
                  unknown here), Logger metadata (printed only when the formatter is configured \
                  to), `IO` output of Mix tasks (`lib/mix/`: a task printing the key it generated \
                  writes to the console), and test files.",
            bad: "def authenticate(conn, %{\"email\" => email, \"password\" => password}) do\n  Logger.debug(\"login attempt #{email} with #{password}\")\n  Accounts.get_user_by_email_and_password(email, password)\nend",
            good: "def authenticate(conn, %{\"email\" => email, \"password\" => password}) do\n  Logger.debug(\"login attempt #{email}\")\n  Accounts.get_user_by_email_and_password(email, password)\nend",
            fix: "Log an identifier instead of the secret (the user's id, the token's id or its \
                  last four characters), or derive `Inspect` with `except:` / use \
                  `redact: true` on Ecto fields so `inspect/1` hides it.",
        },
        scope: crate::lint::Scope::Function,
        ..RuleMeta::BASE
    },
    check: Some(check),
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    if ctx.file.is_test() {
        return;
    }
    let rel = ctx.file.project_rel.as_str();
    // A Mix task printing the key it just generated is doing its job: its output is the console.
    let console = rel.starts_with("lib/mix/") || rel.contains("/mix/tasks/");
    // Only `Logger.*` and `IO.puts/warn` calls can log: skip files with neither.
    if !ctx.source.contains("Logger") && !ctx.source.contains("IO.") {
        return;
    }
    for (call, remote) in ctx.calls_with_remote() {
        if let Some(f) = call_finding(call, remote, ctx.source, console) {
            out.push(f);
        }
    }
}

const LOGGER_LEVELS: &[&str] = &[
    "debug",
    "info",
    "notice",
    "warning",
    "warn",
    "error",
    "critical",
    "alert",
    "emergency",
];

/// The finding for one call (whose `elixir::remote_call` is `remote`), if it logs a secret.
fn call_finding(
    call: Node<'_>,
    remote: Option<(&str, &str)>,
    src: &str,
    console: bool,
) -> Option<Finding> {
    let (module, fun) = remote?;
    if !matches!(module, "Logger" | "IO") {
        return None;
    }
    let args = elixir::call_args(call);
    let piped = call
        .parent()
        .filter(|p| elixir::is_binary_op(*p, src, "|>"))
        .filter(|p| p.field("right") == Some(call))
        .and_then(|p| p.field("left"));
    // The full argument list, with a piped value first.
    let all: Vec<Node<'_>> = piped.into_iter().chain(args).collect();
    let message = match (module, fun, all.len()) {
        ("Logger", f, 1 | 2) if LOGGER_LEVELS.contains(&f) => all[0],
        ("Logger", "log", 2 | 3) => all[1],
        ("IO", _, _) if console => return None,
        ("IO", "puts", 1) | ("IO", "warn", 1 | 2) => all[0],
        ("IO", "puts", 2) => all[1],
        _ => return None,
    };
    let secret = leaked(message, src, 0)?;
    let message = format!(
        "`{module}.{fun}/{}` writes `{}` ({}) to the logs; log an identifier or a redacted form",
        all.len(),
        secret.display,
        secret.kind.noun()
    );
    Some(Finding::new(&RULE.meta, call.byte_range(), message))
}

/// The first credential-named value that ends up in the message `node`.
fn leaked(node: Node<'_>, src: &str, depth: u8) -> Option<NamedSecret> {
    if depth > 12 {
        return None;
    }
    let next = depth + 1;
    match node.kind() {
        "string" | "charlist" => children(node)
            .filter(|c| c.kind() == "interpolation")
            .find_map(|i| children(i).find_map(|v| leaked(v, src, next))),
        "binary_operator" if elixir::is_binary_op(node, src, "<>") => ["left", "right"]
            .iter()
            .filter_map(|f| node.field(f))
            .find_map(|side| leaked(side, src, next)),
        "list" | "tuple" | "map" | "map_content" | "keywords" => {
            children(node).find_map(|c| leaked(c, src, next))
        }
        "pair" => leaked(node.field("value")?, src, next),
        "binary_operator" if elixir::is_binary_op(node, src, "=>") => {
            leaked(node.field("right")?, src, next)
        }
        "anonymous_function" => {
            // `fn -> "…" end`: the value of the (single) clause's body.
            let clause = children(node).find(|c| c.kind() == "stab_clause")?;
            let body = clause.field("right")?;
            let last = elixir::block_statements(body).last().copied()?;
            leaked(last, src, next)
        }
        "call" if is_inspect(node, src) => {
            let value = *elixir::call_args(node).first()?;
            leaked(value, src, next)
        }
        _ => named_secret(node, src).filter(|s| s.kind.is_credential()),
    }
}

/// `inspect(x)`, `inspect(x, opts)`, `Kernel.inspect(x)`.
fn is_inspect(call: Node<'_>, src: &str) -> bool {
    elixir::is_local_call(call, src, "inspect")
        || elixir::is_remote_call(call, src, "Kernel", "inspect")
}

fn children(node: Node<'_>) -> impl Iterator<Item = Node<'_>> {
    let mut c = node.walk();
    node.named_children(&mut c).collect::<Vec<_>>().into_iter()
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_support::*;

    const CODE: &str = "logged-secret";

    fn found(src: &str) -> Vec<crate::lint::Finding> {
        findings_of(src, "lib/shop/accounts.ex", CODE)
    }

    #[test]
    fn interpolated_concatenated_and_inspected_secrets() {
        let src = r#"defmodule Shop.Accounts do
  require Logger

  def login(%{"email" => email, "password" => password}) do
    Logger.debug("login attempt for #{email} with #{password}")
    Accounts.get_user_by_email_and_password(email, password)
  end

  def issue_token(user) do
    token = Phoenix.Token.sign(ShopWeb.Endpoint, "api", user.id)
    Logger.info("issued API token " <> token)
    IO.puts("token: #{token}")
    token
  end

  def sync(config) do
    Logger.log(:debug, fn -> "syncing with #{inspect(config.api_key)}" end)
    Logger.warning(["stripe secret=", Application.fetch_env!(:shop, :stripe_secret)])
    config.client_secret |> Logger.error()
  end
end
"#;
        let f = found(src);
        let names: Vec<&str> = f
            .iter()
            .map(|f| f.message.split('`').nth(3).unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "password",
                "token",
                "token",
                "config.api_key",
                "Application.fetch_env!(:shop, :stripe...",
                "config.client_secret"
            ]
        );
        assert!(
            f[0].message.starts_with("`Logger.debug/1`"),
            "{}",
            f[0].message
        );
        assert!(
            f[5].message.starts_with("`Logger.error/1`"),
            "{}",
            f[5].message
        );
    }

    #[test]
    fn near_misses_are_not_flagged() {
        let src = r#"defmodule Shop.Accounts do
  require Logger

  def deliver_reset(user, token_count) do
    Logger.info("password reset requested for #{user.email}")
    Logger.info("user has #{token_count} active tokens", request_id: Logger.metadata()[:request_id])
    Logger.info("token expires at #{token_expires_at(user)}")
    Logger.warning("invalid signature #{inspect(signature)}")
    Logger.debug("token #{user_token.id} revoked", token: token)
    Logger.debug(fn -> "login for #{inspect(user.id)}" end)
    IO.puts("Enter your password:")
    Logger.error("changeset invalid: #{inspect(changeset.errors)}")
  end
end
"#;
        assert!(found(src).is_empty(), "{:#?}", found(src));
    }

    #[test]
    fn test_files_are_exempt() {
        let src = "test \"x\" do\n  IO.puts(\"token #{token}\")\nend\n";
        assert!(findings_of(src, "test/shop/accounts_test.exs", CODE).is_empty());
        assert_eq!(findings_of(src, "lib/shop/x.ex", CODE).len(), 1);
        assert!(findings_of(src, "lib/mix/tasks/shop.gen.api_key.ex", CODE).is_empty());
    }

    #[test]
    fn docs_examples() {
        let docs = &super::RULE.meta.docs;
        assert!(!findings_of(docs.bad, "lib/shop/accounts.ex", CODE).is_empty());
        assert!(findings_of(docs.good, "lib/shop/accounts.ex", CODE).is_empty());
    }
}
