// Checks that a built module really uses SIMD128 (a RUSTFLAGS override silently drops it) and
// prints its size, raw and gzipped. Counts SIMD instructions in wasm-opt's text form.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { execFileSync } from 'node:child_process';

const file = process.argv[2];
const bytes = readFileSync(file);
const text = execFileSync('node_modules/.bin/wasm-opt', [file, '--print'], { maxBuffer: 1 << 30 }).toString();
const simd = (text.match(/\b(v128|i8x16|i16x8|i32x4|i64x2|f32x4|f64x2)\.[a-z_]+/g) ?? []).length;
const kb = (n) => `${(n / 1024).toFixed(0)} KiB`;
console.log(`${file}: ${kb(bytes.length)}, ${kb(gzipSync(bytes, { level: 9 }).length)} gzipped, ${simd} SIMD instructions`);
if (simd === 0) {
  console.error('error: the module has no SIMD instructions (was +simd128 dropped by a RUSTFLAGS override?)');
  process.exit(1);
}
