//! Every estimate on one set of points: duplicates, neighbours, TwoNN with error bars, Gride,
//! decimation, PC-ID and the Gaussian surrogate, each as the parameters ask.

use ndarray::{ArrayView2, Axis, CowArray, Ix2};

use crate::analysis::duplicates;
use crate::estimators::gride::{self, GrideError};
use crate::estimators::pcid::{self, PcaError};
use crate::estimators::twonn::{self, TwoNnError};
use crate::estimators::{scaling, surrogate};
use crate::knn::{self, CandidateLists, KnnError, Neighbours, Search, neighbours};
use crate::params::{CheckedParams, DuplicatePolicy, Params};
use crate::results::{DuplicateReport, Estimates, GridePoint, TwoNn};
use crate::support::progress::{Cancelled, Progress, Stage};
use crate::support::rng::{self, Stream};

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
    /// Neighbour lists handed in (joined from the workers' parts) do not fit the points.
    #[error("neighbour lists of {rows} × {k} given for {n} points × {expected_k} neighbours")]
    GivenNeighbours {
        /// Rows of the lists given.
        rows: usize,
        /// Neighbours per row given.
        k: usize,
        /// Points estimated on.
        n: usize,
        /// Neighbours per point needed.
        expected_k: usize,
    },
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
pub fn estimate(
    x: ArrayView2<f32>,
    params: &CheckedParams,
    progress: &mut dyn Progress,
) -> Result<Estimates, EstimateError> {
    estimate_with(x, &duplicates::find(x), params, None, progress)
}

/// The rows `estimate` works on (duplicates `dups` of `x` removed as the policy says).
fn distinct_points<'a>(x: ArrayView2<'a, f32>, dups: &duplicates::Duplicates, p: &Params) -> CowArray<'a, f32, Ix2> {
    if p.duplicates == DuplicatePolicy::KeepOne && dups.duplicate_rows > 0 {
        CowArray::from(x.select(Axis(0), &dups.distinct))
    } else {
        CowArray::from(x)
    }
}

/// The distinct points `estimate` searches (`dups`: the duplicates of `x`) and their search
/// (Gride's range, or [`BASE_K`]), or why there are too few.
fn search_points<'a>(
    x: ArrayView2<'a, f32>,
    dups: &duplicates::Duplicates,
    p: &Params,
) -> Result<(CowArray<'a, f32, Ix2>, Search), EstimateError> {
    let points = distinct_points(x, dups, p);
    let n = points.nrows();
    if n < 3 {
        return Err(EstimateError::TooFewPoints { n, duplicates: dups.duplicate_rows });
    }
    let search = Search::new(search_k(p, n), p.metric);
    Ok((points, search))
}

/// Phase 1 of the neighbour search `estimate` would run on `x` (whose duplicates are `dups`),
/// split for workers: the candidate lists from part `part` of `parts` of the Gram tiles (see
/// [`knn::candidates_part`]).
pub fn candidates_part(
    x: ArrayView2<f32>,
    dups: &duplicates::Duplicates,
    params: &CheckedParams,
    part: usize,
    parts: usize,
    progress: &mut dyn Progress,
) -> Result<CandidateLists, EstimateError> {
    let (points, search) = search_points(x, dups, params.get())?;
    Ok(knn::candidates_part(points.view(), &search, part, parts, progress)?)
}

/// Phase 2: the neighbour lists `estimate` would search for the rows of the distinct points
/// that `candidates` cover (one row slice, see [`CandidateLists::split`], from every
/// [`candidates_part`]); join the row parts with [`Neighbours::concat`] and hand the whole to
/// [`estimate_with`]. The result is exactly those rows of the full search.
pub fn neighbours_part(
    x: ArrayView2<f32>,
    dups: &duplicates::Duplicates,
    params: &CheckedParams,
    candidates: &[CandidateLists],
    progress: &mut dyn Progress,
) -> Result<Neighbours, EstimateError> {
    let (points, search) = search_points(x, dups, params.get())?;
    Ok(knn::finish(points.view(), candidates, &search, progress)?)
}

