//! `xss-send-resp`: request input in the body of an HTML response sent without a template
//! (`send_resp/3` after an HTML content type, `html/2`).

use crate::lint::analysis::taint::SinkKind;
use crate::lint::{Finding, LintContext, Rule, RuleDocs, RuleMeta, Severity};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "xss-send-resp",
        level: 5,
        severity: Severity::Warning,
        fixable: false,
        summary: "Request input in an HTML body sent with `send_resp`/`html` (no escaping)",
        docs: RuleDocs {
            why: "Templates escape what they interpolate; `send_resp/3` and `html/2` send the body \
                  as it is. Request input in an HTML body runs as script in the user's browser \
                  (reflected XSS). Flagged: request input reaching the body of `html/2`, or of \
                  `send_resp/3`/`resp/3` in a function that sets an HTML content type \
                  (`put_resp_content_type(\"text/html\")`). Not flagged: `send_resp` without an \
                  HTML content type (JSON and plain-text APIs), escaped values \
                  (`Phoenix.HTML.html_escape/1`, `Plug.HTML.html_escape/1`), and `json/2`.",
            bad: "def greet(conn, %{\"name\" => name}) do\n  conn\n  |> put_resp_content_type(\"text/html\")\n  |> send_resp(200, \"<h1>Hello #{name}</h1>\")\nend",
            good: "def greet(conn, %{\"name\" => name}) do\n  conn\n  |> put_resp_content_type(\"text/html\")\n  |> send_resp(200, \"<h1>Hello #{Plug.HTML.html_escape(name)}</h1>\")\nend",
            fix: "Render a template (it escapes), or escape with `Plug.HTML.html_escape/1` / \
                  `Phoenix.HTML.html_escape/1` before building the body.",
        },
        sobelow: &["XSS.SendResp"],
        scope: crate::lint::Scope::Mentions(crate::lint::analysis::taint::sinks::SINK_MENTIONS),
        ..RuleMeta::BASE
    },
    check: Some(check),
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    if ctx.file.is_test() {
        return;
    }
    for hit in ctx.flow().of(SinkKind::ResponseBody) {
        let html = hit.callee.starts_with("html/") || hit.callee.ends_with(".html/2");
        if !html && !hit.html_response {
            continue;
        }
        let Some(flow) = hit.request_flow(|_| true) else {
            continue;
        };
        let message = format!(
            "Cross-site scripting: {} unescaped in an HTML response; render a template or escape it",
            hit.reach(flow, |b| ctx.line_of(b))
        );
        out.push(Finding::new(&RULE.meta, hit.arg.byte_range(), message));
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_support::*;

    const CODE: &str = "xss-send-resp";
    const PATH: &str = "lib/shop_web/controllers/page_controller.ex";

    fn found(src: &str) -> Vec<String> {
        findings_of(src, PATH, CODE)
            .into_iter()
            .map(|f| f.message)
            .collect()
    }

    #[test]
    fn html_bodies_built_from_params() {
        let src = r#"defmodule ShopWeb.PageController do
  use ShopWeb, :controller

  def greet(conn, %{"name" => name}) do
    conn
    |> put_resp_content_type("text/html")
    |> send_resp(200, "<h1>Hello #{name}</h1>")
  end

  def search(conn, params) do
    html(conn, "<p>No results for " <> params["q"] <> "</p>")
  end
end
"#;
        let messages = found(src);
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(
            messages[0].contains("`params[\"name\"]` reaches `send_resp/3`"),
            "{}",
            messages[0]
        );
        assert!(
            messages[1].contains("`params[\"q\"]` reaches `html/2`"),
            "{}",
            messages[1]
        );
    }

    #[test]
    fn json_plain_text_and_escaped_bodies_are_fine() {
        let src = r#"defmodule ShopWeb.PageController do
  use ShopWeb, :controller

  def echo(conn, %{"name" => name}) do
    conn
    |> put_resp_content_type("application/json")
    |> send_resp(200, Jason.encode!(%{name: name}))
  end

  def greet(conn, %{"name" => name}) do
    conn
    |> put_resp_content_type("text/html")
    |> send_resp(200, "<h1>Hello #{Plug.HTML.html_escape(name)}</h1>")
  end

  def health(conn, _params), do: send_resp(conn, 200, "ok")

  def show(conn, %{"id" => id}) do
    json(conn, %{id: id})
  end
end
"#;
        assert_eq!(found(src), Vec::<String>::new());
    }
}
