// The page's models as the multi-model analyses see them: which layers a model shows, the chart
// series of full results, and the input of the core's `compare` (src/compare/), which decides the
// rest (last hidden layer, accuracy points and fit, layer choices, the correlation table).

/** Positions (layer indices) a model shows, in display order. */
export const shown = (m) => m.order.filter((i) => !m.excluded.has(i));

/** Models that take part in the charts: not hidden and with something computed. */
export const plotted = (models) => models.filter((m) => !m.hidden && m.results.size);

const slims = new WeakMap();

/** A density profile without its per-point arrays (the nucleation charts read its peaks and agreement). */
const slimDensity = (d) => ({
  ...d, kstar: [], knn: [], kstar_nn: [], pak: { log_den: [], log_den_err: [] }, clusters: { ...d.clusters, assignment: [] },
});

/**
 * A layer result without its per-point arrays (μ, the fit's points, the kept neighbourhoods, the densities), which the multi-model charts
 * do not draw: handing them to the wasm on every redraw would only cost time. Cached, so the same
 * result always gives the same object (and unchanged charts are not redrawn).
 */
function slim(r) {
  if (!r) return null;
  if (!slims.has(r)) {
    const cut = (e) => ({
      ...e, twonn: { ...e.twonn, mu: [], fit: { ...e.twonn.fit, points: [], discarded: [] } }, neighbourhood: null, imbalance_ranks: undefined,
      density: e.density ? slimDensity(e.density) : null,
    });
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

/** A layer result without its kept neighbourhoods (N·k indices) and restored rank lists, which the
 * per-layer charts do not read; cached like `slim`. */
export function bare(r) {
  if (!r?.neighbourhood && !r?.imbalance_ranks) return r;
  if (!bares.has(r)) bares.set(r, { ...r, neighbourhood: null, imbalance_ranks: undefined });
  return bares.get(r);
}

const typed = new WeakMap();

/** A kept neighbourhood's indices as one Uint32Array (converted once per list). */
function indicesOf(kept) {
  if (kept.indices instanceof Uint32Array) return kept.indices;
  if (!typed.has(kept)) typed.set(kept, Uint32Array.from(kept.indices));
  return typed.get(kept);
}

/** A kept neighbourhood's error-bar subsets and further neighbours: its membership words, its
 * offsets, then its indices, as one Uint32Array (converted once). */
function deeperOf(deeper) {
  if (!typed.has(deeper)) {
    const { members, offsets, indices } = deeper;
    const out = new Uint32Array(members.length + offsets.length + indices.length);
    out.set(members, 0);
    out.set(offsets, members.length);
    out.set(indices, members.length + offsets.length);
    typed.set(deeper, out);
  }
  return typed.get(deeper);
}

/** Concatenates `parts` (Uint32Arrays) into one. */
function joined(parts) {
  const out = new Uint32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/**
 * The rank lists of model `m` between its shown layers, by display position, whose key is both
 * layers' result key (else they ranked other points): `[{layer, target, ranks}]`.
 */
function ranksOf(m, positions) {
  const out = [];
  for (const [layer, targets] of m.ranks) {
    const key = m.results.get(layer)?.key;
    if (!positions.has(layer) || key === undefined) continue;
    for (const [target, r] of targets) {
      if (positions.has(target) && r.key === key && m.results.get(target)?.key === key) {
        out.push({ layer: positions.get(layer), target: positions.get(target), ranks: r.ranks });
      }
    }
  }
  return out;
}

/**
 * The input of the core's `neighbourhoods`: the plotted models' shown layers (the points' rows,
 * χ with the labels, where their lists are, with the further ones for the error bars), their
 * rank lists, and every kept list and rank list
 * concatenated into one Uint32Array each, which the wasm copies at once; `ids`: the models' ids
 * in the order of `desc`.
 */
export function neighbourhoodInput(models, seed) {
  const parts = [];
  const rankParts = [];
  let start = 0;
  let rankStart = 0;
  const chosen = plotted(models);
  const desc = chosen.map((m) => {
    const order = shown(m);
    const layers = order.map((i) => {
      const r = m.results.get(i)?.full;
      let kept = null;
      const n = r?.neighbourhood;
      if (n?.indices?.length) {
        const a = indicesOf(n);
        parts.push(a);
        kept = { k: n.k, start, len: a.length, labels: n.labels ?? null, deeper: null };
        start += a.length;
        if (n.deeper) {
          const d = deeperOf(n.deeper);
          parts.push(d);
          const { repeats, fraction, k, members, offsets, indices } = n.deeper;
          kept.deeper = { repeats, fraction, k, start, members: members.length, offsets: offsets.length, len: indices.length };
          start += d.length;
        }
      }
      const o = r?.overlap;
      const layer = { name: m.info.layers[i].name, label_overlap: o?.overlap ?? null, label_average: o?.average ?? 'class', label_std: o?.repeats?.std ?? null, kept };
      // A layer not computed yet has no rows to compare (the key is left out: the core's default).
      if (r) layer.rows = { n_input: r.n_input, non_finite_dropped: r.non_finite_dropped, subsampled_out: r.subsampled_out, duplicates_dropped: r.duplicates?.dropped ?? 0 };
      return layer;
    });
    const ranks = ranksOf(m, new Map(order.map((i, pos) => [i, pos]))).map(({ layer, target, ranks: list }) => {
      rankParts.push(list);
      rankStart += list.length;
      return { layer, target, start: rankStart - list.length, len: list.length };
    });
    return { model: m.name, seed, layers, ranks };
  });
  return { desc, indices: joined(parts), ranks: joined(rankParts), ids: chosen.map((m) => m.id) };
}

/**
 * The rank passes the core asked for (`rank_passes`: model and layers by position in the input)
 * as the plan's requests: `[{model: id, layer: index, missing: [index]}]`.
 */
export function rankRequests(models, ids, passes) {
  return passes.flatMap((p) => {
    const m = models.find((x) => x.id === ids[p.model]);
    if (!m) return [];
    const order = shown(m);
    return [{ model: m.id, layer: order[p.layer], missing: p.missing.map((t) => order[t]) }];
  });
}

/** Each point's nearest neighbour in a layer's kept neighbourhoods (the first of its k): what a
 * rank pass ranks in another layer. */
export function nearestOf(kept) {
  const a = indicesOf(kept);
  const n = a.length / kept.k;
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i += 1) out[i] = a[i * kept.k];
  return out;
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
