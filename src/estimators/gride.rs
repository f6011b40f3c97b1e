//! Gride (Denti et al. 2022): μ = r_{n₂}/r_{n₁} with n₁ < n₂, maximum likelihood on
//! f(μ|d) ∝ d (μ^d − 1)^(n₂−n₁−1) / μ^((n₂−1)d+1).
//!
//! Follows DADApy 0.3.4 (`return_id_scaling_gride`) so the numbers match it: μ = 1 is nudged up
//! by 10·ε(f64); μ ≥ q₅₀ + 20·(q₉₅ − q₅₀) are dropped as outliers (numpy's linear percentiles)
//! before the fit; the score uses N − 1 with N the number of μ kept and regularises 1 − μ^−d at
//! 2·10⁻⁷; the error is 1/√(observed Fisher information) on all (nudged, unfiltered) μ with
//! 1 − μ^−d regularised at 5·ε(f64). The root is bracketed in [10⁻³, 10³] and found by bisection.

use std::fmt::Write;

use serde::{Deserialize, Serialize};

use crate::estimators::Params;
use crate::estimators::{EstimateError, Estimator, Lists, Rows};
use crate::knn::Neighbours;
use crate::params::{ParamError, Setting, SettingKind, Shown, settings};

/// Largest Gride range accepted (the scale analysis's last order, n = 32, needs the 64th
/// neighbour); the search itself goes to [`crate::knn::MAX_K`].
pub const MAX_GRIDE_RANGE: usize = 64;

settings! {
    /// The Gride scale analysis's parameters.
    pub struct GrideParams {
        /// Run it.
        run as "gride": bool = false,
        /// Largest neighbour order it uses (n₂ ≤ this).
        range as "gride_range": usize = MAX_GRIDE_RANGE,
    }
}
use crate::support::progress::Progress;

/// Why no Gride estimate can be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GrideError {
    /// Orders must satisfy 1 ≤ n₁ < n₂.
    #[error("Gride needs 1 ≤ n1 < n2, got n1 = {n1}, n2 = {n2}")]
    Orders {
        /// First order.
        n1: usize,
        /// Second order.
        n2: usize,
    },
    /// Fewer than 3 μ after the outlier cut.
    #[error("{0} usable points: Gride needs at least 3")]
    TooFew(usize),
    /// The likelihood has no maximum in the searched range.
    #[error("the Gride likelihood has no maximum for an ID between 0.001 and 1000")]
    NoRoot,
}

const D_MIN: f64 = 1e-3;
const D_MAX: f64 = 1e3;
const SCORE_REG: f64 = 2e-7;

/// ML estimate and its error from μ = r_{n₂}/r_{n₁} of every point.
pub fn estimate(mu: &[f64], n1: usize, n2: usize) -> Result<(f64, f64), GrideError> {
    if n1 == 0 || n2 <= n1 {
        return Err(GrideError::Orders { n1, n2 });
    }
    let nudged: Vec<f64> = mu.iter().map(|&m| if m == 1.0 { m + 10.0 * f64::EPSILON } else { m }).collect();
    let kept = outlier_cut(&nudged);
    if kept.len() < 3 {
        return Err(GrideError::TooFew(kept.len()));
    }
    let logs: Vec<f64> = kept.iter().map(|m| m.ln()).collect();
    let (a, b) = ((n1 as f64 - n2 as f64 + 1.0), n2 as f64 - 1.0);
    let nm1 = (kept.len() - 1) as f64;
    let score = |d: f64| -> f64 {
        let s: f64 = kept.iter().zip(&logs).map(|(&m, &l)| (a / (1.0 - m.powf(-d)).max(SCORE_REG) + b) * l).sum();
        s - nm1 / d
    };
    let d = bisect(score, D_MIN, D_MAX).ok_or(GrideError::NoRoot)?;
    let err = 1.0 / fisher_information(d, &nudged, n1, n2).sqrt();
    Ok((d, err))
}

