// The Learn view: generated points of known ID, one point's neighbours, and the live TwoNN/Gride
// statistics, stepped through as a lecture. The worker computes (www/learn/worker.js); this page
// draws (plotters text needs the main thread) and keeps the state in the URL.

import init, { draw_chart } from '../pkg/idscope_page.js';
import { LessonClient } from './client.js';
import { DataView, sub } from './view.js';
import { STEPS } from './steps.js';
import { fromQuery, toQuery, maxOrder, STEP_COUNT } from './state.js';

const PRESENTATION_ZOOM = 1.7;
/** Charts of the slower estimates, which arrive in a second reply. */
const SCALE_CHARTS = ['gride', 'decimation'];
const $ = (sel) => document.querySelector(sel);
const form = $('#controls');
const state = fromQuery(location.search);
const lesson = { key: null, points: null, dim: 2, trueId: null, result: null, labels: null, overlap: null, density: null, scales: false, gride: null, readout: null, hover: -1, timings: [] };
let inputPending = false;
let chartsPending = 0;

const view = new DataView($('#data'), {
  hover: (i) => { if (i !== lesson.hover) { lesson.hover = i; askReadout(); } },
  pick: (i) => { state.point = i; lesson.hover = -1; saveUrl(); askReadout(); },
  rotate: (yaw, pitch) => { Object.assign(state, { yaw, pitch }); view.setView(yaw, pitch); saveUrl(); },
});
const client = new LessonClient(onReply, (message) => {
  showStatus(`The computation crashed and was restarted: ${message}`, true);
  lesson.key = null;
  compute();
});

function dataKey() {
  return `${state.manifold}|${state.points}|${state.noise}|${state.seed}`;
}

function compute() {
  client.send({ type: 'compute', key: dataKey(), manifold: state.manifold, points: state.points, noise: state.noise, seed: state.seed, n: state.n });
  setBusy();
}

/** Asks for the read-out of the hovered point, else the picked one; clears it when neither. */
function askReadout() {
  const index = lesson.hover >= 0 ? lesson.hover : state.point;
  if (index < 0 || !lesson.points || index >= lesson.points.length / lesson.dim) {
    lesson.readout = null;
    view.setReadout(null, state.gride);
    showReadout();
    return;
  }
  client.send({ type: 'readout', key: lesson.key, index, n: state.n });
}

function onReply(msg) {
  if (msg.type === 'computed') {
    lesson.timings.push({ what: msg.data ? 'cloud' : 'gride', ms: msg.ms, points: state.points });
    if (msg.data) {
      const { points, dim, trueId, result, labels, overlap } = msg.data;
      Object.assign(lesson, { key: msg.key, points, dim, trueId, result, labels, overlap, density: null, scales: false });
      view.setLabels(labelled() ? labels : null);
      view.setDensity(null);
      askDensity();
      view.setData(lesson.points, lesson.dim);
      drawCharts();
      askScales();
    }
    lesson.gride = msg.gride;
    showIds();
    const n = lesson.points.length / lesson.dim;
    showStatus(`${n} points${n < state.points ? ` (${state.points - n} exact duplicates kept once)` : ''} · ${msg.data ? 'neighbours and TwoNN' : `Gride at n = ${msg.gride.n1}`} computed in ${msg.ms.toFixed(0)} ms in the worker`);
    askReadout();
  } else if (msg.type === 'scales') {
    if (msg.result && msg.key === lesson.key) {
      lesson.timings.push({ what: 'scales', ms: msg.ms, points: state.points });
      lesson.result = msg.result;
      lesson.scales = true;
      if (currentCharts().some((k) => SCALE_CHARTS.includes(k))) drawCharts();
    }
  } else if (msg.type === 'readout') {
    if (msg.readout && msg.key === lesson.key) {
      lesson.readout = msg.readout;
      view.setReadout(msg.readout, state.gride);
      showReadout();
    }
  } else if (msg.type === 'density') {
    if (msg.density && msg.key === lesson.key) {
      lesson.density = msg.density;
      view.setDensity(densityShown() ? msg.density : null);
      showIds();
    }
  } else if (msg.type === 'error') {
    showStatus(msg.message, true);
  }
  setBusy();
}

