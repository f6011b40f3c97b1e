//! Phase 1 of the search on the browser's GPU: the centred f32 rows and norms handed to the WGSL
//! candidate kernel (`candidates.wgsl`, run by `www/gpu.js`), the plan of its dispatches under
//! the device's buffer limits, and its lists taken back for phase 2 ([`super::finish`]), which
//! re-ranks them in f64 under the WGSL error bound ([`super::Kernel::Wgsl`]) exactly as the CPU's.
//! A streamed layer's Gram pass goes to the GPU by [`gram`].

use ndarray::ArrayView2;
use serde::Serialize;

use super::prepared::Prepared;
use super::{CandidateLists, Kernel, KnnError, Search, check, width};

pub mod gram;

/// The candidate kernel's source (with the tile product it shares with the Gram kernel).
pub const SHADER: &str = concat!(include_str!("tile.wgsl"), include_str!("candidates.wgsl"));

/// Rows per side of the kernel's tile (its workgroup owns this many query rows).
pub const TILE: usize = 32;

/// Columns per step of the kernel: rows are padded with zeros to a multiple of it.
pub const DEPTH: usize = 32;

/// The slot value of an empty list entry on the device (WGSL may assume no infinities).
pub const EMPTY: f32 = 3.0e38;

/// Largest squared norm of a centred row the kernel takes: its squared distances, up to four
/// times that, stay below [`EMPTY`] and far from f32 overflow.
pub const MAX_NORM2: f64 = 1e37;

/// Multiply-adds per dispatch the plan aims at: long enough to amortise a submission, short
/// enough that a slow adapter reports progress and no watchdog ends a dispatch (about 0.1 s at
/// 10 GFLOP/s, a millisecond on a discrete GPU).
pub const DISPATCH_WORK: usize = 1 << 29;

/// The rows as the kernel reads them: centred (and scaled for cosine) in f32 exactly as the CPU
/// search's, each padded with zeros to `stride` columns, with their squared norms.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeviceRows {
    /// Rows.
    pub n: usize,
    /// Columns of the data.
    pub d: usize,
    /// Columns per padded row (a multiple of [`DEPTH`]).
    pub stride: usize,
    /// Slots per candidate list.
    pub m: usize,
    /// n × stride, row-major.
    pub rows: Vec<f32>,
    /// Squared norms of the centred rows (the bound's, so phase 2 proves against the same).
    pub norms: Vec<f32>,
}

/// The rows of `x` prepared for the GPU's phase 1 of `search`, or why it cannot run there.
pub fn device_rows(x: ArrayView2<f32>, search: &Search) -> Result<DeviceRows, KnnError> {
    check(x, search)?;
    let x = x.as_standard_layout();
    let x = x.view();
    let prep = Prepared::new(&x, search.metric)?;
    if prep.bound.max_norm2() > MAX_NORM2 {
        return Err(KnnError::DeviceRange { norm2: prep.bound.max_norm2() });
    }
    let (n, d) = x.dim();
    let stride = d.next_multiple_of(DEPTH);
    let mut rows = vec![0.0f32; n * stride];
    crate::support::parallel::for_each_chunk_mut(&mut rows, stride, |i, row| {
        for (k, v) in row[..d].iter_mut().enumerate() {
            *v = prep.centred(&x, i, k);
        }
    });
    let norms = (0..n).map(|i| prep.bound.norm2(i)).collect();
    Ok(DeviceRows { n, d, stride, m: width(n, search.k), rows, norms })
}

/// One dispatch: the query panel's rows against candidate tiles `tiles` of a candidate panel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dispatch {
    /// Query panel (index into [`Plan::panels`]).
    pub query: usize,
    /// Candidate panel.
    pub candidates: usize,
    /// Candidate tiles of [`TILE`] rows, panel-local.
    pub tiles: std::ops::Range<usize>,
}

/// How the kernel covers all N × N pairs within the device's limits: the rows cut into panels
/// small enough to bind (rows and lists), each query panel's lists kept across the dispatches
/// of every candidate panel and then read back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// Row ranges of the panels, consecutive, each a multiple of [`TILE`] rows but the last.
    pub panels: Vec<std::ops::Range<usize>>,
    /// Every dispatch, query panel after query panel.
    pub dispatches: Vec<Dispatch>,
}

