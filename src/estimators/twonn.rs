//! TwoNN (Facco et al. 2017): μ = r₂/r₁ follows the Pareto law f(μ|d) = d·μ^−(d+1).
//!
//! Both estimators follow DADApy 0.3.4's `compute_id_2NN`: maximum likelihood on all μ, and the
//! linear fit of −log(1 − i/N) against log μ₍ᵢ₎ through the origin on the ⌊f·N⌋ smallest μ.

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Gamma};

use crate::estimators::Params;
use crate::estimators::{Column, EstimateError, Estimator, Lists, Rows};
use crate::knn::Neighbours;
use crate::params::{ParamError, Setting, SettingKind, Shown, in_unit, settings};
use crate::support::progress::Progress;
use crate::support::rng::{self, Stream};
use crate::support::stats::mean_std;

/// Largest number of repeats accepted.
pub const MAX_REPEATS: usize = 1000;

settings! {
    /// TwoNN's parameters: the fit and its error bars.
    pub struct TwoNnParams {
        /// Fraction of the smallest μ kept by the linear fit (0 < f ≤ 1).
        mu_fraction: f64 = 0.9,
        /// Number of random subsets for the error bars (0 = none).
        repeats: usize = 20,
        /// Size of each random subset as a fraction of the points (0 < f < 1).
        subset_fraction: f64 = 0.9,
    }
}

/// Neighbours searched per point at least: enough for the error bars' subsets to reuse the lists.
pub(crate) const BASE_K: usize = 16;

/// μ of every point that has one, with the counts of what was left out or tied.
#[derive(Debug, Clone, PartialEq)]
pub struct Mus {
    /// r₂/r₁ for each point with r₁ > 0, in point order.
    pub mu: Vec<f64>,
    /// Points with r₁ = 0 (a duplicate neighbour), left out.
    pub zero_r1_excluded: usize,
    /// Points with r₁ = r₂ > 0 (μ = 1), kept.
    pub mu_one_ties: usize,
}

/// μ = r₂/r₁ from each point's first and second neighbour distances; r₁ = 0 is excluded and counted.
pub fn mus(r1: impl IntoIterator<Item = f64>, r2: impl IntoIterator<Item = f64>) -> Mus {
    let mut out = Mus { mu: Vec::new(), zero_r1_excluded: 0, mu_one_ties: 0 };
    for (a, b) in r1.into_iter().zip(r2) {
        if a == 0.0 {
            out.zero_r1_excluded += 1;
        } else {
            out.mu_one_ties += usize::from(a == b);
            out.mu.push(b / a);
        }
    }
    out
}

/// Why no TwoNN estimate can be made from the μ given.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TwoNnError {
    /// Fewer than 3 μ.
    #[error("{0} usable points: TwoNN needs at least 3")]
    TooFew(usize),
    /// Every μ is 1 (every point has two equidistant neighbours, e.g. a regular grid): d = ∞.
    #[error("every point has its first two neighbours at the same distance (μ = 1): the ID is not defined")]
    AllTies,
}

/// Maximum likelihood d = (N−1)/Σ log μ, with the 95 % interval from Σ log μ ~ Gamma(N, rate d).
pub fn ml(mu: &[f64]) -> Result<MlEstimate, TwoNnError> {
    let n = mu.len();
    if n < 3 {
        return Err(TwoNnError::TooFew(n));
    }
    let s: f64 = mu.iter().map(|m| m.ln()).sum();
    if s <= 0.0 {
        return Err(TwoNnError::AllTies);
    }
    let (lo, hi) = match Gamma::new(n as f64, 1.0) {
        Ok(g) => (g.inverse_cdf(0.025), g.inverse_cdf(0.975)),
        Err(_) => (f64::NAN, f64::NAN),
    };
    Ok(MlEstimate { id: (n - 1) as f64 / s, ci_low: lo / s, ci_high: hi / s })
}

