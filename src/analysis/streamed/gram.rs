//! Pass 1: the Gram matrix of the centred rows, accumulated over column chunks in f32 by the
//! packed micro-kernel of `knn` ([`crate::knn::gram`]): each chunk is packed [`PIECE`] columns at
//! a time, its tiles are computed and added to the stored entries. Chunk and piece boundaries fall
//! on multiples of [`KC`], so every entry is a sum of the same KC-column kernel sums whatever the
//! chunking, and the kernel's error bound (`knn::Bound`) holds: it counts one rounding per
//! KC-column sum added, in any order. The f32 entries then give candidates for every row, among
//! all rows or among a subset's members; the exact lists are re-ranked in f64 (`exact`).
//!
//! A chunk holds every analysed row of its columns, so its column means, the centring and the
//! squared norms are exact per chunk. Only the upper triangle is stored, and each pair's dot
//! product is computed once.

use std::ops::Range;
use std::sync::Mutex;

use super::{Chunks, Stop};
use crate::knn::gram::{KC, Packed, default_block, tile};
use crate::knn::{Bound, Kernel, KnnError};
use crate::support::order::sort_pairs;
use crate::support::progress::Progress;
use crate::support::triangle::{entry, offset};

/// Columns packed at once: a multiple of [`KC`], small enough that the packed copy of a piece
/// (4·N·PIECE bytes, rows padded to the kernel's panel) stays a few MiB.
pub const PIECE: usize = 8 * KC;

/// The packed Gram matrix of the centred rows and their squared norms: approximate squared
/// distances ‖xᵢ‖² + ‖xⱼ‖² − 2xᵢ·xⱼ with a proven error bound.
pub struct Gram {
    packed: Vec<f32>,
    bound: Bound,
}

/// The `m` nearest rows by approximate distance among some rows, for one row.
pub struct Nearest {
    /// Their row indices, by ascending approximate distance then index.
    pub rows: Vec<u32>,
    /// Every other row considered has an approximate squared distance at least this.
    pub threshold: f32,
    /// Whether every other row considered is among them (nothing left to bound).
    pub all: bool,
}

impl Gram {
    /// The Gram pass; `scale` is each row's factor (1/‖x‖ for cosine).
    pub fn build(chunks: &Chunks, scale: &[f64], progress: &mut dyn Progress) -> Result<Gram, Stop> {
        let n = chunks.rows.len();
        let mut packed = packed(n)?;
        let mut sum2 = vec![0.0f64; n];
        chunks.for_each(progress, |_, w, buf| {
            prepare(buf, w, scale, &mut sum2);
            accumulate(&mut packed, buf, n, w);
        })?;
        Ok(Gram::new(packed, &sum2, chunks.cols, Kernel::Simd))
    }

    /// The Gram of `packed` dot products (the upper triangle) of centred rows of `d` columns with
    /// squared norms `sum2`, summed by `kernel` (its error bound).
    pub fn new(packed: Vec<f32>, sum2: &[f64], d: usize, kernel: Kernel) -> Gram {
        Gram { packed, bound: Bound::new(d, sum2.iter().map(|&s| s as f32).collect()).for_kernel(kernel) }
    }

    /// Approximate squared distance between rows `i` and `j` (i ≠ j), as `knn` computes it.
    fn approx(&self, i: usize, j: usize) -> f32 {
        let g = self.packed[entry(self.bound.rows(), i, j)];
        self.bound.norm2(i) + self.bound.norm2(j) - 2.0 * g
    }

    /// Whether the approximate distance between rows `i` and `j` lies where the bound says around
    /// their `exact` distance: a GPU's Gram is checked on every pair that pass 2 measures, as the
    /// in-memory search checks a GPU's lists (its bound rests on WGSL's rounding rules).
    pub fn check(&self, i: usize, j: usize, exact: f64) -> Result<(), KnnError> {
        if self.bound.kernel() == Kernel::Simd {
            return Ok(());
        }
        let approx = self.approx(i, j);
        if self.bound.admits(i, approx, exact) {
            return Ok(());
        }
        Err(KnnError::DeviceBound { row: i, col: j, approx, exact })
    }