/// Observed Fisher information of the Gride likelihood at `d`.
fn fisher_information(d: f64, mu: &[f64], n1: usize, n2: usize) -> f64 {
    let c = (n2 - n1 - 1) as f64;
    let j1: f64 = mu
        .iter()
        .map(|&m| {
            let md = m.powf(-d);
            let omd = (1.0 - md).max(5.0 * f64::EPSILON);
            (m.ln() / omd).powi(2) * md
        })
        .sum();
    mu.len() as f64 / (d * d) + c * j1
}

/// The μ below q₅₀ + 20·(q₉₅ − q₅₀) (DADApy's generous cut against fat tails from overlaps).
fn outlier_cut(mu: &[f64]) -> Vec<f64> {
    let mut sorted = mu.to_vec();
    crate::support::order::sort_f64(&mut sorted);
    let (q50, q95) = (percentile(&sorted, 50.0), percentile(&sorted, 95.0));
    let max = q50 + 20.0 * (q95 - q50);
    mu.iter().copied().filter(|&m| m < max).collect()
}

/// numpy's default (linear) percentile of ascending `sorted`.
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    let Some(&last) = sorted.last() else {
        return f64::NAN;
    };
    let pos = q / 100.0 * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let frac = pos - lo as f64;
    sorted.get(lo + 1).map_or(last, |&hi| sorted[lo] + frac * (hi - sorted[lo]))
}

/// Root of a function whose sign changes on [lo, hi], to the last bit of f64.
fn bisect(f: impl Fn(f64) -> f64, mut lo: f64, mut hi: f64) -> Option<f64> {
    let (flo, fhi) = (f(lo), f(hi));
    if !(flo.is_finite() && fhi.is_finite()) || flo.signum() == fhi.signum() {
        return None;
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if f(mid).signum() == flo.signum() { lo = mid } else { hi = mid }
    }
    Some(0.5 * (lo + hi))
}

/// The neighbour-order pairs (n₁, 2n₁) of the scale analysis: n₁ = 1, 2, 4, … with 2n₁ ≤ `max_order`.
pub fn scale_orders(max_order: usize) -> Vec<(usize, usize)> {
    std::iter::successors(Some(1usize), |&n| Some(2 * n))
        .take_while(|&n| 2 * n <= max_order)
        .map(|n| (n, 2 * n))
        .collect()
}

/// One Gride estimate at neighbour orders n₁ < n₂.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct GridePoint {
    /// First neighbour order.
    pub n1: usize,
    /// Second neighbour order (2·n₁).
    pub n2: usize,
    /// Maximum-likelihood ID.
    pub id: f64,
    /// 1/√(observed Fisher information).
    pub err: f64,
    /// Mean of r_{n₁} and r_{n₂} over the points: the length scale.
    pub scale: f64,
}

/// The Gride scale analysis: Gride at n₁ = 1, 2, 4, … with n₂ = 2n₁ ≤ `gride_range`.
pub struct GrideEstimator;

