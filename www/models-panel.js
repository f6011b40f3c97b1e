// The models panel above the layer tables: one row per model with its editable name, a hide
// toggle, labels, test accuracy or top-5 error, and the last hidden layer. Rows are kept and
// updated in place (a field being edited is never overwritten), so typing survives re-renders.

import { shown } from './analyses.js';

/**
 * @param {HTMLElement} container
 * @param {object[]} models  page models (see www/store.js)
 * @param {(m: object) => number | null} lastHidden  a model's last hidden layer (index), as the core chose it
 * @param {object} on  handlers: rename(m, name), hide(m, hidden), accuracy(m, {measure, value}), lastHidden(m, i)
 */
export function renderModelsPanel(container, models, lastHidden, on) {
  container.hidden = models.length === 0;
  let table = container.querySelector('table');
  if (!table) {
    table = document.createElement('table');
    table.className = 'models-panel';
    table.createTHead().insertRow().append(...['show', 'model', 'layers', 'labels', 'measure', 'value', 'last hidden layer'].map(th));
    table.createTBody();
    container.append(table);
  }
  const body = table.tBodies[0];
  const rows = new Map([...body.rows].map((r) => [r.dataset.model, r]));
  const wanted = models.map((m) => {
    const tr = rows.get(String(m.id)) ?? newRow(m, on);
    update(tr, m, lastHidden(m));
    return tr;
  });
  for (const [id, tr] of rows) if (!models.some((m) => String(m.id) === id)) tr.remove();
  wanted.forEach((tr, i) => { if (body.rows[i] !== tr) body.insertBefore(tr, body.rows[i] ?? null); });
}

function th(text) {
  const c = document.createElement('th');
  c.textContent = text;
  return c;
}

function field(tr, cls, el) {
  const c = tr.insertCell();
  c.className = cls;
  if (el) c.append(el);
  return el ?? c;
}

function newRow(m, on) {
  const tr = document.createElement('tr');
  tr.dataset.model = m.id;
  const show = field(tr, 'show', input('checkbox', 'Show this model in the charts'));
  show.addEventListener('change', () => on.hide(m, !show.checked));
  const name = field(tr, 'name', input('text', 'Model name'));
  name.addEventListener('change', () => { if (name.value.trim()) on.rename(m, name.value.trim()); else name.value = m.name; });
  field(tr, 'layers');
  field(tr, 'labels');
  const measure = field(tr, 'measure', document.createElement('select'));
  measure.setAttribute('aria-label', 'Measure');
  for (const [v, t] of [['accuracy', 'test accuracy'], ['top5_error', 'top-5 error']]) measure.add(new Option(t, v));
  const value = field(tr, 'value', input('number', 'Test accuracy or top-5 error'));
  value.step = 'any';
  value.min = '0';
  value.placeholder = 'none';
  const accuracy = () => on.accuracy(m, { measure: measure.value, value: value.value === '' ? null : Number(value.value) });
  measure.addEventListener('change', accuracy);
  value.addEventListener('change', accuracy);
  const last = field(tr, 'last', document.createElement('select'));
  last.setAttribute('aria-label', 'Last hidden layer');
  last.addEventListener('change', () => on.lastHidden(m, Number(last.value)));
  return tr;
}

function input(type, label) {
  const el = document.createElement('input');
  el.type = type;
  el.setAttribute('aria-label', label);
  el.title = label;
  return el;
}

/** Writes the model's values into its row, leaving alone the field that has the focus. */
function update(tr, m, lastHidden) {
  const set = (el, prop, v) => { if (document.activeElement !== el && el[prop] !== v) el[prop] = v; };
  tr.classList.toggle('hidden-model', Boolean(m.hidden));
  set(tr.querySelector('.show input'), 'checked', !m.hidden);
  set(tr.querySelector('.name input'), 'value', m.name);
  const s = shown(m);
  tr.querySelector('.layers').textContent = `${s.length} of ${m.info.layers.length}`;
  tr.querySelector('.labels').textContent = labelsText(m);
  set(tr.querySelector('.measure select'), 'value', m.accuracy?.measure ?? 'accuracy');
  set(tr.querySelector('.value input'), 'value', Number.isFinite(m.accuracy?.value) ? String(m.accuracy.value) : '');
  const last = tr.querySelector('.last select');
  const sig = s.map((i) => m.info.layers[i].name).join('\n');
  if (last.dataset.sig !== sig) {
    last.dataset.sig = sig;
    last.replaceChildren(...s.map((i) => new Option(m.info.layers[i].name, String(i))));
  }
  if (lastHidden !== null) set(last, 'value', String(lastHidden));
}

function labelsText(m) {
  const classes = new Set();
  for (const { full } of m.results.values()) for (const c of full.classes ?? []) classes.add(c.name);
  if (classes.size) return `${classes.size} classes`;
  if (m.info.labels) return `${m.info.labels.name} (${m.info.labels.len})`;
  return '—';
}
