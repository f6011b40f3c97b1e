// The Learn view's state and its URL form: every value a link restores exactly, clamped to what
// the controls allow (a hand-edited link can never ask the worker for something invalid).

import { STEPS } from './steps.js';

export const MANIFOLDS = ['curve', 'square', 'circle', 'spiral', 'sphere', 'swiss-roll', 'blobs'];
export const STEP_COUNT = STEPS.length;

export const DEFAULTS = Object.freeze({
  manifold: 'curve', points: 2000, noise: 0, seed: 0, n: 4, z: 1.65, step: 1, gride: false,
  point: -1, yaw: 20, pitch: 60, big: false,
});

/** Largest Gride order offered for N points: 64, at most N/8 (as the core's `Lesson::max_order`). */
export const maxOrder = (points) => Math.min(64, Math.floor(points / 8));

const clampInt = (v, lo, hi, dflt) => {
  const x = Number.parseInt(v, 10);
  return Number.isFinite(x) ? Math.min(hi, Math.max(lo, x)) : dflt;
};

/** The state a query string describes; missing or invalid values take the defaults. */
export function fromQuery(search) {
  const q = new URLSearchParams(search);
  const s = { ...DEFAULTS };
  if (MANIFOLDS.includes(q.get('manifold'))) s.manifold = q.get('manifold');
  s.points = Math.round(clampInt(q.get('points'), 100, 5000, DEFAULTS.points) / 100) * 100;
  const noise = Number.parseFloat(q.get('noise'));
  if (Number.isFinite(noise)) s.noise = Math.min(0.1, Math.max(0, Math.round(noise * 1000) / 1000));
  s.seed = clampInt(q.get('seed'), 0, 4294967295, DEFAULTS.seed);
  s.n = clampInt(q.get('n'), 1, maxOrder(s.points), DEFAULTS.n);
  const z = Number.parseFloat(q.get('z'));
  if (Number.isFinite(z)) s.z = Math.min(8, Math.max(0.5, Math.round(z * 100) / 100));
  s.step = clampInt(q.get('step'), 1, STEP_COUNT, DEFAULTS.step);
  s.gride = q.has('gride') ? q.get('gride') === '1' : Boolean(STEPS[s.step - 1].gride);
  s.point = clampInt(q.get('point'), -1, s.points - 1, DEFAULTS.point);
  const view = (q.get('view') ?? '').split(',').map(Number);
  if (view.length === 2 && view.every(Number.isFinite)) {
    s.yaw = ((Math.round(view[0]) % 360) + 360) % 360;
    s.pitch = Math.min(90, Math.max(-90, Math.round(view[1])));
  }
  s.big = q.get('big') === '1';
  return s;
}

/** The query string for `s` (leading `?`), in a fixed order so equal states give equal links. */
export function toQuery(s) {
  const q = new URLSearchParams({
    manifold: s.manifold, points: String(s.points), noise: String(s.noise), seed: String(s.seed),
    n: String(s.n), step: String(s.step), gride: s.gride ? '1' : '0',
  });
  if (s.z !== DEFAULTS.z) q.set('z', String(s.z));
  if (s.point >= 0) q.set('point', String(s.point));
  if (s.manifold === 'sphere' || s.manifold === 'swiss-roll') q.set('view', `${Math.round(s.yaw)},${Math.round(s.pitch)}`);
  if (s.big) q.set('big', '1');
  return `?${q}`;
}
