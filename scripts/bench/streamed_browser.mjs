// Files larger than memory (issue 7, item 4): each file through the real page and worker in
// headless Chromium, handed to the page's file input like a dropped file, and through the native
// CLI (streamed as well: the same 1 GiB limit); prints time per pass, the worker's wasm memory,
// the browser's resident memory and both IDs, and fails if the IDs differ by more than 1e-9.
//
//   python3 scripts/bench/make_big.py /tmp/big.npy 2000 600000      # 4.47 GiB float32
//   bash scripts/build-web.sh && cargo build --release --bin idscope
//   node scripts/bench/streamed_browser.mjs --cli target/release/idscope [--out docs/benchmarks.md] FILE...
//
// Playwright hands a local browser the file's path (CDP DOM.setFileInputFiles), so Chromium reads
// the File from disk slice by slice; nothing copies it into memory (the RSS below shows it).
// Per-pass times come from the worker's progress messages: the streamed path reports passes
// 0 (scan), 1 (Gram), 2 (exact lists), the subsets' passes and PC-ID's over fixed slices of 0..1.
// The page's parameters with PC-ID and the surrogate unticked (PC-ID's pass costs as much as the
// Gram's; the surrogate is refused for streamed layers): TwoNN with 20 repeats, Gride, decimation.

import { closeSync, openSync, readFileSync, readSync, statSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { ROOT, startServer, launch, waitIdle } from '../../tests/e2e/helpers.js';

/** Where each pass ends in the streamed path's progress (src/analysis/streamed/mod.rs, `stream`). */
const PASSES = [['scan', 0.15], ['Gram', 0.7], ['exact', 0.85], ['subsets', 0.95], ['PC-ID', 1]];
const PARAMS = ['--gride', '--decimation', '--repeats', '20'];

const args = process.argv.slice(2);
const opt = (name) => { const i = args.indexOf(name); return i < 0 ? undefined : args.splice(i, 2)[1]; };
const cli = opt('--cli');
const out = opt('--out');
const minutes = Number(opt('--minutes') ?? 60);
if (!cli || !args.length) throw new Error('usage: streamed_browser.mjs --cli IDSCOPE [--out FILE.md] [--minutes M] FILE...');

/** Resident memory (bytes) of `pid` and all its descendants, from /proc. */
function treeRss(pid) {
  const table = execFileSync('ps', ['-e', '-o', 'pid=,ppid=,rss='], { encoding: 'utf8' }).trim().split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number));
  const tree = new Set([pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [p, pp] of table) if (tree.has(pp) && !tree.has(p)) { tree.add(p); grew = true; }
  }
  return table.filter(([p]) => tree.has(p)).reduce((s, [, , rss]) => s + rss * 1024, 0);
}

/** The page's streamed analysis of `file`: seconds in total and per pass, memory, IDs. */
async function inBrowser(file) {
  const server = await startServer();
  const browser = await launch();
  let peakRss = 0;
  const sampler = setInterval(() => { peakRss = Math.max(peakRss, treeRss(process.pid) - process.memoryUsage().rss); }, 1000);
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    // Every message a worker posts to the page, timestamped (progress fractions give the passes).
    await page.addInitScript(() => {
      window.__progress = [];
      const Native = window.Worker;
      window.Worker = class extends Native {
        constructor(...a) {
          super(...a);
          this.addEventListener('message', (e) => {
            // The layer's result counts as fraction 1 (the last progress message may be throttled away).
            if (e.data?.type === 'progress') window.__progress.push([performance.now(), e.data.fraction]);
            if (e.data?.type === 'layer') window.__progress.push([performance.now(), 1]);
          });
        }
      };
    });
    await page.goto(server.url);
    await waitIdle(page, 300_000);
    for (const box of ['pc_id', 'surrogate']) await page.locator(`input[name="${box}"]`).setChecked(false);
    await page.waitForTimeout(500);
    await waitIdle(page, 300_000);
    const t0 = await page.evaluate(() => performance.now());
    await page.setInputFiles('#file-input', file);
    const stem = path.basename(file).replace(/\.[^.]*$/, '');
    await page.waitForFunction((name) => window.idscope.snapshot().models.some((m) => m.name === name), stem, { timeout: 60_000 });
    await waitIdle(page, minutes * 60_000);
    const t1 = await page.evaluate(() => performance.now());
    const progress = await page.evaluate(() => window.__progress);
    const result = await page.evaluate((name) => {
      const m = window.idscope.snapshot().models.find((x) => x.name === name);
      const r = m.layers[0].full;
      return r ? { fit: r.twonn.fit.id, ml: r.twonn.ml.id } : { error: m.layers[0].error ?? 'no result' };
    }, stem);
    let memory = 0;
    for (const w of page.workers().filter((x) => x.url().endsWith('worker.js'))) {
      memory = Math.max(memory, await w.evaluate(async () => (await import(new URL('./pkg/idscope.js', self.location.href).href)).wasmMemoryBytes()));
    }
    const passes = [];
    let last = t0;
    for (const [name, end] of PASSES) {
      const at = progress.find(([t, f]) => t >= t0 && f >= end - 1e-9)?.[0];
      if (at !== undefined) { passes.push([name, (at - last) / 1000]); last = at; }
    }
    passes.push(['fits and page', (t1 - last) / 1000]);
    await context.close();
    return { seconds: (t1 - t0) / 1000, passes, memory, peakRss, ...result };
  } finally {
    clearInterval(sampler);
    await browser.close();
    await server.close();
  }
}

