// The page: loading (drop, picker, ?url=, demo), the models panel and the layer/result tables,
// the run queue (the core's pass plan) with progress, cancel and crash recovery, the charts and
// the exports. The state lives in one store (www/store.js: state + named actions); every change
// re-renders from it and its derived view (www/view.js: plan, comparison, chart data, computed
// once per change). Compute happens in worker.js; this thread only draws (plotters lays out text
// with the DOM, so charts are drawn here).

import * as pkg from './pkg/idscope_page.js';
import { workerUrl } from './simd.js';
import { WorkerClient } from './worker-client.js';
import { renderTables, setRowProgress } from './layers-table.js';
import { renderModelsPanel } from './models-panel.js';
import { Charts } from './charts.js';
import * as exporter from './export.js';
import { nearestOf, same } from './analyses.js';
import { derive } from './view.js';
import { Store } from './store.js';
import { correlationTable } from './correlation-table.js';
import { buildForm, readParams as readForm, writeParams as writeForm } from './params.js';

const $ = (sel) => document.querySelector(sel);
const form = $('#params');
const modelsEl = $('#models');
const messagesEl = $('#messages');

/**
 * What the core lists once the wasm has started: its defaults, the form's controls (`paramForm`),
 * the estimators' result columns (`estimatorColumns`), the per-layer charts (`layerCharts`), and
 * the functions the derived view calls. Null before.
 */
let core = null;
const store = new Store((s) => derive(s, core));
const readParams = () => readForm(form, core.formFields, core.defaults);

let charts = null;
let firstPlot = null;

