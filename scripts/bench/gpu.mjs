// The WebGPU bench (issue 15), run by `bash scripts/bench.sh --gpu`: in headless Chromium with
// WebGPU on (`--enable-unsafe-webgpu`; here the SwiftShader fallback adapter, named in the
// output), the WGSL kernel's GFLOP/s per size beside one worker's WASM phase 1 of the same
// search, then kNN + TwoNN of each file end to end through the page's pool with ?gpu=1 and with
// ?gpu=0, beside DADApy; then each `--streamed` file streamed under `--memory MB` (its Gram pass
// on the GPU, or on the one WASM worker that streams it); checks they all agree on the ID.
//   node scripts/bench/gpu.mjs --python PATH --memory MB FILE.npy... [--streamed FILE.npy...]
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchBrowser } from './browser.mjs';
import { GL_ADAPTER_ARGS } from '../../tests/e2e/helpers.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PARAMS = { repeats: 0, gride: false, decimation: false, pc_id: false, surrogate: false, per_class: false };
const args = process.argv.slice(2);
const python = args.splice(args.indexOf('--python'), 2)[1];
const memory = Number(args.splice(args.indexOf('--memory'), 2)[1]);
const cut = args.includes('--streamed') ? args.indexOf('--streamed') : args.length;
const files = args.slice(0, cut);
const streamedFiles = args.slice(cut + 1);
const shape = (file) => readFileSync(file).subarray(0, 256).toString('latin1').match(/'shape': \((\d+), (\d+)\)/).slice(1).map(Number);
const say = (s) => process.stderr.write(`==> ${s}\n`);
// BENCH_GPU_GL=1: WebGPU on ANGLE over the system GL (a compatibility-mode adapter) instead.
const gl = process.env.BENCH_GPU_GL === '1';
const flags = { args: gl ? GL_ADAPTER_ARGS : ['--enable-unsafe-webgpu'], gpuProcess: gl };

say('WGSL kernel in a worker');
const sizes = files.map(shape);
const kernel = (await benchBrowser([], PARAMS, '', { ...flags, gpu: sizes })).gpu;
const rows = [];
for (const file of files) {
  const [n, d] = shape(file);
  say(`${n}×${d}: DADApy`);
  const dp = JSON.parse(execFileSync(python, [path.join(ROOT, 'scripts/compare_dadapy.py'), file, '--json'], { encoding: 'utf8', maxBuffer: 1 << 28 }));
  say(`${n}×${d}: the page with ?gpu=1, then ?gpu=0`);
  const gpu = (await benchBrowser([file], PARAMS, '?gpu=1', flags)).runs[0];
  const wasm = (await benchBrowser([file], PARAMS, '?gpu=0', flags)).runs[0];
  rows.push({ n, d, dadapy: { seconds: dp.timings_s.total, fit: dp.twonn_fit }, gpu, wasm });
}
const streamedRows = [];
for (const file of streamedFiles) {
  const [n, d] = shape(file);
  say(`${n}×${d}: DADApy`);
  const dp = JSON.parse(execFileSync(python, [path.join(ROOT, 'scripts/compare_dadapy.py'), file, '--json'], { encoding: 'utf8', maxBuffer: 1 << 28 }));
  say(`${n}×${d} streamed under ${memory} MiB: the page with ?gpu=1, then ?gpu=0`);
  const params = { ...PARAMS, memory_limit_mb: memory };
  const gpu = (await benchBrowser([file], params, '?gpu=1', { ...flags, streamed: true })).runs[0];
  const wasm = (await benchBrowser([file], params, '?gpu=0', { ...flags, streamed: true })).runs[0];
  streamedRows.push({ n, d, dadapy: { seconds: dp.timings_s.total, fit: dp.twonn_fit }, gpu, wasm });
}
const cpu = `${os.cpus().length} cores, ${os.cpus()[0].model}`;
console.log(`WebGPU bench (${cpu}; Chromium ${execFileSync(process.env.CHROMIUM ?? '/usr/bin/chromium', ['--version'], { encoding: 'utf8' }).trim()})`);
console.log('\n| N × D | adapter | WGSL kernel s | GFLOP/s | one WASM worker, same phase 1, s | kernel / WASM worker |');
console.log('|---|---|---|---|---|---|');
for (const k of kernel) {
  if (k.reason) { console.log(`| ${k.n} × ${k.d} | none: ${k.reason} | | | | |`); continue; }
  console.log(`| ${k.n} × ${k.d} | ${k.adapter} | ${k.seconds.toFixed(3)} | ${k.gflops.toFixed(1)} | ${k.wasmSeconds.toFixed(3)} | ${(k.seconds / k.wasmSeconds).toFixed(2)} |`);
}
let failed = false;
for (const [title, table] of [['WASM pool', rows], [`WASM, streamed under ${memory} MiB`, streamedRows]]) {
  if (table.length === 0) continue;
  console.log(`\n| N × D | path | kNN + TwoNN s | / DADApy | / ${title} | TwoNN ID |`);
  console.log('|---|---|---|---|---|---|');
  failed = report(table) || failed;
}
if (failed) process.exit(1);

/** Prints one table's rows; whether an ID disagreed. */
function report(table) {
  let bad = false;
  for (const r of table) {
    for (const [label, c] of [['DADApy 0.3.4', r.dadapy], [r.gpu.path, r.gpu], [r.wasm.path, r.wasm]]) {
      console.log(`| ${r.n} × ${r.d} | ${label} | ${c.seconds.toFixed(3)} | ${(c.seconds / r.dadapy.seconds).toFixed(2)} | ${(c.seconds / r.wasm.seconds).toFixed(2)} | ${c.fit.toFixed(9)} |`);
    }
    if (r.gpu.fit !== r.wasm.fit) { bad = true; console.log(`${r.n}×${r.d}: the GPU's ID ${r.gpu.fit} is not the WASM path's ${r.wasm.fit}`); }
    if (Math.abs(r.gpu.fit - r.dadapy.fit) > 1e-6 * Math.abs(r.dadapy.fit)) { bad = true; console.log(`${r.n}×${r.d}: the ID differs from DADApy's`); }
  }
  return bad;
}
