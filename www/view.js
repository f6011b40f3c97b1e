// What the page shows, derived from the store's state (www/store.js) once per change: the
// effective parameters, the core's pass plan and comparison of the models, the selected layer,
// and every chart's data, subtitle, visibility and note, ready to draw. Pure: reads the state and
// the core's functions, changes nothing.

import * as views from './analyses.js';

/** Whether a model has labels, or per-class results (restored from a results file). */
const labelled = (m) => Boolean(m.info.labels) || [...m.results.values()].some((r) => r.full.classes?.length);

/** The layer the per-layer charts show: the clicked row, else the first computed layer of a shown model. */
function selectedLayer(s) {
  const owner = s.selected && s.models.find((m) => m.id === s.selected.model);
  const entry = owner?.results.get(s.selected.layer);
  if (entry) return { owner, index: s.selected.layer, ...entry };
  for (const m of views.plotted(s.models)) {
    const i = views.shown(m).find((j) => m.results.has(j));
    if (i !== undefined) return { owner: m, index: i, ...m.results.get(i) };
  }
  return null;
}

/** The pass plan's input: every model's shown layers with what has been computed for them. */
function planInput(s, params, sel) {
  const models = s.models.map((m) => ({
    id: m.id,
    restored: Boolean(m.restored),
    labelled: Boolean(m.info.labels),
    layers: views.shown(m).map((i) => {
      const r = m.results.get(i);
      return { index: i, memory_bytes: m.info.layers[i]?.memory_bytes ?? null, key: r?.key ?? null, extras: r?.extras ?? {} };
    }),
  }));
  return { params, models, selected: sel ? { model: sel.owner.id, layer: sel.index } : null };
}

const STREAMED = 'over the memory limit and read from its file in column chunks';

/** The notes under the surrogate, per-class and information-plane charts (by chart kind) when a layer they would need is streamed. */
function streamedNotes(s, params, sel, plan, ranks) {
  const isStreamed = new Set(plan.jobs.filter((j) => j.pass === 'base' && j.streamed).map((j) => `${j.model}:${j.layer}`));
  const streamed = (model, i) => isStreamed.has(`${model}:${i}`);
  const surrogate = params.surrogate && sel && streamed(sel.owner.id, sel.index)
    ? `No surrogate for ${sel.result.name}: the layer is ${STREAMED}, and a Gaussian surrogate would be as large as the layer.` : '';
  const names = (list) => `${list.join(', ')}: ${list.length > 1 ? 'these layers are' : 'the layer is'} ${STREAMED}`;
  const big = params.per_class ? s.models.filter((m) => m.info.labels).flatMap((m) => views.shown(m).filter((i) => streamed(m.id, i)).map((i) => m.info.layers[i].name)) : [];
  const perClass = big.length ? `No per-class estimates for ${names(big)}.` : '';
  const unranked = ranks.filter((r) => streamed(r.model, r.layer)).map((r) => s.models.find((m) => m.id === r.model).info.layers[r.layer].name);
  const plane = unranked.length ? `No imbalance ranked in ${names(unranked)}, and the exact rank pass needs its rows in memory.` : '';
  return { surrogate, per_class: perClass, information_plane: plane };
}

const g = (v) => (Number.isFinite(v) ? v.toPrecision(3) : '—');

/** The fit line's numbers under the accuracy chart (Pearson r with its p-value: Ansuini et al., Fig. 4). */
const accuracyNote = (f) => (f
  ? `n = ${f.n} models · slope ${g(f.slope)} · Pearson r = ${g(f.pearson_r)} (p = ${g(f.pearson_p)}) · Spearman ρ = ${g(f.spearman_rho)} (p = ${g(f.spearman_p)})${f.note ? ` · ${f.note}` : ''}`
  : '');

/**
 * The charts: kind → {data (undefined: nothing to draw), subtitle, show, note}, for the model
 * charts and the core's per-layer charts (`layerCharts`).
 */
