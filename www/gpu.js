// The WebGPU half of a neighbour search's phase 1, in a compute worker: the WGSL candidate kernel
// (src/knn/wgsl/candidates.wgsl) run over the dispatch plan the core makes (knn::wgsl::plan),
// the candidate lists kept on the device and read back per query panel. The lists then go through
// the core's check and its exact f64 phase 2, so the neighbours equal the WASM path's bit for bit.
// Written against the browser's own API rather than web-sys's unstable Gpu* bindings or the wgpu
// crate: this layer only creates buffers, dispatches and reads back, and the wasm modules stay
// as they are.

/** Why a GPU cannot be used, or the GPU: `{gpu}` or `{reason}`. */
export async function requestGpu({ force = false, binding = 0 } = {}) {
  const api = globalThis.navigator?.gpu;
  if (!api) return { reason: 'this browser offers no WebGPU' };
  // A core adapter, else a compatibility-mode one (older GPUs, GL back ends such as ANGLE).
  const adapter = (await api.requestAdapter()) ?? (await api.requestAdapter({ featureLevel: 'compatibility' }));
  if (!adapter) return { reason: 'no WebGPU adapter is available' };
  const info = adapter.info ?? {};
  const fallback = Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter);
  const name = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ') || 'unnamed adapter';
  if (fallback && !force) return { reason: `the only WebGPU adapter (${name}) is a software fallback` };
  const { maxStorageBufferBindingSize, maxBufferSize } = adapter.limits;
  const device = await adapter.requestDevice({ requiredLimits: { maxStorageBufferBindingSize, maxBufferSize } });
  const limit = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
  return { gpu: new Gpu(device, name, fallback, binding > 0 ? Math.min(binding, limit) : limit) };
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
    this.pipeline = null;
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
    this.pipeline ??= device.createComputePipeline({ layout: 'auto', compute: { module: device.createShaderModule({ code: shader }), entryPoint: 'main' } });
    const owned = [];
    const buffer = (size, usage, fill = null) => {
      const b = device.createBuffer({ size: Math.max(16, Math.ceil(size / 16) * 16), usage, mappedAtCreation: fill !== null });
      owned.push(b);
      if (fill) { fill(b.getMappedRange()); b.unmap(); }
      return b;
    };
    const upload = (data, usage = STORAGE) => buffer(data.byteLength, usage, (r) => new data.constructor(r).set(data));
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
          await this.#checked(() => {
            const group = device.createBindGroup({
              layout: this.pipeline.getBindGroupLayout(0),
              entries: [
                { binding: 0, resource: { buffer: params, offset: i * align, size: 32 } },
                { binding: 1, resource: { buffer: panels[q] } },
                { binding: 2, resource: { buffer: panels[d.candidates] } },
                { binding: 3, resource: { buffer: norms } },
                { binding: 4, resource: { buffer: bestD } },
                { binding: 5, resource: { buffer: bestI } },
              ],
            });
            const encoder = device.createCommandEncoder();
            const pass = encoder.beginComputePass();
            pass.setPipeline(this.pipeline);
            pass.setBindGroup(0, group);
            pass.dispatchWorkgroups(Math.ceil((panel.end - panel.start) / 32));
            pass.end();
            device.queue.submit([encoder.finish()]);
          });
          await this.#settled(device.queue.onSubmittedWorkDone());
          if (lose) { lose = false; device.destroy(); }
          done += 1;
          progress(done / plan.dispatches.length);
        }
        const readD = buffer(slots, MAP_READ | COPY_DST);
        const readI = buffer(slots, MAP_READ | COPY_DST);
        await this.#checked(() => {
          const encoder = device.createCommandEncoder();
          encoder.copyBufferToBuffer(bestD, 0, readD, 0, slots);
          encoder.copyBufferToBuffer(bestI, 0, readI, 0, slots);
          device.queue.submit([encoder.finish()]);
        });
        await this.#settled(Promise.all([readD.mapAsync(MAP_READ, 0, slots), readI.mapAsync(MAP_READ, 0, slots)]));
        approx.set(new Float32Array(readD.getMappedRange(0, slots)), panel.start * m);
        indices.set(new Uint32Array(readI.getMappedRange(0, slots)), panel.start * m);
        for (const b of [bestD, bestI, params, readD, readI]) b.destroy();
      }
    } finally {
      for (const b of owned) b.destroy();
    }
    return { indices, approx };
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
