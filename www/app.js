// The page: loading (drop, picker, ?url=, demo), the models panel and the layer/result tables,
// the run queue (whole-set estimates first, then per-class) with progress, cancel and crash
// recovery, the charts and the exports. Compute happens in worker.js; this thread only draws
// (plotters lays out text with the DOM, so charts are drawn here).

import * as pkg from './pkg/idscope.js';
import { wasmUrl, workerUrl } from './simd.js';
import { WorkerClient } from './worker-client.js';
import { renderTables, setRowProgress } from './layers-table.js';
import { renderModelsPanel } from './models-panel.js';
import { Charts } from './charts.js';
import * as exporter from './export.js';
import * as views from './analyses.js';
import { correlationTable } from './correlation-table.js';
import { buildForm, readParams as readForm, writeParams as writeForm } from './params.js';

const $ = (sel) => document.querySelector(sel);
const form = $('#params');
const modelsEl = $('#models');
const messagesEl = $('#messages');
let defaults = {};
/** The form's controls (the core's `paramForm`). */
let formFields = [];
/** The estimators' result columns (the core's `estimatorColumns`), for the tables and the CSV. */
let columns = [];
const readParams = () => readForm(form, formFields, defaults);
const writeParams = (p) => writeForm(form, formFields, p);

const state = {
  // {id, name, files, info, order, excluded, hidden, accuracy: {measure, value} | null, lastHidden,
  //  results: Map(layer → {key, partial, extras: {pass: key}, result, full}), progress, failed, demo, restored, params}
  //  (result: the whole-set estimates, `partial` until the scale pass has added its part; full:
  //  with what the later passes added too — two objects, so the charts of the whole set are not
  //  redrawn when a layer's classes arrive)
  models: [],
  pending: new Map(), // model id → {name, files, demo} while the worker opens it
  nextModel: 1,
  nextJob: 1,
  selected: null, // {model, layer}
  correlationLayer: null, // 'name:…' or 'depth:…' (one of the comparison's choices)
  paused: false,
  run: null, // {start, done} while computing
  version: '',
  firstRunStart: null, // when the first computation started (for the long-task check)
};

let charts = null;
let firstPlot = null;

const client = new WorkerClient(workerUrl(new URL('./worker.js', import.meta.url)), {
  ready: (v) => { state.version = v; },
  opened: onOpened,
  layer: onLayer,
  progress: onProgress,
  error: onError,
  crash: onCrash,
});

// ---------- messages ----------

function message(text, kind = 'error') {
  const div = document.createElement('div');
  div.className = `message ${kind}`;
  div.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  const span = document.createElement('span');
  span.textContent = text;
  const close = document.createElement('button');
  close.type = 'button';
  close.textContent = '×';
  close.setAttribute('aria-label', 'Dismiss');
  close.addEventListener('click', () => div.remove());
  div.append(span, close);
  messagesEl.append(div);
  while (messagesEl.children.length > 6) messagesEl.firstElementChild.remove();
}

// ---------- loading ----------

function openModel(source, { name, demo = false, accuracy = null, then = null } = {}) {
  const id = state.nextModel++;
  state.paused = false; // loading something means: compute it
  state.pending.set(id, { name, files: source.names, demo, accuracy, then });
  client.open({ type: 'open', model: id, ...source });
  return id;
}

function onOpened(id, info) {
  const p = state.pending.get(id);
  if (!p) { client.close(id); return; }
  state.pending.delete(id);
  if (!info.layers.length) {
    message(`${p.files.join(', ')}: no layers found${info.skipped.length ? ` (skipped: ${info.skipped.map((s) => `${s[0]}: ${s[1]}`).join('; ')})` : ''}`);
    client.close(id);
    p.then?.();
    return;
  }
  if (p.demo && state.models.some((m) => !m.demo)) { client.close(id); return; } // the user's files came first
  if (!p.demo) for (const m of state.models.filter((x) => x.demo)) removeModel(m, false);
  state.models.push({
    ...newModel(id, p.name ?? info.name, info), files: info.files, demo: p.demo,
    accuracy: p.accuracy ?? info.accuracy ?? null,
  });
  autoPerClass();
  render();
  pump();
  p.then?.();
}

