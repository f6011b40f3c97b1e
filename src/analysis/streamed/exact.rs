//! Passes 2 and later: exact float64 distances in difference form, Σ (xᵢ·sᵢ − xⱼ·sⱼ)², summed
//! by `knn`'s own [`block_sum`] per block of [`BLOCK`] columns, block after block in column order:
//! the in-memory distance to the bit, since chunks start at multiples of the block.

use std::ops::Range;
use std::sync::Mutex;

use super::gram::{Gram, Nearest};
use super::{Chunks, Stop};
use crate::knn::{BLOCK, Neighbours, block_sum};
use crate::support::order::sort_pairs;
use crate::support::progress::{Progress, Stage};

/// Columns of a chunk handled by every pair before the next ones: all rows' slices of them
/// (N × 2 KiB) stay in cache while the pairs of every row go over them.
const COLS: usize = 4 * BLOCK;

/// Adds Σ (aₖ·sᵢ − bₖ·sⱼ)² over columns `cols` of a chunk (rows of width `w`, `cols` starting
/// on a block) to the sums between row `i` and each row `j` of `others`, block by block.
fn add_columns(buf: &[f32], w: usize, cols: Range<usize>, scale: &[f64], i: usize, others: &[u32], sums: &mut [f64]) {
    let slice = |r: usize| &buf[r * w + cols.start..r * w + cols.end];
    let mine = slice(i);
    for (s, &j) in sums.iter_mut().zip(others) {
        let theirs = slice(j as usize);
        for (a, b) in mine.chunks(BLOCK).zip(theirs.chunks(BLOCK)) {
            *s += block_sum(a, b, scale[i], scale[j as usize]);
        }
    }
}

/// Exact distances from row `i` to each of `rows`, for every `(i, rows)` of `pairs`, in one pass.
pub fn pair_distances(
    chunks: &Chunks,
    scale: &[f64],
    pairs: &[(usize, &[u32])],
    progress: &mut dyn Progress,
) -> Result<Vec<Vec<f64>>, Stop> {
    let mut sums: Vec<Vec<f64>> = pairs.iter().map(|(_, rows)| vec![0.0; rows.len()]).collect();
    if pairs.is_empty() {
        return Ok(sums);
    }
    chunks.for_each(progress, |_, w, buf| {
        let buf = &*buf;
        let tasks: Vec<Mutex<&mut Vec<f64>>> = sums.iter_mut().map(Mutex::new).collect();
        let slots: Vec<usize> = (0..pairs.len()).collect();
        for c0 in (0..w).step_by(COLS) {
            let cols = c0..(c0 + COLS).min(w);
            crate::support::parallel::map(&slots, |&t| {
                let mut s = tasks[t].lock().unwrap_or_else(|e| e.into_inner());
                let (i, rows) = pairs[t];
                add_columns(buf, w, cols.clone(), scale, i, rows, &mut s);
            });
        }
    })?;
    Ok(sums.into_iter().map(|s| s.into_iter().map(f64::sqrt).collect()).collect())
}

/// Exact distances from each of `points` to every row (n per point), in passes of at most
/// `batch` points; `consume(point, distances)` takes each point's row after its pass, so memory
/// stays at `batch` rows.
pub fn all_distances(
    chunks: &Chunks,
    scale: &[f64],
    points: &[usize],
    batch: usize,
    progress: &mut dyn Progress,
    mut consume: impl FnMut(usize, Vec<f64>),
) -> Result<(), Stop> {
    let all: Vec<u32> = (0..chunks.rows.len() as u32).collect();
    let passes = points.len().div_ceil(batch.max(1)).max(1);
    for (b, group) in points.chunks(batch.max(1)).enumerate() {
        let pairs: Vec<(usize, &[u32])> = group.iter().map(|&i| (i, all.as_slice())).collect();
        let mut stage = Stage::new(progress, b as f64 / passes as f64, (b + 1) as f64 / passes as f64);
        for (&i, d) in group.iter().zip(pair_distances(chunks, scale, &pairs, &mut stage)?) {
            consume(i, d);
        }
    }
    Ok(())
}

/// The `k` nearest of point `i` among those `local` maps to an index, from its distances to all.
pub fn nearest_among(i: usize, all: &[f64], local: impl Fn(usize) -> Option<u32>, k: usize) -> Vec<(f64, u32)> {
    let mut l: Vec<(f64, u32)> =
        all.iter().enumerate().filter(|&(j, _)| j != i).filter_map(|(j, &e)| local(j).map(|q| (e, q))).collect();
    sort_pairs(&mut l);
    l.truncate(k);
    l
}

/// A list of (exact distance, row), nearest first, and whether it is proven complete.
pub type Refined = (Vec<(f64, u32)>, bool);

/// The exact k nearest (distance, row) of each `(i, candidates)` in one pass over the file, and
/// whether the Gram bound proves each list complete; every measured pair is checked against a
/// GPU Gram's bound ([`Gram::check`]).
pub fn refine(
    chunks: &Chunks,
    scale: &[f64],
    gram: &Gram,
    cands: &[(usize, Nearest)],
    k: usize,
    progress: &mut dyn Progress,
) -> Result<Vec<Refined>, Stop> {
    let pairs: Vec<(usize, &[u32])> = cands.iter().map(|(i, c)| (*i, c.rows.as_slice())).collect();
    let dist = pair_distances(chunks, scale, &pairs, progress)?;
    cands
        .iter()
        .zip(dist)
        .map(|((i, c), d)| {
            let mut l: Vec<(f64, u32)> = d.into_iter().zip(c.rows.iter().copied()).collect();
            for &(exact, j) in &l {
                gram.check(*i, j as usize, exact)?;
            }
            sort_pairs(&mut l);
            l.truncate(k);
            let proven = l.len() == k && gram.proven(*i, c, l[k - 1].0);
            Ok((l, proven))
        })
        .collect()
}

/// The exact k nearest neighbours of every row from its `m` Gram candidates, rescanning (in
/// passes of `batch` rows) the rows where completeness cannot be proven.
pub fn neighbours(
    chunks: &Chunks,
    scale: &[f64],
    gram: &Gram,
    m: usize,
    k: usize,
    batch: usize,
    progress: &mut dyn Progress,
) -> Result<Neighbours, Stop> {
    let rows: Vec<usize> = (0..chunks.rows.len()).collect();
    let cands: Vec<(usize, Nearest)> = crate::support::parallel::map(&rows, |&i| (i, gram.nearest(i, &rows, m)));
    let refined = refine(chunks, scale, gram, &cands, k, &mut Stage::new(progress, 0.0, 0.8))?;
    let unproven: Vec<usize> = refined.iter().enumerate().filter(|(_, r)| !r.1).map(|(i, _)| i).collect();
    let mut lists: Vec<Vec<(f64, u32)>> = refined.into_iter().map(|r| r.0).collect();
    all_distances(chunks, scale, &unproven, batch, &mut Stage::new(progress, 0.8, 1.0), |i, all| {
        lists[i] = nearest_among(i, &all, |j| Some(j as u32), k);
    })?;
    Ok(Neighbours::from_lists(&lists, k))
}
