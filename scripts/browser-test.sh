#!/usr/bin/env bash
# Starts the real `parley serve` on a free port with a fresh data directory and runs
# the browser stories in headless Chromium against it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BIN="${PARLEY_BIN:-$ROOT/target/debug/parley}"
DATA="$(mktemp -d /tmp/parley-browser.XXXXXX)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
export PARLEY_HTTP_ADDR="127.0.0.1:$PORT" PARLEY_DATA_DIR="$DATA" PARLEY_SITE_ROOT="$ROOT/site" \
  PARLEY_SIGNUPS_PER_IP=1000 RUST_LOG="${RUST_LOG:-warn}"
unset PARLEY_DATABASE_URL
"$BIN" serve >"$DATA/server.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || { cat "$DATA/server.log"; exit 1; }
  sleep 0.2
done
export PARLEY_BASE_URL="http://127.0.0.1:$PORT" PARLEY_OUTBOX="$DATA/outbox"
if ! node --test tests/browser/; then
  echo "--- server log ---"; tail -50 "$DATA/server.log"; exit 1
fi
