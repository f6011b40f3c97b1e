// Checks built modules and prints their sizes: raw, gzip -9 and brotli (q11), against the
// 400 000-byte gzip budget of issue 7 (over it: a warning, not a failure). Each must use SIMD128
// (a RUSTFLAGS override silently drops it); a module named *relaxed* must use the fused
// relaxed_madd, any other must use no relaxed-SIMD instruction (browsers without relaxed SIMD
// would refuse it). Counts instructions in wasm-opt's text form; `node scripts/wasm-size.mjs`
// says which crates and functions the bytes are.
//   node scripts/check-wasm.mjs FILE.wasm...
import { readFileSync } from 'node:fs';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const BUDGET = 400_000;
const kb = (n) => `${(n / 1024).toFixed(0)} KiB`;
const count = (text, re) => (text.match(re) ?? []).length;
let failed = false;
for (const file of process.argv.slice(2)) {
  const bytes = readFileSync(file);
  const text = execFileSync('node_modules/.bin/wasm-opt', [file, '--print'], { maxBuffer: 1 << 30 }).toString();
  const simd = count(text, /\b(v128|i8x16|i16x8|i32x4|i64x2|f32x4|f64x2)\.[a-z_0-9]+/g);
  const relaxed = count(text, /\b(i8x16|i16x8|i32x4|f32x4|f64x2)\.relaxed_[a-z_0-9]+/g);
  const madd = count(text, /\bf32x4\.relaxed_madd\b/g);
  const gz = gzipSync(bytes, { level: 9 }).length;
  const br = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  console.log(`${file}: ${kb(bytes.length)}, ${kb(gz)} gzipped (${gz} bytes gzip -9, ${br} brotli), ${simd} SIMD instructions (${relaxed} relaxed, ${madd} f32x4.relaxed_madd)`);
  if (gz > BUDGET) console.warn(`warning: ${file}: ${gz} bytes gzipped is over the ${BUDGET}-byte budget`);
  const wantRelaxed = path.basename(file).includes('relaxed');
  const problem = simd === 0 ? 'no SIMD instructions (was +simd128 dropped by a RUSTFLAGS override?)'
    : wantRelaxed && madd === 0 ? 'no f32x4.relaxed_madd (was +relaxed-simd dropped?)'
    : !wantRelaxed && relaxed > 0 ? 'relaxed-SIMD instructions in the plain build (browsers without relaxed SIMD refuse it)'
    : null;
  if (problem) {
    console.error(`error: ${file}: ${problem}`);
    failed = true;
  }
}
if (failed) process.exit(1);
