//! `sql-injection`: request input, or a function's argument interpolated as a SQL value, in the
//! SQL text of `Repo.query/query!` or `Ecto.Adapters.SQL.query/query!/stream`.
//!
//! Built on the shared data flow ([`crate::lint::analysis::taint`]): a finding needs a flow,
//! not just interpolation, so `"... FROM #{@table}"` and identifiers picked from a fixed list
//! stay quiet.

use crate::lint::analysis::taint::{Flow, SinkHit, SinkKind};
use crate::lint::{Finding, LintContext, Rule, RuleDocs, RuleMeta, Severity};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "sql-injection",
        level: 5,
        severity: Severity::Error,
        fixable: false,
        summary: "Request input or an argument interpolated into the SQL of `Repo.query`/`Ecto.Adapters.SQL.query`",
        docs: RuleDocs {
            why: "SQL built by interpolation or `<>` runs whatever the interpolated text says: \
                  `params[\"sort\"]` set to `name; DROP TABLE users` does exactly that. The rule \
                  follows request input (controller params, LiveView event params, \
                  `conn.query_params`, headers) through variables, pipes, `case`/`with` and one \
                  level of private functions to the SQL argument, and also flags a public \
                  function's argument interpolated inside a quoted SQL string (`'%#{term}%'`), where \
                  one `'` ends the literal, since its callers are not known. Not flagged: \
                  module attributes and literals, values proven to be from a fixed list \
                  (`sort in ~w(name price)`) or numbers (`String.to_integer/1`, `is_integer/1` \
                  guards), arguments interpolated unquoted (ids, numbers, table or column \
                  names) when no request input reaches them, and flows through other modules' functions.",
            bad: "def index(conn, %{\"sort\" => sort} = params) do\n  sql = \"SELECT * FROM products ORDER BY \" <> sort\n  %{rows: rows} = Repo.query!(sql, [])\n  render(conn, :index, rows: rows, q: params[\"q\"])\nend",
            good: "@sortable ~w(name price inserted_at)\n\ndef index(conn, %{\"sort\" => sort, \"q\" => q}) do\n  sort = if sort in @sortable, do: sort, else: \"name\"\n  %{rows: rows} =\n    Repo.query!(\"SELECT * FROM products WHERE name ILIKE $1 ORDER BY #{sort}\", [\"%\" <> q <> \"%\"])\n  render(conn, :index, rows: rows)\nend",
            fix: "Pass values as query parameters (`$1`, `$2` with the parameter list), or use \
                  Ecto's query API (`where: p.name == ^name`). Pick identifiers such as sort \
                  columns from a fixed list (`sort in @sortable`).",
        },
        sobelow: &["SQL.Query", "SQL.Stream"],
        scope: crate::lint::Scope::Mentions(crate::lint::analysis::taint::sinks::SINK_MENTIONS),
        ..RuleMeta::BASE
    },
    check: Some(check),
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    if ctx.file.is_test() {
        return;
    }
    for hit in ctx.flow().of(SinkKind::Sql) {
        if let Some(f) = finding(ctx, hit) {
            out.push(f);
        }
    }
}

fn finding(ctx: &LintContext<'_>, hit: &SinkHit<'_>) -> Option<Finding> {
    let line_of = |b| ctx.line_of(b);
    if let Some(flow) = hit.request_flow(|_| true) {
        let message = format!(
            "SQL injection: {}; pass values as query parameters ($1) and pick identifiers from a fixed list",
            hit.reach(flow, line_of)
        );
        return Some(Finding::new(&RULE.meta, hit.arg.byte_range(), message));
    }
    let flow = hit
        .taint
        .flows
        .iter()
        .find(|f| interpolated_argument(hit, f))?;
    let (_, name) = flow.param()?;
    let message = format!(
        "SQL injection: argument `{name}` of `{}` is interpolated into a quoted SQL string and reaches {}{}; pass it as a query parameter ($1)",
        hit.function,
        hit.describe_sink(line_of),
        flow.describe_path(line_of)
    );
    Some(Finding::new(&RULE.meta, hit.arg.byte_range(), message))
}

