//! Names that say a value is a credential, shared by `timing-attack`, `hardcoded-secret` and
//! `logged-secret`.
//!
//! A name is read as English: its *head noun* decides what it holds. `api_token` and
//! `reset_password_token` hold tokens; `token_count`, `csrf_token_length` and `token_expires_at`
//! hold a number or a date about a token, and are not secrets. Words after a preposition qualify
//! the head (`user_by_token` is a user, `signature_for` a signature); a few trailing words only
//! describe the encoding or a derived form of the secret (`token_hash`, `password_confirmation`,
//! `signature_hex`) and are skipped.

use crate::syntax::Fields as _;
use crate::syntax::Node;

use crate::syntax::{elixir, text};

/// What a secret-looking name holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretKind {
    /// `password`, `current_password`, `hashed_password`, `password_hash`, `passphrase`.
    Password,
    /// `secret`, `client_secret`, `webhook_secret`, `secret_key_base`.
    Secret,
    /// `token`, `api_token`, `access_token`, `reset_password_token`.
    Token,
    /// `api_key`, `private_key`, `secret_key`, `signing_key`, `encryption_key`.
    Key,
    /// `signature`, `sig`, `digest`, `hmac`: derived from a secret, not secret themselves.
    Mac,
    /// `card_number`, `credit_card`, `cvv`, `cvc`.
    Card,
}

impl SecretKind {
    /// The word names of this kind contain (`token` for `api_token`).
    pub fn word(self) -> &'static str {
        match self {
            SecretKind::Password => "pass",
            SecretKind::Secret => "secret",
            SecretKind::Token => "token",
            SecretKind::Key => "key",
            SecretKind::Mac => "sig",
            SecretKind::Card => "card",
        }
    }

    /// How messages call it.
    pub fn noun(self) -> &'static str {
        match self {
            SecretKind::Password => "a password",
            SecretKind::Secret => "a secret",
            SecretKind::Token => "a token",
            SecretKind::Key => "a key",
            SecretKind::Mac => "a signature or MAC",
            SecretKind::Card => "card data",
        }
    }

    /// Whether the value itself is a credential (a signature or digest is not).
    pub fn is_credential(self) -> bool {
        self != SecretKind::Mac
    }
}

/// Words that end a name's head phrase: what follows qualifies it.
const PREPOSITIONS: &[&str] = &["by", "for", "from", "of", "with", "to", "in", "on", "at"];

/// Words that make the whole name a number or a flag about secrets (`max_tokens`, `has_password`).
const NON_SECRET_FIRST: &[&str] = &[
    "max", "min", "num", "n", "total", "count", "is", "has", "no", "needs", "require", "requires",
];

/// Trailing words naming an encoding or a derived form of the secret before them.
const QUALIFIERS: &[&str] = &[
    "confirmation",
    "hash",
    "hashed",
    "value",
    "string",
    "str",
    "bin",
    "binary",
    "hex",
    "b64",
    "base64",
    "encoded",
    "bytes",
    "raw",
    "plain",
    "plaintext",
];

/// Words before `key` that make it a cryptographic or API key (`key` alone is a map key).
const KEY_KINDS: &[&str] = &[
    "api",
    "private",
    "secret",
    "signing",
    "encryption",
    "master",
    "hmac",
    "webhook",
    "license",
    "shared",
];

/// Words before `mac` that say it is a message authentication code being checked.
const VERIFIED: &[&str] = &[
    "expected",
    "computed",
    "calculated",
    "given",
    "received",
    "provided",
    "actual",
    "request",
];

/// The words of an identifier, lowercase: `apiToken` and `api-token` → `api`, `token`.
fn words(name: &str) -> Vec<String> {
    let name = name.trim_start_matches([':', '@', '_', '"']);
    let name = name.trim_end_matches(['?', '!', '"']);
    let mut out = Vec::new();
    let mut current = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if c == '_' || c == '-' || c == '.' || c == ' ' {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        out.push(current);
    }
    // `token2`, `password1`: numbered copies hold the same thing.
    out.iter()
        .map(|w| w.trim_end_matches(|c: char| c.is_ascii_digit()).to_string())
        .filter(|w| !w.is_empty())
        .collect()
}