    /// The `m` nearest of row `i` among `among` (ascending row indices, `i` left out), by
    /// (approximate distance, index): the candidates `knn` keeps.
    pub fn nearest(&self, i: usize, among: &[usize], m: usize) -> Nearest {
        // Widened to f64 (exact, order-preserving) so the sort is the neighbour lists' one.
        let mut all: Vec<(f64, u32)> =
            among.iter().filter(|&&j| j != i).map(|&j| (f64::from(self.approx(i, j)), j as u32)).collect();
        let everyone = m >= all.len();
        if !everyone {
            all.select_nth_unstable_by(m - 1, |a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            all.truncate(m);
        }
        sort_pairs(&mut all);
        let threshold = all.last().map_or(f32::INFINITY, |c| c.0 as f32);
        Nearest { rows: all.iter().map(|&(_, j)| j).collect(), threshold, all: everyone }
    }

    /// Whether no row outside `c` can be nearer to row `i` than `kth` (exact): `knn`'s bound.
    pub fn proven(&self, i: usize, c: &Nearest, kth: f64) -> bool {
        c.all || self.bound.proven(i, c.threshold, kth)
    }
}

/// The zeroed packed Gram of `n` rows, or a refusal where memory runs out.
pub fn packed(n: usize) -> Result<Vec<f32>, Stop> {
    super::alloc(offset(n, n), "the packed N×N Gram matrix")
}

/// Centres a chunk ([`centre`]) and adds its rows' squared norms to `sum2`.
pub fn prepare(buf: &mut [f32], w: usize, scale: &[f64], sum2: &mut [f64]) {
    centre(buf, w, scale);
    for (s, row) in sum2.iter_mut().zip(buf.chunks_exact(w)) {
        for &v in row.iter() {
            *s += v as f64 * v as f64;
        }
    }
}

/// Scales the chunk's rows and centres them on its column means, in place, rounded to f32 (as
/// `knn` does).
fn centre(buf: &mut [f32], w: usize, scale: &[f64]) {
    let n = scale.len();
    let mut mean = vec![0.0f64; w];
    for (i, row) in buf.chunks_exact(w).enumerate() {
        for (m, &v) in mean.iter_mut().zip(row) {
            *m += v as f64 * scale[i];
        }
    }
    mean.iter_mut().for_each(|m| *m /= n as f64);
    for (i, row) in buf.chunks_exact_mut(w).enumerate() {
        for (v, &m) in row.iter_mut().zip(&mean) {
            *v = (*v as f64 * scale[i] - m) as f32;
        }
    }
}

/// Adds the chunk's dot products to the packed Gram (upper triangle, by row blocks).
fn accumulate(gram: &mut [f32], x: &[f32], n: usize, w: usize) {
    let mut segments: Vec<&mut [f32]> = Vec::new();
    let mut rest = gram;
    for rows in row_blocks(n) {
        let (seg, tail) = rest.split_at_mut(offset(n, rows.end) - offset(n, rows.start));
        segments.push(seg);
        rest = tail;
    }
    for_each_dot(x, n, w, &mut segments, |seg, base, i, j, v| {
        if j > i {
            seg[offset(n, i) - base + (j - i - 1)] += v;
        }
    });
}

/// Blocks of rows, one task each in [`for_each_dot`]: whole tiles of the kernel.
pub fn row_blocks(n: usize) -> Vec<Range<usize>> {
    let block = default_block();
    (0..n).step_by(block).map(|i0| i0..(i0 + block).min(n)).collect()
}

/// Calls `add(state, offset(first row), i, j, xᵢ·xⱼ)` for every pair i ≤ j of the rows of `x`
/// (n × w), `state` being that of i's block of [`row_blocks`]. Piece by piece of [`PIECE`]
/// columns: each piece is packed once, then the blocks' tasks (in parallel) compute their tiles
/// with every later block; an entry gets one f32 kernel sum per piece.
pub fn for_each_dot<S: Send>(
    x: &[f32],
    n: usize,
    w: usize,
    states: &mut [S],
    add: impl Fn(&mut S, usize, usize, usize, f32) + Sync + Send,
) {
    let blocks = row_blocks(n);
    let tasks: Vec<(Range<usize>, Mutex<&mut S>)> =
        blocks.iter().cloned().zip(states.iter_mut().map(Mutex::new)).collect();
    for s0 in (0..w).step_by(PIECE) {
        let s1 = (s0 + PIECE).min(w);
        let piece = Packed::new(n, s1 - s0, |i, k| x[i * w + s0 + k]);
        crate::support::parallel::map(&tasks, |(rows, state)| {
            let mut state = state.lock().unwrap_or_else(|e| e.into_inner());
            let base = offset(n, rows.start);
            let mut c = Vec::new();
            for cols in blocks.iter().filter(|b| b.start >= rows.start) {
                let t = tile(&piece, rows.clone(), cols.clone(), &mut c);
                for i in rows.clone() {
                    for j in cols.start.max(i)..cols.end {
                        add(&mut state, base, i, j, t.get(i, j));
                    }
                }
            }
        });
    }
}
