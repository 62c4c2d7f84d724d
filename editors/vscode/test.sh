#!/usr/bin/env bash
# Builds, packages and tests the VS Code extension, end to end in a real VS Code (code-server)
# driven by Debian's chromium. From a fresh Debian 12 machine with Node 20 and the server built
# (`cargo build` → target/debug/ladder-ls), this installs whatever is missing; when everything is
# installed already it only rebuilds and reruns the tests.
#
#   editors/vscode/test.sh            everything
#   LADDER_LS_BIN=/path/to/ladder-ls editors/vscode/test.sh
#   SKIP_E2E=1 editors/vscode/test.sh (build, package, unit tests only)
#
# Output: dist-vsix/ladder-ls-<version>.vsix; e2e screenshots and logs under .e2e/.
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
command -v node >/dev/null || die "node not found: install Node 20"
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" = 20 ] || die "Node 20 is required (code-server $CODE_SERVER_VERSION refuses other versions); found $(node --version)"

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

step "package the .vsix"
version=$(node -p 'require("./package.json").version')
vsix="dist-vsix/ladder-ls-$version.vsix"
rm -f "$vsix"
mkdir -p dist-vsix
npx vsce package --no-dependencies --out "$vsix"
[ -s "$vsix" ] || die "vsce did not produce $vsix"
vsix_files=$(python3 -m zipfile -l "$vsix")
grep -q "extension/dist/extension.js" <<<"$vsix_files" || die "$vsix lacks dist/extension.js"

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
  (cd "$cs_dir" && env npm_config_unsafe_perm=true npm_config_nodedir=/usr npm_config_yes=true \
      npm_config_dangerously_allow_all_scripts=true npm ci --no-audit --no-fund)
  [ -x "$cs_dir/node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg" ] \
    || die "code-server's ripgrep is missing: did @vscode/ripgrep change its version ($RIPGREP_PKG_VERSION/$RIPGREP_VERSION)?"
  "$cs_bin" --version | grep -q "^$CODE_SERVER_VERSION " || die "code-server --version does not report $CODE_SERVER_VERSION"
  echo "$cs_hash" > "$cs_dir/.ladder-stamp"
else
  step "code-server $CODE_SERVER_VERSION already installed"
fi

# ---- end-to-end ------------------------------------------------------------------------------------
server_bin="${LADDER_LS_BIN:-$here/../../target/debug/ladder-ls}"
[ -x "$server_bin" ] || die "ladder-ls binary not found at $server_bin: build it first (cargo build) or set LADDER_LS_BIN"
export LADDER_LS_BIN="$server_bin" CODE_SERVER="$cs_bin" VSIX="$here/$vsix"
rm -rf .e2e/screenshots

step "e2e: missing server (activation, elixir language, install instructions)"
node test/e2e/run.mjs --mode missing-server

step "e2e: untrusted workspace (Restricted Mode forces the mix gates off)"
node test/e2e/run.mjs --mode untrusted

step "e2e: full scenario with $LADDER_LS_BIN"
node test/e2e/run.mjs --mode full

step "all VS Code extension checks passed in $(($(date +%s) - start))s"
