// The parameter form <-> the core's Params (JSON). The form is built from the core's list of its
// controls (`paramForm`: the page's entries of `estimators::settings()`, each estimator's listed
// beside its parameters) and filled with the core's defaults (`pageParams`: Params::page, the
// paper's with Gride, decimation, PC-ID, the surrogate and the label overlap on); it holds the
// fields a user sets, every other field comes from the defaults. Which passes run with which
// params is the core's pass plan (src/analysis/passes.rs, through `plan` in www/view.js).

/** Builds the form's controls from `fields` (the core's settings the page shows). */
export function buildForm(form, fields) {
  form.replaceChildren(...fields.map(control));
}

function control(f) {
  const label = document.createElement('label');
  label.title = f.help;
  const k = f.kind;
  if (k.type === 'check') {
    label.className = 'check';
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.name = f.name;
    label.append(box, ` ${f.label}`);
    return label;
  }
  let input;
  if (k.type === 'choice') {
    input = document.createElement('select');
    for (const [value, text] of k.options) input.append(new Option(text, value));
  } else {
    input = document.createElement('input');
    input.type = 'number';
    input.min = k.min;
    if (k.max !== null) input.max = k.max;
    input.step = k.step;
    if (k.empty) input.placeholder = k.empty; else input.required = true;
  }
  input.name = f.name;
  label.append(`${f.label} `, input);
  return label;
}

/** The form's params (over `fields`) on top of `base` (the core's defaults). */
export function readParams(form, fields, base = {}) {
  const out = { ...base };
  for (const f of fields) {
    const el = form.elements[f.name];
    if (!el) continue;
    if (f.kind.type === 'check') out[f.name] = el.checked;
    else if (f.kind.type === 'choice') out[f.name] = el.value;
    else out[f.name] = el.value.trim() === '' && f.kind.empty ? null : Number(el.value);
  }
  // wasm memory per worker: a layer larger than this is streamed from its file (src/analysis/streamed/).
  out.memory_limit_mb = MEMORY_LIMIT_MB;
  return out;
}

/**
 * The page's budget for one layer in a worker's wasm memory (MiB): 1024, or `?memory=MB` (a
 * smaller device, or to try the streamed path on a small file).
 */
export const MEMORY_LIMIT_MB = Number(new URLSearchParams(globalThis.location?.search).get('memory')) || 1024;

/** Sets the form's controls (over `fields`) to the values of `p` that it holds. */
export function writeParams(form, fields, p) {
  for (const f of fields) {
    const el = form.elements[f.name];
    const v = p[f.name];
    if (!el || v === undefined) continue;
    if (f.kind.type === 'check') { if (typeof v === 'boolean') el.checked = v; } else el.value = v ?? '';
  }
}
