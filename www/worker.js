// The compute worker: opens activation files and analyses one layer per request with the wasm
// core (built with +simd128). Module worker; one request at a time, in arrival order. The page
// runs one per core (pool.js): each computes a part of a layer's Gram tiles (candidate lists of
// every row), then the exact neighbours of a slice of the rows from every part's lists, and one
// of them finishes the layer from the joined lists.
//
// Protocol (structured clone; File/Blob objects are passed by reference, never copied whole:
// the readers slice them with FileReaderSync).
//   page → worker
//     {type:'open', model, files:[File|Blob], names:[string]}   open files as one model
//     {type:'open', model, urls:[string], names:[string]}        fetch, then open (demo, ?url=)
//     {type:'analyse', job, model, layer, params, neighbours?}   one layer; params: Params JSON;
//                                                                neighbours: joined parts (below)
//     {type:'candidates', job, model, layer, params, part, parts}  tile part/parts of its neighbour
//                                                                search (phase 1)
//     {type:'part', job, model, layer, params, part, candidates, keep}  row slice `part` of its
//                                                                neighbour lists, from that slice of
//                                                                every phase-1 reply (phase 2); keep:
//                                                                this worker finishes the layer next
//     {type:'gpu', job, model, layer, params, slices, gpu:{mode, binding, lose, workers}}  phase 1 of
//                                                                the layer's search on WebGPU (gpu.js),
//                                                                its lists cut into `slices` row slices;
//                                                                mode 'on' takes a fallback adapter,
//                                                                'auto' only a GPU that beats `workers`
//                                                                WASM workers in a calibration (one for
//                                                                a streamed layer); with `streamed`, the
//                                                                layer's Gram pass instead (its reply
//                                                                then is 'layer')
//     {type:'ranks', job, model, layer, params, lists:[Uint32Array]}  the exact ranks in the
//                                                                layer's points of each list's point
//                                                                per point (information imbalances)
//     {type:'close', model}
//     {type:'panic'}                                             tests only: trap on purpose (the
//                                                                test build's hook; others refuse it)
//   The requests of a split layer (candidates, part, analyse with neighbours) share one read of it
//   (Session.load). Any request may carry `trace: true`: its reply then carries
//   span {start, loaded?, end} (epoch ms: received, layer loaded, computed).
//   worker → page
//     {type:'ready', version}                                    wasm instantiated
//     {type:'opened', model, info}                               layers from the headers
//     {type:'progress', job, part?, fraction}                    ≤ 20 per second
//     {type:'layer', job, model, layer, result, device?, bands?} a LayerResult (device: the GPU adapter
//                                                                that made a streamed layer's Gram, in
//                                                                `bands` bands of rows)
//     {type:'candidates', job, part, slices}                     one row slice per worker of
//                                                                {m, part, parts, first, indices:
//                                                                Uint32Array, approx: Float32Array},
//                                                                transferred
//     {type:'part', job, part, neighbours}                       {k, indices: Uint32Array,
//                                                                distances: Float64Array}, transferred
//     {type:'ranks', job, ranks:[Uint32Array]}                   one per list, transferred
//     {type:'candidates', job, part: 0, slices, device, panels}  the GPU's lists (reply to 'gpu'), with
//                                                                the adapter and the panels of rows
//     {type:'gpu-declined', job, reason, layer?}                 no usable GPU (layer: not for this
//                                                                layer's rows): run the WASM path
//     {type:'gpu-failed', job, message}                          the GPU failed mid-run: redo on WASM
//     {type:'error', job?, model, file, message}                 this request failed; worker fine
//     {type:'crash', message}                                    wasm trapped: terminate me
// Cancel is not a message: the page terminates this worker and starts a fresh one.

import * as wasm from './pkg/idscope.js';
import { wasmUrl } from './simd.js';
import { requestGpu } from './gpu.js';

let panicMessage = null;
self.idscopePanic = (message) => { panicMessage = message; };

