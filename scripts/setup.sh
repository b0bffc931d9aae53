#!/usr/bin/env bash
# Installs what Parley's build and tests need and skips what is already there:
# Debian packages (a C compiler, PostgreSQL client tools, Chromium for browser tests,
# dkimpy for checking DKIM signatures in tests,
# Debian's Rust for the wasm half), cargo-nextest, and the browser tests' npm packages.
#
#   bash scripts/setup.sh          # what running Parley needs
#   bash scripts/setup.sh --test   # plus what the tests need
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
say() { printf '==> %s\n' "$*"; }

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

missing=()
have() { command -v "$1" >/dev/null 2>&1; }
have cc || missing+=(gcc)
have pkg-config || missing+=(pkg-config)
have node || missing+=(nodejs)
have npm || missing+=(npm)
[ -x /usr/bin/cargo ] || missing+=(cargo-web)
{ [ -x /usr/bin/rustc ] && [ -x /usr/bin/rustdoc ]; } || missing+=(rustc-web)
[ -d /usr/lib/rustlib/src/rust/library ] || missing+=(rust-web-src)
[ -x /usr/bin/lld-22 ] || missing+=(lld-22)
if [ "$want_test" = 1 ]; then
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  have psql || missing+=(postgresql-client)
  # dkimpy: the campaign stories check DKIM signatures with a verifier of its own.
  [ -f /usr/lib/python3/dist-packages/dkim/__init__.py ] || missing+=(python3-dkim)
fi
if [ "${#missing[@]}" -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
else
  say "Debian packages present"
fi

if ! have cargo; then
  echo "cargo is missing: this machine kind ships rustup's Rust; install it first" >&2
  exit 1
fi

if [ "$want_test" = 1 ]; then
  if cargo nextest --version >/dev/null 2>&1; then
    say "cargo-nextest present"
  else
    say "installing cargo-nextest"
    cargo install cargo-nextest --locked
  fi
  if [ -d tests/browser/node_modules/playwright-core ]; then
    say "browser test packages present"
  else
    say "installing browser test packages (npm ci)"
    (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
