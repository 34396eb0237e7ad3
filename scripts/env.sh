# Sourced by the scripts in this directory: the project root, tool paths and PATH order.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
CHROMIUM_BIN="${CHROMIUM_BIN:-/usr/bin/chromium}"
CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"

# npm's wasm-opt must come before any Debian binaryen, and cargo's evtx_dump before the
# Python script of the same name that python-evtx installs.
PATH="$ROOT/node_modules/.bin:$CARGO_BIN:$PATH"

# The Python that has python-evtx, for tests/fixture_readers.rs: the caller's PYTHON_EVTX,
# else .venv (where scripts/setup installs python-evtx when python3 lacks it), else python3.
PYTHON_EVTX_REQUESTED="${PYTHON_EVTX:-}"
choose_python_evtx() {
    if [[ -n "$PYTHON_EVTX_REQUESTED" ]]; then
        PYTHON_EVTX="$PYTHON_EVTX_REQUESTED"
    elif [[ -x "$ROOT/.venv/bin/python" ]]; then
        PYTHON_EVTX="$ROOT/.venv/bin/python"
    else
        PYTHON_EVTX=python3
    fi
    export PYTHON_EVTX
}
choose_python_evtx

# Without this, trunk queries crates.io for a newer release on every run.
TRUNK_SKIP_VERSION_CHECK=true

export ROOT CARGO_BIN CHROMIUM_BIN CHROMEDRIVER PATH TRUNK_SKIP_VERSION_CHECK

step() {
    printf '\n== %s\n' "$*"
}

info() {
    printf '[+] %s\n' "$*"
}

warn() {
    printf '[!] %s\n' "$*" >&2
}

die() {
    printf '[!] %s\n' "$*" >&2
    exit 1
}
