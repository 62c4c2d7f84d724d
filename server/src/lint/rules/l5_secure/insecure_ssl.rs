//! `insecure-ssl`: TLS certificate verification turned off.
//!
//! Flags `verify: :verify_none` (and `{:verify, :verify_none}`) wherever SSL options are given:
//! `:ssl.connect`, `:httpc` (`ssl: [...]`), Mint/Finch/Req (`transport_opts: [...]`), Ecto repos
//! (`ssl_opts: [...]`), and hackney's `insecure: true` / `:insecure` (HTTPoison `hackney: [...]`,
//! `:hackney.request`, `Tesla.Adapter.Hackney`). `insecure` is only read in hackney's options,
//! where it is known to disable verification.

use crate::syntax::Fields as _;
use crate::syntax::Node;

use crate::lint::{Finding, LintContext, Rule, RuleDocs, RuleMeta, Severity};
use crate::syntax::{elixir, text};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "insecure-ssl",
        level: 5,
        severity: Severity::Error,
        fixable: false,
        summary: "`verify: :verify_none` (or hackney `insecure: true`) in SSL/HTTP client options",
        docs: RuleDocs {
            why: "With `verify: :verify_none` the client accepts any certificate, so anyone on \
                  the network path (a compromised router, a hostile Wi-Fi, a cloud neighbour) can \
                  impersonate the server and read or change the traffic, credentials included: \
                  TLS without verification only protects against passive eavesdroppers. Flagged \
                  in any option list (`:ssl`, `:httpc`, Mint, Finch, Req, Ecto `ssl_opts`) and \
                  hackney's `insecure: true` / `:insecure` (HTTPoison, Tesla). Not flagged: \
                  `verify: :verify_peer`, `config/dev.exs`, `config/test.exs` and test files \
                  (local certificates), and comments.",
            bad: "def fetch_rates do\n  HTTPoison.get(\"https://rates.example.com/v1/latest\", [],\n    ssl: [verify: :verify_none]\n  )\nend",
            good: "def fetch_rates do\n  HTTPoison.get(\"https://rates.example.com/v1/latest\", [],\n    ssl: [verify: :verify_peer, cacertfile: CAStore.file_path()]\n  )\nend",
            fix: "Verify the peer: `verify: :verify_peer` with the system CA store \
                  (`cacerts: :public_key.cacerts_get()` on OTP 25+) or `CAStore.file_path()`, \
                  plus `server_name_indication` and `customize_hostname_check` for wildcard \
                  certificates. For a database with a self-signed certificate, pin its CA with \
                  `cacertfile:` instead of turning verification off.",
        },
        scope: crate::lint::Scope::Function,
        ..RuleMeta::BASE
    },
    check: Some(check),
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    let rel = ctx.file.project_rel.as_str();
    if ctx.file.is_test() || matches!(rel, "config/dev.exs" | "config/test.exs") {
        return;
    }
    let src = ctx.source;
    // Every finding names `:verify_none` or hackney's `insecure`: most files have neither.
    if !src.contains("verify_none") && !src.contains("insecure") {
        return;
    }
    let nodes = ctx.nodes();
    for pair in &nodes.pairs {
        if let Some(f) = pair_finding(*pair, src) {
            out.push(f);
        }
    }
    // Erlang-style `{:verify, :verify_none}` tuples in option lists given to calls, keywords
    // and assignments (`opts = [...]`).
    let lists = nodes
        .calls
        .iter()
        .flat_map(|c| elixir::call_args(*c))
        .chain(nodes.pairs.iter().filter_map(|p| p.field("value")))
        .chain(
            nodes
                .binary_operators
                .iter()
                .filter(|op| elixir::is_binary_op(**op, src, "="))
                .filter_map(|op| op.field("right")),
        )
        .filter(|n| n.kind() == "list");
    for list in lists {
        for item in named_children(list) {
            if item.kind() == "tuple" && tuple_option(item, src) == Some(("verify", "verify_none"))
            {
                out.push(finding(item, "{:verify, :verify_none}", src));
            }
        }
    }
}

/// The finding for `verify: :verify_none`, or hackney's `insecure: true`.
fn pair_finding(pair: Node<'_>, src: &str) -> Option<Finding> {
    let key = elixir::keyword_key(pair.field("key")?, src);
    let value = text(pair.field("value")?, src);
    match (key, value) {
        ("verify", ":verify_none") => Some(finding(pair, "verify: :verify_none", src)),
        ("insecure", "true") if in_hackney_options(pair, src) => {
            Some(finding(pair, "insecure: true", src))
        }
        ("hackney", _) => {
            // `hackney: [:insecure]`
            let list = pair.field("value")?;
            let atom = (list.kind() == "list")
                .then(|| named_children(list).find(|n| text(*n, src) == ":insecure"))
                .flatten()?;
            Some(finding(atom, ":insecure", src))
        }
        _ => None,
    }
}

