// The parameter form <-> the core's Params (JSON). Defaults come from the core (`pageParams`,
// Params::page in src/params.rs: the paper's, with Gride, decimation, PC-ID and the surrogate on);
// the form holds the ones a user sets. Which passes run with which params is the core's pass plan
// (src/analysis/passes.rs, through `plan` in app.js).

/** The form's params over `base` (the core's defaults: every field the form does not hold). */
export function readParams(form, base = {}) {
  const f = new FormData(form);
  const num = (k) => Number(f.get(k));
  const on = (k) => f.get(k) === 'on';
  const max = String(f.get('max_points') ?? '').trim();
  return {
    ...base,
    mu_fraction: num('mu_fraction'),
    repeats: num('repeats'),
    seed: num('seed'),
    duplicates: f.get('duplicates'),
    metric: f.get('metric'),
    max_points: max === '' ? null : Number(max),
    pc_id: on('pc_id'),
    surrogate: on('surrogate'),
    per_class: on('per_class'),
    // wasm memory per worker: a layer larger than this is streamed from its file (src/analysis/streamed/).
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
