#!/usr/bin/env python3
"""first_open.py BINARY[,BINARY...] FILE[,FILE...] [ROOT]: the time from a `didOpen` to its first
`publishDiagnostics` in a fresh server, as an editor opening a large file meets it.

Each binary is started RUNS times per file (environment `RUNS`, default 7), alternating between
the binaries; each start opens the file once. With ROOT the server is initialized on that
workspace, whose index and lint then run while the file is opened. Prints, per binary and file,
each run's milliseconds as `total/parse/lint` (parse and lint from the server's debug log) and
the median total. Used for BENCHMARKS.md."""
import json, os, re, statistics, subprocess, sys, tempfile, time


def run(binary, path, root, log):
    env = dict(os.environ, LADDER_LOG="debug")
    p = subprocess.Popen([binary, "--stdio"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=open(log, "w"), env=env)

    def send(msg):
        b = json.dumps(msg).encode()
        p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(b) + b)
        p.stdin.flush()

    def recv():
        n = None
        while True:
            line = p.stdout.readline().strip()
            if not line:
                break
            if line.lower().startswith(b"content-length"):
                n = int(line.split(b":")[1])
        return p.stdout.read(n)

    root_uri = "file://" + os.path.abspath(root) if root else None
    send({"jsonrpc": "2.0", "id": 1, "method": "initialize",
          "params": {"processId": None, "capabilities": {}, "rootUri": root_uri}})
    while b'"id":1' not in recv():
        pass
    send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
    text = open(path, encoding="utf-8").read()
    msg = {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": "file:///bench/lib/big.ex", "languageId": "elixir", "version": 1, "text": text}}}
    body = json.dumps(msg).encode()
    start = time.perf_counter()
    p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    p.stdin.flush()
    while b"big.ex" not in (m := recv()) or b"publishDiagnostics" not in m:
        pass
    elapsed = (time.perf_counter() - start) * 1000
    p.kill()
    p.wait()
    s = open(log, encoding="utf-8", errors="replace").read()

    def ms(pattern):
        m = re.search(pattern + r".*?elapsed=([0-9.]+)(ms|µs)", s)
        if not m:
            return float("nan")
        return float(m.group(1)) / (1000 if m.group(2) == "µs" else 1)

    return elapsed, ms(r"parsed version=1 "), ms(r"linted uri=\"file:///bench/lib/big.ex\" version=1 ")


def main():
    binaries, files = sys.argv[1].split(","), sys.argv[2].split(",")
    root = sys.argv[3] if len(sys.argv) > 3 else None
    runs = int(os.environ.get("RUNS", "7"))
    log = os.path.join(tempfile.mkdtemp(), "server.log")
    for f in files:
        results = {b: [] for b in binaries}
        for _ in range(runs):
            for b in binaries:
                results[b].append(run(b, f, root, log))
        for b in binaries:
            rows = results[b]
            median = statistics.median(r[0] for r in rows)
            each = " ".join("%.0f/%.0f/%.0f" % r for r in rows)
            print(f"{os.path.basename(f)} {b}: median {median:.1f} ms; runs {each}")


if __name__ == "__main__":
    main()
