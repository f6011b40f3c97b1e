// Canvas plumbing for the charts drawn by the wasm `draw_chart` (plotters-canvas): HiDPI sizing,
// one chart per frame (so a redraw never blocks the page for long), hover read-outs, and the
// per-chart PNG/SVG export buttons.

/** The charts across layers and models; the per-layer ones come from the core (`layerCharts`). */
export const MODEL_KINDS = [
  { kind: 'hunchback', title: 'ID vs layer (the hunchback)', wide: true },
  { kind: 'per_class', title: 'Per-class ID vs layer' },
  { kind: 'accuracy', title: 'Last hidden layer ID vs test accuracy' },
  { kind: 'correlation', title: 'Model × model correlation of per-class IDs' },
  { kind: 'curvature', title: 'Curved or flat? TwoNN ID and PC-ID vs layer' },
  { kind: 'overlap_profile', title: 'Neighbourhood overlap vs layer: with the labels, the output, the input', wide: true },
  { kind: 'overlap_layers', title: 'Neighbourhood overlap between layers' },
  { kind: 'overlap_models', title: 'Neighbourhood overlap between the layers of two models' },
  { kind: 'information_plane', title: 'Information plane: each layer against the output and the input' },
  { kind: 'nucleation', title: 'Density peaks vs layer (nucleation)' },
  { kind: 'peak_classes', title: 'Density peaks vs classes: adjusted Rand index and purity' },
];

export class Charts {
  /**
   * @param {HTMLElement} container
   * @param {{draw: Function, onExport: Function, onDrawn: Function, options: Function}} deps
   * @param {{kind: string, title: string}[]} layerKinds  the core's per-layer charts
   */
  constructor(container, deps, layerKinds) {
    this.deps = deps;
    this.data = new Map(); // kind → data (LayerResult, or hunchback series)
    this.cards = new Map();
    this.dirty = new Set();
    this.pending = false;
    this.kinds = [...MODEL_KINDS, ...layerKinds.map((k) => ({ ...k, layer: true }))];
    for (const k of this.kinds) this.#card(container, k);
    new ResizeObserver(() => this.invalidate()).observe(container);
  }

  #card(container, { kind, title, wide, layer }) {
    const card = document.createElement('figure');
    card.className = ['card', wide ? 'wide' : '', layer ? 'layer' : ''].filter(Boolean).join(' ');
    card.dataset.kind = kind;
    card.innerHTML = `<header><h3></h3><button type="button" data-export="png">PNG</button><button type="button" data-export="svg">SVG</button></header><canvas></canvas><div class="tooltip" hidden></div>`;
    card.querySelector('h3').textContent = title;
    const canvas = card.querySelector('canvas');
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', title);
    const tip = card.querySelector('.tooltip');
    const entry = { card, canvas, tip, hovers: [], cssWidth: 0, cssHeight: 0 };
    card.querySelectorAll('[data-export]').forEach((b) => b.addEventListener('click', () => {
      if (!this.data.has(kind)) return;
      const [w, h] = this.#size(entry, kind);
      this.deps.onExport(kind, b.dataset.export, this.data.get(kind), w, h);
    }));
    canvas.addEventListener('mousemove', (e) => this.#hover(entry, e));
    canvas.addEventListener('mouseleave', () => { tip.hidden = true; });
    container.append(card);
    this.cards.set(kind, entry);
  }

  /** Sets what a chart shows (undefined clears it), with an optional subtitle, and schedules its redraw. */
  set(kind, data, subtitle = '') {
    const entry = this.cards.get(kind);
    const { title } = this.kinds.find((k) => k.kind === kind);
    entry.card.querySelector('h3').textContent = subtitle ? `${title}: ${subtitle}` : title;
    if (data === undefined) this.data.delete(kind); else this.data.set(kind, data);
    this.invalidate([kind]);
  }

  invalidate(kinds = [...this.cards.keys()]) {
    for (const k of kinds) this.dirty.add(k);
    if (!this.pending) {
      this.pending = true;
      Charts.#afterFrame(() => this.#drain());
    }
  }

  /**
   * Runs `f` in a task of its own right after the next frame is painted: the page's layout is
   * then clean, so sizing the canvas and plotters' text measurements (spans appended to the body)
   * do not force a relayout of a page that a new result has just changed.
   */
  static #afterFrame(f) {
    requestAnimationFrame(() => setTimeout(f, 0));
  }

  // One chart per frame: the main thread stays responsive while a batch of charts redraws.
  #drain() {
    const kind = this.dirty.values().next().value;
    if (kind === undefined) {
      this.pending = false;
      return;
    }
    this.dirty.delete(kind);
    this.#draw(kind);
    Charts.#afterFrame(() => this.#drain());
  }

  #draw(kind) {
    const entry = this.cards.get(kind);
    const { canvas } = entry;
    const opts = this.deps.options();
    const [cssWidth, cssHeight] = this.#size(entry, kind);
    const scale = window.devicePixelRatio || 1;
    const w = Math.round(cssWidth * scale);
    const h = Math.round(cssHeight * scale);
    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w;
      canvas.height = h;
    }
    entry.cssWidth = cssWidth;
    entry.cssHeight = cssHeight;
    const data = this.data.get(kind);
    if (data === undefined) {
      this.#message(entry, 'computing…', opts.dark);
      entry.hovers = [];
      return;
    }
    try {
      entry.hovers = this.deps.draw(canvas, kind, data, { ...opts, scale: scale * opts.zoom });
      this.deps.onDrawn(kind);
    } catch (e) {
      entry.hovers = [];
      this.#message(entry, e instanceof Error ? e.message : String(e), opts.dark);
    }
  }

  /** The chart's size in CSS pixels: the card's width, a fixed aspect ratio. */
  #size(entry, kind) {
    const cssWidth = Math.max(280, Math.floor(entry.card.clientWidth - 10));
    const cssHeight = Math.round(kind === 'hunchback' ? Math.min(cssWidth * 0.4, 460) : cssWidth * 0.62);
    return [cssWidth, cssHeight];
  }

  /** Whether every scheduled redraw has run. */
  get idle() {
    return !this.pending && this.dirty.size === 0;
  }

  #message(entry, text, dark) {
    const { canvas } = entry;
    const ctx = canvas.getContext('2d');
    const s = window.devicePixelRatio || 1;
    ctx.fillStyle = dark ? '#181a1f' : '#ffffff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.fillStyle = dark ? '#9aa1ad' : '#5d636e';
    ctx.font = `${Math.round(15 * s)}px sans-serif`;
    ctx.textAlign = 'center';
    ctx.fillText(text, canvas.width / 2, canvas.height / 2);
  }

  #hover(entry, e) {
    const { canvas, tip, hovers } = entry;
    if (!hovers.length) return;
    const k = canvas.width / canvas.clientWidth;
    const x = e.offsetX * k;
    const y = e.offsetY * k;
    let best = null;
    let bestD = (14 * k) ** 2;
    for (const h of hovers) {
      const d = (h.x - x) ** 2 + (h.y - y) ** 2;
      if (d < bestD) { best = h; bestD = d; }
    }
    if (!best) { tip.hidden = true; return; }
    tip.textContent = best.label;
    tip.hidden = false;
    tip.style.left = `${canvas.offsetLeft + best.x / k}px`;
    tip.style.top = `${canvas.offsetTop + best.y / k}px`;
  }
}
