// The page: loading (drop, picker, ?url=, demo), the layer/result tables, the run queue with
// progress, cancel and crash recovery, the charts and the exports. Compute happens in worker.js;
// this thread only draws (plotters lays out text with the DOM, so charts are drawn here).

import init, { draw_chart as drawChart, svg_chart as svgChart, version as wasmVersion } from './pkg/idscope.js';
import { WorkerClient } from './worker-client.js';
import { renderTables, setRowProgress } from './layers-table.js';
import { Charts } from './charts.js';
import * as exporter from './export.js';
import { readParams as readForm, writeParams as writeForm, paramsKey } from './params.js';

const $ = (sel) => document.querySelector(sel);
const form = $('#params');
const modelsEl = $('#models');
const messagesEl = $('#messages');
const readParams = () => readForm(form);
const writeParams = (p) => writeForm(form, p);

const state = {
  models: [], // {id, name, files, info, order, excluded, results: Map(layer → {key, result}), progress, failed, demo, restored, params}
  pending: new Map(), // model id → {name, files, demo} while the worker opens it
  nextModel: 1,
  nextJob: 1,
  selected: null, // {model, layer}
  paused: false,
  run: null, // {start, done} while computing
  version: '',
  firstRunStart: null, // when the first computation started (for the long-task check)
};

let charts = null;
let firstPlot = null;

const client = new WorkerClient(new URL('./worker.js', import.meta.url), {
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

function openModel(source, { name, demo = false } = {}) {
  const id = state.nextModel++;
  state.paused = false; // loading something means: compute it
  state.pending.set(id, { name, files: source.names, demo });
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
    return;
  }
  if (!p.demo) for (const m of state.models.filter((x) => x.demo)) removeModel(m, false);
  state.models.push({
    id, name: p.name ?? info.name, files: info.files, info, demo: p.demo, restored: false,
    order: info.layers.map((_, i) => i), excluded: new Set(), results: new Map(), progress: new Map(), failed: new Map(),
  });
  render();
  pump();
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
    // The trained network first, so its plots appear first; then the shuffled-label twin.
    for (const m of demo.models.filter((x) => !/untrained/.test(x.file))) {
      openModel({ urls: [new URL(`www/demo/${m.file}`, document.baseURI).href], names: [m.file] }, { name: m.name, demo: true });
    }
  } catch (e) {
    message(`Could not load the demo: ${e.message}`);
  }
}

/** Results files (schema idscope/1) become models that show their results and are not recomputed. */
function restore(reports) {
  for (const r of reports) {
    const id = state.nextModel++;
    const layers = r.layers.map((l) => ({ name: l.name, rows: l.n_input, cols: l.dim, dtype: '', byte_size: null }));
    state.models.push({
      id, name: r.model, files: [], info: { layers, skipped: [] }, demo: false, restored: true, params: r.params,
      order: layers.map((_, i) => i), excluded: new Set(), failed: new Map(), progress: new Map(),
      results: new Map(r.layers.map((l, i) => [i, { key: 'restored', result: l }])),
    });
  }
  if (reports[0]?.params) writeParams(reports[0].params);
  state.selected = null;
  render();
  pump();
}

function removeModel(m, rerender = true) {
  state.models = state.models.filter((x) => x !== m);
  if (!m.restored) client.close(m.id);
  if (state.selected?.model === m.id) state.selected = null;
  if (rerender) { render(); pump(); }
}

// ---------- computing ----------

function pump() {
  if (client.busy) return;
  if (state.paused || !form.checkValidity()) { setRunning(false); return; }
  const params = readParams();
  const key = paramsKey(params);
  for (const m of state.models) {
    if (m.restored) continue;
    for (const i of m.order) {
      if (m.excluded.has(i) || m.results.get(i)?.key === key || m.failed.get(i)?.key === key) continue;
      if (!state.run) state.run = { start: performance.now() };
      state.firstRunStart ??= state.run.start;
      m.progress.set(i, 0);
      client.analyse({ job: state.nextJob++, model: m.id, layer: i, params, key });
      setRunning(true);
      return;
    }
  }
  state.run = null;
  setRunning(false);
}

