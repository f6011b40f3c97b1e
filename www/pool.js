// A pool of compute workers (worker.js), each with its own WebAssembly instance: all cores of the
// machine without shared memory, so it needs no special headers (no COOP/COEP). The pool only
// starts, feeds and stops the workers; worker-client.js decides what each one computes.

/** Most workers started, whatever the machine reports: more rarely pays for their memory. */
export const MAX_WORKERS = 8;

/**
 * Multiply-adds (N²·D) below which a layer stays on one worker: splitting a small layer costs
 * every worker a read of it and buys little (the demo's layers are about 2·10⁸).
 */
export const MIN_SPLIT = 1e9;

/**
 * The pool's size and split threshold: `?workers=N` in the page's URL (1…16, for tests and
 * comparisons) splits every layer over N workers; otherwise one worker per logical core as the
 * browser reports it (at most MAX_WORKERS, at least 1), splitting layers of MIN_SPLIT or more.
 */
export function poolOptions(search = globalThis.location?.search ?? '', cores = globalThis.navigator?.hardwareConcurrency) {
  const asked = Number(new URLSearchParams(search).get('workers'));
  if (Number.isInteger(asked) && asked >= 1) return { size: Math.min(asked, 16), minSplit: 0 };
  return { size: Math.max(1, Math.min(Number(cores) || 1, MAX_WORKERS)), minSplit: MIN_SPLIT };
}

export class Pool {
  /**
   * @param {URL} url  the worker module
   * @param {number} size  workers per start
   * @param {{message: (i: number, msg: object) => void, fail: (i: number, text: string) => void}} on
   */
  constructor(url, size, on) {
    this.url = url;
    this.size = size;
    this.on = on;
    this.workers = [];
  }

  get started() {
    return this.workers.length > 0;
  }

  /**
   * Starts workers up to `count` (worker 0 first; the others when a layer is first split, so a
   * page that never splits pays for one) and posts each new one the `replay` messages first
   * (the models to re-open).
   */
  start(replay, count = this.size) {
    for (let i = this.workers.length; i < Math.min(count, this.size); i += 1) {
      const w = new Worker(this.url, { type: 'module' });
      w.onmessage = (e) => { if (this.workers[i] === w) this.on.message(i, e.data); };
      w.onerror = (e) => {
        e.preventDefault();
        if (this.workers[i] === w) this.on.fail(i, e.message || 'the worker failed to start');
      };
      w.onmessageerror = () => { if (this.workers[i] === w) this.on.fail(i, 'a message from the worker could not be read'); };
      for (const msg of replay) w.postMessage(msg);
      this.workers.push(w);
    }
  }

  post(i, msg, transfer = []) {
    this.workers[i].postMessage(msg, transfer);
  }

  broadcast(msg) {
    for (const w of this.workers) w.postMessage(msg);
  }

  /** Terminates every worker; their last messages are ignored. */
  stop() {
    for (const w of this.workers) w.terminate();
    this.workers = [];
  }
}

/**
 * Joins the neighbour lists of consecutive row parts ({k, indices, distances}, in part order)
 * into the whole layer's: the rows of each part follow the previous part's, as in one search.
 */
export function joinParts(parts) {
  const k = parts[0].k;
  const rows = parts.reduce((s, p) => s + p.indices.length, 0);
  const indices = new Uint32Array(rows);
  const distances = new Float64Array(rows);
  let at = 0;
  for (const p of parts) {
    if (p.k !== k) throw new Error(`neighbour parts disagree on k (${k} and ${p.k})`);
    indices.set(p.indices, at);
    distances.set(p.distances, at);
    at += p.indices.length;
  }
  return { k, indices, distances };
}
