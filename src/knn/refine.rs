//! Phase 2: each row's candidates re-ranked by exact float64 distances, with the proof that no
//! other point is closer (or an exact scan where it cannot be given).

use ndarray::ArrayView2;

use super::candidates::Candidates;
use super::exact::ExactMetric;
use super::prepared::Prepared;
use super::{Bound, KnnError};
use crate::support::order::sort_pairs;

impl Prepared {
    /// The k nearest of row `i` as (Euclidean distance in ranking space, index), exact.
    ///
    /// Exact distances are taken first for the k + 1 candidates nearest by the approximation,
    /// and for all of them only if that does not prove the list complete: every point not yet
    /// measured has an approximate value at least the next candidate's (a non-candidate's is at
    /// least the merged list's threshold, see [`CandidateLists::merged`]); a list short of k
    /// (never from a complete set of tile parts) is searched again exactly. Rows are read from
    /// memory per pair, so measuring fewer pairs is what makes this step fast.
    pub(super) fn refine(
        &self,
        x: &ArrayView2<f32>,
        i: usize,
        cands: &Candidates,
        k: usize,
        all: bool,
        known: &PairDistances,
    ) -> Vec<(f64, u32)> {
        let items = cands.items();
        let distance = |j: u32| known.get(i, j as usize).unwrap_or_else(|| self.exact.euclidean(x, i, j as usize));
        let mut measured: Vec<(f64, u32)> = Vec::with_capacity(items.len());
        for stop in [(k + 1).min(items.len()), items.len()] {
            let from = measured.len();
            measured.extend(items[from..stop].iter().map(|&(_, j)| (distance(j), j)));
            let mut best = measured.clone();
            sort_pairs(&mut best);
            best.truncate(k);
            let rest = match items.get(stop) {
                Some(&(next, _)) => next,
                None if all => f32::INFINITY,
                None => cands.threshold(),
            };
            if best.len() == k && self.bound.proven(i, rest, best[k - 1].0) {
                return best;
            }
        }
        self.exact_scan(x, i, k)
    }

    /// All distances from row `i` in f64; used where the candidate bound could not be proven.
    fn exact_scan(&self, x: &ArrayView2<f32>, i: usize, k: usize) -> Vec<(f64, u32)> {
        let n = self.bound.rows();
        let mut all: Vec<(f64, u32)> =
            (0..n).filter(|&j| j != i).map(|j| (self.exact.euclidean(x, i, j), j as u32)).collect();
        sort_pairs(&mut all);
        all.truncate(k);
        all
    }
}

/// Exact distances of a set of pairs, each unordered pair measured once: most neighbours are
/// mutual, and reading the two rows from memory is what a distance costs.
pub(super) struct PairDistances {
    /// (lower, higher) row index, sorted, distinct.
    pairs: Vec<(u32, u32)>,
    distances: Vec<f64>,
}

impl PairDistances {
    /// The distances from each row `i` to the candidates `items` given with it.
    pub(super) fn measure<'a>(
        x: &ArrayView2<f32>,
        exact: &ExactMetric,
        lists: impl Iterator<Item = (usize, &'a [(f32, u32)])>,
    ) -> Self {
        let mut pairs: Vec<(u32, u32)> = lists
            .flat_map(|(i, items)| {
                items.iter().map(move |&(_, j)| (i.min(j as usize) as u32, i.max(j as usize) as u32))
            })
            .collect();
        pairs.sort_unstable();
        pairs.dedup();
        let distances = crate::support::parallel::map(&pairs, |&(i, j)| exact.euclidean(x, i as usize, j as usize));
        Self { pairs, distances }
    }

    /// Whether each measured pair's approximate squared distance lies where the bound says it must
    /// around the exact distance: a GPU's error bound rests on WGSL's rounding rules, so every
    /// candidate that phase 2 measures anyway also checks that the device kept to them.
    pub(super) fn check<'a>(
        &self,
        bound: &Bound,
        lists: impl Iterator<Item = (usize, &'a [(f32, u32)])>,
    ) -> Result<(), KnnError> {
        for (i, items) in lists {
            for &(approx, j) in items {
                let Some(exact) = self.get(i, j as usize) else { continue };
                if !bound.admits(i, approx, exact) {
                    return Err(KnnError::DeviceBound { row: i, col: j as usize, approx, exact });
                }
            }
        }
        Ok(())
    }

    /// The distance between rows `i` and `j`, if measured.
    pub(super) fn get(&self, i: usize, j: usize) -> Option<f64> {
        let key = (i.min(j) as u32, i.max(j) as u32);
        self.pairs.binary_search(&key).ok().map(|p| self.distances[p])
    }
}
