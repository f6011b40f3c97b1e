// The pool's speed-up in the page: one file through 1 worker and through N (default: one per
// core), same params as the benchmark, `R` times alternating; prints each run's phases per worker
// (ms from the request: posted → computing → layer loaded → done → reply in the page).
//   node scripts/bench/pool-speedup.mjs FILE.npy [N] [R]
import { benchBrowser } from './browser.mjs';

const [file, n, repeat = '1'] = process.argv.slice(2);
const params = { repeats: 0, gride: false, decimation: false, pc_id: false };
const ms = (v) => (v === undefined ? '—' : v.toFixed(0).padStart(5));
const show = (label, run) => {
  console.log(`${label}: ${run.seconds.toFixed(2)} s`);
  for (const t of run.trace) console.log(`  worker ${t.worker} ${t.phase.padEnd(10)} posted ${ms(t.posted)}  start ${ms(t.start)}  loaded ${ms(t.loaded)}  end ${ms(t.end)}  received ${ms(t.received)}`);
};
let failed = false;
for (let r = 0; r < Number(repeat); r += 1) {
  const one = (await benchBrowser([file], params, '?workers=1')).runs[0];
  const many = await benchBrowser([file], params, n ? `?workers=${n}` : '');
  const m = many.runs[0];
  show('1 worker', one);
  show(`${many.workers} workers`, m);
  console.log(`speed-up ${(one.seconds / m.seconds).toFixed(2)}×; IDs ${one.fit} and ${m.fit}`);
  failed ||= one.fit !== m.fit;
}
if (failed) process.exit(1);