const ready = wasm.default({ module_or_path: wasmUrl }).then(() => {
  self.postMessage({ type: 'ready', version: wasm.version() });
  return new wasm.Session();
});

let queue = Promise.resolve();
self.onmessage = (event) => {
  const msg = event.data;
  // Files named by URL start downloading at once, while the wasm module may still be compiling.
  const download = msg.type === 'open' && msg.urls ? Promise.all(msg.urls.map(fetchBlob)) : null;
  download?.catch(() => {}); // its failure is reported when open() awaits it, in queue order
  queue = queue.then(() => handle(msg, download)).catch((e) => crash(e));
};

ready.catch((e) => self.postMessage({ type: 'crash', message: `could not start the WebAssembly module: ${text(e)}` }));

async function handle(msg, download) {
  const session = await ready;
  switch (msg.type) {
    case 'open': return open(session, msg, download);
    case 'analyse': return analyse(session, msg);
    case 'candidates': return candidates(session, msg);
    case 'part': return part(session, msg);
    case 'ranks': return ranks(session, msg);
    case 'gpu': return gpuCandidates(session, msg);
    case 'close': return session.close(msg.model);
    case 'panic': return trap();
    default: throw new Error(`unknown message type ${msg.type}`);
  }
}

/** The test build's deliberate trap (`panicForTest`, feature `test-hooks`); the app's build has none. */
function trap() {
  if (!wasm.panicForTest) throw new Error('this build has no test hooks (scripts/build-test-pkg.sh)');
  wasm.panicForTest();
}

/** Opens a model from its files, or from `download` (the blobs of its URLs, already under way). */
async function open(session, msg, download) {
  let files = msg.files;
  try {
    if (download) files = await download;
  } catch (e) {
    self.postMessage({ type: 'error', model: msg.model, file: msg.names.join(', '), message: text(e) });
    return;
  }
  try {
    const info = session.open(msg.model, files, msg.names);
    self.postMessage({ type: 'opened', model: msg.model, info });
  } catch (e) {
    if (isTrap(e)) throw e;
    self.postMessage({ type: 'error', model: msg.model, file: e.file ?? msg.names.join(', '), message: text(e) });
  }
}

