// The parameter form <-> the core's Params (JSON, defaults as in the paper). The page always asks
// for Gride and decimation, since it plots them; PC-ID, the Gaussian surrogate and per-class
// estimates are checkboxes. A layer's whole-set estimates come in two passes, the quick one first
// (quickParams, then scaleParams); the surrogate (for the selected layer) and the per-class
// estimates run as later, lighter passes; each later pass's results join the first's.

export function readParams(form) {
  const f = new FormData(form);
  const num = (k) => Number(f.get(k));
  const on = (k) => f.get(k) === 'on';
  const max = String(f.get('max_points') ?? '').trim();
  return {
    mu_fraction: num('mu_fraction'),
    repeats: num('repeats'),
    seed: num('seed'),
    duplicates: f.get('duplicates'),
    metric: f.get('metric'),
    max_points: max === '' ? null : Number(max),
    gride: true,
    decimation: true,
    pc_id: on('pc_id'),
    surrogate: on('surrogate'),
    per_class: on('per_class'),
    // wasm memory per worker: a layer larger than this is streamed from its file (src/streamed/).
    memory_limit_mb: MEMORY_LIMIT_MB,
  };
}

/**
 * The page's budget for one layer in a worker's wasm memory (MiB): 1024, or `?memory=MB` (a
 * smaller device, or to try the streamed path on a small file).
 */
export const MEMORY_LIMIT_MB = Number(new URLSearchParams(globalThis.location?.search).get('memory')) || 1024;

export function writeParams(form, p) {
  const set = (k, v) => { if (v !== undefined && form.elements[k]) form.elements[k].value = v ?? ''; };
  const check = (k, v) => { if (typeof v === 'boolean' && form.elements[k]) form.elements[k].checked = v; };
  set('mu_fraction', p.mu_fraction);
  set('repeats', p.repeats);
  set('seed', p.seed);
  set('duplicates', p.duplicates);
  set('metric', p.metric);
  set('max_points', p.max_points ?? '');
  for (const k of ['pc_id', 'surrogate', 'per_class']) check(k, p[k]);
}

/** The whole-set estimates: every estimate on all of a layer's points, no classes, no surrogate. */
export const baseParams = (p) => ({ ...p, per_class: false, surrogate: false });

/**
 * A layer's first pass: TwoNN (ML, fit, μ) from one short neighbour search, which is all the first
 * plots need (the hunchback, μ, the CDF fit); the costly rest is the scale pass's.
 */
export const quickParams = (p) => ({ ...baseParams(p), repeats: 0, gride: false, decimation: false, pc_id: false });

/**
 * The second pass, with what the first left out: Gride (its longer neighbour lists), the repeats'
 * error bars, the decimation and PC-ID. Its TwoNN equals the first pass's (the search is exact).
 */
export const scaleParams = baseParams;

/** The surrogate pass: only the decimation of a Gaussian with the layer's covariance. */
export const surrogateParams = (p) => ({ ...p, repeats: 0, gride: false, decimation: false, pc_id: false, per_class: false, surrogate: true });

/**
 * The per-class pass: the TwoNN estimates (with the same repeats, fraction, seed, metric) on each
 * class's points, which is what the per-class charts plot; Gride, decimation, PC-ID and the
 * surrogate stay off there, since with ten classes they would cost ten times the whole-set pass.
 */
export const classParams = (p) => ({ ...p, per_class: true, gride: false, decimation: false, pc_id: false, surrogate: false });

/** Results computed with equal keys are reused; any other change recomputes the layer. */
export const paramsKey = (p) => JSON.stringify(p);
