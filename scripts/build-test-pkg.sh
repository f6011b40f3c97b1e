#!/usr/bin/env bash
# Builds the workers' wasm module with the test-only entry points (feature `test-hooks`: the
# worker's deliberate trap) into target/test-pkg, beside a copy of the app's page module, for the
# end-to-end tests that serve it in place of www/pkg; the app's build (scripts/build-web.sh, run
# first: it installs the tools and builds the page module) has none.
# One SIMD128 build, served under both module names, unoptimised: the tests check behaviour here.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')
OUT="$TARGET_DIR/test-pkg"
RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+simd128" \
  cargo build --lib --release --target wasm32-unknown-unknown --no-default-features --features worker,test-hooks \
  --target-dir "$TARGET_DIR/test-hooks"
wasm-bindgen --target web --no-typescript --out-dir "$OUT" "$TARGET_DIR/test-hooks/wasm32-unknown-unknown/release/idscope.wasm"
cp "$OUT/idscope_bg.wasm" "$OUT/idscope_relaxed_bg.wasm"
cp www/pkg/idscope_page.js www/pkg/idscope_page_bg.wasm "$OUT/"
echo "$OUT"
