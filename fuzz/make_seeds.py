#!/usr/bin/env python3
"""Writes the committed seed corpora under fuzz/corpus/ from the repository's own rule docs
and fixtures (never from other projects). Deterministic: re-running gives the same files.
Usage: python3 fuzz/make_seeds.py"""
import hashlib
import os
import random
import re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")

# Index of each path in PATHS of fuzz_targets/lint_fix.rs.
LIB, TEST, MIGRATION, CONFIG, MIX = 0, 4, 6, 7, 9


def write(target, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    name = "seed-" + hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def rule_examples():
    """(rule, fixable, first `Bad` Elixir block) of every rule doc, sorted by rule."""
    docs = os.path.join(ROOT, "docs", "rules")
    out = []
    for name in sorted(os.listdir(docs)):
        if name == "README.md":
            continue
        text = open(os.path.join(docs, name)).read()
        fixable = re.search(r"\|\s*L\d\s*\|[^|]*\|\s*yes", text) is not None
        blocks = re.findall(r"```elixir\n(.*?)```", text, re.S)
        if blocks:
            out.append((name[:-3], fixable, blocks[0]))
    return out


def path_for(code):
    if "Ecto.Migration" in code or re.search(r"\bdef (up|down|change)\b", code) or "create table" in code or "alter table" in code:
        return MIGRATION
    if "ExUnit" in code or re.search(r'^\s*test "', code, re.M):
        return TEST
    if code.lstrip().startswith(("import Config", "config :")):
        return CONFIG
    if "MixProject" in code:
        return MIX
    return LIB


def lint_fix():
    examples = rule_examples()
    # The fixable rules first, then the others, up to 48 seeds.
    examples.sort(key=lambda e: (not e[1], e[0]))
    for _, _, code in examples[:48]:
        write("lint_fix", bytes([path_for(code)]) + code.encode())


def edit_sequence():
    # Byte strings `arbitrary` decodes into edit sequences; fixed-seed random ones of a few
    # sizes plus a few rule examples (their bytes decode into text-heavy changes).
    rng = random.Random(12)
    for size in [16, 32, 48, 64, 96, 128, 192, 256] * 3:
        write("edit_sequence", bytes(rng.randrange(256) for _ in range(size)))
    for _, _, code in rule_examples()[:12]:
        write("edit_sequence", bytes([rng.randrange(256), rng.randrange(256)]) + code.encode())


def incremental_lint():
    # A file (path byte + text) then edits separated by 0xFF: two position bytes, a delete
    # count, the inserted text. Fixed-seed edits of realistic kinds over rule examples joined
    # into one module file, and over the fixtures' application modules.
    rng = random.Random(2026)
    inserts = [b" ", b"x", b"\n", b"end\n", b"def a(x), do: x\n", b"|> validate_required([:a])\n",
               b"Task.async(fn -> 1 end)\n", b"Repo.all(q)\n", b"# TODO\n", b'"#{x}"', b"@doc false\n"]
    texts = []
    examples = [code for _, _, code in rule_examples() if path_for(code) == LIB]
    for i in range(0, min(len(examples), 40), 4):
        texts.append("\n".join(examples[i:i + 4]))
    for dirpath, _, files in sorted(os.walk(os.path.join(ROOT, "fixtures"))):
        for f in sorted(files):
            if f.endswith(".ex") and "/lib/" in os.path.join(dirpath, f):
                texts.append(open(os.path.join(dirpath, f)).read())
    for text in texts[:24]:
        data = bytearray([LIB]) + text.encode()
        for _ in range(rng.randrange(2, 8)):
            at = rng.randrange(len(text) + 1)
            data += b"\xff" + bytes([at & 0xFF, at >> 8 & 0xFF, rng.randrange(4)]) + rng.choice(inserts)
        write("incremental_lint", bytes(data))


def frame(body):
    if isinstance(body, str):
        body = body.encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def lsp_framing():
    init = '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}'
    opened = '{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///tmp/x.ex","languageId":"elixir","version":1,"text":"defmodule A do\\nend\\n"}}}'
    change = '{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"file:///tmp/x.ex","version":2},"contentChanges":[{"range":{"start":{"line":0,"character":10},"end":{"line":0,"character":11}},"text":"B"}]}}'
    shutdown = '{"jsonrpc":"2.0","id":2,"method":"shutdown","params":{}}'
    exit_ = '{"jsonrpc":"2.0","method":"exit"}'
    response = '{"jsonrpc":"2.0","id":0,"result":null}'
    error = '{"jsonrpc":"2.0","id":"a","error":{"code":-32601,"message":"no"}}'
    bodies = [init, opened, change, shutdown, exit_, response, error,
              '{"jsonrpc":"2.0","id":7}', "{bad", "[1,2]", "null", '{"method":5}',
              '{"jsonrpc":"1.0","id":1,"method":"x"}', '{"jsonrpc":"2.0","id":null,"method":"x"}',
              '{"jsonrpc":"2.0","id":1.5,"method":"x","params":[]}', "\u00e9\u00e9", ""]
    for b in bodies:
        write("lsp_framing", frame(b))
    write("lsp_framing", b"".join(frame(b) for b in [init, opened, change, shutdown, exit_]))
    write("lsp_framing", b"\r\n\r\n" + frame(init) + b"\n\n" + frame(response))
    write("lsp_framing", b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n" + frame(init))
    write("lsp_framing", b"content-length: 2\n\n{}")
    write("lsp_framing", b"Content-Length: abc\r\n\r\n" + frame(init))
    write("lsp_framing", b"Content-Length: 99999999999999999999\r\n\r\n{}")
    write("lsp_framing", b"Content-Length 5\r\n\r\nhello" + frame(exit_))
    write("lsp_framing", b"X-Other: 1\r\n\r\n" + frame(shutdown))
    write("lsp_framing", b"Content-Length: 40\r\n\r\n{\"jsonrpc\":\"2.0\"")
    write("lsp_framing", b"Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}" + frame(exit_))
    write("lsp_framing", b"Content-Length: -1\r\n\r\n")
    write("lsp_framing", b"\xff\xfe\r\n\r\n" + frame(init))


def lsp_dispatch():
    def msg(obj):
        import json
        return frame(json.dumps(obj, ensure_ascii=False))
    init = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "capabilities": {"general": {"positionEncodings": ["utf-8", "utf-16"]},
                         "textDocument": {"diagnostic": {}}},
        "initializationOptions": {"targetLevel": 4}}}
    shutdown = {"jsonrpc": "2.0", "id": 99, "method": "shutdown"}
    exit_ = {"jsonrpc": "2.0", "method": "exit"}
    paths = ["lib/shop/orders.ex", "test/shop/orders_test.exs",
             "priv/repo/migrations/20240101120000_create_orders.exs", "config/config.exs", "mix.exs"]
    for i, (_, _, code) in enumerate(rule_examples()[:28]):
        uri = "file:///tmp/ladder-fuzz/" + paths[{LIB: 0, TEST: 1, MIGRATION: 2, CONFIG: 3, MIX: 4}[path_for(code)]]
        doc = {"uri": uri}
        lines = code.count("\n")
        rng = {"start": {"line": lines // 2, "character": 2}, "end": {"line": lines // 2, "character": 4}}
        session = [init,
                   {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
                       "uri": uri, "languageId": "elixir", "version": 1, "text": code}}},
                   {"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
                       "textDocument": {"uri": uri, "version": 2},
                       "contentChanges": [{"range": rng, "text": ["x", "\n", "end", "é😀", ""][i % 5]}]}},
                   {"jsonrpc": "2.0", "id": 2, "method": "textDocument/hover", "params": {
                       "textDocument": doc, "position": rng["start"]}},
                   {"jsonrpc": "2.0", "id": 3, "method": "textDocument/codeAction", "params": {
                       "textDocument": doc, "range": {"start": {"line": 0, "character": 0}, "end": {"line": lines, "character": 0}},
                       "context": {"diagnostics": [], "only": [["quickfix", "source.fixAll.ladder", "source"][i % 3]]}}},
                   {"jsonrpc": "2.0", "id": 4, "method": "textDocument/codeLens", "params": {"textDocument": doc}},
                   {"jsonrpc": "2.0", "id": 5, "method": "textDocument/diagnostic", "params": {"textDocument": doc}},
                   {"jsonrpc": "2.0", "method": "textDocument/didClose", "params": {"textDocument": doc}},
                   shutdown, exit_]
        write("lsp_dispatch", b"".join(msg(m) for m in session))
    # Requests before initialize, after shutdown, unknown methods, and a cancel.
    write("lsp_dispatch", msg({"jsonrpc": "2.0", "id": 1, "method": "textDocument/hover", "params": {}}) + msg(init))
    write("lsp_dispatch", msg(init) + msg(shutdown) + msg({"jsonrpc": "2.0", "id": 7, "method": "textDocument/codeLens", "params": {"textDocument": {"uri": "file:///x.ex"}}}))
    write("lsp_dispatch", msg(init) + msg({"jsonrpc": "2.0", "id": 8, "method": "ladder/unknown"}) + msg({"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": 8}}))
    write("lsp_dispatch", msg(init) + msg({"jsonrpc": "2.0", "id": 0, "result": None}))