const currentCharts = () => STEPS[state.step - 1].charts;
/** Whether the step colours the points by their label. */
const labelled = () => Boolean(STEPS[state.step - 1].labels);
/** Whether the step colours the points by their density. */
const densityShown = () => Boolean(STEPS[state.step - 1].density);

/** Asks for the densities and peaks at the current Z when the step shows them. */
function askDensity() {
  if (lesson.key && densityShown()) client.send({ type: 'density', key: lesson.key, z: state.z });
}

/** Asks for the Gride scales and the decimation when the step shows them and they are missing. */
function askScales() {
  if (lesson.key && !lesson.scales && currentCharts().some((k) => SCALE_CHARTS.includes(k))) {
    client.send({ type: 'scales', key: lesson.key });
  }
}

function setBusy() {
  document.body.dataset.state = inputPending || client.busy || chartsPending > 0 ? 'computing' : 'idle';
}

// --- statistics ---------------------------------------------------------------------------------

const fmt = (v, digits = 2) => (Number.isFinite(v) ? v.toFixed(digits) : '—');

function showIds() {
  const e = lesson.result;
  const g = lesson.gride;
  const rows = [
    ['id-true', 'manifold’s ID', String(lesson.trueId), lesson.trueId],
    ['id-ml', 'TwoNN, max. likelihood', `${fmt(e.twonn.ml.id)} [${fmt(e.twonn.ml.ci_low)}, ${fmt(e.twonn.ml.ci_high)}]`, e.twonn.ml.id],
    ['id-fit', 'TwoNN, CDF fit', fmt(e.twonn.fit.id), e.twonn.fit.id],
    ['id-gride', `Gride, n = ${g.n1} (r${sub(g.n2)}/r${sub(g.n1)})`, `${fmt(g.id)} ± ${fmt(g.err)}`, g.id],
  ];
  const o = lesson.overlap;
  if (labelled() && o) rows.push(['overlap', `χ with the labels (k = ${o.k}, halves)`, fmt(o.overlap, 3), o.overlap]);
  const dn = lesson.density;
  if (densityShown() && dn) rows.push(['peaks', `density peaks at Z = ${dn.z} (d = ${fmt(dn.d)})`, String(dn.centers.length), dn.centers.length]);
  const dl = $('#ids');
  dl.replaceChildren();
  for (const [id, label, text, value] of rows) {
    const dt = document.createElement('dt');
    dt.textContent = label;
    const dd = document.createElement('dd');
    dd.id = id;
    dd.textContent = text;
    dd.dataset.value = String(value);
    dl.append(dt, dd);
  }
}

function showReadout() {
  const el = $('#readout');
  const o = lesson.readout;
  if (!o) {
    el.textContent = 'Click or hover a point.';
    delete el.dataset.mu;
    delete el.dataset.muN;
    delete el.dataset.index;
    delete el.dataset.overlap;
    return;
  }
  el.dataset.index = String(o.index);
  el.dataset.mu = String(o.mu);
  el.dataset.muN = String(o.mu_n);
  el.dataset.overlap = String(o.overlap);
  if (labelled()) {
    const k = o.overlap_labels.length;
    const same = o.overlap_labels.filter((l) => l === o.label).length;
    el.textContent = `point ${o.index} (half ${o.label + 1}): ${same} of its ${k} nearest neighbours share its label, χ = ${o.overlap.toFixed(2)}`;
    return;
  }
  const twonn = `point ${o.index}: r₁ = ${o.r1.toPrecision(3)}, r₂ = ${o.r2.toPrecision(3)}, μ = r₂/r₁ = ${o.mu.toFixed(3)}`;
  const gride = `r${sub(o.n)} = ${o.rn.toPrecision(3)}, r${sub(2 * o.n)} = ${o.r2n.toPrecision(3)}, r${sub(2 * o.n)}/r${sub(o.n)} = ${o.mu_n.toFixed(3)}`;
  el.textContent = state.gride ? `${twonn} · ${gride}` : twonn;
}