function onLayer(job, result) {
  const m = state.models.find((x) => x.id === job.model);
  if (m) {
    m.results.set(job.layer, { key: job.key, result });
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
    state.pending.delete(msg.model);
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

/** Overall progress and ETA over the layers this run computes. */
function overall(current) {
  const key = paramsKey(readParams());
  let total = 0;
  let done = 0;
  for (const m of state.models) {
    if (m.restored) continue;
    for (const i of m.order) {
      if (m.excluded.has(i)) continue;
      total += 1;
      if (m.results.get(i)?.key === key) done += 1;
    }
  }
  if (!total || !state.run) return;
  const fraction = Math.min(1, (done + current) / total);
  $('#overall-progress').value = fraction;
  const elapsed = (performance.now() - state.run.start) / 1000;
  const eta = fraction > 0.02 && elapsed > 0.5 ? ` · about ${Math.ceil((elapsed * (1 - fraction)) / fraction)} s left` : '';
  $('#run-status').textContent = `${done} of ${total} layers${eta}`;
}

// ---------- view ----------

function render() {
  const key = paramsKey(readParams());
  renderTables(modelsEl, state.models, {
    selected: state.selected,
    key,
    on: {
      select: (m, i) => { state.selected = { model: m.id, layer: i }; render(); },
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

let shownLayer = null;
let shownSeries = '';

function updateCharts() {
  if (!charts) return;
  const series = state.models
    .filter((m) => m.results.size)
    .map((m) => ({ model: m.name, layers: m.order.filter((i) => !m.excluded.has(i)).map((i) => m.results.get(i)?.result ?? null) }));
  const sig = JSON.stringify(series.map((s) => [s.model, s.layers.map((l) => (l ? `${l.name}:${l.twonn.fit.id}` : null))]));
  if (sig !== shownSeries) {
    shownSeries = sig;
    charts.set('hunchback', series.length ? series : undefined);
  }
  let owner = state.selected && state.models.find((m) => m.id === state.selected.model);
  let sel = owner?.results.get(state.selected.layer);
  if (!sel) {
    owner = state.models.find((x) => x.results.size);
    const i = owner?.order.find((j) => owner.results.has(j));
    sel = owner ? owner.results.get(i) : undefined;
  }
  const layer = sel?.result;
  if (layer !== shownLayer) {
    shownLayer = layer;
    const subtitle = layer ? `${owner.name} · ${layer.name}` : '';
    for (const k of ['mu', 'cdf', 'decimation', 'gride', 'spectrum']) charts.set(k, layer, subtitle);
  }
}

function chartOptions() {
  return {
    dark: matchMedia('(prefers-color-scheme: dark)').matches,
    log_x: $('#opt-logx').checked,
    log_y: $('#opt-logy').checked,
    depth: $('#opt-depth').checked,
    zoom: $('#lecture').checked ? 1.4 : 1,
  };
}

function exportName(kind) {
  if (kind === 'hunchback') return state.models.length === 1 ? `${state.models[0].name}-hunchback` : 'hunchback';
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

function exportResults(format) {
  const reps = exporter.reports(state.models.filter((m) => m.results.size), state.version, readParams());
  if (!reps.length) { message('Nothing computed yet.', 'info'); return; }
  const base = reps.length === 1 ? exporter.safeName(reps[0].model) : 'idscope-results';
  exporter.download(format === 'csv' ? exporter.csvBlob(reps) : exporter.jsonBlob(reps), `${base}.${format}`);
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
  form.addEventListener('change', () => {
    if (!form.checkValidity()) { message('A parameter is out of range; the results shown are for the previous values.', 'info'); }
    state.paused = false;
    render();
    pump();
  });
  form.addEventListener('submit', (e) => e.preventDefault());
  for (const id of ['#opt-logx', '#opt-logy', '#opt-depth']) $(id).addEventListener('change', () => charts?.invalidate());
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
    await init();
  } catch (e) {
    message(`Could not start WebAssembly: ${e.message}`);
    return;
  }
  $('#version').textContent = wasmVersion();
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
  });
  window.idscope.charts = charts;
  updateCharts();
  if (document.body.dataset.state === 'loading') document.body.dataset.state = 'idle';
}

// For the end-to-end tests and the console: the state and a way to make the worker trap.
window.idscope = { state, client, cancel, pump };

main();