/// Linear fit through the origin of yᵢ = −log(1 − i/N) against xᵢ = log μ₍ᵢ₎, i = 1..⌊f·N⌋
/// (N counts all points; at f = 1 the last point, with y = ∞, is left out). `mu` need not be sorted.
pub fn fit(mu: &[f64], fraction: f64) -> Result<FitEstimate, TwoNnError> {
    let n = mu.len();
    if n < 3 {
        return Err(TwoNnError::TooFew(n));
    }
    let mut sorted = mu.to_vec();
    crate::support::order::sort_f64(&mut sorted);
    let used = ((n as f64 * fraction) as usize).clamp(1, n - 1);
    let point = |i: usize| [sorted[i - 1].ln(), -(1.0 - i as f64 / n as f64).ln()];
    let points: Vec<[f64; 2]> = (1..=used).map(point).collect();
    let discarded: Vec<[f64; 2]> = (used + 1..n).map(point).collect();
    let sxx: f64 = points.iter().map(|p| p[0] * p[0]).sum();
    if sxx == 0.0 {
        return Err(TwoNnError::AllTies);
    }
    let sxy: f64 = points.iter().map(|p| p[0] * p[1]).sum();
    let slope = sxy / sxx;
    let mean_y = points.iter().map(|p| p[1]).sum::<f64>() / used as f64;
    let ss_res: f64 = points.iter().map(|p| (p[1] - slope * p[0]).powi(2)).sum();
    let ss_tot: f64 = points.iter().map(|p| (p[1] - mean_y).powi(2)).sum();
    let r2 = if ss_tot > 0.0 { 1.0 - ss_res / ss_tot } else { f64::NAN };
    Ok(FitEstimate { id: slope, r2, mu_fraction: fraction, points, discarded })
}

/// TwoNN estimates on μ = r₂/r₁.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct TwoNn {
    /// Maximum likelihood, d = (N−1)/Σ log μ, with its 95 % interval.
    pub ml: MlEstimate,
    /// Linear fit of −log(1−F(μ)) against log μ through the origin.
    pub fit: FitEstimate,
    /// Mean ± std over random subsets (absent when `repeats` = 0).
    pub repeats: Option<RepeatStats>,
    /// Mean distance to the second neighbour: the length scale of the estimate.
    pub scale: f64,
    /// Every μ used, sorted ascending (the μ histogram).
    pub mu: Vec<f64>,
}

impl TwoNn {
    /// The ML and fit estimates of `mu` (any order), without error bars, at length scale `scale`.
    pub fn of_mu(mut mu: Vec<f64>, mu_fraction: f64, scale: f64) -> Result<Self, TwoNnError> {
        let ml = ml(&mu)?;
        let fit = fit(&mu, mu_fraction)?;
        crate::support::order::sort_f64(&mut mu);
        Ok(Self { ml, fit, repeats: None, scale, mu })
    }
}

/// Maximum-likelihood TwoNN estimate.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct MlEstimate {
    /// d = (N−1)/Σ log μ.
    pub id: f64,
    /// Lower end of the 95 % interval (Σ log μ ~ Gamma(N, d)).
    pub ci_low: f64,
    /// Upper end of the 95 % interval.
    pub ci_high: f64,
}

/// Linear-fit TwoNN estimate with the points it was fitted to.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct FitEstimate {
    /// Slope through the origin, Σxy/Σx².
    pub id: f64,
    /// Coefficient of determination of the line through the origin (1 − SSres/SStot).
    pub r2: f64,
    /// Fraction of the smallest μ kept.
    pub mu_fraction: f64,
    /// Fitted points (log μ₍ᵢ₎, −log(1 − i/N)), i = 1..⌊fN⌋.
    pub points: Vec<[f64; 2]>,
    /// Discarded points i = ⌊fN⌋+1..N−1 (i = N has y = ∞ and is left out).
    pub discarded: Vec<[f64; 2]>,
}

/// Mean and standard deviation of the estimates over random subsets.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct RepeatStats {
    /// Number of subsets.
    pub repeats: usize,
    /// Size of each subset as a fraction of the points.
    pub fraction: f64,
    /// Mean of the ML estimates.
    pub ml_mean: f64,
    /// Standard deviation (ddof = 0) of the ML estimates.
    pub ml_std: f64,
    /// Mean of the fit estimates.
    pub fit_mean: f64,
    /// Standard deviation (ddof = 0) of the fit estimates.
    pub fit_std: f64,
}

/// TwoNN of the full lists (ML, fit, μ, scale) and its error bars over the `repeats` random
/// subsets; always run.
pub struct TwoNnEstimator;

