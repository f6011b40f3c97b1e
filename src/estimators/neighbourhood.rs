//! A layer's kept neighbourhoods: each point's k nearest other points, from the lists the search
//! already made (no second search; N·k indices per layer), so that the overlaps between layers
//! and between models (`crate::compare::neighbourhood`: χ(A, B), χ^out) read them later. Ties are
//! ordered by row index, as everywhere in idscope; duplicated rows follow the policy (with
//! `keep-one` a removed copy has no neighbourhood, so such a layer compares with no other).
//!
//! With TwoNN's repeats it also keeps, per point, the neighbours beyond its first k that the
//! repeats' random subsets need ([`Deeper`]), so that the overlaps' error bars (their spread over
//! the subsets, each subset's neighbours found among its own points) are exact at any k up to
//! the kept one, from the kept lists alone.

use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

use crate::estimators::{EstimateError, Estimator, Lists, Params, Rows, twonn};
use crate::knn::{MAX_K, Neighbours, covered, covering_depth};
use crate::params::{ParamError, Setting, SettingKind, Shown, settings};
use crate::support::order::sort_pairs;
use crate::support::progress::Progress;

settings! {
    /// The kept neighbourhoods' parameters.
    pub struct NeighbourhoodParams {
        /// Keep them.
        run as "neighbourhood": bool = false,
        /// Neighbours kept per point: the largest k the overlaps between layers can use.
        k as "neighbourhood_k": usize = 10,
    }
}

/// Each point's k nearest other points, in point order.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct KeptNeighbours {
    /// Neighbours per point (the parameter, or N − 1 on fewer points).
    pub k: usize,
    /// Row-major points × k: point i's neighbours, nearest first, are `indices[i·k .. (i+1)·k]`.
    pub indices: Vec<u32>,
    /// The points' class ids, when the layer has labels: χ with the labels at any k up to `k`.
    #[serde(default)]
    pub labels: Option<Vec<u32>>,
    /// The neighbours the error bars' subsets need beyond the first k (absent without repeats,
    /// and in results written before them).
    #[serde(default)]
    pub deeper: Option<Deeper>,
}

/// Each point's neighbours after its first k, in order, as far as every error-bar subset needs:
/// point i's nearest `k` members of a subset are the first `k` members of its first k neighbours
/// followed by these, since these hold the union of every subset's nearest `k` members, in the
/// whole-set order (distance, then index). The subsets themselves are kept as membership bits.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct Deeper {
    /// Number of subsets (TwoNN's repeats).
    pub repeats: usize,
    /// Each subset's size as a fraction of the points.
    pub fraction: f64,
    /// Members of each subset these lists serve per point (at most the kept k).
    pub k: usize,
    /// Point i is in subset s when bit s mod 32 of `members[i·w + s / 32]` is set, w = ⌈repeats / 32⌉.
    pub members: Vec<u32>,
    /// Point i's further neighbours are `indices[offsets[i] .. offsets[i + 1]]` (N + 1 offsets).
    pub offsets: Vec<u32>,
    /// The further neighbours, point after point.
    pub indices: Vec<u32>,
}

impl Deeper {
    /// Membership words per point.
    fn words(&self) -> usize {
        self.repeats.div_ceil(32)
    }

    /// Whether these index `n` points, in ascending offsets within `indices`.
    fn is_valid(&self, n: usize) -> bool {
        self.offsets.len() == n + 1
            && self.offsets.first() == Some(&0)
            && self.offsets.windows(2).all(|w| w[0] <= w[1])
            && self.offsets.last().is_some_and(|&e| e as usize == self.indices.len())
            && self.indices.iter().all(|&j| (j as usize) < n)
            && (1..=twonn::MAX_REPEATS).contains(&self.repeats)
            && self.members.len() == n * self.words()
            && self.fraction > 0.0
            && self.fraction < 1.0
    }

    /// Point i's further neighbours.
    fn of_point(&self, i: usize) -> &[u32] {
        &self.indices[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }
}

/// A point's further neighbours as they are found: their places in its full list where they are
/// there, and the (distance, index) of those beyond its depth.
type Further = (Vec<usize>, Vec<(f64, u32)>);

impl KeptNeighbours {
    /// The first `k` neighbours of every point of `full`, with the points' class ids `labels`.
    pub fn of(full: &Neighbours, k: usize, labels: Option<&[u32]>) -> Self {
        let k = k.min(full.k());
        let indices = full.indices.outer_iter().flat_map(|row| row.iter().take(k).copied().collect::<Vec<_>>());
        Self { k, indices: indices.collect(), labels: labels.map(<[u32]>::to_vec), deeper: None }
    }

