//! `missing-csrf-protection`: a router pipeline that fetches the session but does not plug
//! `:protect_from_forgery` (Sobelow `Config.CSRF`).
//!
//! Like Sobelow, the trigger is `plug :fetch_session`: the session cookie is what a forged
//! cross-site request rides on, and `protect_from_forgery` needs the session to store its token.
//! Two refinements keep reviewers on side: a pipeline that only accepts non-HTML formats
//! (`plug :accepts, ["json"]`) is an API whose clients could not send the token, and a pipeline
//! piped through together with a protecting one wherever its routes change state is covered by
//! it (see [`router::covered_by_companions`]).

use crate::lint::rules::l5_secure::router::{self, Pipeline};
use crate::lint::{Finding, Fix, LintContext, Rule, RuleDocs, RuleMeta, Severity};

/// The plugs that provide CSRF protection.
const PROTECTION: &[&str] = &["protect_from_forgery", "Plug.CSRFProtection"];

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "missing-csrf-protection",
        level: 5,
        severity: Severity::Error,
        fixable: true,
        summary: "A router pipeline that fetches the session without `plug :protect_from_forgery`",
        docs: RuleDocs {
            why: "A pipeline that fetches the session authenticates requests by cookie. Without \
                  `plug :protect_from_forgery`, another site can make a logged-in user's browser \
                  submit forms to these routes (cross-site request forgery): change their email, \
                  post on their behalf, delete data. Not flagged: pipelines that do not fetch the \
                  session, pipelines whose `plug :accepts` lists only non-HTML formats (APIs whose \
                  non-browser clients have no token to send), `protect_from_forgery` with options or \
                  `Plug.CSRFProtection`, and pipelines that are piped through together with a \
                  protecting pipeline (or under an enclosing scope's) wherever routes change \
                  state, their other uses being dev/test-only routes or scopes with only \
                  `get`/`live` routes.",
            bad: "pipeline :browser do\n  plug :accepts, [\"html\"]\n  plug :fetch_session\n  plug :fetch_live_flash\n  plug :put_root_layout, html: {ShopWeb.Layouts, :root}\n  plug :put_secure_browser_headers\nend",
            good: "pipeline :browser do\n  plug :accepts, [\"html\"]\n  plug :fetch_session\n  plug :fetch_live_flash\n  plug :protect_from_forgery\n  plug :put_root_layout, html: {ShopWeb.Layouts, :root}\n  plug :put_secure_browser_headers\nend",
            fix: "Inserts `plug :protect_from_forgery` after the pipeline's `fetch_session` / \
                  `fetch_flash` / `fetch_live_flash` plug. Offered one at a time: forms rendered \
                  without `csrf_token` (or posted from elsewhere) start failing with \
                  `Plug.CSRFProtection.InvalidCSRFTokenError`.",
        },
        sobelow: &["Config.CSRF"],
        ..RuleMeta::BASE
    },
    check: Some(check),
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    for module in ctx.modules().iter().filter(|m| router::is_router(m)) {
        let pipelines = router::pipelines(ctx, module);
        if pipelines.iter().all(|p| !needs_protection(ctx.source, p)) {
            continue;
        }
        let uses = router::route_uses(ctx, module);
        for pipeline in &pipelines {
            if needs_protection(ctx.source, pipeline)
                && !router::covered_by_companions(
                    pipeline,
                    &pipelines,
                    &uses,
                    PROTECTION,
                    |p| p.has_plug(PROTECTION),
                    true,
                )
            {
                out.push(finding(ctx.source, pipeline));
            }
        }
    }
}

/// Fetches the session, may serve browsers, and has no CSRF plug of its own.
fn needs_protection(src: &str, pipeline: &Pipeline<'_>) -> bool {
    let api_only = pipeline
        .accepts(src)
        .is_some_and(|formats| !formats.iter().any(|f| f == "html"));
    pipeline.has_plug(&["fetch_session"]) && !api_only && !pipeline.has_plug(PROTECTION)
}

