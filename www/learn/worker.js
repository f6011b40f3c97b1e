// The Learn view's compute worker: generates the cloud and runs the wasm core on it (neighbours,
// TwoNN, Gride, decimation); answers Gride at another n and point read-outs from the cloud it
// keeps. Module worker, one request at a time, in arrival order.
//
//   page → worker
//     {type:'compute', job, key, manifold, points, noise, seed, n}   new cloud when `key` changed
//     {type:'scales', job, key}                                      Gride scales + decimation
//     {type:'readout', job, key, index, n}                           one point of cloud `key`
//     {type:'density', job, key, z}                                  its densities and peaks at Z
//   worker → page
//     {type:'ready'}
//     {type:'computed', job, key, data?, gride, ms}   data: {points: Float32Array, dim, trueId,
//                                                     result: LayerResult, labels: Uint32Array (each
//                                                     point's half), overlap: LabelOverlap} only for
//                                                     a new cloud
//   A reply for a cloud `key` the worker no longer holds carries null (the page asks again).
//     {type:'scales', job, key, result|null, ms}      the LayerResult with Gride and decimation
//     {type:'readout', job, key, readout|null}
//     {type:'density', job, key, density|null}        {d, z, log_den, centers, assignment, saddles}
//     {type:'error', job, message}                    this request failed; the worker is fine
//     {type:'crash', message}                         wasm trapped: terminate me

import init, { Lesson } from '../pkg/idscope.js';
import { wasmUrl } from '../simd.js';

let panicMessage = null;
self.idscopePanic = (message) => { panicMessage = message; };

let lesson = null;
let lessonKey = null;

const ready = init({ module_or_path: wasmUrl }).then(() => self.postMessage({ type: 'ready' }));
ready.catch((e) => self.postMessage({ type: 'crash', message: `could not start the WebAssembly module: ${text(e)}` }));

let queue = Promise.resolve();
self.onmessage = (event) => {
  queue = queue.then(() => ready).then(() => handle(event.data)).catch((e) => {
    if (e instanceof WebAssembly.RuntimeError || panicMessage !== null) {
      self.postMessage({ type: 'crash', message: panicMessage ?? text(e) });
    } else {
      self.postMessage({ type: 'error', job: event.data.job, message: text(e) });
    }
  });
};

function handle(msg) {
  const t0 = performance.now();
  if (msg.type === 'compute') {
    let data;
    if (lessonKey !== msg.key) {
      lesson?.free();
      lesson = null;
      lessonKey = null;
      lesson = new Lesson(msg.manifold, msg.points, msg.noise, msg.seed);
      lessonKey = msg.key;
      const points = new Float32Array(lesson.points());
      data = {
        points, dim: lesson.dim(), trueId: lesson.trueId(), result: lesson.result((performance.now() - t0) / 1000),
        labels: lesson.labels(), overlap: lesson.labelOverlap(),
      };
    }
    const gride = lesson.gride(Math.min(msg.n, lesson.maxOrder()));
    const ms = performance.now() - t0;
    self.postMessage({ type: 'computed', job: msg.job, key: msg.key, data, gride, ms }, data ? [data.points.buffer, data.labels.buffer] : []);
  } else if (msg.type === 'scales') {
    let result = null;
    if (lessonKey === msg.key) {
      lesson.addScales();
      result = lesson.result((performance.now() - t0) / 1000);
    }
    self.postMessage({ type: 'scales', job: msg.job, key: msg.key, result, ms: performance.now() - t0 });
  } else if (msg.type === 'readout') {
    const readout = lessonKey === msg.key ? lesson.readout(msg.index, Math.min(msg.n, lesson.maxOrder())) : null;
    self.postMessage({ type: 'readout', job: msg.job, key: msg.key, readout });
  } else if (msg.type === 'density') {
    const density = lessonKey === msg.key ? lesson.density(msg.z) : null;
    self.postMessage({ type: 'density', job: msg.job, key: msg.key, density });
  } else {
    throw new Error(`unknown message type ${msg.type}`);
  }
}

function text(e) {
  return e instanceof Error ? e.message : String(e);
}