async function openFiles(fileList) {
  const files = [...fileList];
  if (!files.length) return;
  const json = files.filter((f) => /\.json$/i.test(f.name));
  const data = files.filter((f) => !/\.json$/i.test(f.name));
  for (const f of json) {
    try {
      restore(exporter.parseReports(await f.text(), f.name));
    } catch (e) {
      message(e.message);
    }
  }
  if (data.length) openModel({ files: data, names: data.map((f) => f.name) }, {});
}

function openUrls(urls) {
  const names = urls.map((u) => decodeURIComponent(new URL(u, document.baseURI).pathname.split('/').pop() || 'download'));
  openModel({ urls: urls.map((u) => new URL(u, document.baseURI).href), names }, {});
}

async function openDemo() {
  try {
    const response = await fetch('www/demo/demo.json');
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const demo = await response.json();
    // The trained network first, so its plots appear first; the shuffled-label and untrained twins
    // are opened one after the other once it is open (the worker then computes before opening them).
    const open = (models) => {
      const [m, ...rest] = models;
      const accuracy = { measure: 'accuracy', value: m.test_accuracy };
      const then = rest.length ? () => open(rest) : null;
      openModel({ urls: [new URL(`www/demo/${m.file}`, document.baseURI).href], names: [m.file] }, { name: m.name, demo: true, accuracy, then });
    };
    open(demo.models);
  } catch (e) {
    message(`Could not load the demo: ${e.message}`);
  }
}

/** Results files (schema idscope/1) become models that show their results and are not recomputed. */
function restore(reports) {
  for (const r of reports) {
    const id = state.nextModel++;
    const layers = r.layers.map((l) => ({ name: l.name, rows: l.n_input, cols: l.dim, dtype: '', byte_size: null }));
    const m = newModel(id, r.model, { layers, skipped: [] });
    r.layers.forEach((l, i) => m.results.set(i, { key: 'restored', result: l, full: l }));
    state.models.push({ ...m, restored: true, params: r.params });
  }
  if (reports[0]?.params) writeParams(reports[0].params);
  autoPerClass();
  state.selected = null;
  render();
  pump();
}

/** A page model with every layer shown in file order, nothing computed, the defaults of the panel. */
function newModel(id, name, info) {
  return {
    id, name, info, files: [], demo: false, restored: false, hidden: false, accuracy: null, lastHidden: null,
    order: info.layers.map((_, i) => i), excluded: new Set(), results: new Map(), progress: new Map(), failed: new Map(),
  };
}

/** Per-class estimates default to on when a model has labels, until the user sets the checkbox. */
function autoPerClass() {
  const box = form.elements.per_class;
  if (!box || box.dataset.touched) return; // the form is built once the wasm has started
  box.checked = state.models.some((m) => m.info.labels || [...m.results.values()].some((r) => r.full.classes?.length));
}

function removeModel(m, rerender = true) {
  state.models = state.models.filter((x) => x !== m);
  if (!m.restored) client.close(m.id);
  if (state.selected?.model === m.id) state.selected = null;
  if (rerender) { render(); pump(); }
}

// ---------- computing ----------

/** A copy of `obj` with `value` at the `.`-separated `path`. */
function setPath(obj, path, value) {
  const [head, ...rest] = path.split('.');
  return { ...obj, [head]: rest.length ? setPath(obj[head] ?? {}, rest.join('.'), value) : value };
}

const getPath = (obj, path) => path.split('.').reduce((o, k) => o?.[k], obj);

let passAdds = null; // pass → {fields, whole}: what each later pass adds (the core's pass_adds)
let planned = { key: '', jobs: [] }; // the core's pass plan, made by pump()

/**
 * Every job the current parameters ask for, in run order (src/analysis/passes.rs: the quick pass of every
 * shown layer, then the scale passes with the selected layer's first, its surrogate, the
 * per-class passes; a streamed layer gets one whole pass), with the page's model objects.
 */
function jobs() {
  if (!charts) return [];
  const sel = selectedLayer();
  const models = state.models.map((m) => ({
    id: m.id,
    restored: Boolean(m.restored),
    labelled: Boolean(m.info.labels),
    layers: views.shown(m).map((i) => {
      const r = m.results.get(i);
      return { index: i, memory_bytes: m.info.layers[i]?.memory_bytes ?? null, key: r?.key ?? null, extras: r?.extras ?? {} };
    }),
  }));
  planned = pkg.plan({ params: readParams(), models, selected: sel ? { model: sel.owner.id, layer: sel.index } : null });
  const byId = new Map(state.models.map((m) => [m.id, m]));
  return planned.jobs.map((j) => ({ ...j, m: byId.get(j.model), i: j.layer }));
}

