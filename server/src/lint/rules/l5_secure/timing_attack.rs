//! `timing-attack`: a secret compared with `==`, `!=`, `===` or `!==`.
//!
//! Binary equality stops at the first differing byte, so the time a comparison takes tells an
//! attacker how much of a guessed token or signature was right; repeated guesses recover it byte
//! by byte. `Plug.Crypto.secure_compare/2` takes the same time whatever the inputs.
//!
//! The fix is unsafe: `secure_compare/2` only accepts binaries and raises `FunctionClauseError`
//! where `==` returned `false` (a missing `params["token"]` is `nil`), and it needs the
//! `plug_crypto` dependency (every Phoenix or Plug application has it).

use crate::syntax::Fields as _;
use crate::syntax::Node;

use super::secret_names::{NamedSecret, has_interpolation, named_secret};
use crate::lint::{Edit, Finding, Fix, LintContext, Rule, RuleDocs, RuleMeta, Severity};
use crate::syntax::{elixir, text};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "timing-attack",
        level: 5,
        severity: Severity::Warning,
        fixable: true,
        summary: "`==`/`!=`/`===` comparing a token, secret, password, signature, digest, HMAC or API key",
        docs: RuleDocs {
            why: "`==` on binaries returns as soon as a byte differs, so how long a failed check \
                  takes tells an attacker how many leading bytes of a guessed API token, webhook \
                  signature or password hash were right; over many requests the secret is \
                  recovered byte by byte. `Plug.Crypto.secure_compare/2` takes the same time \
                  whatever the inputs. Operands are judged by name: variables, fields \
                  (`user.api_token`), lookups (`params[\"token\"]`, `Map.get(params, \
                  \"signature\")`), module attributes, MACs computed with `:crypto` and those \
                  re-encoded with `Base`. Not flagged: comparisons with literals (`nil`, `\"\"`, \
                  atoms, numbers, short strings), names that only describe a secret \
                  (`token_count`, `csrf_token_length`, `String.length(token)`), guards (where \
                  `secure_compare/2` cannot be called), Ecto queries (`where: t.token == \
                  ^token` runs in the database), and test files.",
            bad: "def verify_webhook(conn, body) do\n  secret = Application.fetch_env!(:shop, :webhook_secret)\n  expected = :crypto.mac(:hmac, :sha256, secret, body) |> Base.encode16(case: :lower)\n  [signature] = get_req_header(conn, \"x-signature\")\n\n  if signature == expected, do: :ok, else: {:error, :invalid_signature}\nend",
            good: "def verify_webhook(conn, body) do\n  secret = Application.fetch_env!(:shop, :webhook_secret)\n  expected = :crypto.mac(:hmac, :sha256, secret, body) |> Base.encode16(case: :lower)\n  [signature] = get_req_header(conn, \"x-signature\")\n\n  if Plug.Crypto.secure_compare(signature, expected),\n    do: :ok,\n    else: {:error, :invalid_signature}\nend",
            fix: "Rewrites `a == b` as `Plug.Crypto.secure_compare(a, b)` and `a != b` as \
                  `not Plug.Crypto.secure_compare(a, b)`. Offered one at a time, never applied \
                  in bulk: `secure_compare/2` raises on anything but binaries, so an operand that \
                  can be `nil` (a missing parameter) must be checked first.",
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
    for op in &ctx.nodes().binary_operators {
        if let Some(f) = comparison_finding(*op, ctx.source) {
            out.push(f);
        }
    }
}

/// The finding for one `binary_operator`, if it compares a secret.
fn comparison_finding(op: Node<'_>, src: &str) -> Option<Finding> {
    let operator = elixir::operator(op, src);
    let negated = match operator {
        "==" | "===" => false,
        "!=" | "!==" => true,
        _ => return None,
    };
    let left = op.field("left")?;
    let right = op.field("right")?;
    if is_plain_literal(left, src) || is_plain_literal(right, src) {
        return None;
    }
    // The operands' names first: walking up to rule out guards and queries costs more, and
    // almost no comparison involves a secret.
    let secret = secret_operand(left, src).or_else(|| secret_operand(right, src))?;
    if in_guard(op, src) || in_query(op, left, right, src) {
        return None;
    }
    let message = format!(
        "`{operator}` compares `{}` ({}) in variable time; use `Plug.Crypto.secure_compare/2`",
        secret.display,
        secret.kind.noun()
    );
    let call = format!(
        "Plug.Crypto.secure_compare({}, {})",
        text(left, src),
        text(right, src)
    );
    let replacement = if negated { format!("not {call}") } else { call };
    let finding = Finding::new(&RULE.meta, op.byte_range(), message);
    // An operand ending in a call without parentheses (`a == f b, do: …`) would take the
    // rest of the argument list as its own: no fix then.
    if elixir::ends_in_call_without_parens(src, left)
        || elixir::ends_in_call_without_parens(src, right)
    {
        return Some(finding);
    }
    let fix = Fix::unsafe_(
        "Compare with `Plug.Crypto.secure_compare/2`",
        vec![Edit::replace(op.byte_range(), replacement)],
    );
    Some(finding.with_fix(fix))
}

