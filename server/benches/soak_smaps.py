#!/usr/bin/env python3
"""soak_smaps.py PATTERN OUT: where a running server's resident memory is, every 3 s until it
exits. Finds the process by its command line (`pgrep -f PATTERN`, e.g. "ladder-ls --stdio"),
then writes one line per sample to OUT: seconds since start, then for each kind of mapping its
resident KiB and (in brackets) the number of mappings:

  file        the binary and shared libraries (code and read-only data)
  heap        glibc's main arena ([heap], grown with brk)
  arena/mmap  other anonymous read-write mappings of 1 MiB or more (glibc's other arenas, large
              allocations)
  stackN      thread stacks (mappings of N KiB: 2048 for tokio's blocking threads)
  anon-small  other anonymous mappings

Used to find what grows in the soak (`cargo bench -p ladder-ls --bench soak`, with
`LADDER_SOAK_BIN` pointing at a copy of the server whose name the pattern matches): see
NOTES-scale.md."""
import os, re, subprocess, sys, time

pattern, out_path = sys.argv[1], sys.argv[2]
out = open(out_path, "w")
pid = None
while pid is None:
    found = subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True).stdout.split()
    if found:
        pid = found[0]
    else:
        time.sleep(0.2)


def classify():
    kinds, kind = {}, None
    for line in open(f"/proc/{pid}/smaps"):
        m = re.match(r"([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \d+\s*(.*)", line)
        if m:
            size = (int(m.group(2), 16) - int(m.group(1), 16)) // 1024
            name, perms = m.group(4).strip(), m.group(3)
            if name == "[heap]":
                kind = "heap"
            elif name.startswith("[stack"):
                kind = "mainstack"
            elif name.startswith("/"):
                kind = "file"
            elif name:
                kind = "other:" + name
            elif size in (2048, 8192, 2052, 8196):
                kind = f"stack{size}"
            elif size >= 1024 and perms.startswith("rw"):
                kind = "arena/mmap"
            else:
                kind = "anon-small"
            kinds.setdefault(kind, [0, 0])[1] += 1
        elif line.startswith("Rss:") and kind:
            kinds[kind][0] += int(line.split()[1])
    return kinds


start = time.time()
while os.path.exists(f"/proc/{pid}"):
    try:
        kinds = classify()
    except OSError:
        break
    cells = " ".join(f"{k}={v[0]}({v[1]})" for k, v in sorted(kinds.items()))
    out.write(f"{time.time() - start:6.1f} {cells}\n")
    out.flush()
    time.sleep(3)
