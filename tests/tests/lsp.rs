//! Wire-level tests: the real `ladder-ls` binary over stdio.

use std::time::Duration;

use ladder_e2e::*;
use serde_json::{Value, json};

fn open(lsp: &mut Lsp, uri: &str, text: &str) {
    lsp.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "elixir", "version": 1, "text": text}}),
    );
}

fn change(lsp: &mut Lsp, uri: &str, version: i64, changes: Value) {
    lsp.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": changes}),
    );
}

fn range(l1: u32, c1: u32, l2: u32, c2: u32) -> Value {
    json!({"start": {"line": l1, "character": c1}, "end": {"line": l2, "character": c2}})
}

fn started() -> (Lsp, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    (Lsp::start(dir.path()), dir)
}

/// A server whose debug log goes to a file of its folder: the server, the folder, the log.
fn started_with_log() -> (Lsp, tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let log_path = dir.path().join("server.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let lsp = Lsp::start_with_stderr(&binary(), dir.path(), &[], log);
    (lsp, dir, log_path)
}

/// What a fresh server publishes for `text` opened at `version`.
fn fresh_diagnostics(uri: &str, text: &str, version: i64) -> Vec<Value> {
    let (mut fresh, _dir) = started();
    fresh.initialize(None, push_client(&[]));
    fresh.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "elixir", "version": version, "text": text}}),
    );
    let diagnostics = fresh.wait_diagnostics(uri, Some(version));
    assert!(fresh.shutdown().success());
    diagnostics
}

#[test]
fn initialize_pins_capabilities_for_push_and_pull_clients() {
    let (mut lsp, _dir) = started();
    let result = lsp.initialize(None, push_client(&["utf-16", "utf-8"]));
    let caps = &result["capabilities"];
    assert_eq!(
        caps,
        &json!({
            "positionEncoding": "utf-8",
            "textDocumentSync": {"openClose": true, "change": 2, "save": true},
            "codeActionProvider": {"codeActionKinds": ["quickfix", "source.fixAll.ladder"], "resolveProvider": false},
            "codeLensProvider": {"resolveProvider": false},
            "executeCommandProvider": {"commands": ["ladder.showLevel", "ladder.runGates", "ladder.runTests"]},
            "hoverProvider": true,
        })
    );
    assert_eq!(result["serverInfo"]["name"], "ladder-ls");
    assert!(lsp.shutdown().success());

    let (mut lsp, _dir) = started();
    let caps = lsp.initialize(None, pull_client())["capabilities"].clone();
    assert_eq!(caps["positionEncoding"], "utf-16");
    assert_eq!(
        caps["diagnosticProvider"],
        json!({"identifier": "ladder", "interFileDependencies": false, "workspaceDiagnostics": true})
    );
    assert!(lsp.shutdown().success());
}

#[test]
fn open_change_close_publishes_current_diagnostics() {
    let (mut lsp, _dir) = started();
    lsp.initialize(None, push_client(&[]));
    let uri = "file:///tmp/ladder-e2e-nowhere/lib/a.ex";
    open(
        &mut lsp,
        uri,
        "defmodule A do\n  @moduledoc false\n  defp f(x), do: IO.inspect(x)\nend\n",
    );
    let diags = lsp.wait_diagnostics(uri, Some(1));
    assert_eq!(codes(&diags), ["io-inspect"]);
    assert_eq!(diags[0]["source"], "ladder");
    assert_eq!(diags[0]["range"], range(2, 17, 2, 30));
    assert!(
        diags[0]["codeDescription"]["href"]
            .as_str()
            .unwrap()
            .ends_with("io-inspect.md")
    );
    change(
        &mut lsp,
        uri,
        2,
        json!([{"range": range(2, 17, 2, 30), "text": "x"}]),
    );
    assert_eq!(
        codes(&lsp.wait_diagnostics(uri, Some(2))),
        Vec::<String>::new()
    );
    lsp.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri}}),
    );
    let params = lsp.wait_notification("textDocument/publishDiagnostics", |p| {
        p["uri"] == uri && p["version"].is_null()
    });
    assert_eq!(params["diagnostics"], json!([]));
    assert!(lsp.shutdown().success());
}