    /// These lists with the subsets `subsets` (ascending point indices, `fraction` of the points
    /// each) and the neighbours beyond the first k that they need (`within`: their own lists,
    /// local indices, at least `k` deep). Those in `full` are ordered by their place there, the
    /// rest (beyond its depth) after them by (distance, index).
    pub fn with_subsets(
        mut self,
        full: &Neighbours,
        subsets: &[Vec<usize>],
        within: &[Neighbours],
        fraction: f64,
    ) -> Self {
        let n = self.points();
        let k = within.iter().map(Neighbours::k).min().unwrap_or(0).min(self.k);
        let mut further: Vec<Further> = vec![(Vec::new(), Vec::new()); n];
        // Each point's first k, sorted: is a neighbour among them.
        let mut first = self.indices.clone();
        first.chunks_mut(self.k.max(1)).for_each(<[u32]>::sort_unstable);
        let words = subsets.len().div_ceil(32);
        let mut members = vec![0u32; n * words];
        for (s, (subset, lists)) in subsets.iter().zip(within).enumerate() {
            for (p, &i) in subset.iter().enumerate() {
                members[i * words + s / 32] |= 1 << (s % 32);
                let first = &first[i * self.k..(i + 1) * self.k];
                for (&q, &dist) in lists.indices.row(p).iter().zip(lists.distances.row(p)).take(k) {
                    let j = subset[q as usize] as u32;
                    if first.binary_search(&j).is_ok() {
                        continue;
                    }
                    let (placed, beyond) = &mut further[i];
                    match full.indices.row(i).iter().position(|&x| x == j) {
                        Some(place) if !placed.contains(&place) => placed.push(place),
                        None if !beyond.iter().any(|b| b.1 == j) => beyond.push((dist, j)),
                        _ => {}
                    }
                }
            }
        }
        let mut offsets = Vec::with_capacity(n + 1);
        let mut indices = Vec::new();
        offsets.push(0);
        for (i, (mut placed, mut beyond)) in further.into_iter().enumerate() {
            placed.sort_unstable();
            sort_pairs(&mut beyond);
            indices.extend(placed.iter().map(|&t| full.indices[(i, t)]));
            indices.extend(beyond.iter().map(|b| b.1));
            offsets.push(indices.len() as u32);
        }
        let repeats = subsets.len();
        self.deeper = Some(Deeper { repeats, fraction, k, members, offsets, indices });
        self
    }

    /// The subsets the error bars are over (ascending point indices), and the k their lists
    /// serve, if kept.
    pub fn subsets(&self) -> Option<(Vec<Vec<usize>>, usize)> {
        let d = self.deeper.as_ref()?;
        let w = d.words();
        let subsets = (0..d.repeats)
            .map(|s| (0..self.points()).filter(|&i| d.members[i * w + s / 32] >> (s % 32) & 1 == 1).collect())
            .collect();
        Some((subsets, d.k))
    }

    /// The nearest `k` members of the subset `members` (ascending) of each of them, as positions
    /// in `members` (members × k), from the kept lists; `None` for a k beyond what they serve
    /// ([`Deeper::k`]) or where they hold too few.
    pub fn within(&self, members: &[usize], k: usize) -> Option<ndarray::Array2<u32>> {
        let deeper = self.deeper.as_ref().filter(|d| k <= d.k)?;
        let mut local = vec![u32::MAX; self.points()];
        for (q, &i) in members.iter().enumerate() {
            local[i] = q as u32;
        }
        let mut out = ndarray::Array2::<u32>::zeros((members.len(), k));
        for (mut row, &i) in out.outer_iter_mut().zip(members) {
            let order = self.of_point(i, self.k).iter().chain(deeper.of_point(i));
            let mut found = order.filter_map(|&j| Some(local[j as usize]).filter(|&q| q != u32::MAX));
            for slot in row.iter_mut() {
                *slot = found.next()?;
            }
        }
        Some(out)
    }

    /// Points kept.
    pub fn points(&self) -> usize {
        self.indices.len().checked_div(self.k).unwrap_or(0)
    }

    /// Whether these are lists of k > 0 neighbours per point that index the points, with a label
    /// per point if any (a results file read back may hold anything).
    pub fn is_valid(&self) -> bool {
        let n = self.points();
        self.k > 0
            && self.indices.len() == n * self.k
            && self.indices.iter().all(|&j| (j as usize) < n)
            && self.labels.as_ref().is_none_or(|l| l.len() == n)
            && self.deeper.as_ref().is_none_or(|d| d.is_valid(n))
    }

    /// The lists as a points × k view, or `None` unless [`Self::is_valid`].
    pub fn view(&self) -> Option<ArrayView2<'_, u32>> {
        self.view_checked().filter(|_| self.is_valid())
    }