fn finding(src: &str, pipeline: &Pipeline<'_>) -> Finding {
    let message = format!(
        "Pipeline `:{}` fetches the session but does not `plug :protect_from_forgery`: its \
         routes accept forged cross-site requests",
        pipeline.name
    );
    let mut f = Finding::new(&RULE.meta, pipeline.head.clone(), message);
    let anchor = pipeline.last_plug(&["fetch_session", "fetch_flash", "fetch_live_flash"]);
    if let Some(edit) =
        anchor.and_then(|a| router::insert_plug_after(src, a.node, "protect_from_forgery"))
    {
        f = f.with_fix(Fix::unsafe_("Add `plug :protect_from_forgery`", vec![edit]));
    }
    f
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::l5_secure::router::fixtures::*;
    use crate::lint::rules::test_support::*;

    const CODE: &str = "missing-csrf-protection";
    const PATH: &str = "lib/shop_web/router.ex";

    #[test]
    fn generated_router_is_clean() {
        assert!(findings_of(PHOENIX_17_ROUTER, PATH, CODE).is_empty());
    }

    #[test]
    fn browser_pipeline_without_protection_is_flagged_and_fixed() {
        let src = router_without("    plug :protect_from_forgery");
        let found = findings_of(&src, PATH, CODE);
        assert_eq!(found.len(), 1);
        assert!(
            found[0].message.contains("`:browser`"),
            "{}",
            found[0].message
        );
        assert_eq!(&src[found[0].range.clone()], "pipeline :browser");
        assert!(!found[0].fix.as_ref().unwrap().safe);
        let fixed = assert_clean_after_fix(&src, PATH, CODE);
        assert!(
            fixed.contains(
                "    plug :fetch_live_flash\n    plug :protect_from_forgery\n    plug :put_root_layout"
            ),
            "{fixed}"
        );
    }

    #[test]
    fn parenthesised_plugs_keep_their_style() {
        let src = "defmodule GlificWeb.Router do\n  use GlificWeb, :router\n\n  pipeline :browser do\n    plug(:accepts, [\"html\"])\n    plug(:fetch_session)\n    plug(:put_secure_browser_headers)\n  end\nend\n";
        let fixed = assert_clean_after_fix(src, PATH, CODE);
        assert!(
            fixed.contains("    plug(:fetch_session)\n    plug(:protect_from_forgery)\n"),
            "{fixed}"
        );
    }

    #[test]
    fn session_fetching_pipeline_without_accepts_is_flagged() {
        // changelog.com: `:browser` leaves CSRF to `:admin`, but public routes pipe through
        // `[:public, :browser]` only.
        let src = r#"defmodule ChangelogWeb.Router do
  use ChangelogWeb, :router

  pipeline :public do
    plug Plug.Robots
  end

  pipeline :admin do
    plug :protect_from_forgery
  end

  pipeline :browser do
    plug :accepts, ["html", "js"]
    plug :fetch_session
    plug :fetch_live_flash
    plug :put_secure_browser_headers
  end

  scope "/admin", ChangelogWeb.Admin do
    pipe_through [:browser, :admin]
    resources "/episodes", EpisodeController
  end

  scope "/", ChangelogWeb do
    pipe_through [:public, :browser]
    post "/subscribe", PersonController, :subscribe
  end
end
"#;
        let found = findings_of(src, PATH, CODE);
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("`:browser`"));
        assert_clean_after_fix(src, PATH, CODE);
    }

    #[test]
    fn companions_and_enclosing_scopes_cover_a_pipeline() {
        let src = r#"defmodule ShopWeb.Router do
  use Phoenix.Router

  pipeline :session do
    plug :fetch_session
    plug :protect_from_forgery
  end

  pipeline :admin_session do
    plug :accepts, ["html"]
    plug :fetch_session
    plug ShopWeb.AdminAuth
  end

  scope "/admin" do
    pipe_through :session

    scope "/reports" do
      pipe_through :admin_session
      get "/", ReportController, :index
    end
  end

  scope "/legacy" do
    pipe_through [:admin_session, :protect_from_forgery]
    post "/import", ImportController, :create
  end
end
"#;
        assert!(findings_of(src, PATH, CODE).is_empty());
    }

    /// plausible/analytics composes CSRF protection: `:browser` fetches the session and
    /// `:csrf` protects; routes that change state pipe through both.
    const COMPOSED: &str = r#"defmodule PlausibleWeb.Router do
  use PlausibleWeb, :router
  use Plausible

  pipeline :browser do
    plug :accepts, ["html"]
    plug :fetch_session
    plug :fetch_live_flash
    plug :put_secure_browser_headers
    plug PlausibleWeb.AuthPlug
  end

  pipeline :csrf do
    plug :protect_from_forgery
  end

  on_ee do
    pipeline :sso_saml do
      plug :accepts, ["html"]
      plug PlausibleWeb.Plugs.SecureSSO
      plug :fetch_session
      plug :fetch_live_flash
    end
  end

  scope "/", PlausibleWeb do
    pipe_through :browser
    live_storybook("/storybook", backend_module: PlausibleWeb.Storybook)
  end

  if Mix.env() in [:dev, :ce_dev] do
    scope "/dev", PlausibleWeb do
      pipe_through :browser
      post "/billing/create-subscription/:plan_id", DevSubscriptionController, :create
    end
  end

  scope "/settings", PlausibleWeb do
    pipe_through [:browser, :csrf, PlausibleWeb.RequireAccountPlug]

    get "/", SettingsController, :index
    post "/preferences/name", SettingsController, :update_name
  end

  scope "/sso/saml", PlausibleWeb do
    pipe_through [:sso_saml]
    post "/consume/:integration_id", SSOController, :saml_consume
  end
