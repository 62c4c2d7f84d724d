//! `websocket-origin-unchecked`: `check_origin: false` on an endpoint or socket (Sobelow
//! `Config.CSWH`).
//!
//! Two places: a `config :app, SomeEndpoint, check_origin: false` in a config script that
//! configures production, and `socket "/path", Mod, websocket: [check_origin: false]` (or
//! `longpoll:`) in application code. Sobelow only looks at the second.

use crate::syntax::Fields as _;
use crate::syntax::Node;

use crate::lint::rules::l5_secure::config_scripts;
use crate::lint::{Finding, LintContext, Rule, RuleDocs, RuleMeta, Severity};
use crate::syntax::{elixir, text};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "websocket-origin-unchecked",
        level: 5,
        severity: Severity::Warning,
        summary: "`check_origin: false` on an endpoint or socket (cross-site WebSocket hijacking)",
        docs: RuleDocs {
            why: "Browsers do not apply the same-origin policy to WebSockets: any page a user \
                  visits can open a socket to your endpoint with the user's cookies. Phoenix \
                  defends by checking the `Origin` header against the endpoint's host; \
                  `check_origin: false` turns that off, so a malicious site can join channels \
                  and LiveViews as the user (cross-site WebSocket hijacking). Not flagged: \
                  `config/dev.exs`, `config/test.exs` (and their `.secret` companions), tests, \
                  blocks that only run in dev or test (`if config_env() == :dev`), and \
                  `check_origin` set to a list of origins, a function or `:conn`.",
            bad: "config :shop, ShopWeb.Endpoint,\n  url: [host: \"shop.example.com\", port: 443],\n  check_origin: false",
            good: "config :shop, ShopWeb.Endpoint,\n  url: [host: \"shop.example.com\", port: 443],\n  check_origin: [\"https://shop.example.com\", \"https://www.shop.example.com\"]",
            fix: "List the origins allowed to connect (`check_origin: [\"https://example.com\"]`, \
                  `\"//*.example.com\"` for subdomains), or use `:conn` to accept the host the \
                  request came to, or leave the default (`true`: the endpoint's `url` host).",
        },
        sobelow: &["Config.CSWH"],
        ..RuleMeta::BASE
    },
    check: Some(check),
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    let in_config = config_scripts::configures_production(ctx.file);
    let in_code = !ctx.file.is_config() && !ctx.file.is_test();
    // Every finding is a `check_origin: false`: most files have none.
    if (!in_config && !in_code) || !ctx.source.contains("check_origin") {
        return;
    }
    for call in &ctx.nodes().calls {
        let found = if in_config {
            endpoint_config(ctx.source, *call)
        } else {
            socket_declaration(ctx.source, *call)
        };
        if let Some(f) = found
            && !config_scripts::dev_or_test_only(*call, ctx.source)
        {
            out.push(f);
        }
    }
}

/// `config :app, Endpoint, check_origin: false`.
fn endpoint_config(src: &str, call: Node<'_>) -> Option<Finding> {
    let config = config_scripts::config_call(call, src)?;
    let pair = disabled_check(config.keywords, src)?;
    let target = config
        .key
        .map(|k| format!("`{}`", text(k, src)))
        .unwrap_or_else(|| "the endpoint".to_string());
    Some(Finding::new(
        &RULE.meta,
        pair.byte_range(),
        format!(
            "`check_origin: false` on {target} accepts WebSocket connections from any site \
             (cross-site WebSocket hijacking); list the allowed origins"
        ),
    ))
}

/// `socket "/live", Mod, websocket: [check_origin: false]` (or `longpoll:`).
fn socket_declaration(src: &str, call: Node<'_>) -> Option<Finding> {
    if elixir::local_call_name(call, src) != Some("socket") {
        return None;
    }
    let args = elixir::call_args(call);
    let [path, module, opts] = args.as_slice() else {
        return None;
    };
    if path.kind() != "string" || module.kind() != "alias" || opts.kind() != "keywords" {
        return None;
    }
    ["websocket", "longpoll"].iter().find_map(|transport| {
        let value = elixir::keyword_value(*opts, src, transport)?;
        let transport_opts = match value.kind() {
            "keywords" => value,
            "list" => value
                .named_children(&mut value.walk())
                .find(|c| c.kind() == "keywords")?,
            _ => return None,
        };
        let pair = disabled_check(transport_opts, src)?;
        Some(Finding::new(
            &RULE.meta,
            pair.byte_range(),
            format!(
                "`check_origin: false` on the {transport} of socket {} (`{}`) accepts \
                 connections from any site (cross-site WebSocket hijacking); list the allowed \
                 origins",
                text(*path, src),
                text(*module, src)
            ),
        ))
    })
}

