//! Exact k nearest neighbours by blocked brute force; memory O(N·k + N·D), never N×N.
//!
//! Candidates come from the Gram trick ‖x‖² + ‖y‖² − 2x·y in f32 on mean-centred rows (SIMD dot
//! products, blocks of rows sized for the cache). The Gram trick loses precision when neighbours
//! are close compared to the norms, so each point keeps `k + spare` candidates, which are
//! re-ranked by exact f64 distances (difference form); a rigorous bound on the f32 error then
//! proves no point outside the candidates could be closer, and a point where it cannot be proven
//! is searched again exactly. Reported distances are exact float64 distances; ties are broken by
//! the lower row index.
//!
//! The cosine metric is the chord between the rows scaled to unit length, √(2(1 − cos)): it ranks
//! like 1 − cos, but stays a distance, whereas 1 − cos is quadratic in the angle for close
//! neighbours and would halve every ratio-based ID.
//!
//! A search runs in two phases that a pool of workers can split: [`candidates_part`] (the Gram
//! tiles, `tiles`) and [`finish`] (exact re-ranking, `refine`), over the rows as `prepared` holds
//! them; the candidate lists between them are `lists`, the results `neighbours`.

pub mod bench;
mod bound;
mod candidates;
mod error;
mod exact;
pub mod gram;
pub mod kernel;
mod lists;
mod metric;
mod neighbours;
mod prepared;
mod ranks;
mod refine;
mod subset;
mod tiles;
pub mod wgsl;

pub use bound::{Bound, Kernel};
pub use error::KnnError;
pub(crate) use exact::{BLOCK, block_sum};
pub use lists::CandidateLists;
pub use metric::Metric;
pub use neighbours::{FlatNeighbours, Neighbours};
pub use ranks::ranks;
pub(crate) use subset::restricted;
pub use subset::{covered, covering_depth, within};
pub(crate) use tiles::split;

use ndarray::ArrayView2;

use crate::support::progress::{Progress, Stage};
use candidates::Candidates;
use prepared::Prepared;
use refine::PairDistances;

/// Most neighbours one search keeps per point: Gride up to n = 64 (the lesson) and the density
/// estimators need 128; memory is O(N·k) either way.
pub const MAX_K: usize = 128;

/// How to search: neighbours per point, metric, rows per block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Search {
    /// Neighbours per point (1..=[`MAX_K`]).
    pub k: usize,
    /// Distance.
    pub metric: Metric,
    /// Rows per block of the blocked search; `None` picks one that fits the cache.
    pub block: Option<usize>,
}

impl Search {
    /// `k` neighbours in `metric` with an automatic block size.
    pub fn new(k: usize, metric: Metric) -> Self {
        Self { k, metric, block: None }
    }
}

/// Extra candidates kept per point beyond k, so the exact re-ranking rarely needs a rescan (any
/// number gives the same exact lists; the streamed search keeps as many).
pub(crate) fn spare(k: usize) -> usize {
    (k / 2).max(8)
}

/// The exact `search.k` nearest neighbours of every row of `x` (N × D): all tiles in one part,
/// then every row finished (the same two phases a pool of workers splits).
pub fn neighbours(x: ArrayView2<f32>, search: &Search, progress: &mut dyn Progress) -> Result<Neighbours, KnnError> {
    let lists = candidates_part(x, search, 0, 1, &mut Stage::new(progress, 0.0, 0.9))?;
    finish(x, &[lists], search, &mut Stage::new(progress, 0.9, 1.0))
}

/// Phase 1 of a split search: the approximate candidate lists of every row from part `part` of
/// `parts` of the Gram's upper-triangle tiles (split evenly by count, each tile offered to the
/// rows on both of its sides). Merged by [`finish`], the parts give the lists of one search.
pub fn candidates_part(
    x: ArrayView2<f32>,
    search: &Search,
    part: usize,
    parts: usize,
    progress: &mut dyn Progress,
) -> Result<CandidateLists, KnnError> {
    check(x, search)?;
    let x = x.as_standard_layout();
    let prep = Prepared::new(&x.view(), search.metric)?;
    let block = search.block.unwrap_or_else(gram::default_block).max(1);
    let m = width(x.nrows(), search.k);
    let parts = parts.max(1);
    let lists = prep.candidates(&prep.packed(&x.view()), m, block, part.min(parts), parts, progress)?;
    Ok(CandidateLists::from_lists(m, part.min(parts), parts, &lists))
}

