//! PC-ID (Ansuini et al. 2019, Fig 5): principal components of the correlation matrix needed to
//! explain a fraction of the variance, with the normalised spectrum.
//!
//! Constant columns (dead ReLUs) are dropped and counted. The eigenvalues come from the D×D
//! correlation matrix or from the N×N Gram matrix of the standardised rows, whichever is smaller
//! (they share their non-zero eigenvalues), so D = 800 000 costs an N×N problem. We report the
//! smallest k whose cumulative ratio reaches the threshold; the paper's script printed k − 1.

mod eigen;

use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

pub use eigen::Symmetric;

use crate::estimators::{Column, EstimateError, Estimator, Lists, Params, Rows};
use crate::knn::kernel;
use crate::params::{ParamError, Setting, SettingKind, Shown, in_unit, settings};

settings! {
    /// PC-ID's parameters.
    pub struct PcIdParams {
        /// Run it (and the PCA spectrum).
        run as "pc_id": bool = false,
        /// Fraction of variance the PC-ID must explain.
        threshold as "pc_threshold": f64 = 0.9,
        /// Cap on the points the PCA uses (a random subsample with the seed above it).
        max_points as "pc_max_points": usize = 5000,
    }
}
use crate::support::progress::Progress;
use crate::support::rng::{self, Stream};

/// PC-ID on at most `pc_max_points` points (a random subsample, stream `Pca`, above it).
pub struct PcIdEstimator;

impl Estimator for PcIdEstimator {
    type Output = Option<PcId>;
    type Params = PcIdParams;
    const NAME: &'static str = "PC-ID";
    const SETTINGS: &'static [Setting] = &[
        Setting {
            name: "pc_id",
            label: "PC-ID",
            help: "PC-ID and the PCA spectrum of the correlation matrix",
            kind: SettingKind::Check,
            shown: Shown::Both,
            alias: Some("pcid"),
        },
        Setting {
            name: "pc_threshold",
            label: "PC-ID variance",
            help: "Fraction of the variance the PC-ID's components explain",
            kind: SettingKind::Number { min: 0.05, max: Some(1.0), step: 0.05, empty: None },
            shown: Shown::Cli,
            alias: None,
        },
        Setting {
            name: "pc_max_points",
            label: "PCA points",
            help: "Cap on the points the PCA uses (a random subsample above it)",
            kind: SettingKind::Number { min: 3.0, max: None, step: 1.0, empty: None },
            shown: Shown::Cli,
            alias: None,
        },
    ];

    fn check(p: &PcIdParams) -> Result<(), ParamError> {
        ParamError::unless(in_unit(p.threshold), "pc_threshold", p.threshold, "in (0, 1]")?;
        ParamError::unless(p.max_points >= 3, "pc_max_points", p.max_points as f64, "at least 3")
    }

    fn estimate(
        p: &Params,
        lists: &Lists,
        rows: &mut dyn Rows,
        progress: &mut dyn Progress,
    ) -> Result<Option<PcId>, EstimateError> {
        let n = lists.full.indices.nrows();
        let cap = p.pc_id.max_points;
        let points = (n > cap).then(|| rng::subset(n, cap, &mut rng::rng(p.seed, Stream::Pca)));
        Ok(Some(rows.pc_id(points, p.pc_id.threshold, progress)?))
    }

    const COLUMNS: &'static [Column] =
        &[Column { key: "pc_id", header: Some("PC-ID"), value: "/id", spread: None, digits: 0 }];
}

/// PC-ID: principal components of the correlation matrix needed for a fraction of the variance.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct PcId {
    /// Smallest k whose cumulative explained-variance ratio reaches the threshold.
    pub id: usize,
    /// The threshold (0.9 in the paper; its script printed k − 1).
    pub threshold: f64,
    /// Explained-variance ratios, descending, summing to 1.
    pub spectrum: Vec<f64>,
    /// Constant columns (e.g. dead ReLUs) dropped before standardising.
    pub constant_columns: usize,
    /// Points the PCA used (after the `pc_max_points` subsample).
    pub n_used: usize,
}

/// Why no PCA can be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PcaError {
    /// Fewer than 2 points.
    #[error("{0} points: the PCA needs at least 2")]
    TooFew(usize),
    /// Every column is constant.
    #[error("all {0} columns are constant: there is no variance to explain")]
    AllConstant(usize),
    /// The eigen-solver did not converge.
    #[error("the eigenvalue solver did not converge")]
    NoConvergence,
}

