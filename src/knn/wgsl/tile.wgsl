// The tile product both kernels share (candidates.wgsl, gram.wgsl; each source is this file
// followed by its own): a workgroup of 64 invocations forms the 32 × 32 dot products of two tiles
// of rows, each invocation a 4 × 4 block in registers, KV vec4s of columns per step through
// workgroup memory. Rows are read through the kernel's own `query` and `candidate` (zeros past
// their ends), its stride in vec4s.
//
// Rounding: `+` and `*` are correctly rounded in WGSL, `fma` may or may not be fused, and the
// compiler may add the products in any order; the CPU's bound (knn::Kernel::Wgsl) holds for all
// of these.

const TILE: u32 = 32u;
const KV: u32 = 8u;

var<workgroup> qa: array<vec4f, 256>;
var<workgroup> cb: array<vec4f, 256>;

/// Invocation `t`'s block: rows 4·(t / 8) + 0..3 (one vec4 each) by columns 4·(t % 8) + 0..3.
struct Block {
  r0: vec4f,
  r1: vec4f,
  r2: vec4f,
  r3: vec4f,
}

/// Invocation `t`'s block of the dot products of query rows `qbase ..` and candidate rows
/// `cbase ..` (32 each) over `stride` vec4s. Called in uniform control flow (it has barriers).
fn block(qbase: u32, cbase: u32, t: u32, stride: u32) -> Block {
  let r0 = (t / 8u) * 4u;
  let c0 = (t % 8u) * 4u;
  var acc = Block(vec4f(0.0), vec4f(0.0), vec4f(0.0), vec4f(0.0));
  for (var k = 0u; k < stride; k = k + KV) {
    for (var l = 0u; l < 4u; l = l + 1u) {
      let e = t + l * 64u;
      qa[e] = query(qbase + e / KV, k + e % KV);
      cb[e] = candidate(cbase + e / KV, k + e % KV);
    }
    workgroupBarrier();
    for (var s = 0u; s < KV; s = s + 1u) {
      let a0 = qa[(r0 + 0u) * KV + s];
      let a1 = qa[(r0 + 1u) * KV + s];
      let a2 = qa[(r0 + 2u) * KV + s];
      let a3 = qa[(r0 + 3u) * KV + s];
      let b0 = cb[(c0 + 0u) * KV + s];
      let b1 = cb[(c0 + 1u) * KV + s];
      let b2 = cb[(c0 + 2u) * KV + s];
      let b3 = cb[(c0 + 3u) * KV + s];
      acc.r0 = acc.r0 + vec4f(dot(a0, b0), dot(a0, b1), dot(a0, b2), dot(a0, b3));
      acc.r1 = acc.r1 + vec4f(dot(a1, b0), dot(a1, b1), dot(a1, b2), dot(a1, b3));
      acc.r2 = acc.r2 + vec4f(dot(a2, b0), dot(a2, b1), dot(a2, b2), dot(a2, b3));
      acc.r3 = acc.r3 + vec4f(dot(a3, b0), dot(a3, b1), dot(a3, b2), dot(a3, b3));
    }
    workgroupBarrier();
  }
  return acc;
}
