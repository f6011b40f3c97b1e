//! Neighbours within subsets of the points (the error-bar repeats) from the full exact lists:
//! each point's list restricted to the subset is its exact list there; a point left with fewer
//! than k members gets an exact rescan, all such points sharing one streamed pass.

use std::collections::BTreeMap;

use ndarray::Array2;

use super::exact::{all_distances, nearest_among};
use super::{Chunks, Stop};
use crate::knn::Neighbours;
use crate::progress::Progress;

/// The `k` nearest neighbours of each member of each of `subsets` (ascending point indices)
/// among that subset, indices local to the subset: equal to a fresh search on its rows.
pub fn within_all(
    chunks: &Chunks,
    scale: &[f64],
    full: &Neighbours,
    subsets: &[Vec<usize>],
    k: usize,
    batch: usize,
    progress: &mut dyn Progress,
) -> Result<Vec<Neighbours>, Stop> {
    let mut lists: Vec<Vec<Vec<(f64, u32)>>> = Vec::with_capacity(subsets.len());
    let mut missing: BTreeMap<usize, Vec<(usize, usize)>> = BTreeMap::new();
    for (s, members) in subsets.iter().enumerate() {
        let local = |j: usize| members.binary_search(&j).ok().map(|q| q as u32);
        let found: Vec<Vec<(f64, u32)>> = members
            .iter()
            .enumerate()
            .map(|(p, &i)| {
                let l: Vec<(f64, u32)> = full
                    .indices
                    .row(i)
                    .iter()
                    .zip(full.distances.row(i))
                    .filter_map(|(&j, &e)| local(j as usize).map(|q| (e, q)))
                    .take(k)
                    .collect();
                if l.len() < k {
                    missing.entry(i).or_default().push((s, p));
                }
                l
            })
            .collect();
        lists.push(found);
    }
    let points: Vec<usize> = missing.keys().copied().collect();
    all_distances(chunks, scale, &points, batch, progress, |i, all| {
        for &(s, p) in &missing[&i] {
            let members = &subsets[s];
            lists[s][p] = nearest_among(i, &all, |j| members.binary_search(&j).ok().map(|q| q as u32), k);
        }
    })?;
    Ok(lists.into_iter().map(|l| to_neighbours(&l, k)).collect())
}

/// Lists of exactly k (distance, index) pairs as a `Neighbours`.
pub fn to_neighbours(lists: &[Vec<(f64, u32)>], k: usize) -> Neighbours {
    let mut indices = Array2::<u32>::zeros((lists.len(), k));
    let mut distances = Array2::<f64>::zeros((lists.len(), k));
    for (i, list) in lists.iter().enumerate() {
        for (c, &(e, j)) in list.iter().enumerate() {
            indices[(i, c)] = j;
            distances[(i, c)] = e;
        }
    }
    Neighbours { indices, distances }
}
