// The parameter form <-> the core's Params (JSON, defaults as in the paper). The page always asks
// for Gride, decimation and PC-ID, since it plots them; per-class estimates stay off.

export function readParams(form) {
  const f = new FormData(form);
  const num = (k) => Number(f.get(k));
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
    pc_id: true,
  };
}

export function writeParams(form, p) {
  const set = (k, v) => { if (v !== undefined && form.elements[k]) form.elements[k].value = v ?? ''; };
  set('mu_fraction', p.mu_fraction);
  set('repeats', p.repeats);
  set('seed', p.seed);
  set('duplicates', p.duplicates);
  set('metric', p.metric);
  set('max_points', p.max_points ?? '');
}

/** Results computed with equal keys are reused; any other change recomputes the layer. */
export const paramsKey = (p) => JSON.stringify(p);
