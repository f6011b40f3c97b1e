// The wasm build in Node, one instance, through the worker's own entry (Session.open/analyse;
// scripts/bench/node-wasm.mjs: Blobs and FileReaderSync as the worker has them).
// `--relaxed` loads the relaxed-SIMD build (Node 20 needs --experimental-wasm-relaxed-simd).
//   node scripts/bench/wasm-node.mjs [--relaxed] FILE.npy '{"repeats":0}'  → one JSON line on stdout
//   node scripts/bench/wasm-node.mjs [--relaxed] --peak N D                  → SIMD peaks and Gram GFLOP/s
//   node scripts/bench/wasm-node.mjs [--relaxed] --neighbours FILE.npy       → the build's kernel, the
//     layer's neighbour lists (Gride's k; one part of the pool's phases 1 and 2) and its analysis

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BufferBlob, loadWasm } from './node-wasm.mjs';

const args = process.argv.slice(2);
const relaxed = args[0] === '--relaxed';
if (relaxed) args.shift();
const mod = await loadWasm(relaxed);

if (args[0] === '--peak') {
  const [n, d] = args.slice(1).map(Number);
  // The kernel's bench exports exist from the `kernel` work on; without them, say so.
  const out = typeof mod.simdPeakGflops === 'function'
    ? { kernel: mod.gramKernel(), peak: mod.simdPeakGflops(1.0), unfused: mod.unfusedPeakGflops(1.0), gram: mod.gramGflops(n, d, 1.0) }
    : { peak: null, gram: null };
  console.log(JSON.stringify(out));
} else if (args[0] === '--neighbours') {
  const file = args[1];
  const params = { repeats: 0, gride: true, decimation: false, pc_id: false, surrogate: false, per_class: false };
  const session = new mod.Session();
  session.open(1, [new BufferBlob(readFileSync(file))], [path.basename(file)]);
  const slices = session.candidatesPart(1, 0, params, 0, 1, () => true);
  const nb = session.neighboursPart(1, 0, params, slices, () => true);
  const { seconds, ...analysis } = session.analyse(1, 0, params, () => true);
  console.log(JSON.stringify({ kernel: mod.gramKernel(), k: nb.k, indices: [...nb.indices], distances: [...nb.distances], analysis }));
} else {
  const [file, paramsJson] = args;
  const session = new mod.Session();
  const t0 = performance.now();
  session.open(1, [new BufferBlob(readFileSync(file))], [path.basename(file)]);
  const [t1, c1] = [performance.now(), process.cpuUsage()];
  const r = session.analyse(1, 0, JSON.parse(paramsJson ?? '{}'), () => true);
  const [wall, cpu] = [(performance.now() - t1) / 1000, process.cpuUsage(c1)];
  console.log(JSON.stringify({ fit: r.twonn.fit.id, ml: r.twonn.ml.id, seconds: wall, cpu: (cpu.user + cpu.system) / 1e6, open: (t1 - t0) / 1000 }));
}
