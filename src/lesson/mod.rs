//! What the teaching view computes on one generated cloud: the app's estimates (TwoNN, Gride
//! scale analysis, decimation), Gride at any order n, and a read-out of one point's neighbours
//! (r₁, r₂, μ = r₂/r₁, and r_n, r₂ₙ for Gride) taken from the same exact neighbour lists; the
//! points labelled by the half of the manifold they lie on, with the neighbourhood overlap χ^gt
//! of those labels.

pub mod manifolds;

use std::sync::OnceLock;

use ndarray::{Array2, Axis};

use crate::analysis::duplicates;
use crate::analysis::estimate;
use crate::density::PointDensities;
use crate::estimators::gride::MAX_GRIDE_RANGE;
use crate::estimators::overlap::{LabelOverlap, Neighbourhood, OverlapAverage, label_overlap};
use crate::estimators::{CheckedParams, Params, PointLabels};
use crate::estimators::{EstimateError, gride};
use crate::knn::{self, KnnError, Metric, Neighbours, Search};
use crate::params::ParamError;
use crate::results::{Estimates, GridePoint, LayerResult};
use crate::support::progress::Silent;
use manifolds::Manifold;

/// Fewest points the view accepts: enough for Gride at n = 12 and a decimation step.
pub const MIN_POINTS: usize = 100;
/// Largest Gride order the view offers; also at most N/8, so 2n stays a local scale.
pub const MAX_ORDER: usize = 64;
/// Most points the view accepts: kNN and estimates stay well under a second in the browser.
pub const MAX_POINTS: usize = 5000;
/// Neighbours the label overlap compares (the app's default).
pub const OVERLAP_K: usize = 10;

