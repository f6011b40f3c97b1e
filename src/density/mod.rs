//! The probability density of a layer's points in their manifold (Doimo et al. 2020; the density
//! half of Doimo & Glielmo's talk), ported from DADApy 0.3.4 (`density_estimation.py`,
//! `kstar.py`, `clustering.py` and their Cython kernels) to agree with it to rounding: the kNN
//! density, the adaptive neighbourhood k* of each point and its kstarNN density, the PAk density
//! (Rodriguez et al. 2018), advanced density-peak clustering (d'Errico et al. 2021) and the
//! dendrogram of its peaks.
//!
//! Every function reads a layer's exact neighbour lists (`crate::knn::Neighbours`: each point's
//! nearest other points by (distance, index), column j − 1 holding the j-th; DADApy's arrays
//! carry the point itself in an extra column 0) in the manifold's dimension `d`. Logarithms are
//! natural; densities are log ρ normalised by N, as DADApy's.

pub mod adp;
pub mod dendrogram;
pub mod labels;
pub mod local;
pub mod pak;

use std::f64::consts::PI;

use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

/// Why a density cannot be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DensityError {
    /// The dimension is not a positive finite number.
    #[error("the density needs a positive intrinsic dimension, got {0}")]
    Dimension(f64),
    /// The lists hold fewer neighbours than asked for.
    #[error("the density needs {needed} neighbours per point, the lists hold {held}")]
    Depth {
        /// Neighbours needed.
        needed: usize,
        /// Neighbours held.
        held: usize,
    },
    /// A point's first neighbour is at distance 0 (an exact duplicate): its density is infinite.
    #[error(
        "{0} points have an exact copy (a first neighbour at distance 0): remove the duplicates first (duplicates: keep-one)"
    )]
    Duplicates(usize),
    /// The density of some points is not a finite number.
    #[error("the density of {0} points is not finite")]
    NotFinite(usize),
}

/// One log density per point with its error.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct PointDensities {
    /// log ρ of each point (normalised by N).
    pub log_den: Vec<f64>,
    /// Its standard error.
    pub log_den_err: Vec<f64>,
}

/// The unit ball's volume in dimension `d`, ω_d = π^{d/2} / Γ(d/2 + 1), computed as DADApy does
/// (through exp of its log).
pub fn unit_ball(d: f64) -> f64 {
    (d / 2.0 * PI.ln() - statrs::function::gamma::ln_gamma((d + 2.0) / 2.0)).exp()
}

/// The checks every density makes: `d` positive and finite, at least `needed` neighbours per point
/// in `dist`, no point with a first neighbour at distance 0.
fn check(dist: ArrayView2<f64>, d: f64, needed: usize) -> Result<(), DensityError> {
    if !(d.is_finite() && d > 0.0) {
        return Err(DensityError::Dimension(d));
    }
    if dist.ncols() < needed {
        return Err(DensityError::Depth { needed, held: dist.ncols() });
    }
    let copies = dist.column(0).iter().filter(|&&r| r <= 0.0).count();
    if copies > 0 {
        return Err(DensityError::Duplicates(copies));
    }
    Ok(())
}
