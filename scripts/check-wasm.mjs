// Checks that a built module really uses SIMD128 (a RUSTFLAGS override silently drops it) and
// prints its size: raw, gzip -9 and brotli (q11), against the 400 000-byte gzip budget of
// issue 7 (over it: a warning, not a failure). Counts SIMD instructions in wasm-opt's text form.
// `node scripts/wasm-size.mjs` says which crates and functions the bytes are.
import { readFileSync } from 'node:fs';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
import { execFileSync } from 'node:child_process';

const BUDGET = 400_000;
const file = process.argv[2];
const bytes = readFileSync(file);
const text = execFileSync('node_modules/.bin/wasm-opt', [file, '--print'], { maxBuffer: 1 << 30 }).toString();
const simd = (text.match(/\b(v128|i8x16|i16x8|i32x4|i64x2|f32x4|f64x2)\.[a-z_]+/g) ?? []).length;
const gz = gzipSync(bytes, { level: 9 }).length;
const br = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
const kb = (n) => `${(n / 1024).toFixed(0)} KiB`;
console.log(`${file}: ${kb(bytes.length)}, ${kb(gz)} gzipped (${gz} bytes gzip -9, ${br} brotli), ${simd} SIMD instructions`);
if (gz > BUDGET) console.warn(`warning: ${gz} bytes gzipped is over the ${BUDGET}-byte budget`);
if (simd === 0) {
  console.error('error: the module has no SIMD instructions (was +simd128 dropped by a RUSTFLAGS override?)');
  process.exit(1);
}
