//! `missing-secure-headers`: a router pipeline that accepts HTML but does not plug
//! `:put_secure_browser_headers` (Sobelow `Config.Headers`).
//!
//! As in Sobelow, a browser pipeline is one whose `plug :accepts` names `"html"`. A pipeline
//! always piped through together with one that sets the headers is covered by it.

use crate::lint::rules::l5_secure::router::{self, Pipeline};
use crate::lint::{Finding, Fix, LintContext, Rule, RuleDocs, RuleMeta, Severity};

const HEADERS: &[&str] = &["put_secure_browser_headers"];

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "missing-secure-headers",
        level: 5,
        severity: Severity::Warning,
        fixable: true,
        summary: "A router pipeline accepting HTML without `plug :put_secure_browser_headers`",
        docs: RuleDocs {
            why: "`put_secure_browser_headers` sets the headers browsers use to block \
                  click-jacking (`x-frame-options`), MIME sniffing (`x-content-type-options`), \
                  cross-domain policy files and referrer leaks. HTML pages served without them \
                  can be framed by another site and tricked into clicks. Not flagged: pipelines \
                  whose `plug :accepts` does not name `\"html\"` or is computed, pipelines that \
                  pass options to the plug or use an app plug named for the job \
                  (`MyAppWeb.Plugs.SecureEmbedHeaders`), and pipelines piped through (outside \
                  dev/test-only routes) only together with a pipeline, or under an enclosing \
                  scope's, that sets the headers.",
            bad: "pipeline :browser do\n  plug :accepts, [\"html\"]\n  plug :fetch_session\n  plug :fetch_live_flash\n  plug :protect_from_forgery\nend",
            good: "pipeline :browser do\n  plug :accepts, [\"html\"]\n  plug :fetch_session\n  plug :fetch_live_flash\n  plug :protect_from_forgery\n  plug :put_secure_browser_headers\nend",
            fix: "Inserts `plug :put_secure_browser_headers` after `protect_from_forgery` (as \
                  Phoenix generates it), else after the session/flash/layout plugs, else after \
                  `plug :accepts`. Offered one at a time: pages meant to be embedded in other \
                  sites' frames need `put_secure_browser_headers, %{\"x-frame-options\" => …}` \
                  instead.",
        },
        sobelow: &["Config.Headers"],
        ..RuleMeta::BASE
    },
    check: Some(check),
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    for module in ctx.modules().iter().filter(|m| router::is_router(m)) {
        let pipelines = router::pipelines(ctx, module);
        if pipelines.iter().all(|p| !lacks_headers(ctx.source, p)) {
            continue;
        }
        let uses = router::route_uses(ctx, module);
        for pipeline in &pipelines {
            if lacks_headers(ctx.source, pipeline)
                && !router::covered_by_companions(
                    pipeline,
                    &pipelines,
                    &uses,
                    HEADERS,
                    sets_headers,
                    false,
                )
            {
                out.push(finding(ctx.source, pipeline));
            }
        }
    }
}

fn lacks_headers(src: &str, pipeline: &Pipeline<'_>) -> bool {
    pipeline.accepts_html(src) && !sets_headers(pipeline)
}

/// `put_secure_browser_headers`, or a module plug of the app named for the job
/// (`MyAppWeb.Plugs.SecureEmbedHeaders`, `MyAppWeb.Plugs.SecureHeaders`).
fn sets_headers(pipeline: &Pipeline<'_>) -> bool {
    pipeline.has_plug(HEADERS)
        || pipeline.plugs.iter().any(|p| {
            let last = p.name.rsplit('.').next().unwrap_or(p.name);
            p.name.contains('.') && (last.contains("Headers") || last.starts_with("Secure"))
        })
}

