#!/usr/bin/env bash
# The speed benchmark (not part of the tests; takes several minutes): the same seeded data through
# the native CLI (all cores), the wasm build in Node (one instance), the page's worker pool in
# headless Chromium (all workers) and DADApy 0.3.4; checks they agree on the ID, prints a table
# and writes it to docs/benchmarks.md. See docs/benchmarks.md for what is counted.
#
#   bash scripts/bench.sh                     # the three sizes of issue 7
#   BENCH_SIZES="2000x64" bash scripts/bench.sh   # other sizes (NxD, space-separated), e.g. a quick check
#   IDSCOPE_BENCH_VENV=/tmp/refvenv bash scripts/bench.sh   # a venv that already has dadapy 0.3.4
#   BENCH_ONLY=browser BENCH_WORKERS=1,2 bash scripts/bench.sh   # a partial run (DADApy and the
#       listed contenders: native,node,browser,page; Chromium with 1 and with 2 workers), printed only
#   bash scripts/bench.sh --page              # only the page on its demo: first plot (cold cache),
#                                             # resource waterfall, longest main-thread tasks, budgets
#   bash scripts/bench.sh --imbalance         # only the information imbalance on 10 000 × 768
#                                             # (BENCH_IMBALANCE="NxD"): idscope's exact rank
#                                             # passes against DADApy's, printed with the ratio
#   bash scripts/bench.sh --density           # only the densities on 10 000 × 64 (BENCH_DENSITY="NxD"):
#                                             # k*, PAk and ADP, idscope's against DADApy's, with the ratio
#   bash scripts/bench.sh --gpu               # only WebGPU (BENCH_GPU="NxD ..."): the WGSL kernel's
#                                             # GFLOP/s on the browser's adapter (named) beside a WASM
#                                             # worker, and the page with ?gpu=1 and ?gpu=0 vs DADApy;
#                                             # then a layer streamed under BENCH_GPU_MEMORY MiB (48)
#                                             # with its Gram pass on the GPU or WASM (BENCH_GPU_STREAMED);
#                                             # BENCH_GPU_GL=1: on ANGLE over the system GL instead
#   bash scripts/bench.sh --big               # then files larger than memory (4.5 and 6 GiB, written
#                                             # to $BENCH_BIG_DIR or /tmp and deleted afterwards; ~11 GB
#                                             # of free disk, an hour on 2 cores); --big-only skips the rest
set -euo pipefail
cd "$(dirname "$0")/.."

BIG=0
MODE=""
case "${1:-}" in
  --big) BIG=1 ;;
  --big-only) BIG=2 ;;
  --page) bash scripts/build-web.sh >&2; exec node scripts/bench/page-load.mjs "${BENCH_PAGE_RUNS:-5}" ;;
  --imbalance) MODE=imbalance ;;
  --density) MODE=density ;;
  --gpu) MODE=gpu ;;
  "") ;;
  *) echo "usage: bash scripts/bench.sh [--big | --big-only | --page | --imbalance | --density | --gpu]" >&2; exit 2 ;;
esac

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/idscope-bench"
VENV="${IDSCOPE_BENCH_VENV:-$CACHE/venv}"
mkdir -p "$CACHE/data"

# DADApy in a throwaway venv outside the repository (never vendored).
if ! "$VENV/bin/python" -c 'import dadapy, importlib.metadata as m; assert m.version("dadapy") == "0.3.4"' 2>/dev/null; then
  log "python3 -m venv $VENV && pip install dadapy==0.3.4"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet dadapy==0.3.4 numpy scipy scikit-learn
fi

# The one-layer benches (--imbalance, --density): `shape` and `dir` for NxD shape $1 of bench $2,
# DADApy's times from scripts/bench/$2.py (which writes the data to $dir), the release CLI `cli`,
# and `seconds CMD…`: the command's wall seconds, its output in $dir/out.json.
one_layer() {
  shape="$1"
  dir="$CACHE/data/$2-$shape"
  mkdir -p "$dir"
  cargo build --release --bin idscope >&2
  log "DADApy 0.3.4 on $shape (data written to $dir)"
  dadapy=$("$VENV/bin/python" "scripts/bench/$2.py" "$dir" "${shape%x*}" "${shape#*x}")
  TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')
  cli="$TARGET_DIR/release/idscope"
}
seconds() { local t0=$EPOCHREALTIME; "$@" > "$dir/out.json"; awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }'; }

