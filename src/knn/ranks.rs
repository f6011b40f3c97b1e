//! Exact ranks: for one chosen point per row (e.g. its nearest neighbour in another
//! representation), its rank among the other rows ordered by (exact distance, row index), 1 for
//! the nearest — what the information imbalance reads (Glielmo et al. 2022). One pass over the
//! Gram's upper-triangle tiles in f32, as the neighbour search makes: a pair whose f32 distance,
//! widened by the proven error bound ([`super::Bound`]), lies wholly below or above the chosen
//! point's exact distance is counted as it lies; only the pairs within the bound are measured in
//! f64. Memory O(N·targets), never N×N.

use std::ops::Range;
use std::sync::{Mutex, PoisonError};

use ndarray::ArrayView2;

use super::exact::ExactMetric;
use super::prepared::Prepared;
use super::tiles::{PRODUCT, split};
use super::{KnnError, Metric, gram};
use crate::support::progress::Progress;

/// The 1-based rank, among the other rows of `x` ordered by (exact `metric` distance from row i,
/// row index), of row `t[i]`, for each list `t` of `targets` (one row per row of `x`, none the row
/// itself).
pub fn ranks(
    x: ArrayView2<f32>,
    metric: Metric,
    targets: &[Vec<u32>],
    progress: &mut dyn Progress,
) -> Result<Vec<Vec<u32>>, KnnError> {
    let n = x.nrows();
    if x.ncols() == 0 {
        return Err(KnnError::NoColumns);
    }
    if let Some((i, &j)) =
        targets.iter().flat_map(|t| t.iter().enumerate()).find(|&(i, &j)| j as usize >= n || j as usize == i)
    {
        return Err(KnnError::Target { row: i, target: j as usize, n });
    }
    if let Some(t) = targets.iter().find(|t| t.len() != n) {
        return Err(KnnError::TargetCount { given: t.len(), n });
    }
    let x = x.as_standard_layout();
    let x = x.view();
    let prep = Prepared::new(&x, metric)?;
    let packed = prep.packed(&x);
    // The chosen point's exact distance from each row, per list.
    let tau: Vec<Vec<f64>> =
        targets.iter().map(|t| (0..n).map(|i| prep.exact.euclidean(&x, i, t[i] as usize)).collect()).collect();
    // Where each row's f32 squared distances are surely before or after its chosen point.
    let window: Vec<Vec<(f64, f64)>> =
        tau.iter().map(|t| t.iter().enumerate().map(|(i, &d)| prep.bound.window(i, d)).collect()).collect();
    let blocks: Vec<Range<usize>> = split(0..n, gram::default_block().max(1)).collect();
    let jobs: Vec<(usize, usize)> = (0..blocks.len()).flat_map(|a| (a..blocks.len()).map(move |b| (a, b))).collect();
    let before: Vec<Mutex<Vec<u32>>> = blocks.iter().map(|r| Mutex::new(vec![0; r.len() * targets.len()])).collect();
    let pass = Pass { x: &x, prep: &prep, targets, tau: &tau, window: &window };
    let per_report = crate::support::parallel::batch_size().max(jobs.len().div_ceil(100)).max(1);
    for (done, batch) in jobs.chunks(per_report).enumerate() {
        crate::support::parallel::map(batch, |&(a, b)| {
            PRODUCT.with_borrow_mut(|c| {
                let g = gram::tile(&packed, blocks[a].clone(), blocks[b].clone(), c);
                pass.count(blocks[a].clone(), blocks[b].clone(), &|i, j| g.get(i, j), &before[a], &before[b], a == b);
            });
        });
        progress.update((done * per_report + batch.len()) as f64 / jobs.len() as f64)?;
    }
    let mut out = vec![vec![0u32; n]; targets.len()];
    for (block, counts) in blocks.iter().zip(before) {
        let counts = counts.into_inner().unwrap_or_else(PoisonError::into_inner);
        for (r, i) in block.clone().enumerate() {
            for (t, o) in out.iter_mut().enumerate() {
                o[i] = counts[r * targets.len() + t] + 1;
            }
        }
    }
    Ok(out)
}

/// What every tile reads.
struct Pass<'a> {
    x: &'a ArrayView2<'a, f32>,
    prep: &'a Prepared,
    targets: &'a [Vec<u32>],
    tau: &'a [Vec<f64>],
    window: &'a [Vec<(f64, f64)>],
}

