// Phase 1 of the neighbour search on a WebGPU device (planned by knn/wgsl/mod.rs, run by
// www/gpu.js): for each row of a query panel, the `m` smallest approximate squared distances
// ‖a‖² + ‖b‖² − 2·a·b to the rows of a candidate panel, merged into lists that stay on the device
// from one dispatch to the next (only the lists are read back, never the N × N products).
//
// A workgroup of 64 invocations owns 32 query rows: for each tile of 32 candidate rows it forms
// the 32 × 32 dot products (tile.wgsl's `block`), then 32 of its invocations offer one query
// row's 32 distances each to that row's list. One workgroup writes a row's list, so no two
// invocations race on it. No infinities: WGSL lets a compiler assume none, so an empty slot
// holds EMPTY.

struct Params {
  // First global row of the query panel, and its rows.
  q0: u32,
  q_rows: u32,
  // First global row of the candidate panel, and its rows.
  c0: u32,
  c_rows: u32,
  // vec4s per row (the columns padded with zeros to a multiple of 32, over 4).
  stride: u32,
  // Slots per list.
  m: u32,
  // The candidate tiles (of 32 rows) this dispatch covers: t0 .. t1.
  t0: u32,
  t1: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> qrows: array<vec4f>;
@group(0) @binding(2) var<storage, read> crows: array<vec4f>;
@group(0) @binding(3) var<storage, read> norms: array<f32>;
@group(0) @binding(4) var<storage, read_write> best_d: array<f32>;
@group(0) @binding(5) var<storage, read_write> best_i: array<u32>;

const EMPTY: f32 = 3.0e38;
const NONE: u32 = 0xffffffffu;

var<workgroup> d2: array<f32, 1024>;

/// Row `r` (panel-local) of a panel of `rows` rows, vec4 `k`, or zeros past its end.
fn query(r: u32, k: u32) -> vec4f {
  if (r < p.q_rows) { return qrows[r * p.stride + k]; }
  return vec4f(0.0);
}

fn candidate(r: u32, k: u32) -> vec4f {
  if (r < p.c_rows) { return crows[r * p.stride + k]; }
  return vec4f(0.0);
}

/// Offers (v, j) to the list at `base`, kept ascending; ties keep the earlier offer first.
fn offer(base: u32, v: f32, j: u32) {
  var pos = p.m - 1u;
  loop {
    if (pos == 0u) { break; }
    let prev = best_d[base + pos - 1u];
    if (prev <= v) { break; }
    best_d[base + pos] = prev;
    best_i[base + pos] = best_i[base + pos - 1u];
    pos = pos - 1u;
  }
  best_d[base + pos] = v;
  best_i[base + pos] = j;
}

/// Row `r` of the tile's squared distances from 4 dot products `acc` (columns c0 .. c0 + 4).
fn store(r: u32, qbase: u32, c0: u32, nb: vec4f, acc: vec4f) {
  var na = 0.0;
  if (qbase + r < p.q_rows) { na = norms[p.q0 + qbase + r]; }
  let v = vec4f(na) + nb - 2.0 * acc;
  let at = r * TILE + c0;
  d2[at] = v.x;
  d2[at + 1u] = v.y;
  d2[at + 2u] = v.z;
  d2[at + 3u] = v.w;
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) t: u32) {
  let tx = t % 8u;
  let ty = t / 8u;
  let qbase = wg.x * TILE;
  let own = qbase + t;
  let selects = t < TILE && own < p.q_rows;
  let base = own * p.m;
  var bar = EMPTY;
  if (selects) { bar = best_d[base + p.m - 1u]; }
  let r0 = ty * 4u;
  let c0 = tx * 4u;
  for (var tile = p.t0; tile < p.t1; tile = tile + 1u) {
    let cbase = tile * TILE;
    let acc = block(qbase, cbase, t, p.stride);
    var nb = vec4f(0.0);
    for (var c = 0u; c < 4u; c = c + 1u) {
      if (cbase + c0 + c < p.c_rows) { nb[c] = norms[p.c0 + cbase + c0 + c]; }
    }
    store(r0 + 0u, qbase, c0, nb, acc.r0);
    store(r0 + 1u, qbase, c0, nb, acc.r1);
    store(r0 + 2u, qbase, c0, nb, acc.r2);
    store(r0 + 3u, qbase, c0, nb, acc.r3);
    workgroupBarrier();
    if (selects) {
      let i = p.q0 + own;
      let row = t * TILE;
      for (var c = 0u; c < TILE; c = c + 1u) {
        let jl = cbase + c;
        if (jl >= p.c_rows) { break; }
        let j = p.c0 + jl;
        let v = d2[row + c];
        if (v < bar && j != i) {
          offer(base, v, j);
          bar = best_d[base + p.m - 1u];
        }
      }
    }
    workgroupBarrier();
  }
}