impl Estimator for TwoNnEstimator {
    type Output = TwoNn;
    type Params = TwoNnParams;
    const NAME: &'static str = "TwoNN";
    const SETTINGS: &'static [Setting] = &[
        Setting {
            name: "mu_fraction",
            label: "TwoNN fit fraction",
            help: "Fraction of the smallest μ kept by the TwoNN linear fit",
            kind: SettingKind::Number { min: 0.05, max: Some(1.0), step: 0.05, empty: None },
            shown: Shown::Both,
            alias: Some("fraction"),
        },
        Setting {
            name: "repeats",
            label: "Repeats",
            help: "Random subsets for the error bars (0: none)",
            kind: SettingKind::Number { min: 0.0, max: Some(MAX_REPEATS as f64), step: 1.0, empty: None },
            shown: Shown::Both,
            alias: None,
        },
        Setting {
            name: "subset_fraction",
            label: "Subset fraction",
            help: "Size of each error-bar subset as a fraction of the points",
            kind: SettingKind::Number { min: 0.05, max: Some(0.95), step: 0.05, empty: None },
            shown: Shown::Cli,
            alias: None,
        },
    ];

    fn check(p: &TwoNnParams) -> Result<(), ParamError> {
        ParamError::unless(in_unit(p.mu_fraction), "mu_fraction", p.mu_fraction, "in (0, 1]")?;
        ParamError::unless(
            p.subset_fraction > 0.0 && p.subset_fraction < 1.0,
            "subset_fraction",
            p.subset_fraction,
            "in (0, 1)",
        )?;
        ParamError::unless(p.repeats <= MAX_REPEATS, "repeats", p.repeats as f64, "at most 1000")
    }

    fn depth(_p: &Params, _n: usize) -> usize {
        BASE_K
    }

    fn subsets(p: &Params, n: usize) -> Vec<Vec<usize>> {
        repeat_subsets(n, p.twonn.repeats, p.twonn.subset_fraction, p.seed)
    }

    fn estimate(p: &Params, lists: &Lists, _rows: &mut dyn Rows, _: &mut dyn Progress) -> Result<TwoNn, EstimateError> {
        let full = lists.full;
        let (r1, r2) = (full.distances.column(0), full.distances.column(1));
        let mus = mus(r1.iter().copied(), r2.iter().copied());
        let scale = (r1.iter().sum::<f64>() + r2.iter().sum::<f64>()) / (2 * full.indices.nrows()) as f64;
        Ok(TwoNn {
            repeats: repeat_stats(lists.within, p.twonn.subset_fraction, p.twonn.mu_fraction),
            ..TwoNn::of_mu(mus.mu, p.twonn.mu_fraction, scale)?
        })
    }

    const COLUMNS: &'static [Column] = &[
        Column { key: "id_ml", header: Some("ID (ML)"), value: "/ml/id", spread: Some("/repeats/ml_std"), digits: 3 },
        Column { key: "id_ml_ci_low", header: None, value: "/ml/ci_low", spread: None, digits: 2 },
        Column { key: "id_ml_ci_high", header: None, value: "/ml/ci_high", spread: None, digits: 2 },
        Column {
            key: "id_fit",
            header: Some("ID (fit)"),
            value: "/fit/id",
            spread: Some("/repeats/fit_std"),
            digits: 3,
        },
        Column { key: "id_fit_r2", header: Some("R²"), value: "/fit/r2", spread: None, digits: 4 },
        Column { key: "repeats", header: None, value: "/repeats/repeats", spread: None, digits: 0 },
        Column { key: "id_ml_mean", header: None, value: "/repeats/ml_mean", spread: None, digits: 2 },
        Column { key: "id_ml_std", header: None, value: "/repeats/ml_std", spread: None, digits: 2 },
        Column { key: "id_fit_mean", header: None, value: "/repeats/fit_mean", spread: None, digits: 2 },
        Column { key: "id_fit_std", header: None, value: "/repeats/fit_std", spread: None, digits: 2 },
    ];
}

/// TwoNN of one subset's 2-neighbour lists: ML and fit ID, and the mean r₂; `None` with fewer
/// than 3 usable μ.
pub(crate) struct SubsetEstimate {
    /// ML ID.
    pub ml: f64,
    /// Fit ID.
    pub fit: f64,
    /// Mean distance to the second neighbour.
    pub mean_r2: f64,
}

