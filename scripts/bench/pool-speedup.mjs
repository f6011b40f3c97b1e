// The pool's speed-up in the page: one file through 1 worker and through N (default: one per
// core), same params as the benchmark.   node scripts/bench/pool-speedup.mjs FILE.npy [N]
import { benchBrowser } from './browser.mjs';

const [file, n] = process.argv.slice(2);
const params = { repeats: 0, gride: false, decimation: false, pc_id: false };
const one = (await benchBrowser([file], params, '?workers=1')).runs[0];
const many = await benchBrowser([file], params, n ? `?workers=${n}` : '');
const r = many.runs[0];
console.log(`1 worker: ${one.seconds.toFixed(2)} s; ${many.workers} workers: ${r.seconds.toFixed(2)} s; speed-up ${(one.seconds / r.seconds).toFixed(2)}×; IDs ${one.fit} and ${r.fit}`);
if (one.fit !== r.fit) process.exit(1);
