// Loading files as a user does: the file input, ?url=, a multi-layer .npz, a corrupt file, a
// damaged .npz member (CRC-32).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, launch, openApp, waitIdle, canvasStats, cliEstimate, relClose, ROOT } from './helpers.js';

let server;
let browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const NPY = path.join(ROOT, 'tests/fixtures/reference/gauss8_d40.npy');

test('an .npy through the file input gets the same ID as `idscope estimate --json`', async () => {
  const expected = cliEstimate(NPY).layers[0];
  const { page, consoleErrors, context } = await openApp(browser, server);
  await waitIdle(page);
  await page.setInputFiles('#file-input', NPY);
  await page.waitForFunction(() => window.idscope.snapshot().models.length === 1 && window.idscope.snapshot().models[0].name === 'gauss8_d40');
  await waitIdle(page);
  const cells = await page.evaluate(() => ({
    ml: Number(document.querySelector('td.id-ml').dataset.value),
    fit: Number(document.querySelector('td.id-fit').dataset.value),
    std: Number(document.querySelector('td.id-fit').dataset.std),
    rows: document.querySelectorAll('table.layers tbody tr').length,
  }));
  console.log(`page ML ${cells.ml}, fit ${cells.fit}; CLI ML ${expected.twonn.ml.id}, fit ${expected.twonn.fit.id}`);
  assert.equal(cells.rows, 1);
  assert.ok(relClose(cells.ml, expected.twonn.ml.id), `ML ${cells.ml} vs ${expected.twonn.ml.id}`);
  assert.ok(relClose(cells.fit, expected.twonn.fit.id), `fit ${cells.fit} vs ${expected.twonn.fit.id}`);
  assert.ok(relClose(cells.std, expected.twonn.repeats.fit_std), `std ${cells.std} vs ${expected.twonn.repeats.fit_std}`);
  assert.deepEqual(consoleErrors, []);
  await context.close();
});

test('?url= loads a file from a URL instead of the demo', async () => {
  const { page, consoleErrors, context } = await openApp(browser, server, '?url=tests/fixtures/reference/gauss8_d40.npy');
  await page.waitForFunction(() => window.idscope.snapshot().models.length === 1);
  await waitIdle(page);
  const names = await page.evaluate(() => window.idscope.snapshot().models.map((m) => m.name));
  assert.deepEqual(names, ['gauss8_d40']);
  assert.ok(await page.locator('td.id-fit[data-value]').count() === 1);
  assert.deepEqual(consoleErrors, []);
  await context.close();
});

test('an .npz with several layers draws a hunchback with one point per layer; reorder and exclude redraw it', async () => {
  const { page, consoleErrors, context } = await openApp(browser, server);
  await waitIdle(page);
  await page.setInputFiles('#file-input', path.join(ROOT, 'www/demo/digits_untrained.npz'));
  await page.waitForFunction(() => window.idscope.snapshot().models.length === 1 && /untrained/.test(window.idscope.snapshot().models[0].name));
  await waitIdle(page);
  assert.equal(await page.locator('table.layers tbody tr').count(), 6);
  await page.waitForTimeout(300);
  const points = () => page.evaluate(() => window.idscope.charts.data.get('hunchback').map((s) => s.layers.filter(Boolean).map((l) => l.name)));
  assert.deepEqual(await points(), [['input', 'hidden1', 'hidden2', 'hidden3', 'hidden4', 'logits']]);
  const hovers = await page.evaluate(() => window.idscope.charts.cards.get('hunchback').hovers.length);
  assert.ok(hovers >= 6, `hover points: ${hovers}`);
  const s = await canvasStats(page, 'hunchback');
  assert.ok(s.inked > 0.01);

  // Exclude the input layer, move logits up: the hunchback follows without recomputing. The only
  // request allowed is the Gaussian surrogate of the newly selected layer (a lighter pass).
  await page.evaluate(() => {
    const client = window.idscope.client;
    const analyse = client.analyse.bind(client);
    window.requested = [];
    client.analyse = (job) => { window.requested.push(job.params); return analyse(job); };
  });
  await page.locator('tr[data-layer="0"] td.keep input').uncheck();
  await page.locator('tr[data-layer="5"] button[aria-label^="Move logits up"]').click();
  await page.waitForFunction(() => window.idscope.charts.data.get('hunchback')[0].layers.filter(Boolean).length === 5);
  assert.deepEqual(await points(), [['hidden1', 'hidden2', 'hidden3', 'logits', 'hidden4']]);
  await waitIdle(page);
  const requested = await page.evaluate(() => window.requested);
  assert.ok(requested.every((p) => p.surrogate && p.repeats === 0 && !p.gride), JSON.stringify(requested));
  assert.deepEqual(consoleErrors, []);
  await context.close();
});

