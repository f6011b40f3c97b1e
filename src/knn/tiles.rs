//! Phase 1: the Gram's upper-triangle tiles, split evenly between the parts of a search, each
//! tile's approximate distances offered to the candidate lists of the rows on both its sides.

use std::cell::RefCell;
use std::ops::Range;
use std::sync::{Mutex, PoisonError};

use super::candidates::Candidates;
use super::gram;
use super::prepared::Prepared;
use crate::support::progress::{Cancelled, Progress};

/// One tile of the candidate search: row block `a` against row block `b` (`a` ≤ `b`); the tile
/// serves the rows on both sides.
struct TileJob {
    a: usize,
    b: usize,
}

/// `range` cut into consecutive pieces of at most `block` rows.
pub(crate) fn split(range: Range<usize>, block: usize) -> impl Iterator<Item = Range<usize>> {
    range.clone().step_by(block).map(move |s| s..(s + block).min(range.end))
}

thread_local! {
    /// Each thread's tile product buffer, reused from tile to tile.
    pub(super) static PRODUCT: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

impl Prepared {
    /// Candidate lists of `m` entries for every row from part `part` of `parts` of the
    /// upper-triangle tiles of `block` × `block` rows (a tile serves both sides, so the symmetric
    /// half is computed once); the tiles are split evenly by count, in row-block order.
    pub(super) fn candidates(
        &self,
        rows: &gram::Packed,
        m: usize,
        block: usize,
        part: usize,
        parts: usize,
        progress: &mut dyn Progress,
    ) -> Result<Vec<Candidates>, Cancelled> {
        let n = self.bound.rows();
        let blocks: Vec<Range<usize>> = split(0..n, block).collect();
        let all: Vec<TileJob> =
            (0..blocks.len()).flat_map(|a| (a..blocks.len()).map(move |b| TileJob { a, b })).collect();
        let jobs = &all[all.len() * part / parts..all.len() * (part + 1) / parts];
        let lists: Vec<Mutex<Vec<Candidates>>> =
            blocks.iter().map(|r| Mutex::new(r.clone().map(|_| Candidates::new(m)).collect())).collect();
        let per_report = crate::support::parallel::batch_size().max(jobs.len().div_ceil(100)).max(1);
        for (done, batch) in jobs.chunks(per_report).enumerate() {
            crate::support::parallel::map(batch, |job| self.offer_tile(rows, job, &blocks, &lists));
            progress.update((done * per_report + batch.len()) as f64 / jobs.len() as f64)?;
        }
        Ok(lists.into_iter().flat_map(|l| l.into_inner().unwrap_or_else(PoisonError::into_inner)).collect())
    }

    /// Computes one tile and offers its approximate squared distances to the rows on both of its
    /// sides (one lock at a time, held only while offering).
    fn offer_tile(
        &self,
        rows: &gram::Packed,
        job: &TileJob,
        blocks: &[Range<usize>],
        lists: &[Mutex<Vec<Candidates>>],
    ) {
        let (a, b) = (blocks[job.a].clone(), blocks[job.b].clone());
        PRODUCT.with_borrow_mut(|c| {
            let g = gram::tile(rows, a.clone(), b.clone(), c);
            let d2 = |i: usize, j: usize| self.bound.norm2(i) + self.bound.norm2(j) - 2.0 * g.get(i, j);
            {
                let mut list = lists[job.a].lock().unwrap_or_else(PoisonError::into_inner);
                for (c, i) in list.iter_mut().zip(a.clone()) {
                    for j in b.clone().filter(|&j| j != i) {
                        c.offer(d2(i, j), j as u32);
                    }
                }
            }
            if job.b != job.a {
                let mut list = lists[job.b].lock().unwrap_or_else(PoisonError::into_inner);
                for (c, j) in list.iter_mut().zip(b.clone()) {
                    for i in a.clone() {
                        c.offer(d2(i, j), i as u32);
                    }
                }
            }
        });
    }
}
