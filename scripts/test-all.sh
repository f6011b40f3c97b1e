#!/usr/bin/env bash
# Every test of idscope, in order, with a pass/fail summary; exits non-zero if any step failed.
#   0. the module graph has no cycles (scripts/module-graph.py); rustfmt (rustfmt.toml) leaves the
#      sources as they are; clippy, warnings denied, natively
#      and for wasm32 (both modules' entries, the bench and test hooks), under the [lints] of Cargo.toml
#   1. native:  cargo test (core, readers, charts, CLI; tests/wasm_parity.rs natively)
#   2. wasm in Node:               tests/wasm_parity.rs  (same pinned IDs as natively)
#   3. wasm in headless Chromium:  tests/wasm_browser.rs (charts on a canvas, SVG export)
#   4. wasm in a dedicated worker: tests/wasm_worker.rs  (Blob reads, the worker session)
#   5. end to end: build the app, then node --test tests/e2e/ (playwright-core + /usr/bin/chromium)
# Needs: python3, clippy and rustfmt (added here if missing), the wasm32 target, wasm-bindgen-cli (pinned to
# Cargo.lock), chromium + chromium-driver,
# npm packages (scripts/build-web.sh installs the first two and the npm packages if missing).
set -uo pipefail
cd "$(dirname "$0")/.."

export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-180}"
names=()
results=()
times=()
step() {
  local name="$1"; shift
  printf '\n\033[1m==> %s\033[0m\n' "$name"
  local t0=$SECONDS
  "$@"
  local rc=$?
  names+=("$name"); results+=("$rc"); times+=("$((SECONDS - t0))")
  return 0
}

# Tools first (idempotent); a failure here makes every later step meaningless.
step "build web app (scripts/build-web.sh)" bash scripts/build-web.sh
if [ "${results[0]}" != 0 ]; then
  echo "build failed; not running the tests" >&2
  exit 1
fi
if ! cargo clippy --version >/dev/null 2>&1; then rustup component add clippy; fi
if ! cargo fmt --version >/dev/null 2>&1; then rustup component add rustfmt; fi
WASM=(--target wasm32-unknown-unknown --no-default-features)
# No debuginfo in the wasm test builds: it only slows linking and wasm-bindgen down. They test
# both modules' entries (the page's charts, the worker's session).
wasm_test() { CARGO_PROFILE_TEST_DEBUG=false cargo test "${WASM[@]}" --features page,worker "$@"; }
step "module graph: no cycles (scripts/module-graph.py)" python3 scripts/module-graph.py
step "rustfmt: cargo fmt --check" cargo fmt --check
step "clippy native: --all-targets -D warnings" cargo clippy --all-targets -- -D warnings
step "clippy wasm32: --all-targets -D warnings" cargo clippy --all-targets --features page,worker,bench,test-hooks "${WASM[@]}" -- -D warnings
step "native: cargo test" cargo test
step "wasm32 in Node: wasm_parity" wasm_test --test wasm_parity
step "wasm32 in headless Chromium: wasm_browser" wasm_test --test wasm_browser
step "wasm32 in a dedicated worker: wasm_worker" wasm_test --test wasm_worker
step "end to end in headless Chromium: node --test tests/e2e/" node --test --test-concurrency=1 tests/e2e/

echo
echo "================ summary ================"
failed=0
for i in "${!names[@]}"; do
  if [ "${results[$i]}" = 0 ]; then mark="PASS"; else mark="FAIL"; failed=$((failed + 1)); fi
  printf '%-5s %-50s %4ss\n' "$mark" "${names[$i]}" "${times[$i]}"
done
echo "steps: $(( ${#names[@]} - failed )) passed, $failed failed"
[ "$failed" = 0 ]
