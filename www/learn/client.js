// The page's side of www/learn/worker.js: at most one request in flight and, per type, only the
// latest waiting one (a slider dragged across ten values computes the first and the last, never a
// backlog). A trapped worker is reported and replaced.

import { workerUrl } from '../simd.js';

const PRIORITY = ['compute', 'readout', 'scales'];

export class LessonClient {
  /** @param {(msg: object) => void} onReply  every reply except 'ready' and 'crash' */
  constructor(onReply, onCrash) {
    this.onReply = onReply;
    this.onCrash = onCrash;
    this.waiting = new Map(); // type → latest request not yet sent
    this.inFlight = null;
    this.job = 0;
    this.#start();
  }

  #start() {
    this.worker = new Worker(workerUrl(new URL('./worker.js', import.meta.url)), { type: 'module' });
    this.worker.onmessage = (e) => this.#receive(e.data);
    this.worker.onerror = (e) => this.#crash(e.message || 'the worker failed to load');
  }

  /** Queues `msg` ({type, …}), replacing an unsent request of the same type; returns its job number. */
  send(msg) {
    this.job += 1;
    this.waiting.set(msg.type, { ...msg, job: this.job });
    this.#pump();
    return this.job;
  }

  get busy() {
    return this.inFlight !== null || this.waiting.size > 0;
  }

  #pump() {
    if (this.inFlight !== null || this.waiting.size === 0) return;
    // A new cloud first (other requests may concern the old one), then what the pointer asks.
    const type = PRIORITY.find((t) => this.waiting.has(t)) ?? this.waiting.keys().next().value;
    const msg = this.waiting.get(type);
    this.waiting.delete(type);
    this.inFlight = msg;
    this.worker.postMessage(msg);
  }

  #receive(msg) {
    if (msg.type === 'ready') return;
    if (msg.type === 'crash') { this.#crash(msg.message); return; }
    this.inFlight = null;
    this.onReply(msg);
    this.#pump();
  }

  #crash(message) {
    this.worker.terminate();
    this.inFlight = null;
    this.waiting.clear();
    this.onCrash(message);
    this.#start();
  }
}
