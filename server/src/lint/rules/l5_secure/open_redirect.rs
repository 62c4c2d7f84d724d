//! `open-redirect`: `redirect(conn, external: url)` where request input chooses the URL's
//! origin.

use crate::lint::analysis::taint::SinkKind;
use crate::lint::{Finding, LintContext, Rule, RuleDocs, RuleMeta, Severity};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "open-redirect",
        level: 5,
        severity: Severity::Warning,
        fixable: false,
        summary: "`redirect(conn, external: ...)` to a URL taken from the request",
        docs: RuleDocs {
            why: "A redirect to a URL from the request (`?return_to=https://evil.example`) lets \
                  anyone send your users, from a link on your domain, to a phishing page. The rule \
                  follows request input (params, headers such as `referer`) to the `external:` \
                  option of `redirect/2`. Not flagged: `redirect(conn, to: path)` (Phoenix only \
                  accepts local paths there), URLs whose origin is a literal \
                  (`\"https://example.com/search?q=\" <> q`), and values checked against a fixed \
                  list.",
            bad: "def callback(conn, %{\"return_to\" => return_to}) do\n  redirect(conn, external: return_to)\nend",
            good: "def callback(conn, %{\"return_to\" => return_to}) do\n  redirect(conn, to: local_path(return_to))\nend\n\ndefp local_path(\"/\" <> _ = path), do: if(String.starts_with?(path, \"//\"), do: \"/\", else: path)\ndefp local_path(_), do: \"/\"",
            fix: "Redirect with `to:` to a local path, or check the URL's host against an allow \
                  list before redirecting.",
        },
        sobelow: &[],
        scope: crate::lint::Scope::Mentions(crate::lint::analysis::taint::sinks::SINK_MENTIONS),
        ..RuleMeta::BASE
    },
    check: Some(check),
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    if ctx.file.is_test() {
        return;
    }
    for hit in ctx.flow().of(SinkKind::Redirect) {
        let Some(flow) = hit.request_flow(|f| !f.after_origin) else {
            continue;
        };
        let message = format!(
            "Open redirect: {}; redirect with `to:` to a local path or check the host against an allow list",
            hit.reach(flow, |b| ctx.line_of(b))
        );
        out.push(Finding::new(&RULE.meta, hit.arg.byte_range(), message));
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_support::*;

    const CODE: &str = "open-redirect";
    const PATH: &str = "lib/shop_web/controllers/session_controller.ex";

    fn found(src: &str) -> Vec<String> {
        findings_of(src, PATH, CODE)
            .into_iter()
            .map(|f| f.message)
            .collect()
    }

    #[test]
    fn return_urls_and_referers() {
        let src = r#"defmodule ShopWeb.SessionController do
  use ShopWeb, :controller

  def create(conn, %{"user" => user_params} = params) do
    case Shop.Accounts.authenticate(user_params) do
      {:ok, user} ->
        conn
        |> put_session(:user_id, user.id)
        |> redirect(external: params["return_to"] || "/")

      {:error, _} ->
        [referer | _] = get_req_header(conn, "referer")
        redirect(conn, external: referer)
    end
  end
end
"#;
        let messages = found(src);
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(
            messages[0].contains("`params[\"return_to\"]` reaches `redirect/2`"),
            "{}",
            messages[0]
        );
        assert!(
            messages[1].contains("get_req_header(conn, \"referer\")"),
            "{}",
            messages[1]
        );
    }

    #[test]
    fn local_paths_and_fixed_origins_are_fine() {
        let src = r#"defmodule ShopWeb.SearchController do
  use ShopWeb, :controller

  def index(conn, %{"q" => q, "return_to" => return_to}) do
    conn
    |> redirect(external: "https://search.example.com/results?q=" <> URI.encode_www_form(q))
  end

  def show(conn, %{"q" => q}) do
    redirect(conn, external: "https://docs.example.com/#{q}")
  end

  def back(conn, %{"return_to" => return_to}) do
    redirect(conn, to: return_to)
  end

  def go(conn, %{"site" => site}) when site in ["https://a.example", "https://b.example"] do
    redirect(conn, external: site)
  end
end
"#;
        assert_eq!(found(src), Vec::<String>::new());
    }
}