/** The native CLI's streamed analysis of `file` with the page's estimates. */
function native(file) {
  const json = JSON.parse(execFileSync(cli, ['estimate', file, ...PARAMS, '--json'], { encoding: 'utf8', maxBuffer: 1 << 28 }));
  const layer = json.layers[0];
  return { seconds: layer.seconds, fit: layer.twonn.fit.id, ml: layer.twonn.ml.id };
}

const mib = (b) => `${(b / 2 ** 20).toFixed(0)} MiB`;

/**
 * Rewrites the section between the bench-big markers of `out`: `rows`, after the rows already
 * there for other files (so files can be run one at a time).
 */
function write(rows) {
  const md = readFileSync(path.join(ROOT, out), 'utf8');
  const [start, end] = ['<!-- bench-big:start -->', '<!-- bench-big:end -->'].map((m) => md.indexOf(m));
  if (start < 0 || end < 0) throw new Error(`${out}: no <!-- bench-big:start --> … <!-- bench-big:end --> markers`);
  const label = (row) => row.split('|')[1].trim();
  const ours = new Set(rows.map(label));
  const kept = md.slice(start, end).split('\n').filter((l) => /^\| \d/.test(l) && !ours.has(label(l)));
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  const when = new Date().toISOString().slice(0, 16).replace('T', ' ');
  const report = [
    `Machine: ${cpu}, ${os.cpus().length} logical cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, load average ${os.loadavg()[0].toFixed(1)} at the end; ${when} UTC`,
    '',
    '| N × D (file) | contender | seconds | per pass (s) | peak wasm memory | browser RSS peak | TwoNN ID (fit) |',
    '|---|---|---:|---|---:|---:|---|',
    ...kept,
    ...rows,
  ].join('\n');
  writeFileSync(path.join(ROOT, out), `${md.slice(0, start)}<!-- bench-big:start -->\n${report}\n${md.slice(end)}`);
}

const rows = [];
let failed = false;
for (const file of args) {
  const head = Buffer.alloc(256);
  const fd = openSync(file, 'r');
  readSync(fd, head, 0, 256, 0);
  closeSync(fd);
  const shape = /'shape': \((\d+), (\d+)\)/.exec(head.toString('latin1'));
  const label = `${shape[1]} × ${shape[2]} (${(statSync(file).size / 2 ** 30).toFixed(2)} GiB)`;
  const b = await inBrowser(file);
  const passes = b.passes.map(([name, s]) => `${name} ${s.toFixed(1)}`).join(', ');
  const browserRow = `| ${label} | Chromium, one worker | ${b.seconds.toFixed(1)} | ${passes} | ${mib(b.memory)} | ${mib(b.peakRss)} | ${b.fit?.toFixed(9) ?? b.error} |`;
  console.log(`${label}: Chromium ${b.seconds.toFixed(1)} s (${passes}), wasm memory ${mib(b.memory)}, browser RSS peak ${mib(b.peakRss)}, ID fit ${b.fit ?? b.error}, ML ${b.ml}`);
  if (out) write([...rows, browserRow]);
  const n = native(file);
  const same = b.fit !== undefined && Math.abs(b.fit - n.fit) <= 1e-9 * Math.abs(n.fit) && Math.abs(b.ml - n.ml) <= 1e-9 * Math.abs(n.ml);
  failed ||= !same;
  console.log(`${label}: native ${n.seconds.toFixed(1)} s, ID fit ${n.fit}, ML ${n.ml}${same ? ', the same as in Chromium' : '  <-- IDs DIFFER from Chromium\'s'}`);
  rows.push(browserRow);
  rows.push(`| ${label} | native CLI (all cores) | ${n.seconds.toFixed(1)} | | | | ${n.fit.toFixed(9)} |`);
  if (out) write(rows);
}
if (failed) process.exit(1);
