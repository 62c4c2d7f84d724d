#!/usr/bin/env bash
# Smoke run of every fuzz target: builds them (installing the pinned cargo-fuzz if missing) and
# runs each over its committed seed corpus plus some mutations (seconds each), so a target that no
# longer builds, or an input of the seed corpus that crashes, fails the test command. New corpus
# entries go to a scratch directory, never into fuzz/corpus/.
# Usage: fuzz/smoke.sh   (from tests/run.sh; CARGO_TARGET_DIR is honoured)
set -euo pipefail
cd "$(dirname "$0")"

CARGO_FUZZ_VERSION=0.13.2
if ! cargo fuzz --version 2>/dev/null | grep -qx "cargo-fuzz $CARGO_FUZZ_VERSION"; then
    # A debug build of cargo-fuzz itself: it only drives cargo and the fuzzer binaries, and
    # builds in a fraction of the time of an optimised one.
    cargo install --locked --debug cargo-fuzz --version "$CARGO_FUZZ_VERSION"
fi

# cargo-fuzz passes nightly flags (-Z…) to rustc and cargo; stable Rust accepts them with this.
export RUSTC_BOOTSTRAP=1
# Unoptimised build without a sanitizer: the smoke run executes a few thousand inputs, so
# build time is what counts (see README.md for the trade-offs; campaigns use -O).
FLAGS=(--dev --sanitizer none)
started=$SECONDS
cargo fuzz build "${FLAGS[@]}"
echo "fuzz targets built in $((SECONDS - started)) s"

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
run() {
    local target=$1 runs=$2 dict=${3:-}
    local args=(-runs="$runs" -max_total_time=30 -timeout=20 -rss_limit_mb=2048 -print_final_stats=1)
    if [ -n "$dict" ]; then args+=(-dict="dicts/$dict"); fi
    mkdir -p "$scratch/$target"
    local log="$scratch/$target.log" t0=$SECONDS
    if ! cargo fuzz run "${FLAGS[@]}" "$target" "$scratch/$target" "corpus/$target" -- "${args[@]}" \
        >"$log" 2>&1; then
        tail -n 80 "$log"
        echo "fuzz target $target failed (reproduce: cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run ${FLAGS[*]} $target <crash file>)"
        return 1
    fi
    echo "$target: $(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | grep -o '[0-9]*$') runs in $((SECONDS - t0)) s"
}
run edit_sequence 150
run lint_fix 200 elixir.dict
run incremental_lint 60 elixir.dict
run lsp_framing 5000 lsp.dict
run lsp_dispatch 60 lsp.dict
run config_readers 1500 elixir.dict
echo "fuzz smoke: every target ran clean"
