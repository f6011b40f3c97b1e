// Control of a computation: Cancel (button and Esc) stops a long run and the page keeps working;
// a trap inside the worker becomes a message and the worker restarts; the page never freezes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, launch, openApp, waitIdle, waitComputing, writeNpy, FROZEN_MS, testPkg } from './helpers.js';

let server;
let browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

test('Cancel stops a long run, Esc too, and the page still computes afterwards', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'idscope-e2e-'));
  const big = path.join(dir, 'big.npy');
  writeNpy(big, 30000, 48, 12345);
  const { page, consoleErrors, context } = await openApp(browser, server);
  await waitIdle(page);
  await page.fill('input[name="repeats"]', '200');
  await page.locator('input[name="repeats"]').dispatchEvent('change');
  await page.setInputFiles('#file-input', big);
  await page.waitForFunction(() => window.idscope.snapshot().models.some((m) => m.name === 'big') && window.idscope.client.busy, null, { timeout: 20_000 });
  const t0 = await page.evaluate(() => performance.now());
  await waitComputing(page);
  await page.click('#cancel-button');
  assert.equal(await page.evaluate(() => window.idscope.client.busy), false);
  assert.equal(await page.evaluate(() => document.body.dataset.state), 'idle');
  assert.match(await page.locator('#run-status').textContent(), /Cancelled/);
  const longTasks = await page.evaluate((t) => window.__longTasks.filter((x) => x.start >= t), t0);
  console.log(`long tasks while computing: ${JSON.stringify(longTasks)}`);
  assert.ok(longTasks.every((t) => t.duration < FROZEN_MS), `the page froze while computing: ${JSON.stringify(longTasks)}`);

  // Run again, then Esc.
  await page.click('#run-button');
  await page.waitForFunction(() => window.idscope.client.busy);
  await page.waitForTimeout(300);
  await page.keyboard.press('Escape');
  assert.equal(await page.evaluate(() => window.idscope.client.busy), false);

  // The page still works: a small subsample with few repeats finishes in a fresh worker.
  await page.fill('input[name="repeats"]', '5');
  await page.fill('input[name="max_points"]', '2000');
  await page.locator('input[name="max_points"]').dispatchEvent('change');
  await waitIdle(page, 60_000);
  const n = await page.evaluate(() => document.querySelector('td.n-used').textContent);
  assert.match(n, /^2000 \(of 30000\)$/);
  assert.deepEqual(consoleErrors, []);
  await context.close();
});

test("the app's build has no test hooks; the test build, served in its place, has the trap", async () => {
  const { page, context } = await openApp(browser, server);
  const exports = () => import(new URL('www/pkg/idscope.js', location.href).href).then((m) => 'panicForTest' in m);
  assert.equal(await page.evaluate(exports), false);
  await context.close();
  const hooked = await startServer({ pkg: testPkg() });
  const other = await openApp(browser, hooked);
  assert.equal(await other.page.evaluate(exports), true);
  await other.context.close();
  await hooked.close();
});

test('a trap in the worker becomes a message, the worker restarts and nothing computed is lost', async () => {
  const hooked = await startServer({ pkg: testPkg() });
  const { page, context } = await openApp(browser, hooked);
  await waitIdle(page);
  const before = await page.locator('td.id-fit').evaluateAll((c) => c.map((x) => x.dataset.value));
  await page.evaluate(() => window.idscope.client.panic());
  await page.locator('.message[role="alert"]', { hasText: 'crashed' }).waitFor({ timeout: 10_000 });
  assert.match(await page.locator('.message[role="alert"]').first().textContent(), /panic requested by the test/);
  assert.deepEqual(await page.locator('td.id-fit').evaluateAll((c) => c.map((x) => x.dataset.value)), before);
  // A new seed recomputes every layer in the fresh worker (which re-opened the demo files).
  await page.fill('input[name="seed"]', '3');
  await page.locator('input[name="seed"]').dispatchEvent('change');
  await waitIdle(page);
  const stale = await page.locator('tr.stale').count();
  assert.equal(stale, 0);
  const failed = await page.locator('td.failed').count();
  assert.equal(failed, 0);
  await context.close();
  await hooked.close();
});
