//! Distances in float64 difference form, the ground truth the candidates are re-ranked with.

use ndarray::ArrayView2;

use crate::params::Metric;

/// Row scales and metric needed to compute exact distances from the original f32 rows.
pub struct ExactMetric {
    metric: Metric,
    /// 1/‖xᵢ‖ for cosine, 1 for Euclidean.
    inv_norm: Vec<f64>,
}

impl ExactMetric {
    /// Prepares `metric` for the rows of `x`; `inv_norm` must be 1/‖xᵢ‖ for cosine.
    pub fn new(metric: Metric, inv_norm: Vec<f64>) -> Self {
        Self { metric, inv_norm }
    }

    /// Euclidean distance in the space the search ranks in: the rows themselves, or the rows
    /// scaled to unit length for cosine. Accumulated in f64 from the f32 values.
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

    /// The reported distance for a Euclidean distance `e` in ranking space: `e` itself, or
    /// 1 − cos = e²/2 for unit vectors.
    pub fn reported(&self, e: f64) -> f64 {
        match self.metric {
            Metric::Euclidean => e,
            Metric::Cosine => 0.5 * e * e,
        }
    }
}