/** The streamed layers among the shown ones (the plan's base jobs say which). */
const streamedLayers = () => new Set(planned.jobs.filter((j) => j.pass === 'base' && j.streamed).map((j) => `${j.model}:${j.layer}`));

/** The note under the surrogate and per-class charts when a layer they would need is streamed. */
function streamedNotes(p, sel) {
  const why = 'over the memory limit and read from its file in column chunks';
  const isStreamed = streamedLayers();
  const streamed = (m, i) => isStreamed.has(`${m.id}:${i}`);
  const surrogate = p.surrogate && sel && streamed(sel.owner, sel.index)
    ? `No surrogate for ${sel.result.name}: the layer is ${why}, and a Gaussian surrogate would be as large as the layer.` : '';
  const big = p.per_class ? state.models.filter((m) => m.info.labels).flatMap((m) => views.shown(m).filter((i) => streamed(m, i)).map((i) => m.info.layers[i].name)) : [];
  const classes = big.length ? `No per-class estimates for ${big.join(', ')}: ${big.length > 1 ? 'these layers are' : 'the layer is'} ${why}.` : '';
  charts.cards.get('surrogate').card.querySelector('.chart-note').textContent = surrogate;
  charts.cards.get('per_class').card.querySelector('.chart-note').textContent = classes;
}

function pump() {
  if (client.busy) return;
  if (state.paused || !form.checkValidity()) { setRunning(false); return; }
  const next = jobs().find((j) => !j.done && j.m.failed.get(j.i)?.key !== j.key);
  if (!next) {
    state.run = null;
    setRunning(false);
    return;
  }
  if (!state.run) state.run = { start: performance.now() };
  if (state.firstRunStart === null) {
    state.firstRunStart = state.run.start;
    performance.mark('idscope:first-run'); // where the bench's task budget starts counting (page-load.mjs)
  }
  next.m.progress.set(next.i, 0);
  client.analyse({ job: state.nextJob++, model: next.m.id, layer: next.i, params: next.params, key: next.key, pass: next.pass, partial: next.partial, streamed: next.streamed });
  setRunning(true);
}

function onLayer(job, result) {
  const m = state.models.find((x) => x.id === job.model);
  if (m) {
    const entry = m.results.get(job.layer);
    if (job.pass === 'base') {
      m.results.set(job.layer, { key: job.key, partial: Boolean(job.partial), extras: {}, result, full: result });
    } else if (entry) {
      // A later pass adds its part only: the rest of its result ran with other params.
      const { fields, whole } = passAdds.get(job.pass);
      const add = (r) => fields.reduce((o, f) => setPath(o, f, getPath(result, f)), r);
      const time = (r) => (whole ? { ...r, seconds: r.seconds + result.seconds } : r);
      const wholeSet = whole ? { result: time(add(entry.result)), partial: false } : {};
      m.results.set(job.layer, { ...entry, ...wholeSet, extras: { ...entry.extras, [job.pass]: job.key }, full: time(add(entry.full)) });
    }
    m.failed.delete(job.layer);
    m.progress.delete(job.layer);
  }
  render();
  pump();
}

function onProgress(job, fraction) {
  setRowProgress(modelsEl, job.model, job.layer, fraction);
  const m = state.models.find((x) => x.id === job.model);
  if (m) m.progress.set(job.layer, fraction);
  overall(fraction);
}

function onError(msg, job) {
  message(msg.message || 'unknown error');
  if (job) {
    const m = state.models.find((x) => x.id === job.model);
    if (m) { m.failed.set(job.layer, { key: job.key, message: msg.message }); m.progress.delete(job.layer); }
  } else {
    const p = state.pending.get(msg.model);
    state.pending.delete(msg.model);
    p?.then?.(); // the next demo model still opens
  }
  render();
  pump();
}

function onCrash(text, job, lost) {
  message(`The computation crashed and was restarted: ${text}`);
  if (job) {
    const m = state.models.find((x) => x.id === job.model);
    if (m) { m.failed.set(job.layer, { key: job.key, message: `crashed: ${text}` }); m.progress.delete(job.layer); }
  }
  for (const id of lost) state.pending.delete(id);
  render();
  pump();
}

