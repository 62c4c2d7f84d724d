//! The project index over the wire: facts of one file change what the server says about
//! another, as the user edits and as files appear on disk.

use ladder_e2e::*;
use serde_json::{Value, json};

const FLEET: &str = "defmodule Shop.Fleet do\n  @moduledoc \"Parking.\"\n  alias Shop.Car\n\n  @doc \"Parks.\"\n  def park(%Car{} = car), do: car\nend\n";
const CAR: &str = "defmodule Shop.Car do\n  @moduledoc \"A car.\"\n  defstruct [:plate]\nend\n";

fn spec_stub(lsp: &mut Lsp, uri: &str, diagnostics: &[Value]) -> String {
    let spec = diagnostics
        .iter()
        .find(|d| d["code"] == "missing-spec")
        .expect("a missing-spec diagnostic")
        .clone();
    let actions = lsp.call(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": spec["range"], "context": {"diagnostics": [spec]}}),
    );
    actions[0]["edit"]["changes"][uri][0]["newText"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Waits for a publication of `uri` whose codes satisfy `pred`.
fn wait_codes(lsp: &mut Lsp, uri: &str, mut pred: impl FnMut(&[String]) -> bool) -> Vec<Value> {
    let params = lsp.wait_notification("textDocument/publishDiagnostics", |p| {
        p["uri"] == uri && pred(&codes(p["diagnostics"].as_array().map_or(&[][..], |v| v)))
    });
    params["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn stubs_and_test_coverage_follow_other_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("lib/shop")).unwrap();
    std::fs::create_dir_all(root.join("test/shop")).unwrap();
    std::fs::write(
        root.join("mix.exs"),
        "defmodule Shop.MixProject do\n  use Mix.Project\n  def project, do: [app: :shop, version: \"0.1.0\"]\nend\n",
    )
    .unwrap();
    std::fs::write(root.join("lib/shop/fleet.ex"), FLEET).unwrap();
    std::fs::write(root.join("lib/shop/car.ex"), CAR).unwrap();
    let fleet = file_uri(&root.join("lib/shop/fleet.ex"));
    let car = file_uri(&root.join("lib/shop/car.ex"));

    let mut lsp = Lsp::start(root);
    lsp.initialize(Some(root), push_client(&[]));
    // The workspace scan indexes the project: `fleet.ex` has no test.
    wait_codes(&mut lsp, &fleet, |c| {
        c.contains(&"missing-test-file".to_string())
    });

    lsp.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": fleet, "languageId": "elixir", "version": 1, "text": FLEET}}),
    );
    let diags = wait_codes(&mut lsp, &fleet, |c| {
        c.contains(&"missing-spec".to_string())
    });
    // `Shop.Car` has no `@type t`: the stub says what compiles.
    assert_eq!(
        spec_stub(&mut lsp, &fleet, &diags),
        "  @spec park(%Car{}) :: %Car{}\n"
    );

    // The user gives `Car` its type in the editor: the stub in `fleet.ex` follows.
    lsp.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": car, "languageId": "elixir", "version": 1, "text": CAR}}),
    );
    let typed = CAR.replace(
        "  defstruct [:plate]\n",
        "  @type t :: %__MODULE__{plate: String.t() | nil}\n  defstruct [:plate]\n",
    );
    lsp.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": car, "version": 2}, "contentChanges": [{"text": typed}]}),
    );
    let mut stub = String::new();
    for _ in 0..20 {
        let diags = wait_codes(&mut lsp, &fleet, |c| {
            c.contains(&"missing-spec".to_string())
        });
        stub = spec_stub(&mut lsp, &fleet, &diags);
        if stub.contains("Car.t()") {
            break;
        }
    }
    assert_eq!(stub, "  @spec park(Car.t()) :: Car.t()\n");

    // A test appears on disk: the finding goes.
    let test_path = root.join("test/shop/fleet_test.exs");
    std::fs::write(
        &test_path,
        "defmodule Shop.FleetTest do\n  use ExUnit.Case, async: true\n  test \"parks\", do: assert Shop.Fleet.park(%Shop.Car{})\nend\n",
    )
    .unwrap();
    lsp.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": file_uri(&test_path), "type": 1}]}),
    );
    wait_codes(&mut lsp, &fleet, |c| {
        !c.contains(&"missing-test-file".to_string())
    });
    assert!(lsp.shutdown().success());
}
