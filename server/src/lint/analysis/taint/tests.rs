//! The data flow on its own: what reaches which sink, and that broken or huge input costs
//! nothing but findings.

use super::{SinkKind, analyze_file};
use crate::syntax::module_model::module_models;

/// `(sink kind, sources that reach it)` for every hit with request input, in order.
fn request_hits(src: &str) -> Vec<(SinkKind, Vec<String>)> {
    let tree = crate::syntax::parse(src);
    let models = module_models(tree.root_node(), src);
    let mut calls = Vec::new();
    crate::syntax::elixir::walk(tree.root_node(), &mut |n| {
        if n.kind() == "call" {
            calls.push(n);
        }
        true
    });
    analyze_file(&models, &calls, src)
        .hits
        .iter()
        .filter(|h| h.taint.request().next().is_some())
        .map(|h| {
            (
                h.kind,
                h.taint.request().map(|f| f.describe_source()).collect(),
            )
        })
        .collect()
}

fn controller(body: &str) -> String {
    format!("defmodule AppWeb.PageController do\n  use AppWeb, :controller\n\n{body}\nend\n")
}

#[test]
fn destructured_and_accessed_params_are_named_by_their_key() {
    let src = controller(
        "  def show(conn, %{\"id\" => id, \"opts\" => %{\"sort\" => sort}}) do\n    String.to_atom(id)\n    String.to_atom(sort)\n    String.to_atom(conn.params[\"x\"])\n  end",
    );
    let hits = request_hits(&src);
    let sources: Vec<&str> = hits.iter().map(|(_, s)| s[0].as_str()).collect();
    assert_eq!(
        sources,
        [
            "`params[\"id\"]`",
            "`params[\"opts\"][\"sort\"]`",
            "`conn.params[\"x\"]`"
        ]
    );
}

#[test]
fn case_with_for_and_cond_bind_their_patterns() {
    let src = controller(
        "  def index(conn, params) do\n    case Map.fetch(params, \"a\") do\n      {:ok, a} -> String.to_atom(a)\n      :error -> nil\n    end\n    with {:ok, b} <- Map.fetch(params, \"b\"), c = b <> \"!\" do\n      String.to_atom(c)\n    end\n    for d <- params[\"ds\"], do: String.to_atom(d)\n    cond do\n      params[\"e\"] in [\"x\", \"y\"] -> :ok\n      true -> String.to_atom(params[\"e\"])\n    end\n  end",
    );
    assert_eq!(request_hits(&src).len(), 4, "{:?}", request_hits(&src));
}

#[test]
fn sanitisers_and_allow_lists_end_the_flow() {
    let src = controller(
        "  @allowed ~w(a b)\n  def index(conn, %{\"n\" => n, \"k\" => k, \"s\" => s, \"u\" => u}) do\n    String.to_atom(\"#{String.to_integer(n)}\")\n    if k in @allowed, do: String.to_atom(k)\n    String.to_atom(to_string(byte_size(s)))\n    case Ecto.UUID.cast(u) do\n      {:ok, id} -> String.to_atom(id)\n      :error -> nil\n    end\n    unless s in [\"x\"], do: nil, else: String.to_atom(s)\n  end",
    );
    assert_eq!(request_hits(&src), Vec::new());
}

#[test]
fn rebinding_a_variable_to_clean_data_ends_its_flow() {
    let src = controller(
        "  def index(conn, %{\"sort\" => sort}) do\n    sort = \"name\"\n    String.to_atom(sort)\n  end",
    );
    assert_eq!(request_hits(&src), Vec::new());
}

#[test]
fn liveview_event_and_params_callbacks_are_sources() {
    let src = "defmodule AppWeb.ItemLive do\n  use AppWeb, :live_view\n\n  def mount(params, _session, socket), do: {:ok, assign(socket, k: String.to_atom(params[\"k\"]))}\n  def handle_params(%{\"tab\" => tab}, _uri, socket), do: {:noreply, assign(socket, tab: String.to_atom(tab))}\n  def handle_event(\"save\", %{\"kind\" => kind}, socket), do: {:noreply, assign(socket, kind: String.to_atom(kind))}\n  def handle_info({:kind, kind}, socket), do: {:noreply, assign(socket, kind: String.to_atom(kind))}\nend\n";
    assert_eq!(request_hits(src).len(), 3, "{:?}", request_hits(src));
}

#[test]
fn non_controller_modules_have_no_request_params() {
    let src = "defmodule App.Catalog do\n  def list(conn, params), do: String.to_atom(params[\"x\"])\nend\n";
    assert_eq!(request_hits(src), Vec::new());
}

#[test]
fn broken_code_and_deep_nesting_do_not_panic() {
    let broken = controller(
        "  def index(conn, %{\"a\" => a} do\n    sql = \"SELECT #{a\" <> \n    Repo.query!(sql\n  end",
    );
    let _ = request_hits(&broken);
    let deep_concat = format!(
        "  def index(conn, %{{\"a\" => a}}) do\n    Repo.query!(\"x\" <> {}a)\n  end",
        "\"y\" <> ".repeat(20_000)
    );
    let _ = request_hits(&controller(&deep_concat));
    let deep_case = format!(
        "  def index(conn, params) do\n    {}String.to_atom(params[\"a\"]){}\n  end",
        "case 1 do _ -> ".repeat(2_000),
        " end".repeat(2_000)
    );
    let _ = request_hits(&controller(&deep_case));
}
