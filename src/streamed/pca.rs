//! PC-ID of a streamed layer: the N×N Gram matrix of the standardised rows, accumulated over
//! column chunks (a chunk holds every row of its columns, so column means, variances and the
//! standardisation are exact per chunk), then the same spectrum as `pcid`.
//!
//! The standardised values are the in-memory f32 values; their dot products are summed per
//! [`PIECE`]-column piece in f32 and across pieces in f64, so the spectrum agrees with the
//! in-memory one (which sums each dot product in f32) to the f32 rounding of the latter.


use super::{Chunks, Stop};
use super::gram::PIECE;
use crate::knn::kernel::dot;
use crate::pcid::{PcaError, Symmetric, from_gram};
use crate::progress::Progress;
use crate::results::PcId;

/// Bytes the PCA holds besides one chunk, an upper bound: the f64 Gram (8 n²) and one chunk's
/// row sums (4 n²).
pub fn bytes(n: usize) -> u64 {
    32 * n as u64 * n as u64
}

/// PC-ID of the rows of `chunks` at variance fraction `threshold`.
pub fn pc_id(chunks: &Chunks, threshold: f64, progress: &mut dyn Progress) -> Result<PcId, Stop> {
    let n = chunks.rows.len();
    if n < 2 {
        return Err(pca_error(PcaError::TooFew(n)));
    }
    let mut gram = Symmetric::zeros(n);
    let mut constant = 0usize;
    let rows: Vec<usize> = (0..n).collect();
    chunks.for_each(progress, |_, w, buf| {
        let kept = standardise(buf, n, w);
        constant += w - kept;
        let x = &buf[..n * kept];
        let upper = crate::parallel::map(&rows, |&i| {
            let row = |r: usize, s: usize| &x[r * kept + s..r * kept + (s + PIECE).min(kept)];
            (i..n).map(|j| (0..kept).step_by(PIECE).map(|s| dot(row(i, s), row(j, s)) as f64).sum::<f64>()).collect::<Vec<f64>>()
        });
        for (i, sums) in upper.iter().enumerate() {
            for (j, v) in (i..n).zip(sums) {
                *gram.lower_mut(j, i) += v;
            }
        }
    })?;
    if constant == chunks.cols {
        return Err(pca_error(PcaError::AllConstant(constant)));
    }
    gram.scale(1.0 / (n - 1) as f64);
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