async function fetchBlob(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status} ${response.statusText}`);
  return response.blob();
}

/** A progress callback for request `msg` (as `part`), posting at most 20 reports a second; never cancels. */
function progressOf(msg, part) {
  let last = 0;
  return (fraction) => {
    const t = performance.now();
    if (t - last > 50) {
      last = t;
      self.postMessage({ type: 'progress', job: msg.job, part, fraction });
    }
    return true;
  };
}

/**
 * Runs `compute(progress)` and posts its reply, or an error naming the file. A request of a split
 * analysis (`split`) first loads its layer: read and deduplicated once, it stays loaded for this
 * worker's next request of the same analysis while `keep`, and is released after its last one
 * (or a failure).
 */
function run(session, msg, { split = false, keep = false }, compute, reply) {
  const start = now();
  const progress = progressOf(msg, msg.part);
  try {
    let loaded;
    if (split) {
      session.load(msg.model, msg.layer, msg.params);
      loaded = now();
    }
    const out = compute(progress);
    if (!keep) session.release();
    reply(out, msg.trace ? { start, loaded, end: now() } : undefined);
  } catch (e) {
    if (isTrap(e)) throw e;
    session.release();
    self.postMessage({ type: 'error', job: msg.job, model: msg.model, file: e.file ?? '', message: text(e) });
  }
}

function analyse(session, msg) {
  const nb = msg.neighbours;
  run(session, msg, { split: Boolean(nb) }, (progress) => (nb
    ? session.analyseWithNeighbours(msg.model, msg.layer, msg.params, nb, progress)
    : session.analyse(msg.model, msg.layer, msg.params, progress)),
  (result, span) => self.postMessage({ type: 'layer', job: msg.job, model: msg.model, layer: msg.layer, result, span }));
}

function candidates(session, msg) {
  run(session, msg, { split: true, keep: true }, (progress) => session.candidatesPart(msg.model, msg.layer, msg.params, msg.part, msg.parts, progress),
    (slices, span) => self.postMessage({ type: 'candidates', job: msg.job, part: msg.part, slices, span },
      slices.flatMap((s) => [s.indices.buffer, s.approx.buffer])));
}

function part(session, msg) {
  run(session, msg, { split: true, keep: msg.keep }, (progress) => session.neighboursPart(msg.model, msg.layer, msg.params, msg.candidates, progress),
    (neighbours, span) => self.postMessage({ type: 'part', job: msg.job, part: msg.part, neighbours, span },
      [neighbours.indices.buffer, neighbours.distances.buffer]));
}

function ranks(session, msg) {
  run(session, msg, {}, (progress) => session.ranks(msg.model, msg.layer, msg.params, msg.lists, progress),
    (lists, span) => self.postMessage({ type: 'ranks', job: msg.job, ranks: lists, span }, lists.map((l) => l.buffer)));
}

/** The GPU this worker chose (a promise of {gpu, calibration?} or {reason}), asked once per mode. */
let chosen = null;

/**
 * The GPU for `options` ({mode, binding}): any adapter in 'on' mode; in 'auto' mode only a real
 * one, with its calibration: the seconds of the kernel and of this worker's WASM phase 1 on the
 * same rows ({gpu, worker}), which `slower` weighs per layer.
 */
function chooseGpu(options) {
  if (chosen?.mode === options.mode) return chosen.promise;
  const promise = requestGpu({ force: options.mode === 'on', binding: options.binding }).then(async (r) => {
    if (!r.gpu || options.mode === 'on') return r;
    const rows = wasm.calibrationRows(2048, 256, 10);
    const gpu = await r.gpu.seconds(rows, wasm.gpuPlan(rows.n, rows.stride, rows.m, r.gpu.binding), wasm.gpuShader());
    return { ...r, calibration: { gpu, worker: rows.seconds } };
  }).catch((e) => ({ reason: `the GPU could not be set up: ${text(e)}` }));
  chosen = { mode: options.mode, promise };
  return promise;
}

/**
 * Why a calibrated GPU is not used for a search the WASM path would run on `workers` workers
 * (one for a streamed layer): it was not faster than they would be together. Null where it was.
 */
function slower({ gpu, calibration }, workers) {
  if (!calibration) return null;
  const wasmSeconds = calibration.worker / Math.max(1, workers);
  if (calibration.gpu < wasmSeconds) return null;
  const them = workers > 1 ? 'the WASM pool' : 'a WASM worker';
  return `the GPU (${gpu.label}) was slower than ${them} in calibration (${ms(calibration.gpu)} against ${ms(wasmSeconds)})`;
}

function ms(seconds) {
  return `${(seconds * 1000).toFixed(1)} ms`;
}

/**
 * Phase 1 of a layer's search on the GPU: its rows prepared by the core, the kernel's lists
 * checked and cut by the core for phase 2 (the layer stays loaded for this worker's row part).
 * No usable GPU: 'gpu-declined'; a failure on the way (lost device, refused work, unusable
 * lists): 'gpu-failed', and this worker asks for a fresh device next time.
 */
async function gpuCandidates(session, msg) {
  const start = now();
  const choice = await chooseGpu(msg.gpu);
  const { gpu } = choice;
  const reason = choice.reason ?? slower(choice, msg.streamed ? 1 : msg.gpu.workers);
  if (reason) {
    self.postMessage({ type: 'gpu-declined', job: msg.job, reason });
    return;
  }
  if (msg.streamed) {
    await gpuStreamed(session, msg, gpu, start);
    return;
  }
  const progress = progressOf(msg, 0);
  let rows;
  let loaded;
  try {
    session.load(msg.model, msg.layer, msg.params);
    loaded = now();
    rows = session.deviceRows(msg.model, msg.layer, msg.params);
  } catch (e) {
    // The layer itself (a reading or data error, or values beyond the kernel's f32 range): the
    // WASM path takes this layer, and says what is wrong with it if anything.
    if (isTrap(e)) throw e;
    session.release();
    self.postMessage({ type: 'gpu-declined', job: msg.job, reason: text(e), layer: true });
    return;
  }
  try {
    const plan = wasm.gpuPlan(rows.n, rows.stride, rows.m, gpu.binding);
    const lists = await gpu.candidates(rows, plan, wasm.gpuShader(), progress, { lose: msg.gpu.lose });
    const slices = wasm.deviceLists(rows.n, rows.m, lists.indices, lists.approx, msg.slices);
    const span = msg.trace ? { start, loaded, end: now() } : undefined;
    self.postMessage({ type: 'candidates', job: msg.job, part: 0, slices, device: gpu.label, panels: plan.panels.length, span },
      slices.flatMap((s) => [s.indices.buffer, s.approx.buffer]));
  } catch (e) {
    if (isTrap(e)) throw e;
    session.release();
    chosen = null;
    self.postMessage({ type: 'gpu-failed', job: msg.job, message: text(e) });
  }
}

/**
 * A streamed layer with its Gram pass on the GPU: pass 0 and the passes after the Gram in the
 * core, the chunks' dot products on the device. A failure of the layer itself (reading, its data)
 * in pass 0 declines the GPU, so the WASM path reports it; one while the chunks are read is the
 * layer's error; a GPU failure, or products off the WGSL bound, is 'gpu-failed'.
 */
async function gpuStreamed(session, msg, gpu, start) {
  const progress = progressOf(msg);
  const stage = (f0, f1) => (f) => progress(f0 + (f1 - f0) * f);
  const fail = (e) => {
    if (isTrap(e)) throw e;
    session.release();
    if (e.layer) {
      self.postMessage({ type: 'error', job: msg.job, model: msg.model, file: e.file ?? '', message: text(e) });
    } else {
      chosen = null;
      self.postMessage({ type: 'gpu-failed', job: msg.job, message: text(e) });
    }
  };
  let info;
  try {
    info = session.streamBegin(msg.model, msg.layer, msg.params, stage(0, 0.1));
  } catch (e) {
    if (isTrap(e)) throw e;
    session.release();
    self.postMessage({ type: 'gpu-declined', job: msg.job, reason: text(e), layer: true });
    return;
  }
  const chunk = (piece) => () => {
    try {
      return session.streamChunk(piece);
    } catch (e) {
      e.layer = !isTrap(e);
      throw e;
    }
  };
  let plan;
  try {
    plan = wasm.gpuGramPlan(info.n, info.cols, gpu.binding);
    await gpu.gram(plan, wasm.gpuGramShader(), info.chunks, chunk(plan.piece), (at, band) => session.streamGram(at, band),
      stage(0.1, 0.7), { lose: msg.gpu.lose });
  } catch (e) {
    fail(e);
    return;
  }
  try {
    const result = session.streamFinish(msg.model, msg.layer, msg.params, stage(0.7, 1));
    const span = msg.trace ? { start, end: now() } : undefined;
    self.postMessage({ type: 'layer', job: msg.job, model: msg.model, layer: msg.layer, result, device: gpu.label, bands: plan.bands.length, span });
  } catch (e) {
    e.layer = !e.gpu;
    fail(e);
  }
}

/** Milliseconds since the epoch, comparable across the page and its workers (traces). */
function now() {
  return performance.timeOrigin + performance.now();
}

function isTrap(e) {
  return e instanceof WebAssembly.RuntimeError || panicMessage !== null;
}

function crash(e) {
  self.postMessage({ type: 'crash', message: panicMessage ?? text(e) });
}

function text(e) {
  return e instanceof Error ? e.message : String(e);
}
