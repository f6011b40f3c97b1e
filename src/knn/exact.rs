//! Distances in float64 difference form, the ground truth the candidates are re-ranked with.

use std::borrow::Cow;

use ndarray::ArrayView2;

use crate::params::Metric;

/// Partial sums of a distance (a power of two).
const LANES: usize = 16;

/// Row scales needed to compute exact distances from the original f32 rows.
pub struct ExactMetric {
    /// 1/‖xᵢ‖ for cosine, 1 for Euclidean.
    inv_norm: Vec<f64>,
}

impl ExactMetric {
    /// Scales for the rows of `x` under `metric` (rows already checked finite and, for cosine, non-zero).
    pub fn new(x: &ArrayView2<f32>, metric: Metric) -> Self {
        let inv_norm = x
            .outer_iter()
            .map(|r| match metric {
                Metric::Euclidean => 1.0,
                Metric::Cosine => 1.0 / r.iter().map(|&v| v as f64 * v as f64).sum::<f64>().sqrt(),
            })
            .collect();
        Self { inv_norm }
    }

    /// The factor row `i` is scaled by before distances are taken (1/‖xᵢ‖ for cosine, else 1).
    pub fn scale(&self, i: usize) -> f64 {
        self.inv_norm[i]
    }

    /// The distance: Euclidean between the rows, or between the rows scaled to unit length for
    /// cosine (the chord √(2(1 − cos))). Accumulated in f64 from the f32 values, in [`LANES`]
    /// interleaved partial sums added pairwise: the same bits on every target and SIMD width.
    pub fn euclidean(&self, x: &ArrayView2<f32>, i: usize, j: usize) -> f64 {
        let row = |r: usize| {
            let v = x.row(r);
            v.to_slice().map_or_else(|| Cow::Owned(v.to_vec()), Cow::Borrowed)
        };
        let (a, b) = (row(i), row(j));
        let (si, sj) = (self.inv_norm[i], self.inv_norm[j]);
        #[cfg(target_arch = "x86_64")]
        {
            if is_x86_feature_detected!("avx512f") {
                // SAFETY: AVX-512F was detected.
                return unsafe { sum_sq_diff_avx512(&a, &b, si, sj) }.sqrt();
            }
            if is_x86_feature_detected!("avx2") {
                // SAFETY: AVX2 was detected.
                return unsafe { sum_sq_diff_avx2(&a, &b, si, sj) }.sqrt();
            }
        }
        sum_sq_diff(&a, &b, si, sj).sqrt()
    }
}

/// Σ (aₖ·sa − bₖ·sb)² in f64, element k into partial sum k mod [`LANES`] (mul then add, never
/// fused, so wider SIMD only changes the speed).
#[inline(always)]
fn sum_sq_diff(a: &[f32], b: &[f32], sa: f64, sb: f64) -> f64 {
    let mut s = [0.0f64; LANES];
    let (ca, cb) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    for (l, (&p, &q)) in ca.remainder().iter().zip(cb.remainder()).enumerate() {
        let t = p as f64 * sa - q as f64 * sb;
        s[l] = t * t;
    }
    for (pa, pb) in ca.zip(cb) {
        for l in 0..LANES {
            let t = pa[l] as f64 * sa - pb[l] as f64 * sb;
            s[l] += t * t;
        }
    }
    let mut width = LANES / 2;
    while width > 0 {
        for l in 0..width {
            s[l] += s[l + width];
        }
        width /= 2;
    }
    s[0]
}

/// [`sum_sq_diff`] compiled for AVX-512.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn sum_sq_diff_avx512(a: &[f32], b: &[f32], sa: f64, sb: f64) -> f64 {
    sum_sq_diff(a, b, sa, sb)
}

/// [`sum_sq_diff`] compiled for AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn sum_sq_diff_avx2(a: &[f32], b: &[f32], sa: f64, sb: f64) -> f64 {
    sum_sq_diff(a, b, sa, sb)
}
