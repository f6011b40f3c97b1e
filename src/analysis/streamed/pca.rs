//! PC-ID of a streamed layer: the N×N Gram matrix of the standardised rows, accumulated over
//! column chunks (a chunk holds every row of its columns, so column means, variances and the
//! standardisation are exact per chunk), then the same spectrum as `pcid`.
//!
//! The standardised values are the in-memory f32 values; their dot products are summed by the
//! Gram pass's kernel per piece of columns in f32 and across pieces in f64, so the spectrum agrees
//! with the in-memory one (which sums each dot product in f32) to the f32 rounding of the latter.

use super::gram::{for_each_dot, row_blocks};
use super::{Chunks, Stop};
use crate::estimators::pcid::{PcaError, Symmetric, from_gram};
use crate::knn::gram::default_block;
use crate::results::PcId;
use crate::support::progress::Progress;
use crate::support::triangle::offset;

/// Bytes the PCA holds besides one chunk, an upper bound: the f64 upper-triangle sums (4 n²), the
/// symmetric matrix (8 n²) and the eigen-solver's copy and workspace (under 16 n²).
pub fn bytes(n: usize) -> u64 {
    32 * n as u64 * n as u64
}

/// PC-ID of the rows of `chunks` at variance fraction `threshold`.
pub fn pc_id(chunks: &Chunks, threshold: f64, progress: &mut dyn Progress) -> Result<PcId, Stop> {
    let n = chunks.rows.len();
    if n < 2 {
        return Err(pca_error(PcaError::TooFew(n)));
    }
    // Entries j ≥ i of each block of rows, row after row: (first row, sums).
    let mut upper: Vec<(usize, Vec<f64>)> = row_blocks(n)
        .into_iter()
        .map(|b| (b.start, vec![0.0; offset(n, b.end) + b.end - offset(n, b.start) - b.start]))
        .collect();
    let mut constant = 0usize;
    chunks.for_each(progress, |_, w, buf| {
        let kept = standardise(buf, n, w);
        constant += w - kept;
        for_each_dot(&buf[..n * kept], n, kept, &mut upper, |(r0, sums), base, i, j, v| {
            sums[offset(n, i) + j - base - *r0] += v as f64
        });
    })?;
    if constant == chunks.cols {
        return Err(pca_error(PcaError::AllConstant(constant)));
    }
    let scale = (n - 1) as f64;
    let entry = |i: usize, j: usize| {
        let (r0, sums) = &upper[i / default_block()];
        sums[offset(n, i) + j - offset(n, *r0) - r0]
    };
    let gram = Symmetric::from_lower(n, |i, j| entry(j, i) / scale);
    from_gram(gram, threshold, constant, n, n.min(chunks.cols - constant)).map_err(pca_error)
}

fn pca_error(e: PcaError) -> Stop {
    Stop::Estimate(e.into())
}

/// Replaces the chunk (n × w) by its non-constant columns standardised as `pcid` does
/// ((v − mean)/sd in f64, then f32), packed n × kept; returns kept.
fn standardise(buf: &mut [f32], n: usize, w: usize) -> usize {
    let mut mean = vec![0.0f64; w];
    for row in buf.chunks_exact(w) {
        mean.iter_mut().zip(row).for_each(|(m, &v)| *m += v as f64);
    }
    mean.iter_mut().for_each(|m| *m /= n as f64);
    let mut var = vec![0.0f64; w];
    for row in buf.chunks_exact(w) {
        var.iter_mut().zip(row.iter().zip(&mean)).for_each(|(s, (&v, m))| *s += (v as f64 - m).powi(2));
    }
    let cols: Vec<usize> = (0..w).filter(|&c| var[c] > 0.0).collect();
    let inv_sd: Vec<f64> = cols.iter().map(|&c| 1.0 / (var[c] / (n - 1) as f64).sqrt()).collect();
    let kept = cols.len();
    for i in 0..n {
        for (k, &c) in cols.iter().enumerate() {
            buf[i * kept + k] = ((buf[i * w + c] as f64 - mean[c]) * inv_sd[k]) as f32;
        }
    }
    kept
}
