//! Every estimate on one set of points: duplicates, neighbours, TwoNN with error bars, Gride,
//! decimation, PC-ID and the Gaussian surrogate, each as the parameters ask.

use ndarray::{ArrayView2, Axis};

use crate::gride::{self, GrideError};
use crate::knn::{KnnError, Neighbours, Search, neighbours};
use crate::params::{CheckedParams, DuplicatePolicy, Params};
use crate::pcid::{self, PcaError};
use crate::progress::{Cancelled, Progress, Stage};
use crate::results::{DuplicateReport, Estimates, GridePoint, TwoNn};
use crate::rng::{self, Stream};
use crate::twonn::{self, TwoNnError};
use crate::{duplicates, scaling, surrogate};

/// Neighbours searched per point when Gride is off: enough for the subsets to reuse the lists.
const BASE_K: usize = 16;

/// Why the estimates for a set of points could not be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EstimateError {
    /// Fewer than 3 points left after removing duplicates.
    #[error("{n} distinct points ({duplicates} duplicate rows removed): at least 3 are needed")]
    TooFewPoints {
        /// Distinct points left.
        n: usize,
        /// Duplicate rows removed.
        duplicates: usize,
    },
    /// The neighbour search failed.
    #[error(transparent)]
    Knn(KnnError),
    /// TwoNN is undefined on these points.
    #[error("TwoNN: {0}")]
    TwoNn(#[from] TwoNnError),
    /// Gride failed at one scale.
    #[error("Gride at n1 = {n1}: {source}")]
    Gride {
        /// The scale that failed.
        n1: usize,
        /// Why.
        source: GrideError,
    },
    /// The PCA failed.
    #[error("PC-ID: {0}")]
    Pca(#[from] PcaError),
    /// The progress sink asked to stop.
    #[error("cancelled")]
    Cancelled,
}

impl From<KnnError> for EstimateError {
    fn from(e: KnnError) -> Self {
        match e {
            KnnError::Cancelled(_) => Self::Cancelled,
            e => Self::Knn(e),
        }
    }
}

impl From<Cancelled> for EstimateError {
    fn from(_: Cancelled) -> Self {
        Self::Cancelled
    }
}

/// All requested estimates on the rows of `x` (finite values).
pub fn estimate(x: ArrayView2<f32>, params: &CheckedParams, progress: &mut dyn Progress) -> Result<Estimates, EstimateError> {
    let p = params.get();
    let dups = duplicates::find(x);
    let distinct;
    let x = if p.duplicates == DuplicatePolicy::KeepOne && dups.duplicate_rows > 0 {
        distinct = x.select(Axis(0), &dups.distinct);
        distinct.view()
    } else {
        x
    };
    let n = x.nrows();
    if n < 3 {
        return Err(EstimateError::TooFewPoints { n, duplicates: dups.duplicate_rows });
    }
    let full = neighbours(x, &Search::new(search_k(p, n), p.metric), &mut Stage::new(progress, 0.0, 0.5))?;
    let repeats = if p.repeats > 0 {
        scaling::repeats(x, &full, p.metric, p.mu_fraction, p.repeats, p.subset_fraction, p.seed)?
    } else {
        None
    };
    let mut out = from_lists(&full, dups.duplicate_rows, repeats, p)?;
    progress.update(0.6)?;
    if p.decimation {
        out.decimation = scaling::decimation(x, &full, p.metric, p.mu_fraction, p.min_block, p.seed)?;
    }
    progress.update(0.7)?;
    if p.pc_id {
        out.pc_id = Some(pca(x, p)?);
    }
    progress.update(0.8)?;
    if p.surrogate {
        out.surrogate = surrogate_decimation(x, p, &mut Stage::new(progress, 0.8, 1.0))?;
    }
    progress.update(1.0)?;
    Ok(out)
}

/// Neighbours searched per point among `n`: Gride's range, else [`BASE_K`].
pub fn search_k(p: &Params, n: usize) -> usize {
    if p.gride { p.gride_range } else { BASE_K }.min(n - 1)
}

/// The estimates that need only the full neighbour lists (TwoNN, Gride, the duplicates report),
/// given the error bars computed from them; decimation, PC-ID and surrogate are left empty.
/// Shared by the in-memory and the streamed (`crate::streamed`) paths.
pub fn from_lists(
    full: &Neighbours,
    duplicate_rows: usize,
    repeats: Option<crate::results::RepeatStats>,
    p: &Params,
) -> Result<Estimates, EstimateError> {
    let n = full.indices.nrows();
    let mus = twonn::mus(r(full, 1), r(full, 2));
    let twonn = TwoNn {
        ml: twonn::ml(&mus.mu)?,
        fit: twonn::fit(&mus.mu, p.mu_fraction)?,
        repeats,
        scale: (r(full, 1).sum::<f64>() + r(full, 2).sum::<f64>()) / (2 * n) as f64,
        mu: sorted(mus.mu.clone()),
    };
    let duplicates = DuplicateReport {
        policy: p.duplicates,
        duplicate_rows,
        dropped: if p.duplicates == DuplicatePolicy::KeepOne { duplicate_rows } else { 0 },
        zero_r1_excluded: mus.zero_r1_excluded,
        mu_one_ties: mus.mu_one_ties,
    };
    let gride = if p.gride { gride_scaling(full)? } else { Vec::new() };
    Ok(Estimates { n: mus.mu.len(), duplicates, twonn, gride, decimation: Vec::new(), surrogate: Vec::new(), pc_id: None })
}

/// Distances to the `order`-th neighbour (1-based) of every point.
fn r(nb: &Neighbours, order: usize) -> impl Iterator<Item = f64> + '_ {
    nb.distances.column(order - 1).into_iter().copied()
}

fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(f64::total_cmp);
    v
}

/// Gride at n₁ = 1, 2, 4, … up to the neighbours searched; points with r_{n₁} = 0 are left out.
fn gride_scaling(full: &Neighbours) -> Result<Vec<GridePoint>, EstimateError> {
    gride::scale_orders(full.k())
        .into_iter()
        .map(|(n1, n2)| {
            let mu: Vec<f64> = r(full, n1).zip(r(full, n2)).filter(|&(a, _)| a > 0.0).map(|(a, b)| b / a).collect();
            let (id, err) = gride::estimate(&mu, n1, n2).map_err(|source| EstimateError::Gride { n1, source })?;
            let scale = (r(full, n1).sum::<f64>() + r(full, n2).sum::<f64>()) / (2 * full.indices.nrows()) as f64;
            Ok(GridePoint { n1, n2, id, err, scale })
        })
        .collect()
}

/// PC-ID on at most `pc_max_points` rows (random subsample, stream `Pca`).
fn pca(x: ArrayView2<f32>, p: &Params) -> Result<crate::results::PcId, EstimateError> {
    if x.nrows() <= p.pc_max_points {
        return Ok(pcid::pc_id(x, p.pc_threshold)?);
    }
    let rows = rng::subset(x.nrows(), p.pc_max_points, &mut rng::rng(p.seed, Stream::Pca));
    Ok(pcid::pc_id(x.select(Axis(0), &rows).view(), p.pc_threshold)?)
}

/// Decimation of a Gaussian sample with the data's mean and covariance.
fn surrogate_decimation(
    x: ArrayView2<f32>,
    p: &Params,
    progress: &mut dyn Progress,
) -> Result<Vec<crate::results::DecimationPoint>, EstimateError> {
    let g = surrogate::gaussian_like(x, p.seed);
    let k = BASE_K.min(g.nrows() - 1);
    let full = neighbours(g.view(), &Search::new(k, p.metric), progress)?;
    Ok(scaling::decimation(g.view(), &full, p.metric, p.mu_fraction, p.min_block, p.seed)?)
}