    /// [`Self::view`] of lists already checked ([`Self::is_valid`]: a pass over all of them).
    pub fn view_checked(&self) -> Option<ArrayView2<'_, u32>> {
        ArrayView2::from_shape((self.points(), self.k), &self.indices).ok()
    }

    /// The first `k` neighbours of point `i`.
    pub fn of_point(&self, i: usize, k: usize) -> &[u32] {
        &self.indices[i * self.k..i * self.k + k.min(self.k)]
    }
}

/// The k the error bars' subsets are searched to: the kept k, at most what the whole-set search
/// can serve ([`covered`]: 97 at subsets of 90 %; 0: none).
fn subset_k(p: &Params) -> usize {
    covered(p.neighbourhood.k, p.twonn.subset_fraction)
}

/// Keeps the whole-set lists' first k neighbours; not per class (a class's points are not the
/// layer's).
pub struct NeighbourhoodEstimator;

impl Estimator for NeighbourhoodEstimator {
    type Output = Option<KeptNeighbours>;
    type Params = NeighbourhoodParams;
    const NAME: &'static str = "the kept neighbourhoods";
    const PER_CLASS: bool = false;
    const SETTINGS: &'static [Setting] = &[
        Setting {
            name: "neighbourhood",
            label: "overlap between layers χ",
            help: "Keep each layer's k nearest neighbours per point for the neighbourhood overlaps between layers and models (χ(A, B), χ^out)",
            kind: SettingKind::Check,
            shown: Shown::Both,
            alias: None,
        },
        Setting {
            name: "neighbourhood_k",
            label: "neighbours kept",
            help: "Neighbours kept per point: the largest k of the overlaps between layers",
            kind: SettingKind::Number { min: 1.0, max: Some(MAX_K as f64), step: 1.0, empty: None },
            shown: Shown::Both,
            alias: None,
        },
    ];

    fn check(p: &NeighbourhoodParams) -> Result<(), ParamError> {
        ParamError::unless((1..=MAX_K).contains(&p.k), "neighbourhood_k", p.k as f64, "between 1 and 128")
    }

    /// k, or with error bars deep enough for their subsets' k to be read off the lists.
    fn depth(p: &Params, _n: usize) -> usize {
        let k = p.neighbourhood.k;
        match (p.twonn.repeats, subset_k(p)) {
            (0, _) | (_, 0) => k,
            (_, sub) => k.max(covering_depth(sub, p.twonn.subset_fraction)),
        }
    }

    /// The TwoNN repeats' subsets, for the error bars (none where the search cannot serve them).
    fn subsets(p: &Params, n: usize) -> Vec<Vec<usize>> {
        match subset_k(p) {
            0 => Vec::new(),
            _ => twonn::repeat_subsets(n, p.twonn.repeats, p.twonn.subset_fraction, p.seed),
        }
    }

    fn within_depth(p: &Params, n: usize) -> usize {
        subset_k(p).min(n.saturating_sub(1))
    }

    fn estimate(
        p: &Params,
        lists: &Lists,
        _rows: &mut dyn Rows,
        _: &mut dyn Progress,
    ) -> Result<Option<KeptNeighbours>, EstimateError> {
        let kept = KeptNeighbours::of(lists.full, p.neighbourhood.k, lists.labels.map(|l| l.ids));
        if lists.subsets.is_empty() {
            return Ok(Some(kept));
        }
        Ok(Some(kept.with_subsets(lists.full, lists.subsets, lists.within, p.twonn.subset_fraction)))
    }
}

#[cfg(test)]
mod tests {
    use ndarray::array;

    use super::*;

    #[test]
    fn it_keeps_the_first_k_of_each_list() {
        let full = Neighbours {
            indices: array![[1, 2, 3], [0, 2, 3], [3, 1, 0], [2, 1, 0]],
            distances: ndarray::Array2::ones((4, 3)),
        };
        let kept = KeptNeighbours::of(&full, 2, None);
        assert_eq!((kept.k, kept.points()), (2, 4));
        assert_eq!(kept.indices, [1, 2, 0, 2, 3, 1, 2, 1]);
        assert_eq!(
            (kept.of_point(2, 2), kept.of_point(2, 1), kept.of_point(3, 9)),
            (&[3, 1][..], &[3][..], &[2, 1][..])
        );
        assert_eq!(KeptNeighbours::of(&full, 10, None).k, 3);
        assert!(kept.is_valid());
        for bad in [
            KeptNeighbours { k: 0, indices: vec![], labels: None, deeper: None },
            KeptNeighbours { k: 2, indices: vec![1, 2, 0], labels: None, deeper: None },
            KeptNeighbours { k: 1, indices: vec![1, 0], labels: Some(vec![0]), deeper: None },
        ] {
            assert!(!bad.is_valid(), "{bad:?}");
        }
    }
}
