#!/usr/bin/env bash
# Builds the browser half of the web crate into site/: site/pkg/web.js, site/pkg/web_bg.wasm,
# site/parley.css and GraphiQL's pinned assets in site/graphiql/, installing what is missing
# and skipping what is already there.
#
#   bash scripts/build-web.sh           # release build, wasm-opt -Oz
#   bash scripts/build-web.sh --debug   # quicker unoptimised build, no wasm-opt
#
# Why it looks like this (docs/ARCHITECTURE.md, "Building the wasm half"):
# - the wasm32 standard library is rebuilt from Debian's Rust sources (rust-web-src)
#   with -Zbuild-std, which needs RUSTC_BOOTSTRAP=1 on a stable compiler; rustup may not
#   reach its own download server here, so we never ask it for a target;
# - a shim directory puts Debian's cargo/rustc/rustdoc first on PATH for this build only;
# - target/wasm is used for nothing else (RUSTC_BOOTSTRAP is part of cargo's fingerprint);
# - the wasm-bindgen CLI must be exactly the version in Cargo.lock;
# - LEPTOS_OUTPUT_NAME must not be set while compiling (it renames the .wasm the page asks for).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PROFILE=wasm-release
case "${1:-}" in
  --debug) PROFILE=dev ;;
  "" | --release) ;;
  *) echo "usage: $0 [--release|--debug]" >&2; exit 2 ;;
esac

BINARYEN_VERSION=132.0.0
# Build tools (wasm-bindgen CLI, wasm-opt) are kept per user, outside the checkout, so a
# fresh clone on the same machine reuses them instead of compiling the CLI again.
TOOLS="${PARLEY_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/parley/tools}"
SHIM="$ROOT/target/wasm-shim"
SITE="$ROOT/site"
PKG="$SITE/pkg"

say() { printf '==> %s\n' "$*"; }

# 1. Debian's Rust with the standard library's source, and the wasm linker.
need_apt=()
[ -x /usr/bin/cargo ] || need_apt+=(cargo-web)
[ -x /usr/bin/rustc ] && [ -x /usr/bin/rustdoc ] || need_apt+=(rustc-web)
[ -d /usr/lib/rustlib/src/rust/library ] || need_apt+=(rust-web-src)
[ -x /usr/bin/lld-22 ] || need_apt+=(lld-22)
if [ "${#need_apt[@]}" -gt 0 ]; then
  say "installing Debian packages: ${need_apt[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq rustc-web cargo-web rust-web-src lld-22
else
  say "Debian Rust present: $(/usr/bin/rustc --version)"
fi

# 2. The shim: Debian's cargo, rustc and rustdoc first on PATH, for this build only.
mkdir -p "$SHIM"
for tool in cargo rustc rustdoc; do
  if [ "$(readlink "$SHIM/$tool" 2>/dev/null || true)" != "/usr/bin/$tool" ]; then
    ln -sfn "/usr/bin/$tool" "$SHIM/$tool"
  fi
done

# 3. wasm-bindgen CLI, exactly the version Cargo.lock resolved.
WB_VERSION="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock")"
if [ -z "$WB_VERSION" ]; then
  echo "wasm-bindgen not found in Cargo.lock; run 'cargo metadata' or build the web crate once" >&2
  exit 1
fi
WB="$TOOLS/bin/wasm-bindgen"
if [ -x "$WB" ] && [ "$("$WB" --version 2>/dev/null | awk '{print $2}')" = "$WB_VERSION" ]; then
  say "wasm-bindgen $WB_VERSION present"
else
  say "installing wasm-bindgen-cli $WB_VERSION into $TOOLS (a few minutes)"
  # No --locked: the CLI's own lock names crate releases the registry here may lack.
  cargo install wasm-bindgen-cli --version "$WB_VERSION" --root "$TOOLS" --force
fi

