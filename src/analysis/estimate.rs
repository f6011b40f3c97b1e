//! Every estimate on one set of points in memory: duplicates, neighbours (searched here or joined
//! from the workers' parts), then every registered estimator the parameters ask for.

use ndarray::{ArrayView2, Axis, CowArray, Ix2};

use crate::analysis::duplicates;
use crate::estimators::pcid::{self, PcId};
use crate::estimators::{self, Duplicates, EstimateError, Estimates, Plan, PointLabels, Rows, decimation};
use crate::estimators::{CheckedParams, Params};
use crate::knn::{self, CandidateLists, Neighbours, Search, neighbours};
use crate::params::DuplicatePolicy;
use crate::support::progress::{Progress, Stage};

/// All requested estimates on the rows of `x` (finite values), without labels.
pub fn estimate(
    x: ArrayView2<f32>,
    params: &CheckedParams,
    progress: &mut dyn Progress,
) -> Result<Estimates, EstimateError> {
    estimate_with(x, &duplicates::find(x), None, params, None, progress)
}

/// The rows `estimate` works on (duplicates `dups` of `x` removed as the policy says).
pub(crate) fn distinct_points<'a>(
    x: ArrayView2<'a, f32>,
    dups: &duplicates::Duplicates,
    p: &Params,
) -> CowArray<'a, f32, Ix2> {
    if p.duplicates == DuplicatePolicy::KeepOne && dups.duplicate_rows > 0 {
        CowArray::from(x.select(Axis(0), &dups.distinct))
    } else {
        CowArray::from(x)
    }
}

/// The distinct points `estimate` searches (`dups`: the duplicates of `x`) and their search
/// ([`search_k`] deep), or why there are too few.
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

/// Phase 1 on a GPU instead: the rows of the search `estimate` would run on `x`, prepared for
/// the WGSL candidate kernel ([`knn::wgsl::device_rows`]); its lists go to [`neighbours_part`].
pub fn device_rows(
    x: ArrayView2<f32>,
    dups: &duplicates::Duplicates,
    params: &CheckedParams,
) -> Result<knn::wgsl::DeviceRows, EstimateError> {
    let (points, search) = search_points(x, dups, params.get())?;
    Ok(knn::wgsl::device_rows(points.view(), &search)?)
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

/// [`estimate`] given the duplicates `dups` of `x`, the labels of its rows, and the neighbour
/// lists of all distinct points when `full` is `Some` (joined from [`neighbours_part`]s) instead
/// of searched here. A duplicated row removed by `keep-one` takes the label of its first copy.
pub fn estimate_with(
    x: ArrayView2<f32>,
    dups: &duplicates::Duplicates,
    labels: Option<PointLabels>,
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
    let ids: Option<Vec<u32>> = labels.map(|l| match params.get().duplicates {
        DuplicatePolicy::KeepOne if dups.duplicate_rows > 0 => dups.distinct.iter().map(|&i| l.ids[i]).collect(),
        _ => l.ids.to_vec(),
    });
    let labels = labels.zip(ids.as_deref()).map(|(l, ids)| PointLabels { ids, names: l.names });
    from_neighbours(x, &full, labels, params, dups.duplicate_rows, &mut Stage::new(progress, 0.5, 1.0))
}

/// Every estimate after the neighbour search: `full` holds the neighbours of the (distinct) rows
/// of `x`, as deep as [`estimators::depth`] asks, `labels` their labels; `duplicate_rows` is
/// reported.
pub fn from_neighbours(
    x: ArrayView2<f32>,
    full: &Neighbours,
    labels: Option<PointLabels>,
    params: &CheckedParams,
    duplicate_rows: usize,
    progress: &mut dyn Progress,
) -> Result<Estimates, EstimateError> {
    let p = params.get();
    let plan = Plan::new(p, x.nrows());
    let within = decimation::within_each(x, full, plan.subsets(), plan.depths(), p.metric)?;
    progress.update(0.1)?;
    let dups = Duplicates::new(duplicate_rows, p);
    estimators::run(p, full, labels, &plan, &within, dups, &mut InMemory { x }, &mut Stage::new(progress, 0.1, 1.0))
}

/// Neighbours searched per point among `n`: the deepest any estimator asked for reads.
pub fn search_k(p: &Params, n: usize) -> usize {
    estimators::depth(p, n)
}

/// The rows of an in-memory layer, as the estimators reach them.
struct InMemory<'a> {
    x: ArrayView2<'a, f32>,
}

impl Rows for InMemory<'_> {
    fn in_memory(&self) -> Option<ArrayView2<'_, f32>> {
        Some(self.x)
    }

    fn pc_id(
        &mut self,
        points: Option<Vec<usize>>,
        threshold: f64,
        _: &mut dyn Progress,
    ) -> Result<PcId, EstimateError> {
        Ok(match points {
            None => pcid::pc_id(self.x, threshold)?,
            Some(rows) => pcid::pc_id(self.x.select(Axis(0), &rows).view(), threshold)?,
        })
    }
}