/// [`SubsetEstimate`] of the lists `nb`.
pub(crate) fn subset_estimate(nb: &Neighbours, mu_fraction: f64) -> Option<SubsetEstimate> {
    let mus = mus(nb.distances.column(0).iter().copied(), nb.distances.column(1).iter().copied());
    let (Ok(ml), Ok(fit)) = (ml(&mus.mu), fit(&mus.mu, mu_fraction)) else {
        return None;
    };
    let mean_r2 = nb.distances.column(1).mean().unwrap_or(f64::NAN);
    Some(SubsetEstimate { ml: ml.id, fit: fit.id, mean_r2 })
}

/// The `repeats` random subsets of round(`fraction`·n) of n points (stream `Repeats`).
pub fn repeat_subsets(n: usize, repeats: usize, fraction: f64, seed: u32) -> Vec<Vec<usize>> {
    let size = (fraction * n as f64).round() as usize;
    let mut r = rng::rng(seed, Stream::Repeats);
    (0..repeats).map(|_| rng::subset(n, size, &mut r)).collect()
}

/// Mean and spread of the ML and fit ID over the subsets' 2-neighbour lists `lists` (subsets where
/// TwoNN is undefined are left out, so `repeats` counts those that gave an ID); `None` when none did.
pub fn repeat_stats(lists: &[Neighbours], fraction: f64, mu_fraction: f64) -> Option<RepeatStats> {
    let ok: Vec<SubsetEstimate> = lists.iter().filter_map(|nb| subset_estimate(nb, mu_fraction)).collect();
    if ok.is_empty() {
        return None;
    }
    let (ml_mean, ml_std) = mean_std(&ok.iter().map(|e| e.ml).collect::<Vec<_>>());
    let (fit_mean, fit_std) = mean_std(&ok.iter().map(|e| e.fit).collect::<Vec<_>>());
    Some(RepeatStats { repeats: ok.len(), fraction, ml_mean, ml_std, fit_mean, fit_std })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// μ drawn exactly at the Pareto quantiles: μᵢ = (1 − (i − ½)/N)^(−1/d).
    fn pareto_quantiles(n: usize, d: f64) -> Vec<f64> {
        (1..=n).map(|i| (1.0 - (i as f64 - 0.5) / n as f64).powf(-1.0 / d)).collect()
    }

    #[test]
    fn both_estimators_recover_d_from_pareto_quantiles() {
        for d in [1.0, 3.0, 12.0] {
            let mu = pareto_quantiles(4000, d);
            // Quantile points lie on the CDF line up to the ½ offset: 1 % at N = 4000.
            assert!((fit(&mu, 0.9).unwrap().id / d - 1.0).abs() < 0.01, "fit d={d}");
            assert!((ml(&mu).unwrap().id / d - 1.0).abs() < 0.01, "ml d={d}");
        }
    }

    #[test]
    fn ml_interval_brackets_the_estimate() {
        let e = ml(&pareto_quantiles(500, 5.0)).unwrap();
        assert!(e.ci_low < e.id && e.id < e.ci_high);
        // Relative half-width ≈ 1.96/√N for a Gamma(N) sum.
        assert!(((e.ci_high - e.ci_low) / 2.0 / e.id - 1.96 / 500f64.sqrt()).abs() < 0.01);
    }

    #[test]
    fn fit_uses_floor_of_fraction_and_reports_discarded() {
        let mu = pareto_quantiles(10, 2.0);
        let f = fit(&mu, 0.9).unwrap();
        assert_eq!(f.points.len(), 9);
        assert_eq!(f.discarded.len(), 0);
        let f = fit(&mu, 0.55).unwrap();
        assert_eq!((f.points.len(), f.discarded.len()), (5, 4));
        assert!((f.points[0][1] - -(0.9f64).ln()).abs() < 1e-15);
    }

    #[test]
    fn zero_r1_is_excluded_and_ties_counted() {
        let m = mus([0.0, 1.0, 2.0, 1.0], [0.0, 1.0, 3.0, 4.0]);
        assert_eq!(m.mu, vec![1.0, 1.5, 4.0]);
        assert_eq!((m.zero_r1_excluded, m.mu_one_ties), (1, 1));
    }

    #[test]
    fn degenerate_mu_are_errors() {
        assert_eq!(ml(&[2.0, 3.0]), Err(TwoNnError::TooFew(2)));
        assert_eq!(ml(&[1.0; 5]), Err(TwoNnError::AllTies));
        assert_eq!(fit(&[1.0; 5], 0.9).unwrap_err(), TwoNnError::AllTies);
    }
}
