// Runs one large activation file through the real page and worker in headless Chromium (the
// streamed path of issue 7, item 4) and prints the time, the TwoNN ID and the worker's wasm memory.
//
//   python3 scripts/bench/make_big.py /tmp/big.npy 2000 600000      # 4.47 GiB float32
//   bash scripts/build-web.sh
//   node scripts/bench/streamed_browser.mjs /tmp/big.npy [timeout minutes, default 60]
//
// The file is linked into the served tree (bench-big.npy at the root, removed afterwards) and
// opened with ?url=, so the worker fetches it into a Blob and reads it in slices.

import { symlinkSync, unlinkSync, statSync } from 'node:fs';
import path from 'node:path';
import { ROOT, startServer, launch, openApp, waitIdle } from '../../tests/e2e/helpers.js';

const file = path.resolve(process.argv[2] ?? '');
const minutes = Number(process.argv[3] ?? 60);
const link = path.join(ROOT, 'bench-big.npy');
const size = statSync(file).size;
try { unlinkSync(link); } catch { /* not there */ }
symlinkSync(file, link);
const server = await startServer();
const browser = await launch();
try {
  const start = Date.now();
  const { page, consoleErrors } = await openApp(browser, server, '?url=bench-big.npy');
  await waitIdle(page, minutes * 60_000);
  const seconds = (Date.now() - start) / 1000;
  const text = await page.locator('body').innerText();
  const worker = page.workers().find((w) => w.url().endsWith('worker.js'));
  const memory = worker
    ? await worker.evaluate(async () => (await import(new URL('./pkg/idscope.js', self.location.href).href)).wasmMemoryBytes())
    : NaN;
  // The layer's row of the results table: N × D, dtype, size, ID (ML), ID (fit), PC-ID, …, time.
  const row = text.split('\n').find((l) => /\tbench-big\t/.test(l))?.trim().replace(/\s*\t\s*/g, ' | ') ?? '(no result row)';
  console.log(`file ${(size / 2 ** 30).toFixed(2)} GiB: ${seconds.toFixed(1)} s from page load to result (fetch included), `
    + `worker wasm memory ${(memory / 2 ** 20).toFixed(0)} MiB\n  ${row}`);
  if (consoleErrors.length) console.log('console errors:', consoleErrors);
} finally {
  await browser.close();
  await server.close();
  unlinkSync(link);
}