// Two charts beside the data, one per task so the page never stalls.
function drawCharts() {
  if (!lesson.result) return;
  const kinds = currentCharts();
  chartsPending += kinds.length;
  setBusy();
  kinds.forEach((kind, i) => setTimeout(() => {
    const t0 = performance.now();
    drawChart($(i === 0 ? '#chart-a' : '#chart-b'), kind);
    lesson.timings.push({ what: `chart ${kind}`, ms: performance.now() - t0, points: state.points });
    chartsPending -= 1;
    setBusy();
  }, 0));
}

function drawChart(canvas, kind) {
  const dpr = window.devicePixelRatio || 1;
  const zoom = state.big ? PRESENTATION_ZOOM : 1;
  const w = Math.max(280, canvas.parentElement.clientWidth - 10);
  const h = Math.round(w * 0.62);
  canvas.width = Math.round(w * dpr);
  canvas.height = Math.round(h * dpr);
  canvas.dataset.kind = kind;
  canvas.setAttribute('aria-label', { mu: 'μ histogram and Pareto density', cdf: 'CDF fit', gride: 'Gride ID vs scale', decimation: 'ID vs number of points' }[kind]);
  const dark = window.matchMedia('(prefers-color-scheme: dark)').matches;
  // The slower estimates arrive in a second reply: until then the figure says so.
  const waiting = SCALE_CHARTS.includes(kind) && !lesson.scales;
  canvas.parentElement.classList.toggle('pending', waiting);
  if (waiting) return;
  try {
    draw_chart(canvas, kind, lesson.result, { dark, scale: dpr * zoom });
  } catch (e) {
    showStatus(`${kind} chart: ${e instanceof Error ? e.message : e}`, true);
  }
}

function showStatus(text, error = false) {
  const el = $('#status');
  el.textContent = text;
  el.classList.toggle('error', error);
}

// --- steps, controls, keys, URL -----------------------------------------------------------------

function renderSteps() {
  const ol = $('#steps');
  ol.replaceChildren(...STEPS.map((s, i) => {
    const li = document.createElement('li');
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = `${i + 1}. ${s.title}`;
    b.addEventListener('click', () => goTo(i + 1));
    if (i + 1 === state.step) { li.className = 'current'; b.setAttribute('aria-current', 'step'); }
    li.append(b);
    return li;
  }));
  const step = STEPS[state.step - 1];
  $('#caption').textContent = `${state.step}. ${step.title}: ${step.caption}`;
  $('#prev').disabled = state.step === 1;
  $('#next').disabled = state.step === STEP_COUNT;
}

function goTo(number) {
  const to = Math.min(STEP_COUNT, Math.max(1, number));
  if (to === state.step) return;
  const forward = to > state.step;
  const step = STEPS[to - 1];
  state.step = to;
  state.gride = Boolean(step.gride);
  const noise = forward && step.noise !== undefined && state.noise === 0;
  if (noise) state.noise = step.noise;
  const switched = forward && step.manifold !== undefined && state.manifold !== step.manifold;
  if (switched) Object.assign(state, { manifold: step.manifold, noise: 0, point: -1 });
  const recompute = noise || switched;
  syncControls();
  renderSteps();
  saveUrl();
  if (recompute) compute(); else { drawCharts(); askScales(); }
  view.setLabels(labelled() ? lesson.labels : null);
  view.setDensity(densityShown() ? lesson.density : null);
  if (!recompute && densityShown() && !lesson.density) askDensity();
  view.setReadout(lesson.readout, state.gride);
  showReadout();
  if (lesson.result) showIds();
}

function syncControls() {
  form.manifold.value = state.manifold;
  form.points.value = String(state.points);
  form.noise.value = String(state.noise);
  form.seed.value = String(state.seed);
  form.n.max = String(maxOrder(state.points));
  form.n.value = String(state.n);
  form.z.value = String(state.z);
  form['z-out'].value = state.z.toFixed(2);
  form.gride.checked = state.gride;
  form['points-out'].value = String(state.points);
  form['noise-out'].value = state.noise.toFixed(3);
  form['n-out'].value = String(state.n);
  $('#big').checked = state.big;
  document.body.classList.toggle('present', state.big);
  view.setZoom(state.big ? PRESENTATION_ZOOM : 1);
  $('#view-hint').textContent = state.manifold === 'sphere' || state.manifold === 'swiss-roll'
    ? 'Drag to rotate (or W A S D). ← → step through the lesson, F full screen, P presentation size.'
    : '← → step through the lesson, F full screen, P presentation size.';
}

