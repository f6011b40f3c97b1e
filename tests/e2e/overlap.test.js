// The neighbourhood overlaps between layers and models (issue 13): on the demo the page keeps each
// layer's neighbour lists, and its four charts (χ with the labels, the output and the input vs
// layer; layer × layer; model × model; the information plane from the workers' rank passes) draw,
// export as PNG/SVG/CSV/JSON, and hold DADApy's values (tests/fixtures/overlap/data_overlap.json,
// imbalance.json); a results JSON restores them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startServer, launch, openApp, waitIdle, canvasStats, grab, ROOT } from './helpers.js';

let server;
let browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const KINDS = ['overlap_profile', 'overlap_layers', 'overlap_models', 'information_plane'];
const dadapy = JSON.parse(readFileSync(path.join(ROOT, 'tests/fixtures/overlap/data_overlap.json'), 'utf8')).cases;
const want = (a, b) => dadapy.find((c) => c.a === a && c.b === b && c.k === 10).overlap;
const imbalances = JSON.parse(readFileSync(path.join(ROOT, 'tests/fixtures/overlap/imbalance.json'), 'utf8')).cases;
const delta = (a, b) => imbalances.find((c) => c.a === a && c.b === b);

test('the overlap charts draw, export, match DADApy on the demo and come back from a results JSON', async () => {
  const { page, consoleErrors, context } = await openApp(browser, server);
  await waitIdle(page, 120_000);
  await page.waitForTimeout(300);
  // Layers not yet computed while the others arrive are left out, never a failure.
  assert.doesNotMatch(await page.locator('#messages').textContent(), /failed/);
  for (const kind of KINDS) {
    const s = await canvasStats(page, kind);
    assert.ok(s.colours >= 4 && s.inked > 0.01, `${kind} is blank: ${JSON.stringify(s)}`);
  }
  const data = await page.evaluate((kinds) => Object.fromEntries(kinds.map((k) => [k, window.idscope.charts.data.get(k)])), KINDS);
  assert.equal(data.overlap_profile.k, 10);
  const trained = data.overlap_profile.profiles[0];
  assert.match(trained.model, /trained/);
  const at = (name) => trained.layers.find((l) => l.layer === name);
  assert.ok(Math.abs(at('hidden1').output - want('hidden1', 'logits')) <= 1e-12, `χ out of hidden1 ${at('hidden1').output}`);
  assert.ok(Math.abs(at('hidden4').input - want('input', 'hidden4')) <= 1e-12, `χ input of hidden4 ${at('hidden4').input}`);
  assert.equal(at('logits').output, 1);
  for (const l of trained.layers) assert.ok(l.label > 0 && l.label <= 1, `χ label ${l.label}`);
  // Error bars: the spread over TwoNN's 20 random subsets, each searched alone (tests/overlap_spread.rs
  // checks the numbers against fresh searches), for every layer; a layer with itself has none.
  assert.equal(data.overlap_profile.repeats, 20);
  for (const l of trained.layers) {
    for (const v of [l.label_std, l.output_std, l.input_std]) assert.ok(v >= 0 && v < 0.1, `${l.layer} std ${v}`);
  }
  assert.equal(at('logits').output_std, 0);
  assert.ok(at('hidden1').output_std > 0, 'the subsets differ');
  const layers = data.overlap_layers.matrix;
  assert.equal(layers.a, layers.b);
  assert.equal(layers.rows.length, 6);
  assert.notEqual(data.overlap_models.matrix.a, data.overlap_models.matrix.b);
  assert.equal(data.overlap_models.matrix.values.flat().filter((v) => v === null).length, 0, 'the demo models share their inputs');
  // The information imbalances from the workers' exact rank passes: DADApy's on complete lists.
  const plane = data.information_plane.profiles[0].layers;
  const close = (got, wanted, what) => assert.ok(Math.abs(got - wanted) <= 1e-12, `${what}: ${got} vs DADApy ${wanted}`);
  const h1 = plane.find((l) => l.layer === 'hidden1').imbalance;
  close(h1.to_output, delta('hidden1', 'logits').a_to_b, 'Δ(hidden1 → logits)');
  close(h1.from_output, delta('hidden1', 'logits').b_to_a, 'Δ(logits → hidden1)');
  const h4 = plane.find((l) => l.layer === 'hidden4').imbalance;
  close(h4.from_input, delta('input', 'hidden4').a_to_b, 'Δ(input → hidden4)');
  close(h4.to_input, delta('input', 'hidden4').b_to_a, 'Δ(hidden4 → input)');
  assert.ok(data.information_plane.profiles.every((p) => p.layers.every((l) => Object.values(l.imbalance).every(Number.isFinite))), 'every layer of every model ranked');

  for (const kind of KINDS) {
    for (const format of ['png', 'svg']) {
      const file = await grab(page, () => page.click(`figure[data-kind="${kind}"] button[data-export="${format}"]`), `${kind} ${format}`);
      assert.ok(file.bytes.length > 1000, `${kind} ${format}: ${file.bytes.length} bytes`);
      if (kind === 'overlap_profile' && format === 'svg') assert.match(file.bytes.toString(), /χ with the output: ± std over 20 subsets/);
    }
    const csv = await grab(page, () => page.click(`figure[data-kind="${kind}"] button[data-numbers="csv"]`), `${kind} CSV`);
    const lines = csv.bytes.toString().trim().split('\n');
    assert.equal(lines.length, ['overlap_profile', 'information_plane'].includes(kind) ? 1 + 18 : 1 + 36, `${kind} CSV rows`);
    if (kind === 'overlap_profile') {
      const head = lines[0].split(',');
      const row = lines.map((l) => l.split(',')).find((r) => r[0] === trained.model && r[3] === 'hidden1');
      assert.equal(Number(row[head.indexOf('chi_out_std')]), at('hidden1').output_std, 'the CSV holds the error bars');
      assert.equal(Number(row[head.indexOf('repeats')]), 20);
    }
    const json = await grab(page, () => page.click(`figure[data-kind="${kind}"] button[data-numbers="json"]`), `${kind} JSON`);
    assert.equal(JSON.parse(json.bytes.toString()).k, 10);
  }

  // Another k, from the kept lists (no new search): DADApy's values at k = 1, χ with the labels too.
  const timings = () => page.evaluate(() => window.idscope.snapshot().models.flatMap((m) => m.layers.map((l) => l.full?.seconds)));
  const before = await timings();
  await page.fill('figure[data-kind="overlap_profile"] input.overlap-k', '1');
  await page.locator('figure[data-kind="overlap_profile"] input.overlap-k').dispatchEvent('change');
  await page.waitForFunction(() => window.idscope.charts.data.get('overlap_profile')?.k === 1);
  const k1 = await page.evaluate(() => window.idscope.charts.data.get('overlap_profile').profiles[0].layers);
  const at1 = (name) => k1.find((l) => l.layer === name);
  const want1 = dadapy.find((c) => c.a === 'hidden1' && c.b === 'logits' && c.k === 1).overlap;
  assert.ok(Math.abs(at1('hidden1').output - want1) <= 1e-12, `k = 1: χ out of hidden1 ${at1('hidden1').output} vs ${want1}`);
  const labelK1 = JSON.parse(readFileSync(path.join(ROOT, 'tests/fixtures/overlap/overlap.json'), 'utf8')).cases
    .find((c) => c.layer === 'hidden4' && c.k === 1 && c.class_fraction === null && c.average === 'class').overlap;
  assert.ok(Math.abs(at1('hidden4').label - labelK1) <= 1e-12, `k = 1: χ label of hidden4 ${at1('hidden4').label} vs DADApy ${labelK1}`);
  assert.ok(k1.every((l) => l.output_std >= 0 && l.label_std >= 0), 'error bars at k = 1 from the same kept lists');
  await page.waitForTimeout(300);
  assert.deepEqual(await timings(), before, 'no layer was computed again');
  await page.fill('figure[data-kind="overlap_profile"] input.overlap-k', '10');
  await page.locator('figure[data-kind="overlap_profile"] input.overlap-k').dispatchEvent('change');
  await page.waitForFunction(() => window.idscope.charts.data.get('overlap_profile')?.k === 10);
  assert.deepEqual(await page.evaluate(() => window.idscope.charts.data.get('overlap_profile').profiles[0].layers.map((l) => l.label)),
    trained.layers.map((l) => l.label), 'χ with the labels from the kept lists at k = 10 is the estimator\'s');

  // The results JSON holds the kept lists: a fresh page restores the same overlaps.
  const results = await grab(page, () => page.click('#export-json'), 'JSON');
  const fresh = await openApp(browser, server, '?url=tests/fixtures/reference/gauss8_d40.npy');
  await waitIdle(fresh.page);
  await fresh.page.setInputFiles('#file-input', results.file);
  await fresh.page.waitForFunction(() => window.idscope.snapshot().models.filter((m) => m.restored).length === 3);
  await fresh.page.waitForTimeout(300);
  const restored = await fresh.page.evaluate(() => window.idscope.charts.data.get('overlap_profile').profiles.find((p) => /trained/.test(p.model)));
  assert.deepEqual(restored.layers.map((l) => l.output), trained.layers.map((l) => l.output));
  const stds = (p) => p.layers.map((l) => [l.label_std, l.output_std, l.input_std]);
  assert.deepEqual(stds(restored), stds(trained), 'the error bars come back with the results');
  const replane = await fresh.page.evaluate(() => window.idscope.charts.data.get('information_plane')?.profiles.find((p) => /trained/.test(p.model)));
  assert.deepEqual(replane?.layers.map((l) => l.imbalance), plane.map((l) => l.imbalance), 'the rank lists come back with the results');
  assert.deepEqual(consoleErrors, []);
  assert.deepEqual(fresh.consoleErrors, []);
  await fresh.context.close();
  await context.close();
});
