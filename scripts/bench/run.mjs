// Runs every contender on each file, checks they agree on the TwoNN ID, prints the table and
// writes it to docs/benchmarks.md. Called by scripts/bench.sh (which builds and makes the data).
//   node scripts/bench/run.mjs --cli PATH --python PATH [--out FILE.md] FILE.npy...
// Options for a partial run (DADApy always runs: the ratios are to it):
//   --only native,node,browser,page   the contenders to run besides DADApy (default: all; page:
//                                the page's own load of the demo, page-load.mjs)
//   --workers 1,2                the Chromium pool sizes to time, each its own row (?workers=N;
//                                default: the page's own, one worker per core)

import { execFileSync } from 'node:child_process';
import { writeFileSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchBrowser } from './browser.mjs';
import { benchPageLoad } from './page-load.mjs';
import { relaxedSimd } from '../../www/simd.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
/** The work measured everywhere: kNN + TwoNN on all points, nothing else. */
const PARAMS = { repeats: 0, gride: false, decimation: false, pc_id: false, surrogate: false, per_class: false };
/** Agreement asked of every contender's TwoNN fit ID with DADApy's. */
const REL_TOL = 1e-6;

const args = process.argv.slice(2);
const opt = (name) => { const i = args.indexOf(name); return i < 0 ? null : args.splice(i, 2)[1]; };
const cli = opt('--cli');
const python = opt('--python');
const out = opt('--out');
const only = new Set((opt('--only') ?? 'native,node,browser,page').split(','));
const poolSizes = opt('--workers')?.split(',').map(Number) ?? [null];
const files = args;

const run = (cmd, argv) => execFileSync(cmd, argv, { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'inherit'] });
const shape = (file) => {
  const head = readFileSync(file).subarray(0, 256).toString('latin1');
  const [, n, d] = head.match(/'shape': \((\d+), (\d+)\)/);
  return [Number(n), Number(d)];
};
/** Node and arguments for wasm-node.mjs on one build (Node 20 has relaxed SIMD behind a flag). */
const wasmNode = (relaxed, ...argv) => run(process.execPath, [
  ...(relaxed && !relaxedSimd() ? ['--experimental-wasm-relaxed-simd'] : []),
  path.join(HERE, 'wasm-node.mjs'), ...(relaxed ? ['--relaxed'] : []), ...argv,
]);
const say = (s) => process.stderr.write(`==> ${s}\n`);

const rows = [];
for (const file of files) {
  const [n, d] = shape(file);
  say(`${n}×${d}: DADApy`);
  const dp = JSON.parse(run(python, [path.join(ROOT, 'scripts/compare_dadapy.py'), file, '--json']));
  const row = { file, n, d, dadapy: { seconds: dp.timings_s.total, fit: dp.twonn_fit } };
  if (only.has('native')) {
    say(`${n}×${d}: native CLI`);
    const nat = JSON.parse(run(cli, ['estimate', file, '--repeats', '0', '--json'])).layers[0];
    row.native = { seconds: nat.seconds, fit: nat.twonn.fit.id };
  }
  if (only.has('node')) {
    say(`${n}×${d}: wasm in Node, plain SIMD128 and relaxed-SIMD builds`);
    const wasm = JSON.parse(wasmNode(false, file, JSON.stringify(PARAMS)));
    const relaxed = JSON.parse(wasmNode(true, file, JSON.stringify(PARAMS)));
    row.node = { seconds: wasm.seconds, fit: wasm.fit };
    row.nodeRelaxed = { seconds: relaxed.seconds, fit: relaxed.fit };
  }
  rows.push(row);
}
const who = [
  ['native', 'native CLI (all cores)'],
  ['node', 'wasm in Node (1 instance), SIMD128'],
  ['nodeRelaxed', 'wasm in Node (1 instance), relaxed SIMD'],
];
if (only.has('browser')) {
  // Each pool size with the build the page picks (relaxed SIMD in Chromium), then the page's own
  // pool size with the plain build.
  for (const [size, plain] of [...poolSizes.map((size) => [size, false]), [null, true]]) {
    const query = [size ? `workers=${size}` : '', plain ? 'simd=plain' : ''].filter(Boolean).join('&');
    say(`headless Chromium: the demo, then each file through the worker pool${query ? ` (?${query})` : ''}`);
    const b = await benchBrowser(files, PARAMS, query ? `?${query}` : '');
    const key = `browser${size ?? ''}${plain ? 'Plain' : ''}`;
    b.runs.forEach((r, i) => { rows[i][key] = { seconds: r.seconds, fit: r.fit }; });
    const pool = b.workers === 1 ? 'Chromium, 1 worker' : `Chromium pool (${b.workers} workers)`;
    const build = plain ? 'SIMD128 (?simd=plain)' : b.build === 'relaxed' ? 'relaxed SIMD' : 'SIMD128';
    who.push([key, `${pool}, ${build}`]);
  }
}
who.push(['dadapy', 'DADApy 0.3.4']);
let peak = null;
let peakRelaxed = null;
if (only.has('node')) {
  say('wasm SIMD peaks and Gram kernel (Node), plain and relaxed-SIMD builds');
  peak = JSON.parse(wasmNode(false, '--peak', '2048', '768'));
  peakRelaxed = JSON.parse(wasmNode(true, '--peak', '2048', '768'));
}
const native = only.has('native') ? JSON.parse(run(cli, ['bench', '--n', '2048', '--d', '768'])) : null;
const gzip = (name) => Number(execFileSync('sh', ['-c', `gzip -9 -c '${path.join(ROOT, 'www/pkg', name)}' | wc -c`], { encoding: 'utf8' }));
const gz = gzip('idscope_bg.wasm');
const gzRelaxed = gzip('idscope_relaxed_bg.wasm');
const gzPage = gzip('idscope_page_bg.wasm');

