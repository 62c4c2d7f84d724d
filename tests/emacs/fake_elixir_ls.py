#!/usr/bin/env python3
"""A stand-in for ElixirLS in the lsp-mode end-to-end test (tests/emacs/e2e.el).

ElixirLS itself is not in the registries this project uses.  lsp-mode starts this
stub as its built-in `elixir-ls` client (command `language_server.sh`), so the test
can show that ladder-ls, registered with `:add-on? t`, runs beside it on the same
buffer.  It speaks just enough LSP: answers `initialize` (full text sync), `shutdown`
and any other request (with null), exits on `exit`, and publishes one diagnostic
with `source: "ElixirLS"` for each opened or changed document.
"""
import json
import sys


def read_message():
    length = None
    while True:
        line = sys.stdin.buffer.readline()
        if not line:
            return None
        line = line.strip()
        if not line:
            break
        name, _, value = line.decode("ascii").partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    if length is None:
        return None
    return json.loads(sys.stdin.buffer.read(length))


def send(message):
    body = json.dumps(message).encode("utf-8")
    sys.stdout.buffer.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    sys.stdout.buffer.flush()


def publish(uri):
    diagnostic = {
        "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 9}},
        "severity": 3,
        "source": "ElixirLS",
        "message": "fake ElixirLS is attached",
    }
    send({"jsonrpc": "2.0", "method": "textDocument/publishDiagnostics",
          "params": {"uri": uri, "diagnostics": [diagnostic]}})


def main():
    while True:
        message = read_message()
        if message is None:
            return
        method = message.get("method")
        if method is None:
            continue  # a response to one of our (no) requests
        if method == "exit":
            return
        if "id" in message:
            result = None
            if method == "initialize":
                result = {"capabilities": {"textDocumentSync": 1},
                          "serverInfo": {"name": "fake-elixir-ls"}}
            send({"jsonrpc": "2.0", "id": message["id"], "result": result})
        elif method in ("textDocument/didOpen", "textDocument/didChange"):
            publish(message["params"]["textDocument"]["uri"])


if __name__ == "__main__":
    main()
