// The browser side of the benchmark: headless Chromium on the real page. Once the page has
// computed its demo, each file, handed to the page like a dropped file, is analysed by a fresh
// WorkerClient (worker-client.js + pool.js + worker.js: every worker) with the bench params. The
// page's own load of the demo is timed by page-load.mjs.

import { launch, openApp, startServer, waitIdle } from '../../tests/e2e/helpers.js';

/**
 * `query`: e.g. `?workers=1` to time another pool size, `?simd=plain` for the plain SIMD128 build.
 * `peaks`: also measure the wasm SIMD peaks and the Gram kernel's rate on 2048 × 768 in one of
 * the page's workers ({kernel, peak, unfused, gram}, as `wasm-node.mjs --peak`). `args`: extra
 * Chromium flags (`gpuProcess`: keep the GPU process, for ANGLE); `gpu`: sizes [[n, d]] at which to
 * time the WebGPU kernel in a worker (gpuInWorker); `streamed`: the layers go down the streamed path.
 * @returns {{workers, build, runs: [{file, fit, ml, seconds, path}], peaks?, gpu?}}
 */
export async function benchBrowser(files, params, query = '', { peaks = false, args = [], gpuProcess = false, gpu = null, streamed = false } = {}) {
  const server = await startServer();
  const browser = await launch(args, { gpuProcess });
  try {
    const { page, context } = await openApp(browser, server, query);
    await waitIdle(page, 300_000);
    await page.evaluate(() => {
      const input = document.createElement('input');
      input.type = 'file';
      input.id = 'bench-input';
      input.hidden = true;
      document.body.append(input);
    });
    const runs = [];
    let workers = 0;
    for (const file of files) {
      await page.setInputFiles('#bench-input', file);
      const r = await page.evaluate(analyseInPage, { params, streamed });
      workers = r.workers;
      runs.push({ file, ...r });
    }
    const build = await page.evaluate(async () => (await import(new URL('www/simd.js', document.baseURI).href)).build);
    const rates = peaks ? await page.workers()[0].evaluate(peaksInWorker, `${server.url}www/pkg/idscope.js`) : undefined;
    const kernel = [];
    for (const [n, d] of gpu ?? []) kernel.push(await page.workers()[0].evaluate(gpuInWorker, { url: server.url, n, d }));
    await context.close();
    return { workers, build, runs, peaks: rates, gpu: gpu ? kernel : undefined };
  } finally {
    await browser.close();
    await server.close();
  }
}

/** In a worker: the glue module its loader initialised, timed once briefly first (V8 tier-up). */
async function peaksInWorker(glue) {
  const m = await import(glue);
  m.simdPeakGflops(0.3);
  m.gramGflops(512, 768, 0.3);
  return { kernel: m.gramKernel(), peak: m.simdPeakGflops(1), unfused: m.unfusedPeakGflops(1), gram: m.gramGflops(2048, 768, 1) };
}

/**
 * In a worker: the WGSL kernel's phase 1 on seeded n × d rows (10 neighbours) on the adapter the
 * browser offers (a fallback one too), timed as the page's calibration times it (Gpu.seconds), beside
 * this worker's WASM phase 1 of the same search (calibrationRows times it).
 */
async function gpuInWorker({ url, n, d }) {
  const m = await import(`${url}www/pkg/idscope.js`);
  const { requestGpu } = await import(`${url}www/gpu.js`);
  const { gpu, reason } = await requestGpu({ force: true });
  if (!gpu) return { n, d, reason };
  const rows = m.calibrationRows(n, d, 10);
  const seconds = await gpu.seconds(rows, m.gpuPlan(rows.n, rows.stride, rows.m, gpu.binding), m.gpuShader());
  return { n, d, adapter: gpu.label, seconds, gflops: (2 * n * n * d) / seconds / 1e9, wasmSeconds: rows.seconds };
}

/**
 * In the page: open the chosen file in a fresh pool, time the analysis of its first layer
 * (`streamed`: as the pass plan sends a layer over `params.memory_limit_mb`).
 */
async function analyseInPage({ params, streamed }) {
  const { WorkerClient } = await import(new URL('www/worker-client.js', document.baseURI).href);
  const { workerUrl } = await import(new URL('www/simd.js', document.baseURI).href);
  const file = document.querySelector('#bench-input').files[0];
  return new Promise((resolve, reject) => {
    let t0 = 0;
    const client = new WorkerClient(workerUrl(new URL('www/worker.js', document.baseURI)), {
      opened: () => { t0 = performance.now(); client.analyse({ job: 1, model: 1, layer: 0, params, streamed, trace: true }); },
      layer: (_, result) => {
        const seconds = (performance.now() - t0) / 1000;
        const trace = client.trace;
        client.cancel();
        resolve({ fit: result.twonn.fit.id, ml: result.twonn.ml.id, seconds, workers: client.size, trace, path: [...client.paths.keys()].join('; ') });
      },
      progress: () => {},
      error: (msg) => { client.cancel(); reject(new Error(msg.message)); },
      crash: (text) => reject(new Error(`crash: ${text}`)),
    });
    client.open({ type: 'open', model: 1, files: [file], names: [file.name] });
  });
}
