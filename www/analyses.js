// The page's models as the multi-model analyses see them: which layers a model shows, the chart
// series of full results, and the input of the core's `compare` (src/compare/), which decides the
// rest (last hidden layer, accuracy points and fit, layer choices, the correlation table).

/** Positions (layer indices) a model shows, in display order. */
export const shown = (m) => m.order.filter((i) => !m.excluded.has(i));

/** Models that take part in the charts: not hidden and with something computed. */
export const plotted = (models) => models.filter((m) => !m.hidden && m.results.size);

const slims = new WeakMap();

/**
 * A layer result without its per-point arrays (μ, the fit's points, the kept neighbourhoods), which the multi-model charts
 * do not draw: handing them to the wasm on every redraw would only cost time. Cached, so the same
 * result always gives the same object (and unchanged charts are not redrawn).
 */
function slim(r) {
  if (!r) return null;
  if (!slims.has(r)) {
    const cut = (e) => ({ ...e, twonn: { ...e.twonn, mu: [], fit: { ...e.twonn.fit, points: [], discarded: [] } }, neighbourhood: null });
    slims.set(r, { ...cut(r), classes: (r.classes ?? []).map(cut) });
  }
  return slims.get(r);
}

/** Layer `i`'s whole-set result (slim), or with `full` with what the later passes (classes, surrogate) added. */
const resultAt = (m, i, full = false) => slim(m.results.get(i)?.[full ? 'full' : 'result']);

/** `[{model, layers: [LayerResult | null]}]` in display order, for `hunchback` (and `per_class`: `full`). */
export function depthSeries(models, full = false) {
  return plotted(models).map((m) => ({ model: m.name, layers: shown(m).map((i) => resultAt(m, i, full)) }));
}

/** The series of the models that have per-class results. */
export function perClassSeries(models) {
  return depthSeries(models, true).filter((s) => s.layers.some((l) => l?.classes?.length));
}

/**
 * The input of the core's `compare`: every model with its shown layers (slim full results: the
 * core reads only their IDs), the user's last hidden layer and accuracy, and the correlation's choice.
 */
export function compareInput(models, choice) {
  return {
    choice,
    models: models.map((m) => ({
      model: m.name,
      hidden: Boolean(m.hidden),
      last_hidden: m.info.layers[m.lastHidden]?.name ?? null,
      accuracy: Number.isFinite(m.accuracy?.value) ? m.accuracy : null,
      layers: shown(m).map((i) => ({ name: m.info.layers[i].name, result: resultAt(m, i, true) })),
    })),
  };
}

const bares = new WeakMap();

/** A layer result without its kept neighbourhoods (N·k indices), which the per-layer charts do not
 * read; cached like `slim`. */
export function bare(r) {
  if (!r?.neighbourhood) return r;
  if (!bares.has(r)) bares.set(r, { ...r, neighbourhood: null });
  return bares.get(r);
}

const typed = new WeakMap();

/** A kept neighbourhood's indices as one Uint32Array (converted once per list). */
function indicesOf(kept) {
  if (kept.indices instanceof Uint32Array) return kept.indices;
  if (!typed.has(kept)) typed.set(kept, Uint32Array.from(kept.indices));
  return typed.get(kept);
}

/**
 * The input of the core's `neighbourhoods`: the plotted models' shown layers (the points' rows,
 * χ with the labels, where their lists are) and every kept list concatenated into one Uint32Array,
 * which the wasm copies at once. `full`: the entries' results with every pass merged.
 */
export function neighbourhoodInput(models, seed) {
  const parts = [];
  let start = 0;
  const desc = plotted(models).map((m) => ({
    model: m.name,
    seed,
    layers: shown(m).map((i) => {
      const r = m.results.get(i)?.full;
      let kept = null;
      if (r?.neighbourhood?.indices?.length) {
        const a = indicesOf(r.neighbourhood);
        parts.push(a);
        kept = { k: r.neighbourhood.k, start, len: a.length, labels: r.neighbourhood.labels ?? null };
        start += a.length;
      }
      const layer = { name: m.info.layers[i].name, label_overlap: r?.overlap?.overlap ?? null, label_average: r?.overlap?.average ?? 'class', kept };
      // A layer not computed yet has no rows to compare (the key is left out: the core's default).
      if (r) layer.rows = { n_input: r.n_input, non_finite_dropped: r.non_finite_dropped, subsampled_out: r.subsampled_out, duplicates_dropped: r.duplicates?.dropped ?? 0 };
      return layer;
    }),
  }));
  const indices = new Uint32Array(start);
  let at = 0;
  for (const p of parts) { indices.set(p, at); at += p.length; }
  return { desc, indices };
}

/** Structural equality with identity short-cuts, so unchanged chart data is not redrawn. */
export function same(a, b) {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return Number.isNaN(a) && Number.isNaN(b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => same(a[k], b[k]));
}
