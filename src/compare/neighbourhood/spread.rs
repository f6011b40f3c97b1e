//! The error bars of χ^gt, χ^out and χ^in: their spread over TwoNN's random subsets, each
//! subset's neighbours found among its own points, read from the kept lists' further part
//! (`crate::estimators::neighbourhood::Deeper`); remembered across calls by the fingerprints of
//! the lists they came from ([`SpreadMemo`]).

use std::cell::OnceCell;
use std::collections::BTreeMap;

use ndarray::Array2;

use super::{LayerNeighbourhood, ModelNeighbourhoods, correspond, lists_of, shared_fraction};
use crate::estimators::neighbourhood::KeptNeighbours;
use crate::estimators::overlap::{Neighbourhood, OverlapAverage, subset_overlap};
use crate::support::stats::mean_std;

/// A layer's nearest `k` neighbours within each of its error bars' subsets, local to the subset.
struct SubsetLists {
    /// The subsets (ascending point indices).
    subsets: Vec<Vec<usize>>,
    /// Their lists, members × k each.
    lists: Vec<Array2<u32>>,
}

impl SubsetLists {
    /// Layer `l`'s, when its kept lists serve `k` neighbours per subset.
    fn of(l: &LayerNeighbourhood, k: usize) -> Option<Self> {
        let kept = lists_of(l)?;
        let (subsets, _) = kept.subsets()?;
        let lists = subsets.iter().map(|m| kept.within(m, k)).collect::<Option<Vec<_>>>()?;
        Some(Self { subsets, lists })
    }

    /// The std over the subsets of χ with the labels `ids` of all points, averaged as `average`.
    fn label_std(&self, ids: &[u32], k: usize, average: OverlapAverage) -> Option<f64> {
        let each = self.subsets.iter().zip(&self.lists);
        let each = each.map(|(m, lists)| subset_overlap(m, lists.view(), ids, Neighbourhood::Fixed(k), average).ok());
        std_of(&each.collect::<Option<Vec<f64>>>()?)
    }

    /// The std over the subsets of χ with `other`'s lists of the same subsets.
    fn chi_std(&self, other: &SubsetLists, k: usize) -> Option<f64> {
        if self.subsets != other.subsets {
            return None;
        }
        std_of(
            &self
                .lists
                .iter()
                .zip(&other.lists)
                .map(|(a, b)| shared_fraction(a.view(), b.view(), k))
                .collect::<Vec<_>>(),
        )
    }
}

/// The standard deviation (ddof = 0) of one value per subset; `None` without subsets.
fn std_of(each: &[f64]) -> Option<f64> {
    (!each.is_empty()).then(|| mean_std(each).1)
}

/// Error bars already computed, by the fingerprints of the lists they came from and k: a page
/// that recomputes the overlaps as each layer arrives computes each layer's error bars once.
/// Each call forgets those of lists it no longer holds.
#[derive(Debug, Default)]
pub struct SpreadMemo {
    /// (the layer's fingerprint, the reference's or the label average's, k) → the std.
    values: BTreeMap<(u64, u64, usize), Option<f64>>,
    /// The fingerprints seen in the current call.
    seen: Vec<u64>,
}

impl SpreadMemo {
    /// The std under `key`, computed by `f` if not known.
    fn get(&mut self, key: (u64, u64, usize), f: impl FnOnce() -> Option<f64>) -> Option<f64> {
        *self.values.entry(key).or_insert_with(f)
    }

    /// Forgets the error bars of lists not seen since the last call.
    pub(super) fn forget_unseen(&mut self) {
        let seen = std::mem::take(&mut self.seen);
        self.values.retain(|&(a, b, _), _| seen.contains(&a) && (b < LABEL_KEYS || seen.contains(&b)));
    }
}

/// The second key of χ^gt's error bars: below this, the label average (else a reference's
/// fingerprint, never this small but by a one in 2⁶³ chance).
const LABEL_KEYS: u64 = 2;

/// A fingerprint of kept lists (FNV-1a over their k, indices, labels and further neighbours).
fn fingerprint(kept: &KeptNeighbours) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |v: u32| {
        h ^= v as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    };
    let mut part = |v: &[u32]| {
        eat(v.len() as u32);
        v.iter().for_each(|&x| eat(x));
    };
    part(&[kept.k as u32]);
    part(&kept.indices);
    part(kept.labels.as_deref().unwrap_or_default());
    if let Some(d) = &kept.deeper {
        let bits = d.fraction.to_bits();
        part(&[d.k as u32, d.repeats as u32, bits as u32, (bits >> 32) as u32]);
        [&d.members, &d.offsets, &d.indices].into_iter().for_each(|v| part(v));
    }
    h.max(LABEL_KEYS)
}

/// Per layer of `m`, the std over the subsets of χ^gt, χ^out and χ^in at `k`, where its kept
/// lists hold the subsets' (χ^gt where they hold labels, χ^out and χ^in where the points
/// correspond); those `memo` knows are not computed again.
pub(super) fn spreads(m: &ModelNeighbourhoods, k: usize, memo: &mut SpreadMemo) -> Vec<[Option<f64>; 3]> {
    let Some(last) = m.layers.len().checked_sub(1) else { return Vec::new() };
    let prints: Vec<Option<u64>> =
        m.layers.iter().map(|l| lists_of(l).filter(|n| n.deeper.is_some()).map(fingerprint)).collect();
    memo.seen.extend(prints.iter().flatten());
    // Each layer's subset lists, made only for an error bar not known yet.
    let lists: Vec<OnceCell<Option<SubsetLists>>> = m.layers.iter().map(|_| OnceCell::new()).collect();
    let of = |pos: usize| lists[pos].get_or_init(|| SubsetLists::of(&m.layers[pos], k)).as_ref();
    (0..m.layers.len())
        .map(|pos| {
            let Some(print) = prints[pos] else { return [None; 3] };
            let l = &m.layers[pos];
            let average = l.label_average as u64;
            let label = memo.get((print, average, k), || {
                let ids = lists_of(l)?.labels.as_deref()?;
                of(pos)?.label_std(ids, k, l.label_average)
            });
            let mut with = |end: usize| {
                let other = prints[end].filter(|_| correspond(m, pos, end))?;
                memo.get((print, other, k), || of(pos)?.chi_std(of(end)?, k))
            };
            [label, with(last), with(0)]
        })
        .collect()
}
