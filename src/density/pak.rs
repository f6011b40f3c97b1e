//! The PAk density (Rodriguez et al. 2018; DADApy 0.3.4 `compute_density_PAk`, its Cython
//! `_nrmaxl`): per point, the log density F and a slope a maximising the likelihood of the shell
//! volumes between consecutive neighbours up to k*, L(F, a) = Σ_l [F + a·l − v_l·e^{F + a·l}],
//! from the kstarNN value, by DADApy's damped Newton steps (rate 0.1, |ΔF| ≤ 0.1·|F₀|, stopped at a
//! relative gradient of 1e-3): the same iterations in the same order, so the same numbers.

use ndarray::ArrayView2;

use super::{DensityError, PointDensities, check, unit_ball};

/// A shell volume's exponent is capped here (DADApy: "ID too high", volumes set to e^300).
const MAX_EXPONENT: f64 = 300.0;
/// Shells thinner than this stop the maximisation: the point keeps its kstarNN density.
const TINY_VOLUME: f64 = 1.0e-300;
/// numpy's float64 resolution: consecutive distances closer in ratio are moved apart by 10×.
const RESOLUTION: f64 = 1e-15;
/// The relative gradient the maximisation stops at.
const TOLERANCE: f64 = 1e-3;
/// Most Newton steps per point.
const MAX_STEPS: usize = 10_000;

/// The PAk log density of every point over its `kstar` neighbours in dimension `d`, with DADApy's
/// error √((4k* + 2) / (k*(k* − 1))).
pub fn pak(dist: ArrayView2<f64>, kstar: &[u32], d: f64) -> Result<PointDensities, DensityError> {
    let deepest = kstar.iter().copied().max().unwrap_or(1) as usize;
    check(dist, d, deepest.max(1))?;
    let ball = unit_ball(d);
    let (log_ball, log_n) = (ball.ln(), (dist.nrows() as f64).ln());
    let mut volumes = Vec::with_capacity(deepest);
    let log_den = kstar
        .iter()
        .zip(dist.rows())
        .map(|(&k, r)| {
            let k = k as usize;
            // Shell j: between neighbour j and j + 1 (neighbour 0: the point itself, at 0).
            volumes.clear();
            volumes.extend((0..k).map(|j| {
                let inner = if j == 0 { 0.0 } else { r[j - 1] };
                let mut ratio = inner / r[j];
                if (ratio - 1.0).abs() < RESOLUTION {
                    ratio -= 10.0 * RESOLUTION;
                }
                let exponent = d * r[j].ln() + (1.0 - ratio.powf(d)).ln();
                ball * exponent.min(MAX_EXPONENT).exp()
            }));
            let start = (k as f64).ln() - (log_ball + d * r[k - 1].ln());
            maximise(start, &volumes) - log_n
        })
        .collect();
    let log_den_err = kstar
        .iter()
        .map(|&k| ((4 * k as u64 + 2) as f64 / (k as u64 * (k as u64).saturating_sub(1)) as f64).sqrt())
        .collect();
    Ok(PointDensities { log_den, log_den_err })
}

/// The gradient of L in (F, a) and its Hessian [[h00, h01], [h01, h11]].
struct Slope {
    g_f: f64,
    g_a: f64,
    h00: f64,
    h01: f64,
    h11: f64,
}

impl Slope {
    fn at(f: f64, a: f64, v: &[f64]) -> Self {
        let k = v.len() as f64;
        let mut s = Slope { g_f: k, g_a: (k + 1.0) * k / 2.0, h00: 0.0, h01: 0.0, h11: 0.0 };
        for (j, &vj) in v.iter().enumerate() {
            let l = (j + 1) as f64;
            let t = vj * (f + a * l).exp();
            s.g_f -= t;
            s.g_a -= l * t;
            s.h00 -= t;
            s.h01 -= l * t;
            s.h11 -= l * l * t;
        }
        s
    }

    fn det(&self) -> f64 {
        self.h00 * self.h11 - self.h01 * self.h01
    }

    /// DADApy's test for a Newton step, `not det < eps` (a NaN determinant passes it).
    fn invertible(&self) -> bool {
        let det = self.det();
        det.is_nan() || det >= f64::EPSILON
    }

    /// The inverse Hessian, as DADApy forms it.
    fn inverse(&self) -> [f64; 4] {
        let inv = 1.0 / (self.h00 * self.h11 - self.h01 * self.h01);
        [inv * self.h11, -inv * self.h01, -inv * self.h01, inv * self.h00]
    }
}

/// F maximising L from `start` over the shell volumes `v` (DADApy's `_nrmaxl` for one point).
fn maximise(start: f64, v: &[f64]) -> f64 {
    if v.iter().any(|&x| x < TINY_VOLUME) {
        return start;
    }
    let k = v.len();
    let kf = k as f64;
    let (mut f, mut a) = (start, 0.0f64);
    let step_max = 0.1 * start.abs();
    let mut s = Slope::at(f, a, v);
    let mut hinv = [0.0; 4];
    if s.invertible() {
        hinv = s.inverse();
    }
    let (mut func, mut steps) = (100.0f64, 0usize);
    while func > TOLERANCE && steps < MAX_STEPS {
        if !s.invertible() {
            // A near-singular Hessian: DADApy's fixed-point update (not counted as a step).
            f = (-a * kf * (kf + 1.0) / 2.0 - (s.g_f - kf)) / kf;
            a = (-f * kf - (s.g_f - kf)) / ((k * (k + 1) / 2) as f64);
        } else {
            let delta_f = hinv[0] * s.g_f + hinv[1] * s.g_a;
            let delta_a = hinv[2] * s.g_f + hinv[3] * s.g_a;
            steps += 1;
            let mut rate = 0.1;
            if (rate * delta_f).abs() > step_max {
                rate = (step_max / delta_f).abs();
            }
            f -= rate * delta_f;
            a -= rate * delta_a;
        }
        s = Slope::at(f, a, v);
        if s.invertible() {
            hinv = s.inverse();
        }
        func = if a.abs() <= f64::EPSILON || f.abs() <= f64::EPSILON {
            s.g_f.abs().max(s.g_a.abs())
        } else {
            (s.g_f / f).abs().max((s.g_a / a).abs())
        };
    }
    f
}
