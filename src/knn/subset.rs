//! Neighbours among a subset of the points (random 90 % subsets, decimation blocks).

use ndarray::{ArrayView2, Axis};

use super::{KnnError, Neighbours, Search, exact::ExactMetric, neighbours};
use crate::support::order::sort_pairs;
use crate::support::progress::Silent;

/// Subsets at least this large a fraction of the points reuse the full neighbour lists.
const REUSE_FRACTION: f64 = 0.5;

/// Neighbours per point the whole-set lists need so that nearly every point (all but about one
/// in a million) finds `k` members of a random subset of `fraction` of the points among them,
/// and [`within`] rarely rescans: the k-th member's position is k plus a negative binomial
/// count of non-members (mean k(1−f)/f, std √(k(1−f))/f), taken to five std and two more.
/// At most [`super::MAX_K`].
pub fn covering_depth(k: usize, fraction: f64) -> usize {
    uncapped(k, fraction).min(super::MAX_K)
}

/// [`covering_depth`] without its cap.
fn uncapped(k: usize, fraction: f64) -> usize {
    let (k, f) = (k as f64, fraction.clamp(0.01, 1.0));
    (k / f + 5.0 * (k * (1.0 - f)).sqrt() / f + 2.0).ceil() as usize
}

/// The largest k ≤ `k` whose [`covering_depth`] at `fraction` is within [`super::MAX_K`]: the
/// deepest subset lists the whole-set search can serve (0: none, for tiny fractions).
pub fn covered(k: usize, fraction: f64) -> usize {
    (1..=k).rev().find(|&k| uncapped(k, fraction) <= super::MAX_K).unwrap_or(0)
}

/// The `search.k` nearest neighbours of each of `members` among `members` only; indices in the
/// result are positions in `members`. Equal to a fresh search on the subset's rows.
///
/// Large subsets read them off `full` (each point's exact list restricted to the subset, since
/// the list is the exact top-K by (distance, index)), rescanning the subset exactly for a point
/// whose list holds fewer than k members; small subsets run a fresh search on a copy of their rows.
pub fn within(
    x: ArrayView2<f32>,
    full: &Neighbours,
    members: &[usize],
    search: &Search,
) -> Result<Neighbours, KnnError> {
    let n = x.nrows();
    let k = search.k;
    if members.len() < k + 1 {
        return Err(KnnError::TooFewPoints { n: members.len(), k });
    }
    if (members.len() as f64) < REUSE_FRACTION * n as f64 || full.k() < k {
        let rows = x.select(Axis(0), members);
        return neighbours(rows.view(), search, &mut Silent);
    }
    let mut local = vec![u32::MAX; n];
    for (p, &i) in members.iter().enumerate() {
        local[i] = p as u32;
    }
    let mut exact: Option<ExactMetric> = None;
    let lists: Vec<Vec<(f64, u32)>> = members
        .iter()
        .enumerate()
        .map(|(p, &i)| {
            let found = restricted(full, i, |j| (local[j] != u32::MAX).then_some(local[j]), k);
            if found.len() == k {
                return found;
            }
            let metric = exact.get_or_insert_with(|| ExactMetric::new(&x, search.metric));
            scan(&x, metric, members, p, k)
        })
        .collect();
    Ok(Neighbours::from_lists(&lists, k))
}

/// Point `i`'s list in `full` restricted to a subset (`local`: a point's position in it, if a
/// member): its first `k` members as (distance, position). Exact when `k` are found, since `full`
/// is the exact top K by (distance, index); fewer, and the point must be searched again.
pub(crate) fn restricted(
    full: &Neighbours,
    i: usize,
    local: impl Fn(usize) -> Option<u32>,
    k: usize,
) -> Vec<(f64, u32)> {
    full.indices
        .row(i)
        .iter()
        .zip(full.distances.row(i))
        .filter_map(|(&j, &dist)| local(j as usize).map(|q| (dist, q)))
        .take(k)
        .collect()
}

/// Distances from member `p` to every other member, the k smallest, local indices.
fn scan(x: &ArrayView2<f32>, metric: &ExactMetric, members: &[usize], p: usize, k: usize) -> Vec<(f64, u32)> {
    let i = members[p];
    let mut all: Vec<(f64, u32)> = members
        .iter()
        .enumerate()
        .filter(|&(q, _)| q != p)
        .map(|(q, &j)| (metric.euclidean(x, i, j), q as u32))
        .collect();
    sort_pairs(&mut all);
    all.truncate(k);
    all
}