CREDO = open(os.path.join(ROOT, "server", "src", "config", "credo.rs")).read()
SOBELOW = open(os.path.join(ROOT, "server", "src", "config", "sobelow.rs")).read()


def config_readers():
    for dirpath, _, files in os.walk(os.path.join(ROOT, "fixtures")):
        for f in files:
            if f in (".ladder.exs", ".credo.exs", ".sobelow-conf", ".formatter.exs"):
                write("config_readers", open(os.path.join(dirpath, f), "rb").read())
    vscode = os.path.join(ROOT, "editors", "vscode", "test", "fixtures", "workspace", ".ladder.exs")
    if os.path.exists(vscode):
        write("config_readers", open(vscode, "rb").read())
    # The configuration files the readers' unit tests use (raw string constants).
    for src in (CREDO, SOBELOW):
        for body in re.findall(r'const [A-Z_]+: &str = r#"(.*?)"#;', src, re.S):
            write("config_readers", body)
    # `.ladder.exs` snippets of the rule docs ("In `.ladder.exs`: `rules: [...]`").
    docs = os.path.join(ROOT, "docs", "rules")
    snippets = set()
    for name in sorted(os.listdir(docs)):
        text = open(os.path.join(docs, name)).read()
        for s in re.findall(r"`(rules: \[[^`]*\])`", text):
            snippets.add(s)
    for s in sorted(snippets)[:12]:
        write("config_readers", "[" + s + "]\n")
    for s in [
        "[target_level: 4, exclude: [\"lib/legacy/**\"], targets: [{\"lib/shop/**\", 5}, {\"test/**\", 2}]]",
        "[rules: [\"deep-nesting\": [max: 0], \"long-function\": [max: -1], \"function-arity\": [max: 99999999999999999999]]]",
        "[mix: [enabled: false, env: \"test\", timeout_ms: 1000], start_after: \"20240101000000\", postgres_version: 10]",
        "%{configs: [%{name: \"default\", checks: [{Credo.Check.Refactor.Nesting, [max_nesting: 1]}, {Credo.Check.Refactor.FunctionArity, false}]}]}",
        "%{configs: [%{name: \"default\", checks: %{disabled: [{Credo.Check.Warning.IExPry, []}]}}]}",
        "[ignore: [\"Config\", \"SQL.Query\"], ignore_files: [\"lib/a.ex\", \"../x\", \"\"]]",
        "[exclude: [\"[\", \"{a,b\", \"**\"], targets: [{\"**\", 9}, {\"[z-a]\", 1}]]",
        "[rules: [\"line-length\": [max: 1], \"no-such-rule\": :off, \"dbg-call\": :error]]",
    ]:
        write("config_readers", s)


if __name__ == "__main__":
    lint_fix()
    incremental_lint()
    edit_sequence()
    lsp_framing()
    config_readers()
    lsp_dispatch()
    for t in sorted(os.listdir(CORPUS)):
        print(t, len(os.listdir(os.path.join(CORPUS, t))))
