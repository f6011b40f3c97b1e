// Exports: each chart as PNG (2× pixels) or SVG, all results as CSV or JSON (schema idscope/1,
// the CLI's `--json` format), and the reverse: a dropped results JSON back into models.

import { at } from './columns.js';

export function download(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function safeName(s) {
  return String(s).replace(/[^\w.-]+/g, '_').replace(/^_+|_+$/g, '') || 'idscope';
}

/**
 * A chart as a PNG at twice its on-screen CSS size. Encoded with toDataURL, not toBlob: Chromium
 * schedules toBlob's encoding in idle time, which can delay a download by many seconds.
 */
export function chartPng(draw, kind, data, opts, cssWidth, cssHeight) {
  const canvas = document.createElement('canvas');
  canvas.width = cssWidth * 2;
  canvas.height = cssHeight * 2;
  draw(canvas, kind, data, { ...opts, scale: 2 * opts.zoom });
  const base64 = canvas.toDataURL('image/png').split(',')[1];
  const bin = atob(base64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i += 1) bytes[i] = bin.charCodeAt(i);
  return new Blob([bytes], { type: 'image/png' });
}

/** A chart as an SVG document at its on-screen CSS size. */
export function chartSvg(svg, kind, data, opts, cssWidth, cssHeight) {
  const text = svg(kind, data, { ...opts, scale: opts.zoom }, cssWidth, cssHeight);
  return new Blob([text], { type: 'image/svg+xml' });
}

/**
 * One report (schema idscope/1) per model: its computed layers in model order, each with the
 * rank lists of the information imbalances it holds (`imbalance_ranks: [{target: layer name,
 * ranks}]`, under its result's key), so a restored page draws the information plane again.
 */
export function reports(models, version, params) {
  const ranked = (m, i) => {
    const key = m.results.get(i).key;
    return [...(m.ranks.get(i) ?? [])].filter(([t, r]) => r.key === key && m.results.get(t)?.key === key)
      .map(([t, r]) => ({ target: m.info.layers[t].name, ranks: [...r.ranks] }));
  };
  return models.map((m) => ({
    schema: 'idscope/1',
    idscope_version: version,
    model: m.name,
    params: m.params ?? params,
    layers: [...m.results.keys()].sort((a, b) => a - b).map((i) => {
      const lists = ranked(m, i);
      return lists.length ? { ...m.results.get(i).full, imbalance_ranks: lists } : m.results.get(i).full;
    }),
  }));
}

export function jsonBlob(reps) {
  const body = reps.length === 1 ? reps[0] : reps;
  return new Blob([JSON.stringify(body, null, 1)], { type: 'application/json' });
}

/** The CSV's columns per layer: what was read and kept, the estimators' columns (the core's), time. */
const csvColumns = (estimators) => [
  ['model', (r) => r.model],
  ['layer', (r, l) => l.name],
  ['index', (r, l) => l.index],
  ['n_input', (r, l) => l.n_input],
  ['dim', (r, l) => l.dim],
  ['n_used', (r, l) => l.n],
  ['duplicates_dropped', (r, l) => l.duplicates.dropped],
  ['zero_r1_excluded', (r, l) => l.duplicates.zero_r1_excluded],
  ['non_finite_dropped', (r, l) => l.non_finite_dropped],
  ['subsampled_out', (r, l) => l.subsampled_out],
  ...estimators.map((c) => [c.key, (r, l) => at(l, c.value) ?? '']),
  ['seconds', (r, l) => l.seconds],
];

function cell(v) {
  const s = String(v ?? '');
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** Rows (the first one a header) as a CSV file. */
export function rowsBlob(rows) {
  return new Blob([rows.map((r) => r.map(cell).join(',')).join('\n') + '\n'], { type: 'text/csv' });
}

/** Every layer of `reps` as one CSV row; `estimators`: the core's estimator columns. */
export function csvBlob(reps, estimators) {
  const columns = csvColumns(estimators);
  const rows = [columns.map(([h]) => h)];
  for (const r of reps) for (const l of r.layers) rows.push(columns.map(([, f]) => f(r, l)));
  return rowsBlob(rows);
}

/**
 * One row per layer (and per class of it) of depth-series data `[{model, layers}]`; with
 * `summary` (the core's per_class_summary of the same data) the layer rows get the mean ± std
 * over classes.
 */
function depthRows(series, summary) {
  const rows = [['model', 'position', 'relative_depth', 'layer', 'class', 'n', 'id_fit', 'id_fit_std', 'id_ml', 'pc_id',
    ...(summary ? ['class_mean', 'class_std', 'n_classes'] : [])]];
  const row = (s, pos, l, e, cls) => [s.model, pos, s.layers.length > 1 ? pos / (s.layers.length - 1) : 0, l.name, cls,
    e.n, e.twonn.fit.id, e.twonn.repeats?.fit_std ?? '', e.twonn.ml.id, e.pc_id?.id ?? ''];
  series.forEach((s, k) => {
    s.layers.forEach((l, pos) => {
      if (!l) return;
      const spread = summary?.[k].layers[pos];
      rows.push([...row(s, pos, l, l, ''), ...(summary ? [spread?.mean ?? '', spread?.std ?? '', spread?.n_classes ?? ''] : [])]);
      for (const c of l.classes ?? []) rows.push(row(s, pos, l, c, c.name));
    });
  });
  return rows;
}

/**
 * The numbers a chart across layers or models shows, as rows for its CSV export (the JSON export
 * is the chart's data; the per-layer charts' rows come from the core, `layerChartRows`).
 * `extra` holds what the core computed beside the data: the per-class summary.
 */
export function chartRows(kind, data, extra) {
  switch (kind) {
    case 'hunchback': case 'curvature': return depthRows(data);
    case 'per_class': return depthRows(data, extra);
    case 'accuracy':
      return [['measure', 'model', 'layer', 'id', 'id_err', 'value'], ...data.points.map((p) => [data.measure, p.model, p.layer, p.id, p.id_err ?? '', p.value])];
    case 'correlation': {
      const t = data.table;
      const rows = [['layer', 'model_a', 'model_b', 'n_classes', 'pearson_r', 'pearson_p', 'spearman_rho', 'spearman_p']];
      t.models.forEach((a, i) => t.models.forEach((b, j) => {
        if (j > i) rows.push([data.ids.layer, a, b, t.n, t.pearson[i][j], t.pearson_p[i][j], t.spearman[i][j], t.spearman_p[i][j]]);
      }));
      return rows;
    }
    case 'overlap_profile': {
      // The error bars' columns after the earlier ones, which keep their places.
      const rows = [['model', 'position', 'relative_depth', 'layer', 'k', 'chi_label', 'chi_out', 'chi_input', 'chi_label_std', 'chi_out_std', 'chi_input_std', 'repeats']];
      for (const p of data.profiles) {
        for (const l of p.layers) {
          rows.push([p.model, l.position, l.relative_depth, l.layer, data.k, l.label ?? '', l.output ?? '', l.input ?? '', l.label_std ?? '', l.output_std ?? '', l.input_std ?? '', data.repeats || '']);
        }
      }
      return rows;
    }
    case 'nucleation': case 'peak_classes': {
      const rows = [['model', 'position', 'layer', 'd', 'peaks', 'ari', 'purity']];
      for (const m of data) {
        m.layers.forEach((l, i) => {
          const d = l?.density;
          if (d) rows.push([m.model, i, l.name, d.id, d.peaks, d.labels?.ari ?? '', d.labels?.purity ?? '']);
        });
      }
      return rows;
    }
    case 'information_plane': {
      const rows = [['model', 'position', 'relative_depth', 'layer', 'delta_to_output', 'delta_from_output', 'delta_to_input', 'delta_from_input']];
      const v = (x) => (Number.isFinite(x) ? x : '');
      for (const p of data.profiles) {
        for (const l of p.layers) {
          const i = l.imbalance;
          if (i) rows.push([p.model, l.position, l.relative_depth, l.layer, v(i.to_output), v(i.from_output), v(i.to_input), v(i.from_input)]);
        }
      }
      return rows;
    }
    case 'overlap_layers': case 'overlap_models': {
      const m = data.matrix;
      const rows = [['model_a', 'layer_a', 'model_b', 'layer_b', 'k', 'chi']];
      m.rows.forEach((a, i) => m.cols.forEach((b, j) => rows.push([m.a, a, m.b, b, data.k, m.values[i][j] ?? ''])));
      return rows;
    }
    default: throw new Error(`no numbers for chart ${kind}`);
  }
}

/** Parses a results file: one report or an array of them; throws with a readable message. */
export function parseReports(text, file) {
  let value;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not JSON (${e.message})`);
  }
  const list = Array.isArray(value) ? value : [value];
  for (const r of list) {
    if (!r || r.schema !== 'idscope/1' || !Array.isArray(r.layers)) throw new Error(`${file}: not an idscope results file (schema idscope/1)`);
  }
  return list;
}
