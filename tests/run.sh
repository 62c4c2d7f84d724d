#!/usr/bin/env bash
# The whole test suite, from a fresh Debian machine with Rust: installs what the tests need
# (editors for the end-to-end tests), then checks formatting, lints, and runs every test.
# Usage: tests/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "Installing test dependencies (only what is missing)"
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v mix >/dev/null 2>&1; then
    # Real `mix` for the tests that compile and format Elixir (Debian's Elixir 1.14).
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq elixir
fi
# Debian's Chromium renders the HTML report of `check --format html` (server/tests/reports.rs),
# which fails rather than skips when LADDER_REQUIRE_CHROMIUM is set.
if [ ! -x /usr/bin/chromium ]; then
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium
fi
export LADDER_REQUIRE_CHROMIUM=1
# libfuzzer-sys (fuzz/smoke.sh) compiles libFuzzer's C++ sources.
if ! command -v c++ >/dev/null 2>&1; then
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq g++
fi
tests/nvim/install.sh
tests/emacs/install.sh
# Microsoft's SARIF multitool: server/tests/sarif.rs validates `check --format sarif` with it, and
# fails rather than skips when this variable is set.
LADDER_SARIF_MULTITOOL="$(tests/sarif/install.sh)"
export LADDER_SARIF_MULTITOOL LADDER_REQUIRE_SARIF_VALIDATOR=1

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

step "cargo test (unit, property, CLI, real mix, wire-level LSP, Neovim and Emacs end-to-end tests)"
cargo test --workspace

step "Fuzz targets: build, and a short run of each over its seed corpus"
# Its own workspace (fuzz/Cargo.toml), so the steps above do not build it; see fuzz/README.md.
fuzz/smoke.sh

step "VS Code extension: build, unit tests, the platform .vsix with the server inside, end-to-end in a real VS Code (code-server)"
# test.sh bundles this debug build (found through CARGO_TARGET_DIR), not a release one: same
# packaging script, ~3 minutes less.
cargo build -p ladder-ls
editors/vscode/test.sh

step "All tests passed"