function cancel() {
  const job = client.cancel();
  state.paused = true;
  state.run = null;
  if (job) {
    const m = state.models.find((x) => x.id === job.model);
    m?.progress.delete(job.layer);
  }
  // Models the old worker was still opening are re-opened by the fresh worker on its first request.
  render();
  setRunning(false);
  $('#run-status').textContent = job ? 'Cancelled.' : '';
}

function setRunning(running) {
  document.body.dataset.state = running ? 'running' : 'idle';
  $('#cancel-button').disabled = !running;
  $('#run-button').disabled = running;
  if (!running) {
    $('#overall-progress').value = state.models.some((m) => m.results.size) ? 1 : 0;
    if (!state.paused) $('#run-status').textContent = '';
  } else {
    overall(0);
  }
}

/** Overall progress and ETA over the jobs this run computes. */
function overall(current) {
  const list = planned.jobs;
  const total = list.length;
  const done = list.filter((j) => j.done).length;
  if (!total || !state.run) return;
  const fraction = Math.min(1, (done + current) / total);
  $('#overall-progress').value = fraction;
  const elapsed = (performance.now() - state.run.start) / 1000;
  const eta = fraction > 0.02 && elapsed > 0.5 ? ` · about ${Math.ceil((elapsed * (1 - fraction)) / fraction)} s left` : '';
  $('#run-status').textContent = `${done} of ${total} jobs${eta}`;
}

// ---------- view ----------

function render() {
  const key = charts ? pkg.plan_key(readParams()) : '';
  compareModels();
  renderModelsPanel($('#models-panel'), state.models, (m) => lastHiddenIndex(m), {
    rename: (m, name) => { m.name = name; render(); },
    hide: (m, hidden) => { m.hidden = hidden; render(); },
    accuracy: (m, a) => { m.accuracy = Number.isFinite(a.value) ? a : null; render(); },
    lastHidden: (m, i) => { m.lastHidden = i; render(); },
  });
  renderTables(modelsEl, state.models, {
    selected: state.selected,
    key,
    columns,
    on: {
      select: (m, i) => { state.selected = { model: m.id, layer: i }; render(); pump(); },
      exclude: (m, i, ex) => { if (ex) m.excluded.add(i); else m.excluded.delete(i); render(); pump(); },
      move: (m, pos, d) => {
        const o = m.order;
        [o[pos], o[pos + d]] = [o[pos + d], o[pos]];
        render();
      },
      remove: (m) => removeModel(m),
    },
  });
  updateCharts();
}

// ---------- charts ----------

/** Cards drawn as a wasm chart kind with extra options: the hunchback with and without PC-ID. */
const ALIASES = { hunchback: ['hunchback', { pc_id: false }], curvature: ['hunchback', { pc_id: true }] };
const wasmKind = (kind) => ALIASES[kind] ?? [kind, {}];
const drawChart = (canvas, kind, data, opts) => { const [k, o] = wasmKind(kind); return pkg.draw_chart(canvas, k, data, { ...opts, ...o }); };
const svgChart = (kind, data, opts, w, h) => { const [k, o] = wasmKind(kind); return pkg.svg_chart(k, data, { ...opts, ...o }, w, h); };

/** The per-layer charts (the core's `layerCharts`: kind, title, the pass whose field it draws). */
let layerCharts = [];
let shownLayer = null;
let comparison = null; // the core's `compare` of the page's models, made once per render

/** The analyses across models (src/compare/): depth points, accuracy fit, correlation; once per render. */
function compareModels() {
  if (!charts) return;
  try {
    comparison = pkg.compare(views.compareInput(state.models, state.correlationLayer));
  } catch (e) {
    comparison = null;
    message(`Comparing the models failed: ${e.message ?? e}`);
  }
}

/** Model `m`'s last hidden layer as the comparison chose it (a layer index), or null. */
function lastHiddenIndex(m) {
  const name = comparison?.models[state.models.indexOf(m)]?.last_hidden;
  const i = views.shown(m).find((j) => m.info.layers[j].name === name);
  return i ?? null;
}