/// A public function's argument built into the SQL text where a value goes.
fn interpolated_argument(hit: &SinkHit<'_>, flow: &Flow) -> bool {
    hit.public && flow.param().is_some() && flow.built && flow.quoted
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_support::*;

    const CODE: &str = "sql-injection";
    const CONTROLLER: &str = "lib/shop_web/controllers/product_controller.ex";

    fn found(src: &str, path: &str) -> Vec<String> {
        findings_of(src, path, CODE)
            .into_iter()
            .map(|f| f.message)
            .collect()
    }

    #[test]
    fn params_through_variables_reach_the_query() {
        let src = r#"defmodule ShopWeb.ProductController do
  use ShopWeb, :controller

  alias Shop.Repo

  def index(conn, %{"sort" => sort} = params) do
    q = params["q"]
    sql = "SELECT * FROM products WHERE name LIKE '%#{q}%' ORDER BY " <> sort
    %{rows: rows} = Repo.query!(sql, [])
    render(conn, :index, rows: rows)
  end
end
"#;
        let messages = found(src, CONTROLLER);
        assert_eq!(messages.len(), 1, "{messages:?}");
        assert!(
            messages[0].contains(
                "`params[\"q\"]` reaches `Repo.query!/2` through `q` (line 7), `sql` (line 8)"
            ),
            "{}",
            messages[0]
        );
    }

    #[test]
    fn conn_query_params_pipes_and_with() {
        let src = r#"defmodule ShopWeb.ReportController do
  use ShopWeb, :controller

  def show(conn, _params) do
    with {:ok, region} <- Map.fetch(conn.query_params, "region") do
      sql =
        region
        |> String.trim()
        |> then(&"SELECT sum(total) FROM orders WHERE region = '#{&1}'")

      %{rows: rows} = Ecto.Adapters.SQL.query!(Shop.Repo, sql, [])
      json(conn, %{rows: rows})
    end
  end
end
"#;
        let messages = found(src, "lib/shop_web/controllers/report_controller.ex");
        assert_eq!(messages.len(), 1, "{messages:?}");
        assert!(
            messages[0].contains("`conn.query_params`"),
            "{}",
            messages[0]
        );
    }

    #[test]
    fn private_functions_one_level_deep() {
        let src = r#"defmodule ShopWeb.SearchLive do
  use ShopWeb, :live_view

  def handle_event("search", %{"term" => term}, socket) do
    {:noreply, assign(socket, results: run_search(term))}
  end

  defp run_search(term) do
    Shop.Repo.query!("SELECT id FROM products WHERE name = '" <> term <> "'")
  end
end
"#;
        let messages = found(src, "lib/shop_web/live/search_live.ex");
        assert_eq!(messages.len(), 1, "{messages:?}");
        assert!(
            messages[0].contains("`params[\"term\"]`")
                || messages[0].contains("in `run_search/1` (line 9)"),
            "{}",
            messages[0]
        );
    }

    #[test]
    fn public_function_argument_in_a_quoted_string() {
        let src = r#"defmodule Shop.Catalog do
  alias Shop.Repo

  def search(term) do
    Repo.query!("SELECT * FROM products WHERE name ILIKE '%#{term}%'")
  end

  def refresh(view) when view in ["daily_sales", "weekly_sales"] do
    Repo.query!("REFRESH MATERIALIZED VIEW #{view}")
  end

  def count(table) do
    Repo.query!("SELECT count(*) FROM #{table}")
  end
end
"#;
        let messages = found(src, "lib/shop/catalog.ex");
        assert_eq!(messages.len(), 1, "{messages:?}");
        assert!(messages[0].contains("argument `term` of `search/1`"));
    }

    #[test]
    fn parameters_constants_and_allow_lists_are_fine() {
        let src = r#"defmodule ShopWeb.ProductController do
  use ShopWeb, :controller

  @sortable ~w(name price inserted_at)
  @table "products"

  def index(conn, %{"sort" => sort, "q" => q, "page" => page}) do
    sort = if sort in @sortable, do: sort, else: "name"
    offset = String.to_integer(page) * 20

    Repo.query!(
      "SELECT * FROM #{@table} WHERE name ILIKE $1 ORDER BY #{sort} OFFSET #{offset}",
      ["%" <> q <> "%"]
    )

    Repo.query!("SELECT * FROM products WHERE id = $1", [params_id(conn)])
    render(conn, :index)
  end

  def show(conn, %{"kind" => kind}) do
    column =
      case kind do
        "recent" -> "inserted_at"
        _ -> "name"
      end

    Repo.query!("SELECT * FROM products ORDER BY #{column}")
    render(conn, :show)
  end
end
"#;
        assert_eq!(found(src, CONTROLLER), Vec::<String>::new());
    }

    #[test]
    fn test_files_are_not_checked() {
        let src = "defmodule ShopWeb.ProductController do\n  def index(conn, params), do: Repo.query!(\"SELECT #{params}\")\nend\n";
        assert!(found(src, "test/shop_web/product_controller_test.exs").is_empty());
    }
}