# The information imbalance (issue 13): two 10 000 × 768 representations of the same points;
# idscope's compare with the overlaps, then with the imbalances too (the difference: the exact
# rank passes over both layers' rows), against DADApy's return_information_imbalace; and the
# overlaps with their error bars (TwoNN's 20 subsets, the kept lists' further neighbours).
if [ "$MODE" = imbalance ]; then
  one_layer "${BENCH_IMBALANCE:-10000x768}" imbalance
  log "idscope compare (overlaps only, then with --imbalance)"
  base=$(seconds "$cli" compare "$dir/a.npy,$dir/b.npy" --repeats 0 --neighbourhood --json)
  with=$(seconds "$cli" compare "$dir/a.npy,$dir/b.npy" --repeats 0 --imbalance --json)
  cp "$dir/out.json" "$dir/imbalance.json"
  bars=$(seconds "$cli" compare "$dir/a.npy,$dir/b.npy" --repeats 20 --neighbourhood --json)
  node -e '
    const [dadapy, base, withImb, file, bars, barsFile] = [JSON.parse(process.argv[1]), Number(process.argv[2]), Number(process.argv[3]), process.argv[4], Number(process.argv[5]), process.argv[6]];
    const layers = (f) => JSON.parse(require("fs").readFileSync(f, "utf8")).neighbourhoods.profiles[0].layers;
    const [p, l0] = [layers(file), layers(barsFile)[0]];
    const ranks = withImb - base;
    const s = (x) => x.toFixed(2);
    const os = require("os");
    console.log(`information imbalance on '"$shape"' (${os.cpus().length} cores, ${os.cpus()[0].model})`);
    console.log(`idscope: ${s(withImb)} s with the imbalances, ${s(base)} s without: the rank passes ${s(ranks)} s; Δ(a→b) ${p[0].imbalance.to_output.toFixed(6)}, Δ(b→a) ${p[0].imbalance.from_output.toFixed(6)} (all points)`);
    console.log(`idscope: ${s(bars)} s with the overlaps and TwoNN both with error bars over 20 subsets (χ(a, b) ${l0.output.toFixed(4)} ± ${l0.output_std.toFixed(4)}), ratio ${(bars / base).toFixed(2)} to ${s(base)} s without any`);
    for (const [k, v] of Object.entries(dadapy)) console.log(`${k}: ${s(v.seconds)} s; Δ(a→b) ${v.a_to_b.toFixed(6)}, Δ(b→a) ${v.b_to_a.toFixed(6)}; idscope rank passes / DADApy = ${(ranks / v.seconds).toFixed(2)}, whole compare / DADApy = ${(withImb / v.seconds).toFixed(2)}`);
  ' "$dadapy" "$base" "$with" "$dir/imbalance.json" "$bars" "$dir/out.json"
  exit 0
fi

# The density profile (issue 14): k*, PAk and ADP on one layer, idscope's CLI (100 neighbours kept
# without the densities, then with them: the difference is the densities' own time) against
# DADApy's steps on the same points.
if [ "$MODE" = density ]; then
  one_layer "${BENCH_DENSITY:-10000x64}" density
  log "idscope estimate (100 neighbours kept, then with --density)"
  base=$(seconds "$cli" estimate "$dir/x.npy" --repeats 0 --neighbourhood --neighbourhood-k 100 --json)
  with=$(seconds "$cli" estimate "$dir/x.npy" --repeats 0 --density --json)
  node -e '
    const [dadapy, base, withD, file] = [JSON.parse(process.argv[1]), Number(process.argv[2]), Number(process.argv[3]), process.argv[4]];
    const d = JSON.parse(require("fs").readFileSync(file, "utf8")).layers[0].density;
    const os = require("os");
    const s = (x) => x.toFixed(2);
    const st = dadapy.steps;
    const theirs = st.kstar + st.pak + st.adp;
    const whole = Object.values(st).reduce((a, b) => a + b, 0);
    const ours = withD - base;
    console.log(`density profile on '"$shape"' (${os.cpus().length} cores, ${os.cpus()[0].model})`);
    console.log(`idscope: ${s(withD)} s with the densities, ${s(base)} s with the same 100 neighbours kept and no densities: k*, PAk, ADP (and kNN, kstarNN, the dendrogram) ${s(ours)} s; d = ${d.id.toFixed(3)}, ${d.peaks} clusters`);
    console.log(`DADApy: distances ${s(st.distances)} s, TwoNN ${s(st.twonn)} s, k* ${s(st.kstar)} s, PAk ${s(st.pak)} s, ADP ${s(st.adp)} s; d = ${dadapy.id.toFixed(3)}, ${dadapy.clusters} clusters`);
    console.log(`k* + PAk + ADP: idscope / DADApy = ${(ours / theirs).toFixed(3)}; whole run: idscope / DADApy = ${(withD / whole).toFixed(3)}`);
  ' "$dadapy" "$base" "$with" "$dir/imbalance.json" "$bars" "$dir/out.json"
  exit 0