/// A burst of keystrokes sent without waiting: the server applies each edit at once but parses
/// only when a lint needs the tree, so the burst costs fewer parses than edits, and the last
/// publication is of the last text, with what a fresh server finds in it.
#[test]
fn a_burst_of_edits_is_parsed_by_the_lints_and_ends_on_the_last_text() {
    let (mut lsp, _dir, log_path) = started_with_log();
    lsp.initialize(None, push_client(&[]));
    let uri = "file:///tmp/ladder-e2e-nowhere/lib/burst.ex";
    // A module big enough that a parse is not instant, with one function typed into.
    let mut text =
        String::from("defmodule Burst do\n  @moduledoc false\n\n  def typed(x) do\n    x\n  end\n");
    for i in 0..300 {
        text.push_str(&format!(
            "\n  @doc false\n  def f{i}(list) do\n    list\n    |> Enum.map(fn x -> x * {i} end)\n    |> Enum.filter(&(&1 > 10))\n  end\n"
        ));
    }
    text.push_str("end\n");
    open(&mut lsp, uri, &text);
    lsp.wait_diagnostics(uri, Some(1));
    // Type `IO.inspect(x)` after the `x` of line 4, one character per notification.
    let typed = " |> IO.inspect()";
    for (i, c) in typed.chars().enumerate() {
        let col = 5 + i as u32;
        change(
            &mut lsp,
            uri,
            2 + i as i64,
            json!([{"range": range(4, col, 4, col), "text": c.to_string()}]),
        );
    }
    let last = 1 + typed.len() as i64;
    let diags = lsp.wait_diagnostics(uri, Some(last));
    let inspect: Vec<_> = diags.iter().filter(|d| d["code"] == "io-inspect").collect();
    assert_eq!(inspect.len(), 1, "{diags:?}");
    assert_eq!(
        inspect[0]["range"]["start"],
        json!({"line": 4, "character": 9})
    );
    assert!(lsp.shutdown().success());

    let log = std::fs::read_to_string(&log_path).unwrap();
    let parses = log.lines().filter(|l| l.contains("parsed")).count();
    assert!(parses >= 1, "{log}");
    // A burst leaves versions no lint needed unparsed (a parse takes milliseconds, the next
    // notification microseconds). Not fewer parses than lints: a lint whose text moved on
    // during its parse stops before linting.
    assert!(
        parses < typed.len(),
        "{parses} parses for {} edits\n{log}",
        typed.len()
    );
    // The last text is valid again: its parse re-read only the function typed into, from the
    // last tree without a syntax error.
    assert!(
        log.lines()
            .any(|l| l.contains("parsed") && l.contains(&format!("version={last} spliced=true"))),
        "{log}"
    );

    // The same text opened in a fresh server: the same diagnostics.
    let expected = text.replacen("    x\n  end", &format!("    x{typed}\n  end"), 1);
    assert_eq!(fresh_diagnostics(uri, &expected, last), diags);
}

/// A keystroke that leaves a statement broken within its brackets is linted at once on that
/// statement's provisional re-parse; once the text stays as it is, the full parse's lint
/// follows, and what the editor is left with is what a fresh server finds in the text.
#[test]
fn a_broken_keystroke_is_linted_provisionally_then_settles_on_the_full_parse() {
    let (mut lsp, _dir, log_path) = started_with_log();
    lsp.initialize(None, push_client(&[]));
    let uri = "file:///tmp/ladder-e2e-nowhere/lib/broken.ex";
    let mut text = String::from(
        "defmodule Broken do\n  @moduledoc false\n\n  def typed(x) do\n    x\n  end\n",
    );
    for i in 0..100 {
        text.push_str(&format!(
            "\n  @doc false\n  def f{i}(list) do\n    Enum.map(list, &(&1 * {i}))\n  end\n"
        ));
    }
    text.push_str("end\n");
    open(&mut lsp, uri, &text);
    lsp.wait_diagnostics(uri, Some(1));
    // `x` becomes `IO.inspect(1 +)`: an operator without its right operand, inside parentheses.
    change(
        &mut lsp,
        uri,
        2,
        json!([{"range": range(4, 4, 4, 5), "text": "IO.inspect(1 +)"}]),
    );
    let quick = lsp.wait_diagnostics(uri, Some(2));
    let syntax: Vec<_> = quick
        .iter()
        .filter(|d| d["code"] == "syntax-error")
        .collect();
    assert!(!syntax.is_empty(), "{quick:?}");
    assert_eq!(syntax[0]["range"]["start"]["line"], 4, "{quick:?}");
    // The settled lint, if it differs, is published for the same version; then all is quiet.
    let mut last = quick.clone();
    for message in lsp.drain(Duration::from_millis(1500)) {
        if message["method"] == "textDocument/publishDiagnostics" && message["params"]["uri"] == uri
        {
            assert_eq!(message["params"]["version"], 2, "{message}");
            last = message["params"]["diagnostics"]
                .as_array()
                .cloned()
                .unwrap_or_default();
        }
    }
    assert!(lsp.shutdown().success());
    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(
        log.lines().any(|l| l.contains("parsed")
            && l.contains("version=2")
            && l.contains("provisional=true")),
        "{log}"
    );
    assert!(
        log.lines()
            .any(|l| l.contains("settled") && l.contains("version=Some(2)")),
        "{log}"
    );

    let expected = text.replacen("    x\n  end", "    IO.inspect(1 +)\n  end", 1);
    assert_eq!(fresh_diagnostics(uri, &expected, 2), last);
}

