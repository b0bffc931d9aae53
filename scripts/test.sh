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
say() { printf '\n==> %s\n' "$*"; }
started=$SECONDS

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

say "web assets (wasm)"
bash scripts/build-web.sh

say "building parley and the tests"
cargo build --bin parley
cargo nextest run --workspace --no-run

say "lints"
cargo clippy --workspace --all-targets -- -D warnings

say "unit tests and black-box stories"
PARLEY_BIN="$ROOT/target/debug/parley" cargo nextest run --workspace --no-fail-fast
# The typed IDs' promise (one object's ID does not pass for another's) is a
# compile-fail example in their documentation.
cargo test --doc -p entities

say "browser story (Chromium)"
bash scripts/browser-test.sh

say "all tests passed in $((SECONDS - started)) s"