fn finding(src: &str, pipeline: &Pipeline<'_>) -> Finding {
    let message = format!(
        "Pipeline `:{}` serves HTML without `plug :put_secure_browser_headers` (click-jacking \
         and content-sniffing protections)",
        pipeline.name
    );
    let mut f = Finding::new(&RULE.meta, pipeline.head.clone(), message);
    let anchor = pipeline
        .last_plug(&["protect_from_forgery", "Plug.CSRFProtection"])
        .or_else(|| {
            pipeline.last_plug(&[
                "fetch_session",
                "fetch_flash",
                "fetch_live_flash",
                "put_root_layout",
                "put_layout",
            ])
        })
        .or_else(|| pipeline.last_plug(&["accepts"]));
    if let Some(edit) =
        anchor.and_then(|a| router::insert_plug_after(src, a.node, "put_secure_browser_headers"))
    {
        f = f.with_fix(Fix::unsafe_(
            "Add `plug :put_secure_browser_headers`",
            vec![edit],
        ));
    }
    f
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::l5_secure::router::fixtures::*;
    use crate::lint::rules::test_support::*;

    const CODE: &str = "missing-secure-headers";
    const PATH: &str = "lib/shop_web/router.ex";

    #[test]
    fn generated_router_is_clean() {
        assert!(findings_of(PHOENIX_17_ROUTER, PATH, CODE).is_empty());
    }

    #[test]
    fn browser_pipeline_without_headers_is_flagged_and_fixed() {
        let src = router_without("    plug :put_secure_browser_headers");
        let found = findings_of(&src, PATH, CODE);
        assert_eq!(found.len(), 1);
        assert!(
            found[0].message.contains("`:browser`"),
            "{}",
            found[0].message
        );
        let fixed = assert_clean_after_fix(&src, PATH, CODE);
        assert!(
            fixed.contains(
                "    plug :protect_from_forgery\n    plug :put_secure_browser_headers\n    plug :fetch_current_user\n"
            ),
            "{fixed}"
        );
        assert_eq!(fixed, PHOENIX_17_ROUTER);
    }

    #[test]
    fn without_csrf_plug_the_fix_follows_the_layout_or_accepts() {
        let src = "defmodule ShopWeb.Router do\n  use ShopWeb, :router\n\n  pipeline :docs do\n    plug :accepts, ~w(html)\n    plug ShopWeb.Plugs.Docs\n  end\n\n  pipeline :browser do\n    plug :accepts, [\"html\"]\n    plug :fetch_session\n    plug :put_root_layout, html: {ShopWeb.Layouts, :root}\n    plug :fetch_current_user\n  end\nend\n";
        assert_eq!(findings_of(src, PATH, CODE).len(), 2);
        let fixed = assert_clean_after_fix(src, PATH, CODE);
        assert!(fixed.contains(
            "    plug :accepts, ~w(html)\n    plug :put_secure_browser_headers\n    plug ShopWeb.Plugs.Docs\n"
        ));
        assert!(fixed.contains(
            "    plug :put_root_layout, html: {ShopWeb.Layouts, :root}\n    plug :put_secure_browser_headers\n    plug :fetch_current_user\n"
        ));
    }

    #[test]
    fn near_misses_are_not_flagged() {
        let src = r#"defmodule HexpmWeb.Router do
  use HexpmWeb, :router

  @accepted_formats ~w(json elixir erlang)

  pipeline :browser do
    plug :accepts, ["html"]
    plug :fetch_session
    plug :protect_from_forgery
    plug :put_secure_browser_headers, %{"content-security-policy" => "default-src 'self'"}
  end

  pipeline :api do
    plug :accepts, ["json"]
    plug :fetch_session
  end

  pipeline :upload do
    plug :accepts, @accepted_formats
  end

  pipeline :admin do
    plug :accepts, ["html"]
    plug HexpmWeb.Plugs.DashboardAuth
  end

  scope "/dashboard" do
    pipe_through [:browser, :admin]
  end
end
"#;
        assert!(findings_of(src, PATH, CODE).is_empty());
    }

    #[test]
    fn app_header_plugs_and_nested_pipelines() {
        let src = r#"defmodule PlausibleWeb.Router do
  use PlausibleWeb, :router

  pipeline :shared_link do
    plug :accepts, ["html"]
    plug PlausibleWeb.Plugs.SecureEmbedHeaders
    plug PlausibleWeb.Plugs.NoRobots
  end

  on_ee do
    pipeline :flags do
      plug :accepts, ["html"]
      plug PlausibleWeb.Plugs.NoRobots
      plug :fetch_session
    end
  end

  scope "/", PlausibleWeb do
    pipe_through [:shared_link]
    get "/share/:domain/*path", StatsController, :shared_link
  end
end
"#;
        let found = findings_of(src, PATH, CODE);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].message.contains("`:flags`"));
        let fixed = assert_clean_after_fix(src, PATH, CODE);
        assert!(fixed.contains(
            "      plug :fetch_session\n      plug :put_secure_browser_headers\n    end"
        ));
    }

    #[test]
    fn a_pipeline_also_used_alone_is_flagged() {
        let src = "defmodule ShopWeb.Router do\n  use ShopWeb, :router\n\n  pipeline :browser do\n    plug :accepts, [\"html\"]\n    plug :put_secure_browser_headers\n  end\n\n  pipeline :embed do\n    plug :accepts, [\"html\"]\n  end\n\n  scope \"/\" do\n    pipe_through [:browser, :embed]\n  end\n\n  scope \"/widget\" do\n    pipe_through :embed\n  end\nend\n";
        let found = findings_of(src, PATH, CODE);
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("`:embed`"));
    }
}