/// Several changes in one notification, each against the text left by the previous one, over
/// emoji (surrogate pairs in UTF-16, four bytes in UTF-8) and CRLF line ends.
fn multi_change_round_trip(encoding: &str) {
    let (mut lsp, _dir) = started();
    let caps = if encoding == "utf-8" {
        push_client(&["utf-8"])
    } else {
        push_client(&[])
    };
    lsp.initialize(None, caps);
    let uri = "file:///tmp/ladder-e2e-nowhere/lib/emoji.ex";
    let text = "defmodule E do\r\n  @moduledoc \"🎉 party\"\r\n  defp f(x), do: x\r\nend\r\n";
    open(&mut lsp, uri, text);
    assert_eq!(
        codes(&lsp.wait_diagnostics(uri, Some(1))),
        Vec::<String>::new()
    );
    // Column just after "🎉 " on line 1: `  @moduledoc "` is 14 chars, the emoji 2 UTF-16 units
    // (4 UTF-8 bytes), then a space.
    let after_emoji = if encoding == "utf-8" {
        14 + 4 + 1
    } else {
        14 + 2 + 1
    };
    let changes = json!([
        // 1. Replace "party" with "fête" (é: 2 UTF-8 bytes, 1 UTF-16 unit).
        {"range": range(1, after_emoji, 1, after_emoji + 5), "text": "fête"},
        // 2. Against the text left by 1: wrap the body of f in IO.inspect.
        {"range": range(2, 17, 2, 18), "text": "IO.inspect(x)"},
        // 3. Insert a new line with an emoji before `end`.
        {"range": range(3, 0, 3, 0), "text": "  # 🚀 ok\r\n"},
    ]);
    change(&mut lsp, uri, 2, changes);
    let diags = lsp.wait_diagnostics(uri, Some(2));
    assert_eq!(codes(&diags), ["io-inspect"]);
    assert_eq!(diags[0]["range"], range(2, 17, 2, 30));
    // Out-of-range positions clamp: a column past the end of line 1 and a line past the end.
    change(
        &mut lsp,
        uri,
        3,
        json!([{"range": range(4, 999, 99, 0), "text": "# tail"}]),
    );
    let diags = lsp.wait_diagnostics(uri, Some(3));
    assert_eq!(codes(&diags), ["io-inspect"]);
    // The server's text is what we expect: fixing via its edits gives the text we compute.
    let actions = lsp.call("textDocument/codeAction", json!({
        "textDocument": {"uri": uri}, "range": diags[0]["range"], "context": {"diagnostics": diags}
    }));
    let fix = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == "Remove `IO.inspect`")
        .expect("fix offered");
    let edits = fix["edit"]["changes"][uri].as_array().unwrap().clone();
    let expected = "defmodule E do\r\n  @moduledoc \"🎉 fête\"\r\n  defp f(x), do: x\r\n  # 🚀 ok\r\nend\r\n# tail";
    let current = "defmodule E do\r\n  @moduledoc \"🎉 fête\"\r\n  defp f(x), do: IO.inspect(x)\r\n  # 🚀 ok\r\nend\r\n# tail";
    if encoding != "utf-8" {
        assert_eq!(apply_edits_utf16(current, &edits), expected);
    } else {
        assert_eq!(edits[0]["range"], range(2, 17, 2, 30));
        assert_eq!(edits[0]["newText"], "x");
    }
    assert!(lsp.shutdown().success());
}

