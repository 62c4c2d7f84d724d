#!/usr/bin/env bash
# Installs what the Emacs end-to-end test (tests/tests/emacs.rs) needs, only what is missing, so
# running it again is cheap (a fraction of a second when everything is there):
#
#   - Emacs 28.2, Debian 12's `emacs-nox`                   -> /usr/bin/emacs
#   - Eglot 1.9, `elpa-eglot`                               -> /usr/share/emacs/site-lisp/elpa/eglot-1.9
#   - lsp-mode 8.0.0, `elpa-lsp-mode`                       -> /usr/share/emacs/site-lisp/elpa/lsp-mode-8.0.0
#   - flycheck, `elpa-flycheck` (lsp-mode shows several servers' diagnostics only through it)
#   - python3, for the stand-in ElixirLS (tests/emacs/fake_elixir_ls.py)
#
# `--no-install-recommends` keeps the GUI `emacs-gtk` (which the elpa packages recommend) and X11
# out. Debian byte-compiles the elpa packages while installing them.
#
# Needs root (or sudo) for apt-get, and the Debian registry.
# Usage: tests/emacs/install.sh
set -euo pipefail

say() { printf '[emacs-install] %s\n' "$*"; }

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

# The installed version of a Debian package, or nothing.
installed() { dpkg-query -W -f='${db:Status-Status} ${Version}' "$1" 2>/dev/null | sed -n 's/^installed //p'; }

summary() {
    local pkg line
    line="$(emacs --version 2>/dev/null | head -n 1)"
    for pkg in elpa-eglot elpa-lsp-mode elpa-flycheck; do
        line+=", $pkg $(installed "$pkg")"
    done
    echo "$line, $(python3 --version 2>&1)"
}

missing=()
if ! { [ -x /usr/bin/emacs ] && [ -n "$(installed emacs-nox)$(installed emacs-gtk)$(installed emacs-lucid)" ]; }; then
    missing+=(emacs-nox)
fi
for pkg in elpa-eglot elpa-lsp-mode elpa-flycheck; do
    [ -n "$(installed "$pkg")" ] || missing+=("$pkg")
done
command -v python3 >/dev/null || missing+=(python3)

if [ ${#missing[@]} -eq 0 ]; then
    say "present: $(summary)"
    exit 0
fi

start=$(date +%s)
say "installing ${missing[*]}"
as_root apt-get update -qq
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
say "installed in $(( $(date +%s) - start )) s: $(summary)"