/// [`estimate`] given the duplicates `dups` of `x`, and the neighbour lists of all distinct
/// points when `full` is `Some` (joined from [`neighbours_part`]s) instead of searched here.
pub fn estimate_with(
    x: ArrayView2<f32>,
    dups: &duplicates::Duplicates,
    params: &CheckedParams,
    full: Option<Neighbours>,
    progress: &mut dyn Progress,
) -> Result<Estimates, EstimateError> {
    let (points, search) = search_points(x, dups, params.get())?;
    let x = points.view();
    let n = x.nrows();
    let full = match full {
        None => neighbours(x, &search, &mut Stage::new(progress, 0.0, 0.5))?,
        Some(nb) if nb.indices.nrows() == n && nb.k() == search.k => nb,
        Some(nb) => {
            return Err(EstimateError::GivenNeighbours {
                rows: nb.indices.nrows(),
                k: nb.k(),
                n,
                expected_k: search.k,
            });
        }
    };
    from_neighbours(x, &full, params, dups.duplicate_rows, progress)
}

/// Every estimate after the neighbour search: `full` holds the neighbours of the (distinct) rows
/// of `x`, at least 2 per point and as many as Gride's range asks; `duplicate_rows` is reported.
pub fn from_neighbours(
    x: ArrayView2<f32>,
    full: &Neighbours,
    params: &CheckedParams,
    duplicate_rows: usize,
    progress: &mut dyn Progress,
) -> Result<Estimates, EstimateError> {
    let p = params.get();
    let repeats = if p.repeats > 0 {
        scaling::repeats(x, full, p.metric, p.mu_fraction, p.repeats, p.subset_fraction, p.seed)?
    } else {
        None
    };
    let mut out = from_lists(full, duplicate_rows, repeats, p)?;
    progress.update(0.6)?;
    if p.decimation {
        out.decimation = scaling::decimation(x, full, p.metric, p.mu_fraction, p.min_block, p.seed)?;
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
    if p.gride { p.gride_range } else { BASE_K }.min(n.saturating_sub(1))
}

/// The estimates that need only the full neighbour lists (TwoNN, Gride, the duplicates report),
/// given the error bars computed from them; decimation, PC-ID and surrogate are left empty.
/// Shared by the in-memory and the streamed (`crate::analysis::streamed`) paths.
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
    Ok(Estimates {
        n: mus.mu.len(),
        duplicates,
        twonn,
        gride,
        decimation: Vec::new(),
        surrogate: Vec::new(),
        pc_id: None,
    })
}

/// Distances to the `order`-th neighbour (1-based) of every point.
fn r(nb: &Neighbours, order: usize) -> impl Iterator<Item = f64> + '_ {
    nb.distances.column(order - 1).into_iter().copied()
}

fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_unstable_by(f64::total_cmp);
    v
}

/// Gride at n₁ = 1, 2, 4, … up to the neighbours searched.
fn gride_scaling(full: &Neighbours) -> Result<Vec<GridePoint>, EstimateError> {
    gride::scale_orders(full.k()).into_iter().map(|(n1, n2)| gride_at(full, n1, n2)).collect()
}

/// Gride on μ = r_{n₂}/r_{n₁} of every point (n₂ ≤ the neighbours searched); points with
/// r_{n₁} = 0 are left out.
pub fn gride_at(full: &Neighbours, n1: usize, n2: usize) -> Result<GridePoint, EstimateError> {
    if n1 == 0 || n2 > full.k() {
        return Err(EstimateError::Gride { n1, source: GrideError::Orders { n1, n2 } });
    }
    let mu: Vec<f64> = r(full, n1).zip(r(full, n2)).filter(|&(a, _)| a > 0.0).map(|(a, b)| b / a).collect();
    let (id, err) = gride::estimate(&mu, n1, n2).map_err(|source| EstimateError::Gride { n1, source })?;
    let scale = (r(full, n1).sum::<f64>() + r(full, n2).sum::<f64>()) / (2 * full.indices.nrows()) as f64;
    Ok(GridePoint { n1, n2, id, err, scale })
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
