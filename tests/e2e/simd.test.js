// The two builds of the workers' wasm module (www/simd.js): Chromium validates relaxed SIMD, so every
// worker of the page and of the learn page loads the relaxed build (the page itself loads its own
// module, idscope_page); `?simd=plain`, or an engine that refuses the
// probe, gives the plain SIMD128 build; both builds give exactly the same results, in the page
// and (neighbour lists too) in Node.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { startServer, launch, openApp, waitIdle, ROOT } from './helpers.js';
import { relaxedSimd } from '../../www/simd.js';

let server;
let browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const NPY = path.join(ROOT, 'tests/fixtures/reference/gauss8_d40.npy');
const KERNEL = { relaxed: 'simd128+relaxed-madd 4x8', plain: 'simd128 4x8' };
const WASM = { relaxed: 'idscope_relaxed_bg.wasm', plain: 'idscope_bg.wasm', page: 'idscope_page_bg.wasm' };

/** The wasm modules the page fetched, by file name. */
const fetched = (urls) => [...new Set(urls.filter((u) => u.endsWith('.wasm')).map((u) => u.split('/').pop()))].sort();

/** The Gram kernel of the build each worker initialised: the glue module the worker imported is
 * the same instance, already initialised. */
function kernels(page) {
  const glue = `${server.url}www/pkg/idscope.js`;
  return Promise.all(page.workers().map((t) => t.evaluate(async (u) => (await import(u)).gramKernel(), glue)));
}

/** Every result on the page, by model name and layer, without the timings. */
function results(page) {
  return page.evaluate(() => Object.fromEntries(window.idscope.snapshot().models.flatMap((m) => m.layers.flatMap((l, layer) => (l.result ? [[layer, l]] : [])).map(([layer, { result }]) => {
    const { seconds, ...rest } = result;
    return [`${m.name}/${layer}`, rest];
  }))));
}

/** The demo and a dropped file computed by the page opened with `query`; which build ran. */
async function compute(query) {
  const { page, context, consoleErrors, urls } = await openApp(browser, server, query);
  await waitIdle(page, 120_000);
  const demo = await results(page);
  await page.setInputFiles('#file-input', NPY);
  await page.waitForFunction(() => window.idscope.snapshot().models.some((m) => m.name === 'gauss8_d40'));
  await waitIdle(page, 120_000);
  const out = { demo, dropped: await results(page), kernels: await kernels(page), wasm: fetched(urls) };
  assert.deepEqual(consoleErrors, []);
  await context.close();
  return out;
}

test('Chromium runs the relaxed build everywhere, ?simd=plain the plain one, with identical results', async () => {
  const relaxed = await compute('');
  const plain = await compute('?simd=plain');
  assert.deepEqual(relaxed.wasm, [WASM.page, WASM.relaxed]);
  assert.deepEqual(plain.wasm, [WASM.plain, WASM.page]);
  assert.ok(relaxed.kernels.length >= 1, 'at least one worker');
  assert.deepEqual(relaxed.kernels, relaxed.kernels.map(() => KERNEL.relaxed));
  assert.deepEqual(plain.kernels, plain.kernels.map(() => KERNEL.plain));
  assert.ok(Object.keys(relaxed.demo).length >= 12, `demo layers: ${Object.keys(relaxed.demo)}`);
  assert.deepEqual(relaxed.demo, plain.demo);
  assert.equal(Object.keys(relaxed.dropped).length, 1);
  assert.deepEqual(relaxed.dropped, plain.dropped);
});

test('an engine without relaxed SIMD gets the plain build', async () => {
  const { page, context } = await openApp(browser, server, 'learn.html');
  const [real, stubbed] = await page.evaluate(async () => {
    const url = new URL('www/simd.js', document.baseURI).href;
    const real = (await import(url)).build;
    const validate = WebAssembly.validate;
    WebAssembly.validate = () => false;
    try {
      return [real, (await import(`${url}?stubbed`)).build];
    } finally {
      WebAssembly.validate = validate;
    }
  });
  assert.deepEqual([real, stubbed], ['relaxed', 'plain']);
  await context.close();
});

test('the learn page and its worker load the build the page picks', async () => {
  for (const [query, build] of [['', 'relaxed'], ['?simd=plain', 'plain']]) {
    const { page, context, consoleErrors, urls } = await openApp(browser, server, `learn.html${query}`);
    await page.waitForFunction(() => window.idscopeLearn?.lesson.result && document.body.dataset.state === 'idle', null, { timeout: 60_000 });
    assert.ok(page.workers().length >= 1, 'the lesson worker started');
    assert.deepEqual(fetched(urls), [WASM[build], WASM.page].sort(), query);
    assert.deepEqual(await kernels(page), page.workers().map(() => KERNEL[build]), query);
    assert.deepEqual(consoleErrors, []);
    await context.close();
  }
});

/** scripts/bench/wasm-node.mjs --neighbours on one build (Node 20 has relaxed SIMD behind a flag). */
function neighbours(build, file) {
  const flags = build === 'relaxed' && !relaxedSimd() ? ['--experimental-wasm-relaxed-simd'] : [];
  const args = [...flags, path.join(ROOT, 'scripts/bench/wasm-node.mjs'), ...(build === 'relaxed' ? ['--relaxed'] : []), '--neighbours', file];
  return JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 28 }));
}

test('in Node both builds give the same neighbour lists and analysis, near-duplicates and ties included', (t) => {
  for (const name of ['gauss8_d40', 'sphere4_d50', 'near_dup_large_norm', 'dups']) {
    const file = path.join(ROOT, `tests/fixtures/reference/${name}.npy`);
    const [plain, relaxed] = [neighbours('plain', file), neighbours('relaxed', file)];
    assert.equal(plain.kernel, KERNEL.plain);
    assert.equal(relaxed.kernel, KERNEL.relaxed);
    assert.ok(plain.k >= 2 && plain.indices.length >= 200 * plain.k, `${name}: k ${plain.k}, ${plain.indices.length} entries`);
    assert.deepEqual(relaxed.indices, plain.indices, name);
    assert.deepEqual(relaxed.distances, plain.distances, name);
    assert.deepEqual(relaxed.analysis, plain.analysis, name);
    t.diagnostic(`${name}: ${plain.indices.length} neighbours identical`);
  }
});
