//! `code-eval`: request input or a function's argument evaluated as Elixir or EEx code
//! (`Code.eval_string/eval_quoted/eval_file`, `EEx.eval_string/eval_file`).

use crate::lint::analysis::taint::SinkKind;
use crate::lint::{Finding, LintContext, Rule, RuleDocs, RuleMeta, Severity};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "code-eval",
        level: 5,
        severity: Severity::Error,
        fixable: false,
        summary: "`Code.eval_*`/`EEx.eval_*` of request input or a function's argument",
        docs: RuleDocs {
            why: "Evaluating text as code runs anything it says with the full rights of the \
                  application: `System.cmd`, `File.rm_rf`, reading secrets. The rule flags \
                  `Code.eval_string/eval_quoted/eval_file`, `Code.compile_string` and \
                  `EEx.eval_string/eval_file` reached by request input, or text evaluated from \
                  an argument of a public function in `lib/` (its callers are unknown). Not \
                  flagged: `Code.eval_file/1` of a path a caller passes (release tasks run \
                  scripts from disk), literals and \
                  module attributes, code evaluated in `config/`, scripts, tests and Mix tasks \
                  (`lib/mix/`), which run developer input.",
            bad: "def preview(conn, %{\"template\" => template}) do\n  html(conn, EEx.eval_string(template, assigns: [user: conn.assigns.current_user]))\nend",
            good: "def preview(conn, %{\"name\" => name}) do\n  html(conn, Phoenix.HTML.html_escape(\"Hello \" <> name) |> Phoenix.HTML.safe_to_string())\nend",
            fix: "Never evaluate input. Parse it into data (`Jason.decode/1`, a small parser), \
                  or compile templates at build time (`EEx.function_from_file/5`).",
        },
        sobelow: &["RCE.CodeModule", "RCE.EEx"],
        scope: crate::lint::Scope::Mentions(crate::lint::analysis::taint::sinks::SINK_MENTIONS),
        ..RuleMeta::BASE
    },
    check: Some(check),
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    let file = ctx.file;
    if file.is_test() || file.is_config() || file.project_rel.starts_with("lib/mix/") {
        return;
    }
    let line_of = |b| ctx.line_of(b);
    for hit in ctx.flow().of(SinkKind::Eval) {
        let message = if let Some(flow) = hit.request_flow(|_| true) {
            format!(
                "Code evaluation: {}; never evaluate input",
                hit.reach(flow, line_of)
            )
        } else if let Some(flow) = hit.taint.flows.iter().find(|f| {
            hit.public && f.param().is_some() && file.is_lib() && evaluates_text(&hit.callee)
        }) {
            format!(
                "Code evaluation: argument `{}` of `{}` reaches {}{}; evaluate no text that callers choose",
                flow.param().map_or("", |(_, n)| n),
                hit.function,
                hit.describe_sink(line_of),
                flow.describe_path(line_of)
            )
        } else {
            continue;
        };
        out.push(Finding::new(&RULE.meta, hit.arg.byte_range(), message));
    }
}

/// Functions that evaluate the text they are given (not a file from disk, whose path callers
/// choose but whose code the developers wrote).
fn evaluates_text(callee: &str) -> bool {
    !(callee.contains("_file") || callee.starts_with("Code.require_file"))
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_support::*;

    const CODE: &str = "code-eval";

    fn found(src: &str, path: &str) -> Vec<String> {
        findings_of(src, path, CODE)
            .into_iter()
            .map(|f| f.message)
            .collect()
    }

    #[test]
    fn templates_and_expressions_from_outside() {
        let src = r#"defmodule ShopWeb.PreviewController do
  use ShopWeb, :controller

  def preview(conn, %{"template" => template}) do
    html(conn, EEx.eval_string(template, assigns: [shop: "Demo"]))
  end
end

defmodule Shop.Rules do
  def evaluate(expression, bindings) do
    {result, _} = Code.eval_string(expression, bindings)
    result
  end
end
"#;
        let messages = found(src, "lib/shop_web/controllers/preview_controller.ex");
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(
            messages[0].contains("`params[\"template\"]` reaches `EEx.eval_string/2`"),
            "{}",
            messages[0]
        );
        assert!(
            messages[1].contains("argument `expression`"),
            "{}",
            messages[1]
        );
    }

    #[test]
    fn literals_config_and_mix_tasks_are_fine() {
        let src = r#"defmodule Shop.Seeds do
  @seed_file "priv/repo/seeds.exs"

  def run(script \\ @seed_file) do
    Code.eval_file(script)
    Code.eval_string("1 + 1")
  end
end
"#;
        assert!(found(src, "lib/shop/seeds.ex").is_empty());
        let task = "defmodule Mix.Tasks.Shop.Eval do\n  use Mix.Task\n  def run([expr]), do: Code.eval_string(expr)\nend\n";
        assert!(found(task, "lib/mix/tasks/shop.eval.ex").is_empty());
    }
}