function chartsOf(s, params, sel, comparison, overlaps, notes, layerCharts) {
  const out = {};
  const set = (kind, data, subtitle = '', show = true, note = undefined) => { out[kind] = { data, subtitle, show, note }; };
  const series = views.depthSeries(s.models);
  set('hunchback', series.length ? series : undefined);
  const hasPc = series.some((x) => x.layers.some((l) => l?.pc_id));
  set('curvature', hasPc ? series : undefined, '', params.pc_id || hasPc);

  const subtitle = sel ? `${sel.owner.name} · ${sel.result.name}` : '';
  for (const c of layerCharts) {
    if (!c.pass) { set(c.kind, views.bare(sel?.result), subtitle); continue; }
    // Drawn from what a later pass adds: shown while its parameter is on or once it is there.
    const [field, param] = c.pass;
    const added = sel?.full[field];
    const data = (Array.isArray(added) ? added.length : added) ? views.bare(sel.full) : undefined;
    set(c.kind, data, subtitle, params[param] || Boolean(data), notes[c.kind]);
  }

  const plotted = views.plotted(s.models);
  const withLabels = plotted.filter(labelled);
  const perClass = views.perClassSeries(s.models);
  set('per_class', perClass.length ? perClass : undefined, '', perClass.length > 0 || (params.per_class && withLabels.length > 0), notes.per_class);

  const withDensity = (pred) => series.some((x) => x.layers.some((l) => l?.density && pred(l.density)));
  const dens = withDensity(() => true);
  set('nucleation', dens ? series : undefined, '', params.density || dens);
  const agreed = withDensity((d) => d.labels);
  set('peak_classes', agreed ? series : undefined, '', (params.density && withLabels.length > 0) || agreed);

  const acc = comparison?.accuracy ?? { measure: 'accuracy', points: [] };
  const accShown = plotted.filter((m) => Number.isFinite(m.accuracy?.value)).length >= 2;
  const fitted = acc.points.length >= 2;
  set('accuracy', fitted ? acc : undefined, acc.measure === 'top5_error' ? 'top-5 error' : '', accShown, accuracyNote(fitted ? comparison.accuracy_fit : null));

  const c = comparison?.correlation ?? null;
  const corrShown = perClass.length >= 2 || (params.per_class && withLabels.length >= 2);
  set('correlation', c?.table ? c : undefined, c?.ids.layer ?? '', corrShown, c?.note ?? '');

  const n = overlaps;
  const some = (values) => values.some((v) => v !== null && v !== undefined);
  const note = n?.notes.length ? `${n.notes.slice(0, 3).join(' · ')}${n.notes.length > 3 ? ` · and ${n.notes.length - 3} more` : ''}` : '';
  const profiled = n?.profiles.some((p) => some(p.layers.flatMap((l) => [l.label, l.output])));
  set('overlap_profile', profiled ? { k: n.k, repeats: n.repeats, profiles: n.profiles } : undefined, n ? `k = ${n.k}` : '', params.overlap || params.neighbourhood || Boolean(profiled), note);
  // The layer × layer matrix of the selected layer's model; the matrix of that model and the next plotted one.
  const owner = sel?.owner.name;
  const own = n?.matrices.find((m) => m.a === owner && m.b === owner);
  const pair = n?.matrices.find((m) => m.a !== m.b && (m.a === owner || m.b === owner));
  const filled = (m) => m && some(m.values.flat());
  set('overlap_layers', filled(own) ? { k: n.k, matrix: own } : undefined, own ? `${owner} · k = ${n.k}` : '', params.neighbourhood || Boolean(filled(own)), note);
  const ranked = n?.profiles.some((p) => p.layers.some((l) => l.imbalance));
  const planeNote = [notes.information_plane, s.imbalance ? '' : 'The information imbalances are off (tick the box to rank).'].filter(Boolean).join(' ');
  set('information_plane', ranked ? { k: n.k, profiles: n.profiles } : undefined, '', (params.neighbourhood && s.imbalance) || Boolean(ranked), planeNote || note);
  set('overlap_models', filled(pair) ? { k: n.k, matrix: pair } : undefined, pair ? `${pair.a} × ${pair.b} · k = ${n.k}` : '',
    (params.neighbourhood && plotted.length >= 2) || Boolean(filled(pair)), note);
  return out;
}

/** The core's overlaps between layers and models, recomputed only when a layer's result or rank lists change. */
let lastOverlaps = { keys: null, value: null };
function overlapsOf(s, params, core) {
  if (!core.neighbourhoods) return null;
  const keys = views.plotted(s.models).flatMap((m) => [
    m.name, ...views.shown(m).map((i) => m.results.get(i)?.full ?? null), ...[...m.ranks.values()].flatMap((t) => [...t.values()]),
  ]);
  keys.push(params.seed, s.overlapK, core);
  const { keys: before } = lastOverlaps;
  if (before && before.length === keys.length && before.every((k, i) => k === keys[i])) return lastOverlaps.value;
  const { desc, indices, ranks, ids } = views.neighbourhoodInput(s.models, params.seed);
  const value = desc.length ? { ...core.neighbourhoods(desc, indices, ranks, s.overlapK ?? undefined), ids } : null;
  lastOverlaps = { keys, value };
  return value;
}

/**
 * The derived view of store state `s`; `core`: {plan, plan_key, compare, neighbourhoods, layerCharts} from the
 * wasm (null before it has started: nothing is planned or compared yet).
 */
export function derive(s, core) {
  const sel = selectedLayer(s);
  if (!core || !s.params) return { params: null, key: '', plan: { jobs: [] }, comparison: null, compareError: null, selected: sel, lastHidden: new Map(), charts: {} };
  const params = { ...s.params, per_class: s.perClass ?? s.models.some(labelled) };
  let overlaps = null;
  let overlapError = null;
  try {
    overlaps = overlapsOf(s, params, core);
  } catch (e) {
    overlapError = `Comparing the layers' neighbourhoods failed: ${e.message ?? e}`;
  }
  const ranks = s.imbalance && overlaps ? views.rankRequests(s.models, overlaps.ids, overlaps.rank_passes) : [];
  const plan = core.plan({ ...planInput(s, params, sel), ranks });
  let comparison = null;
  let compareError = overlapError;
  try {
    comparison = core.compare(views.compareInput(s.models, s.correlationLayer));
  } catch (e) {
    compareError = `Comparing the models failed: ${e.message ?? e}`;
  }
  const lastHidden = new Map(s.models.map((m, k) => {
    const name = comparison?.models[k]?.last_hidden;
    return [m.id, views.shown(m).find((j) => m.info.layers[j].name === name) ?? null];
  }));
  const notes = streamedNotes(s, params, sel, plan, ranks);
  return {
    params,
    key: core.plan_key(params),
    plan,
    comparison,
    compareError,
    selected: sel,
    lastHidden,
    overlaps,
    charts: chartsOf(s, params, sel, comparison, overlaps, notes, core.layerCharts),
  };
}