#[test]
fn multi_change_edits_with_emoji_and_crlf_in_utf16() {
    multi_change_round_trip("utf-16");
}

#[test]
fn multi_change_edits_with_emoji_and_crlf_in_utf8() {
    multi_change_round_trip("utf-8");
}

#[test]
fn code_action_and_fix_all_round_trip() {
    let (mut lsp, _dir) = started();
    lsp.initialize(None, push_client(&[]));
    let uri = "file:///tmp/ladder-e2e-nowhere/lib/shop.ex";
    let text = "defmodule Shop do\n  @moduledoc false\n  @doc \"Adds: iex> Shop.add(1, 2)\"\n  def add(a, b), do: a + b  \nend\n";
    open(&mut lsp, uri, text);
    let diags = lsp.wait_diagnostics(uri, Some(1));
    assert_eq!(codes(&diags), ["missing-spec", "trailing-whitespace"]);
    let spec = diags[0].clone();
    let actions = lsp.call(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri}, "range": spec["range"], "context": {"diagnostics": [spec]}
        }),
    );
    let titles: Vec<&str> = actions
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "Insert @spec stub",
            "Disable missing-spec for this line",
            "Fix all safe ladder findings"
        ]
    );
    assert_eq!(actions[0]["isPreferred"], true);
    assert_eq!(actions[0]["kind"], "quickfix");
    let fixed = apply_edits_utf16(text, actions[0]["edit"]["changes"][uri].as_array().unwrap());
    assert!(
        fixed.contains("  @doc \"Adds: iex> Shop.add(1, 2)\"\n  @spec add(a :: term(), b :: term()) :: number()\n  def add"),
        "{fixed}"
    );
    change(&mut lsp, uri, 2, json!([{"text": fixed}]));
    assert_eq!(
        codes(&lsp.wait_diagnostics(uri, Some(2))),
        ["trailing-whitespace"]
    );

    // Disable-for-this-line inserts the comment with the line's indentation.
    let suppress = actions[1]["edit"]["changes"][uri][0].clone();
    assert_eq!(
        suppress["newText"],
        "  # ladder:disable-next-line missing-spec\n"
    );

    let all = lsp.call("textDocument/codeAction", json!({
        "textDocument": {"uri": uri}, "range": range(0, 0, 0, 0), "context": {"diagnostics": [], "only": ["source.fixAll.ladder"]}
    }));
    assert_eq!(all.as_array().unwrap().len(), 1);
    assert_eq!(all[0]["kind"], "source.fixAll.ladder");
    let clean = apply_edits_utf16(&fixed, all[0]["edit"]["changes"][uri].as_array().unwrap());
    change(&mut lsp, uri, 3, json!([{"text": clean}]));
    assert_eq!(
        codes(&lsp.wait_diagnostics(uri, Some(3))),
        Vec::<String>::new()
    );
    // Idempotent: nothing left to fix.
    let again = lsp.call("textDocument/codeAction", json!({
        "textDocument": {"uri": uri}, "range": range(0, 0, 0, 0), "context": {"diagnostics": [], "only": ["source"]}
    }));
    assert_eq!(again, json!([]));
    assert!(lsp.shutdown().success());
}

