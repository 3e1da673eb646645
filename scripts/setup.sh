#!/usr/bin/env bash
# Installs every tool the build and the tests need, skipping each one that
# is already present at the right version. Safe to run again.
# With --bench it also installs what `make bench` uses (the peers DuckDB and
# pm4py from PyPI in bench-out/venv, DuckDB-wasm from npm in tools/bench/duckdb-wasm),
# and with --fuzz what `make fuzz` uses (the nightly toolchain and cargo-fuzz).
set -euo pipefail

with_bench=false
with_fuzz=false
for arg in "$@"; do
  case "$arg" in
    --bench) with_bench=true ;;
    --fuzz) with_fuzz=true ;;
    *) printf 'setup: unknown option %s. Use --bench or --fuzz.\n' "$arg" >&2; exit 2 ;;
  esac
done

cd "$(dirname "$0")/.."

# Must equal the wasm-bindgen version pinned with `=` in Cargo.toml, because
# the CLI refuses to process output from a different library version.
WASM_BINDGEN_VERSION=0.2.130
WASM_PACK_VERSION=0.15.1
CARGO_FUZZ_VERSION=0.13.2

export PATH="$HOME/.cargo/bin:$PATH"

log() { printf 'setup: %s\n' "$*"; }

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need_apt+=(chromium-driver)
command -v node >/dev/null 2>&1 || need_apt+=(nodejs npm)
command -v python3 >/dev/null 2>&1 || need_apt+=(python3)
if $with_bench; then
  python3 -c 'import venv, ensurepip' 2>/dev/null || need_apt+=(python3-venv)
  [ -x /usr/bin/time ] || need_apt+=(time)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  log "installing Debian packages: ${need_apt[*]}"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION\$"; then
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (takes a few minutes)"
  # Without --locked: one locked dependency version is missing from the registry.
  cargo install --quiet wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

if ! wasm-pack --version 2>/dev/null | grep -q " $WASM_PACK_VERSION\$"; then
  log "installing wasm-pack $WASM_PACK_VERSION (takes a few minutes)"
  cargo install --quiet wasm-pack --version "$WASM_PACK_VERSION" --force
fi

if $with_fuzz; then
  # cargo-fuzz builds with sanitizer flags that only the nightly compiler accepts.
  if ! rustup toolchain list | grep -q '^nightly'; then
    log "installing the nightly toolchain"
    rustup toolchain install nightly --profile minimal
  fi
  if ! cargo fuzz --version 2>/dev/null | grep -q " $CARGO_FUZZ_VERSION\$"; then
    log "installing cargo-fuzz $CARGO_FUZZ_VERSION (takes a few minutes)"
    cargo install --quiet cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked --force
  fi
fi

if [ ! -d node_modules/playwright-core ] || [ ! -d node_modules/@axe-core/playwright ] \
  || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
fi

if $with_bench; then
  # The Python peers, pinned in tools/bench/requirements.txt, in a virtualenv
  # of their own, so nothing is installed into the system's Python.
  bench_venv=bench-out/venv
  if [ ! -x "$bench_venv/bin/python" ]; then
    log "creating the virtualenv $bench_venv"
    python3 -m venv "$bench_venv"
  fi
  # Every pinned line must appear as it is in pip freeze.
  pinned_found="$("$bench_venv/bin/pip" freeze 2>/dev/null | grep -cxFf tools/bench/requirements.txt || true)"
  if [ "$pinned_found" -ne "$(grep -c . tools/bench/requirements.txt)" ]; then
    log "installing the Python peers of make bench: $(tr '\n' ' ' <tools/bench/requirements.txt)"
    "$bench_venv/bin/pip" install --quiet --disable-pip-version-check -r tools/bench/requirements.txt
  fi

  # DuckDB-wasm has its own package folder, so the page's npm ci stays small.
  duckdb_wasm=tools/bench/duckdb-wasm
  if [ ! -d "$duckdb_wasm/node_modules/@duckdb/duckdb-wasm" ] \
    || [ "$duckdb_wasm/package-lock.json" -nt "$duckdb_wasm/node_modules/.package-lock.json" ]; then
    log "installing DuckDB-wasm in $duckdb_wasm"
    npm ci --prefix "$duckdb_wasm" --no-audit --no-fund --loglevel=error
  fi
fi

log "ready"
