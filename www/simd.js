// Which build of the wasm module this thread loads: the relaxed-SIMD one (the Gram kernel's
// multiply-add fused) where the engine validates a relaxed-SIMD instruction, else the plain
// SIMD128 one. `?simd=plain` on the page forces the plain build (workers get it through
// `workerUrl`). Every worker passes `wasmUrl` to the glue's `init`, so all workers agree. The page's
// own module (idscope_page: charts, plans) has no neighbour kernel and one build.

/** `(func (param v128 v128 v128) (result v128) local.get 0 local.get 1 local.get 2 f32x4.relaxed_madd)` */
const PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
  0x01, 0x08, 0x01, 0x60, 0x03, 0x7b, 0x7b, 0x7b, 0x01, 0x7b, // types: (v128 v128 v128) → v128
  0x03, 0x02, 0x01, 0x00, // functions: one, of type 0
  0x0a, 0x0d, 0x01, 0x0b, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfd, 0x85, 0x02, 0x0b, // code
]);

/** Whether this engine accepts relaxed SIMD. */
export const relaxedSimd = () => WebAssembly.validate(PROBE);

const forcedPlain = new URLSearchParams(globalThis.location?.search ?? '').get('simd') === 'plain';

/** The build this thread loads: 'relaxed' or 'plain'. */
export const build = !forcedPlain && relaxedSimd() ? 'relaxed' : 'plain';

/** The module file of that build, for the glue's `init({ module_or_path })`. */
export const wasmUrl = new URL(build === 'relaxed' ? './pkg/idscope_relaxed_bg.wasm' : './pkg/idscope_bg.wasm', import.meta.url);

/** A worker script's URL carrying a forced choice, so that the worker loads the page's build. */
export function workerUrl(url) {
  const u = new URL(url);
  if (forcedPlain) u.searchParams.set('simd', 'plain');
  return u;
}
