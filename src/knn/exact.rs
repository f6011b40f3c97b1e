//! Distances in float64 difference form, the ground truth the candidates are re-ranked with.

use ndarray::ArrayView2;

use crate::params::Metric;

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
    /// cosine (the chord √(2(1 − cos))). Accumulated in f64 from the f32 values.
    pub fn euclidean(&self, x: &ArrayView2<f32>, i: usize, j: usize) -> f64 {
        let (si, sj) = (self.inv_norm[i], self.inv_norm[j]);
        let (a, b) = (x.row(i), x.row(j));
        let mut s = 0.0f64;
        for (&p, &q) in a.iter().zip(b.iter()) {
            let t = p as f64 * si - q as f64 * sj;
            s += t * t;
        }
        s.sqrt()
    }

}
