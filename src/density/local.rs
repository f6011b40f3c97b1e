//! Densities from the volume to one neighbour: the kNN density at a fixed k, the adaptive k* of
//! each point (the largest neighbourhood over which the density is constant by a likelihood-ratio
//! test) and the kstarNN density at it (DADApy 0.3.4 `compute_density_kNN`, `compute_kstar`,
//! `compute_density_kstarNN`).

use ndarray::ArrayView2;

use super::{DensityError, PointDensities, check, unit_ball};

/// The first k tried by the k* test (DADApy's `j = 4`: the test compares the 3-neighbour volumes).
const FIRST_TEST: usize = 4;

/// The likelihood-ratio threshold of the k* test at significance `alpha`: the χ²₁ quantile
/// exceeded with probability `alpha` (DADApy's default alpha = 1e-6 gives 23.928126976934827).
pub fn kstar_threshold(alpha: f64) -> f64 {
    2.0 * statrs::function::erf::erfc_inv(alpha).powi(2)
}

/// log ρ = ln k − ln(ω_d r_k^d) − ln N at each point's distance `r_k` to its k-th neighbour.
fn at_radius(k: usize, r: f64, log_ball: f64, d: f64, log_n: f64) -> f64 {
    (k as f64).ln() - (log_ball + d * r.ln()) - log_n
}

/// The kNN density of every point at its `k`-th neighbour in dimension `d`, error 1/√k.
pub fn knn(dist: ArrayView2<f64>, k: usize, d: f64) -> Result<PointDensities, DensityError> {
    check(dist, d, k.max(1))?;
    let (log_ball, log_n) = (unit_ball(d).ln(), (dist.nrows() as f64).ln());
    let log_den = dist.rows().into_iter().map(|r| at_radius(k, r[k - 1], log_ball, d, log_n)).collect();
    Ok(PointDensities { log_den, log_den_err: vec![1.0 / (k as f64).sqrt(); dist.nrows()] })
}

/// k* of every point: the first k from 4 on at which the density of its (k − 1)-ball and that of
/// its k-th neighbour's (k − 1)-ball differ by more than `threshold` (twice the log likelihood
/// ratio), minus one; `K − 1` when no k below the `K` neighbours held does (3 ≤ k* ≤ K − 1).
pub fn kstar(dist: ArrayView2<f64>, ind: ArrayView2<u32>, d: f64, threshold: f64) -> Result<Vec<u32>, DensityError> {
    let held = dist.ncols();
    check(dist, d, FIRST_TEST - 1)?;
    let ball = unit_ball(d);
    let log4 = 4f64.ln();
    let out = (0..dist.nrows())
        .map(|i| {
            let mut j = FIRST_TEST;
            while j < held {
                let s = j - 1;
                let vi = ball * dist[[i, s - 1]].powf(d);
                let vj = ball * dist[[ind[[i, j - 1]] as usize, s - 1]].powf(d);
                let dl = -2.0 * s as f64 * (vi.ln() + vj.ln() - 2.0 * (vi + vj).ln() + log4);
                if dl > threshold {
                    break;
                }
                j += 1;
            }
            (j - 1) as u32
        })
        .collect();
    Ok(out)
}

/// The kNN density of every point at its own k*, error 1/√k*.
pub fn kstar_nn(dist: ArrayView2<f64>, kstar: &[u32], d: f64) -> Result<PointDensities, DensityError> {
    let deepest = kstar.iter().copied().max().unwrap_or(1) as usize;
    check(dist, d, deepest.max(1))?;
    let (log_ball, log_n) = (unit_ball(d).ln(), (dist.nrows() as f64).ln());
    let log_den =
        kstar.iter().zip(dist.rows()).map(|(&k, r)| at_radius(k as usize, r[k as usize - 1], log_ball, d, log_n));
    let log_den_err = kstar.iter().map(|&k| 1.0 / (k as f64).sqrt()).collect();
    Ok(PointDensities { log_den: log_den.collect(), log_den_err })
}
