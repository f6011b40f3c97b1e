//! Pass 1: the Gram matrix of the centred rows, accumulated over column chunks in f32 in a fixed
//! order whose error [`error_factor`] bounds (dots over [`PIECE`]-column pieces added in column
//! order); it then gives candidates for every row, among all rows or among a subset's members.
//! The `knn` kernel may sum differently: candidates may differ, the exact lists cannot.
//!
//! A chunk holds every analysed row of its columns, so its column means, the centring and the
//! squared norms are exact per chunk. Only the upper triangle is stored, and each pair's dot
//! product is computed once.

use std::ops::Range;
use std::sync::Mutex;

use super::{Chunks, Stop};
use crate::knn::kernel::{dot, dot_error_factor};
use crate::progress::Progress;

/// Rows per parallel task of the Gram update (one 64-row tile of a column piece stays in L2).
const BLOCK: usize = 64;

/// Columns per piece of a Gram entry: each piece is one [`dot`], the pieces are added in f32 in
/// column order (chunks are multiples of it, so the order does not depend on the chunking).
pub const PIECE: usize = 256;

/// Upper bound of the Gram entries' error / (‖a‖·‖b‖) in units of ε for rows of length `len`:
/// [`dot_error_factor`] within a piece (Σ over pieces ≤ ‖a‖‖b‖ by Cauchy–Schwarz), one ε per
/// piece added, one for the slack.
fn error_factor(len: usize) -> f64 {
    dot_error_factor(len.min(PIECE)) + len.div_ceil(PIECE) as f64 + 1.0
}

/// The packed Gram matrix of the centred rows and their squared norms: approximate squared
/// distances ‖xᵢ‖² + ‖xⱼ‖² − 2xᵢ·xⱼ with a proven error bound.
pub struct Gram {
    d: usize,
    packed: Vec<f32>,
    norms2: Vec<f32>,
    max_norm2: f64,
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

/// Start of row `i`'s segment (entries j > i) in the packed upper triangle of an n × n matrix.
fn offset(n: usize, i: usize) -> usize {
    i * n - i * (i + 1) / 2
}

impl Gram {
    /// The Gram pass; `scale` is each row's factor (1/‖x‖ for cosine).
    pub fn build(chunks: &Chunks, scale: &[f64], progress: &mut dyn Progress) -> Result<Gram, Stop> {
        let n = chunks.rows.len();
        let mut packed = super::alloc(offset(n, n), "the packed N×N Gram matrix")?;
        let mut sum2 = vec![0.0f64; n];
        chunks.for_each(progress, |_, w, buf| {
            centre(buf, w, scale);
            for (i, row) in buf.chunks_exact(w).enumerate() {
                for &v in row.iter() {
                    sum2[i] += v as f64 * v as f64;
                }
            }
            accumulate(&mut packed, buf, n, w);
        })?;
        let norms2: Vec<f32> = sum2.iter().map(|&s| s as f32).collect();
        let max_norm2 = norms2.iter().fold(0.0f64, |a, &b| a.max(b as f64));
        Ok(Gram { d: chunks.cols, packed, norms2, max_norm2 })
    }

    /// Approximate squared distance between rows `i` and `j` (i ≠ j), as `knn` computes it.
    fn approx(&self, i: usize, j: usize) -> f32 {
        let n = self.norms2.len();
        let g = if i < j { self.packed[offset(n, i) + j - i - 1] } else { self.packed[offset(n, j) + i - j - 1] };
        self.norms2[i] + self.norms2[j] - 2.0 * g
    }

    /// The `m` nearest of row `i` among `among` (ascending row indices, `i` left out), by
    /// (approximate distance, index): the candidates `knn` keeps.
    pub fn nearest(&self, i: usize, among: &[usize], m: usize) -> Nearest {
        let mut all: Vec<(f32, u32)> = among.iter().filter(|&&j| j != i).map(|&j| (self.approx(i, j), j as u32)).collect();
        let order = |a: &(f32, u32), b: &(f32, u32)| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1));
        let everyone = m >= all.len();
        if !everyone {
            all.select_nth_unstable_by(m - 1, order);
            all.truncate(m);
        }
        all.sort_unstable_by(order);
        let threshold = all.last().map_or(f32::INFINITY, |c| c.0);
        Nearest { rows: all.iter().map(|&(_, j)| j).collect(), threshold, all: everyone }
    }

    /// Whether no row outside `c` can be nearer to row `i` than `kth` (exact): they all had
    /// approximate squared distance ≥ the threshold, whose f32 error is bounded by the dot-product
    /// error plus the rounding of the centred rows (the bound `knn` uses).
    pub fn proven(&self, i: usize, c: &Nearest, kth: f64) -> bool {
        if c.all {
            return true;
        }
        let eps = f32::EPSILON as f64;
        let (ni, big) = (self.norms2[i] as f64, self.max_norm2);
        let gram_err = (error_factor(self.d) + 4.0) * eps * (ni + big);
        let lower = (c.threshold as f64 - gram_err).max(0.0).sqrt() - eps * (ni.sqrt() + big.sqrt());
        lower > kth
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

/// Adds the chunk's dot products to the packed Gram, one task per block of rows.
fn accumulate(gram: &mut [f32], x: &[f32], n: usize, w: usize) {
    let mut tasks: Vec<(Range<usize>, Mutex<&mut [f32]>)> = Vec::new();
    let mut rest = gram;
    for i0 in (0..n).step_by(BLOCK) {
        let i1 = (i0 + BLOCK).min(n);
        let (seg, tail) = rest.split_at_mut(offset(n, i1) - offset(n, i0));
        tasks.push((i0..i1, Mutex::new(seg)));
        rest = tail;
    }
    crate::parallel::map(&tasks, |(block, seg)| {
        let mut seg = seg.lock().unwrap_or_else(|e| e.into_inner());
        accumulate_block(&mut seg, block.clone(), x, n, w);
    });
}

/// Rows `block` against every later row, column piece by column piece in order.
fn accumulate_block(seg: &mut [f32], block: Range<usize>, x: &[f32], n: usize, w: usize) {
    let base = offset(n, block.start);
    let at = |i: usize, j: usize| offset(n, i) - base + (j - i - 1);
    for s0 in (0..w).step_by(PIECE) {
        let cols = s0..(s0 + PIECE).min(w);
        let row = |i: usize| &x[i * w + cols.start..i * w + cols.end];
        for j in block.start + 1..n {
            let rj = row(j);
            for i in block.start..block.end.min(j) {
                seg[at(i, j)] += dot(row(i), rj);
            }
        }
    }
}
