// The WebGPU half of a neighbour search's phase 1, in a compute worker: the WGSL candidate kernel
// (src/knn/wgsl/candidates.wgsl) run over the dispatch plan the core makes (knn::wgsl::plan),
// the candidate lists kept on the device and read back per query panel; and for a streamed layer
// the Gram kernel (gram.wgsl, knn::wgsl::gram::plan), its packed triangle kept on the device
// across the column chunks and read back once. Both then go through the core's checks and its
// exact f64 passes, so the neighbours equal the WASM path's bit for bit.
// Written against the browser's own API rather than web-sys's unstable Gpu* bindings or the wgpu
// crate: this layer only creates buffers, dispatches and reads back, and the wasm modules stay
// as they are.

/** Why a GPU cannot be used, or the GPU: `{gpu}` or `{reason}`. */
export async function requestGpu({ force = false, binding = 0 } = {}) {
  const api = globalThis.navigator?.gpu;
  if (!api) return { reason: 'this browser offers no WebGPU' };
  // A core adapter; where there is none or it is a software fallback, a compatibility-mode one
  // (older GPUs, GL back ends such as ANGLE) if that one is real.
  const core = await api.requestAdapter();
  const compat = !core || isFallback(core) ? await api.requestAdapter({ featureLevel: 'compatibility' }) : null;
  const adapter = compat && (!core || !isFallback(compat)) ? compat : core;
  if (!adapter) return { reason: 'no WebGPU adapter is available' };
  const fallback = isFallback(adapter);
  const info = adapter.info ?? {};
  const named = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ') || 'unnamed adapter';
  const name = adapter === compat ? `${named}, compatibility mode` : named;
  if (fallback && !force) return { reason: `the only WebGPU adapter (${name}) is a software fallback` };
  // The kernels bind up to five storage buffers (compatibility mode grants four unless asked).
  const { maxStorageBufferBindingSize, maxBufferSize, maxStorageBuffersPerShaderStage } = adapter.limits;
  const device = await adapter.requestDevice({ requiredLimits: { maxStorageBufferBindingSize, maxBufferSize, maxStorageBuffersPerShaderStage } });
  const limit = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
  return { gpu: new Gpu(device, name, fallback, binding > 0 ? Math.min(binding, limit) : limit) };
}

function isFallback(adapter) {
  return Boolean(adapter.info?.isFallbackAdapter ?? adapter.isFallbackAdapter);
}

const STORAGE = 0x80; // GPUBufferUsage.STORAGE
const COPY_SRC = 0x04;
const COPY_DST = 0x08;
const MAP_READ = 0x01;
const UNIFORM = 0x40;
const EMPTY = 3.0e38; // knn::wgsl::EMPTY: an unused slot (WGSL may assume no infinities)

export class Gpu {
  constructor(device, name, fallback, binding) {
    this.device = device;
    this.name = name;
    this.fallback = fallback;
    /** Bytes one buffer may bind: the plan cuts the rows into panels that fit. */
    this.binding = binding;
    this.lost = null;
    this.pipelines = new Map(); // shader source → its compute pipeline
    /** Rejects when the device is lost, with the reason; raced against every wait. */
    this.gone = device.lost.then((i) => {
      this.lost = `the GPU device was lost (${i.reason ?? 'unknown'}${i.message ? `: ${i.message}` : ''})`;
      throw new Error(this.lost);
    });
    this.gone.catch(() => {}); // no unhandled rejection where nothing was waiting
  }

  /** Seconds of `candidates` on `rows` and `plan`, after one untimed run that compiles the pipeline. */
  async seconds(rows, plan, shader) {
    await this.candidates(rows, plan, shader);
    const t0 = performance.now();
    await this.candidates(rows, plan, shader);
    return (performance.now() - t0) / 1000;
  }

  /** The adapter, as the page names the path that ran. */
  get label() {
    return `${this.name}${this.fallback ? ' (fallback adapter)' : ''}`;
  }

