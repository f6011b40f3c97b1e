#!/usr/bin/env bash
# Builds the web app into www/pkg: the wasm package (SIMD128), bound with wasm-bindgen and
# optimised with wasm-opt from npm. Installs what is missing first (idempotent):
# the wasm32 target, wasm-bindgen-cli at the version Cargo.lock pins, npm packages from the lockfile.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# --- tools -------------------------------------------------------------------------------------
if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  log "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

WB_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
if [ -z "$WB_VERSION" ]; then echo "wasm-bindgen not found in Cargo.lock" >&2; exit 1; fi
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WB_VERSION" ]; then
  log "cargo install wasm-bindgen-cli $WB_VERSION (a few minutes, once)"
  # No --locked: the CLI's own lockfile pins a crate version the registry mirror may lack.
  cargo install wasm-bindgen-cli --version "$WB_VERSION" --no-default-features
fi

# npm ci only when node_modules is missing or older than the lockfile.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "npm ci"
  npm ci --no-audit --no-fund
fi

# --- build -------------------------------------------------------------------------------------
if [ -n "${RUSTFLAGS:-}" ]; then
  # RUSTFLAGS replaces the rustflags of .cargo/config.toml, which turn on SIMD128.
  export RUSTFLAGS="$RUSTFLAGS -C target-feature=+simd128"
fi
log "cargo build --lib --release --target wasm32-unknown-unknown --no-default-features"
cargo build --lib --release --target wasm32-unknown-unknown --no-default-features

TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')
log "wasm-bindgen --target web --out-dir www/pkg"
wasm-bindgen --target web --no-typescript --out-dir www/pkg "$TARGET_DIR/wasm32-unknown-unknown/release/idscope.wasm"

log "wasm-opt -O3 (npm binaryen)"
node_modules/.bin/wasm-opt -O3 www/pkg/idscope_bg.wasm -o www/pkg/idscope_bg.wasm.opt
mv www/pkg/idscope_bg.wasm.opt www/pkg/idscope_bg.wasm

node scripts/check-wasm.mjs www/pkg/idscope_bg.wasm
