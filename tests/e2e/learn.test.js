// The Learn view: state from the URL, a clicked point's μ against brute force on the coordinates
// the page shows, lecture steps by keyboard (also from a focused slider), Gride up to n = 64,
// noise vs Gride on the live numbers, the URL round trip, and no long task on the main thread.
// Served under a sub-path, like GitHub Pages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { startServer, launch, openApp, FROZEN_MS, ROOT } from './helpers.js';

let server;
let browser;
before(async () => { server = await startServer({ prefix: '/course/idscope/' }); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

/** Waits until the worker has answered everything asked and the charts are drawn. */
function idle(page, timeout = 30_000) {
  return page.waitForFunction(() => window.idscopeLearn?.lesson.result && document.body.dataset.state === 'idle', null, { timeout, polling: 50 });
}

/** Sets a slider or field as a user would (an `input` event), then waits for the new numbers. */
async function setControl(page, name, value) {
  await page.evaluate(([n, v]) => {
    const el = document.querySelector(`#controls [name="${n}"]`);
    el.value = String(v);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, [name, value]);
  await page.waitForFunction(([n, v]) => String(window.idscopeLearn.state[n]) === String(v), [name, value]);
  await page.waitForTimeout(60); // the debounce
  await idle(page);
}

const idOf = (page, which) => page.locator(`#${which}`).evaluate((el) => Number(el.dataset.value));

/** r₁, r₂ of point i by brute force in float64 over the float32 coordinates the page received. */
function bruteForce(points, dim, i) {
  const d = [];
  for (let j = 0; j < points.length / dim; j += 1) {
    if (j === i) continue;
    let s = 0;
    for (let c = 0; c < dim; c += 1) s += (points[i * dim + c] - points[j * dim + c]) ** 2;
    d.push([Math.sqrt(s), j]);
  }
  d.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return d;
}

test('a link opens its state; clicking a point shows its μ = r₂/r₁ as brute force gives it', async () => {
  const query = 'learn.html?manifold=square&points=1000&noise=0&seed=3&n=4&step=1&gride=0';
  const { page, consoleErrors, urls, context } = await openApp(browser, server, query);
  await idle(page);
  const s = await page.evaluate(() => ({ ...window.idscopeLearn.state }));
  assert.deepEqual([s.manifold, s.points, s.noise, s.seed, s.n, s.step, s.gride], ['square', 1000, 0, 3, 4, 1, false]);
  assert.equal(await page.locator('#controls [name="manifold"]').inputValue(), 'square');

  const target = 123;
  const pos = await page.evaluate((i) => window.idscopeLearn.view.screenOf(i), target);
  const box = await page.locator('#data').boundingBox();
  await page.mouse.click(box.x + pos.x, box.y + pos.y);
  await page.waitForFunction(() => document.querySelector('#readout').dataset.mu);
  const shown = await page.locator('#readout').evaluate((el) => ({ index: Number(el.dataset.index), mu: Number(el.dataset.mu), text: el.textContent }));
  const { points, dim } = await page.evaluate(() => ({ points: [...window.idscopeLearn.lesson.points], dim: window.idscopeLearn.lesson.dim }));
  const picked = await page.evaluate((i) => window.idscopeLearn.view.screenOf(i), shown.index);
  assert.ok(Math.hypot(picked.x - pos.x, picked.y - pos.y) < 1.5, `clicked ${target}, picked ${shown.index} elsewhere`);
  const bf = bruteForce(points, dim, shown.index);
  const mu = bf[1][0] / bf[0][0];
  assert.ok(Math.abs(shown.mu - mu) <= 1e-12 * mu, `μ ${shown.mu} vs brute force ${mu}`);
  assert.match(shown.text, new RegExp(`μ = r₂/r₁ = ${mu.toFixed(3)}`));
  const readout = await page.evaluate(() => window.idscopeLearn.lesson.readout);
  assert.deepEqual(readout.neighbours.slice(0, 2), [bf[0][1], bf[1][1]], 'the highlighted neighbours are the two nearest');
  assert.match(new URL(page.url()).search, new RegExp(`point=${shown.index}`));

  // Hovering shows another point (one left of the magnifier, which sits top right) until the
  // pointer leaves; then the picked one comes back.
  const other = await page.evaluate(() => {
    const v = window.idscopeLearn.view;
    for (let i = 0; i < 1000; i += 1) if (v.screenOf(i).x < v.canvas.clientWidth / 3) return i;
    return -1;
  });
  const at = await page.evaluate((i) => window.idscopeLearn.view.screenOf(i), other);
  await page.mouse.move(box.x + at.x, box.y + at.y);
  await page.waitForFunction((i) => {
    const v = window.idscopeLearn.view;
    const p = v.screenOf(Number(document.querySelector('#readout').dataset.index));
    const q = v.screenOf(i);
    return Math.hypot(p.x - q.x, p.y - q.y) < 1.5;
  }, other);
  await page.mouse.move(1, 1);
  await page.waitForFunction((i) => document.querySelector('#readout').dataset.index === String(i), shown.index);

  assert.deepEqual(consoleErrors, []);
  assert.deepEqual(urls.filter((u) => !u.startsWith(server.origin) && !u.startsWith('data:')), [], 'no request leaves the site');
  await context.close();
});

test('arrow keys step through the lesson and change the caption; F full screen, P presentation size', async () => {
  const { page, consoleErrors, context } = await openApp(browser, server, 'learn.html?manifold=circle&points=500&noise=0.01&step=3');
  await idle(page);
  const caption = () => page.locator('#caption').textContent();
  const third = await caption();
  assert.match(third, /^3\. .*Pareto/);
  await page.keyboard.press('ArrowRight');
  const fourth = await caption();
  assert.match(fourth, /^4\. .*slope is the ID/);
  await idle(page);
  assert.equal(await page.locator('#chart-a').getAttribute('data-kind'), 'cdf');
  assert.match(new URL(page.url()).search, /step=4/);
  await page.keyboard.press('ArrowLeft');
  assert.equal(await caption(), third);
  for (let i = 0; i < 10; i += 1) await page.keyboard.press('ArrowRight');
  assert.match(await caption(), /^9\. Density peaks/, 'the last step');
  await idle(page);
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  assert.match(await caption(), /^7\. .*Decimation/);
  await idle(page);
  assert.equal(await page.locator('#chart-a').getAttribute('data-kind'), 'decimation');
  const decimation = await page.evaluate(() => window.idscopeLearn.lesson.result.decimation.map((d) => d.size));
  assert.deepEqual(decimation.slice(0, 3), [500, 250, 125], 'ID vs N on the current data');
  await page.keyboard.press('f');
  await page.waitForFunction(() => document.fullscreenElement === document.documentElement);
  await page.keyboard.press('f');
  await page.waitForFunction(() => document.fullscreenElement === null);
  await page.keyboard.press('p');
  assert.equal(await page.evaluate(() => document.body.classList.contains('present')), true, 'P: presentation size');
  assert.deepEqual(consoleErrors, []);
  await context.close();
});

test('← → step the lecture from a slider or a list; sliders keep ↑ ↓ PageUp PageDown Home End; Gride n goes to 64 (N/8)', async () => {
  const { page, consoleErrors, context } = await openApp(browser, server, 'learn.html?manifold=circle&points=1000&noise=0.01&seed=2&n=4&step=2&gride=1&point=10');
  await idle(page);
  const state = () => page.evaluate(() => ({ ...window.idscopeLearn.state }));
  const slider = page.locator('#controls [name="n"]');
  assert.equal(await slider.getAttribute('max'), '64', 'N = 1000: n up to 64');
  await slider.focus();
  await page.keyboard.press('ArrowRight');
  assert.equal((await state()).step, 3, '→ on a focused slider steps the lecture');
  assert.equal(await slider.inputValue(), '4', '→ leaves the slider alone');
  await page.keyboard.press('ArrowLeft');
  assert.equal((await state()).step, 2);
  await page.keyboard.press('ArrowUp');
  await page.waitForFunction(() => window.idscopeLearn.state.n === 5);
  await page.keyboard.press('PageUp');
  await page.waitForFunction(() => window.idscopeLearn.state.n > 5);
  const up = (await state()).n;
  await page.keyboard.press('PageDown');
  await page.waitForFunction((n) => window.idscopeLearn.state.n < n, up);
  assert.equal((await state()).step, 2, 'PageUp/PageDown on a focused slider move the slider, not the lecture');
  await page.locator('#controls [name="gride"]').check(); // stepping turned the Gride circles off
  await slider.focus();
  await page.keyboard.press('End');
  await page.waitForFunction(() => window.idscopeLearn.state.n === 64);
  await page.waitForTimeout(60); // the debounce
  await idle(page);
  await page.waitForFunction(() => window.idscopeLearn.lesson.readout?.n === 64);
  const g = await page.evaluate(() => window.idscopeLearn.lesson.gride);
  assert.deepEqual([g.n1, g.n2], [64, 128]);
  assert.match(await page.locator('#ids').textContent(), /Gride, n = 64 \(r₁₂₈\/r₆₄\)/);
  const r = await page.evaluate(() => window.idscopeLearn.lesson.readout);
  assert.equal(r.neighbours.length, 128, 'the read-out lists the 128 nearest');
  assert.match(await page.locator('#readout').textContent(), /r₁₂₈\/r₆₄ = /);
  const timings = await page.evaluate(() => window.idscopeLearn.lesson.timings);
  console.log(`worker at N = 1000: Gride at n = 64 (first order beyond 32: 128 neighbours searched) ${timings.filter((t) => t.what === 'gride').map((t) => Math.round(t.ms)).join(', ')} ms`);

  // A list: → steps the lecture and leaves the choice alone; a number field keeps its keys.
  await page.locator('#controls [name="manifold"]').focus();
  await page.keyboard.press('ArrowRight');
  assert.equal((await state()).step, 3);
  assert.equal(await page.locator('#controls [name="manifold"]').inputValue(), 'circle');
  await page.locator('#controls [name="seed"]').focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowLeft');
  assert.equal((await state()).step, 3, 'a text field keeps ← →');

  // Fewer points lower the largest n: N = 200 → n ≤ 25.
  await setControl(page, 'points', 200);
  assert.equal((await state()).n, 25);
  assert.equal(await slider.getAttribute('max'), '25');
  assert.deepEqual(consoleErrors, []);
  await context.close();
});

test('noise raises the TwoNN ID and Gride at larger n brings it back; offline; the page never freezes', async () => {
  const { page, consoleErrors, context } = await openApp(browser, server, 'learn.html?manifold=swiss-roll&points=2000&noise=0&seed=1&n=1&step=6&point=10');
  await idle(page);
  const clean = await idOf(page, 'id-ml');
  assert.ok(Math.abs(clean - 2) < 0.2, `noise-free swiss roll: ${clean}`);
  const start = await page.evaluate(() => performance.now());

  await context.setOffline(true); // once loaded, nothing more is fetched
  await setControl(page, 'noise', 0.02);
  const noisy = await idOf(page, 'id-ml');
  const noisyFit = await idOf(page, 'id-fit');
  assert.ok(noisy > clean + 0.4 && noisyFit > 2.4, `noise should raise TwoNN: ${clean} → ${noisy} (fit ${noisyFit})`);
  assert.ok(Math.abs(await idOf(page, 'id-gride') - noisy) < 0.05, 'Gride at n = 1 is TwoNN');

  await setControl(page, 'n', 16);
  const gride = await idOf(page, 'id-gride');
  assert.ok(gride < noisy - 0.4 && Math.abs(gride - 2) < 0.3, `Gride at n = 16: ${gride} (TwoNN ${noisy})`);
  const mu = await page.locator('#readout').evaluate((el) => Number(el.dataset.muN));
  const r = await page.evaluate(() => window.idscopeLearn.lesson.readout);
  assert.equal(r.n, 16);
  assert.equal(mu, r.r2n / r.rn, 'Gride read-out: r₃₂/r₁₆ of the chosen point');

  // Dragging N back and forth: every update is computed in the worker; the page never stalls.
  for (const n of [1500, 2500, 2000]) await setControl(page, 'points', n);
  const timings = await page.evaluate(() => window.idscopeLearn.lesson.timings);
  const ms = (what) => timings.filter((t) => t.what === what && t.points === 2000).map((t) => Math.round(t.ms)).join(', ');
  console.log(`worker at N = 2000: new cloud (neighbours, TwoNN) ${ms('cloud')} ms; Gride scales + decimation ${ms('scales')} ms; Gride at another n ${ms('gride')} ms`);
  const charts = timings.filter((t) => t.what.startsWith('chart')).map((t) => t.ms);
  console.log(`main thread: ${charts.length} chart draws, longest ${Math.round(Math.max(...charts))} ms (${charts.map(Math.round).join(", ")})`);
  const longTasks = (await page.evaluate(() => window.__longTasks)).filter((t) => t.start >= start);
  console.log(`long tasks on the main thread: ${JSON.stringify(longTasks)}`);
  assert.ok(longTasks.every((t) => t.duration < FROZEN_MS), `the page froze: ${JSON.stringify(longTasks)}`);
  assert.deepEqual(consoleErrors, []);
  await context.close();
});

test('a lecture from a noise-free link: the Noise step adds noise, the Gride step brings the ID back', async () => {
  const { page, consoleErrors, context } = await openApp(browser, server, 'learn.html?manifold=circle&points=1000&noise=0&seed=5&n=32&step=4');
  await idle(page);
  const clean = await idOf(page, 'id-ml');
  await page.keyboard.press('ArrowRight');
  await idle(page);
  const s = await page.evaluate(() => ({ ...window.idscopeLearn.state }));
  assert.equal(s.step, 5);
  assert.ok(s.noise > 0, 'stepping into Noise adds noise');
  assert.equal(await page.locator('#controls [name="noise"]').inputValue(), String(s.noise));
  const noisy = await idOf(page, 'id-ml');
  assert.ok(noisy > clean + 0.5, `circle: TwoNN ${clean} → ${noisy} with σ = ${s.noise}`);
  await page.keyboard.press('ArrowRight');
  await idle(page);
  assert.equal(await page.evaluate(() => window.idscopeLearn.state.gride), true, 'the Gride step shows the Gride circles');
  const gride = await idOf(page, 'id-gride');
  assert.ok(gride < noisy - 0.4, `Gride at n = 32: ${gride}, TwoNN ${noisy}`);
  await page.keyboard.press('ArrowLeft');
  await idle(page);
  assert.equal(await page.evaluate(() => window.idscopeLearn.state.noise), s.noise, 'stepping back keeps the data');
  assert.deepEqual(consoleErrors, []);
  await context.close();
});

test('the URL holds the whole state and restores it exactly', async () => {
  const first = await openApp(browser, server, 'learn.html?manifold=sphere&points=800&noise=0.015&seed=42&n=6&step=6&point=17');
  await idle(first.page);
  await first.page.keyboard.press('d'); // rotate the 3-D view
  await first.page.keyboard.press('w');
  await first.page.locator('#big').check();
  await idle(first.page);
  const search = new URL(first.page.url()).search;
  assert.match(search, /view=30%2C50/);
  assert.match(search, /big=1/);
  const snapshot = (page) => page.evaluate(() => ({
    state: { ...window.idscopeLearn.state },
    ids: [...document.querySelectorAll('#ids dd')].map((d) => d.textContent),
    readout: document.querySelector('#readout').textContent,
    caption: document.querySelector('#caption').textContent,
    points: [...window.idscopeLearn.lesson.points.slice(0, 30)],
  }));
  await first.page.waitForFunction(() => document.querySelector('#readout').dataset.mu);
  const a = await snapshot(first.page);
  await first.context.close();

  const second = await openApp(browser, server, `learn.html${search}`);
  await idle(second.page);
  await second.page.waitForFunction(() => document.querySelector('#readout').dataset.mu);
  const b = await snapshot(second.page);
  assert.deepEqual(b, a);
  assert.equal(new URL(second.page.url()).search, search, 'the restored page writes the same link');
  assert.deepEqual([...first.consoleErrors, ...second.consoleErrors], []);
  await second.context.close();
});

test('the app links to the Learn view and back, with relative links', async () => {
  const { page, consoleErrors, context } = await openApp(browser, server, '');
  await page.locator('header a[href="learn.html"]').click();
  await page.waitForURL(/\/course\/idscope\/learn\.html/);
  await idle(page);
  await page.locator('header a.button[href="index.html"]').click();
  await page.waitForURL(/\/course\/idscope\/index\.html/);
  assert.deepEqual(consoleErrors, []);
  await context.close();
});

test('presentation size: large type, thick lines (screenshot for the README)', async () => {
  const { page, consoleErrors, context } = await openApp(browser, server,
    'learn.html?manifold=curve&points=400&noise=0.02&seed=2&n=12&step=6&gride=1&point=200&big=1',
    { viewport: { width: 1600, height: 1000 } });
  await idle(page);
  await page.waitForFunction(() => document.querySelector('#readout').dataset.mu);
  const size = await page.locator('#caption').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  assert.ok(size >= 32, `caption font ${size}px`);
  assert.ok(await page.evaluate(() => window.idscopeLearn.view.zoom > 1.5), 'thicker lines and dots on the data');
  if (process.env.IDSCOPE_LEARN_SCREENSHOT) {
    const out = path.resolve(ROOT, process.env.IDSCOPE_LEARN_SCREENSHOT);
    mkdirSync(path.dirname(out), { recursive: true });
    await page.screenshot({ path: out });
  }
  assert.deepEqual(consoleErrors, []);
  await context.close();
});

test('the Labels step colours the two halves and shows a clicked point\'s overlap with its label', async () => {
  const { page, consoleErrors, context } = await openApp(browser, server, 'learn.html?manifold=curve&points=1000&noise=0&seed=4&n=4&step=7');
  await idle(page);
  // Pixels of the second half's colour (#cc79a7, light scheme) as the dots draw it, at 85 % over white.
  const halfPixels = () => page.evaluate(() => {
    const c = document.querySelector('#data');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i] - 212) + Math.abs(d[i + 1] - 141) + Math.abs(d[i + 2] - 180) < 30) n += 1;
    return n;
  });
  assert.equal(await halfPixels(), 0, 'one colour before the Labels step');
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => window.idscopeLearn.state.step === 8);
  await idle(page);
  assert.ok(await halfPixels() > 200, 'the second half in its own colour');
  const { labels, overlap } = await page.evaluate(() => ({ labels: [...window.idscopeLearn.lesson.labels], overlap: window.idscopeLearn.lesson.overlap }));
  assert.deepEqual([...new Set(labels)].sort(), [0, 1], 'two halves');
  assert.ok(Math.abs(labels.filter((l) => l === 1).length / labels.length - 0.5) < 0.06, 'about half the points each');
  assert.equal(overlap.k, 10);
  assert.ok(overlap.overlap > 0.98 && overlap.overlap < 1, `noise-free halves of a curve mix only at their border: χ ${overlap.overlap}`);
  assert.equal(await idOf(page, 'overlap'), overlap.overlap);

  // A clicked point: the share of its 10 nearest neighbours (brute force) with its label.
  const pos = await page.evaluate(() => window.idscopeLearn.view.screenOf(321));
  const box = await page.locator('#data').boundingBox();
  await page.mouse.click(box.x + pos.x, box.y + pos.y);
  await page.waitForFunction(() => document.querySelector('#readout').dataset.overlap);
  const shown = await page.locator('#readout').evaluate((el) => ({ index: Number(el.dataset.index), overlap: Number(el.dataset.overlap), text: el.textContent }));
  const { points, dim } = await page.evaluate(() => ({ points: [...window.idscopeLearn.lesson.points], dim: window.idscopeLearn.lesson.dim }));
  const ten = bruteForce(points, dim, shown.index).slice(0, 10).map(([, j]) => j);
  const same = ten.filter((j) => labels[j] === labels[shown.index]).length;
  assert.equal(shown.overlap, same / 10);
  assert.match(shown.text, new RegExp(`${same} of its 10 nearest neighbours share its label`));
  assert.deepEqual(await page.evaluate(() => window.idscopeLearn.lesson.readout.overlap_neighbours), ten);
  assert.deepEqual(consoleErrors, []);
  await context.close();
});