#[test]
fn pull_clients_get_reports_and_no_pushes() {
    let (mut lsp, _dir) = started();
    lsp.initialize(None, pull_client());
    let uri = "file:///tmp/ladder-e2e-nowhere/lib/p.ex";
    open(&mut lsp, uri, "IO.inspect(1)\n");
    let report = lsp.call(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": uri}}),
    );
    assert_eq!(report["kind"], "full");
    assert_eq!(codes(report["items"].as_array().unwrap()), ["io-inspect"]);
    let id = report["resultId"].clone();
    let again = lsp.call(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": uri}, "previousResultId": id}),
    );
    assert_eq!(again["kind"], "unchanged");
    change(&mut lsp, uri, 2, json!([{"text": "x = 1\n"}]));
    let after = lsp.call(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": uri}, "previousResultId": id}),
    );
    assert_eq!(after["kind"], "full");
    assert_eq!(after["items"], json!([]));
    let pushed: Vec<Value> = lsp
        .drain(Duration::from_millis(300))
        .into_iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics")
        .collect();
    assert!(
        pushed.is_empty(),
        "a pull client was pushed diagnostics: {pushed:?}"
    );
    assert!(lsp.shutdown().success());
}

#[test]
fn bad_input_gets_errors_and_the_server_keeps_serving() {
    let (mut lsp, _dir) = started();
    lsp.initialize(None, push_client(&[]));
    // Invalid JSON: a parse error response, then business as usual.
    lsp.send_raw(b"Content-Length: 9\r\n\r\n{\"bad\": ,");
    let error = lsp.wait_response(&Value::Null);
    assert_eq!(error["error"]["code"], -32700);
    // JSON that is not JSON-RPC: an invalid-request error carrying its id.
    lsp.send(&json!({"jsonrpc": "2.0", "id": 99, "params": []}));
    let invalid = lsp.wait_response(&json!(99));
    assert_eq!(invalid["error"]["code"], -32600);
    // A header without Content-Length: a parse error, and the next message is read normally.
    lsp.send_raw(b"Content-Type: application/json\r\n\r\n");
    let error = lsp.wait_response(&Value::Null);
    assert_eq!(error["error"]["code"], -32700);
    // Unknown request: MethodNotFound. Unknown notification: ignored.
    let unknown = lsp.request("ladder/nope", json!({}));
    assert_eq!(unknown["error"]["code"], -32601);
    lsp.notify("$/ladderUnknown", json!({}));
    // Changes to a document that was never opened; a request with wrong params.
    change(
        &mut lsp,
        "file:///never/opened.ex",
        2,
        json!([{"range": range(0, 0, 0, 0), "text": "x"}]),
    );
    let wrong = lsp.request("textDocument/codeAction", json!({"textDocument": 42}));
    assert_eq!(wrong["error"]["code"], -32602);
    // An unknown command.
    let cmd = lsp.request(
        "workspace/executeCommand",
        json!({"command": "ladder.nope", "arguments": []}),
    );
    assert!(cmd.get("error").is_some());
    // Still serving.
    let uri = "file:///tmp/ladder-e2e-nowhere/lib/ok.ex";
    open(&mut lsp, uri, "IO.inspect(1)\n");
    assert_eq!(codes(&lsp.wait_diagnostics(uri, Some(1))), ["io-inspect"]);
    assert!(lsp.shutdown().success());
}

#[test]
fn a_five_megabyte_file_is_linted_and_shutdown_is_prompt_while_busy() {
    let (mut lsp, _dir) = started();
    lsp.initialize(None, push_client(&[]));
    let mut big = String::from("defmodule Big do\n  @moduledoc false\n");
    let mut i = 0;
    while big.len() < 5 * 1024 * 1024 {
        big.push_str(&format!(
            "  defp f{i}(x) do\n    y = x + {}\n    {{:ok, y}}\n  end\n\n",
            i % 1000
        ));
        i += 1;
    }
    big.push_str("  defp g(x), do: IO.inspect(x)\nend\n");
    let uri = "file:///tmp/ladder-e2e-nowhere/lib/big.ex";
    open(&mut lsp, uri, &big);
    // Every rule over 5 MB in a debug build: minutes are fine here, the point is that it ends.
    let diags = lsp.wait_diagnostics_within(uri, Some(1), std::time::Duration::from_secs(180));
    assert_eq!(codes(&diags), ["io-inspect"]);
    // Edit at the end and shut down at once, with the re-lint in flight.
    change(
        &mut lsp,
        uri,
        2,
        json!([{"range": range(0, 0, 0, 0), "text": "# edited\n"}]),
    );
    assert!(lsp.shutdown().success());
}