impl Pass<'_> {
    /// Counts, for the rows of blocks `a` and `b` (`same`: one block), the other rows of the tile
    /// that come before each row's chosen point; `dot(i, j)` is the tile's f32 product.
    fn count(
        &self,
        a: Range<usize>,
        b: Range<usize>,
        dot: &dyn Fn(usize, usize) -> f32,
        into_a: &Mutex<Vec<u32>>,
        into_b: &Mutex<Vec<u32>>,
        same: bool,
    ) {
        let t = self.targets.len();
        let mut ca = vec![0u32; a.len() * t];
        let mut cb = vec![0u32; b.len() * t];
        let bound = &self.prep.bound;
        for i in a.clone() {
            for j in b.clone() {
                if same && j <= i {
                    continue;
                }
                let d2 = bound.norm2(i) + bound.norm2(j) - 2.0 * dot(i, j);
                let mut exact = None;
                for s in 0..t {
                    // Row i sees j; row j sees i (the distance is symmetric).
                    if self.before(i, j, s, d2, &mut exact) {
                        ca[(i - a.start) * t + s] += 1;
                    }
                    if self.before(j, i, s, d2, &mut exact) {
                        cb[(j - b.start) * t + s] += 1;
                    }
                }
            }
        }
        // On a diagonal tile `b` is `a` and both halves go to the one block.
        add(into_a, &ca);
        add(into_b, &cb);
    }

    /// Whether row `j` comes before row `i`'s chosen point of list `s` in `i`'s order, from their
    /// f32 squared distance `d2`, measured exactly (once, into `exact`) only within the bound.
    fn before(&self, i: usize, j: usize, s: usize, d2: f32, exact: &mut Option<f64>) -> bool {
        let (below, above) = self.window[s][i];
        let d2 = d2 as f64;
        if d2 < below {
            return true;
        }
        if d2 > above {
            return false;
        }
        let (tau, target) = (self.tau[s][i], self.targets[s][i] as usize);
        let d = *exact.get_or_insert_with(|| distance(&self.prep.exact, self.x, i, j));
        d < tau || (d == tau && j < target)
    }
}

/// The exact distance between rows `i` and `j` (the same bits either way round).
fn distance(exact: &ExactMetric, x: &ArrayView2<f32>, i: usize, j: usize) -> f64 {
    exact.euclidean(x, i.min(j), i.max(j))
}

/// Adds a tile's counts into a block's.
fn add(into: &Mutex<Vec<u32>>, counts: &[u32]) {
    let mut into = into.lock().unwrap_or_else(PoisonError::into_inner);
    for (a, &c) in into.iter_mut().zip(counts) {
        *a += c;
    }
}

#[cfg(test)]
mod tests {
    use ndarray::array;

    use super::*;
    use crate::support::progress::Silent;

    /// The ranks by sorting every row's exact distances: the definition.
    fn brute(x: ArrayView2<f32>, t: &[u32]) -> Vec<u32> {
        let d = |i: usize, j: usize| -> f64 {
            x.row(i).iter().zip(x.row(j)).map(|(&a, &b)| (a as f64 - b as f64).powi(2)).sum::<f64>().sqrt()
        };
        (0..x.nrows())
            .map(|i| {
                let (tau, target) = (d(i, t[i] as usize), t[i] as usize);
                1 + (0..x.nrows()).filter(|&j| j != i && (d(i, j) < tau || (d(i, j) == tau && j < target))).count()
                    as u32
            })
            .collect()
    }

    #[test]
    fn ranks_on_a_line_with_ties_by_index() {
        // Points at 0, 1, 2, 3, 5 on a line; from 2, rows 1 and 3 tie at distance 1 (1 first),
        // from 1, rows 0 and 2 (0 first).
        let x = array![[0.0f32], [1.0], [2.0], [3.0], [5.0]];
        let t = vec![vec![4, 0, 3, 0, 0], vec![1, 2, 1, 2, 3]];
        let r = ranks(x.view(), Metric::Euclidean, &t, &mut Silent).unwrap();
        assert_eq!(r[0], [4, 1, 2, 4, 4]);
        assert_eq!(r[1], [1, 2, 1, 1, 1]);
        assert_eq!(r[0], brute(x.view(), &t[0]));
    }

    #[test]
    fn ranks_match_the_definition_on_random_and_tied_rows() {
        let mut s = 7u64;
        let mut next = || {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (s >> 33) as f32 / (1u64 << 31) as f32
        };
        let n = 300;
        let x = ndarray::Array2::from_shape_fn((n, 20), |(i, _)| if i % 7 == 0 { 1.0 } else { (next() * 4.0).round() });
        // Every row's chosen point some other row (ties and duplicates among them).
        let t: Vec<u32> = (0..n).map(|i| ((i * 37 + 11) % n) as u32).collect();
        let t: Vec<u32> =
            t.iter().enumerate().map(|(i, &j)| if j as usize == i { ((i + 1) % n) as u32 } else { j }).collect();
        let r = ranks(x.view(), Metric::Euclidean, std::slice::from_ref(&t), &mut Silent).unwrap();
        assert_eq!(r[0], brute(x.view(), &t));
    }

    #[test]
    fn targets_are_checked() {
        let x = array![[0.0f32], [1.0], [2.0]];
        assert_eq!(
            ranks(x.view(), Metric::Euclidean, &[vec![1, 1, 1]], &mut Silent).unwrap_err(),
            KnnError::Target { row: 1, target: 1, n: 3 }
        );
        assert_eq!(
            ranks(x.view(), Metric::Euclidean, &[vec![1, 0]], &mut Silent).unwrap_err(),
            KnnError::TargetCount { given: 2, n: 3 }
        );
    }
}