/// The secret an operand holds: by its own name, or as the only element of a list
/// (`["Bearer " <> token]`) or either side of a `<>`.
fn secret_operand(node: Node<'_>, src: &str) -> Option<NamedSecret> {
    if let Some(s) = named_secret(node, src) {
        return Some(s);
    }
    match node.kind() {
        "list" => {
            let items = elixir::block_statements(node);
            match items.as_slice() {
                [one] => secret_operand(*one, src),
                _ => None,
            }
        }
        "binary_operator" if elixir::is_binary_op(node, src, "<>") => {
            let l = node.field("left")?;
            let r = node.field("right")?;
            secret_operand(l, src).or_else(|| secret_operand(r, src))
        }
        _ => None,
    }
}

/// A literal that is not itself a secret: `nil`, booleans, atoms, numbers, short strings and
/// containers of those. A long string without spaces is kept: comparing a token with one is a
/// hardcoded credential checked in variable time.
fn is_plain_literal(node: Node<'_>, src: &str) -> bool {
    match node.kind() {
        "nil" | "boolean" | "atom" | "quoted_atom" | "integer" | "float" | "char" => true,
        "string" | "charlist" | "sigil" => {
            if has_interpolation(node) {
                return false;
            }
            let t = text(node, src);
            t.chars().count() < 18 || t.contains(char::is_whitespace)
        }
        "list" | "tuple" | "map" => {
            let mut c = node.walk();
            node.named_children(&mut c).all(|n| {
                is_plain_literal(n, src) || n.kind() == "map_content" && all_literal(n, src)
            })
        }
        _ => false,
    }
}

fn all_literal(node: Node<'_>, src: &str) -> bool {
    let mut c = node.walk();
    node.named_children(&mut c)
        .all(|n| is_plain_literal(n, src))
}

/// Ecto query macros: comparisons in them are SQL, run by the database.
const QUERY_MACROS: &[&str] = &[
    "from",
    "where",
    "or_where",
    "having",
    "or_having",
    "dynamic",
    "join",
    "left_join",
    "right_join",
    "inner_join",
    "select",
    "select_merge",
    "update",
    "subquery",
];

/// Whether the comparison is part of an Ecto query (`where: u.token == ^token`,
/// `dynamic([r], r.verification_token == ^value)`): a pinned operand, or a query macro around it
/// in the same function.
fn in_query(op: Node<'_>, left: Node<'_>, right: Node<'_>, src: &str) -> bool {
    let pinned = |n: Node<'_>| n.kind() == "unary_operator" && elixir::operator(n, src) == "^";
    if pinned(left) || pinned(right) {
        return true;
    }
    let mut current = op.parent();
    while let Some(n) = current {
        if n.kind() == "call" {
            if elixir::is_function_def(n, src) {
                return false;
            }
            let name = elixir::local_call_name(n, src).or_else(|| {
                elixir::remote_call(n, src)
                    .filter(|(m, _)| *m == "Ecto.Query" || *m == "Query")
                    .map(|(_, f)| f)
            });
            if name.is_some_and(|f| QUERY_MACROS.contains(&f)) {
                return true;
            }
        }
        current = n.parent();
    }
    false
}