#[test]
fn shutdown_with_empty_params_is_accepted() {
    // lsp-mode sends `"params": {}` with `shutdown`.
    let (mut lsp, _dir) = started();
    lsp.initialize(None, push_client(&[]));
    let response = lsp.request("shutdown", json!({}));
    assert!(response.get("error").is_none(), "{response}");
    lsp.notify("exit", json!({}));
    assert_eq!(lsp.wait_exit(Duration::from_secs(1)).code(), Some(0));
}

#[test]
fn templates_and_other_languages_are_not_linted() {
    let (mut lsp, _dir) = started();
    lsp.initialize(None, push_client(&[]));
    let heex = "file:///tmp/ladder-e2e-nowhere/lib/page.html.heex";
    lsp.notify("textDocument/didOpen", json!({"textDocument": {"uri": heex, "languageId": "phoenix-heex", "version": 1, "text": "<div :for={x <- @xs}>{x}</div>\n"}}));
    let ex = "file:///tmp/ladder-e2e-nowhere/lib/ok.ex";
    open(&mut lsp, ex, "IO.inspect(1)\n");
    lsp.wait_diagnostics(ex, Some(1));
    let seen = lsp.drain(Duration::from_millis(300));
    assert!(!seen.iter().any(|m| m["params"]["uri"] == heex), "{seen:?}");
    assert!(lsp.shutdown().success());
}

#[test]
fn exit_without_shutdown_ends_with_status_one() {
    let (mut lsp, _dir) = started();
    lsp.initialize(None, push_client(&[]));
    lsp.notify("exit", Value::Null);
    let status = lsp.wait_exit(Duration::from_secs(1));
    assert_eq!(status.code(), Some(1));
}

/// Copies the bundled sample project into a temporary folder.
fn sample_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixtures().join("sample_app"), dir.path());
    dir
}

#[test]
fn workspace_files_are_linted_in_the_background_with_progress() {
    let project = sample_project();
    // A file that is not UTF-8 must not stop the scan.
    std::fs::write(
        project.path().join("lib/shop/latin1.ex"),
        b"defmodule L do\n  # caf\xe9\nend\n",
    )
    .unwrap();
    let mut lsp = Lsp::start(project.path());
    lsp.initialize(Some(project.path()), push_client(&[]));
    let orders = file_uri(&project.path().join("lib/shop/orders.ex"));
    let diags = lsp.wait_diagnostics(&orders, None);
    assert_eq!(
        codes(&diags),
        [
            "doc-without-example",
            "missing-spec",
            "io-inspect",
            "doc-without-example",
            "doc-without-example",
            "missing-spec",
            "trailing-whitespace",
            "io-inspect"
        ]
    );
    let end = lsp.wait_notification("$/progress", |p| p["value"]["kind"] == "end");
    assert!(
        end["value"]["message"]
            .as_str()
            .unwrap()
            .ends_with("files linted")
    );
    assert!(
        lsp.server_requests
            .iter()
            .any(|r| r["method"] == "window/workDoneProgress/create")
    );
    assert!(
        lsp.server_requests
            .iter()
            .any(|r| r["method"] == "client/registerCapability")
    );
    // The file that is not UTF-8 is an L0 finding at its first bad byte, as in `check`.
    let latin1 = file_uri(&project.path().join("lib/shop/latin1.ex"));
    let diags = lsp.wait_diagnostics(&latin1, None);
    assert_eq!(codes(&diags), ["invalid-encoding"]);
    assert_eq!(
        diags[0]["range"]["start"],
        json!({"line": 1, "character": 7})
    );
    assert_eq!(diags[0]["severity"], 1);
    // The excluded legacy folder is not linted.
    let legacy = file_uri(&project.path().join("lib/shop/legacy/old.ex"));
    let all = lsp.drain(Duration::from_millis(300));
    assert!(!all.iter().any(|m| m["params"]["uri"] == legacy));

    // A change on disk is picked up through didChangeWatchedFiles.
    std::fs::write(
        project.path().join("lib/shop/orders.ex"),
        "defmodule Shop.Orders do\n  @moduledoc false\nend\n",
    )
    .unwrap();
    lsp.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": orders, "type": 2}]}),
    );
    let params = lsp.wait_notification("textDocument/publishDiagnostics", |p| {
        p["uri"] == orders && p["diagnostics"] == json!([])
    });
    assert!(params["version"].is_null());
    assert!(lsp.shutdown().success());
}

