#!/usr/bin/env bash
# Sets up what is missing, then runs every test of Parley: formatting, lints, unit
# tests, the black-box stories on SQLite and PostgreSQL (with a real SMTP server),
# and the browser story in Chromium against the real binary.
#
# PostgreSQL: TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test, an
# owner/superuser login); each test creates its own database in that cluster.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
started=$SECONDS
# Each step is stamped with the seconds since the start, so a slow run shows where.
say() { printf '\n==> [%4d s] %s\n' "$((SECONDS - started))" "$*"; }

bash scripts/setup.sh --test

export TEST_DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
say "PostgreSQL at ${TEST_DATABASE_URL%%@*}@…"
if ! psql "$TEST_DATABASE_URL" -Atqc 'SELECT 1' >/dev/null 2>&1; then
  echo "PostgreSQL is not reachable at TEST_DATABASE_URL; the stories run on SQLite and PostgreSQL both." >&2
  exit 1
fi
# Databases left by earlier runs (each test makes its own).
psql "$TEST_DATABASE_URL" -Atqc "SELECT datname FROM pg_database WHERE datname LIKE 'parley_t_%'" |
  while read -r db; do psql "$TEST_DATABASE_URL" -qc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true; done

say "formatting"
cargo fmt --all --check

# The wasm half builds beside the server: each spends minutes on one core (the wasm's
# whole-program optimisation, the server's largest crates and links), so together they
# keep both cores busy. Its output is kept and shown when it ends.
say "web assets (wasm), in the background"
mkdir -p target
web_log="$ROOT/target/build-web.log"
bash scripts/build-web.sh >"$web_log" 2>&1 &
web_pid=$!
trap 'kill "$web_pid" 2>/dev/null || true' EXIT

# Clippy lints every workspace crate while it is compiled for real (cargo clippy would
# check every dependency a second time): its driver stands in for rustc on workspace
# members only, with the arguments `cargo clippy -- -D warnings` would give it.
CLIPPY_DRIVER="$(rustc --print sysroot)/bin/clippy-driver"
if [ ! -x "$CLIPPY_DRIVER" ]; then
  echo "clippy is missing: rustup component add clippy" >&2
  exit 1
fi
export RUSTC_WORKSPACE_WRAPPER="$CLIPPY_DRIVER" CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"

# One build of every target (binary, tests, examples) with one feature resolution, so
# nothing is compiled twice.
say "building and linting parley, its tests and examples"
cargo build --workspace --all-targets

say "unit tests and black-box stories"
PARLEY_BIN="$ROOT/target/debug/parley" cargo nextest run --workspace --no-fail-fast
# The typed IDs' promise (one object's ID does not pass for another's) is a
# compile-fail example in their documentation (the only crate with doc examples).
cargo test --workspace --doc

say "web assets (wasm): waiting for the build"
if ! wait "$web_pid"; then
  cat "$web_log"
  echo "the web assets did not build" >&2
  exit 1
fi
trap - EXIT
grep '^==>' "$web_log" || true

say "browser story (Chromium)"
bash scripts/browser-test.sh

say "all tests passed in $((SECONDS - started)) s"
