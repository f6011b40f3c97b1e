// The worker pool (pool.js, worker-client.js): with several workers a layer's neighbour search is
// split by Gram tiles, then by rows, and joined, and the results equal one worker's exactly;
// Cancel and a trap in any worker still stop everything cleanly and the page keeps what it
// computed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, launch, openApp, waitIdle, waitComputing, writeNpy, ROOT, testPkg, layerResults } from './helpers.js';

let server;
let browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const NPY = path.join(ROOT, 'tests/fixtures/reference/gauss8_d40.npy');

/** The demo (and then the fixture file, dropped in) computed with `workers` workers. */
async function compute(workers, file = null) {
  const { page, context, consoleErrors } = await openApp(browser, server, `?workers=${workers}`);
  await waitIdle(page, 120_000);
  assert.equal(await page.evaluate(() => window.idscope.client.size), workers);
  const demo = await layerResults(page);
  let dropped = null;
  if (file) {
    await page.setInputFiles('#file-input', file);
    await page.waitForFunction(() => window.idscope.snapshot().models.some((m) => m.name === 'gauss8_d40'));
    await waitIdle(page, 120_000);
    dropped = await layerResults(page);
  }
  assert.deepEqual(consoleErrors, []);
  await context.close();
  return { demo, dropped };
}

test('three workers give exactly the IDs of one worker, on the demo and on a dropped file', async () => {
  const one = await compute(1, NPY);
  const three = await compute(3, NPY);
  assert.ok(Object.keys(one.demo).length >= 12, `demo layers: ${Object.keys(one.demo)}`);
  assert.deepEqual(three.demo, one.demo);
  assert.equal(Object.keys(one.dropped).length, 1);
  assert.deepEqual(three.dropped, one.dropped);
  assert.ok(Object.values(three.dropped)[0].twonn.fit.id > 6, 'an 8-dimensional Gaussian');
});

test('Cancel stops every worker of the pool and a fresh pool computes afterwards', async () => {
  const big = path.join(mkdtempSync(path.join(tmpdir(), 'idscope-pool-')), 'big.npy');
  writeNpy(big, 30000, 48);
  const { page, consoleErrors, context } = await openApp(browser, server, '?workers=3');
  await waitIdle(page);
  await page.setInputFiles('#file-input', big);
  await page.waitForFunction(() => window.idscope.snapshot().models.some((m) => m.name === 'big') && window.idscope.client.busy, null, { timeout: 20_000 });
  await waitComputing(page);
  await page.click('#cancel-button');
  assert.deepEqual(await page.evaluate(() => ({ busy: window.idscope.client.busy, workers: window.idscope.client.pool.workers.length })), { busy: false, workers: 0 });
  assert.match(await page.locator('#run-status').textContent(), /Cancelled/);
  await page.fill('input[name="max_points"]', '1500');
  await page.locator('input[name="max_points"]').dispatchEvent('change');
  await waitIdle(page, 60_000);
  assert.equal(await page.evaluate(() => window.idscope.client.pool.workers.length), 3);
  assert.match(await page.evaluate(() => document.querySelector('td.n-used').textContent), /^1500 \(of 30000\)$/);
  assert.deepEqual(consoleErrors, []);
  await context.close();
});

test('a trap in one worker of the pool becomes a message; results stay and fresh workers recompute', async () => {
  const hooked = await startServer({ pkg: testPkg() });
  const { page, context } = await openApp(browser, hooked, '?workers=3');
  await waitIdle(page);
  const before = await layerResults(page);
  await page.evaluate(() => window.idscope.client.panic(2));
  await page.locator('.message[role="alert"]', { hasText: 'crashed' }).waitFor({ timeout: 10_000 });
  assert.match(await page.locator('.message[role="alert"]').first().textContent(), /panic requested by the test/);
  assert.deepEqual(await layerResults(page), before);
  await page.fill('input[name="seed"]', '3');
  await page.locator('input[name="seed"]').dispatchEvent('change');
  await waitIdle(page);
  assert.equal(await page.locator('tr.stale').count(), 0);
  assert.equal(await page.evaluate(() => window.idscope.client.pool.workers.length), 3);
  await context.close();
  await hooked.close();
});

