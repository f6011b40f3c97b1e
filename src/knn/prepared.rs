//! The rows as both phases of the search need them: checked finite, centred (and scaled for
//! cosine) in f32 for the Gram products, with the norms the error bound needs.

use ndarray::ArrayView2;

use super::Metric;
use super::exact::ExactMetric;
use super::{Bound, KnnError, gram};

/// The rows centred (and scaled to unit length for cosine) in f32, with what the bound needs.
pub(super) struct Prepared {
    pub(super) d: usize,
    /// Column means of the (scaled) rows, subtracted before the Gram products.
    pub(super) mean: Vec<f64>,
    /// The completeness bound, from the squared norms of the centred f32 rows.
    pub(super) bound: Bound,
    pub(super) exact: ExactMetric,
}

impl Prepared {
    /// The rows of `x` prepared for `metric`, or the first row that is not finite (or, for
    /// cosine, all zeros).
    pub(super) fn new(x: &ArrayView2<f32>, metric: Metric) -> Result<Self, KnnError> {
        let (n, d) = x.dim();
        let all: Vec<usize> = (0..n).collect();
        let problems = crate::support::parallel::map(&all, |&i| {
            let row = x.row(i);
            if let Some((c, &v)) = row.iter().enumerate().find(|(_, v)| !v.is_finite()) {
                return Some(KnnError::NonFinite { row: i, col: c, value: v });
            }
            (metric == Metric::Cosine && row.iter().all(|&v| v == 0.0)).then_some(KnnError::ZeroRow(i))
        });
        if let Some(problem) = problems.into_iter().flatten().next() {
            return Err(problem);
        }
        let exact = ExactMetric::new(x, metric);
        let columns: Vec<usize> = (0..d).step_by(gram::KC).collect();
        let mean: Vec<f64> = crate::support::parallel::map(&columns, |&c0| {
            let mut sum = vec![0.0f64; gram::KC.min(d - c0)];
            for (i, row) in x.outer_iter().enumerate() {
                for (m, &v) in sum.iter_mut().zip(row.slice(ndarray::s![c0..])) {
                    *m += v as f64 * exact.scale(i);
                }
            }
            sum
        })
        .concat()
        .into_iter()
        .map(|m| m / n as f64)
        .collect();
        let mut prep = Self { d, mean, bound: Bound::new(d, Vec::new()), exact };
        let norms2 = crate::support::parallel::map(&all, |&i| {
            (0..d).map(|k| prep.centred(x, i, k) as f64).map(|v| v * v).sum::<f64>() as f32
        });
        prep.bound = Bound::new(d, norms2);
        Ok(prep)
    }

    /// Row `i`, column `k` centred (and scaled for cosine) in f32.
    pub(super) fn centred(&self, x: &ArrayView2<f32>, i: usize, k: usize) -> f32 {
        (x[(i, k)] as f64 * self.exact.scale(i) - self.mean[k]) as f32
    }

    /// The centred rows packed for the Gram kernel (phase 1 only).
    pub(super) fn packed(&self, x: &ArrayView2<f32>) -> gram::Packed {
        gram::Packed::new(x.nrows(), self.d, |i, k| self.centred(x, i, k))
    }
}