#[test]
fn code_lens_and_show_level() {
    let project = sample_project();
    let mut lsp = Lsp::start(project.path());
    lsp.initialize(Some(project.path()), push_client(&[]));
    let path = project.path().join("lib/shop/orders.ex");
    let uri = file_uri(&path);
    let text = std::fs::read_to_string(&path).unwrap();
    open(&mut lsp, &uri, &text);
    lsp.wait_diagnostics(&uri, Some(1));
    let lenses = lsp.call(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": uri}}),
    );
    assert_eq!(lenses.as_array().unwrap().len(), 1);
    // The sample project aims at L4 (`target_level: 4`).
    assert_eq!(
        lenses[0]["command"]["title"],
        "Ladder L0 → target L4: 5 blockers · next: L1 — 1 trailing-whitespace · L0–L3 not verified"
    );
    assert_eq!(lenses[0]["command"]["command"], "ladder.showLevel");
    let level = lsp.call(
        "workspace/executeCommand",
        json!({"command": "ladder.showLevel", "arguments": [uri]}),
    );
    assert_eq!(level["level"], 0);
    assert_eq!(level["label"], "L0");
    assert_eq!(level["next"], "next: L1 — 1 trailing-whitespace");
    assert_eq!(level["target"], 4);
    assert_eq!(level["targetBlockers"], 5);
    assert_eq!(level["reachesTarget"], false);
    assert_eq!(level["headline"], "Ladder L0 → target L4: 5 blockers");
    assert_eq!(level["gatesVerified"], false);
    // Asked by a status bar: no message. Clicked on the lens: the message.
    let quiet = lsp.drain(Duration::from_millis(300));
    assert!(
        !quiet.iter().any(|m| m["method"] == "window/showMessage"),
        "{quiet:?}"
    );
    let clicked = lenses[0]["command"]["arguments"].clone();
    lsp.call(
        "workspace/executeCommand",
        json!({"command": "ladder.showLevel", "arguments": clicked}),
    );
    lsp.wait_notification("window/showMessage", |p| {
        p["message"].as_str().unwrap().starts_with("Ladder L0")
    });
    assert!(lsp.shutdown().success());
}

#[test]
fn saving_the_config_applies_it_at_once() {
    let project = sample_project();
    let mut lsp = Lsp::start(project.path());
    lsp.initialize(Some(project.path()), push_client(&[]));
    let path = project.path().join("lib/shop/orders.ex");
    let uri = file_uri(&path);
    open(&mut lsp, &uri, &std::fs::read_to_string(&path).unwrap());
    assert!(codes(&lsp.wait_diagnostics(&uri, Some(1))).contains(&"io-inspect".to_string()));
    let config = project.path().join(".ladder.exs");
    std::fs::write(&config, "[rules: [\"io-inspect\": :off]]\n").unwrap();
    lsp.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": file_uri(&config)}}),
    );
    lsp.wait_notification("textDocument/publishDiagnostics", |p| {
        p["uri"] == uri
            && p["version"] == 1
            && !p["diagnostics"]
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d["code"] == "io-inspect")
    });
    assert!(lsp.shutdown().success());
}

#[test]
fn invalid_config_is_reported_on_the_config_file_and_defaults_apply() {
    let project = sample_project();
    std::fs::write(
        project.path().join(".ladder.exs"),
        "[target_level: 12, rules: [\"io-inspect\": :off]]\n",
    )
    .unwrap();
    let mut lsp = Lsp::start(project.path());
    lsp.initialize(Some(project.path()), push_client(&[]));
    let config = file_uri(&project.path().join(".ladder.exs"));
    let diags = lsp.wait_diagnostics(&config, None);
    assert_eq!(codes(&diags), ["invalid-config"]);
    assert!(
        diags[0]["message"]
            .as_str()
            .unwrap()
            .contains("target_level")
    );
    // The valid part still applies: io-inspect is off.
    let orders = file_uri(&project.path().join("lib/shop/orders.ex"));
    let diags = lsp.wait_diagnostics(&orders, None);
    assert!(!codes(&diags).contains(&"io-inspect".to_string()));
    assert!(lsp.shutdown().success());
}

