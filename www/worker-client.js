// The page's side of the workers (protocol: see worker.js). A pool (pool.js) of one worker per
// core: a big layer's neighbour search runs in two phases on every worker. Phase 1 splits the
// Gram's tiles (each worker returns candidate lists of all rows, cut into one row slice per
// worker); phase 2 gives worker q slice q of every phase-1 reply, and it returns the exact
// neighbours of those rows. The row parts are joined here and handed to worker 0, which finishes
// the layer's estimates from them. The result is exactly that of one worker. Cancel or a trap in any worker terminates them all, and the next
// request starts fresh ones that first re-open every model the page still holds (File objects and
// URLs are kept here), so nothing already loaded or computed is lost.

import { Pool, joinParts, poolOptions } from './pool.js';

/**
 * The GPU's options from the page's URL: `?gpu=1` always runs phase 1 on WebGPU where an adapter
 * exists (a fallback adapter too), `?gpu=0` never; otherwise ('auto') a real adapter is used
 * when a calibration shows it faster than the pool, for layers big enough to split.
 * `?gpulimit=BYTES` caps the bytes per buffer (tests: a layer larger than the binding limit);
 * `?gpulose=1` destroys the device after the first dispatch (tests: the fallback).
 */
export function gpuOptions(search = globalThis.location?.search ?? '') {
  const q = new URLSearchParams(search);
  const mode = { 1: 'on', 0: 'off' }[q.get('gpu')] ?? 'auto';
  return { mode, binding: Number(q.get('gpulimit')) || 0, lose: q.get('gpulose') === '1' };
}

export class WorkerClient {
  /**
   * @param {URL} url  @param {object} on  handlers: opened, layer, ranks, progress, error, crash, ready,
   *   path (which path a search takes), notice (the GPU failed and the layer was redone)
   * @param {{size: number, minSplit: number}} options  workers, and the smallest layer split
   *   (N²·D); default poolOptions(): one worker per core, or ?workers=N
   * @param {{mode: string, binding: number, lose: boolean}} gpu  default gpuOptions(): ?gpu=
   */
  constructor(url, on, { size, minSplit } = poolOptions(), gpu = gpuOptions()) {
    this.on = on;
    this.minSplit = minSplit;
    this.gpu = gpu;
    // Why phase 1 runs on the WASM pool instead of the GPU, once the GPU was declined or failed.
    this.gpuOff = gpu.mode === 'off' ? 'the page was opened with ?gpu=0' : null;
    this.paths = new Map(); // path shown → searches that took it (tests, the bench)
    this.pool = new Pool(url, size, { message: (i, msg) => this.#receive(i, msg), fail: (_, text) => this.#crash(text) });
    this.shapes = new Map(); // model id → {rows, cols} of each layer, from 'opened'

    this.opens = new Map(); // model id → its 'open' message, replayed on restart
    this.known = new Set(); // models whose 'opened' the page has seen
    this.job = null; // the analyse request in flight
    this.parts = null; // while the parts of its neighbour search run: {phase, lists, fractions, left}
    this.joined = false; // whether worker 0 is finishing the job from the joined parts
    this.trace = null; // with job.trace: [{worker, phase, posted, start, end, received}], ms from the request
    // The first worker starts now: its module and wasm load while the page fetches what it will
    // ask for (after a cancel or a crash, workers start again on the next request).
    this.#start(1);
  }

  /** Workers per start. */
  get size() {
    return this.pool.size;
  }

  open(msg) {
    this.opens.set(msg.model, msg);
    if (this.pool.started) this.pool.broadcast(msg); else this.#start(1);
  }

  close(model) {
    this.opens.delete(model);
    this.known.delete(model);
    this.shapes.delete(model);
    if (this.pool.started) this.pool.broadcast({ type: 'close', model });
  }

  /** Analyses a layer; `noGpu`: why this layer's rows cannot go to the GPU (its search then runs on WASM). */
  analyse(job, noGpu = null) {
    this.#begin(job);
    const { rows = 0, cols = 0 } = this.shapes.get(job.model)?.[job.layer] ?? {};
    const n = Math.min(rows, job.params?.max_points ?? rows); // points after the subsample
    // A streamed layer (the pass plan's `streamed`: over the memory limit) is read by one worker,
    // which hands its Gram pass to the GPU where one is used.
    const big = n * n * cols >= this.minSplit;
    if (!this.gpuOff && !noGpu && (big || this.gpu.mode === 'on')) {
      this.#start(job.streamed ? 1 : this.pool.size);
      this.tag = `${job.job}/gpu`; // a redo on WASM ignores what this attempt's workers still send
      if (!job.streamed) this.#phase('candidates', 1);
      this.#post(0, { type: 'gpu', ...job, slices: this.pool.size, gpu: { ...this.gpu, workers: this.pool.size } });
      return;
    }
    const parts = !job.streamed && big ? this.pool.size : 1;
    this.path(job.streamed ? 'streamed' : `WebAssembly, ${parts} worker${parts > 1 ? 's' : ''}`, noGpu);
    this.#start(parts);
    if (parts === 1) {
      this.#post(0, { type: 'analyse', ...job });
      return;
    }
    this.#phase('candidates', parts);
    for (let part = 0; part < parts; part += 1) this.#post(part, { type: 'candidates', ...job, part, parts });
  }

  /** Tells the page which path the layer's neighbour search takes (`on.path`), and why not the GPU. */
  path(text, why = null) {
    const not = why ?? this.gpuOff;
    const shown = not && !text.startsWith('WebGPU') ? `${text} (not WebGPU: ${not})` : text;
    this.paths.set(shown, (this.paths.get(shown) ?? 0) + 1);
    this.on.path?.(this.job, shown);
  }

  /** A rank pass (`job.lists`: a Uint32Array per target layer), on one worker: the ranks come back whole. */
  rank(job) {
    this.#begin(job);
    this.#start(1);
    this.#post(0, { type: 'ranks', ...job }, job.lists.map((l) => l.buffer));
  }

  get busy() {
    return this.job !== null;
  }

  /** Terminates the workers (Cancel); the next request starts fresh ones. */
  cancel() {
    const job = this.job;
    this.#stop();
    return job;
  }

  /** Tests only: make the wasm trap in worker `i`. */
  panic(i = 0) {
    this.#start(i + 1);
    this.pool.post(i, { type: 'panic' });
  }

  /** Makes `job` the one in flight, with its trace and clock. */
  #begin(job) {
    this.job = job;
    this.tag = job.job; // the job id its requests carry
    this.trace = job.trace ? [] : null;
    this.t0 = now();
    this.joined = false;
  }

  /** Starts workers up to `count`, each re-opening the models first. */
  #start(count) {
    this.pool.start([...this.opens.values()], count);
  }

