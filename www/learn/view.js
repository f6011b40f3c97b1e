// The data canvas: points in the plane, or a rotatable orthographic view of 3-D points; the
// chosen point with its neighbours and the circles (3-D: outlines of the spheres, which an
// orthographic projection keeps at their true radius) of radius r₁, r₂ or rₙ, r₂ₙ, repeated
// enlarged in a magnifier when they are too small to read.

const DEG = Math.PI / 180;

export class DataView {
  /**
   * @param {HTMLCanvasElement} canvas
   * @param {{hover: (i: number) => void, pick: (i: number) => void, rotate: (yaw: number, pitch: number) => void}} on
   */
  constructor(canvas, on) {
    this.canvas = canvas;
    this.on = on;
    this.points = null;
    this.dim = 2;
    this.extent = [1, 1];
    this.yaw = 0;
    this.pitch = 0;
    this.readout = null;
    this.gride = false;
    this.labels = null; // each point's label when the points are coloured by it (and the readout shows its overlap)
    this.density = null; // {log_den, centers, saddles} when the points are coloured by their density
    this.zoom = 1;
    this.frame = 0;
    this.screen = new Float32Array(0); // projected x, y (CSS px) per point
    this.depth = new Float32Array(0);
    this.#listen();
    new ResizeObserver(() => this.draw()).observe(canvas.parentElement);
  }

  setData(points, dim) {
    this.points = points;
    this.dim = dim;
    // Half-widths to fit: 3-D, the largest norm (it bounds every rotation); 2-D, each axis.
    let [ex, ey] = [0, 0];
    for (let i = 0; i < points.length; i += dim) {
      if (dim === 3) {
        ex = Math.max(ex, Math.hypot(points[i], points[i + 1], points[i + 2]));
        ey = ex;
      } else {
        ex = Math.max(ex, Math.abs(points[i]));
        ey = Math.max(ey, Math.abs(points[i + 1]));
      }
    }
    this.extent = [1.06 * ex || 1, 1.06 * ey || 1];
    this.draw();
  }

  /** Rotates the 3-D view; drawn at the next frame, so a fast drag draws once per frame. */
  setView(yaw, pitch) {
    this.yaw = yaw;
    this.pitch = pitch;
    if (!this.frame) this.frame = requestAnimationFrame(() => { this.frame = 0; this.draw(); });
  }

  setReadout(readout, gride) { this.readout = readout; this.gride = gride; this.draw(); }

  /** Colours the points by `labels` (0 or 1 per point; null: one colour) and shows a clicked
   * point's 10 nearest neighbours instead of its r₁, r₂. */
  setLabels(labels) { this.labels = labels; this.draw(); }

  /** Colours the points by their log density (`density.log_den`, dark to bright) and rings the
   * density peaks (`centers`) and the saddles between them (`saddles`); null: one colour. */
  setDensity(density) { this.density = density; this.draw(); }

  setZoom(zoom) { this.zoom = zoom; this.draw(); }

  /** Point `i`'s position in CSS pixels from the canvas's top-left corner. */
  screenOf(i) {
    return { x: this.screen[2 * i], y: this.screen[2 * i + 1] };
  }

  /** The point drawn nearest to (x, y) CSS px, within `radius` px, or −1. */
  nearest(x, y, radius = 14) {
    let best = -1;
    let bestD = radius * radius;
    for (let i = 0; i < this.screen.length / 2; i += 1) {
      const d = (this.screen[2 * i] - x) ** 2 + (this.screen[2 * i + 1] - y) ** 2;
      if (d < bestD) { best = i; bestD = d; }
    }
    return best;
  }