/// Whether `node` is inside the guard of a `when` (function head, `case` clause, `fn` clause).
fn in_guard(node: Node<'_>, src: &str) -> bool {
    let mut child = node;
    while let Some(parent) = child.parent() {
        if elixir::is_binary_op(parent, src, "when") && parent.field("right") == Some(child) {
            return true;
        }
        if matches!(parent.kind(), "do_block" | "body" | "anonymous_function") {
            return false;
        }
        child = parent;
    }
    false
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_support::*;

    const CODE: &str = "timing-attack";

    fn found(src: &str) -> Vec<crate::lint::Finding> {
        findings_of(src, "lib/shop_web/auth.ex", CODE)
    }

    #[test]
    fn webhook_signature_check_is_flagged_and_fixed() {
        let src = r#"defmodule ShopWeb.StripeWebhookController do
  use ShopWeb, :controller

  def create(conn, params) do
    secret = Application.fetch_env!(:shop, :stripe_webhook_secret)
    body = conn.assigns.raw_body
    expected = :crypto.mac(:hmac, :sha256, secret, body) |> Base.encode16(case: :lower)
    [signature] = get_req_header(conn, "stripe-signature")

    if signature == expected do
      handle_event(conn, params)
    else
      send_resp(conn, 400, "bad signature")
    end
  end
end
"#;
        let f = found(src);
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("`signature`"), "{}", f[0].message);
        assert!(!f[0].fix.as_ref().unwrap().safe);
        let fixed = assert_clean_after_fix(src, "lib/shop_web/auth.ex", CODE);
        assert!(fixed.contains("if Plug.Crypto.secure_compare(signature, expected) do"));
    }

    #[test]
    fn api_tokens_fields_lookups_and_macs() {
        let src = r#"defmodule ShopWeb.ApiAuth do
  import Plug.Conn

  @admin_token "9f2c1b7e5d4a3f60a1b2c3d4e5f60718"

  def call(conn, _opts) do
    user = Accounts.get_user!(conn.params["user_id"])

    if user.api_token != conn.params["token"] do
      halt(send_resp(conn, 401, "unauthorized"))
    else
      conn
    end
  end

  def admin?(params), do: Map.get(params, "token") === @admin_token

  def valid_hmac?(key, data, given) do
    Base.encode16(:crypto.mac(:hmac, :sha256, key, data)) == given
  end

  def bearer?(conn, token), do: get_req_header(conn, "authorization") == ["Bearer " <> token]
end
"#;
        let f = found(src);
        assert_eq!(f.len(), 4, "{f:#?}");
        assert!(f[0].message.contains("`user.api_token`"));
        let fixed = assert_clean_after_fix(src, "lib/shop_web/auth.ex", CODE);
        assert!(fixed.contains(
            "if not Plug.Crypto.secure_compare(user.api_token, conn.params[\"token\"]) do"
        ));
        assert!(
            fixed.contains("Plug.Crypto.secure_compare(Map.get(params, \"token\"), @admin_token)")
        );
    }

    #[test]
    fn password_hashes_compared_directly() {
        let src = r#"defmodule Shop.Accounts do
  def check_password(%User{} = user, password) do
    if user.password_hash == :crypto.hash(:sha256, password) |> Base.encode64() do
      {:ok, user}
    else
      {:error, :unauthorized}
    end
  end
end
"#;
        assert_eq!(found(src).len(), 1);
        assert_clean_after_fix(src, "lib/shop/accounts.ex", CODE);
    }

    #[test]
    fn near_misses_are_not_flagged() {
        let src = r#"defmodule Shop.Tokens do
  def check(token, token_count, params, user) do
    cond do
      token_count == 0 -> :none
      token == nil -> :missing
      token == "" -> :empty
      token === :revoked -> :revoked
      String.length(token) == 32 -> :ok
      byte_size(token) != 32 -> :bad_size
      params["csrf_token_length"] == user.max_length -> :odd
      token.user_id == user.id -> :owner
      token.context == "session" -> :session
      Plug.Crypto.secure_compare(token, user.token) -> :valid
      true -> :error
    end
  end

  def kind(token) when token == :admin, do: :admin
  def kind(%{token: t}) when t != nil, do: :set

  def by_token(token) do
    from(s in UserSession, where: s.type == "browser" and s.session_token == ^token)
  end

  def filter({:verification_token, value}, dynamic),
    do: dynamic([r], ^dynamic and r.verification_token == ^value)

  def joined(query),
    do: query |> join(:inner, [u], t in assoc(u, :tokens)) |> where([u, t], t.token == u.last_token)

  def get_user_by_session_token(token) do
    case Accounts.get_user_by_session_token(token) == nil do
      true -> nil
      false -> :ok
    end
  end
end
"#;
        assert!(found(src).is_empty(), "{:#?}", found(src));
    }

    #[test]
    fn strict_inequality_is_negated() {
        let src = "defmodule Shop.Hooks do\n  def valid?(given_digest, body) do\n    if given_digest !== digest(body), do: :error, else: :ok\n  end\nend\n";
        let fixed = assert_clean_after_fix(src, "lib/shop/hooks.ex", CODE);
        assert!(
            fixed.contains("if not Plug.Crypto.secure_compare(given_digest, digest(body)), do:")
        );
    }

    /// Found by the `lint_fix` fuzz target: an operand that is a call without parentheses
    /// would swallow what follows it in `secure_compare(…)`'s arguments.
    #[test]
    fn no_fix_around_a_call_without_parentheses() {
        let src = "defmodule Shop.Hooks do\n  def valid?(signature, pd) do\n    if signature == digest pd, do: :ok, else: :error\n  end\nend\n";
        let found = findings_of(src, "lib/shop/hooks.ex", CODE);
        assert_eq!(found.len(), 1);
        assert!(found[0].fix.is_none());
        let src = "defmodule Shop.Hooks do\n  def valid?(signature, pd) do\n    if signature == digest(pd), do: :ok, else: :error\n  end\nend\n";
        assert!(findings_of(src, "lib/shop/hooks.ex", CODE)[0].fix.is_some());
    }

    #[test]
    fn test_files_are_exempt() {
        let src = "test \"signs\" do\n  assert signature == expected_signature\nend\n";
        assert!(findings_of(src, "test/shop/signer_test.exs", CODE).is_empty());
        assert_eq!(findings_of(src, "lib/shop/signer.ex", CODE).len(), 1);
    }

    #[test]
    fn docs_examples() {
        let docs = &super::RULE.meta.docs;
        assert!(!findings_of(docs.bad, "lib/shop_web/webhook.ex", CODE).is_empty());
        assert!(findings_of(docs.good, "lib/shop_web/webhook.ex", CODE).is_empty());
    }
}