/// What the identifier, field, key or function name `name` holds, if it is a secret.
pub fn secret_kind(name: &str) -> Option<SecretKind> {
    // Most names name no secret: rule them out on their bytes before splitting them into
    // words (an allocation per word and per character).
    if !may_name_a_secret(name) {
        debug_assert_eq!(secret_kind_of_words(name), None, "{name}");
        return None;
    }
    secret_kind_of_words(name)
}

/// Whether `name` holds one of the words a secret's name ends with (ASCII case aside), as a
/// substring: each of [`words`] is a piece of the lowercased name, so a name without any of
/// them has no such word. Non-ASCII names may lowercase to ASCII (`K`, the Kelvin sign):
/// those are left to the words.
fn may_name_a_secret(name: &str) -> bool {
    /// Substrings of every word [`secret_kind_of_words`] accepts last (`pass` for
    /// `password`, `passwd` and `passphrase`, `key` for `apikey` and `privkey`, `sig` for
    /// `signature`, `mac` for `hmac`); `secret key base` has `secret`.
    const NEEDLES: &[&[u8]] = &[
        b"pass", b"secret", b"token", b"key", b"sig", b"digest", b"mac", b"cvv", b"cvc", b"number",
        b"card",
    ];
    if !name.is_ascii() {
        return true;
    }
    let bytes = name.as_bytes();
    (0..bytes.len()).any(|i| {
        let rest = &bytes[i..];
        matches!(
            rest[0].to_ascii_lowercase(),
            b'p' | b's' | b't' | b'k' | b'd' | b'm' | b'c' | b'n'
        ) && NEEDLES
            .iter()
            .any(|n| rest.len() >= n.len() && rest[..n.len()].eq_ignore_ascii_case(n))
    })
}

/// [`secret_kind`] read from the name's words.
fn secret_kind_of_words(name: &str) -> Option<SecretKind> {
    let all = words(name);
    let first = all.first()?;
    if NON_SECRET_FIRST.contains(&first.as_str()) {
        return None;
    }
    let end = all
        .iter()
        .position(|w| PREPOSITIONS.contains(&w.as_str()))
        .unwrap_or(all.len());
    let mut head: &[String] = &all[..end];
    if head.ends_with(&["secret".into(), "key".into(), "base".into()]) {
        return Some(SecretKind::Secret);
    }
    while head.len() > 1 && QUALIFIERS.contains(&head[head.len() - 1].as_str()) {
        head = &head[..head.len() - 1];
    }
    let last = head.last()?.as_str();
    let prev = head.len().checked_sub(2).map(|i| head[i].as_str());
    Some(match last {
        "password" | "passwd" | "passphrase" => SecretKind::Password,
        "secret" => SecretKind::Secret,
        "token" => SecretKind::Token,
        "apikey" | "privkey" => SecretKind::Key,
        "key"
            if prev.is_some_and(|p| KEY_KINDS.contains(&p))
                || head.iter().any(|w| w == "secret" || w == "private") =>
        {
            SecretKind::Key
        }
        "signature" | "sig" | "digest" | "hmac" => SecretKind::Mac,
        // `mac` alone is as often a MAC address: only a MAC being verified counts.
        "mac" if prev.is_some_and(|p| VERIFIED.contains(&p)) => SecretKind::Mac,
        "cvv" | "cvc" => SecretKind::Card,
        "number" if prev == Some("card") => SecretKind::Card,
        "card" if prev == Some("credit") => SecretKind::Card,
        _ => return None,
    })
}