function saveUrl() {
  history.replaceState(null, '', toQuery(state));
}

let timer = 0;
function debounced(fn, ms = 40) {
  clearTimeout(timer);
  inputPending = true;
  setBusy();
  timer = setTimeout(() => { inputPending = false; fn(); }, ms);
}

form.addEventListener('input', (e) => {
  const t = e.target;
  if (t.name === 'manifold') { state.manifold = t.value; state.point = -1; }
  if (t.name === 'points') {
    state.points = Number(t.value);
    if (state.point >= state.points) state.point = -1;
    state.n = Math.min(state.n, maxOrder(state.points));
  }
  if (t.name === 'noise') state.noise = Number(t.value);
  if (t.name === 'seed') { const s = Number.parseInt(t.value, 10); if (!(s >= 0 && s <= 4294967295)) return; state.seed = s; }
  if (t.name === 'n') state.n = Number(t.value);
  if (t.name === 'gride') state.gride = t.checked;
  if (t.name === 'z') state.z = Number(t.value);
  syncControls();
  saveUrl();
  if (t.name === 'z') { askDensity(); return; }
  if (t.name === 'gride') { view.setReadout(lesson.readout, state.gride); showReadout(); askReadout(); return; }
  debounced(compute);
});
form.addEventListener('submit', (e) => e.preventDefault());

$('#prev').addEventListener('click', () => goTo(state.step - 1));
$('#next').addEventListener('click', () => goTo(state.step + 1));
$('#big').addEventListener('change', (e) => setBig(e.target.checked));
$('#fullscreen').addEventListener('click', toggleFullscreen);

function setBig(big) {
  state.big = big;
  syncControls();
  saveUrl();
  drawCharts();
}

function toggleFullscreen() {
  const done = document.fullscreenElement ? document.exitFullscreen() : document.documentElement.requestFullscreen();
  done.catch((e) => showStatus(`Full screen is not available: ${e.message}`, true));
}

/** Keys a focused slider keeps (← → step the lecture even there). */
const SLIDER_KEYS = ['ArrowUp', 'ArrowDown', 'PageUp', 'PageDown', 'Home', 'End'];

/** Whether the focused element `t` keeps `key`: a text field every key; otherwise ← → step the
 * lecture, a list keeps the rest (↑ ↓, type-ahead), a slider its ↑ ↓ PageUp PageDown Home End. */
function keptByControl(t, key) {
  const input = t instanceof HTMLInputElement;
  if (t instanceof HTMLTextAreaElement || (input && t.type !== 'range' && t.type !== 'checkbox')) return true;
  if (key === 'ArrowLeft' || key === 'ArrowRight') return false;
  return t instanceof HTMLSelectElement || (input && t.type === 'range' && SLIDER_KEYS.includes(key));
}

document.addEventListener('keydown', (e) => {
  if (e.ctrlKey || e.metaKey || e.altKey || keptByControl(e.target, e.key)) return;
  const rotate = { a: [-10, 0], d: [10, 0], w: [0, -10], s: [0, 10] }[e.key.toLowerCase()];
  if (e.key === 'ArrowRight' || e.key === 'PageDown') goTo(state.step + 1);
  else if (e.key === 'ArrowLeft' || e.key === 'PageUp') goTo(state.step - 1);
  else if (e.key === 'f' || e.key === 'F') toggleFullscreen();
  else if (e.key === 'p' || e.key === 'P') setBig(!state.big);
  else if (rotate && lesson.dim === 3) {
    state.yaw = (state.yaw + rotate[0] + 360) % 360;
    state.pitch = Math.min(90, Math.max(-90, state.pitch + rotate[1]));
    view.setView(state.yaw, state.pitch);
    saveUrl();
  } else return;
  e.preventDefault();
});

let resizeTimer = 0;
window.addEventListener('resize', () => { clearTimeout(resizeTimer); resizeTimer = setTimeout(drawCharts, 100); });

// Exposed for the end-to-end tests and the console.
window.idscopeLearn = { state, lesson, view, client, dataKey };

await init();
syncControls();
renderSteps();
view.setView(state.yaw, state.pitch);
saveUrl();
compute();