/** The layer the per-layer charts show: the clicked row, else the first computed layer of a shown model. */
function selectedLayer() {
  const owner = state.selected && state.models.find((m) => m.id === state.selected.model);
  const entry = owner?.results.get(state.selected.layer);
  if (entry) return { owner, index: state.selected.layer, ...entry };
  for (const m of views.plotted(state.models)) {
    const i = views.shown(m).find((j) => m.results.has(j));
    if (i !== undefined) return { owner: m, index: i, ...m.results.get(i) };
  }
  return null;
}

/** Sets a chart's data and subtitle unless unchanged, and shows or hides its card. */
function setChart(kind, data, subtitle = '', show = true) {
  const entry = charts.cards.get(kind);
  const hiddenBefore = entry.card.hidden;
  entry.card.hidden = !show;
  if (views.same(charts.data.get(kind), data) && entry.subtitle === subtitle) {
    if (hiddenBefore && show) charts.invalidate([kind]);
    return;
  }
  entry.subtitle = subtitle;
  charts.set(kind, data, subtitle);
}

function updateCharts() {
  if (!charts) return;
  const p = readParams();
  const series = views.depthSeries(state.models);
  setChart('hunchback', series.length ? series : undefined);
  const hasPc = series.some((s) => s.layers.some((l) => l?.pc_id));
  setChart('curvature', hasPc ? series : undefined, '', p.pc_id || hasPc);

  const sel = selectedLayer();
  shownLayer = sel?.result ?? null;
  const subtitle = sel ? `${sel.owner.name} · ${sel.result.name}` : '';
  for (const c of layerCharts) {
    if (!c.pass) { setChart(c.kind, shownLayer ?? undefined, subtitle); continue; }
    // Drawn from what a later pass adds: shown while its parameter is on or once it is there.
    const [field, param] = c.pass;
    const data = sel?.full[field]?.length ? sel.full : undefined;
    setChart(c.kind, data, subtitle, p[param] || Boolean(data));
  }
  streamedNotes(p, sel);

  const labelled = views.plotted(state.models).filter((m) => m.info.labels || [...m.results.values()].some((r) => r.full.classes?.length));
  const perClass = views.perClassSeries(state.models);
  setChart('per_class', perClass.length ? perClass : undefined, '', perClass.length > 0 || (p.per_class && labelled.length > 0));

  const acc = comparison?.accuracy ?? { measure: 'accuracy', points: [] };
  const accShown = views.plotted(state.models).filter((m) => Number.isFinite(m.accuracy?.value)).length >= 2;
  setChart('accuracy', acc.points.length >= 2 ? acc : undefined, acc.measure === 'top5_error' ? 'top-5 error' : '', accShown);
  accuracySummary(acc.points.length >= 2 ? comparison.accuracy_fit : null);

  updateCorrelation(perClass.length >= 2 || (p.per_class && labelled.length >= 2));
}

/** The fit line's numbers under the accuracy chart (Pearson r with its p-value: Ansuini et al., Fig. 4). */
function accuracySummary(f) {
  const note = charts.cards.get('accuracy').card.querySelector('.chart-note');
  const g = (v) => (Number.isFinite(v) ? v.toPrecision(3) : '—');
  note.textContent = f
    ? `n = ${f.n} models · slope ${g(f.slope)} · Pearson r = ${g(f.pearson_r)} (p = ${g(f.pearson_p)}) · Spearman ρ = ${g(f.spearman_rho)} (p = ${g(f.spearman_p)})${f.note ? ` · ${f.note}` : ''}`
    : '';
}

/** The layer picker, the chart and the HTML table of the model × model correlation. */
function updateCorrelation(show) {
  const card = charts.cards.get('correlation').card;
  const picker = card.querySelector('select.layer-picker');
  const choices = comparison?.choices ?? [];
  const sig = choices.map((c) => c.value).join('\n');
  if (picker.dataset.sig !== sig) {
    picker.dataset.sig = sig;
    picker.replaceChildren(...choices.map((c) => new Option(c.label, c.value)));
  }
  state.correlationLayer = comparison?.choice?.value ?? null;
  if (state.correlationLayer) picker.value = state.correlationLayer;
  const c = comparison?.correlation ?? null;
  const drawn = c?.table ? c : undefined;
  if (!views.same(charts.data.get('correlation'), drawn)) {
    card.querySelector('.correlation-table').replaceChildren(...(drawn ? [correlationTable(c.ids, c.table)] : []));
  }
  card.querySelector('.chart-note').textContent = c?.note ?? '';
  setChart('correlation', drawn, c?.ids.layer ?? '', show);
}