/// A value in the code whose name says it holds a secret.
#[derive(Clone, Debug)]
pub struct NamedSecret {
    /// The expression as written (`user.api_token`, `params["token"]`), shortened if long.
    pub display: String,
    /// What it holds.
    pub kind: SecretKind,
}

/// Functions that return their first argument re-encoded, so the result is as secret as it.
fn is_transparent(module: Option<&str>, fun: &str) -> bool {
    match module {
        Some("Base") => fun.starts_with("encode") || fun.ends_with('!') || fun.contains("encode"),
        Some("String") => matches!(fun, "downcase" | "upcase" | "trim"),
        Some("Kernel") | None => fun == "to_string",
        _ => false,
    }
}

/// Erlang calls that compute a MAC.
fn is_mac_call(module: &str, fun: &str) -> bool {
    module == ":crypto" && matches!(fun, "mac" | "macN" | "mac_final" | "hmac" | "hmac_final")
}

/// For a lookup by a literal key (`Map.get(params, "token")`, `Keyword.fetch!(opts, :secret)`,
/// `Application.fetch_env!(:shop, :api_key)`, `System.get_env("API_KEY")`), the index of the key
/// among the arguments.
fn lookup_key_index(module: &str, fun: &str) -> Option<usize> {
    match (module, fun) {
        ("Map" | "Keyword" | "Access", "get" | "fetch" | "fetch!" | "get_lazy") => Some(1),
        (
            "Application",
            "get_env" | "fetch_env" | "fetch_env!" | "compile_env" | "compile_env!",
        ) => Some(1),
        ("System", "get_env" | "fetch_env" | "fetch_env!") => Some(0),
        _ => None,
    }
}

/// The name of a literal map key: `"token"`, `:token`, `token:` → `token`.
pub fn literal_key(node: Node<'_>, src: &str) -> Option<String> {
    match node.kind() {
        "atom" => Some(text(node, src).trim_start_matches(':').to_string()),
        "string" | "quoted_atom" if !has_interpolation(node) => {
            let t = text(node, src).trim_start_matches(':');
            Some(t.trim_matches('"').to_string())
        }
        _ => None,
    }
}

/// Whether a string, charlist, quoted atom or sigil node interpolates.
pub fn has_interpolation(node: Node<'_>) -> bool {
    let mut c = node.walk();
    node.named_children(&mut c)
        .any(|n| n.kind() == "interpolation")
}

/// The secret `node` holds, judged by its name: a variable, module attribute, field access
/// (`user.api_token`), lookup by a literal key (`params["token"]`, `Map.get(p, "signature")`),
/// a call named like one (`compute_signature(body)`), a MAC computed with `:crypto`, or one of
/// those re-encoded (`Base.encode16(hmac)`, `sig |> String.downcase()`).
pub fn named_secret(node: Node<'_>, src: &str) -> Option<NamedSecret> {
    let kind = kind_of(node, src, 0)?;
    Some(NamedSecret {
        display: short(text(node, src)),
        kind,
    })
}

fn kind_of(node: Node<'_>, src: &str, depth: u8) -> Option<SecretKind> {
    if depth > 8 {
        return None;
    }
    match node.kind() {
        "identifier" => secret_kind(text(node, src)),
        "unary_operator" => {
            let attr = elixir::attribute(node, src)?;
            attr.value
                .is_none()
                .then(|| secret_kind(attr.name))
                .flatten()
        }
        "block" => {
            let inner = elixir::block_statements(node);
            match inner.as_slice() {
                [one] => kind_of(*one, src, depth + 1),
                _ => None,
            }
        }
        "access_call" => literal_key(node.field("key")?, src).and_then(|k| secret_kind(&k)),
        "binary_operator" if elixir::is_binary_op(node, src, "|>") => {
            let left = node.field("left")?;
            let right = node.field("right")?;
            call_kind(right, Some(left), src, depth)
        }
        "call" => call_kind(node, None, src, depth),
        _ => None,
    }
}

