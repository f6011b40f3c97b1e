// The multi-model analyses (issue 5) as a user runs them: two labelled models through the file
// input plus one whose accuracy comes from its metadata; accuracies typed into the models panel;
// every multi-model chart drawn; the correlation table checked against an independent Pearson /
// Spearman computed here from the per-class IDs of the exported results; hide and exports.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, launch, openApp, waitIdle, canvasStats, grab, ROOT } from './helpers.js';

let server;
let browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

/** A safetensors file with two F32 layers of seeded uniform noise and `__metadata__`. */
function safetensors(file, metadata, n = 300, dims = [6, 3]) {
  let seed = 12345;
  const rand = () => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed / 2 ** 31; };
  const header = { __metadata__: metadata };
  const blobs = [];
  let offset = 0;
  dims.forEach((d, i) => {
    const data = Float32Array.from({ length: n * d }, rand);
    header[`layer.${i}`] = { dtype: 'F32', shape: [n, d], data_offsets: [offset, offset + data.byteLength] };
    offset += data.byteLength;
    blobs.push(Buffer.from(data.buffer));
  });
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  writeFileSync(file, Buffer.concat([len, json, ...blobs]));
}

// ---- an independent Pearson / Spearman with t-test p-values ----

const mean = (x) => x.reduce((a, b) => a + b, 0) / x.length;
function pearson(x, y) {
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0; let sxx = 0; let syy = 0;
  x.forEach((_, i) => { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) ** 2; syy += (y[i] - my) ** 2; });
  return sxy / Math.sqrt(sxx * syy);
}
/** Ranks 1..n, ties sharing their average rank. */
function ranks(x) {
  const idx = x.map((v, i) => [v, i]).sort((a, b) => a[0] - b[0]);
  const r = new Array(x.length);
  for (let i = 0; i < idx.length;) {
    let j = i;
    while (j + 1 < idx.length && idx[j + 1][0] === idx[i][0]) j += 1;
    for (let k = i; k <= j; k += 1) r[idx[k][1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return r;
}
const spearman = (x, y) => pearson(ranks(x), ranks(y));
/** Γ at an integer or half-integer by the recurrence from Γ(1) = 1, Γ(1/2) = √π. */
function gamma(x) {
  let g = Number.isInteger(x) ? 1 : Math.sqrt(Math.PI);
  for (let v = Number.isInteger(x) ? 1 : 0.5; v < x; v += 1) g *= v;
  return g;
}
/** Two-sided p-value of a correlation r over n pairs: Student t with n − 2 degrees of freedom, Simpson's rule. */
function pValue(r, n) {
  const df = n - 2;
  const t = Math.abs(r) * Math.sqrt(df / (1 - r * r));
  const c = gamma((df + 1) / 2) / (Math.sqrt(df * Math.PI) * gamma(df / 2));
  const f = (x) => c * (1 + (x * x) / df) ** (-(df + 1) / 2);
  const steps = 20_000;
  const h = t / steps;
  let s = f(0) + f(t);
  for (let i = 1; i < steps; i += 1) s += f(i * h) * (i % 2 ? 4 : 2);
  return Math.max(0, 1 - 2 * (s * h) / 3);
}

const close = (a, b, tol) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));

test('two labelled models with accuracies: every multi-model chart, the correlation table equals an independent computation, exports', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'idscope-analyses-'));
  const noise = path.join(dir, 'noise.safetensors');
  safetensors(noise, { accuracy: '0.5', source: 'test' });
  const { page, consoleErrors, context } = await openApp(browser, server, '?url=www/demo/digits_trained.npz');
  await page.waitForFunction(() => window.idscope.snapshot().models.length === 1);
  await page.setInputFiles('#file-input', path.join(ROOT, 'www/demo/digits_shuffled.npz'));
  await page.waitForFunction(() => window.idscope.snapshot().models.length === 2);
  await page.setInputFiles('#file-input', noise);
  await page.waitForFunction(() => window.idscope.snapshot().models.length === 3);

  // Models panel: names, labels, the metadata's accuracy; type the other two accuracies.
  const panel = page.locator('#models-panel table.models-panel tbody tr');
  assert.equal(await panel.count(), 3);
  assert.deepEqual(await panel.locator('td.name input').evaluateAll((x) => x.map((i) => i.value)), ['digits_trained', 'digits_shuffled', 'noise']);
  assert.equal(await panel.nth(2).locator('td.value input').inputValue(), '0.5', 'accuracy from __metadata__');
  for (const [row, value] of [[0, '0.9756'], [1, '0.1089']]) {
    await panel.nth(row).locator('td.value input').fill(value);
    await panel.nth(row).locator('td.value input').dispatchEvent('change');
  }
  await panel.nth(0).locator('td.name input').fill('trained');
  await panel.nth(0).locator('td.name input').dispatchEvent('change');
  assert.equal(await page.locator('#params input[name="per_class"]').isChecked(), true, 'per-class on: models have labels');
  await waitIdle(page, 120_000);
  await page.waitForTimeout(500);

  const models = await page.evaluate(() => window.idscope.snapshot().models.map((m) => ({
    name: m.name, accuracy: m.accuracy, classes: m.layers.filter((l) => l.full).map((l) => l.full.classes.length),
  })));
  assert.deepEqual(models.map((m) => m.name), ['trained', 'digits_shuffled', 'noise']);
  assert.deepEqual(models.map((m) => m.accuracy.value), [0.9756, 0.1089, 0.5]);
  assert.deepEqual(models[0].classes, [10, 10, 10, 10, 10, 10]);
  assert.deepEqual(models[2].classes, [0, 0], 'no labels, no classes');
  assert.match(await panel.nth(0).locator('td.labels').textContent(), /10 classes/);

  for (const kind of ['hunchback', 'per_class', 'accuracy', 'correlation', 'curvature', 'surrogate', 'spectrum']) {
    assert.equal(await page.locator(`figure[data-kind="${kind}"]`).isVisible(), true, `${kind} card shown`);
    const s = await canvasStats(page, kind);
    assert.ok(s.colours >= 4 && s.inked > 0.01, `${kind} is blank: ${JSON.stringify(s)}`);
    const hovers = await page.evaluate((k) => window.idscope.charts.cards.get(k).hovers.length, kind);
    assert.ok(hovers > 0, `${kind} has hover values`);
  }
  const acc = await page.evaluate(() => window.idscope.charts.data.get('accuracy'));
  assert.equal(acc.measure, 'accuracy');
  assert.deepEqual(acc.points.map((p) => [p.model, p.layer, p.value]), [['trained', 'hidden4', 0.9756], ['digits_shuffled', 'hidden4', 0.1089], ['noise', 'layer.0', 0.5]]);
  assert.match(await page.locator('figure[data-kind="accuracy"] .chart-note').textContent(), /Pearson r = /);

  // The correlation table against Pearson / Spearman computed here from the exported results.
  const json = await grab(page, () => page.click('#export-json'), 'results JSON');
  const reports = JSON.parse(json.bytes.toString());
  const layer = await page.locator('figure[data-kind="correlation"] select.layer-picker').inputValue();
  assert.equal(layer, 'name:hidden4', 'default: the last hidden layer');
  const perClass = reports.filter((r) => r.layers.some((l) => l.classes.length)).map((r) => {
    const l = r.layers.find((x) => x.name === 'hidden4');
    return new Map(l.classes.map((c) => [c.name, c.twonn.fit.id]));
  });
  assert.equal(perClass.length, 2);
  const classes = [...perClass[0].keys()];
  const [x, y] = perClass.map((m) => classes.map((c) => m.get(c)));
  const expected = { pearson: pearson(x, y), spearman: spearman(x, y) };
  expected.pearson_p = pValue(expected.pearson, classes.length);
  expected.spearman_p = pValue(expected.spearman, classes.length);
  const cells = await page.locator('table.correlation td.pearson, table.correlation td.spearman').evaluateAll((tds) => tds.map((td) => ({
    kind: td.className, value: Number(td.dataset.value), p: Number(td.dataset.p), title: td.title,
  })));
  assert.equal(cells.length, 2);
  for (const c of cells) {
    console.log(`${c.kind}: page ${c.value} (p ${c.p}), independent ${expected[c.kind]} (p ${expected[`${c.kind}_p`]})`);
    assert.ok(close(c.value, expected[c.kind], 1e-9), `${c.kind} ${c.value} vs ${expected[c.kind]}`);
    assert.ok(close(c.p, expected[`${c.kind}_p`], 1e-6), `${c.kind} p ${c.p} vs ${expected[`${c.kind}_p`]}`);
    assert.match(c.title, /p = /);
  }

  // Exports of the new charts: image and numbers.
  // The per-layer charts' numbers come from the core (layerChartRows): their headers are its.
  const headers = {
    surrogate: 'series,size,blocks,id_mean,id_std,scale', mu: 'mu', gride: 'n1,n2,id,err,scale', spectrum: 'component,explained_ratio,cumulative',
  };
  for (const kind of ['per_class', 'accuracy', 'correlation', 'curvature', 'surrogate', 'mu', 'gride', 'spectrum']) {
    const png = await grab(page, () => page.click(`figure[data-kind="${kind}"] button[data-export="png"]`), `${kind} PNG`);
    assert.equal(png.bytes.subarray(1, 4).toString(), 'PNG');
    assert.ok(png.bytes.length > 2000, `${kind} PNG: ${png.bytes.length} bytes`);
    const svg = await grab(page, () => page.click(`figure[data-kind="${kind}"] button[data-export="svg"]`), `${kind} SVG`);
    assert.match(svg.bytes.toString(), /^<svg[\s\S]*<\/svg>\s*$/);
    const csv = await grab(page, () => page.click(`figure[data-kind="${kind}"] button[data-numbers="csv"]`), `${kind} CSV`);
    assert.match(csv.name, /\.csv$/);
    const lines = csv.bytes.toString().trim().split('\n');
    assert.ok(lines.length >= 2, `${kind} CSV has rows`);
    if (headers[kind]) assert.equal(lines[0], headers[kind], `${kind} CSV header`);
    const numbers = await grab(page, () => page.click(`figure[data-kind="${kind}"] button[data-numbers="json"]`), `${kind} JSON`);
    assert.match(numbers.name, /\.json$/);
    JSON.parse(numbers.bytes.toString());
  }
  const perClassCsv = await grab(page, () => page.click('figure[data-kind="per_class"] button[data-numbers="csv"]'), 'per-class CSV');
  const pcRows = perClassCsv.bytes.toString().trim().split('\n').map((l) => l.split(','));
  const col = (name) => pcRows[0].indexOf(name);
  const hidden4 = pcRows.filter((r) => r[col('model')] === 'trained' && r[col('layer')] === 'hidden4');
  const classIds = hidden4.filter((r) => r[col('class')] !== '').map((r) => Number(r[col('id_fit')]));
  const layerRow = hidden4.find((r) => r[col('class')] === '');
  assert.equal(classIds.length, 10);
  const m = mean(classIds);
  assert.ok(close(Number(layerRow[col('class_mean')]), m, 1e-12), 'class mean');
  assert.ok(close(Number(layerRow[col('class_std')]), Math.sqrt(mean(classIds.map((v) => (v - m) ** 2))), 1e-9), 'class std (ddof 0)');
  const table = await grab(page, () => page.click('figure[data-kind="correlation"] button[data-numbers="csv"]'), 'correlation CSV');
  const [head, row] = table.bytes.toString().trim().split('\n').map((l) => l.split(','));
  assert.deepEqual(head, ['layer', 'model_a', 'model_b', 'n_classes', 'pearson_r', 'pearson_p', 'spearman_rho', 'spearman_p']);
  assert.ok(close(Number(row[4]), expected.pearson, 1e-9));
  assert.ok(close(Number(row[6]), expected.spearman, 1e-9));

  // Another layer, by relative depth; then hide a model: it leaves every chart.
  await page.locator('figure[data-kind="correlation"] select.layer-picker').selectOption('depth:0');
  await page.waitForFunction(() => window.idscope.snapshot().comparison?.correlation?.ids.layer === 'relative depth 0');
  await panel.nth(1).locator('td.show input').uncheck();
  await page.waitForTimeout(300);
  const shown = await page.evaluate(() => ({
    hunchback: window.idscope.charts.data.get('hunchback').map((s) => s.model),
    accuracy: window.idscope.charts.data.get('accuracy').points.map((p) => p.model),
    correlation: window.idscope.charts.data.has('correlation'),
  }));
  assert.deepEqual(shown, { hunchback: ['trained', 'noise'], accuracy: ['trained', 'noise'], correlation: false });
  assert.equal(await page.evaluate(() => window.idscope.snapshot().models.length), 3, 'hidden, still loaded');

  // Dark mode and lecture size redraw the new charts.
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.locator('#lecture').check();
  await page.waitForFunction(() => window.idscope.charts.idle);
  await page.waitForTimeout(300);
  for (const kind of ['per_class', 'accuracy', 'curvature', 'surrogate']) {
    const bg = await page.evaluate((k) => {
      const [r, g, b] = document.querySelector(`figure[data-kind="${k}"] canvas`).getContext('2d').getImageData(2, 2, 1, 1).data;
      return r + g + b;
    }, kind);
    assert.ok(bg < 200, `${kind} background brightness ${bg} in dark mode`);
    const s = await canvasStats(page, kind);
    assert.ok(s.inked > 0.01, `${kind} blank in dark mode`);
  }
  assert.deepEqual(consoleErrors, []);
  await context.close();
});

