// Exports: every chart as PNG and SVG, the results as CSV and JSON; the JSON restores the view.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, openApp, waitIdle, grab } from './helpers.js';

let server;
let browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

test('each export produces a non-empty file of the right type, and a results JSON restores the view', async () => {
  const { page, consoleErrors, context } = await openApp(browser, server);
  await waitIdle(page);
  await page.waitForTimeout(300);
  for (const kind of ['hunchback', 'mu', 'cdf', 'decimation', 'gride', 'spectrum']) {
    const png = await grab(page, () => page.click(`figure[data-kind="${kind}"] button[data-export="png"]`), `${kind} PNG`);
    assert.match(png.name, /\.png$/);
    assert.ok(png.bytes.length > 2000, `${kind} PNG: ${png.bytes.length} bytes`);
    assert.equal(png.bytes.subarray(1, 4).toString(), 'PNG');
    const width = png.bytes.readUInt32BE(16);
    const shown = await page.evaluate((k) => window.idscope.charts.cards.get(k).cssWidth, kind);
    assert.equal(width, shown * 2, `${kind} PNG is 2× the on-screen size`);
    const svg = await grab(page, () => page.click(`figure[data-kind="${kind}"] button[data-export="svg"]`), `${kind} SVG`);
    assert.match(svg.name, /\.svg$/);
    assert.match(svg.bytes.toString(), /^<svg[\s\S]*<\/svg>\s*$/);
    assert.ok(svg.bytes.length > 1000);
  }
  const csv = await grab(page, () => page.click('#export-csv'), 'CSV');
  assert.match(csv.name, /\.csv$/);
  const lines = csv.bytes.toString().trim().split('\n');
  assert.match(lines[0], /^model,layer,index,/);
  assert.equal(lines.length, 19);

  const json = await grab(page, () => page.click('#export-json'), 'JSON');
  assert.match(json.name, /\.json$/);
  const reports = JSON.parse(json.bytes.toString());
  assert.equal(reports.length, 3);
  assert.equal(reports[0].schema, 'idscope/1');
  assert.equal(reports[0].layers.length, 6);
  const ids = await page.locator('td.id-fit').evaluateAll((c) => c.map((x) => Number(x.dataset.value)));

  // Drop the JSON back on a fresh page: the same models and numbers appear, nothing is recomputed.
  const fresh = await openApp(browser, server, '?url=tests/fixtures/reference/gauss8_d40.npy');
  await waitIdle(fresh.page);
  await fresh.page.setInputFiles('#file-input', json.file);
  await fresh.page.waitForFunction(() => window.idscope.snapshot().models.filter((m) => m.restored).length === 3);
  const restored = await fresh.page.locator('.model:not(:first-child) td.id-fit').evaluateAll((c) => c.map((x) => Number(x.dataset.value)));
  assert.deepEqual(restored, ids);
  await fresh.page.waitForTimeout(300);
  const series = await fresh.page.evaluate(() => window.idscope.charts.data.get('hunchback').length);
  assert.equal(series, 4);
  assert.deepEqual(consoleErrors, []);
  assert.deepEqual(fresh.consoleErrors, []);
  await fresh.context.close();
  await context.close();
});