/** The correlation card's layer picker, table and note; the accuracy card's note; every card's data buttons. */
function decorateCards() {
  const card = (k) => charts.cards.get(k).card;
  const picker = document.createElement('select');
  picker.className = 'layer-picker';
  picker.setAttribute('aria-label', 'Layer compared');
  picker.addEventListener('change', () => { state.correlationLayer = picker.value; render(); });
  card('correlation').querySelector('header h3').after(picker);
  for (const k of ['correlation', 'accuracy', 'surrogate', 'per_class']) {
    const note = document.createElement('p');
    note.className = 'chart-note';
    card(k).append(note);
  }
  const tableBox = document.createElement('div');
  tableBox.className = 'correlation-table';
  card('correlation').append(tableBox);
  for (const [kind, entry] of charts.cards) {
    for (const format of ['csv', 'json']) {
      const b = document.createElement('button');
      b.type = 'button';
      b.dataset.numbers = format;
      b.textContent = format.toUpperCase();
      b.title = `The chart's numbers as ${format.toUpperCase()}`;
      b.addEventListener('click', () => exportNumbers(kind, format));
      entry.card.querySelector('header').append(b);
    }
  }
}

/** The charts a first result draws, warmed in this order (the μ chart draws first). */
const WARM = ['mu', 'cdf', 'hunchback'];

/**
 * Draws the charts a first result draws off screen, one per task, on a small lesson's result,
 * while the page waits for its first result: the first draw of a chart compiles its code (wasm
 * and JS glue are compiled lazily, 30–50 ms of CPU here), which would otherwise land in the tasks
 * that draw the first real results. A failure here is left to the real draws to report.
 */
function warmCharts(kinds = WARM, result = null) {
  const [kind, ...rest] = kinds;
  if (!kind || charts.data.size) return;
  let r = result;
  try {
    if (!r) {
      const lesson = new pkg.Lesson('curve', 200, 0, 0);
      r = lesson.result(0);
      lesson.free();
    }
    const canvas = document.createElement('canvas');
    [canvas.width, canvas.height] = [400, 250];
    pkg.draw_chart(canvas, kind, kind === 'hunchback' ? [{ model: 'warm-up', layers: [r, r] }] : r, { ...chartOptions(), scale: 1 });
  } catch {
    return; // the warm-up is only a head start
  }
  setTimeout(() => warmCharts(rest, r), 0);
}

function chartOptions() {
  return {
    dark: matchMedia('(prefers-color-scheme: dark)').matches,
    log_x: $('#opt-logx').checked,
    log_y: $('#opt-logy').checked,
    depth: $('#opt-depth').checked,
    classes: $('#opt-classes').checked ? true : null, // null: the core's default (curves for one model)
    zoom: $('#lecture').checked ? 1.4 : 1,
  };
}

function exportName(kind) {
  if (['hunchback', 'curvature', 'per_class', 'accuracy'].includes(kind)) return state.models.length === 1 ? `${state.models[0].name}-${kind}` : kind;
  if (kind === 'correlation') return `correlation-${charts.data.get('correlation')?.ids.layer ?? ''}`;
  return `${shownLayer?.name ?? 'layer'}-${kind}`;
}

function exportChart(kind, format, data, w, h) {
  try {
    const opts = chartOptions();
    const blob = format === 'png'
      ? exporter.chartPng(drawChart, kind, data, opts, w, h)
      : exporter.chartSvg(svgChart, kind, data, opts, w, h);
    exporter.download(blob, `${exporter.safeName(exportName(kind))}.${format}`);
  } catch (e) {
    message(`Export failed: ${e.message ?? e}`);
  }
}

/** A chart's numbers: CSV rows (export.chartRows) or its data as JSON (with the table for the correlation). */
function exportNumbers(kind, format) {
  const data = charts.data.get(kind);
  if (data === undefined) { message('Nothing to export in this chart yet.', 'info'); return; }
  try {
    const extra = kind === 'per_class' ? pkg.per_class_summary(data) : undefined;
    const blob = format === 'csv'
      ? exporter.rowsBlob(layerCharts.some((c) => c.kind === kind) ? layerRows(kind, data) : exporter.chartRows(kind, data, extra))
      : new Blob([JSON.stringify(data, null, 1)], { type: 'application/json' });
    exporter.download(blob, `${exporter.safeName(exportName(kind))}.${format}`);
  } catch (e) {
    message(`Export failed: ${e.message ?? e}`);
  }
}