/// A project aiming at the default target (L3), with a legacy folder aiming at L1.
fn targets_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("mix.exs"),
        "defmodule P.MixProject do\n  use Mix.Project\n  def project, do: [app: :p]\nend\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join(".ladder.exs"),
        "[targets: [{\"lib/legacy/**\", 1}]]\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("lib/legacy")).unwrap();
    dir
}

/// `io-inspect` (L2) and `missing-spec` (L4).
const TWO_RUNGS: &str = "defmodule P do\n  @moduledoc false\n  def f(x), do: IO.inspect(x)\nend\n";

fn by_code<'a>(diags: &'a [Value], code: &str) -> &'a Value {
    diags
        .iter()
        .find(|d| d["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {diags:?}"))
}

#[test]
fn findings_above_the_target_are_prefixed_hints_pushed_and_pulled() {
    let project = targets_project();
    let mut lsp = Lsp::start(project.path());
    lsp.initialize(Some(project.path()), push_client(&[]));
    let uri = file_uri(&project.path().join("lib/p.ex"));
    open(&mut lsp, &uri, TWO_RUNGS);
    let diags = lsp.wait_diagnostics(&uri, Some(1));
    // At or below the default target L3: as is. Above it: a hint saying so.
    let inspect = by_code(&diags, "io-inspect");
    assert_eq!(inspect["severity"], 2);
    assert!(
        !inspect["message"]
            .as_str()
            .unwrap()
            .starts_with("above target")
    );
    let spec = by_code(&diags, "missing-spec");
    assert_eq!(spec["severity"], 4);
    assert!(
        spec["message"]
            .as_str()
            .unwrap()
            .starts_with("above target L3: Public function `f/1`"),
        "{spec}"
    );
    assert_eq!(spec["data"]["aboveTarget"], true);
    // The legacy folder aims at L1: even io-inspect is above it.
    let legacy = file_uri(&project.path().join("lib/legacy/old.ex"));
    open(&mut lsp, &legacy, TWO_RUNGS);
    let diags = lsp.wait_diagnostics(&legacy, Some(1));
    let inspect = by_code(&diags, "io-inspect");
    assert_eq!(inspect["severity"], 4);
    assert!(
        inspect["message"]
            .as_str()
            .unwrap()
            .starts_with("above target L1: ")
    );
    // The lens still counts every finding for the level, and names the target.
    let lenses = lsp.call(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": legacy}}),
    );
    assert_eq!(
        lenses[0]["command"]["title"],
        "Ladder L1 · target L1 reached · next: L2 — 1 io-inspect · L0–L3 not verified"
    );
    // `aboveTarget: "asIs"` from workspace/didChangeConfiguration: every finding as it is.
    lsp.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"ladder": {"aboveTarget": "asIs"}}}),
    );
    lsp.wait_notification("textDocument/publishDiagnostics", |p| {
        p["uri"] == uri
            && p["diagnostics"]
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d["code"] == "missing-spec" && d["severity"] == 2)
    });
    assert!(lsp.shutdown().success());

    // A pull client with `aboveTarget: "off"`: above-target findings are not reported at all.
    let mut lsp = Lsp::start(project.path());
    lsp.initialize_with(
        Some(project.path()),
        pull_client(),
        json!({"aboveTarget": "off"}),
    );
    open(&mut lsp, &uri, TWO_RUNGS);
    let report = lsp.call(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": uri}}),
    );
    let items = report["items"].as_array().unwrap();
    assert!(
        codes(items).contains(&"io-inspect".to_string()),
        "{items:?}"
    );
    assert!(
        !codes(items).contains(&"missing-spec".to_string()),
        "{items:?}"
    );
    assert!(lsp.shutdown().success());

    // The default for a pull client: hints.
    let mut lsp = Lsp::start(project.path());
    lsp.initialize(Some(project.path()), pull_client());
    open(&mut lsp, &uri, TWO_RUNGS);
    let report = lsp.call(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": uri}}),
    );
    let spec = by_code(report["items"].as_array().unwrap(), "missing-spec");
    assert_eq!(spec["severity"], 4);
    assert!(
        spec["message"]
            .as_str()
            .unwrap()
            .starts_with("above target L3: ")
    );
    assert!(lsp.shutdown().success());
}