test('the Density peaks step colours by log ρ, finds the three blobs\' peaks, and a larger Z merges them', async () => {
  const { page, consoleErrors, context } = await openApp(browser, server, 'learn.html?manifold=curve&points=2000&noise=0&seed=0&n=4&step=8');
  await idle(page);
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => window.idscopeLearn.state.step === 9 && window.idscopeLearn.state.manifold === 'blobs');
  await page.waitForFunction(() => window.idscopeLearn.lesson.density);
  await idle(page);
  assert.equal(await idOf(page, 'peaks'), 3, 'one density peak per blob at Z = 1.65');
  const d = await page.evaluate(() => window.idscopeLearn.lesson.density);
  assert.equal(d.log_den.length, 2000);
  assert.ok(d.saddles.length >= 1, 'the saddles between bordering blobs');
  // Points all along the ramp: its blue and its green quarters.
  const near = (rgb) => page.evaluate((want) => {
    const c = document.querySelector('#data');
    const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < px.length; i += 4) if (Math.abs(px[i] - want[0]) + Math.abs(px[i + 1] - want[1]) + Math.abs(px[i + 2] - want[2]) < 30) n += 1;
    return n;
  }, rgb);
  const [blue, green] = [await near([59, 82, 139]), await near([94, 201, 98])];
  assert.ok(blue > 50 && green > 50, `points coloured along the ramp: ${blue} blue, ${green} green pixels`);
  await setControl(page, 'z', 8);
  await page.waitForFunction(() => window.idscopeLearn.lesson.density?.z === 8);
  assert.ok(await idOf(page, 'peaks') < 3, 'Z = 8 merges peaks');
  assert.match(new URL(page.url()).search, /z=8/);
  assert.deepEqual(consoleErrors, []);
  await context.close();
});
