//! Seeded point clouds of known intrinsic dimension for the teaching view: curves and a square
//! in the plane, surfaces in 3-D, each with optional isotropic Gaussian noise.
//!
//! Every cloud fits in about [−1, 1]ᴰ so one noise amplitude means the same thing on each. Draws
//! come from the ChaCha8 stream [`Stream::Manifold`] of the seed: identical natively and in wasm.

use std::f64::consts::PI;
use std::str::FromStr;

use ndarray::Array2;
use rand::RngExt;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

use crate::support::rng::{self, Stream};

/// A manifold the teaching view can sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Manifold {
    /// A sine wave y = ½ sin(1.5 π x), x ∈ [−1, 1]: ID 1 in the plane.
    Curve,
    /// The filled square [−1, 1]²: ID 2 in the plane.
    Square,
    /// The unit circle: ID 1 in the plane, no ends.
    Circle,
    /// Two turns of an Archimedean spiral, arms 0.36 apart: ID 1 in the plane.
    Spiral,
    /// The unit sphere shell: ID 2 in 3-D, curved, no boundary.
    Sphere,
    /// The swiss roll (t ∈ [1.5π, 4.5π], height 21, scaled by 1/14): ID 2 in 3-D.
    SwissRoll,
    /// Three Gaussian blobs in the plane, of uneven weights and widths: ID 2, with three density
    /// peaks (the lesson's density step).
    Blobs,
}

/// The blobs' centres, standard deviations and cumulative weights.
const BLOBS: [([f64; 2], f64, f64); 3] =
    [([-0.45, -0.25], 0.13, 0.45), ([0.15, -0.3], 0.1, 0.75), ([0.0, 0.45], 0.15, 1.0)];

/// Every manifold, in the order the page lists them.
pub const ALL: [Manifold; 7] = [
    Manifold::Curve,
    Manifold::Square,
    Manifold::Circle,
    Manifold::Spiral,
    Manifold::Sphere,
    Manifold::SwissRoll,
    Manifold::Blobs,
];

/// A manifold name that is not one of [`ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown manifold {0:?} (curve, square, circle, spiral, sphere, swiss-roll, blobs)")]
pub struct UnknownManifold(pub String);

impl FromStr for Manifold {
    type Err = UnknownManifold;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ALL.into_iter().find(|m| m.name() == s).ok_or_else(|| UnknownManifold(s.to_owned()))
    }
}

impl Manifold {
    /// The name used in URLs and menus (kebab-case).
    pub fn name(self) -> &'static str {
        match self {
            Self::Curve => "curve",
            Self::Square => "square",
            Self::Circle => "circle",
            Self::Spiral => "spiral",
            Self::Sphere => "sphere",
            Self::SwissRoll => "swiss-roll",
            Self::Blobs => "blobs",
        }
    }

    /// The intrinsic dimension by construction.
    pub fn id(self) -> usize {
        match self {
            Self::Curve | Self::Circle | Self::Spiral => 1,
            Self::Square | Self::Sphere | Self::SwissRoll | Self::Blobs => 2,
        }
    }

    /// The embedding dimension: 2 (plane) or 3 (space).
    pub fn embedding(self) -> usize {
        match self {
            Self::Sphere | Self::SwissRoll => 3,
            _ => 2,
        }
    }

    /// One noise-free point from uniform draws `u`, `v` in [0, 1) and a normal draw `g`.
    fn point(self, u: f64, v: f64, g: [f64; 3]) -> [f64; 3] {
        match self {
            Self::Curve => {
                let x = 2.0 * u - 1.0;
                [x, 0.5 * (1.5 * PI * x).sin(), 0.0]
            }
            Self::Square => [2.0 * u - 1.0, 2.0 * v - 1.0, 0.0],
            Self::Circle => [(2.0 * PI * u).cos(), (2.0 * PI * u).sin(), 0.0],
            Self::Spiral => {
                // θ² uniform gives a near-uniform density along the arc (length ∝ θ²).
                let (a, b) = (1.5 * PI, 5.5 * PI);
                let t = (a * a + u * (b * b - a * a)).sqrt();
                [t * t.cos() / b, t * t.sin() / b, 0.0]
            }
            Self::Sphere => {
                let n = (g[0] * g[0] + g[1] * g[1] + g[2] * g[2]).sqrt().max(f64::MIN_POSITIVE);
                [g[0] / n, g[1] / n, g[2] / n]
            }
            Self::SwissRoll => {
                let t = 1.5 * PI * (1.0 + 2.0 * u);
                [t * t.cos() / 14.0, (21.0 * v - 10.5) / 14.0, t * t.sin() / 14.0]
            }
            Self::Blobs => {
                let (c, s, _) = BLOBS.iter().find(|b| u < b.2).copied().unwrap_or(BLOBS[2]);
                [c[0] + s * g[0], c[1] + s * g[1], 0.0]
            }
        }
    }
}

/// The draws behind each of `n` points of seed `seed`: uniform `u`, `v` in [0, 1), the normal draw
/// `g` of the sphere's direction, and the noise's normal draw `e`.
fn draws(n: usize, seed: u32) -> impl Iterator<Item = (f64, f64, [f64; 3], [f64; 3])> {
    let mut r = rng::rng(seed, Stream::Manifold);
    (0..n).map(move |_| {
        let (u, v): (f64, f64) = (r.random(), r.random());
        let g: [f64; 3] = std::array::from_fn(|_| StandardNormal.sample(&mut r));
        let e: [f64; 3] = std::array::from_fn(|_| StandardNormal.sample(&mut r));
        (u, v, g, e)
    })
}

/// `n` points of `m` (N × embedding), plus isotropic Gaussian noise of standard deviation `noise`
/// in every embedding coordinate; the same (`m`, `n`, `noise`, `seed`) give the same points, and
/// the first points do not change when `n` grows.
pub fn generate(m: Manifold, n: usize, noise: f64, seed: u32) -> Array2<f32> {
    let dim = m.embedding();
    let mut out = Array2::<f32>::zeros((n, dim));
    for (mut row, (u, v, g, e)) in out.rows_mut().into_iter().zip(draws(n, seed)) {
        let p = m.point(u, v, g);
        for c in 0..dim {
            row[c] = (p[c] + noise * e[c]) as f32;
        }
    }
    out
}

/// Each of the points [`generate`] makes for (`m`, `n`, `seed`) labelled by the half of the
/// manifold it was drawn on (0 or 1, whatever the noise): the first or second half of the curve,
/// circle, spiral and roll along their parameter, the left or right of the square, the southern
/// or northern hemisphere, the first blob or the two others.
pub fn halves(m: Manifold, n: usize, seed: u32) -> Vec<u32> {
    let second = |u: f64, g: [f64; 3]| match m {
        Manifold::Sphere => g[2] >= 0.0,
        Manifold::Blobs => u >= BLOBS[0].2,
        _ => u >= 0.5,
    };
    draws(n, seed).map(|(u, _, g, _)| u32::from(second(u, g))).collect()
}