test('a corrupt file shows an error message and the previous results stay', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'idscope-e2e-'));
  const bad = path.join(dir, 'broken.npy');
  writeFileSync(bad, Buffer.concat([Buffer.from('\x93NUMPY\x01\x00\x20\x00', 'latin1'), Buffer.from("{'descr': '<f4', 'fortran_"), Buffer.alloc(40, 7)]));
  const { page, consoleErrors, context } = await openApp(browser, server);
  await waitIdle(page);
  const before = await page.locator('td.id-fit').evaluateAll((c) => c.map((x) => x.dataset.value));
  await page.setInputFiles('#file-input', bad);
  await page.locator('.message[role="alert"]').first().waitFor({ timeout: 10_000 });
  const text = await page.locator('.message[role="alert"]').first().textContent();
  assert.match(text, /broken\.npy/);
  const after = await page.locator('td.id-fit').evaluateAll((c) => c.map((x) => x.dataset.value));
  assert.deepEqual(after, before);
  assert.equal(after.length, 18);
  assert.deepEqual(consoleErrors, []);
  await context.close();
});

test('an .npz member that fails its CRC-32 check is reported naming the file and the member', async () => {
  // np.savez's layer2.npy (stored) with one bit of its last value flipped: the headers still
  // read, so the file opens; reading the layer finds the damage.
  const zip = readFileSync(path.join(ROOT, 'tests/fixtures/readers/savez.npz'));
  const local = zip.indexOf(Buffer.from('PK\x03\x04\x2d\x00\x00\x00\x00\x00', 'latin1'), zip.indexOf(Buffer.from('layer2.npy')) - 30);
  assert.equal(zip.toString('latin1', local + 30, local + 40), 'layer2.npy');
  const dataStart = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
  zip[dataStart + 320 - 1] ^= 0x04; // layer2.npy holds 320 bytes
  const dir = mkdtempSync(path.join(tmpdir(), 'idscope-e2e-'));
  const bad = path.join(dir, 'damaged.npz');
  writeFileSync(bad, zip);
  const { page, consoleErrors, context } = await openApp(browser, server);
  await waitIdle(page);
  await page.setInputFiles('#file-input', bad);
  const alert = page.locator('.message[role="alert"]', { hasText: 'layer2.npy' });
  await alert.first().waitFor({ timeout: 20_000 });
  assert.match(await alert.first().textContent(), /^damaged\.npz: layer "layer2": member "layer2\.npy" is corrupted: its data has CRC-32 [0-9a-f]{8}, the archive records 23884aa2/);
  assert.deepEqual(consoleErrors, []);
  await context.close();
});

test('files dropped anywhere on the page are opened', async () => {
  const { page, consoleErrors, context } = await openApp(browser, server);
  await waitIdle(page);
  await page.evaluate(async () => {
    const bytes = await (await fetch('tests/fixtures/reference/gauss8_d40.npy')).arrayBuffer();
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], 'dropped.npy'));
    document.body.dispatchEvent(new DragEvent('dragenter', { dataTransfer: dt, bubbles: true }));
    document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  });
  await page.waitForFunction(() => window.idscope.snapshot().models.some((m) => m.name === 'dropped'));
  await waitIdle(page);
  assert.equal(await page.locator('td.id-fit[data-value]').count(), 1);
  assert.equal(await page.locator('#drop-overlay').isHidden(), true);
  assert.deepEqual(consoleErrors, []);
  await context.close();
});

test('the site works from a sub-path of a static host (relative URLs only)', async () => {
  const sub = await startServer({ prefix: '/some/sub/path/' });
  try {
    const { page, consoleErrors, urls, context } = await openApp(browser, sub);
    await waitIdle(page);
    assert.equal(await page.locator('td.id-fit[data-value]').count(), 18);
    assert.ok(urls.every((u) => u.startsWith(`${sub.origin}/some/sub/path/`) || u.startsWith('blob:') || u.startsWith('data:')), urls.join('\n'));
    assert.deepEqual(consoleErrors, []);
    await context.close();
  } finally {
    await sub.close();
  }
});
