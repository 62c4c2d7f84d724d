#!/usr/bin/env python3
"""server_mem.py BINARY ROOT: start ladder-ls on ROOT as an LSP client would, wait for the
workspace scan (index, then every file linted) to end, and print its duration and the server's
peak memory (VmHWM). Used for BENCHMARKS.md."""
import json, subprocess, sys, time, os, select
bin, root = sys.argv[1], os.path.abspath(sys.argv[2])
p = subprocess.Popen([bin], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=(None if os.environ.get("DBG") else subprocess.DEVNULL))
def send(msg):
    b = json.dumps(msg).encode()
    p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(b) + b); p.stdin.flush()
buf = b""
def read():
    global buf
    while True:
        if b"\r\n\r\n" in buf:
            head, rest = buf.split(b"\r\n\r\n", 1)
            n = int([l for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")][0].split(b":")[1])
            if len(rest) >= n:
                buf = rest[n:]
                return json.loads(rest[:n])
        r, _, _ = select.select([p.stdout], [], [], 120)
        if not r: return None
        chunk = os.read(p.stdout.fileno(), 1 << 20)
        if not chunk: return None
        buf += chunk
t0 = time.time()
send({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":None,"rootUri":"file://"+root,"capabilities":{"window":{"workDoneProgress":True}}}})
while True:
    m = read()
    if m is None or m.get("id") == 1: break
send({"jsonrpc":"2.0","method":"initialized","params":{}})
files = 0
while True:
    m = read()
    if m is None: break
    if os.environ.get("DBG"): print(str(m)[:200])
    if m.get("method") == "window/workDoneProgress/create":
        send({"jsonrpc":"2.0","id":m["id"],"result":None})
    elif "id" in m and "method" in m:
        send({"jsonrpc":"2.0","id":m["id"],"result":None})
    if m.get("method") == "$/progress" and m["params"]["value"].get("kind") == "end":
        msg = m["params"]["value"].get("message", "")
        if "files linted" in msg: break
t1 = time.time()
status = open(f"/proc/{p.pid}/status").read()
hwm = [l for l in status.splitlines() if l.startswith("VmHWM")][0]
print(f"{root}: workspace lint {t1-t0:.1f}s, {hwm}")
p.kill()
