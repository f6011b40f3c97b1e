// The streamed path's Gram pass on a WebGPU device (planned by knn/wgsl/gram.rs, run by
// www/gpu.js): adds one piece of a column chunk's dot products, xᵢ·xⱼ for j > i, to a band of
// rows of the packed upper triangle (row i's entries j > i after row i − 1's), which stays on the
// device from chunk to chunk and is read back once. A workgroup forms the tile of row tile
// p.t0 + x against column tile p.t0 + y (tile.wgsl's `block`); tiles below the diagonal return at
// once. Each entry is written by one invocation per dispatch, so none race.

struct Params {
  // Rows of the layer.
  n: u32,
  // vec4s per row of the piece (its columns padded with zeros to a multiple of 32, over 4).
  stride: u32,
  // The band's rows: r0 .. r1 (r0 a multiple of 32).
  r0: u32,
  r1: u32,
  // The dispatch's first row tile (of 32 rows).
  t0: u32,
  pad0: u32,
  pad1: u32,
  pad2: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> rows: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> gram: array<f32>;

fn query(r: u32, k: u32) -> vec4f {
  if (r < p.n) { return rows[r * p.stride + k]; }
  return vec4f(0.0);
}

fn candidate(r: u32, k: u32) -> vec4f {
  return query(r, k);
}

/// Adds `v` to entries (i, c0 + 0..3) of the band, those with j > i and j < n.
fn add(i: u32, c0: u32, v: vec4f) {
  if (i >= p.r1) { return; }
  // Row i's first entry, band-local: the rows r0 .. i before it hold (i − r0)·(2n − i − r0 − 1)/2.
  let d = i - p.r0;
  let start = d * (2u * p.n - i - p.r0 - 1u) / 2u;
  for (var c = 0u; c < 4u; c = c + 1u) {
    let j = c0 + c;
    if (j > i && j < p.n) {
      let at = start + j - i - 1u;
      gram[at] = gram[at] + v[c];
    }
  }
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) t: u32) {
  let ti = p.t0 + wg.x;
  let tj = p.t0 + wg.y;
  if (tj < ti || ti * TILE >= p.r1) { return; }
  let acc = block(ti * TILE, tj * TILE, t, p.stride);
  let r = ti * TILE + (t / 8u) * 4u;
  let c0 = tj * TILE + (t % 8u) * 4u;
  add(r + 0u, c0, acc.r0);
  add(r + 1u, c0, acc.r1);
  add(r + 2u, c0, acc.r2);
  add(r + 3u, c0, acc.r3);
}
