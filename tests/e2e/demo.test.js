// The page as a visitor first sees it: the built-in demo, computed and plotted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { startServer, launch, openApp, waitIdle, canvasStats, FROZEN_MS, ROOT } from './helpers.js';

let server;
let browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

// How soon the first plot comes and how long the page's tasks are is the bench's to measure
// (scripts/bench/page-load.mjs, with the budgets); this test bounds only what is a defect on any
// machine: nothing drawn within 30 s, or a main-thread task that freezes the page.
test('the demo loads, plots, and every chart has ink', async () => {
  const { page, consoleErrors, urls, context } = await openApp(browser, server);
  await page.waitForFunction(() => document.body.dataset.firstPlotMs, null, { timeout: 30_000 });
  console.log(`time to first plot: ${await page.evaluate(() => document.body.dataset.firstPlotMs)} ms after navigation start`);

  await waitIdle(page);
  const models = await page.evaluate(() => window.idscope.snapshot().models.map((m) => ({ name: m.name, layers: m.layers.length, results: m.computed })));
  assert.equal(models.length, 3, 'trained, shuffled-label and untrained models');
  assert.match(models[0].name, /\(trained/);
  assert.match(models[1].name, /shuffled/);
  assert.match(models[2].name, /untrained/);
  for (const m of models) assert.equal(m.results, m.layers, `${m.name}: every layer computed`);

  const ids = await page.locator('td.id-fit').evaluateAll((cells) => cells.map((c) => Number(c.dataset.value)));
  assert.equal(ids.length, 18);
  for (const id of ids) assert.ok(id > 1 && id < 40, `plausible ID ${id}`);
  // The label overlap χ^gt (on by default in the page; the demo has labels): a column of the
  // layers table, and on the trained MLP's hidden4 DADApy's value (tests/fixtures/overlap/).
  const overlaps = await page.locator('td.label-overlap').evaluateAll((cells) => cells.map((c) => Number(c.dataset.value)));
  assert.equal(overlaps.length, 18);
  for (const o of overlaps) assert.ok(o > 0 && o <= 1, `χ label ${o}`);
  const hidden4 = await page.evaluate(() => window.idscope.snapshot().models[0].layers.find((l) => l.name === 'hidden4').result.overlap);
  const dadapy = JSON.parse(readFileSync(path.join(ROOT, 'tests/fixtures/overlap/overlap.json'), 'utf8')).cases
    .find((c) => c.layer === 'hidden4' && c.k === 10 && c.class_fraction === null && c.average === 'class');
  assert.ok(Math.abs(hidden4.overlap - dadapy.overlap) <= 1e-12, `hidden4 χ ${hidden4.overlap} vs DADApy ${dadapy.overlap}`);
  assert.equal(hidden4.classes.length, 10);

  await page.waitForTimeout(300); // the last redraws run one chart per task
  for (const kind of ['hunchback', 'mu', 'cdf', 'decimation', 'gride', 'spectrum']) {
    const s = await canvasStats(page, kind);
    assert.ok(s.colours >= 4 && s.inked > 0.01, `${kind} is blank: ${JSON.stringify(s)}`);
  }
  const hunch = await page.evaluate(() => window.idscope.charts.data.get('hunchback').map((s) => s.layers.filter(Boolean).length));
  assert.deepEqual(hunch, [6, 6, 6]);

  // The analyses across models equal `idscope compare`'s on the same files (tests/cli.rs checks
  // the CLI against the same fixture, made by tests/fixtures/compare/make_demo.sh).
  const got = JSON.parse(await page.evaluate(() => JSON.stringify(window.idscope.snapshot().comparison)));
  const want = JSON.parse(readFileSync(path.join(ROOT, 'tests/fixtures/compare/demo.json'), 'utf8')).comparison;
  assertClose(got, want, 'comparison');

  const longTasks = await page.evaluate(() => window.__longTasks);
  const runStart = await page.evaluate(() => window.idscope.snapshot().firstRunStart ?? 0);
  const during = longTasks.filter((t) => t.start >= runStart);
  console.log(`long tasks during the computation: ${JSON.stringify(during)}`);
  assert.ok(during.every((t) => t.duration < FROZEN_MS), `the page froze: ${JSON.stringify(during)}`);

  if (process.env.IDSCOPE_SCREENSHOT) {
    const out = path.resolve(ROOT, process.env.IDSCOPE_SCREENSHOT);
    mkdirSync(path.dirname(out), { recursive: true });
    await page.screenshot({ path: out, fullPage: true });
  }

  assert.deepEqual(consoleErrors, []);
  const foreign = urls.filter((u) => !u.startsWith(server.origin) && !u.startsWith('data:') && !u.startsWith('blob:'));
  assert.deepEqual(foreign, [], 'no request leaves the test server');
  await context.close();
});

/** Deep equality, numbers to a relative 1e-9 (p-values pass through libm, which may differ in the last bits). */
function assertClose(a, b, at) {
  if (typeof a === 'number' && typeof b === 'number') {
    assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b)), `${at}: ${a} vs ${b}`);
  } else if (a && b && typeof a === 'object' && typeof b === 'object') {
    assert.deepEqual(Object.keys(a).sort(), Object.keys(b).sort(), `${at}: keys`);
    for (const k of Object.keys(a)) assertClose(a[k], b[k], `${at}.${k}`);
  } else {
    assert.equal(a, b, at);
  }
}

test('dark mode draws on a dark background', async () => {
  const { page, consoleErrors, context } = await openApp(browser, server, '', { colorScheme: 'dark' });
  await waitIdle(page);
  await page.waitForTimeout(300);
  const bg = await page.evaluate(() => {
    const c = document.querySelector('figure[data-kind="hunchback"] canvas');
    const [r, g, b] = c.getContext('2d').getImageData(2, 2, 1, 1).data;
    return r + g + b;
  });
  assert.ok(bg < 200, `background brightness ${bg}`);
  assert.deepEqual(consoleErrors, []);
  await context.close();
});

// The form's defaults are the core's (Params::page in src/estimators/mod.rs), not written in index.html;
// per-class is the page's own rule (on once a model has labels, as the demo's have).
test('the parameter form shows the core defaults', async () => {
  const { page, context } = await openApp(browser, server);
  await waitIdle(page);
  const { form, core } = await page.evaluate(async () => {
    const core = (await import('./www/pkg/idscope_page.js')).pageParams();
    const f = document.querySelector('#params').elements;
    const form = { mu_fraction: Number(f.mu_fraction.value), repeats: Number(f.repeats.value), seed: Number(f.seed.value),
      duplicates: f.duplicates.value, metric: f.metric.value, pc_id: f.pc_id.checked, surrogate: f.surrogate.checked };
    return { form, core };
  });
  assert.deepEqual(form, { mu_fraction: core.mu_fraction, repeats: core.repeats, seed: core.seed, duplicates: core.duplicates,
    metric: core.metric, pc_id: core.pc_id, surrogate: core.surrogate });
  assert.deepEqual([core.mu_fraction, core.repeats, core.pc_id, core.surrogate, core.gride, core.per_class], [0.9, 20, true, true, true, false]);
  assert.equal(await page.evaluate(() => document.querySelector("#params").elements.per_class.checked), true, "labelled demo: per-class on");
  const html = readFileSync(path.join(ROOT, 'index.html'), 'utf8');
  assert.doesNotMatch(html, /name="(mu_fraction|repeats|seed)"[^>]*value=/, 'no default written in index.html');
  await context.close();
});