fi

# Seeded data: a 10-dimensional standard Gaussian embedded by a random rotation (compare_dadapy.py).
# gauss_files SIZES: the files, made where missing, in FILES.
gauss_files() {
  FILES=()
  for s in $1; do
    f="$CACHE/data/gauss10_${s}_seed7.npy"
    if [ ! -f "$f" ]; then
      log "generating $f"
      "$VENV/bin/python" scripts/compare_dadapy.py --make "${s%x*}" "${s#*x}" 10 7 "$f"
    fi
    FILES+=("$f")
  done
}

# WebGPU (issue 15): the kernel's rate and the page's two paths, on the browser's adapter.
if [ "$MODE" = gpu ]; then
  bash scripts/build-web.sh >&2
  gauss_files "${BENCH_GPU_STREAMED:-2000x4096}"
  STREAMED=("${FILES[@]}")
  gauss_files "${BENCH_GPU:-2000x768 10000x768}"
  exec node scripts/bench/gpu.mjs --python "$VENV/bin/python" --memory "${BENCH_GPU_MEMORY:-48}" "${FILES[@]}" --streamed "${STREAMED[@]}"
fi

ONLY="${BENCH_ONLY:-native,node,browser,page}"
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')
if [[ ",$ONLY," == *,native,* ]]; then
  log "cargo build --release --bin idscope"
  cargo build --release --bin idscope
fi
# The bench build: the production wasm plus the SIMD-peak and Gram entries (feature `bench`).
IDSCOPE_WASM_FEATURES=bench bash scripts/build-web.sh >&2

# Files larger than memory (issue 7, item 4): streamed in the page and natively, appended to the
# docs/benchmarks.md section between the bench-big markers. Generated one at a time, then deleted.
big() {
  local dir="${BENCH_BIG_DIR:-/tmp}" shape f
  for shape in 2000x600000 2000x800000; do
    f="$dir/idscope-big-${shape}.npy"
    log "generating $f"
    "$VENV/bin/python" scripts/bench/make_big.py "$f" "${shape%x*}" "${shape#*x}"
    BIG_FILES+=("$f")
  done
  node scripts/bench/streamed_browser.mjs --cli "$TARGET_DIR/release/idscope" --out docs/benchmarks.md "${BIG_FILES[@]}"
}
BIG_FILES=()
trap 'rm -f "${BIG_FILES[@]}"' EXIT
if [ "$BIG" = 2 ]; then big; exit; fi

gauss_files "${BENCH_SIZES:-10000x768 2000x20000 50000x128}"

ARGS=(--only "$ONLY")
[ -n "${BENCH_WORKERS:-}" ] && ARGS+=(--workers "$BENCH_WORKERS")
# Only a full run rewrites the table in docs/benchmarks.md.
[ -z "${BENCH_ONLY:-}${BENCH_WORKERS:-}" ] && ARGS+=(--out docs/benchmarks.md)
node scripts/bench/run.mjs --cli "$TARGET_DIR/release/idscope" --python "$VENV/bin/python" "${ARGS[@]}" "${FILES[@]}"
if [ "$BIG" = 1 ]; then big; fi