# 4. wasm-opt from npm's binaryen (Debian's is too old for today's wasm features).
WASM_OPT="$TOOLS/node_modules/.bin/wasm-opt"
if [ "$PROFILE" != dev ]; then
  installed="$(node -p "require('$TOOLS/node_modules/binaryen/package.json').version" 2>/dev/null || true)"
  if [ -x "$WASM_OPT" ] && [ "$installed" = "$BINARYEN_VERSION" ]; then
    say "binaryen $BINARYEN_VERSION present"
  else
    say "installing binaryen@$BINARYEN_VERSION (wasm-opt) into $TOOLS"
    mkdir -p "$TOOLS"
    npm install --prefix "$TOOLS" --no-save --no-audit --no-fund --loglevel=error "binaryen@$BINARYEN_VERSION"
  fi
fi

# 5. The wasm build itself (cargo skips it quickly when nothing changed).
say "building web (hydrate) for wasm32-unknown-unknown, profile $PROFILE"
unset LEPTOS_OUTPUT_NAME RUSTC_WRAPPER RUSTFLAGS
build_start=$SECONDS
PATH="$SHIM:$PATH" \
  RUSTC="$SHIM/rustc" RUSTDOC="$SHIM/rustdoc" \
  RUSTC_BOOTSTRAP=1 \
  "$SHIM/cargo" build -p web --lib --features hydrate \
  --profile "$PROFILE" \
  --target wasm32-unknown-unknown -Zbuild-std=std,panic_abort \
  --target-dir "$ROOT/target/wasm"
say "cargo finished in $((SECONDS - build_start)) s"

case "$PROFILE" in
  dev) OUT_DIR=debug ;;
  *) OUT_DIR="$PROFILE" ;;
esac
WASM_IN="$ROOT/target/wasm/wasm32-unknown-unknown/$OUT_DIR/web.wasm"

# 6. wasm-bindgen and wasm-opt into site/pkg, unless this exact wasm was already done.
mkdir -p "$PKG"
STAMP="$PKG/.built-from"
want="$(sha256sum "$WASM_IN" | cut -d' ' -f1) $PROFILE $WB_VERSION"
if [ -f "$PKG/web.js" ] && [ -f "$PKG/web_bg.wasm" ] && [ "$(cat "$STAMP" 2>/dev/null || true)" = "$want" ]; then
  say "site/pkg is up to date"
else
  say "wasm-bindgen -> site/pkg/web.js, web_bg.wasm"
  rm -f "$STAMP"
  "$WB" --target web --out-dir "$PKG" --out-name web --no-typescript "$WASM_IN"
  if [ "$PROFILE" != dev ]; then
    before=$(stat -c %s "$PKG/web_bg.wasm")
    say "wasm-opt -Oz"
    "$WASM_OPT" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
      --enable-reference-types --enable-multivalue --enable-mutable-globals \
      "$PKG/web_bg.wasm" -o "$PKG/web_bg.wasm.opt"
    mv "$PKG/web_bg.wasm.opt" "$PKG/web_bg.wasm"
    say "wasm-opt: $before -> $(stat -c %s "$PKG/web_bg.wasm") bytes"
  fi
  echo "$want" > "$STAMP"
fi

# 7. Static assets.
cp "$ROOT/web/style/parley.css" "$SITE/parley.css"

# 8. GraphiQL for GET /graphql, served by Parley itself rather than a CDN: the production
#    builds of the exact versions in web/graphiql/package-lock.json (npm ci), installed
#    again only when the lock file changes.
GQL_DIR="$ROOT/web/graphiql"
GQL_STAMP="$GQL_DIR/node_modules/.installed-from"
gql_want="$(sha256sum "$GQL_DIR/package-lock.json" | cut -d' ' -f1)"
if [ "$(cat "$GQL_STAMP" 2>/dev/null || true)" = "$gql_want" ]; then
  say "GraphiQL assets present"
else
  say "installing GraphiQL's pinned assets (npm ci in web/graphiql)"
  npm ci --prefix "$GQL_DIR" --no-audit --no-fund --loglevel=error
  echo "$gql_want" > "$GQL_STAMP"
fi
mkdir -p "$SITE/graphiql"
for asset in graphiql/graphiql.min.js graphiql/graphiql.min.css \
  react/umd/react.production.min.js react-dom/umd/react-dom.production.min.js; do
  cp "$GQL_DIR/node_modules/$asset" "$SITE/graphiql/"
done
say "done: $(du -h "$PKG/web_bg.wasm" | cut -f1) web_bg.wasm, $(du -h "$PKG/web.js" | cut -f1) web.js in site/pkg"
