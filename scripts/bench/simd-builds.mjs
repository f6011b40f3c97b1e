// The two wasm builds compared on one file, alternating, `rounds` times (default 3): in Node (one
// instance) the SIMD peaks, the Gram kernel's rate on 2048 × 768 and the analysis time (wall and
// CPU seconds); in headless Chromium the same peaks in a worker of the page and the analysis
// through the pool with one worker (`?workers=1`; `?simd=plain` for the plain build).
//   node scripts/bench/simd-builds.mjs FILE.npy [ROUNDS]
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchBrowser } from './browser.mjs';
import { relaxedSimd } from '../../www/simd.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PARAMS = { repeats: 0, gride: false, decimation: false, pc_id: false, surrogate: false, per_class: false };
const [file, rounds = '3'] = process.argv.slice(2);

const wasmNode = (relaxed, ...argv) => JSON.parse(execFileSync(process.execPath, [
  ...(relaxed && !relaxedSimd() ? ['--experimental-wasm-relaxed-simd'] : []),
  path.join(HERE, 'wasm-node.mjs'), ...(relaxed ? ['--relaxed'] : []), ...argv,
], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }));

const f1 = (x) => x.toFixed(1);
const rates = (p) => `peak ${f1(p.peak)} (mul+add ${f1(p.unfused)}), kernel ${f1(p.gram)} GFLOP/s = ${(100 * p.gram / p.peak).toFixed(0)} % of its peak`;
for (let r = 1; r <= Number(rounds); r++) {
  for (const relaxed of [false, true]) {
    const name = relaxed ? 'relaxed' : 'plain  ';
    const p = wasmNode(relaxed, '--peak', '2048', '768');
    const a = wasmNode(relaxed, file, JSON.stringify(PARAMS));
    console.log(`round ${r} Node     ${name}: ${rates(p)}; analyse ${a.seconds.toFixed(2)} s (CPU ${a.cpu.toFixed(2)} s), ID ${a.fit}`);
    const b = await benchBrowser([file], PARAMS, relaxed ? '?workers=1' : '?workers=1&simd=plain', { peaks: true });
    console.log(`round ${r} Chromium ${name}: ${rates(b.peaks)} [${b.peaks.kernel}]; analyse ${b.runs[0].seconds.toFixed(2)} s, ID ${b.runs[0].fit}`);
  }
}