/** A per-layer chart's numbers from the core (`layerChartRows`): header, then rows. */
function layerRows(kind, data) {
  const { header, rows } = pkg.layerChartRows(kind, data);
  return [header, ...rows];
}

function exportResults(format) {
  const reps = exporter.reports(state.models.filter((m) => m.results.size), state.version, readParams());
  if (!reps.length) { message('Nothing computed yet.', 'info'); return; }
  const base = reps.length === 1 ? exporter.safeName(reps[0].model) : 'idscope-results';
  exporter.download(format === 'csv' ? exporter.csvBlob(reps, columns) : exporter.jsonBlob(reps), `${base}.${format}`);
}

// ---------- events ----------

function wire() {
  $('#file-input').addEventListener('change', (e) => { openFiles(e.target.files); e.target.value = ''; });
  $('#demo-button').addEventListener('click', () => {
    state.paused = false;
    const loading = [...state.pending.values()].some((p) => p.demo);
    if (!loading && !state.models.some((m) => m.demo)) openDemo();
  });
  $('#run-button').addEventListener('click', () => { state.paused = false; pump(); });
  $('#cancel-button').addEventListener('click', cancel);
  document.addEventListener('keydown', (e) => { if (e.key === 'Escape' && client.busy) cancel(); });
  form.addEventListener('change', (e) => {
    if (e.target.name === 'per_class') e.target.dataset.touched = '1';
    if (!form.checkValidity()) { message('A parameter is out of range; the results shown are for the previous values.', 'info'); }
    state.paused = false;
    render();
    pump();
  });
  form.addEventListener('submit', (e) => e.preventDefault());
  for (const id of ['#opt-logx', '#opt-logy', '#opt-depth', '#opt-classes']) $(id).addEventListener('change', () => charts?.invalidate());
  $('#lecture').addEventListener('change', (e) => { document.body.classList.toggle('lecture', e.target.checked); charts?.invalidate(); });
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => charts?.invalidate());
  $('#export-csv').addEventListener('click', () => exportResults('csv'));
  $('#export-json').addEventListener('click', () => exportResults('json'));

  const overlay = $('#drop-overlay');
  let depth = 0;
  const hasFiles = (e) => [...(e.dataTransfer?.types ?? [])].includes('Files');
  document.addEventListener('dragenter', (e) => { if (hasFiles(e)) { depth += 1; overlay.hidden = false; } });
  document.addEventListener('dragleave', () => { depth = Math.max(0, depth - 1); if (!depth) overlay.hidden = true; });
  document.addEventListener('dragover', (e) => { if (hasFiles(e)) e.preventDefault(); });
  document.addEventListener('drop', (e) => {
    e.preventDefault();
    depth = 0;
    overlay.hidden = true;
    openFiles(e.dataTransfer?.files ?? []);
  });
}

async function main() {
  wire();
  const urls = new URLSearchParams(location.search).getAll('url');
  if (urls.length) openUrls(urls); else openDemo();
  render();
  try {
    await pkg.default({ module_or_path: wasmUrl });
  } catch (e) {
    message(`Could not start WebAssembly: ${e.message}`);
    return;
  }
  defaults = pkg.pageParams();
  formFields = pkg.paramForm();
  buildForm(form, formFields);
  columns = pkg.estimatorColumns();
  writeParams(defaults);
  autoPerClass();
  $('#version').textContent = pkg.version();
  passAdds = new Map(pkg.pass_adds().map((a) => [a.pass, a]));
  layerCharts = pkg.layerCharts();
  charts = new Charts($('#charts'), {
    draw: drawChart,
    options: chartOptions,
    onExport: exportChart,
    onDrawn: () => {
      if (firstPlot === null) {
        firstPlot = performance.now();
        document.body.dataset.firstPlotMs = String(Math.round(firstPlot));
      }
    },
  }, layerCharts);
  window.idscope.charts = charts;
  setTimeout(warmCharts, 0);
  decorateCards();
  render();
  pump();
  if (document.body.dataset.state === 'loading') document.body.dataset.state = 'idle';
}

// For the end-to-end tests and the console: the state and a way to make the worker trap.
window.idscope = { state, client, cancel, pump, comparison: () => comparison };

main();
