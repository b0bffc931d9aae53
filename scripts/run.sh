#!/usr/bin/env bash
# Sets up what is missing, builds Parley (web assets and the release binary) and runs
# `parley serve`: API, web app and workers in one process on an embedded SQLite
# database under ./data, at http://127.0.0.1:8080 (PARLEY_HTTP_ADDR to change it).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/setup.sh
bash scripts/build-web.sh
cargo build --release -p api --bin parley
export PARLEY_SITE_ROOT="${PARLEY_SITE_ROOT:-$ROOT/site}"
echo "==> Parley at http://${PARLEY_HTTP_ADDR:-127.0.0.1:8080} (Ctrl-C stops it)"
exec "$ROOT/target/release/parley" serve "$@"