/// Phase 2 of a split search: the exact neighbours (among all N rows of `x`) of the rows the
/// candidate lists `parts` cover (one slice from every tile part, see [`CandidateLists::split`];
/// merged here): equal to those rows of [`neighbours`], so workers can split the rows and join
/// them with [`Neighbours::concat`].
pub fn finish(
    x: ArrayView2<f32>,
    parts: &[CandidateLists],
    search: &Search,
    progress: &mut dyn Progress,
) -> Result<Neighbours, KnnError> {
    check(x, search)?;
    let n = x.nrows();
    let k = search.k;
    let m = width(n, k);
    let rows = parts.first().map_or(0..0, CandidateLists::rows);
    let mut given: Vec<(usize, usize)> = parts.iter().map(|p| (p.parts, p.part)).collect();
    given.sort_unstable();
    if given.iter().enumerate().any(|(q, &(of, part))| of != parts.len() || part != q) {
        let claimed = parts.first().map_or(0, |p| p.parts);
        return Err(KnnError::TileParts { given: given.into_iter().map(|(_, part)| part).collect(), parts: claimed });
    }
    if let Some(p) = parts.iter().find(|p| {
        p.m != m
            || p.indices.len() != p.approx.len()
            || p.indices.len() % m != 0
            || p.rows() != rows
            || rows.end > n
            || p.indices.iter().any(|&j| j != u32::MAX && j as usize >= n)
    }) {
        return Err(KnnError::CandidateShape {
            m: p.m,
            first: p.first,
            indices: p.indices.len(),
            approx: p.approx.len(),
            n,
            expected_m: m,
        });
    }
    let x = x.as_standard_layout();
    let x = x.view();
    let mut prep = Prepared::new(&x, search.metric)?;
    let device = parts.iter().any(|p| p.kernel == Kernel::Wgsl);
    if device {
        prep.bound = prep.bound.for_kernel(Kernel::Wgsl);
    }
    let cands: Vec<Candidates> = (0..rows.len()).map(|r| CandidateLists::merged(parts, r, m)).collect();
    progress.update(0.1)?;

    let queries: Vec<usize> = rows.clone().collect();
    let all_are_candidates = m == n - 1;
    let nearest: Vec<(usize, &[(f32, u32)])> =
        rows.clone().zip(&cands).map(|(i, c)| (i, &c.items()[..(k + 1).min(c.items().len())])).collect();
    let first = PairDistances::measure(&x, &prep.exact, nearest.iter().copied());
    if device {
        first.check(&prep.bound, nearest.iter().copied())?;
    }
    let refined = crate::support::parallel::map(&queries, |&i| {
        prep.refine(&x, i, &cands[i - rows.start], k, all_are_candidates, &first)
    });
    progress.update(1.0)?;
    Ok(Neighbours::from_lists(&refined, k))
}

/// Whether `search` can run on `x` at all (k, number of points, columns).
fn check(x: ArrayView2<f32>, search: &Search) -> Result<(), KnnError> {
    let (n, d) = x.dim();
    let k = search.k;
    if !(1..=MAX_K).contains(&k) {
        return Err(KnnError::K(k));
    }
    if n < k + 1 {
        return Err(KnnError::TooFewPoints { n, k });
    }
    if d == 0 {
        return Err(KnnError::NoColumns);
    }
    Ok(())
}

/// Candidates kept per row for `k` neighbours among `n` points.
pub(crate) fn width(n: usize, k: usize) -> usize {
    (k + spare(k)).min(n - 1)
}