// ---- checks and table ----
const failures = [];
const lines = [];
const table = (s) => lines.push(s);
table('| N × D | contender | seconds | GFLOP/s | × DADApy time | TwoNN ID (fit) |');
table('|---|---|---:|---:|---:|---|');
for (const r of rows) {
  const flop = 2 * r.n * r.n * r.d;
  for (const [key, label] of who) {
    const c = r[key];
    if (!c) continue;
    const rel = Math.abs(c.fit - r.dadapy.fit) / Math.abs(r.dadapy.fit);
    if (!(rel <= REL_TOL)) failures.push(`${r.n}×${r.d} ${label}: ID ${c.fit} vs DADApy ${r.dadapy.fit} (relative ${rel.toExponential(2)})`);
    table(`| ${r.n} × ${r.d} | ${label} | ${c.seconds.toFixed(3)} | ${(flop / c.seconds / 1e9).toFixed(1)} | ${(c.seconds / r.dadapy.seconds).toFixed(2)} | ${c.fit.toFixed(9)} |`);
  }
}
const more = [];
if (peak?.peak != null) {
  const pct = (rate, of) => `${(100 * rate / of).toFixed(0)} %`;
  more.push(`wasm SIMD peak (pure f32x4 loop, one instance in Node): mul then add ${peak.peak.toFixed(1)} GFLOP/s (SIMD128 build); fused relaxed_madd ${peakRelaxed.peak.toFixed(1)} GFLOP/s (relaxed-SIMD build, whose mul-then-add loop gives ${peakRelaxed.unfused.toFixed(1)}): ${(peakRelaxed.peak / peakRelaxed.unfused).toFixed(2)}×`);
  more.push(`wasm Gram kernel on 2048 × 768: SIMD128 ${peak.gram.toFixed(1)} GFLOP/s = ${pct(peak.gram, peak.peak)} of the mul+add peak; relaxed SIMD ${peakRelaxed.gram.toFixed(1)} GFLOP/s = ${pct(peakRelaxed.gram, peakRelaxed.peak)} of the FMA peak`);
  for (const r of rows) {
    const rate = (c) => 2 * r.n * r.n * r.d / c.seconds / 1e9;
    more.push(`wasm in Node end to end, ${r.n} × ${r.d}: SIMD128 ${pct(rate(r.node), peak.peak)} of its peak, relaxed SIMD ${pct(rate(r.nodeRelaxed), peakRelaxed.peak)} of its peak`);
  }
} else if (peak) {
  more.push('wasm SIMD peak: not measured (this build has no simdPeakGflops/gramGflops exports)');
}
if (native) more.push(`native SIMD peak (one core, FMA where the CPU has it): ${native.peak.toFixed(1)} GFLOP/s; native Gram kernel on 2048 × 768, one core: ${native.gram.toFixed(1)} GFLOP/s = ${(100 * native.gram / native.peak).toFixed(0)} % of it`);
const size = (n) => `${(n / 1000).toFixed(0)} KB gzipped (gzip -9; ${(n / 1024).toFixed(0)} KiB)`;
more.push(`wasm after wasm-opt: the workers' module SIMD128 ${size(gz)}, relaxed SIMD ${size(gzRelaxed)}; the page's module ${size(gzPage)}`);

const cpu = (() => { try { return execFileSync('sh', ['-c', "lscpu | sed -n 's/^Model name: *//p'"], { encoding: 'utf8' }).trim(); } catch { return os.cpus()[0]?.model ?? '?'; } })();
const machine = `${cpu}, ${os.cpus().length} logical cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os.platform()} ${os.release()}; Chromium headless; ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`;
let pageLoad = null;
if (only.has('page')) {
  say('headless Chromium: five cold loads of the demo (first plot, waterfall, longest tasks)');
  pageLoad = await benchPageLoad(5);
  if (!pageLoad.met.firstPlot || !pageLoad.met.task) failures.push('the page missed a budget (first plot or longest task): see "The page on the demo"');
}
const pageSection = pageLoad ? ['', '### The page on the demo (scripts/bench/page-load.mjs)', '', ...pageLoad.lines] : [];
const report = [`Machine: ${machine}`, '', ...lines, '', ...more.map((m) => `- ${m}`), ...pageSection].join('\n');
console.log(report);
if (out) {
  const md = readFileSync(path.join(ROOT, out), 'utf8');
  const start = md.indexOf('<!-- bench:start -->');
  const end = md.indexOf('<!-- bench:end -->');
  if (start < 0 || end < 0) throw new Error(`${out}: no <!-- bench:start --> … <!-- bench:end --> markers`);
  writeFileSync(path.join(ROOT, out), `${md.slice(0, start)}<!-- bench:start -->\n${report}\n${md.slice(end)}`);
}
if (failures.length) {
  console.error(`\nFAILED (IDs must agree to ${REL_TOL} relative; the page must meet its budgets):\n${failures.join('\n')}`);
  process.exit(1);
}
