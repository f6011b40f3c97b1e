// Shared end-to-end plumbing: a static file server for the repo root on a free loopback port
// (what any static host does: no special headers), headless Chromium through playwright-core, and
// a page wrapper that records console errors, requests and long tasks.

import http from 'node:http';
import { createReadStream, statSync, readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css',
  '.wasm': 'application/wasm', '.json': 'application/json', '.png': 'image/png', '.svg': 'image/svg+xml',
  '.npy': 'application/octet-stream', '.npz': 'application/octet-stream', '.md': 'text/plain',
};

/**
 * Serves ROOT on 127.0.0.1:<free port> under `prefix` (e.g. `/sub/dir/`, as on GitHub Pages);
 * `requests` lists every path asked for. With `pkg` (a folder: `testPkg()`), `www/pkg/` is
 * served from it instead.
 */
export async function startServer({ prefix = '/', pkg = null } = {}) {
  const requests = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    requests.push(url.pathname);
    if (!url.pathname.startsWith(prefix)) { res.writeHead(404).end('outside the site'); return; }
    const file = path.join(ROOT, decodeURIComponent(url.pathname.slice(prefix.length - 1)));
    if (!file.startsWith(ROOT)) { res.writeHead(403).end(); return; }
    const inPkg = path.relative(path.join(ROOT, 'www/pkg'), file);
    let target = pkg && !inPkg.startsWith('..') ? path.join(pkg, inPkg) : file;
    try {
      if (statSync(target).isDirectory()) target = path.join(target, 'index.html');
      const size = statSync(target).size;
      res.writeHead(200, { 'Content-Type': TYPES[path.extname(target)] ?? 'application/octet-stream', 'Content-Length': size });
      createReadStream(target).pipe(res);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  // A server a failed test never closed must not keep the test process (and CI) waiting.
  server.unref();
  const { port } = server.address();
  const close = () => new Promise((r) => { server.close(r); server.closeAllConnections(); });
  return { url: `http://127.0.0.1:${port}${prefix}`, origin: `http://127.0.0.1:${port}`, requests, close };
}

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run',
];

/** Headless Chromium; `args` adds flags (the GPU tests: `--enable-unsafe-webgpu`, SwiftShader). */
/**
 * Headless Chromium with CHROMIUM_ARGS and `args`; `gpuProcess`: without `--disable-gpu`, so the
 * GPU process can run ANGLE (GL_ADAPTER_ARGS).
 */
export function launch(args = [], { gpuProcess = false } = {}) {
  const base = gpuProcess ? CHROMIUM_ARGS.filter((a) => a !== '--disable-gpu') : CHROMIUM_ARGS;
  return chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: [...base, ...args] });
}

/**
 * WebGPU on ANGLE over the system's GL (Mesa's llvmpipe on these machines): a second CPU adapter,
 * compatibility mode only, that is not a fallback adapter (with `launch(…, {gpuProcess: true})`).
 */
export const GL_ADAPTER_ARGS = ['--enable-unsafe-webgpu', '--use-webgpu-adapter=opengles', '--use-gl=angle', '--use-angle=gl-egl'];

/**
 * Opens `pathAndQuery` on the server in a fresh context. Records console errors, page errors,
 * every request URL and every long task (PerformanceObserver 'longtask'); `trace` (Chromium
 * trace categories) starts `browser.startTracing` before the navigation.
 */
