//! Neighbours within subsets of the points (the error-bar repeats, the decimation's blocks) from
//! the full exact lists: each point's list restricted to the subset is its exact list there. A
//! point left with fewer than k members gets Gram candidates among the members, re-ranked
//! exactly in one shared pass; where the bound cannot prove those complete, an exact rescan.

use std::collections::BTreeMap;

use super::exact::{all_distances, nearest_among, refine};
use super::gram::{Gram, Nearest};
use super::{Chunks, Stop};
use crate::knn::{Neighbours, restricted, spare};
use crate::support::progress::{Progress, Stage};

/// Position of row `j` in the sorted `members`.
fn local(members: &[usize], j: usize) -> Option<u32> {
    members.binary_search(&j).ok().map(|q| q as u32)
}

/// The `depths[s]` nearest neighbours of each member of each of `subsets` (ascending point
/// indices) among that subset, indices local to the subset: equal to a fresh search on its rows.
#[allow(clippy::too_many_arguments)]
pub fn within_all(
    chunks: &Chunks,
    scale: &[f64],
    gram: &Gram,
    full: &Neighbours,
    subsets: &[Vec<usize>],
    depths: &[usize],
    batch: usize,
    progress: &mut dyn Progress,
) -> Result<Vec<Neighbours>, Stop> {
    let mut lists: Vec<Vec<Vec<(f64, u32)>>> = Vec::with_capacity(subsets.len());
    // Per depth, the members (subset, position, point) the full lists leave short.
    let mut missing: BTreeMap<usize, Vec<(usize, usize, usize)>> = BTreeMap::new();
    for (s, (members, &k)) in subsets.iter().zip(depths).enumerate() {
        let found: Vec<Vec<(f64, u32)>> = members
            .iter()
            .enumerate()
            .map(|(p, &i)| {
                let l = restricted(full, i, |j| local(members, j), k);
                if l.len() < k {
                    missing.entry(k).or_default().push((s, p, i));
                }
                l
            })
            .collect();
        lists.push(found);
    }
    let mut rescan: BTreeMap<usize, Vec<(usize, usize)>> = BTreeMap::new();
    let share = 0.5 / missing.len().max(1) as f64;
    for (q, (&k, missing)) in missing.iter().enumerate() {
        let m = k + spare(k);
        let cands: Vec<(usize, Nearest)> =
            crate::support::parallel::map(missing, |&(s, _, i)| (i, gram.nearest(i, &subsets[s], m)));
        let stage = &mut Stage::new(progress, share * q as f64, share * (q + 1) as f64);
        let refined = refine(chunks, scale, gram, &cands, k, stage)?;
        for (&(s, p, i), (l, proven)) in missing.iter().zip(refined) {
            if proven {
                lists[s][p] =
                    l.into_iter().filter_map(|(e, j)| local(&subsets[s], j as usize).map(|q| (e, q))).collect();
            } else {
                rescan.entry(i).or_default().push((s, p));
            }
        }
    }
    let points: Vec<usize> = rescan.keys().copied().collect();
    all_distances(chunks, scale, &points, batch, &mut Stage::new(progress, 0.5, 1.0), |i, all| {
        for &(s, p) in &rescan[&i] {
            lists[s][p] = nearest_among(i, &all, |j| local(&subsets[s], j), depths[s]);
        }
    })?;
    Ok(lists.into_iter().zip(depths).map(|(l, &k)| Neighbours::from_lists(&l, k)).collect())
}