const client = new WorkerClient(workerUrl(new URL('./worker.js', import.meta.url)), {
  ready: (v) => store.setVersion(v),
  opened: onOpened,
  layer: (job, result) => store.layerDone(job, result),
  ranks: (job, ranks) => store.ranksDone(job, ranks),
  progress: (job, fraction) => store.progress(job, fraction),
  error: onError,
  crash: onCrash,
  path: (job, text) => { $('#search-path').textContent = `Neighbour search: ${text}`; },
  notice: (job, text) => message(`${store.model(job.model)?.info.layers[job.layer]?.name ?? `layer ${job.layer}`}: ${text}`, 'info'),
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
  const id = store.opening({ name, files: source.names, demo, accuracy, then });
  client.open({ type: 'open', model: id, ...source });
  return id;
}

function onOpened(id, info) {
  const p = store.settle(id);
  if (!p) { client.close(id); return; }
  if (!info.layers.length) {
    message(`${p.files.join(', ')}: no layers found${info.skipped.length ? ` (skipped: ${info.skipped.map((s) => `${s[0]}: ${s[1]}`).join('; ')})` : ''}`);
    client.close(id);
    p.then?.();
    return;
  }
  if (p.demo && store.state.models.some((m) => !m.demo)) { client.close(id); return; } // the user's files came first
  for (const m of store.add(id, p, info)) client.close(m.id); // the user's files replace the demo
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

/** Results files become models shown as they were computed; the form takes the first one's params. */
function restore(reports) {
  const params = core && reports[0]?.params;
  if (params) writeForm(form, core.formFields, params);
  store.restore(reports, params ? { params: readParams(), valid: form.checkValidity() } : null);
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

function removeModel(m) {
  store.remove(m);
  if (!m.restored) client.close(m.id);
}

// ---------- computing ----------

/** Sends the plan's next job to the worker, unless it is busy, paused, or the params are out of range. */
function pump() {
  if (client.busy) return;
  const s = store.state;
  if (s.paused || !s.valid) { setRunning(false); return; }
  const next = store.view().plan.jobs.find((j) => {
    const failed = store.model(j.model)?.failed.get(j.layer);
    return !j.done && failed?.key !== j.key;
  });
  if (!next) {
    if (s.run) store.runEnded();
    setRunning(false);
    return;
  }
  const first = s.firstRunStart === null;
  const job = store.jobStarted({ model: next.model, layer: next.layer });
  if (first) performance.mark('idscope:first-run'); // where the bench's task budget starts counting (page-load.mjs)
  const request = { job, model: next.model, layer: next.layer, params: next.params, key: next.key, pass: next.pass };
  if (next.pass === 'ranks') {
    // The nearest neighbours of each target layer, from its kept lists, ranked in this layer's rows.
    const m = store.model(next.model);
    const lists = next.targets.map((t) => nearestOf(m.results.get(t).full.neighbourhood));
    client.rank({ ...request, targets: next.targets, lists });
  } else {
    client.analyse({ ...request, partial: next.partial, streamed: next.streamed });
  }
  setRunning(true);
}

function onError(msg, job) {
  message(msg.message || 'unknown error');
  if (job) {
    store.layerFailed(job, msg.message);
  } else {
    store.settle(msg.model)?.then?.(); // the next demo model still opens
  }
}

function onCrash(text, job, lost) {
  message(`The computation crashed and was restarted: ${text}`);
  if (job) store.layerFailed(job, `crashed: ${text}`); // first, so the next pump does not retry it
  store.lose(lost);
}

function cancel() {
  const job = client.cancel();
  store.cancelled(job);
  // Models the old worker was still opening are re-opened by the fresh worker on its first request.
  setRunning(false);
  $('#run-status').textContent = job ? 'Cancelled.' : '';
}

function setRunning(running) {
  document.body.dataset.state = running ? 'running' : 'idle';
  $('#cancel-button').disabled = !running;
  $('#run-button').disabled = running;
  if (!running) {
    $('#overall-progress').value = store.state.models.some((m) => m.results.size) ? 1 : 0;
    if (!store.state.paused) $('#run-status').textContent = '';
  } else {
    overall(0);
  }
}

/** Overall progress and ETA over the jobs this run computes. */
function overall(current) {
  const list = store.view().plan.jobs;
  const run = store.state.run;
  const total = list.length;
  const done = list.filter((j) => j.done).length;
  if (!total || !run) return;
  const fraction = Math.min(1, (done + current) / total);
  $('#overall-progress').value = fraction;
  const elapsed = (performance.now() - run.start) / 1000;
  const eta = fraction > 0.02 && elapsed > 0.5 ? ` · about ${Math.ceil((elapsed * (1 - fraction)) / fraction)} s left` : '';
  $('#run-status').textContent = `${done} of ${total} jobs${eta}`;
}

/** Every change re-renders and sends the next job; progress only moves its bars. */
store.subscribe((action, detail, light) => {
  if (action === 'progress') {
    setRowProgress(modelsEl, detail.model, detail.layer, detail.fraction);
    overall(detail.fraction);
    return;
  }
  if (light) return;
  render();
  pump();
});

// ---------- view ----------

let shownError = null; // the comparison's failure last shown, so it is said once

function render() {
  const v = store.view();
  const models = store.state.models;
  if (v.compareError && v.compareError !== shownError) message(v.compareError);
  shownError = v.compareError;
  const box = form.elements.per_class;
  if (box && v.params) box.checked = v.params.per_class;
  renderModelsPanel($('#models-panel'), models, (m) => v.lastHidden.get(m.id) ?? null, {
    rename: (m, name) => store.rename(m, name),
    hide: (m, hidden) => store.hide(m, hidden),
    accuracy: (m, a) => store.setAccuracy(m, a),
    lastHidden: (m, i) => store.setLastHidden(m, i),
  });
  renderTables(modelsEl, models, {
    selected: store.state.selected,
    key: v.key,
    columns: core?.columns ?? [],
    on: {
      select: (m, i) => store.select(m, i),
      exclude: (m, i, ex) => store.exclude(m, i, ex),
      move: (m, pos, d) => store.move(m, pos, d),
      remove: (m) => removeModel(m),
    },
  });
  updateCharts(v);
}

// ---------- charts ----------

/** Cards drawn as a wasm chart kind with extra options: the hunchback with and without PC-ID. */
const ALIASES = { hunchback: ['hunchback', { pc_id: false }], curvature: ['hunchback', { pc_id: true }] };
const wasmKind = (kind) => ALIASES[kind] ?? [kind, {}];
const drawChart = (canvas, kind, data, opts) => { const [k, o] = wasmKind(kind); return pkg.draw_chart(canvas, k, data, { ...opts, ...o }); };
const svgChart = (kind, data, opts, w, h) => { const [k, o] = wasmKind(kind); return pkg.svg_chart(k, data, { ...opts, ...o }, w, h); };

/** Sets a chart's data and subtitle unless unchanged, its note, and shows or hides its card. */
function setChart(kind, { data, subtitle, show, note }) {
  const entry = charts.cards.get(kind);
  if (note !== undefined) entry.card.querySelector('.chart-note').textContent = note;
  const hiddenBefore = entry.card.hidden;
  entry.card.hidden = !show;
  if (same(charts.data.get(kind), data) && entry.subtitle === subtitle) {
    if (hiddenBefore && show) charts.invalidate([kind]);
    return;
  }
  entry.subtitle = subtitle;
  charts.set(kind, data, subtitle);
}

/** Every chart from the view's chart-ready data; the correlation card's picker and table, the overlaps' k too. */
function updateCharts(v) {
  if (!charts || !v.params) return;
  updateCorrelation(v.comparison, v.charts.correlation.data);
  // The k the overlaps used (the kept lists cap it), unless the user is typing one.
  const kInput = charts.cards.get('overlap_profile').card.querySelector('.overlap-k');
  kInput.max = String(v.params.neighbourhood_k ?? 128);
  if (v.overlaps && document.activeElement !== kInput) kInput.value = String(v.overlaps.k);
  for (const [kind, c] of Object.entries(v.charts)) setChart(kind, c);
}

/** The layer picker and the HTML table of the model × model correlation (drawn: the chart's data). */
function updateCorrelation(comparison, drawn) {
  const card = charts.cards.get('correlation').card;
  const picker = card.querySelector('select.layer-picker');
  const choices = comparison?.choices ?? [];
  const sig = choices.map((c) => c.value).join('\n');
  if (picker.dataset.sig !== sig) {
    picker.dataset.sig = sig;
    picker.replaceChildren(...choices.map((c) => new Option(c.label, c.value)));
  }
  const chosen = comparison?.choice?.value;
  if (chosen) picker.value = chosen;
  if (!same(charts.data.get('correlation'), drawn)) {
    card.querySelector('.correlation-table').replaceChildren(...(drawn ? [correlationTable(drawn.ids, drawn.table)] : []));
  }
}

/** The correlation card's layer picker, table and note; the accuracy card's note; every card's data buttons. */
function decorateCards() {
  const card = (k) => charts.cards.get(k).card;
  const picker = document.createElement('select');
  picker.className = 'layer-picker';
  picker.setAttribute('aria-label', 'Layer compared');
  picker.addEventListener('change', () => store.pickCorrelation(picker.value));
  card('correlation').querySelector('header h3').after(picker);
  const k = document.createElement('input');
  Object.assign(k, { type: 'number', min: 1, max: 128, step: 1, value: 10, className: 'overlap-k', title: 'Neighbours the overlaps compare (at most the neighbours kept), recomputed from the kept lists' });
  k.setAttribute('aria-label', 'Overlap k');
  k.addEventListener('change', () => {
    const v = Math.round(Number(k.value));
    if (Number.isFinite(v) && v >= 1) store.pickOverlapK(v);
  });
  card('overlap_profile').querySelector('header h3').after(k);
  const rank = document.createElement('label');
  rank.className = 'imbalance-toggle';
  rank.title = 'Rank each layer\'s nearest neighbours in the last and the first layer, and theirs in it: one exact pass per layer, after the other passes';
  const box = Object.assign(document.createElement('input'), { type: 'checkbox', checked: store.state.imbalance, className: 'imbalance' });
  box.addEventListener('change', () => store.pickImbalance(box.checked));
  rank.append(box, ' rank');
  card('information_plane').querySelector('header h3').after(rank);
  for (const k of ['correlation', 'accuracy', 'surrogate', 'per_class', 'overlap_profile', 'overlap_layers', 'overlap_models', 'information_plane']) {
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
 * Draws the charts a first result draws off screen, one per task, on the core's warm-up layer,
 * while the page waits for its first result: the first draw of a chart compiles its code (wasm
 * and JS glue are compiled lazily, 30–50 ms of CPU here), which would otherwise land in the tasks
 * that draw the first real results. A failure here is left to the real draws to report.
 */
function warmCharts(kinds = WARM, result = null) {
  const [kind, ...rest] = kinds;
  if (!kind || charts.data.size) return;
  let r;
  try {
    r = result ?? pkg.warmupResult();
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
  const { models } = store.state;
  if (['hunchback', 'curvature', 'per_class', 'accuracy', 'nucleation', 'peak_classes'].includes(kind)) return models.length === 1 ? `${models[0].name}-${kind}` : kind;
  if (kind === 'correlation') return `correlation-${charts.data.get('correlation')?.ids.layer ?? ''}`;
  return `${store.view().selected?.result.name ?? 'layer'}-${kind}`;
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
      ? exporter.rowsBlob(core.layerCharts.some((c) => c.kind === kind) ? layerRows(kind, data) : exporter.chartRows(kind, data, extra))
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
  const { models, version } = store.state;
  const reps = exporter.reports(models.filter((m) => m.results.size), version, store.view().params ?? {});
  if (!reps.length) { message('Nothing computed yet.', 'info'); return; }
  const base = reps.length === 1 ? exporter.safeName(reps[0].model) : 'idscope-results';
  exporter.download(format === 'csv' ? exporter.csvBlob(reps, core?.columns ?? []) : exporter.jsonBlob(reps), `${base}.${format}`);
}

// ---------- events ----------

function wire() {
  $('#file-input').addEventListener('change', (e) => { openFiles(e.target.files); e.target.value = ''; });
  $('#demo-button').addEventListener('click', () => {
    const { pending, models } = store.state;
    const loading = [...pending.values()].some((p) => p.demo);
    store.resume();
    if (!loading && !models.some((m) => m.demo)) openDemo();
  });
  $('#run-button').addEventListener('click', () => store.resume());
  $('#cancel-button').addEventListener('click', cancel);
  document.addEventListener('keydown', (e) => { if (e.key === 'Escape' && client.busy) cancel(); });
  form.addEventListener('change', (e) => {
    if (!core) return;
    const valid = form.checkValidity();
    if (!valid) { message('A parameter is out of range; the results shown are for the previous values.', 'info'); }
    store.setParams(readParams(), valid, e.target.name === 'per_class' ? e.target.checked : undefined);
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
    await pkg.default();
  } catch (e) {
    message(`Could not start WebAssembly: ${e.message}`);
    return;
  }
  const defaults = pkg.pageParams();
  core = {
    defaults,
    formFields: pkg.paramForm(),
    columns: pkg.estimatorColumns(),
    layerCharts: pkg.layerCharts(),
    plan: pkg.plan,
    plan_key: pkg.plan_key,
    compare: pkg.compare,
    neighbourhoods: pkg.neighbourhoods,
  };
  buildForm(form, core.formFields);
  writeForm(form, core.formFields, defaults);
  $('#version').textContent = pkg.version();
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
  }, core.layerCharts);
  window.idscope.charts = charts;
  setTimeout(warmCharts, 0);
  decorateCards();
  store.ready(readParams(), pkg.pass_adds());
  if (document.body.dataset.state === 'loading') document.body.dataset.state = 'idle';
}

/**
 * For the end-to-end tests and the console: `snapshot()` (the page as plain data, documented in
 * www/store.js), the charts (`charts.data`, `charts.cards`), the worker client (`busy`, and
 * `panic()` to make a worker trap) and `cancel()`.
 */
window.idscope = { snapshot: () => store.snapshot(), client, cancel };

main();
