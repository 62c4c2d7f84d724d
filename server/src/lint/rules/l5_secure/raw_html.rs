//! `raw-html`: `raw/1` / `Phoenix.HTML.raw/1` of anything but a literal: it marks the value as
//! safe HTML, so templates stop escaping it.

use crate::syntax::Fields as _;
use crate::syntax::Node;

use crate::lint::analysis::taint::{Flow, SinkKind, is_constant};
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
                  rule flags `raw/1` and `Phoenix.HTML.raw/1` of request input, of data read \
                  from a record argument (`raw(post.body)`, `\"<p>#{comment.text}</p>\"`), and of \
                  markdown rendered to HTML (`Earmark.as_html!/1`) without sanitising. Not \
                  flagged: literals such as `raw(\"&nbsp;\")` and module attributes, HTML that \
                  helpers build from escaped parts or from other functions' results, values \
                  from `assigns`, values passed through a sanitiser (`HtmlSanitizeEx`, \
                  `Phoenix.HTML.html_escape/1`, a function whose name says it sanitises), test \
                  files, and `raw` inside `~H`/`.heex` templates (not parsed here).",
            bad: "def render_bio(user) do\n  raw(Earmark.as_html!(user.bio))\nend",
            good: "def render_bio(user) do\n  user.bio |> Earmark.as_html!() |> HtmlSanitizeEx.basic_html() |> raw()\nend",
            fix: "Let the template escape the value, or sanitise the HTML first \
                  (`HtmlSanitizeEx.basic_html/1`) and mark the sanitising call as such.",
        },
        sobelow: &["XSS.Raw", "XSS.HTML"],
        scope: crate::lint::Scope::Mentions(crate::lint::analysis::taint::sinks::SINK_MENTIONS),
        ..RuleMeta::BASE
    },
    check: Some(check),
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    if ctx.file.is_test() {
        return;
    }
    let src = ctx.source;
    let line_of = |b| ctx.line_of(b);
    for hit in ctx.flow().of(SinkKind::Raw) {
        if hit.through.is_some() || is_constant(hit.arg, src) || is_sanitised(hit.arg, src) {
            continue; // Reached through a private function: reported inside it.
        }
        let message = if let Some(flow) = hit.request_flow(|_| true) {
            format!(
                "Unescaped HTML: {}; anything in it runs as script in the browser",
                hit.reach(flow, line_of)
            )
        } else if let Some(flow) = hit.taint.flows.iter().find(|f| record_content(f)) {
            format!(
                "Unescaped HTML: `raw` in `{}` marks record data ({}) as safe HTML{}; escape or sanitise it",
                hit.function,
                short(text(hit.arg, src)),
                flow.describe_path(line_of)
            )
        } else if let Some(renderer) = markdown_renderer(hit.arg, src) {
            format!(
                "Unescaped HTML: `raw` in `{}` marks the output of `{renderer}` as safe HTML; markdown may carry raw HTML and scripts, sanitise it (`HtmlSanitizeEx`)",
                hit.function
            )
        } else {
            continue;
        };
        out.push(Finding::new(&RULE.meta, hit.call.byte_range(), message));
    }
}

/// Data read from a record argument (`post.body`, `comment["text"]`), not the framework's
/// `assigns`.
fn record_content(flow: &Flow) -> bool {
    flow.field && flow.param().is_some_and(|(_, name)| name != "assigns")
}

/// `Earmark.as_html!(x)`, `x |> MDEx.to_html!()`: a markdown renderer of a non-literal.
fn markdown_renderer(arg: Node<'_>, src: &str) -> Option<String> {
    let (call, piped) = if elixir::is_binary_op(arg, src, "|>") {
        (arg.field("right")?, true)
    } else {
        (arg, false)
    };
    let (module, name) = elixir::remote_call(call, src)?;
    let renderer = matches!(module, "Earmark" | "MDEx" | "Cmark" | "Md" | "Makeup")
        || name.contains("markdown");
    if !renderer || !(name.contains("html") || name.contains("markdown") || name == "generate") {
        return None;
    }
    let input = if piped {
        arg.field("left")
    } else {
        elixir::call_args(call).first().copied()
    };
    input
        .filter(|i| !is_constant(*i, src))
        .map(|_| format!("{module}.{name}"))
}

/// Whether the value comes straight out of a sanitiser (`HtmlSanitizeEx.basic_html(x)`,
/// `sanitize_html(x)`, `x |> HtmlSanitizeEx.strip_tags()`).
fn is_sanitised(arg: Node<'_>, src: &str) -> bool {
    let call = if elixir::is_binary_op(arg, src, "|>") {
        match arg.field("right") {
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
            messages[0].contains("`body/1` marks the output of `Earmark.as_html!`"),
            "{}",
            messages[0]
        );
        assert!(messages[1].contains("`preview/2` marks record data"));
        assert!(
            messages[2].contains("`params[\"html\"]` reaches `raw/1`"),
            "{}",
            messages[2]
        );
    }

    #[test]
    fn record_fields_are_flagged_escaped_helpers_are_not() {
        let src = r##"defmodule ShopWeb.CommentHTML do
  use ShopWeb, :html

  def comment(comment) do
    raw("<p class=\"comment\">#{comment.text}</p>")
  end

  def highlight(name, term) do
    escaped = name |> Phoenix.HTML.html_escape() |> Phoenix.HTML.safe_to_string()
    escaped_term = term |> Phoenix.HTML.html_escape() |> Phoenix.HTML.safe_to_string()
    raw(String.replace(escaped, escaped_term, "<mark>#{escaped_term}</mark>"))
  end

  def strong_parts(description) do
    description
    |> String.split("**")
    |> Enum.map_join(fn part -> "<strong>#{Plug.HTML.html_escape(part)}</strong>" end)
    |> raw()
  end

  def status(%{"trial_end" => trial_end}) do
    raw("Trial ends on #{format_date(trial_end)}")
  end

  def layout(assigns) do
    raw("<style nonce=\"#{assigns[:nonce]}\">.a{}</style>")
  end
end
"##;
        let messages = found(src);
        assert_eq!(messages.len(), 1, "{messages:?}");
        assert!(
            messages[0].contains("`comment/1` marks record data"),
            "{}",
            messages[0]
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
