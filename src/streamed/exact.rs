//! Passes 2 and later: exact float64 distances in difference form, Σ (xᵢ·sᵢ − xⱼ·sⱼ)² summed in
//! column order across chunks, so every distance is bit-identical to the in-memory one.

use super::gram::Candidates;
use super::{Chunks, Stop};
use crate::knn::Neighbours;
use crate::knn::kernel::gram_error_factor;
use crate::progress::{Progress, Stage};
use std::sync::Mutex;

/// Continues the sums of squared differences between row `i` and each of `others` over one chunk.
fn add_chunk(buf: &[f32], w: usize, scale: &[f64], i: usize, others: impl Iterator<Item = usize>, sums: &mut [f64]) {
    let a = &buf[i * w..(i + 1) * w];
    for (s, j) in sums.iter_mut().zip(others) {
        let b = &buf[j * w..(j + 1) * w];
        let mut acc = *s;
        for (&p, &q) in a.iter().zip(b) {
            let t = p as f64 * scale[i] - q as f64 * scale[j];
            acc += t * t;
        }
        *s = acc;
    }
}

/// Exact distances from each of `points` to its candidates (`cands`, m per row), one pass.
fn candidate_distances(chunks: &Chunks, scale: &[f64], cands: &Candidates, progress: &mut dyn Progress) -> Result<Vec<f64>, Stop> {
    let (n, m) = (chunks.rows.len(), cands.m);
    let mut sums = vec![0.0f64; n * m];
    let rows: Vec<usize> = (0..n).collect();
    chunks.for_each(progress, |_, w, buf| {
        let buf = &*buf;
        let updated = crate::parallel::map(&rows, |&i| {
            let mut s = sums[i * m..(i + 1) * m].to_vec();
            add_chunk(buf, w, scale, i, cands.indices[i * m..(i + 1) * m].iter().map(|&j| j as usize), &mut s);
            s
        });
        for (dst, src) in sums.chunks_exact_mut(m).zip(updated) {
            dst.copy_from_slice(&src);
        }
    })?;
    Ok(sums.into_iter().map(f64::sqrt).collect())
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
    let n = chunks.rows.len();
    let passes = points.len().div_ceil(batch.max(1)).max(1);
    for (b, group) in points.chunks(batch.max(1)).enumerate() {
        let mut sums = vec![vec![0.0f64; n]; group.len()];
        let mut stage = Stage::new(progress, b as f64 / passes as f64, (b + 1) as f64 / passes as f64);
        chunks.for_each(&mut stage, |_, w, buf| {
            let buf = &*buf;
            let tasks: Vec<Mutex<&mut Vec<f64>>> = sums.iter_mut().map(Mutex::new).collect();
            let slots: Vec<usize> = (0..group.len()).collect();
            crate::parallel::map(&slots, |&t| {
                let mut s = tasks[t].lock().unwrap_or_else(|e| e.into_inner());
                add_chunk(buf, w, scale, group[t], 0..n, &mut s);
            });
        })?;
        for (&i, s) in group.iter().zip(sums) {
            consume(i, s.into_iter().map(f64::sqrt).collect());
        }
    }
    Ok(())
}

/// The `k` nearest of point `i` among those `local` maps to an index, from its distances to all.
pub fn nearest_among(i: usize, all: &[f64], local: impl Fn(usize) -> Option<u32>, k: usize) -> Vec<(f64, u32)> {
    let mut l: Vec<(f64, u32)> = all.iter().enumerate().filter(|&(j, _)| j != i).filter_map(|(j, &e)| local(j).map(|q| (e, q))).collect();
    sort_by_distance_then_index(&mut l);
    l.truncate(k);
    l
}

/// Sorts ascending by distance, then by index (the tie rule of `knn`).
pub fn sort_by_distance_then_index(list: &mut [(f64, u32)]) {
    list.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
}

/// Whether no non-candidate of row `i` can be nearer than `kth`: the f32 Gram trick errs by at
/// most the dot-product bound plus the rounding of the centred rows (the bound `knn` uses).
fn proven_complete(c: &Candidates, d: usize, i: usize, kth: f64) -> bool {
    let eps = f32::EPSILON as f64;
    let (ni, big) = (c.norms2[i] as f64, c.max_norm2);
    let gram_err = (gram_error_factor(d) + 4.0) * eps * (ni + big);
    let lower = (c.threshold[i] as f64 - gram_err).max(0.0).sqrt() - eps * (ni.sqrt() + big.sqrt());
    lower > kth
}

/// The exact k nearest neighbours of every row from its candidates, rescanning the rows where
/// completeness cannot be proven.
pub fn neighbours(chunks: &Chunks, scale: &[f64], cands: &Candidates, k: usize, batch: usize, progress: &mut dyn Progress) -> Result<Neighbours, Stop> {
    let (n, m, d) = (chunks.rows.len(), cands.m, chunks.cols);
    let dist = candidate_distances(chunks, scale, cands, &mut Stage::new(progress, 0.0, 0.8))?;
    let mut lists: Vec<Vec<(f64, u32)>> = (0..n)
        .map(|i| {
            let mut l: Vec<(f64, u32)> = (0..m).map(|c| (dist[i * m + c], cands.indices[i * m + c])).collect();
            sort_by_distance_then_index(&mut l);
            l.truncate(k);
            l
        })
        .collect();
    let unproven: Vec<usize> = if m == n - 1 {
        Vec::new()
    } else {
        (0..n).filter(|&i| !proven_complete(cands, d, i, lists[i][k - 1].0)).collect()
    };
    all_distances(chunks, scale, &unproven, batch, &mut Stage::new(progress, 0.8, 1.0), |i, all| {
        lists[i] = nearest_among(i, &all, |j| Some(j as u32), k);
    })?;
    Ok(super::subsets::to_neighbours(&lists, k))
}