end
"#;

    #[test]
    fn composed_protection_with_read_only_and_dev_uses_is_fine() {
        let found = findings_of(COMPOSED, PATH, CODE);
        // Only the SAML pipeline (nested in `on_ee do … end`) takes cross-site POSTs unprotected.
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].message.contains("`:sso_saml`"));
        assert_clean_after_fix(COMPOSED, PATH, CODE);
    }

    #[test]
    fn an_unprotected_use_with_state_changing_routes_is_flagged() {
        let src = COMPOSED.replace(
            "    live_storybook(\"/storybook\", backend_module: PlausibleWeb.Storybook)\n",
            "    live_storybook(\"/storybook\", backend_module: PlausibleWeb.Storybook)\n    post \"/error_report\", ErrorReportController, :submit\n",
        );
        let found = findings_of(&src, PATH, CODE);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].message.contains("`:browser`"));
    }

    #[test]
    fn near_misses_are_not_flagged() {
        let src = r#"defmodule HexpmWeb.Router do
  use HexpmWeb, :router

  pipeline :browser do
    plug :accepts, ~w(html)
    plug :fetch_session
    plug :fetch_flash
    plug :protect_from_forgery, with: :clear_session
    plug :put_secure_browser_headers
  end

  pipeline :embedded do
    plug :accepts, ["html"]
    plug :fetch_session
    plug Plug.CSRFProtection
  end

  pipeline :api do
    plug :accepts, ["json"]
    plug :fetch_session
    plug :fetch_current_user
  end

  pipeline :public do
    plug :accepts, ["html"]
    plug :put_secure_browser_headers
  end
end
"#;
        assert!(findings_of(src, PATH, CODE).is_empty());
    }

    #[test]
    fn crlf_routers_and_router_options_are_handled() {
        let src = "defmodule ShopWeb.Router do\r\n  use Phoenix.Router, helpers: false\r\n\r\n  pipeline :browser do\r\n    plug :accepts, [\"html\"]\r\n    plug :fetch_session\r\n  end\r\nend\r\n";
        let fixed = assert_clean_after_fix(src, PATH, CODE);
        assert!(
            fixed.contains("    plug :fetch_session\r\n    plug :protect_from_forgery\r\n  end"),
            "{fixed:?}"
        );
    }

    #[test]
    fn pipelines_outside_a_router_are_ignored() {
        let src = "defmodule ShopWeb.Pipelines do\n  use Plug.Builder\n\n  pipeline :browser do\n    plug :fetch_session\n  end\nend\n";
        assert!(findings_of(src, "lib/shop_web/pipelines.ex", CODE).is_empty());
    }

    #[test]
    fn unused_pipeline_is_judged_on_its_own() {
        let src = "defmodule ShopWeb.Router do\n  use Phoenix.Router\n\n  pipeline :browser do\n    plug :fetch_session\n    plug :fetch_flash\n  end\nend\n";
        let fixed = assert_clean_after_fix(src, PATH, CODE);
        assert!(fixed.contains("    plug :fetch_flash\n    plug :protect_from_forgery\n  end"));
    }
}
