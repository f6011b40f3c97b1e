//! The lesson's longer neighbour lists: Gride up to n = 64 needs 128 neighbours, the app's search
//! keeps 64. An exact sweep along the coordinate of widest range, for the view's few thousand
//! 2-D or 3-D points, with the app's float64 distances (same bits) and tie rule (nearer, then lower index).

use ndarray::{Array2, ArrayView2};

use crate::knn::Neighbours;
use crate::knn::kernel::reduce;

/// Coordinates a row may have: one partial sum each, as in the app's exact distances.
const LANES: usize = 16;

/// The `k` nearest neighbours of every row of `x` (self excluded; `k` < rows, ≤ [`LANES`] columns).
pub(super) fn neighbours(x: ArrayView2<f32>, k: usize) -> Neighbours {
    let (n, d) = x.dim();
    let range = |c: usize| {
        let col = x.column(c);
        col.fold(f32::MIN, |m, &v| m.max(v)) - col.fold(f32::MAX, |m, &v| m.min(v))
    };
    let axis = (0..d).max_by(|&a, &b| range(a).total_cmp(&range(b))).unwrap_or(0);
    let keys: Vec<f64> = x.column(axis).iter().map(|&v| f64::from(v)).collect();
    let order = crate::order::argsort(&keys);
    let sorted = Sorted {
        rows: order.iter().flat_map(|&i| x.row(i).iter().map(|&v| f64::from(v)).collect::<Vec<_>>()).collect(),
        d,
        axis,
        order,
    };
    let mut indices = Array2::zeros((n, k));
    let mut distances = Array2::zeros((n, k));
    for (rank, &i) in sorted.order.iter().enumerate() {
        for (c, Near(dist, j)) in sorted.nearest(rank, k).into_iter().enumerate() {
            indices[(i, c)] = j as u32;
            distances[(i, c)] = dist;
        }
    }
    Neighbours { indices, distances }
}

/// The rows in order of one coordinate (`axis`), as float64 (exact), with their row indices.
struct Sorted {
    rows: Vec<f64>,
    d: usize,
    axis: usize,
    order: Vec<usize>,
}

/// A neighbour: its distance and row index.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Near(f64, usize);

impl Near {
    /// Whether `self` ranks before `other`: nearer, or as near with a lower row index.
    fn before(self, other: Near) -> bool {
        self.0 < other.0 || (self.0 == other.0 && self.1 < other.1)
    }
}

impl Sorted {
    fn row(&self, rank: usize) -> &[f64] {
        &self.rows[rank * self.d..(rank + 1) * self.d]
    }

    /// The `k` nearest of the row at `rank`, visiting rows outward from it until the next one's
    /// gap along the axis exceeds the k-th distance: no row further along can be
    /// nearer, nor tie.
    fn nearest(&self, rank: usize, k: usize) -> Vec<Near> {
        let me = self.row(rank);
        let gap = |r: usize| (self.rows[r * self.d + self.axis] - me[self.axis]).abs();
        let mut best: Vec<Near> = Vec::with_capacity(k + 1);
        let (mut below, mut above) = (rank, rank + 1);
        loop {
            let next = match (below.checked_sub(1), (above < self.order.len()).then_some(above)) {
                (Some(a), Some(b)) if gap(a) <= gap(b) => { below = a; a }
                (_, Some(b)) => { above += 1; b }
                (Some(a), None) => { below = a; a }
                (None, None) => break,
            };
            let worst = best.get(k.wrapping_sub(1)).copied();
            if worst.is_some_and(|w| gap(next) > w.0) {
                break;
            }
            let candidate = Near(distance(me, self.row(next)), self.order[next]);
            if worst.is_none_or(|w| candidate.before(w)) {
                best.insert(best.partition_point(|&e| e.before(candidate)), candidate);
                best.truncate(k);
            }
        }
        best
    }
}

/// The app's float64 Euclidean distance: each squared difference in its own partial sum, added
/// by `knn`'s lane reduction, so the bits equal those of the app's neighbour lists.
fn distance(a: &[f64], b: &[f64]) -> f64 {
    let mut lanes = [0f64; LANES];
    for (lane, (&p, &q)) in lanes.iter_mut().zip(a.iter().zip(b)) {
        let t = p - q;
        *lane = t * t;
    }
    reduce(lanes).sqrt()
}