/// The secret a call returns; `piped` is the value piped into it, if any.
fn call_kind(call: Node<'_>, piped: Option<Node<'_>>, src: &str, depth: u8) -> Option<SecretKind> {
    if call.kind() != "call" {
        return None;
    }
    let target = call.field("target")?;
    let args = elixir::call_args(call);
    let first = piped.or_else(|| args.first().copied());
    if target.kind() == "dot" && !elixir::has_arguments(call) {
        // `user.api_token`: a field access.
        let right = target.field("right")?;
        return secret_kind(text(right, src));
    }
    if let Some((module, fun)) = elixir::remote_call(call, src) {
        if is_mac_call(module, fun) {
            return Some(SecretKind::Mac);
        }
        if is_transparent(Some(module), fun) {
            return kind_of(first?, src, depth + 1);
        }
        if let Some(index) = lookup_key_index(module, fun) {
            let all: Vec<Node<'_>> = piped.into_iter().chain(args).collect();
            return secret_kind(&literal_key(*all.get(index)?, src)?);
        }
        return secret_kind(fun);
    }
    let name = elixir::local_call_name(call, src)?;
    if is_transparent(None, name) {
        return kind_of(first?, src, depth + 1);
    }
    secret_kind(name)
}

/// `s` on one line, cut to a readable length for messages.
pub fn short(s: &str) -> String {
    let one_line: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 40 {
        let cut: String = one_line.chars().take(37).collect();
        format!("{cut}...")
    } else {
        one_line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_byte_test_rules_out_only_names_the_words_rule_out() {
        for name in [
            "password",
            "db_passwd",
            "PASSPHRASE",
            ":api_token",
            "apiToken",
            "@secret_key_base",
            "privKey",
            "signing_key",
            "hmac_digest",
            "expected_mac",
            "card_number",
            "credit_card",
            "cvv2",
            "token_url",
            "user_name",
            "count",
            "\u{212A}ey",
            "pass\u{212A}ey",
            "",
            "@",
        ] {
            assert_eq!(secret_kind(name), secret_kind_of_words(name), "{name}");
            if !may_name_a_secret(name) {
                assert_eq!(secret_kind_of_words(name), None, "{name}");
            }
        }
        assert!(!may_name_a_secret("user_name"));
        assert!(may_name_a_secret("\u{212A}ey"));
    }

    #[test]
    fn head_nouns_decide() {
        use SecretKind::*;
        for (name, kind) in [
            ("password", Some(Password)),
            ("current_password", Some(Password)),
            ("hashed_password", Some(Password)),
            ("password_hash", Some(Password)),
            ("password_confirmation", Some(Password)),
            ("api_token", Some(Token)),
            ("reset_password_token", Some(Token)),
            ("apiToken", Some(Token)),
            ("x-hub-signature", Some(Mac)),
            ("expected_sig", Some(Mac)),
            ("signature_for", Some(Mac)),
            ("client_secret", Some(Secret)),
            ("secret_key_base", Some(Secret)),
            ("secret_key", Some(Key)),
            ("api_key", Some(Key)),
            ("private_key", Some(Key)),
            ("secret_access_key", Some(Key)),
            ("token2", Some(Token)),
            ("card_number", Some(Card)),
            ("token_count", None),
            ("csrf_token_length", None),
            ("token_expires_at", None),
            ("password_min_length", None),
            ("password_reset_at", None),
            ("max_tokens", None),
            ("tokens", None),
            ("key", None),
            ("access_key_id", None),
            ("user_by_token", None),
            ("get_user_by_session_token", None),
            ("secret_name", None),
            ("signing_salt", None),
            ("has_password", None),
            ("mac", None),
            ("expected_mac", Some(Mac)),
            ("mac_address", None),
        ] {
            assert_eq!(secret_kind(name), kind, "{name}");
        }
    }
}