export async function openApp(browser, server, pathAndQuery = '', { colorScheme = 'light', viewport = { width: 1400, height: 1000 }, trace = null } = {}) {
  const context = await browser.newContext({ acceptDownloads: true, colorScheme, viewport, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const consoleErrors = [];
  const urls = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
  context.on('request', (r) => urls.push(r.url()));
  await page.addInitScript(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
  if (trace) await browser.startTracing(page, { categories: trace });
  await page.goto(server.url + pathAndQuery);
  return { page, context, consoleErrors, urls };
}

/**
 * Wall time of one main-thread task that means the page froze, on any machine however slow or
 * busy: the tests bound tasks by it. The page's budgets (first plot ≤ 1 s, no task of 50 ms of
 * CPU) are timings, measured and checked by the bench (scripts/bench/page-load.mjs), not here.
 */
export const FROZEN_MS = 1000;

/** Waits until a layer's computation is under way: busy, with progress reported for some row. */
export async function waitComputing(page, timeout = 30_000) {
  await page.waitForFunction(() => window.idscope.client.busy
    && window.idscope.snapshot().models.some((m) => m.layers.some((l) => l.progress > 0)), null, { timeout, polling: 50 });
}

/** Waits until no layer is computing and every included layer of every model has a result or an error. */
export async function waitIdle(page, timeout = 60_000) {
  await page.waitForFunction(() => {
    const s = window.idscope?.snapshot();
    if (!s || s.pending || window.idscope.client.busy || document.body.dataset.state !== 'idle') return false;
    if (!window.idscope.charts?.idle) return false;
    return s.models.every((m) => m.settled);
  }, null, { timeout, polling: 100 });
}

/** Pixel statistics of a chart's canvas: distinct colours in a sample and the non-background share. */
export function canvasStats(page, kind) {
  return page.evaluate((k) => {
    const c = document.querySelector(`figure[data-kind="${k}"] canvas`);
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const colours = new Set();
    let other = 0;
    const [r0, g0, b0] = [d[0], d[1], d[2]];
    for (let i = 0; i < d.length; i += 4 * 7) {
      colours.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
      if (Math.abs(d[i] - r0) + Math.abs(d[i + 1] - g0) + Math.abs(d[i + 2] - b0) > 30) other += 1;
    }
    return { width: c.width, height: c.height, colours: colours.size, inked: other / (d.length / (4 * 7)) };
  }, kind);
}

/**
 * The wasm package with the test-only hooks (the worker's deliberate trap), built once by
 * scripts/build-test-pkg.sh (release, no wasm-opt: about a minute the first time); its folder.
 */
export function testPkg() {
  testPkgDir ??= execFileSync('bash', ['scripts/build-test-pkg.sh'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
    .toString().trim().split('\n').pop();
  return testPkgDir;
}
let testPkgDir;

/**
 * `idscope estimate --json` of the native CLI for the same parameters the page uses. The `test`
 * profile is the one `cargo test` already built the binary with, so this costs no extra build.
 */
export function cliEstimate(file) {
  const out = execFileSync('cargo', ['run', '--quiet', '--profile', 'test', '--bin', 'idscope', '--', 'estimate', file, '--gride', '--decimation', '--pc-id', '--json'], {
    cwd: ROOT, maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(out.toString());
}

export function relClose(a, b, tol = 1e-6) {
  return Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));
}

/**
 * Clicks and saves the download it starts. Clicks are spaced: headless Chromium silently drops a
 * download now and then when a page starts many in quick succession (seen at the 11th).
 */
export async function grab(page, click, what = '') {
  await page.waitForTimeout(600);
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 15_000 }).catch(async (e) => {
      throw new Error(`${what}: ${e.message}; page messages: ${await page.locator('#messages').textContent()}`);
    }),
    click(),
  ]);
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'idscope-dl-')), download.suggestedFilename());
  await download.saveAs(file);
  return { name: download.suggestedFilename(), bytes: readFileSync(file), file };
}

/** A float32 .npy of `rows` × `cols` pseudo-random values in [0, 1), from `seed`. */
export function writeNpy(file, rows, cols, seed = 777) {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${cols}), }`;
  header += `${' '.repeat(64 - ((10 + header.length + 1) % 64))}\n`;
  const pre = Buffer.from([0x93, ...Buffer.from('NUMPY', 'latin1'), 1, 0, header.length & 255, header.length >> 8]);
  const data = new Float32Array(rows * cols);
  let x = seed;
  for (let i = 0; i < data.length; i += 1) { x = (Math.imul(x, 1103515245) + 12345) >>> 0; data[i] = x / 2 ** 32; }
  writeFileSync(file, Buffer.concat([pre, Buffer.from(header, 'latin1'), Buffer.from(data.buffer)]));
}

/**
 * Every layer's `field` on the page (`result`: its latest; `full`: its whole-set estimates, kept
 * neighbour lists included), by "model/layer", without timings: what two runs compare.
 */
export function layerResults(page, field = 'result') {
  return page.evaluate((field) => Object.fromEntries(window.idscope.snapshot().models.flatMap((m) => m.layers.flatMap((l, layer) => (l[field] ? [[layer, l[field]]] : [])).map(([layer, r]) => {
    const { seconds, ...rest } = r;
    return [`${m.name}/${layer}`, rest];
  }))), field);
}