/// The plan for `n` rows of `stride` f32 columns and lists of `m` slots on a device that binds
/// at most `binding` bytes per buffer (the smaller of maxStorageBufferBindingSize and
/// maxBufferSize), or why no panel (or the N norms, bound whole) fits.
pub fn plan(n: usize, stride: usize, m: usize, binding: u64) -> Result<Plan, KnnError> {
    let row_bytes = 4 * stride.max(m).max(1) as u64;
    let fit = (binding / row_bytes) as usize / TILE * TILE;
    if fit == 0 || n == 0 || 4 * n as u64 > binding {
        return Err(KnnError::DeviceLimit { binding, row_bytes });
    }
    let panel = fit.min(n.next_multiple_of(TILE));
    let panels: Vec<_> = super::tiles::split(0..n, panel).collect();
    let mut dispatches = Vec::new();
    for (q, rows) in panels.iter().enumerate() {
        let per_tile = (rows.len() * TILE * stride).max(1);
        let step = (DISPATCH_WORK / per_tile).max(1);
        for (c, cand) in panels.iter().enumerate() {
            let tiles = cand.len().div_ceil(TILE);
            dispatches.extend((0..tiles).step_by(step).map(|t| Dispatch {
                query: q,
                candidates: c,
                tiles: t..(t + step).min(tiles),
            }));
        }
    }
    Ok(Plan { panels, dispatches })
}

impl CandidateLists {
    /// The lists the kernel read back (n × m, [`EMPTY`] and `u32::MAX` in unused slots) as one
    /// part of one, checked for what phase 2's proof relies on: each row ascending, full, its
    /// indices distinct rows other than itself. A device that broke this is refused, not trusted.
    pub fn from_device(n: usize, m: usize, indices: Vec<u32>, approx: Vec<f32>) -> Result<Self, KnnError> {
        if m == 0 || indices.len() != n * m || approx.len() != n * m {
            return Err(KnnError::DeviceLists { row: 0, problem: "the lists do not have n × m slots" });
        }
        for (i, (idx, d2)) in indices.chunks(m).zip(approx.chunks(m)).enumerate() {
            let bad = |problem| Err(KnnError::DeviceLists { row: i, problem });
            if idx.iter().any(|&j| j as usize >= n || j as usize == i) {
                return bad("an index is not another row");
            }
            if d2.iter().any(|v| !v.is_finite() || *v >= EMPTY) || d2.windows(2).any(|w| w[0] > w[1]) {
                return bad("its distances are not finite and ascending");
            }
            let mut sorted = idx.to_vec();
            sorted.sort_unstable();
            if sorted.windows(2).any(|w| w[0] == w[1]) {
                return bad("an index appears twice");
            }
        }
        Ok(Self { m, part: 0, parts: 1, first: 0, indices, approx, kernel: Kernel::Wgsl })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_covers_every_pair_once_within_the_limit() {
        for (n, stride, m, binding) in [(100, 16, 10, 1 << 30), (1000, 64, 96, 64 * 1024), (70, 16, 20, 32 * 80)] {
            let p = plan(n, stride, m, binding).unwrap();
            assert_eq!(p.panels.first().unwrap().start, 0);
            assert_eq!(p.panels.last().unwrap().end, n);
            assert!(p.panels.windows(2).all(|w| w[0].end == w[1].start && w[0].len() % TILE == 0));
            assert!(p.panels.iter().all(|r| (r.len() * 4 * stride.max(m)) as u64 <= binding));
            let mut covered = vec![vec![0u8; n.div_ceil(TILE)]; p.panels.len()];
            for d in &p.dispatches {
                for t in d.tiles.clone() {
                    let global = (p.panels[d.candidates].start / TILE) + t;
                    covered[d.query][global] += 1;
                }
            }
            assert!(covered.iter().flatten().all(|&c| c == 1), "{n} rows: every tile once per query panel");
        }
        assert_eq!(plan(100, 16, 10, 1 << 30).unwrap().panels.len(), 1);
        assert_eq!(plan(1000, 64, 96, 64 * 1024).unwrap().panels.len(), 7, "160 rows of 384 bytes fit 64 KiB");
    }

    #[test]
    fn a_limit_below_one_tile_is_refused() {
        assert_eq!(plan(100, 64, 10, 1000), Err(KnnError::DeviceLimit { binding: 1000, row_bytes: 256 }));
    }

    #[test]
    fn broken_device_lists_are_refused() {
        let ok = || (vec![1, 2, 0, 2, 0, 1], vec![1.0, 2.0, 1.0, 3.0, 2.0, 3.0]);
        assert!(CandidateLists::from_device(3, 2, ok().0, ok().1).is_ok());
        let (mut i, d) = ok();
        i[0] = 0;
        assert!(matches!(CandidateLists::from_device(3, 2, i, d), Err(KnnError::DeviceLists { row: 0, .. })));
        let (i, mut d) = ok();
        d[3] = 0.5;
        assert!(matches!(CandidateLists::from_device(3, 2, i, d), Err(KnnError::DeviceLists { row: 1, .. })));
        let (mut i, d) = ok();
        i[5] = 0;
        assert!(matches!(CandidateLists::from_device(3, 2, i, d), Err(KnnError::DeviceLists { row: 2, .. })));
        let (i, mut d) = ok();
        d[1] = EMPTY;
        assert!(CandidateLists::from_device(3, 2, i, d).is_err(), "an empty slot: the list is not full");
    }
}