test('the three-network demo shows every multi-model chart with one click', async () => {
  const { page, consoleErrors, context } = await openApp(browser, server);
  await waitIdle(page, 120_000);
  await page.waitForTimeout(500);
  const table = await page.locator('table.correlation td.pearson').count();
  assert.equal(table, 3, 'three pairs of models');
  // The per-layer charts' numbers come from the core (layerChartRows): their headers are its.
  const headers = {
    surrogate: 'series,size,blocks,id_mean,id_std,scale', mu: 'mu', gride: 'n1,n2,id,err,scale', spectrum: 'component,explained_ratio,cumulative',
  };
  for (const kind of ['per_class', 'accuracy', 'correlation', 'curvature', 'surrogate', 'mu', 'gride', 'spectrum']) {
    const s = await canvasStats(page, kind);
    assert.ok(s.colours >= 4 && s.inked > 0.01, `${kind} is blank: ${JSON.stringify(s)}`);
  }
  const acc = await page.evaluate(() => window.idscope.charts.data.get('accuracy').points.map((p) => p.value));
  assert.deepEqual(acc, [0.9756, 0.1089, 0.1333]);
  if (process.env.IDSCOPE_SCREENSHOT) {
    // The models panel down to the correlation table.
    const box = await page.evaluate(() => {
      const top = document.querySelector('#models-panel').getBoundingClientRect().top + scrollY;
      const bottom = Math.max(...['accuracy', 'correlation'].map((k) => document.querySelector(`figure[data-kind="${k}"]`).getBoundingClientRect().bottom + scrollY));
      return { x: 0, y: top - 8, width: document.documentElement.clientWidth, height: bottom - top + 16 };
    });
    const out = path.resolve(ROOT, process.env.IDSCOPE_SCREENSHOT);
    await page.screenshot({ path: out, fullPage: true, clip: box });
  }
  assert.deepEqual(consoleErrors, []);
  await context.close();
});
