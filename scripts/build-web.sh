#!/usr/bin/env bash
# Builds the web app into www/pkg: the workers' wasm module (feature `worker`: files, searches,
# estimates) in two builds (SIMD128, and SIMD128 + relaxed SIMD as idscope_relaxed_bg.wasm), and
# the page's module (feature `page`: charts, plans, comparisons) as idscope_page, each bound with
# wasm-bindgen and optimised with wasm-opt from npm. Installs what is missing first (idempotent):
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
# Two builds of one source: plain SIMD128, and SIMD128 + relaxed SIMD (the Gram kernel's fused
# multiply-add), which www/simd.js picks where the browser validates relaxed SIMD. The relaxed
# build has its own target directory so that neither build invalidates the other's.
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')

# IDSCOPE_WASM_FEATURES=bench adds the benchmark entries to the workers' module (scripts/bench.sh does).
WORKER="worker${IDSCOPE_WASM_FEATURES:+,$IDSCOPE_WASM_FEATURES}"

# wasm_build NAME FEATURES TARGET_FEATURES TARGET_DIR OUT_DIR: the release wasm with these crate
# and target features, bound by wasm-bindgen into OUT_DIR as NAME.js and NAME_bg.wasm (named after
# the file it reads) and optimised there in place. RUSTFLAGS would replace the rustflags of
# .cargo/config.toml, so the target features are always passed here.
wasm_build() {
  log "cargo build --lib --release --target wasm32-unknown-unknown (features $2, target-feature=$3, $4)"
  RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=$3" \
    cargo build --lib --release --target wasm32-unknown-unknown --no-default-features --features "$2" --target-dir "$4"
  cp "$4/wasm32-unknown-unknown/release/idscope.wasm" "$4/$1.wasm"
  log "wasm-bindgen --target web --out-dir $5 ($1)"
  wasm-bindgen --target web --no-typescript --out-dir "$5" "$4/$1.wasm"
  # -Os: 1.3 KB smaller gzipped than -O3 and as fast (kNN + TwoNN on 6000 × 768 in Node: 1.21 s
  # either way; the Gram kernel's loops are unrolled by rustc, not by wasm-opt).
  log "wasm-opt -Os (npm binaryen)"
  node_modules/.bin/wasm-opt -Os "$5/$1_bg.wasm" -o "$5/$1_bg.wasm.opt"
  mv "$5/$1_bg.wasm.opt" "$5/$1_bg.wasm"
}

# The page's module shares the plain build's target directory: cargo keeps both feature sets'
# artefacts, so neither rebuilds the other's dependencies.
wasm_build idscope "$WORKER" +simd128 "$TARGET_DIR" www/pkg
wasm_build idscope "$WORKER" +simd128,+relaxed-simd "$TARGET_DIR/relaxed" "$TARGET_DIR/relaxed/pkg"
wasm_build idscope_page page +simd128 "$TARGET_DIR" www/pkg
# One JS glue serves both modules (the loaders pass the chosen .wasm to init).
if ! cmp -s www/pkg/idscope.js "$TARGET_DIR/relaxed/pkg/idscope.js"; then
  echo "the plain and relaxed-SIMD builds have different JS glue" >&2
  exit 1
fi
mv "$TARGET_DIR/relaxed/pkg/idscope_bg.wasm" www/pkg/idscope_relaxed_bg.wasm

node scripts/check-wasm.mjs www/pkg/idscope_bg.wasm www/pkg/idscope_relaxed_bg.wasm www/pkg/idscope_page_bg.wasm
