// The multi-model analyses as pure functions of the page's models: which layers a model shows,
// its last hidden layer, and the data of the multi-model charts (ID vs depth, per-class ID,
// ID vs accuracy, model × model correlation of per-class IDs), in the shapes `draw_chart` takes.

/** Positions (layer indices) a model shows, in display order. */
export const shown = (m) => m.order.filter((i) => !m.excluded.has(i));

/** Models that take part in the charts: not hidden and with something computed. */
export const plotted = (models) => models.filter((m) => !m.hidden && m.results.size);

const slims = new WeakMap();

/**
 * A layer result without its per-point arrays (μ, the fit's points), which the multi-model charts
 * do not draw: handing them to the wasm on every redraw would only cost time. Cached, so the same
 * result always gives the same object (and unchanged charts are not redrawn).
 */
function slim(r) {
  if (!r) return null;
  if (!slims.has(r)) {
    const cut = (e) => ({ ...e, twonn: { ...e.twonn, mu: [], fit: { ...e.twonn.fit, points: [], discarded: [] } } });
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

/** The model's last hidden layer: the user's choice if still shown, else the layer before the last. */
export function lastHidden(m) {
  const s = shown(m);
  if (s.includes(m.lastHidden)) return m.lastHidden;
  return s.length > 1 ? s[s.length - 2] : s[0];
}

/** The fit ID and its error bar (std over the subsets), the numbers every multi-model chart plots. */
export function layerId(r) {
  return { id: r.twonn.fit.id, err: r.twonn.repeats ? r.twonn.repeats.fit_std : null };
}

/**
 * `{measure, points: [{model, layer, id, id_err, value}]}` for the `accuracy` chart: the last hidden
 * layer of every plotted model with a value for the measure most models use.
 */
export function accuracyData(models) {
  const withValue = plotted(models).filter((m) => Number.isFinite(m.accuracy?.value));
  const top5 = withValue.filter((m) => m.accuracy.measure === 'top5_error').length;
  const measure = top5 > withValue.length - top5 ? 'top5_error' : 'accuracy';
  const points = [];
  for (const m of withValue.filter((x) => x.accuracy.measure === measure)) {
    const r = resultAt(m, lastHidden(m));
    if (!r) continue;
    const { id, err } = layerId(r);
    points.push({ model: m.name, layer: r.name, id, id_err: err, value: m.accuracy.value });
  }
  return { measure, points };
}

/**
 * The layer choices for the correlation: layer names every plotted model with per-class results
 * shows, then relative depths (each model's layer nearest to that fraction of its depth).
 */
export function layerChoices(models) {
  const ms = plotted(models).filter((m) => shown(m).some((i) => resultAt(m, i, true)?.classes?.length));
  if (!ms.length) return [];
  const names = ms.map((m) => new Set(shown(m).map((i) => m.info.layers[i].name)));
  const common = shown(ms[0]).map((i) => ms[0].info.layers[i].name).filter((n) => names.every((s) => s.has(n)));
  const depths = [0, 0.25, 0.5, 0.75, 1];
  return [
    ...common.map((n) => ({ value: `name:${n}`, label: n })),
    ...depths.map((d) => ({ value: `depth:${d}`, label: `relative depth ${d}` })),
  ];
}

/** The default correlation layer: the first model's last hidden layer when all models show it. */
export function defaultChoice(models, choices) {
  const first = plotted(models).find((m) => m.results.size);
  const name = first && first.info.layers[lastHidden(first)]?.name;
  return choices.find((c) => c.value === `name:${name}`)?.value ?? choices.find((c) => c.value.startsWith('depth:0.5'))?.value;
}

/** The layer result of model `m` for a choice (`name:…` or `depth:…`). */
function chosenLayer(m, choice) {
  const s = shown(m);
  if (choice.startsWith('name:')) {
    const name = choice.slice(5);
    return resultAt(m, s.find((i) => m.info.layers[i].name === name), true);
  }
  const d = Number(choice.slice(6));
  return resultAt(m, s[Math.round(d * (s.length - 1))], true);
}

/**
 * `{layer, models: [{model, result}]}`: the chosen layer of every plotted model with per-class
 * results, the input of the core's `class_ids` (which matches the classes by name). Undefined with
 * fewer than two such models.
 */
export function chosenLayers(models, choice) {
  if (!choice) return undefined;
  const chosen = [];
  for (const m of plotted(models)) {
    const result = chosenLayer(m, choice);
    if (result?.classes?.length) chosen.push({ model: m.name, result });
  }
  if (chosen.length < 2) return undefined;
  const layer = choice.startsWith('name:') ? choice.slice(5) : `relative depth ${choice.slice(6)}`;
  return { layer, models: chosen };
}

/** Accuracy or top-5 error from a file's metadata ([key, value] pairs), if it holds one. */
export function metadataAccuracy(metadata = []) {
  const keys = { accuracy: 'accuracy', test_accuracy: 'accuracy', acc: 'accuracy', top1_accuracy: 'accuracy', top5_error: 'top5_error', top_5_error: 'top5_error' };
  for (const [k, v] of metadata) {
    const measure = keys[String(k).toLowerCase()];
    const value = Number.parseFloat(v);
    if (measure && Number.isFinite(value)) return { measure, value };
  }
  return null;
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