  #stop() {
    this.pool.stop();
    this.job = null;
    this.parts = null;
  }

  #crash(message) {
    const job = this.job;
    // With no analysis in flight the trap came from opening a file: forget the models not yet
    // opened, or the fresh workers would replay them and trap again.
    const lost = job ? [] : [...this.opens.keys()].filter((m) => !this.known.has(m));
    for (const m of lost) this.opens.delete(m);
    this.#stop();
    this.on.crash(message, job, lost);
  }

  /** Whether `msg` belongs to the analysis in flight. */
  #current(msg) {
    return this.job !== null && msg.job === this.tag;
  }

  #receive(i, msg) {
    if (this.trace && this.#current(msg) && msg.type !== 'progress') this.#traced(i, msg.span);
    switch (msg.type) {
      case 'ready':
        this.trace?.push({ worker: i, phase: 'ready', received: now() - this.t0 });
        if (i === 0) this.on.ready?.(msg.version);
        break;
      case 'opened':
        // Every worker opens every model; the page hears it once, from worker 0.
        if (i !== 0 || this.known.has(msg.model)) break; // or replayed after a restart
        this.known.add(msg.model);
        this.shapes.set(msg.model, msg.info.layers);
        this.on.opened(msg.model, msg.info);
        break;
      case 'progress': if (this.#current(msg)) this.on.progress(this.job, this.#fraction(msg)); break;
      case 'candidates': if (this.#current(msg) && this.parts?.phase === 'candidates') this.#candidates(msg); break;
      case 'part': if (this.#current(msg) && this.parts?.phase === 'part') this.#part(msg); break;
      case 'gpu-declined':
      case 'gpu-failed': if (this.#current(msg)) this.#noGpu(msg); break;
      case 'layer': {
        if (!this.#current(msg)) break;
        if (msg.device) this.path(`WebGPU, ${msg.device}, streamed${msg.bands > 1 ? `, ${msg.bands} bands` : ''}`);
        const job = this.job;
        this.job = null;
        this.on.layer(job, msg.result);
        break;
      }
      case 'ranks': {
        if (!this.#current(msg)) break;
        const job = this.job;
        this.job = null;
        this.on.ranks(job, msg.ranks);
        break;
      }
      case 'error': {
        if (msg.job !== undefined) {
          if (!this.#current(msg)) break; // another part of a job that already failed
          if (this.parts?.gpu) { this.#noGpu({ message: msg.message }); break; } // the GPU's lists failed phase 2's checks
          const job = this.job;
          this.job = null;
          this.parts = null;
          this.on.error(msg, job);
        } else if (i === 0) {
          this.opens.delete(msg.model);
          this.on.error(msg, null);
        }
        break;
      }
      case 'crash': this.#crash(msg.message); break;
      default: break;
    }
  }

  /** Overall progress: the tile parts' mean up to 0.45, the row parts' to one half, then worker
   * 0's estimates. */
  #fraction(msg) {
    if (msg.part === undefined || !this.parts) return this.joined ? Math.max(0.5, msg.fraction) : msg.fraction;
    const f = this.parts.fractions;
    f[msg.part] = msg.fraction;
    const mean = f.reduce((a, b) => a + b, 0) / f.length;
    return this.parts.phase === 'candidates' ? 0.45 * mean : 0.45 + 0.05 * mean;
  }

  /** Starts collecting the `parts` replies of phase `phase` ('candidates' or 'part'). */
  #phase(phase, parts) {
    this.parts = { phase, lists: new Array(parts), fractions: new Array(parts).fill(0), left: parts };
  }

  /** Stores part `msg.part`'s reply; whether every part has replied. */
  #collect(msg, reply) {
    const { lists } = this.parts;
    if (lists[msg.part] === undefined) this.parts.left -= 1;
    lists[msg.part] = reply;
    return this.parts.left === 0;
  }

  /**
   * The GPU could not run phase 1: the layer goes to the WASM pool, and so does every later one
   * (a failure mid-run is said in a message; a GPU declined only in the path shown).
   */
  #noGpu(msg) {
    const job = this.job;
    this.parts = null;
    if (msg.layer) {
      this.analyse(job, msg.reason);
      return;
    }
    this.gpuOff = msg.reason ?? `the GPU failed: ${msg.message}`;
    if (msg.message) this.on.notice?.(job, `the GPU search failed (${msg.message}); the layer was redone on the WebAssembly pool`);
    this.analyse(job);
  }

  /**
   * One tile part's candidate lists (or the GPU's, one part of one); with the last one, worker q
   * gets row slice q of each.
   */
  #candidates(msg) {
    if (!this.#collect(msg, msg.slices)) return;
    if (msg.device) this.path(`WebGPU, ${msg.device}${msg.panels > 1 ? `, ${msg.panels} panels` : ''}`);
    const { lists } = this.parts;
    const slices = lists[0].length;
    this.#phase('part', slices);
    this.parts.gpu = Boolean(msg.device);
    for (let q = 0; q < slices; q += 1) {
      const candidates = lists.map((slices) => slices[q]);
      this.#post(q, { type: 'part', ...this.job, part: q, candidates, keep: q === 0 }, candidates.flatMap((c) => [c.indices.buffer, c.approx.buffer]));
    }
  }

  /** One row part's lists; with the last one, worker 0 finishes the layer from the joined lists. */
  #part(msg) {
    if (!this.#collect(msg, msg.neighbours)) return;
    const { lists } = this.parts;
    this.parts = null;
    this.joined = true;
    const neighbours = joinParts(lists);
    this.#post(0, { type: 'analyse', ...this.job, neighbours }, [neighbours.indices.buffer, neighbours.distances.buffer]);
  }

  /** Posts request `msg` of the job in flight to worker `i`, noting it in the trace. */
  #post(i, msg, transfer = []) {
    this.trace?.push({ worker: i, phase: msg.type, posted: now() - this.t0 });
    this.pool.post(i, { ...msg, job: this.tag }, transfer);
  }

  /** Notes in the trace when worker `i` replied and when it computed (`span`, epoch ms). */
  #traced(i, span) {
    const entry = this.trace?.findLast((t) => t.worker === i && t.received === undefined);
    if (!entry) return;
    entry.received = now() - this.t0;
    if (span) Object.assign(entry, { start: span.start - this.t0, loaded: span.loaded && span.loaded - this.t0, end: span.end - this.t0 });
  }
}

/** Milliseconds since the epoch, comparable with the workers' (traces). */
function now() {
  return performance.timeOrigin + performance.now();
}
