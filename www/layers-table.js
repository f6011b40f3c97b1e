// The per-model table: what was loaded (from the headers, at once) and, as layers complete, their
// results: the estimators' columns (www/columns.js, listed by the core), then N used, duplicates
// and time. Rows can be excluded and reordered; clicking a row selects the layer the per-layer
// charts show. Full re-render on structural changes; progress bars are updated in place.

import { at, cellClass, details, tableColumns } from './columns.js';

const HEAD = ['', '#', 'layer', 'N × D', 'dtype', 'size', 'progress'];
const TAIL = [['N used', 'n-used'], ['dups dropped', 'dups'], ['time', 'time']];

export function bytes(n) {
  if (n === null || n === undefined) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i += 1; }
  return `${v < 10 && i > 0 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

const fmt = (v, d = 2) => (Number.isFinite(v) ? v.toFixed(d) : '—');

/**
 * @param {HTMLElement} container
 * @param {object[]} models   page models (see www/store.js)
 * @param {object} ui  {selected: {model, layer} | null, key: current params key, columns: the core's
 *   estimator columns, on: handlers}
 */
export function renderTables(container, models, ui) {
  container.replaceChildren(...models.map((m) => modelBlock(m, ui)));
}

function modelBlock(m, ui) {
  const div = document.createElement('div');
  div.className = m.hidden ? 'model hidden-model' : 'model';
  div.dataset.model = m.id;
  const h2 = document.createElement('h2');
  h2.textContent = m.name;
  const small = document.createElement('small');
  small.textContent = m.restored ? 'restored from results file' : m.files.join(', ');
  const remove = button('Remove', `Remove ${m.name}`, () => ui.on.remove(m));
  h2.append(small, remove);
  div.append(h2);
  if (m.info?.skipped?.length) {
    const p = document.createElement('p');
    p.className = 'skipped';
    p.textContent = `Skipped: ${m.info.skipped.map(([n, why]) => `${n} (${why})`).join('; ')}`;
    div.append(p);
  }
  const table = document.createElement('table');
  table.className = 'layers';
  const thead = table.createTHead().insertRow();
  const shown = tableColumns(ui.columns);
  for (const h of [...HEAD, ...shown.map((c) => (c.spread ? `${c.header} ± std` : c.header)), ...TAIL.map(([t]) => t), '']) {
    const th = document.createElement('th');
    th.textContent = h;
    thead.append(th);
  }
  const body = table.createTBody();
  m.order.forEach((i, pos) => body.append(row(m, i, pos, ui)));
  div.append(table);
  return div;
}

function row(m, i, pos, ui) {
  const layer = m.info.layers[i];
  const tr = document.createElement('tr');
  tr.dataset.model = m.id;
  tr.dataset.layer = i;
  const excluded = m.excluded.has(i);
  const res = m.results.get(i);
  const failed = m.failed.get(i);
  if (excluded) tr.classList.add('excluded');
  if (res && !m.restored && res.key !== ui.key) tr.classList.add('stale');
  if (ui.selected && ui.selected.model === m.id && ui.selected.layer === i) tr.classList.add('selected');

  const keep = document.createElement('input');
  keep.type = 'checkbox';
  keep.checked = !excluded;
  keep.title = 'Include this layer';
  keep.setAttribute('aria-label', `Include ${layer.name}`);
  keep.addEventListener('click', (e) => e.stopPropagation());
  keep.addEventListener('change', () => ui.on.exclude(m, i, !keep.checked));
  td(tr, '', 'keep').append(keep);
  td(tr, String(pos), 'pos');
  td(tr, layer.name, 'name');
  td(tr, `${layer.rows} × ${layer.cols}`, 'shape');
  td(tr, layer.dtype || '—', 'dtype');
  td(tr, bytes(layer.byte_size), 'size');
  const prog = document.createElement('progress');
  prog.max = 1;
  prog.value = m.progress.get(i) ?? (res ? 1 : 0);
  td(tr, '', 'progress').append(prog);

  const shown = tableColumns(ui.columns);
  if (failed && !res) {
    const c = td(tr, failed.message, 'failed');
    c.colSpan = shown.length + TAIL.length;
  } else if (res) {
    const r = res.result;
    for (const c of shown) resultCell(tr, ui.columns, c, r, res.partial);
    td(tr, r.subsampled_out ? `${r.n} (of ${r.n_input})` : String(r.n), 'result n-used');
    td(tr, String(r.duplicates.dropped + r.duplicates.zero_r1_excluded), 'result dups');
    td(tr, `${fmt(r.seconds * 1000, 0)} ms`, 'result time');
  } else {
    for (const c of [...shown.map(cellClass), ...TAIL.map(([, cls]) => cls)]) td(tr, excluded ? '' : '…', `result ${c}`);
  }
  const move = td(tr, '', 'move');
  move.append(
    button('↑', `Move ${layer.name} up`, () => ui.on.move(m, pos, -1), pos === 0),
    button('↓', `Move ${layer.name} down`, () => ui.on.move(m, pos, 1), pos === m.order.length - 1),
  );
  tr.addEventListener('click', () => ui.on.select(m, i));
  return tr;
}

/**
 * Column `c`'s cell of result `r`: "value ± spread" (the value and spread also as data-value and
 * data-std), its detail columns as the tooltip; "…" while a later pass may still add it.
 */
function resultCell(tr, columns, c, r, partial) {
  const v = at(r, c.value);
  const sd = c.spread ? at(r, c.spread) : undefined;
  if (!Number.isFinite(v)) return td(tr, partial ? '…' : '—', `result ${cellClass(c)}`);
  const cell = td(tr, Number.isFinite(sd) ? `${fmt(v, c.digits)} ± ${fmt(sd, c.digits)}` : fmt(v, c.digits), `result ${cellClass(c)}`);
  cell.dataset.value = v;
  if (Number.isFinite(sd)) cell.dataset.std = sd;
  const more = details(columns, c).map((d) => [d.key, at(r, d.value)]).filter(([, x]) => Number.isFinite(x));
  if (more.length) cell.title = more.map(([k, x]) => `${k} ${fmt(x, c.digits)}`).join(' · ');
  return cell;
}

function td(tr, text, cls) {
  const c = tr.insertCell();
  c.textContent = text;
  if (cls) c.className = cls;
  return c;
}

function button(text, label, onClick, disabled = false) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = text;
  b.title = label;
  b.setAttribute('aria-label', label);
  b.disabled = disabled;
  b.addEventListener('click', (e) => { e.stopPropagation(); onClick(); });
  return b;
}

/** Updates one row's progress bar without re-rendering. */
export function setRowProgress(container, model, layer, fraction) {
  const p = container.querySelector(`tr[data-model="${model}"][data-layer="${layer}"] progress`);
  if (p) p.value = fraction;
}