/// PC-ID and spectrum of the rows of `x` (finite values) at variance fraction `threshold`.
pub fn pc_id(x: ArrayView2<f32>, threshold: f64) -> Result<PcId, PcaError> {
    let (n, d) = x.dim();
    if n < 2 {
        return Err(PcaError::TooFew(n));
    }
    let mean = crate::support::stats::column_means(x);
    let mut var = vec![0.0f64; d];
    for row in x.outer_iter() {
        var.iter_mut().zip(row.iter().zip(&mean)).for_each(|(s, (&v, m))| *s += (v as f64 - m).powi(2));
    }
    let kept: Vec<usize> = (0..d).filter(|&c| var[c] > 0.0).collect();
    if kept.is_empty() {
        return Err(PcaError::AllConstant(d));
    }
    let p = kept.len();
    let inv_sd: Vec<f64> = kept.iter().map(|&c| 1.0 / (var[c] / (n - 1) as f64).sqrt()).collect();
    let standard = |i: usize, k: usize| ((x[(i, kept[k])] as f64 - mean[kept[k]]) * inv_sd[k]) as f32;
    // Rows of `m` are the vectors whose Gram matrix has the spectrum: columns if p ≤ n, else rows.
    let (rows, len) = if p <= n { (p, n) } else { (n, p) };
    let mut m = vec![0.0f32; rows * len];
    for i in 0..n {
        for k in 0..p {
            let at = if p <= n { k * n + i } else { i * p + k };
            m[at] = standard(i, k);
        }
    }
    from_gram(gram(&m, rows, len, (n - 1) as f64), threshold, d - p, n, rows)
}

/// PC-ID and spectrum from the covariance-like matrix `gram` (the correlation matrix, or the
/// Gram matrix of the standardised rows over N − 1) of `n` points with `constant` columns dropped;
/// the `rank` largest eigenvalues are kept (min(N, kept columns): the others are zero).
pub fn from_gram(gram: Symmetric, threshold: f64, constant: usize, n: usize, rank: usize) -> Result<PcId, PcaError> {
    let mut values = gram.eigenvalues().ok_or(PcaError::NoConvergence)?;
    values.iter_mut().for_each(|v| *v = v.max(0.0));
    crate::support::order::sort_f64(&mut values);
    values.reverse();
    values.truncate(rank);
    let total: f64 = values.iter().sum();
    let spectrum: Vec<f64> = values.iter().map(|v| v / total).collect();
    let mut cum = 0.0;
    let id = spectrum.iter().position(|r| {
        cum += r;
        cum >= threshold
    });
    Ok(PcId { id: id.map_or(spectrum.len(), |k| k + 1), threshold, spectrum, constant_columns: constant, n_used: n })
}

/// Gram matrix of the `rows` rows (each of length `len`) of `m`, divided by `scale`, in f64.
fn gram(m: &[f32], rows: usize, len: usize, scale: f64) -> Symmetric {
    let row = |i: usize| &m[i * len..(i + 1) * len];
    let idx: Vec<usize> = (0..rows).collect();
    let lower = crate::support::parallel::map(&idx, |&i| {
        (0..=i).map(|j| kernel::dot(row(i), row(j)) as f64 / scale).collect::<Vec<_>>()
    });
    Symmetric::from_lower(rows, |i, j| lower[i][j])
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn two_perfectly_correlated_columns_and_a_dead_one() {
        let x = array![[1.0f32, 2.0, 5.0], [2.0, 4.0, 5.0], [3.0, 6.0, 5.0], [4.0, 8.0, 5.0]];
        let r = pc_id(x.view(), 0.9).unwrap();
        assert_eq!(r.constant_columns, 1);
        assert_eq!(r.id, 1);
        assert!((r.spectrum[0] - 1.0).abs() < 1e-6 && r.spectrum[1].abs() < 1e-6);
    }

    #[test]
    fn gram_route_equals_covariance_route() {
        // 3 points in 5-D (Gram route) vs. their transpose problem: the spectra agree.
        let x = array![[1.0f32, 0.0, 2.0, 1.0, 3.0], [0.0, 1.0, 1.0, 4.0, 1.0], [2.0, 2.0, 0.0, 1.0, 0.0]];
        let wide = pc_id(x.view(), 0.9).unwrap();
        let mut tall = ndarray::Array2::<f32>::zeros((60, 5));
        for i in 0..60 {
            tall.row_mut(i).assign(&x.row(i % 3));
        }
        let tall = pc_id(tall.view(), 0.9).unwrap();
        for (a, b) in wide.spectrum.iter().zip(&tall.spectrum) {
            assert!((a - b).abs() < 1e-6, "{a} vs {b}");
        }
    }

    #[test]
    fn all_constant_is_an_error() {
        assert_eq!(pc_id(array![[1.0f32, 2.0], [1.0, 2.0]].view(), 0.9), Err(PcaError::AllConstant(2)));
    }
}