test('a layer over the memory limit is streamed by one worker, not split across the pool, with the same ID', async () => {
  const wide = path.join(mkdtempSync(path.join(tmpdir(), 'idscope-pool-')), 'wide.npy');
  writeNpy(wide, 200, 1000); // 8·N·D = 1.6 MB in memory: over a 1 MiB limit, yet streamable under it
  const { page, context, consoleErrors } = await openApp(browser, server, '?workers=2');
  await waitIdle(page, 120_000);
  await page.setInputFiles('#file-input', wide);
  await page.waitForFunction(() => window.idscope.snapshot().models.some((m) => m.name === 'wide'));
  await waitIdle(page, 120_000);
  // Two requests straight to the client, its page handlers set aside: in memory, then streamed.
  const runs = await page.evaluate(async () => {
    const { client } = window.idscope;
    const model = window.idscope.snapshot().models.find((m) => m.name === 'wide').id;
    const params = {
      mu_fraction: 0.9, repeats: 5, seed: 0, duplicates: 'keep-one', metric: 'euclidean', max_points: null,
      gride: true, decimation: false, pc_id: false, surrogate: false, per_class: false,
    };
    const handlers = { ...client.on };
    const post = client.pool.post.bind(client.pool);
    const run = (memory, job) => new Promise((resolve, reject) => {
      const posted = [];
      client.pool.post = (i, msg, transfer) => { posted.push(msg.type); return post(i, msg, transfer); };
      client.on.progress = () => {};
      client.on.error = (msg) => reject(new Error(msg.message));
      client.on.layer = (_, result) => resolve({ posted, fit: result.twonn.fit.id, ml: result.twonn.ml.id, gride: result.gride.map((g) => g.id) });
      // `streamed` as the pass plan (src/analysis/passes.rs) sets it for a layer over the memory limit.
      client.analyse({ job, model, layer: 0, params: { ...params, memory_limit_mb: memory }, streamed: memory < 1024 });
    });
    try {
      return [await run(1024, 9001), await run(1, 9002)];
    } finally {
      Object.assign(client.on, handlers);
      client.pool.post = post;
    }
  });
  const [memory, streamed] = runs;
  assert.ok(memory.posted.includes('candidates'), `in memory, split across the pool: ${memory.posted}`);
  assert.deepEqual(streamed.posted, ['analyse'], 'streamed: one request to one worker');
  const close = (a, b) => Math.abs(a - b) <= 1e-9 * Math.abs(b);
  assert.ok(close(streamed.fit, memory.fit) && close(streamed.ml, memory.ml), `${JSON.stringify(runs)}`);
  assert.ok(streamed.gride.every((g, i) => close(g, memory.gride[i])), `${JSON.stringify(runs)}`);
  assert.deepEqual(consoleErrors, []);
  await context.close();
});

test('the page streams a layer over ?memory=MB and skips its surrogate and per-class passes, saying so', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'idscope-pool-'));
  const wide = path.join(dir, 'wide.npy');
  writeNpy(wide, 200, 1000); // 1.6 MB in float64: over the 1 MiB limit
  const labels = path.join(dir, 'labels.npy');
  const header = `{'descr': '<i8', 'fortran_order': False, 'shape': (200,), }`.padEnd(117, ' ') + '\n';
  const ids = new BigInt64Array(200).map((_, i) => BigInt(i % 4));
  writeFileSync(labels, Buffer.concat([Buffer.from([0x93, ...Buffer.from('NUMPY', 'latin1'), 1, 0, header.length, 0]), Buffer.from(header, 'latin1'), Buffer.from(ids.buffer)]));
  const { page, context, consoleErrors } = await openApp(browser, server, '?workers=2&memory=1');
  await waitIdle(page, 120_000);
  // PC-ID of 200 points needs 32·N² bytes, over 1 MiB: off, so the layer itself is what is tested.
  await page.locator('input[name="per_class"]').check();
  await page.locator('input[name="pc_id"]').uncheck();
  await waitIdle(page, 120_000);
  await page.setInputFiles('#file-input', [wide, labels]);
  await page.waitForFunction(() => window.idscope.snapshot().models.some((m) => m.name.startsWith('wide') && m.computed === 1));
  await page.locator('table.layers tbody tr').filter({ hasText: 'wide' }).first().click();
  await waitIdle(page, 120_000);
  const note = (k) => page.evaluate((k) => window.idscope.charts.cards.get(k).card.querySelector('.chart-note').textContent, k);
  assert.match(await note('surrogate'), /^No surrogate for wide: the layer is over the memory limit/);
  assert.match(await note('per_class'), /^No per-class estimates for wide: the layer is over the memory limit/);
  assert.equal(await page.locator('.message[role="alert"]').count(), 0, 'no error message');
  const fit = await page.evaluate(() => window.idscope.snapshot().models.find((m) => m.name.startsWith('wide')).layers.find((l) => l.full).full.twonn.fit.id);
  assert.ok(fit > 1 && fit < 1000, `streamed TwoNN ${fit}`);
  assert.deepEqual(consoleErrors, []);
  await context.close();
});
