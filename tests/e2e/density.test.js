// The density profile in the page (issue 14): ticked on the demo, every layer gets its PAk densities and
// density-peak clusters; the nucleation chart (peaks vs layer), the clusters-vs-classes chart, the
// selected layer's log ρ histogram and dendrogram draw and export as PNG/SVG/CSV/JSON, and the
// trained MLP's hidden4 and logits hold DADApy's clusters (tests/fixtures/density/demo_trained.json).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startServer, launch, openApp, waitIdle, canvasStats, grab, ROOT } from './helpers.js';

let server;
let browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const dadapy = JSON.parse(readFileSync(path.join(ROOT, 'tests/fixtures/density/demo_trained.json'), 'utf8')).layers;

test('the density charts draw, export and hold DADApy\'s peaks on the demo', async () => {
  const { page, consoleErrors, context } = await openApp(browser, server);
  await waitIdle(page, 120_000);
  // Off by default (a streamed layer under a small memory limit cannot hold 100 neighbours per
  // point): one tick recomputes every layer with it.
  await page.locator('input[name="density"]').check();
  await waitIdle(page, 120_000);
  // Select the trained model's logits: the per-layer density charts follow.
  await page.locator('tr[data-layer]', { hasText: 'logits' }).first().click();
  await waitIdle(page, 60_000);
  await page.waitForTimeout(300);
  const kinds = ['nucleation', 'peak_classes', 'density', 'dendrogram'];
  for (const kind of kinds) {
    const s = await canvasStats(page, kind);
    assert.ok(s.colours >= 4 && s.inked > 0.01, `${kind} is blank: ${JSON.stringify(s)}`);
  }
  const models = await page.evaluate(() => window.idscope.snapshot().models.map((m) => ({
    name: m.name, layers: m.layers.map((l) => ({ name: l.name, d: l.full?.density })),
  })));
  const trained = models.find((m) => /trained/.test(m.name));
  for (const name of ['hidden4', 'logits']) {
    const d = trained.layers.find((l) => l.name === name).d;
    const want = dadapy[name].adp;
    assert.equal(d.peaks, want.N_clusters, `${name}: peaks`);
    assert.deepEqual(d.clusters.centers, want.cluster_centers, `${name}: the same peak points as DADApy`);
    assert.deepEqual(d.clusters.assignment, want.cluster_assignment, `${name}: the same clusters`);
  }
  const logits = (m) => m.layers.find((l) => l.name === 'logits').d.labels;
  assert.ok(logits(trained).ari > 0.9, `trained logits: one peak per digit (ARI ${logits(trained).ari})`);
  const shuffled = models.find((m) => /shuffled/.test(m.name));
  assert.ok(logits(shuffled).ari < 0.1, `shuffled labels: peaks that follow no class (ARI ${logits(shuffled).ari})`);

  const selected = await page.evaluate(() => window.idscope.charts.data.get('dendrogram').name);
  assert.equal(selected, 'logits');
  for (const kind of kinds) {
    for (const format of ['png', 'svg']) {
      const file = await grab(page, () => page.click(`figure[data-kind="${kind}"] button[data-export="${format}"]`), `${kind} ${format}`);
      assert.ok(file.bytes.length > 1000, `${kind} ${format}: ${file.bytes.length} bytes`);
    }
    const csv = await grab(page, () => page.click(`figure[data-kind="${kind}"] button[data-numbers="csv"]`), `${kind} CSV`);
    const lines = csv.bytes.toString().trim().split('\n');
    const rows = { nucleation: 18, peak_classes: 18, density: 1797, dendrogram: 11 + 10 }[kind];
    assert.equal(lines.length, 1 + rows, `${kind} CSV rows`);
    const json = await grab(page, () => page.click(`figure[data-kind="${kind}"] button[data-numbers="json"]`), `${kind} JSON`);
    assert.ok(JSON.parse(json.bytes.toString()), `${kind} JSON`);
  }
  assert.deepEqual(consoleErrors, []);
  await context.close();
});
