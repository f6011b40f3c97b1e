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

pub mod bench;
mod candidates;
mod exact;
pub mod gram;
pub mod kernel;
mod subset;

pub use subset::within;

use std::cell::RefCell;
use std::ops::Range;
use std::sync::{Mutex, PoisonError};

use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::params::{MAX_K, Metric};
use crate::progress::{Cancelled, Progress, Stage};
use candidates::Candidates;
use exact::ExactMetric;

/// The k nearest neighbours of every point, self excluded.
#[derive(Debug, Clone, PartialEq)]
pub struct Neighbours {
    /// Row indices of the neighbours, N × k, nearest first.
    pub indices: Array2<u32>,
    /// Their distances (exact in float64), N × k, ascending along each row.
    pub distances: Array2<f64>,
}

impl Neighbours {
    /// Number of neighbours per point.
    pub fn k(&self) -> usize {
        self.indices.ncols()
    }

    /// The lists of consecutive row ranges (from [`finish`]) joined in order into one.
    pub fn concat(parts: &[Neighbours]) -> Result<Neighbours, KnnError> {
        let k = parts.first().map_or(0, Neighbours::k);
        if let Some(p) = parts.iter().find(|p| p.k() != k) {
            return Err(KnnError::MixedK { first: k, other: p.k() });
        }
        let rows = parts.iter().map(|p| p.indices.nrows()).sum();
        let flat = FlatNeighbours {
            k,
            indices: parts.iter().flat_map(|p| p.indices.iter().copied()).collect(),
            distances: parts.iter().flat_map(|p| p.distances.iter().copied()).collect(),
        };
        if k == 0 {
            return Ok(Neighbours { indices: Array2::zeros((rows, 0)), distances: Array2::zeros((rows, 0)) });
        }
        Neighbours::try_from(flat)
    }
}

/// [`Neighbours`] as flat row-major vectors, for passing between workers (serde).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlatNeighbours {
    /// Neighbours per point.
    pub k: usize,
    /// Row indices, N·k, row-major.
    pub indices: Vec<u32>,
    /// Distances, N·k, row-major.
    pub distances: Vec<f64>,
}

impl From<&Neighbours> for FlatNeighbours {
    fn from(nb: &Neighbours) -> Self {
        Self { k: nb.k(), indices: nb.indices.iter().copied().collect(), distances: nb.distances.iter().copied().collect() }
    }
}

impl TryFrom<FlatNeighbours> for Neighbours {
    type Error = KnnError;

    fn try_from(flat: FlatNeighbours) -> Result<Self, KnnError> {
        let FlatNeighbours { k, indices, distances } = flat;
        let bad = KnnError::FlatShape { k, indices: indices.len(), distances: distances.len() };
        if k == 0 || indices.len() % k != 0 || indices.len() != distances.len() {
            return Err(bad);
        }
        let rows = indices.len() / k;
        match (Array2::from_shape_vec((rows, k), indices), Array2::from_shape_vec((rows, k), distances)) {
            (Ok(indices), Ok(distances)) => Ok(Neighbours { indices, distances }),
            _ => Err(bad),
        }
    }
}

/// How to search: neighbours per point, metric, rows per block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Search {
    /// Neighbours per point (1..=64).
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

/// Why a neighbour search cannot run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum KnnError {
    /// k outside 1..=64.
    #[error("the number of neighbours must be between 1 and {MAX_K}, got {0}")]
    K(usize),
    /// Not enough points for k neighbours each.
    #[error("{n} points are too few for {k} neighbours each (at least {} needed)", k + 1)]
    TooFewPoints {
        /// Points given.
        n: usize,
        /// Neighbours asked for.
        k: usize,
    },
    /// Rows of length 0.
    #[error("the points have no coordinates (D = 0)")]
    NoColumns,
    /// NaN or ±Inf in the data.
    #[error("row {row}, column {col} is not a finite number ({value})")]
    NonFinite {
        /// Row of the first non-finite value.
        row: usize,
        /// Its column.
        col: usize,
        /// The value.
        value: f32,
    },
    /// A zero row has no direction, so its cosine distance is undefined.
    #[error("row {0} is all zeros: its cosine distance is undefined")]
    ZeroRow(usize),
    /// A query row range that is not inside the points.
    #[error("query rows {start}..{end} are not inside the {n} points")]
    Rows {
        /// First query row.
        start: usize,
        /// One past the last query row.
        end: usize,
        /// Points given.
        n: usize,
    },
    /// Candidate lists whose shape does not fit the points and the search.
    #[error("candidate lists from row {first} of {indices} indices and {approx} distances with {m} per row do not fit {n} points with {expected_m} per row, or each other")]
    CandidateShape {
        /// Slots per row claimed.
        m: usize,
        /// First row claimed.
        first: usize,
        /// Indices given.
        indices: usize,
        /// Distances given.
        approx: usize,
        /// Points.
        n: usize,
        /// Slots per row the search keeps.
        expected_m: usize,
    },
    /// Candidate lists that are not every tile part once: a missing part would leave neighbours
    /// unseen.
    #[error("candidate lists of tile parts {given:?} were given, not each of {parts} parts once")]
    TileParts {
        /// The tile parts given, sorted.
        given: Vec<usize>,
        /// Parts the first list says the tiles were split into.
        parts: usize,
    },
    /// Row-range results with different k cannot be joined.
    #[error("cannot join neighbour lists with k = {first} and k = {other}")]
    MixedK {
        /// k of the first part.
        first: usize,
        /// k of a part that differs.
        other: usize,
    },
    /// A flat neighbour list whose lengths do not fit its k.
    #[error("flat neighbour lists of {indices} indices and {distances} distances do not fit k = {k}")]
    FlatShape {
        /// Neighbours per point claimed.
        k: usize,
        /// Indices given.
        indices: usize,
        /// Distances given.
        distances: usize,
    },
    /// The progress sink asked to stop.
    #[error(transparent)]
    Cancelled(#[from] Cancelled),
}