  #project(w, h) {
    const n = this.points.length / this.dim;
    if (this.screen.length !== 2 * n) { this.screen = new Float32Array(2 * n); this.depth = new Float32Array(n); }
    this.scale = Math.min((w / 2 - 8) / this.extent[0], (h / 2 - 8) / this.extent[1]);
    const [cx, cy, s, p] = [w / 2, h / 2, this.scale, this.points];
    const [cyw, syw, cp, sp] = [Math.cos(this.yaw * DEG), Math.sin(this.yaw * DEG), Math.cos(this.pitch * DEG), Math.sin(this.pitch * DEG)];
    for (let i = 0; i < n; i += 1) {
      const [x, y, z] = [p[i * this.dim], p[i * this.dim + 1], this.dim === 3 ? p[i * this.dim + 2] : 0];
      const x1 = x * cyw + z * syw;
      const z1 = -x * syw + z * cyw;
      this.screen[2 * i] = cx + s * x1;
      this.screen[2 * i + 1] = cy - s * (y * cp - z1 * sp);
      this.depth[i] = y * sp + z1 * cp; // towards the viewer
    }
  }

  draw() {
    const { canvas } = this;
    const w = canvas.parentElement.clientWidth - 2;
    const h = Math.round(Math.min(w * 0.8, window.innerHeight * (this.zoom > 1 ? 0.72 : 0.66)));
    const dpr = window.devicePixelRatio || 1;
    if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(h * dpr);
      canvas.style.height = `${h}px`;
    }
    const ctx = canvas.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const c = colours();
    ctx.fillStyle = c.bg;
    ctx.fillRect(0, 0, w, h);
    if (!this.points) return;
    this.#project(w, h);
    this.#dots(ctx, c);
    if (this.readout) {
      this.#neighbourhood(ctx, c, (i) => this.screenOf(i), this.scale);
      this.#magnifier(ctx, c, w, h);
    }
    if (this.dim === 3) this.#axes(ctx, c, h);
  }

  #dots(ctx, c) {
    const n = this.depth.length;
    if (this.density?.log_den.length === n) { this.#densityDots(ctx, c, n); return; }
    const r = 1.6 * Math.sqrt(this.zoom) + (n < 1000 ? 0.8 : 0);
    // 3-D: four depth bands, far ones paler, drawn back to front.
    const bands = this.dim === 3 ? 4 : 1;
    let lo = Infinity;
    let hi = -Infinity;
    for (const d of this.depth) { lo = Math.min(lo, d); hi = Math.max(hi, d); }
    const labels = this.labels?.length === n ? this.labels : null;
    const groups = labels ? [0, 1] : [null];
    for (let b = 0; b < bands; b += 1) {
      ctx.globalAlpha = bands === 1 ? 0.85 : 0.3 + 0.6 * (b / (bands - 1));
      for (const g of groups) {
        ctx.fillStyle = g === 1 ? c.half : c.point;
        ctx.beginPath();
        for (let i = 0; i < n; i += 1) {
          const band = bands === 1 ? 0 : Math.min(bands - 1, Math.floor(((this.depth[i] - lo) / (hi - lo || 1)) * bands));
          if (band !== b || (g !== null && labels[i] !== g)) continue;
          ctx.moveTo(this.screen[2 * i] + r, this.screen[2 * i + 1]);
          ctx.arc(this.screen[2 * i], this.screen[2 * i + 1], r, 0, 2 * Math.PI);
        }
        ctx.fill();
      }
    }
    ctx.globalAlpha = 1;
  }

  /** Every point in the colour of its log density (low: dark blue, high: yellow), then the
   * peaks as large rings and the saddles as crosses. */
  #densityDots(ctx, c, n) {
    const d = this.density;
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of d.log_den) { if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); } }
    const r = 1.8 * Math.sqrt(this.zoom) + (n < 1000 ? 0.8 : 0);
    const order = [...d.log_den.keys()].sort((a, b) => d.log_den[a] - d.log_den[b]); // dense points on top
    for (const i of order) {
      ctx.fillStyle = ramp((d.log_den[i] - lo) / (hi - lo || 1));
      ctx.beginPath();
      ctx.arc(this.screen[2 * i], this.screen[2 * i + 1], r, 0, 2 * Math.PI);
      ctx.fill();
    }
    const size = 7 * Math.sqrt(this.zoom);
    ctx.lineWidth = 2.5 * this.zoom;
    ctx.strokeStyle = c.text;
    for (const p of d.centers) {
      ctx.beginPath();
      ctx.arc(this.screen[2 * p], this.screen[2 * p + 1], size, 0, 2 * Math.PI);
      ctx.stroke();
    }
    ctx.strokeStyle = c.inner;
    for (const p of d.saddles) {
      const [x, y] = [this.screen[2 * p], this.screen[2 * p + 1]];
      ctx.beginPath();
      ctx.moveTo(x - size, y - size); ctx.lineTo(x + size, y + size);
      ctx.moveTo(x - size, y + size); ctx.lineTo(x + size, y - size);
      ctx.stroke();
    }
  }

  /** The chosen point, its neighbours and circles, with points placed by `at` and radii × `scale`. */
  #neighbourhood(ctx, c, at, scale) {
    const o = this.readout;
    if (this.labels) { this.#overlap(ctx, c, at); return; }
    const k = this.gride ? o.n : 1;
    const [inner, outer] = this.gride ? [o.rn, o.r2n] : [o.r1, o.r2];
    const names = this.gride ? [`r${sub(o.n)}`, `r${sub(2 * o.n)}`] : ['r₁', 'r₂'];
    const { x, y } = at(o.index);
    const lw = 2 * this.zoom;
    const dot = 3.5 * Math.sqrt(this.zoom) + 1;
    // Neighbours 1..k in the inner colour, k+1..2k in the outer one.
    const count = this.gride ? 2 * o.n : 2;
    for (let j = count - 1; j >= 0; j -= 1) {
      const p = at(o.neighbours[j]);
      ctx.fillStyle = j < k ? c.inner : c.outer;
      ctx.beginPath();
      ctx.arc(p.x, p.y, dot, 0, 2 * Math.PI);
      ctx.fill();
    }
    ctx.lineWidth = lw;
    for (const [radius, colour, name] of [[inner, c.inner, names[0]], [outer, c.outer, names[1]]]) {
      const rpx = radius * scale;
      ctx.strokeStyle = colour;
      ctx.beginPath();
      ctx.arc(x, y, rpx, 0, 2 * Math.PI);
      ctx.stroke();
      ctx.fillStyle = colour;
      ctx.font = `bold ${Math.round(15 * this.zoom)}px sans-serif`;
      ctx.fillText(name, x + rpx * 0.72 + 3, y - rpx * 0.72 - 3);
    }
    ctx.fillStyle = c.text;
    ctx.strokeStyle = c.bg;
    ctx.beginPath();
    ctx.arc(x, y, dot + 1, 0, 2 * Math.PI);
    ctx.fill();
    ctx.stroke();
  }

  /** The chosen point and its 10 nearest neighbours, ringed, each filled with its label's colour. */
  #overlap(ctx, c, at) {
    const o = this.readout;
    const dot = 3.5 * Math.sqrt(this.zoom) + 1;
    const ring = (i, label, width) => {
      const p = at(i);
      ctx.fillStyle = label === 1 ? c.half : c.point;
      ctx.strokeStyle = c.text;
      ctx.lineWidth = width;
      ctx.beginPath();
      ctx.arc(p.x, p.y, dot, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
    };
    o.overlap_neighbours.forEach((j, t) => ring(j, o.overlap_labels[t], this.zoom));
    ring(o.index, o.label, 2.5 * this.zoom);
  }

  /**
   * Where the magnifier sits and how it maps: a square in the top-right corner showing the chosen
   * point's surroundings enlarged at least 3 times, when its outer circle is that small; or null.
   */
  #lens(w, h) {
    const o = this.readout;
    if (!o) return null;
    const outer = this.labels ? o.overlap_radius : this.gride ? o.r2n : o.r2;
    if (!(outer > 0)) return null;
    const size = Math.round(Math.min(w, h) * 0.42);
    const radius = 1.6 * outer; // data units from the centre to the lens's edge
    const factor = size / 2 / radius / this.scale; // lens px per view px
    if (factor < 3) return null;
    return { x0: w - size - 8, y0: 8, size, radius, factor, centre: this.screenOf(o.index) };
  }

  /** View coordinates of a position inside the lens, or null outside it. */
  #unlens(x, y) {
    const l = this.#lens(this.canvas.clientWidth, this.canvas.clientHeight);
    if (!l || x < l.x0 || x > l.x0 + l.size || y < l.y0 || y > l.y0 + l.size) return null;
    return [l.centre.x + (x - l.x0 - l.size / 2) / l.factor, l.centre.y + (y - l.y0 - l.size / 2) / l.factor];
  }

  #magnifier(ctx, c, w, h) {
    const l = this.#lens(w, h);
    if (!l) return;
    const at = (i) => ({ x: l.x0 + l.size / 2 + (this.screen[2 * i] - l.centre.x) * l.factor, y: l.y0 + l.size / 2 + (this.screen[2 * i + 1] - l.centre.y) * l.factor });
    ctx.save();
    ctx.beginPath();
    ctx.rect(l.x0, l.y0, l.size, l.size);
    ctx.fillStyle = c.bg;
    ctx.fill();
    ctx.lineWidth = 1.5 * this.zoom;
    ctx.strokeStyle = c.muted;
    ctx.stroke();
    ctx.clip();
    // Only points truly near (in 3-D too), not those that merely project nearby.
    const [p, d, o] = [this.points, this.dim, this.readout.index];
    const near = (1.5 * l.radius) ** 2;
    const r = 2.5 * Math.sqrt(this.zoom);
    const labels = this.labels;
    for (const g of labels ? [0, 1] : [null]) {
      ctx.fillStyle = g === 1 ? c.half : c.point;
      ctx.beginPath();
      for (let i = 0; i < p.length / d; i += 1) {
        if (g !== null && labels[i] !== g) continue;
        let s = 0;
        for (let q = 0; q < d; q += 1) s += (p[i * d + q] - p[o * d + q]) ** 2;
        if (s > near) continue;
        const { x, y } = at(i);
        ctx.moveTo(x + r, y);
        ctx.arc(x, y, r, 0, 2 * Math.PI);
      }
      ctx.fill();
    }
    this.#neighbourhood(ctx, c, at, this.scale * l.factor);
    ctx.fillStyle = c.muted;
    ctx.font = `${Math.round(13 * this.zoom)}px sans-serif`;
    ctx.fillText(`× ${Math.round(l.factor)}`, l.x0 + 6, l.y0 + l.size - 8);
    ctx.restore();
  }

  // A small x/y/z gizmo in the corner, so the rotation reads at a glance.
  #axes(ctx, c, h) {
    const [cyw, syw, cp, sp] = [Math.cos(this.yaw * DEG), Math.sin(this.yaw * DEG), Math.cos(this.pitch * DEG), Math.sin(this.pitch * DEG)];
    const len = 22 * this.zoom;
    const ox = 14 + len;
    const oy = h - 14 - len;
    ctx.lineWidth = 1.5 * this.zoom;
    ctx.font = `${Math.round(12 * this.zoom)}px sans-serif`;
    for (const [v, name] of [[[1, 0, 0], 'x'], [[0, 1, 0], 'y'], [[0, 0, 1], 'z']]) {
      const x1 = v[0] * cyw + v[2] * syw;
      const z1 = -v[0] * syw + v[2] * cyw;
      const [dx, dy] = [len * x1, -len * (v[1] * cp - z1 * sp)];
      ctx.strokeStyle = c.muted;
      ctx.fillStyle = c.muted;
      ctx.beginPath();
      ctx.moveTo(ox, oy);
      ctx.lineTo(ox + dx, oy + dy);
      ctx.stroke();
      ctx.fillText(name, ox + dx * 1.25 - 3, oy + dy * 1.25 + 4);
    }
  }

  #listen() {
    const { canvas } = this;
    let drag = null;
    // A position in the magnifier stands for the point it shows.
    const at = (e) => this.#unlens(e.offsetX, e.offsetY) ?? [e.offsetX, e.offsetY];
    canvas.addEventListener('pointerdown', (e) => {
      drag = { x: e.clientX, y: e.clientY, yaw: this.yaw, pitch: this.pitch, moved: false };
      canvas.setPointerCapture(e.pointerId);
    });
    canvas.addEventListener('pointermove', (e) => {
      if (!drag) {
        if (this.points) this.on.hover(this.nearest(...at(e)));
        return;
      }
      const [dx, dy] = [e.clientX - drag.x, e.clientY - drag.y];
      if (Math.abs(dx) + Math.abs(dy) > 4) drag.moved = true;
      if (drag.moved && this.dim === 3) {
        const yaw = Math.round((((drag.yaw + dx * 0.5) % 360) + 360) % 360);
        const pitch = Math.round(Math.min(90, Math.max(-90, drag.pitch + dy * 0.5)));
        this.on.rotate(yaw, pitch);
      }
    });
    canvas.addEventListener('pointerup', (e) => {
      if (drag && !drag.moved && this.points) this.on.pick(this.nearest(...at(e)));
      drag = null;
    });
    canvas.addEventListener('pointerleave', () => { if (!drag) this.on.hover(-1); });
  }
}

const SUB = '₀₁₂₃₄₅₆₇₈₉';
/** `n` in subscript digits (r₁₆). */
export function sub(n) {
  return String(n).replace(/\d/g, (d) => SUB[d]);
}

/** A colour from dark blue (t = 0) through teal to yellow (t = 1), as viridis's ends. */
function ramp(t) {
  const stops = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
  const x = Math.min(1, Math.max(0, t)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const [a, b] = [stops[i], stops[i + 1]];
  return `rgb(${a.map((v, k) => Math.round(v + f * (b[k] - v))).join(',')})`;
}

function colours() {
  const dark = window.matchMedia('(prefers-color-scheme: dark)').matches;
  return dark
    ? { bg: '#181a1f', point: '#56b4e9', half: '#f0a0c8', inner: '#e69f00', outer: '#2fd9a0', text: '#ffffff', muted: '#9aa1ad' }
    : { bg: '#ffffff', point: '#0072b2', half: '#cc79a7', inner: '#d55e00', outer: '#009e73', text: '#000000', muted: '#5d636e' };
}
