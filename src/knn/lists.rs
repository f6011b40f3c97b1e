//! Phase-1 candidate lists as they travel between workers: cut into row slices, merged per row.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::Kernel;
use super::candidates::Candidates;

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
    /// The kernel that computed them, which sets their error bound.
    #[serde(default)]
    pub kernel: Kernel,
}

impl CandidateLists {
    pub(super) fn from_lists(m: usize, part: usize, parts: usize, lists: &[Candidates]) -> Self {
        let mut out = Self {
            m,
            part,
            parts,
            first: 0,
            indices: vec![u32::MAX; lists.len() * m],
            approx: vec![f32::INFINITY; lists.len() * m],
            kernel: Kernel::Simd,
        };
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
                Self {
                    first: self.first + a,
                    indices: self.indices[slots.clone()].to_vec(),
                    approx: self.approx[slots].to_vec(),
                    ..*self
                }
            })
            .collect()
    }

    /// Listed row `r`'s lists from every part merged into one: the best `m` of their union, whose
    /// threshold stays valid (a full part's entries are all at most its threshold, so the merged
    /// list is full too and its last entry is at most that threshold; unused slots are +∞,
    /// which a list never takes).
    pub(super) fn merged(parts: &[CandidateLists], r: usize, m: usize) -> Candidates {
        let mut c = Candidates::new(m);
        for p in parts {
            for s in r * m..(r + 1) * m {
                c.offer(p.approx[s], p.indices[s]);
            }
        }
        c
    }
}
