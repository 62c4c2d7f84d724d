//! `raw-html`: `raw/1` / `Phoenix.HTML.raw/1` of anything but a literal: it marks the value as
//! safe HTML, so templates stop escaping it.

use tree_sitter::Node;

use crate::lint::analysis::taint::SinkKind;
use crate::lint::analysis::taint::is_constant;
use crate::lint::{Finding, LintContext, Rule, RuleDocs, RuleMeta, Severity};
use crate::syntax::{elixir, text};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "raw-html",
        level: 5,
        severity: Severity::Warning,
        fixable: false,
        summary: "`raw/1` of anything but a literal (unescaped HTML)",
        docs: RuleDocs {
            why: "`raw/1` tells Phoenix a value is safe HTML and must not be escaped. Anything a \
                  user wrote that reaches it — a comment, a profile bio, markdown rendered to HTML \
                  without sanitising — runs as script in other users' browsers (stored XSS). The \
                  rule flags `raw/1` and `Phoenix.HTML.raw/1` of anything but a literal or a \
                  module attribute, naming the request input when it reaches it. Not flagged: \
                  literals such as `raw(\"&nbsp;\")`, values passed through a sanitiser first \
                  (`HtmlSanitizeEx`, `Phoenix.HTML.html_escape/1`, a function whose name says it \
                  sanitises), test files, and `raw` inside `~H`/`.heex` templates (not parsed \
                  here).",
            bad: "def render_bio(user) do\n  raw(Earmark.as_html!(user.bio))\nend",
            good: "def render_bio(user) do\n  user.bio |> Earmark.as_html!() |> HtmlSanitizeEx.basic_html() |> raw()\nend",
            fix: "Let the template escape the value, or sanitise the HTML first \
                  (`HtmlSanitizeEx.basic_html/1`) and mark the sanitising call as such.",
        },
        sobelow: &["XSS.Raw", "XSS.HTML"],
        ..RuleMeta::BASE
    },
    check: Some(check),
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    if ctx.file.is_test() {
        return;
    }
    let src = ctx.source;
    for hit in ctx.flow().of(SinkKind::Raw) {
        if hit.through.is_some() {
            continue; // Reported inside the private function itself.
        }
        if is_constant(hit.arg, src) || is_sanitised(hit.arg, src) {
            continue;
        }
        let message = match hit.request_flow(|_| true) {
            Some(flow) => format!(
                "Unescaped HTML: {}; anything in it runs as script in the browser",
                hit.reach(flow, |b| ctx.line_of(b))
            ),
            None => format!(
                "Unescaped HTML: `raw` in `{}` marks `{}` as safe; escape or sanitise it unless it can never hold user content",
                hit.function,
                short(text(hit.arg, src))
            ),
        };
        out.push(Finding::new(&RULE.meta, hit.call.byte_range(), message));
    }
}

/// Whether the value comes straight out of a sanitiser (`HtmlSanitizeEx.basic_html(x)`,
/// `sanitize_html(x)`, `x |> HtmlSanitizeEx.strip_tags()`).
fn is_sanitised(arg: Node<'_>, src: &str) -> bool {
    let call = if elixir::is_binary_op(arg, src, "|>") {
        match arg.child_by_field_name("right") {
            Some(r) => r,
            None => return false,
        }
    } else {
        arg
    };
    if let Some((module, name)) = elixir::remote_call(call, src) {
        return module == "HtmlSanitizeEx"
            || matches!(
                (module, name),
                ("Phoenix.HTML", "html_escape") | ("Plug.HTML", "html_escape")
            )
            || name.contains("sanitiz")
            || name.contains("sanitis");
    }
    elixir::local_call_name(call, src)
        .is_some_and(|n| n.contains("sanitiz") || n.contains("sanitis") || n == "html_escape")
}

/// The first line of an expression, shortened for a message.
fn short(text: &str) -> String {
    let line = text.lines().next().unwrap_or("");
    if line.chars().count() > 40 || text.contains('\n') {
        format!("{}…", line.chars().take(40).collect::<String>())
    } else {
        line.to_string()
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_support::*;

    const CODE: &str = "raw-html";
    const PATH: &str = "lib/shop_web/components/post_components.ex";

    fn found(src: &str) -> Vec<String> {
        findings_of(src, PATH, CODE)
            .into_iter()
            .map(|f| f.message)
            .collect()
    }

    #[test]
    fn non_literals_are_flagged_with_their_source() {
        let src = r#"defmodule ShopWeb.PostHTML do
  use ShopWeb, :html

  def body(post) do
    raw(Earmark.as_html!(post.body))
  end

  def preview(conn, params) do
    Phoenix.HTML.raw(params["html"])
  end
end

defmodule ShopWeb.PreviewController do
  use ShopWeb, :controller

  def show(conn, %{"html" => html}) do
    render(conn, :show, content: raw(html))
  end
end
"#;
        let messages = found(src);
        assert_eq!(messages.len(), 3, "{messages:?}");
        assert!(
            messages[0].contains("`body/1` marks `Earmark.as_html!(post.body)`"),
            "{}",
            messages[0]
        );
        assert!(
            messages[2].contains("`params[\"html\"]` reaches `raw/1`"),
            "{}",
            messages[2]
        );
    }

    #[test]
    fn literals_attributes_and_sanitised_values_are_fine() {
        let src = r#"defmodule ShopWeb.PostHTML do
  use ShopWeb, :html

  @icon "<svg viewBox=\"0 0 20 20\"></svg>"

  def separator, do: raw("<br>")
  def icon, do: raw(@icon)
  def nbsp, do: Phoenix.HTML.raw(~s(&nbsp;))

  def body(post) do
    post.body |> Earmark.as_html!() |> HtmlSanitizeEx.basic_html() |> raw()
  end

  def bio(user), do: raw(sanitize_html(user.bio))

  defp sanitize_html(html), do: HtmlSanitizeEx.basic_html(html)
end
"#;
        assert_eq!(found(src), Vec::<String>::new());
    }
}