/// The `check_origin: false` pair of a keyword list.
fn disabled_check<'t>(keywords: Node<'t>, src: &str) -> Option<Node<'t>> {
    let pair = config_scripts::pair(keywords, src, "check_origin")?;
    let value = pair.field("value")?;
    (text(value, src) == "false").then_some(pair)
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_support::*;

    const CODE: &str = "websocket-origin-unchecked";

    const ENDPOINT: &str = r#"defmodule ShopWeb.Endpoint do
  use Phoenix.Endpoint, otp_app: :shop

  @session_options [
    store: :cookie,
    key: "_shop_key",
    signing_salt: "x8nN0b2Q",
    same_site: "Lax"
  ]

  socket "/live", Phoenix.LiveView.Socket,
    websocket: [connect_info: [session: @session_options]],
    longpoll: [connect_info: [session: @session_options]]

  socket "/socket", ShopWeb.UserSocket,
    websocket: true,
    longpoll: false

  plug Plug.Static, at: "/", from: :shop, gzip: false
  plug ShopWeb.Router
end
"#;

    #[test]
    fn generated_endpoint_is_clean() {
        assert!(findings_of(ENDPOINT, "lib/shop_web/endpoint.ex", CODE).is_empty());
    }

    #[test]
    fn socket_without_origin_check_is_flagged() {
        let src = ENDPOINT.replace(
            "websocket: [connect_info: [session: @session_options]],",
            "websocket: [check_origin: false, connect_info: [session: @session_options]],",
        );
        let found = findings_of(&src, "lib/shop_web/endpoint.ex", CODE);
        assert_eq!(found.len(), 1);
        assert_eq!(&src[found[0].range.clone()], "check_origin: false");
        assert!(
            found[0].message.contains("websocket of socket \"/live\""),
            "{}",
            found[0].message
        );
        assert!(found[0].message.contains("Phoenix.LiveView.Socket"));
    }

    #[test]
    fn longpoll_is_checked_too() {
        let src = "defmodule ShopWeb.Endpoint do\n  use Phoenix.Endpoint, otp_app: :shop\n\n  socket \"/socket\", ShopWeb.UserSocket,\n    websocket: true,\n    longpoll: [check_origin: false]\nend\n";
        let found = findings_of(src, "lib/shop_web/endpoint.ex", CODE);
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("longpoll"));
    }

    #[test]
    fn endpoint_config_in_production_scripts_is_flagged() {
        let prod = "import Config\n\nconfig :shop, ShopWeb.Endpoint,\n  url: [host: \"shop.example.com\", port: 443],\n  check_origin: false,\n  cache_static_manifest: \"priv/static/cache_manifest.json\"\n";
        for path in ["config/prod.exs", "config/config.exs", "config/runtime.exs"] {
            let found = findings_of(prod, path, CODE);
            assert_eq!(found.len(), 1, "{path}");
            assert!(found[0].message.contains("`ShopWeb.Endpoint`"));
        }
        let runtime = "import Config\n\nif config_env() == :prod do\n  host = System.get_env(\"PHX_HOST\") || \"example.com\"\n\n  config :shop, ShopWeb.Endpoint,\n    url: [host: host, port: 443, scheme: \"https\"],\n    check_origin: false\nend\n";
        assert_eq!(findings_of(runtime, "config/runtime.exs", CODE).len(), 1);
    }

    #[test]
    fn dev_and_test_configuration_is_not_flagged() {
        let dev = "import Config\n\nconfig :shop, ShopWeb.Endpoint,\n  http: [ip: {127, 0, 0, 1}, port: 4000],\n  check_origin: false,\n  code_reloader: true\n";
        for path in ["config/dev.exs", "config/test.exs", "config/dev.secret.exs"] {
            assert!(findings_of(dev, path, CODE).is_empty(), "{path}");
        }
        let runtime = "import Config\n\nif config_env() == :dev do\n  config :shop, ShopWeb.Endpoint, check_origin: false\nend\n\nif config_env() == :prod do\n  config :shop, ShopWeb.Endpoint, server: true\nelse\n  config :shop, ShopWeb.Endpoint, check_origin: false\nend\n\nunless config_env() == :prod do\n  config :shop, ShopWeb.Endpoint, check_origin: false\nend\n";
        assert!(findings_of(runtime, "config/runtime.exs", CODE).is_empty());
        let test_socket = ENDPOINT.replace("websocket: true", "websocket: [check_origin: false]");
        assert!(findings_of(&test_socket, "test/support/endpoint.ex", CODE).is_empty());
    }

    #[test]
    fn explicit_origins_are_fine() {
        let prod = "import Config\n\nconfig :shop, ShopWeb.Endpoint,\n  check_origin: [\"https://shop.example.com\", \"//*.shop.example.com\"]\n\nconfig :shop, ShopWeb.Endpoint, check_origin: :conn\nconfig :shop, ShopWeb.Endpoint, check_origin: {ShopWeb.Origins, :allowed?, []}\nconfig :shop, ShopWeb.Endpoint, check_origin: true\n";
        assert!(findings_of(prod, "config/prod.exs", CODE).is_empty());
        let code = ENDPOINT.replace(
            "websocket: true",
            "websocket: [check_origin: [\"https://shop.example.com\"]]",
        );
        assert!(findings_of(&code, "lib/shop_web/endpoint.ex", CODE).is_empty());
    }
}