impl Estimator for GrideEstimator {
    type Output = Vec<GridePoint>;
    type Params = GrideParams;
    const NAME: &'static str = "Gride";
    const SETTINGS: &'static [Setting] = &[
        Setting {
            name: "gride",
            label: "Gride",
            help: "Gride scale analysis (n1 = 1, 2, 4, … up to gride_range neighbours)",
            kind: SettingKind::Check,
            shown: Shown::Cli,
            alias: None,
        },
        Setting {
            name: "gride_range",
            label: "Gride range",
            help: "Largest neighbour order of the Gride scale analysis",
            kind: SettingKind::Number { min: 2.0, max: Some(MAX_GRIDE_RANGE as f64), step: 1.0, empty: None },
            shown: Shown::Cli,
            alias: None,
        },
    ];

    fn check(p: &GrideParams) -> Result<(), ParamError> {
        ParamError::unless((2..=MAX_GRIDE_RANGE).contains(&p.range), "gride_range", p.range as f64, "between 2 and 64")
    }

    fn depth(p: &Params, _n: usize) -> usize {
        p.gride.range
    }

    fn estimate(
        p: &Params,
        lists: &Lists,
        _rows: &mut dyn Rows,
        _: &mut dyn Progress,
    ) -> Result<Vec<GridePoint>, EstimateError> {
        let orders = scale_orders(p.gride.range.min(lists.full.k()));
        orders.into_iter().map(|(n1, n2)| at(lists.full, n1, n2)).collect()
    }

    fn section(g: &Vec<GridePoint>) -> Option<(String, Vec<String>)> {
        if g.is_empty() {
            return None;
        }
        let mut lines = vec![format!("{:>5} {:>5} {:>9} {:>8} {:>10}", "n1", "n2", "ID", "err", "scale")];
        for g in g {
            let mut line = String::new();
            let _ = write!(line, "{:>5} {:>5} {:>9.3} {:>8.3} {:>10.4}", g.n1, g.n2, g.id, g.err, g.scale);
            lines.push(line);
        }
        Some(("Gride (ID vs neighbour order)".to_owned(), lines))
    }
}

/// Gride on μ = r_{n₂}/r_{n₁} of every point of `full` (n₂ ≤ its depth); points with r_{n₁} = 0
/// are left out.
pub fn at(full: &Neighbours, n1: usize, n2: usize) -> Result<GridePoint, EstimateError> {
    if n1 == 0 || n2 > full.k() {
        return Err(EstimateError::Gride { n1, source: GrideError::Orders { n1, n2 } });
    }
    let r = |order: usize| full.distances.column(order - 1);
    let (rn1, rn2) = (r(n1), r(n2));
    let mu: Vec<f64> = rn1.iter().zip(rn2.iter()).filter(|&(&a, _)| a > 0.0).map(|(a, b)| b / a).collect();
    let (id, err) = estimate(&mu, n1, n2).map_err(|source| EstimateError::Gride { n1, source })?;
    let scale = (rn1.iter().sum::<f64>() + rn2.iter().sum::<f64>()) / (2 * full.indices.nrows()) as f64;
    Ok(GridePoint { n1, n2, id, err, scale })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_orders_double_up_to_the_range() {
        assert_eq!(scale_orders(64), vec![(1, 2), (2, 4), (4, 8), (8, 16), (16, 32), (32, 64)]);
        assert_eq!(scale_orders(5), vec![(1, 2), (2, 4)]);
        assert!(scale_orders(1).is_empty());
    }

    #[test]
    fn percentile_is_numpys_linear_one() {
        let s = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(percentile(&s, 50.0), 2.5);
        assert!((percentile(&s, 95.0) - 3.85).abs() < 1e-12);
        assert_eq!(percentile(&[7.0], 95.0), 7.0);
    }

    #[test]
    fn with_n1_1_n2_2_it_is_twonn_ml_up_to_n_minus_1() {
        // For n₂ = 2, n₁ = 1 the score is Σ log μ − (N−1)/d: d = (N−1)/Σ log μ.
        let mu: Vec<f64> = (1..=300).map(|i| (1.0 - (i as f64 - 0.5) / 300.0).powf(-1.0 / 4.0)).collect();
        let (d, err) = estimate(&mu, 1, 2).unwrap();
        let s: f64 = mu.iter().map(|m| m.ln()).sum();
        assert!((d - 299.0 / s).abs() < 1e-9 * d);
        assert!((err - d / 300f64.sqrt()).abs() < 1e-9);
    }

    #[test]
    fn bad_orders_and_too_few_points_are_errors() {
        assert_eq!(estimate(&[2.0; 10], 2, 2), Err(GrideError::Orders { n1: 2, n2: 2 }));
        assert_eq!(estimate(&[2.0, 3.0], 1, 2), Err(GrideError::TooFew(2)));
    }
}
