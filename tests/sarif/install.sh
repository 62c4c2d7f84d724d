#!/usr/bin/env bash
# Installs Microsoft's SARIF multitool (npm `@microsoft/sarif-multitool`, pinned in
# package-lock.json) into tests/sarif/node_modules (gitignored), for the SARIF validation test
# (server/tests/sarif.rs). Its Linux x86-64 binary ships inside the npm package
# (@microsoft/sarif-multitool-linux/Sarif.Multitool): no .NET needed.
#
# Only what is missing: when the lock file has not changed since the last install and the binary
# runs, this does nothing (and needs no network). Prints the binary's path on its last line.
# Usage: tests/sarif/install.sh
set -euo pipefail
cd "$(dirname "$0")"

say() { printf '[sarif-install] %s\n' "$*" >&2; }

BIN="$PWD/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"
# The multitool is a .NET program; without ICU it still runs in invariant-globalization mode.
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1

if [ "$(uname -s)/$(uname -m)" != Linux/x86_64 ]; then
    say "the multitool's npm package has a Linux x86-64 binary only; this is $(uname -s)/$(uname -m)"
    exit 1
fi
command -v npm >/dev/null || { say "npm not found: install Node.js (20) first"; exit 1; }

runs() { [ -x "$BIN" ] && "$BIN" --version >/dev/null 2>&1; }

lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.ladder-lock-hash 2>/dev/null || true)" = "$lock_hash" ] && runs; then
    say "present: $("$BIN" --version 2>&1 | grep -m1 Multitool || true)"
else
    say "npm ci (@microsoft/sarif-multitool)"
    # --prefer-offline: the npm cache is enough when it has the packages. The only install
    # script is the binary's `chmod u+x`, done below (npm 11 skips unapproved install scripts).
    npm ci --no-audit --no-fund --prefer-offline --ignore-scripts >&2
    chmod u+x "$BIN"
    runs || { say "$BIN does not run"; exit 1; }
    echo "$lock_hash" > node_modules/.ladder-lock-hash
    say "installed: $("$BIN" --version 2>&1 | grep -m1 Multitool || true)"
fi
echo "$BIN"
