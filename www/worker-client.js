// The page's side of the worker bridge (protocol: see worker.js). Owns one worker at a time:
// cancel or a trap terminates it, and the next request starts a fresh one that first re-opens
// every model the page still holds (File objects and URLs are kept here), so nothing already
// loaded or computed is lost.

export class WorkerClient {
  /** @param {URL} url  @param {object} on  handlers: opened, layer, progress, error, crash, ready */
  constructor(url, on) {
    this.url = url;
    this.on = on;
    this.worker = null;
    this.opens = new Map(); // model id → its 'open' message, replayed on restart
    this.known = new Set(); // models whose 'opened' the page has seen
    this.job = null; // the analyse request in flight
  }

  open(msg) {
    this.opens.set(msg.model, msg);
    this.#post(msg);
  }

  close(model) {
    this.opens.delete(model);
    this.known.delete(model);
    if (this.worker) this.worker.postMessage({ type: 'close', model });
  }

  analyse(job) {
    this.job = job;
    this.#post({ type: 'analyse', ...job });
  }

  get busy() {
    return this.job !== null;
  }

  /** Terminates the worker (Cancel); the next request starts a fresh one. */
  cancel() {
    const job = this.job;
    this.#stop();
    return job;
  }

  /** Tests only: make the wasm trap. */
  panic() {
    this.#post({ type: 'panic' });
  }

  #stop() {
    if (this.worker) this.worker.terminate();
    this.worker = null;
    this.job = null;
  }

  #post(msg) {
    if (!this.worker) this.#start(msg.type === 'open' ? msg.model : null);
    this.worker.postMessage(msg);
  }

  #start(skip) {
    const w = new Worker(this.url, { type: 'module' });
    w.onmessage = (e) => this.#receive(w, e.data);
    w.onerror = (e) => {
      e.preventDefault();
      this.#crash(w, e.message || 'the worker failed to start');
    };
    w.onmessageerror = () => this.#crash(w, 'a message from the worker could not be read');
    this.worker = w;
    for (const [model, msg] of this.opens) if (model !== skip) w.postMessage(msg);
  }

  #crash(w, message) {
    if (w !== this.worker) return;
    const job = this.job;
    // With no analysis in flight the trap came from opening a file: forget the models not yet
    // opened, or the fresh worker would replay them and trap again.
    const lost = job ? [] : [...this.opens.keys()].filter((m) => !this.known.has(m));
    for (const m of lost) this.opens.delete(m);
    this.#stop();
    this.on.crash(message, job, lost);
  }

  #receive(w, msg) {
    if (w !== this.worker) return; // a terminated worker's last words
    switch (msg.type) {
      case 'ready': this.on.ready?.(msg.version); break;
      case 'opened':
        if (this.known.has(msg.model)) break; // replayed after a restart
        this.known.add(msg.model);
        this.on.opened(msg.model, msg.info);
        break;
      case 'progress': if (this.job && msg.job === this.job.job) this.on.progress(this.job, msg.fraction); break;
      case 'layer': {
        const job = this.job;
        this.job = null;
        this.on.layer(job, msg.result);
        break;
      }
      case 'error': {
        let job = null;
        if (msg.job !== undefined && this.job && msg.job === this.job.job) { job = this.job; this.job = null; }
        if (msg.job === undefined) this.opens.delete(msg.model);
        this.on.error(msg, job);
        break;
      }
      case 'crash': this.#crash(w, msg.message); break;
      default: break;
    }
  }
}