/// Extra candidates kept per point beyond k, so the exact re-ranking rarely needs a rescan.
fn spare(k: usize) -> usize {
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
pub fn finish(x: ArrayView2<f32>, parts: &[CandidateLists], search: &Search, progress: &mut dyn Progress) -> Result<Neighbours, KnnError> {
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
    if let Some(p) = parts.iter().find(|p| p.m != m || p.indices.len() != p.approx.len() || p.indices.len() % m != 0 || p.rows() != rows || rows.end > n || p.indices.iter().any(|&j| j != u32::MAX && j as usize >= n)) {
        return Err(KnnError::CandidateShape { m: p.m, first: p.first, indices: p.indices.len(), approx: p.approx.len(), n, expected_m: m });
    }
    let x = x.as_standard_layout();
    let x = x.view();
    let prep = Prepared::new(&x, search.metric)?;
    let cands: Vec<Candidates> = (0..rows.len()).map(|r| CandidateLists::merged(parts, r, m)).collect();
    progress.update(0.1)?;

    let queries: Vec<usize> = rows.clone().collect();
    let all_are_candidates = m == n - 1;
    let first = PairDistances::measure(&x, &prep.exact, rows.clone().zip(&cands).map(|(i, c)| (i, &c.items()[..(k + 1).min(c.items().len())])));
    let refined = crate::parallel::map(&queries, |&i| {
        prep.refine(&x, i, &cands[i - rows.start], k, all_are_candidates, &first)
    });
    let mut indices = Array2::<u32>::zeros((rows.len(), k));
    let mut distances = Array2::<f64>::zeros((rows.len(), k));
    for (r, list) in refined.iter().enumerate() {
        for (c, &(e, j)) in list.iter().enumerate() {
            indices[(r, c)] = j;
            distances[(r, c)] = e;
        }
    }
    progress.update(1.0)?;
    Ok(Neighbours { indices, distances })
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
fn width(n: usize, k: usize) -> usize {
    (k + spare(k)).min(n - 1)
}

/// Phase-1 candidate lists of consecutive rows from `first` on, flat: `m` slots per row, ascending by approximate
/// squared distance, unused slots (index `u32::MAX`, distance +∞) last. A row's list is full
/// exactly when its last slot is used, and every column offered but not kept has an approximate
/// distance at least its last entry: what the completeness proof needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CandidateLists {
    /// Slots per row.
    pub m: usize,
    /// The tile part these lists come from, of `parts` (a merge needs every part once).
    pub part: usize,
    /// Parts the tiles were split into.
    pub parts: usize,
    /// The first row listed.
    pub first: usize,
    /// Row indices of the candidates, N·m, row-major.
    pub indices: Vec<u32>,
    /// Their approximate squared distances (f32 Gram), N·m, row-major.
    pub approx: Vec<f32>,
}

impl CandidateLists {
    fn from_lists(m: usize, part: usize, parts: usize, lists: &[Candidates]) -> Self {
        let mut out = Self { m, part, parts, first: 0, indices: vec![u32::MAX; lists.len() * m], approx: vec![f32::INFINITY; lists.len() * m] };
        for (i, c) in lists.iter().enumerate() {
            for (s, &(d2, j)) in c.items().iter().enumerate() {
                out.indices[i * m + s] = j;
                out.approx[i * m + s] = d2;
            }
        }
        out
    }

    /// The rows listed.
    pub fn rows(&self) -> Range<usize> {
        self.first..self.first + self.indices.len().checked_div(self.m).unwrap_or(0)
    }

    /// The lists cut into `parts` consecutive row ranges (some empty when rows are fewer than
    /// parts), one per worker of phase 2.
    pub fn split(&self, parts: usize) -> Vec<CandidateLists> {
        let n = self.rows().len();
        let parts = parts.max(1);
        (0..parts)
            .map(|q| {
                let (a, b) = (n * q / parts, n * (q + 1) / parts);
                let slots = a * self.m..b * self.m;
                Self { first: self.first + a, indices: self.indices[slots.clone()].to_vec(), approx: self.approx[slots].to_vec(), ..*self }
            })
            .collect()
    }

    /// Listed row `r`'s lists from every part merged into one: the best `m` of their union, whose
    /// threshold stays valid (a full part's entries are all at most its threshold, so the merged
    /// list is full too and its last entry is at most that threshold; unused slots are +∞,
    /// which a list never takes).
    fn merged(parts: &[CandidateLists], r: usize, m: usize) -> Candidates {
        let mut c = Candidates::new(m);
        for p in parts {
            for s in r * m..(r + 1) * m {
                c.offer(p.approx[s], p.indices[s]);
            }
        }
        c
    }
}

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
    static PRODUCT: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// The rows centred (and scaled to unit length for cosine) in f32, with what the bound needs.
struct Prepared {
    d: usize,
    /// Column means of the (scaled) rows, subtracted before the Gram products.
    mean: Vec<f64>,
    /// Squared norms of the centred f32 rows.
    norms2: Vec<f32>,
    /// Largest of `norms2`, for the error bound.
    max_norm2: f64,
    exact: ExactMetric,
}

impl Prepared {
    fn new(x: &ArrayView2<f32>, metric: Metric) -> Result<Self, KnnError> {
        let (n, d) = x.dim();
        let all: Vec<usize> = (0..n).collect();
        let problems = crate::parallel::map(&all, |&i| {
            let row = x.row(i);
            if let Some((c, &v)) = row.iter().enumerate().find(|(_, v)| !v.is_finite()) {
                return Some(KnnError::NonFinite { row: i, col: c, value: v });
            }
            (metric == Metric::Cosine && row.iter().all(|&v| v == 0.0)).then_some(KnnError::ZeroRow(i))
        });
        if let Some(problem) = problems.into_iter().flatten().next() {
            return Err(problem);
        }
        let exact = ExactMetric::new(x, metric);
        let columns: Vec<usize> = (0..d).step_by(gram::KC).collect();
        let mean: Vec<f64> = crate::parallel::map(&columns, |&c0| {
            let mut sum = vec![0.0f64; gram::KC.min(d - c0)];
            for (i, row) in x.outer_iter().enumerate() {
                for (m, &v) in sum.iter_mut().zip(row.slice(ndarray::s![c0..])) {
                    *m += v as f64 * exact.scale(i);
                }
            }
            sum
        })
        .concat()
        .into_iter()
        .map(|m| m / n as f64)
        .collect();
        let mut prep = Self { d, mean, norms2: Vec::new(), max_norm2: 0.0, exact };
        prep.norms2 = crate::parallel::map(&all, |&i| (0..d).map(|k| prep.centred(x, i, k) as f64).map(|v| v * v).sum::<f64>() as f32);
        prep.max_norm2 = prep.norms2.iter().fold(0.0f64, |a, &b| a.max(b as f64));
        Ok(prep)
    }

    /// Row `i`, column `k` centred (and scaled for cosine) in f32.
    fn centred(&self, x: &ArrayView2<f32>, i: usize, k: usize) -> f32 {
        (x[(i, k)] as f64 * self.exact.scale(i) - self.mean[k]) as f32
    }

    /// The centred rows packed for the Gram kernel (phase 1 only).
    fn packed(&self, x: &ArrayView2<f32>) -> gram::Packed {
        gram::Packed::new(x.nrows(), self.d, |i, k| self.centred(x, i, k))
    }

    /// Candidate lists of `m` entries for every row from part `part` of `parts` of the
    /// upper-triangle tiles of `block` × `block` rows (a tile serves both sides, so the symmetric
    /// half is computed once); the tiles are split evenly by count, in row-block order.
    fn candidates(
        &self,
        rows: &gram::Packed,
        m: usize,
        block: usize,
        part: usize,
        parts: usize,
        progress: &mut dyn Progress,
    ) -> Result<Vec<Candidates>, Cancelled> {
        let n = self.norms2.len();
        let blocks: Vec<Range<usize>> = split(0..n, block).collect();
        let all: Vec<TileJob> =
            (0..blocks.len()).flat_map(|a| (a..blocks.len()).map(move |b| TileJob { a, b })).collect();
        let jobs = &all[all.len() * part / parts..all.len() * (part + 1) / parts];
        let lists: Vec<Mutex<Vec<Candidates>>> =
            blocks.iter().map(|r| Mutex::new(r.clone().map(|_| Candidates::new(m)).collect())).collect();
        let per_report = crate::parallel::batch_size().max(jobs.len().div_ceil(100)).max(1);
        for (done, batch) in jobs.chunks(per_report).enumerate() {
            crate::parallel::map(batch, |job| self.offer_tile(rows, job, &blocks, &lists));
            progress.update((done * per_report + batch.len()) as f64 / jobs.len() as f64)?;
        }
        Ok(lists.into_iter().flat_map(|l| l.into_inner().unwrap_or_else(PoisonError::into_inner)).collect())
    }

    /// Computes one tile and offers its approximate squared distances to the rows on both of its
    /// sides (one lock at a time, held only while offering).
    fn offer_tile(&self, rows: &gram::Packed, job: &TileJob, blocks: &[Range<usize>], lists: &[Mutex<Vec<Candidates>>]) {
        let (a, b) = (blocks[job.a].clone(), blocks[job.b].clone());
        PRODUCT.with_borrow_mut(|c| {
            let g = gram::tile(rows, a.clone(), b.clone(), c);
            let d2 = |i: usize, j: usize| self.norms2[i] + self.norms2[j] - 2.0 * g.get(i, j);
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

    /// The k nearest of row `i` as (Euclidean distance in ranking space, index), exact.
    ///
    /// Exact distances are taken first for the k + 1 candidates nearest by the approximation,
    /// and for all of them only if that does not prove the list complete: every point not yet
    /// measured has an approximate value at least the next candidate's (a non-candidate's is at
    /// least the merged list's threshold, see [`CandidateLists::merged`]); a list short of k
    /// (never from a complete set of tile parts) is searched again exactly. Rows are read from
    /// memory per pair, so measuring fewer pairs is what makes this step fast.
    fn refine(
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
            sort_by_distance_then_index(&mut best);
            best.truncate(k);
            let rest = match items.get(stop) {
                Some(&(next, _)) => next,
                None if all => f32::INFINITY,
                None => cands.threshold(),
            };
            if best.len() == k && self.proven_complete(i, rest, best[k - 1].0) {
                return best;
            }
        }
        self.exact_scan(x, i, k)
    }

    /// Whether every point not measured is provably farther than `kth`: they all had approximate
    /// squared distance ≥ `threshold`, whose f32 error is bounded by the dot-product error plus
    /// the rounding of the centred rows to f32.
    fn proven_complete(&self, i: usize, threshold: f32, kth: f64) -> bool {
        let eps = f32::EPSILON as f64;
        let ni = self.norms2[i] as f64;
        let sum = ni + self.max_norm2;
        let gram_err = (gram::error_factor(self.d) + 4.0) * eps * sum;
        let round_err = eps * (ni.sqrt() + self.max_norm2.sqrt());
        let lower = (threshold as f64 - gram_err).max(0.0).sqrt() - round_err;
        lower > kth
    }

    /// All distances from row `i` in f64; used where the candidate bound could not be proven.
    fn exact_scan(&self, x: &ArrayView2<f32>, i: usize, k: usize) -> Vec<(f64, u32)> {
        let n = self.norms2.len();
        let mut all: Vec<(f64, u32)> =
            (0..n).filter(|&j| j != i).map(|j| (self.exact.euclidean(x, i, j), j as u32)).collect();
        sort_by_distance_then_index(&mut all);
        all.truncate(k);
        all
    }
}

/// Exact distances of a set of pairs, each unordered pair measured once: most neighbours are
/// mutual, and reading the two rows from memory is what a distance costs.
struct PairDistances {
    /// (lower, higher) row index, sorted, distinct.
    pairs: Vec<(u32, u32)>,
    distances: Vec<f64>,
}

impl PairDistances {
    /// The distances from each row `i` to the candidates `items` given with it.
    fn measure<'a>(x: &ArrayView2<f32>, exact: &ExactMetric, lists: impl Iterator<Item = (usize, &'a [(f32, u32)])>) -> Self {
        let mut pairs: Vec<(u32, u32)> = lists
            .flat_map(|(i, items)| items.iter().map(move |&(_, j)| (i.min(j as usize) as u32, i.max(j as usize) as u32)))
            .collect();
        pairs.sort_unstable();
        pairs.dedup();
        let distances = crate::parallel::map(&pairs, |&(i, j)| exact.euclidean(x, i as usize, j as usize));
        Self { pairs, distances }
    }

    /// The distance between rows `i` and `j`, if measured.
    fn get(&self, i: usize, j: usize) -> Option<f64> {
        let key = (i.min(j) as u32, i.max(j) as u32);
        self.pairs.binary_search(&key).ok().map(|p| self.distances[p])
    }
}

/// Sorts ascending by distance, then by index (the tie rule; the streamed path uses it too).
pub(crate) fn sort_by_distance_then_index(list: &mut [(f64, u32)]) {
    list.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
}