  /**
   * Candidate lists of every row of `rows` ({n, stride, m, rows, norms}: Session.deviceRows) by the
   * `shader` over `plan` (gpuPlan): {indices: Uint32Array, approx: Float32Array}, n × m. Throws on
   * a lost device or any validation, out-of-memory or internal error. `lose` (tests): destroys
   * the device after the first dispatch.
   */
  async candidates(rows, plan, shader, progress = () => {}, { lose = false } = {}) {
    const { device } = this;
    const { n, stride, m } = rows;
    const pipeline = this.#pipeline(shader);
    const owned = [];
    const buffer = (size, usage, fill) => this.#buffer(owned, size, usage, fill);
    const upload = (data) => buffer(data.byteLength, STORAGE, (r) => new data.constructor(r).set(data));
    const indices = new Uint32Array(n * m);
    const approx = new Float32Array(n * m);
    try {
      const norms = await this.#checked(() => upload(rows.norms));
      const panels = await this.#checked(() => plan.panels.map((p) => upload(rows.rows.subarray(p.start * stride, p.end * stride))));
      const align = device.limits.minUniformBufferOffsetAlignment;
      let done = 0;
      for (const [q, panel] of plan.panels.entries()) {
        const mine = plan.dispatches.filter((d) => d.query === q);
        const slots = (panel.end - panel.start) * m * 4;
        const [bestD, bestI, params] = await this.#checked(() => [
          buffer(slots, STORAGE | COPY_SRC, (r) => new Float32Array(r).fill(EMPTY)),
          buffer(slots, STORAGE | COPY_SRC, (r) => new Uint32Array(r).fill(0xffffffff)),
          buffer(mine.length * align, UNIFORM, (r) => {
            for (const [i, d] of mine.entries()) {
              const c = plan.panels[d.candidates];
              new Uint32Array(r, i * align, 8).set([panel.start, panel.end - panel.start, c.start, c.end - c.start, stride / 4, m, d.tiles.start, d.tiles.end]);
            }
          }),
        ]);
        for (const [i, d] of mine.entries()) {
          const buffers = [panels[q], panels[d.candidates], norms, bestD, bestI];
          await this.#dispatch(pipeline, { buffer: params, offset: i * align, size: 32 }, buffers, [Math.ceil((panel.end - panel.start) / 32)]);
          if (lose) { lose = false; device.destroy(); }
          done += 1;
          progress(done / plan.dispatches.length);
        }
        const [d2, idx] = await this.#read(owned, [bestD, bestI], slots);
        approx.set(new Float32Array(d2), panel.start * m);
        indices.set(new Uint32Array(idx), panel.start * m);
        for (const b of [bestD, bestI, params]) b.destroy();
      }
    } finally {
      for (const b of owned) b.destroy();
    }
    return { indices, approx };
  }

  /**
   * A streamed layer's Gram pass by the `shader` over `plan` (gpuGramPlan): for each of `chunks`
   * column chunks, `chunk()` gives its pieces ([{stride, rows}]: Session.streamChunk), whose dot
   * products the kernel adds to the packed triangle's bands, kept on the device; then each band
   * is read back into `band(start, Float32Array)` (Session.streamGram). Throws as `candidates`.
   */
  async gram(plan, shader, chunks, chunk, band, progress = () => {}, { lose = false } = {}) {
    const { device } = this;
    const pipeline = this.#pipeline(shader);
    const owned = [];
    const buffer = (size, usage, fill) => this.#buffer(owned, size, usage, fill);
    const align = device.limits.minUniformBufferOffsetAlignment;
    const tiles = Math.ceil(plan.n / 32);
    const steps = plan.bands.flatMap((b, i) => b.dispatches.map((d) => ({ band: i, rows: b.rows, tiles: d })));
    try {
      const bands = await this.#checked(() => plan.bands.map((b) => buffer((b.entries.end - b.entries.start) * 4, STORAGE | COPY_SRC)));
      const params = await this.#checked(() => buffer(steps.length * align, UNIFORM | COPY_DST));
      for (let c = 0; c < chunks; c += 1) {
        for (const piece of chunk()) {
          const rows = await this.#checked(() => buffer(piece.rows.byteLength, STORAGE, (r) => new Float32Array(r).set(piece.rows)));
          const uniforms = new Uint32Array(steps.length * align / 4);
          for (const [i, s] of steps.entries()) uniforms.set([plan.n, piece.stride / 4, s.rows.start, s.rows.end, s.tiles.start], i * align / 4);
          device.queue.writeBuffer(params, 0, uniforms);
          for (const [i, s] of steps.entries()) {
            const groups = [s.tiles.end - s.tiles.start, tiles - s.tiles.start];
            await this.#dispatch(pipeline, { buffer: params, offset: i * align, size: 32 }, [rows, bands[s.band]], groups);
            if (lose) { lose = false; device.destroy(); }
          }
          rows.destroy();
        }
        progress((c + 1) / chunks);
      }
      for (const [i, b] of plan.bands.entries()) {
        const [entries] = await this.#read(owned, [bands[i]], (b.entries.end - b.entries.start) * 4);
        band(b.entries.start, new Float32Array(entries));
      }
    } finally {
      for (const b of owned) b.destroy();
    }
  }

  /** The compute pipeline of `shader` (entry point `main`), made once. */
  #pipeline(shader) {
    if (!this.pipelines.has(shader)) {
      const module = this.device.createShaderModule({ code: shader });
      this.pipelines.set(shader, this.device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } }));
    }
    return this.pipelines.get(shader);
  }

  /** A buffer of at least `size` bytes (rounded up to 16), noted in `owned`; `fill(range)` writes it at creation. */
  #buffer(owned, size, usage, fill = null) {
    const b = this.device.createBuffer({ size: Math.max(16, Math.ceil(size / 16) * 16), usage, mappedAtCreation: fill !== null });
    owned.push(b);
    if (fill) { fill(b.getMappedRange()); b.unmap(); }
    return b;
  }

  /** One dispatch of `pipeline` with `uniform` at binding 0 and `buffers` at 1, 2, …, waited for. */
  async #dispatch(pipeline, uniform, buffers, groups) {
    const { device } = this;
    await this.#checked(() => {
      const group = device.createBindGroup({
        layout: pipeline.getBindGroupLayout(0),
        entries: [{ binding: 0, resource: uniform }, ...buffers.map((buffer, i) => ({ binding: i + 1, resource: { buffer } }))],
      });
      const encoder = device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, group);
      pass.dispatchWorkgroups(...groups);
      pass.end();
      device.queue.submit([encoder.finish()]);
    });
    await this.#settled(device.queue.onSubmittedWorkDone());
  }

  /** The first `size` bytes of each of `sources`, read back (copies of the mapped ranges). */
  async #read(owned, sources, size) {
    const { device } = this;
    const reads = sources.map(() => this.#buffer(owned, size, MAP_READ | COPY_DST));
    await this.#checked(() => {
      const encoder = device.createCommandEncoder();
      sources.forEach((b, i) => encoder.copyBufferToBuffer(b, 0, reads[i], 0, size));
      device.queue.submit([encoder.finish()]);
    });
    await this.#settled(Promise.all(reads.map((r) => r.mapAsync(MAP_READ, 0, size))));
    const out = reads.map((r) => r.getMappedRange(0, size).slice(0));
    for (const r of reads) r.destroy();
    return out;
  }

  /** Runs `f` inside error scopes and throws the first validation, out-of-memory or internal error. */
  async #checked(f) {
    const { device } = this;
    if (this.lost) throw new Error(this.lost);
    for (const scope of ['internal', 'out-of-memory', 'validation']) device.pushErrorScope(scope);
    let out;
    try {
      out = f();
    } finally {
      const errors = await this.#settled(Promise.all([0, 1, 2].map(() => device.popErrorScope())));
      const error = errors.find(Boolean);
      if (error) throw new Error(`the GPU refused the work (${error.constructor?.name ?? 'error'}: ${error.message})`);
    }
    return out;
  }

  /** `promise`, or the device's loss if that comes first (a lost device never settles some). */
  async #settled(promise) {
    try {
      const out = await Promise.race([promise, this.gone]);
      if (this.lost) throw new Error(this.lost);
      return out;
    } catch (e) {
      throw this.lost ? new Error(this.lost) : e; // a failed mapAsync on a lost device says why
    }
  }
}