/// `{:key, :value}` read as `(key, value)` when both are atoms.
fn tuple_option<'a>(tuple: Node<'_>, src: &'a str) -> Option<(&'a str, &'a str)> {
    let items: Vec<Node<'_>> = named_children(tuple).collect();
    match items.as_slice() {
        [k, v] if k.kind() == "atom" && v.kind() == "atom" => Some((
            text(*k, src).trim_start_matches(':'),
            text(*v, src).trim_start_matches(':'),
        )),
        _ => None,
    }
}

/// Whether a keyword pair is one of hackney's options: under `hackney:`, passed to `:hackney.*`,
/// or in `{Tesla.Adapter.Hackney, ...}`.
fn in_hackney_options(pair: Node<'_>, src: &str) -> bool {
    let mut node = pair;
    for _ in 0..6 {
        let Some(parent) = node.parent() else {
            return false;
        };
        match parent.kind() {
            "pair" => {
                return parent
                    .field("key")
                    .is_some_and(|k| elixir::keyword_key(k, src) == "hackney");
            }
            "call" => {
                return elixir::remote_call(parent, src).is_some_and(|(m, _)| m == ":hackney");
            }
            "tuple" => {
                return named_children(parent)
                    .next()
                    .is_some_and(|first| text(first, src).ends_with("Adapter.Hackney"));
            }
            _ => node = parent,
        }
    }
    false
}

fn finding(node: Node<'_>, option: &str, src: &str) -> Finding {
    let place = enclosing_call(node, src)
        .map(|c| format!(" passed to `{c}`"))
        .unwrap_or_default();
    Finding::new(
        &RULE.meta,
        node.byte_range(),
        format!(
            "`{option}`{place} turns off TLS certificate verification: anyone on the network \
             path can impersonate the server"
        ),
    )
}

/// `Mod.fun` of the remote call whose options hold `node`, if it is the nearest call.
fn enclosing_call(node: Node<'_>, src: &str) -> Option<String> {
    let call = elixir::ancestor(node, |n| n.kind() == "call")?;
    let (module, fun) = elixir::remote_call(call, src)?;
    Some(format!("{module}.{fun}"))
}

fn named_children(node: Node<'_>) -> impl Iterator<Item = Node<'_>> {
    let mut c = node.walk();
    node.named_children(&mut c).collect::<Vec<_>>().into_iter()
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_support::*;

    const CODE: &str = "insecure-ssl";

    #[test]
    fn http_clients_without_verification() {
        let src = r#"defmodule Shop.Rates do
  @finch_opts [conn_opts: [transport_opts: [verify: :verify_none]]]

  def fetch(url) do
    HTTPoison.get(url, [], ssl: [verify: :verify_none], hackney: [:insecure])
  end

  def legacy(url) do
    :httpc.request(:get, {String.to_charlist(url), []}, [ssl: [{:verify, :verify_none}]], [])
  end

  def raw(host) do
    opts = [{:verify, :verify_none}, {:active, false}]
    :ssl.connect(String.to_charlist(host), 443, opts)
  end

  def client do
    Tesla.client([], {Tesla.Adapter.Hackney, insecure: true})
  end

  def req(url), do: Req.get!(url, connect_options: [transport_opts: [verify: :verify_none]])
end
"#;
        let found = findings_of(src, "lib/shop/rates.ex", CODE);
        assert_eq!(found.len(), 7, "{found:#?}");
        assert!(
            found[1].message.contains("passed to `HTTPoison.get`"),
            "{}",
            found[1].message
        );
        assert!(found.iter().all(|f| f.fix.is_none()));
    }

    #[test]
    fn prod_repo_config_is_flagged() {
        let src = "import Config\n\nconfig :shop, Shop.Repo,\n  url: System.fetch_env!(\"DATABASE_URL\"),\n  ssl: true,\n  ssl_opts: [verify: :verify_none]\n";
        assert_eq!(findings_of(src, "config/runtime.exs", CODE).len(), 1);
        assert!(findings_of(src, "config/dev.exs", CODE).is_empty());
        assert!(findings_of(src, "test/support/conn_case.ex", CODE).is_empty());
    }

    #[test]
    fn near_misses() {
        let src = r#"defmodule Shop.Rates do
  # Never use verify: :verify_none here.
  def fetch(url) do
    HTTPoison.get(url, [],
      ssl: [verify: :verify_peer, cacerts: :public_key.cacerts_get()],
      hackney: [pool: :default]
    )
  end

  def options(insecure), do: [insecure: true, verify: insecure]
  def mode, do: {:verify, :verify_peer}
end
"#;
        let found = findings_of(src, "lib/shop/rates.ex", CODE);
        assert!(found.is_empty(), "{found:#?}");
    }

    #[test]
    fn docs_examples() {
        let docs = &super::RULE.meta.docs;
        assert!(!findings_of(docs.bad, "lib/shop/rates.ex", CODE).is_empty());
        assert!(findings_of(docs.good, "lib/shop/rates.ex", CODE).is_empty());
    }
}
