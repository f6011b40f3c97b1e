//! Gaussian surrogate (Ansuini et al. 2019, Fig 5B): a sample with the data's mean and covariance
//! but no curvature. Rows are mean + g·X_c/√(N−1) with g standard normal, so no D×D matrix is formed.

use ndarray::{Array2, ArrayView2};
use rand_distr::{Distribution, StandardNormal};

use crate::estimators::decimation::{self, DecimationPoint};
use crate::estimators::{EstimateError, Estimator, Lists, Params, Rows, twonn};
use crate::knn::{Search, neighbours};
use crate::params::{Setting, SettingKind, Shown, settings};

settings! {
    /// The Gaussian surrogate's parameters (its decimation takes the decimation's).
    pub struct SurrogateParams {
        /// Run it.
        run as "surrogate": bool = false,
    }
}
use crate::support::progress::Progress;
use crate::support::rng::{self, Stream};

/// The decimation of a Gaussian sample with the data's mean and covariance (needs the rows in
/// memory: the sample is as large as the layer).
pub struct SurrogateEstimator;

impl Estimator for SurrogateEstimator {
    type Output = Vec<DecimationPoint>;
    type Params = SurrogateParams;
    const NAME: &'static str = "the Gaussian surrogate";
    const IN_MEMORY: bool = true;
    const SETTINGS: &'static [Setting] = &[Setting {
        name: "surrogate",
        label: "Gaussian surrogate",
        help: "Decimation of a Gaussian surrogate with the data's covariance (flat, no curvature)",
        kind: SettingKind::Check,
        shown: Shown::Both,
        alias: None,
    }];

    fn estimate(
        p: &Params,
        _lists: &Lists,
        rows: &mut dyn Rows,
        progress: &mut dyn Progress,
    ) -> Result<Vec<DecimationPoint>, EstimateError> {
        let x = rows.in_memory().ok_or(EstimateError::InMemoryOnly(Self::NAME))?;
        let g = gaussian_like(x, p.seed);
        let k = twonn::BASE_K.min(g.nrows() - 1);
        let full = neighbours(g.view(), &Search::new(k, p.metric), progress)?;
        Ok(decimation::in_memory(g.view(), &full, p)?)
    }

    fn section(d: &Vec<DecimationPoint>) -> Option<(String, Vec<String>)> {
        decimation::section("Gaussian surrogate decimation", d)
    }
}

/// N Gaussian rows with the covariance and mean of the rows of `x` (stream `Surrogate`).
pub fn gaussian_like(x: ArrayView2<f32>, seed: u32) -> Array2<f32> {
    let (n, d) = x.dim();
    let mean = crate::support::stats::column_means(x);
    let scale = 1.0 / ((n.max(2) - 1) as f64).sqrt();
    let mut r = rng::rng(seed, Stream::Surrogate);
    let g: Vec<Vec<f64>> = (0..n).map(|_| (0..n).map(|_| StandardNormal.sample(&mut r)).collect()).collect();
    let rows: Vec<usize> = (0..n).collect();
    let out = crate::support::parallel::map(&rows, |&s| {
        let mut acc = vec![0.0f64; d];
        for (row, &w) in x.outer_iter().zip(&g[s]) {
            acc.iter_mut().zip(row.iter().zip(&mean)).for_each(|(a, (&v, m))| *a += w * (v as f64 - m));
        }
        acc.iter().zip(&mean).map(|(a, m)| (m + a * scale) as f32).collect::<Vec<f32>>()
    });
    Array2::from_shape_fn((n, d), |(r, c)| out[r][c])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surrogate_has_the_data_covariance_on_average() {
        // Data on a line y = 2x: the surrogate must lie on the same line (rank-one covariance).
        let x = Array2::from_shape_fn((50, 2), |(i, c)| (i as f32 * 0.1) * if c == 0 { 1.0 } else { 2.0 });
        let s = gaussian_like(x.view(), 3);
        for row in s.outer_iter() {
            assert!((row[1] - 2.0 * row[0]).abs() < 1e-4, "{row}");
        }
        let var = |c: usize, m: &Array2<f32>| m.column(c).mapv(|v| v as f64).var(1.0);
        assert!((var(0, &s) / var(0, &x) - 1.0).abs() < 0.5);
    }
}