/// Why the lesson's numbers cannot be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LessonError {
    /// N outside [`MIN_POINTS`]..=[`MAX_POINTS`].
    #[error("the number of points must be between {MIN_POINTS} and {MAX_POINTS}, got {0}")]
    Points(usize),
    /// A negative or non-finite noise amplitude.
    #[error("the noise amplitude must be a finite number ≥ 0, got {0}")]
    Noise(f64),
    /// A point index beyond the cloud.
    #[error("point {index} does not exist ({n} points)")]
    Point {
        /// Index asked for.
        index: usize,
        /// Points in the cloud.
        n: usize,
    },
    /// A Gride order whose 2n-th neighbour was not searched.
    #[error("the Gride order n must be between 1 and {max}, got {n}")]
    Order {
        /// Order asked for.
        n: usize,
        /// Largest order offered (`MAX_ORDER`, at most N/8).
        max: usize,
    },
    /// Parameters rejected (a bug: the lesson builds them).
    #[error(transparent)]
    Params(#[from] ParamError),
    /// The densities failed.
    #[error(transparent)]
    Density(#[from] crate::density::DensityError),
    /// The estimates failed.
    #[error(transparent)]
    Estimate(#[from] EstimateError),
    /// The neighbour search failed.
    #[error(transparent)]
    Knn(#[from] KnnError),
}

/// One generated cloud (its distinct points) with its neighbour lists and the app's estimates.
#[derive(Debug, Clone)]
pub struct Lesson {
    /// The points, N × embedding dimension.
    pub points: Array2<f32>,
    /// The `min(64, N − 1)` exact nearest neighbours of every point.
    pub neighbours: Neighbours,
    /// TwoNN (ML and fit) and, after [`Lesson::add_scales`], Gride at n = 1, 2, 4 … 32 and the
    /// decimation, as the app computes them.
    pub estimates: Estimates,
    /// Each point's half of the manifold (0 or 1: `manifolds::halves`), its label.
    pub labels: Vec<u32>,
    seed: u32,
    /// The `min(2·MAX_ORDER, N − 1)` nearest, searched when a Gride order beyond 32 is first asked.
    wide: OnceLock<Result<Neighbours, KnnError>>,
    /// Each point's k* and PAk density, computed when the density step first asks (they do not
    /// depend on Z, which only re-clusters).
    densities: OnceLock<Result<(Vec<u32>, PointDensities), LessonError>>,
}

/// The app's parameters for the lesson: no repeats (error bars are not part of the lesson), the
/// scale analyses on request, Gride over the 64 neighbours searched.
fn params(seed: u32, scales: bool) -> Result<CheckedParams, ParamError> {
    let mut p = Params { seed, ..Params::default() };
    p.twonn.repeats = 0;
    (p.gride.run, p.gride.range, p.decimation.run) = (scales, MAX_GRIDE_RANGE, scales);
    p.check()
}

/// The density step: each point's PAk log density and the density peaks at Z errors.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DensityStep {
    /// The dimension the densities are measured in (the cloud's TwoNN fit).
    pub d: f64,
    /// Z.
    pub z: f64,
    /// Each point's log ρ.
    pub log_den: Vec<f64>,
    /// The peaks (point indices), one per cluster.
    pub centers: Vec<usize>,
    /// Each point's cluster (-1: none).
    pub assignment: Vec<i32>,
    /// The saddle points between clusters that border, once each.
    pub saddles: Vec<usize>,
}

/// One point's neighbourhood as the view draws it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Readout {
    /// The point.
    pub index: usize,
    /// Its first `max(2, 2n)` neighbours, nearest first.
    pub neighbours: Vec<u32>,
    /// Their distances.
    pub distances: Vec<f64>,
    /// Distance to the first neighbour.
    pub r1: f64,
    /// Distance to the second neighbour.
    pub r2: f64,
    /// r₂ / r₁ (r₁ > 0: exact duplicates are kept once).
    pub mu: f64,
    /// Gride order n.
    pub n: usize,
    /// Distance to the n-th neighbour.
    pub rn: f64,
    /// Distance to the 2n-th neighbour.
    pub r2n: f64,
    /// r₂ₙ / rₙ.
    pub mu_n: f64,
    /// The point's label (its half of the manifold).
    pub label: u32,
    /// Its first [`OVERLAP_K`] neighbours, nearest first, the label overlap's neighbourhood.
    pub overlap_neighbours: Vec<u32>,
    /// Their labels.
    pub overlap_labels: Vec<u32>,
    /// Distance to the last of them.
    pub overlap_radius: f64,
    /// The fraction of them with its label: the point's term of χ^gt.
    pub overlap: f64,
}

impl Lesson {
    /// Generates `n` points of `m` with `noise` and `seed` (exact duplicates, which f32 rounding
    /// can make on a curve, kept once as the app does), searches their neighbours and estimates
    /// TwoNN; [`Lesson::add_scales`] adds the slower scale analyses.
    pub fn new(m: Manifold, n: usize, noise: f64, seed: u32) -> Result<Self, LessonError> {
        if !(MIN_POINTS..=MAX_POINTS).contains(&n) {
            return Err(LessonError::Points(n));
        }
        if !(noise.is_finite() && noise >= 0.0) {
            return Err(LessonError::Noise(noise));
        }
        let generated = manifolds::generate(m, n, noise, seed);
        let halves = manifolds::halves(m, n, seed);
        let dups = duplicates::find(generated.view());
        let (points, labels) = if dups.duplicate_rows > 0 {
            (generated.select(Axis(0), &dups.distinct), dups.distinct.iter().map(|&i| halves[i]).collect())
        } else {
            (generated, halves)
        };
        let search = Search::new(MAX_GRIDE_RANGE.min(points.nrows() - 1), Metric::Euclidean);
        let neighbours = knn::neighbours(points.view(), &search, &mut Silent)?;
        let estimates = estimate::from_neighbours(
            points.view(),
            &neighbours,
            None,
            &params(seed, false)?,
            dups.duplicate_rows,
            &mut Silent,
        )?;
        Ok(Self { points, neighbours, estimates, labels, seed, wide: OnceLock::new(), densities: OnceLock::new() })
    }

    /// Adds Gride at n = 1, 2, 4 … 32 and the decimation to the estimates (they are what the
    /// app's `estimate` gives with Gride and decimation on and no repeats).
    pub fn add_scales(&mut self) -> Result<(), LessonError> {
        let dups = self.estimates.duplicates.duplicate_rows;
        let p = params(self.seed, true)?;
        self.estimates = estimate::from_neighbours(self.points.view(), &self.neighbours, None, &p, dups, &mut Silent)?;
        Ok(())
    }

    /// The estimates as the app's per-layer result, named `name`, so the app's charts draw them.
    pub fn layer_result(&self, name: &str, seconds: f64) -> LayerResult {
        LayerResult {
            name: name.to_owned(),
            index: 0,
            n_input: self.points.nrows(),
            dim: self.points.ncols(),
            non_finite_dropped: 0,
            subsampled_out: 0,
            estimates: self.estimates.clone(),
            classes: Vec::new(),
            skipped_classes: Vec::new(),
            seconds,
        }
    }

    /// Largest Gride order n offered: [`MAX_ORDER`], at most N/8.
    pub fn max_order(&self) -> usize {
        MAX_ORDER.min(self.points.nrows() / 8)
    }

    /// Neighbour lists holding at least `k` neighbours per point: the app's, or the longer ones.
    fn lists(&self, k: usize) -> Result<&Neighbours, LessonError> {
        if k <= self.neighbours.k() {
            return Ok(&self.neighbours);
        }
        let search = Search::new((2 * MAX_ORDER).min(self.points.nrows() - 1), Metric::Euclidean);
        let wide = self.wide.get_or_init(|| knn::neighbours(self.points.view(), &search, &mut Silent));
        wide.as_ref().map_err(|e| LessonError::from(e.clone()))
    }

    /// Gride on μ = r₂ₙ/rₙ of every point.
    pub fn gride(&self, n: usize) -> Result<GridePoint, LessonError> {
        self.check_order(n)?;
        Ok(gride::at(self.lists(2 * n)?, n, 2 * n)?)
    }

    /// χ^gt of the halves over each point's [`OVERLAP_K`] nearest neighbours, each half weighing the
    /// same (the app's label overlap on the same lists).
    pub fn label_overlap(&self) -> Result<LabelOverlap, LessonError> {
        let names = ["first half".to_owned(), "second half".to_owned()];
        let labels = PointLabels { ids: &self.labels, names: &names };
        let lists = self.neighbours.indices.slice(ndarray::s![.., ..OVERLAP_K.min(self.neighbours.k())]);
        Ok(label_overlap(lists, labels, Neighbourhood::Fixed(OVERLAP_K), OverlapAverage::Class)?)
    }

    /// The PAk density of every point from its 64-neighbour lists (k* ≤ 63) in the TwoNN fit's
    /// dimension, and the density peaks merged at `z` errors (the app's density profile).
    pub fn density(&self, z: f64) -> Result<DensityStep, LessonError> {
        use crate::density::{adp, local, pak};
        let (dist, ind) = (self.neighbours.distances.view(), self.neighbours.indices.view());
        let d = self.estimates.twonn.fit.id;
        let densities = self.densities.get_or_init(|| {
            let kstar = local::kstar(dist, ind, d, local::kstar_threshold(crate::estimators::density::KSTAR_ALPHA))?;
            let den = pak::pak(dist, &kstar, d)?;
            Ok((kstar, den))
        });
        let (kstar, den) = densities.as_ref().map_err(Clone::clone)?;
        let c = adp::cluster(den, kstar, ind, z, false)?;
        let mut saddles: Vec<usize> = c.saddle_points.iter().flatten().flatten().copied().collect();
        saddles.sort_unstable();
        saddles.dedup();
        Ok(DensityStep { d, z, log_den: den.log_den.clone(), centers: c.centers, assignment: c.assignment, saddles })
    }

    /// Point `index`'s neighbours and the ratios TwoNN and Gride at order `n` use.
    pub fn readout(&self, index: usize, n: usize) -> Result<Readout, LessonError> {
        self.check_order(n)?;
        let count = self.points.nrows();
        if index >= count {
            return Err(LessonError::Point { index, n: count });
        }
        let shown = (2 * n).max(2);
        let lists = self.lists(shown)?;
        let neighbours = lists.indices.row(index).iter().take(shown).copied().collect();
        let distances: Vec<f64> = lists.distances.row(index).iter().take(shown).copied().collect();
        let (r1, r2, rn, r2n) = (distances[0], distances[1], distances[n - 1], distances[2 * n - 1]);
        let label = self.labels[index];
        let overlap_neighbours: Vec<u32> = self.neighbours.indices.row(index).iter().take(OVERLAP_K).copied().collect();
        let overlap_labels: Vec<u32> = overlap_neighbours.iter().map(|&j| self.labels[j as usize]).collect();
        let same = overlap_labels.iter().filter(|&&l| l == label).count();
        let overlap = same as f64 / overlap_labels.len().max(1) as f64;
        let overlap_radius = self.neighbours.distances.row(index).get(overlap_labels.len().saturating_sub(1)).copied();
        Ok(Readout {
            index,
            neighbours,
            distances,
            r1,
            r2,
            mu: r2 / r1,
            n,
            rn,
            r2n,
            mu_n: r2n / rn,
            label,
            overlap_neighbours,
            overlap_labels,
            overlap_radius: overlap_radius.unwrap_or(f64::NAN),
            overlap,
        })
    }

    fn check_order(&self, n: usize) -> Result<(), LessonError> {
        let max = self.max_order();
        if (1..=max).contains(&n) { Ok(()) } else { Err(LessonError::Order { n, max }) }
    }
}
