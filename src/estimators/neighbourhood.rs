//! A layer's kept neighbourhoods: each point's k nearest other points, from the lists the search
//! already made (no second search; N·k indices per layer), so that the overlaps between layers
//! and between models (`crate::compare::neighbourhood`: χ(A, B), χ^out) read them later. Ties are
//! ordered by row index, as everywhere in idscope; duplicated rows follow the policy (with
//! `keep-one` a removed copy has no neighbourhood, so such a layer compares with no other).

use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

use crate::estimators::{EstimateError, Estimator, Lists, Params, Rows};
use crate::knn::{MAX_K, Neighbours};
use crate::params::{ParamError, Setting, SettingKind, Shown, settings};
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
}

impl KeptNeighbours {
    /// The first `k` neighbours of every point of `full`, with the points' class ids `labels`.
    pub fn of(full: &Neighbours, k: usize, labels: Option<&[u32]>) -> Self {
        let k = k.min(full.k());
        let indices = full.indices.outer_iter().flat_map(|row| row.iter().take(k).copied().collect::<Vec<_>>());
        Self { k, indices: indices.collect(), labels: labels.map(<[u32]>::to_vec) }
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
    }

    /// The lists as a points × k view, or `None` unless [`Self::is_valid`].
    pub fn view(&self) -> Option<ArrayView2<'_, u32>> {
        ArrayView2::from_shape((self.points(), self.k), &self.indices).ok().filter(|_| self.is_valid())
    }

    /// The first `k` neighbours of point `i`.
    pub fn of_point(&self, i: usize, k: usize) -> &[u32] {
        &self.indices[i * self.k..i * self.k + k.min(self.k)]
    }
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

    fn depth(p: &Params, _n: usize) -> usize {
        p.neighbourhood.k
    }

    fn estimate(
        p: &Params,
        lists: &Lists,
        _rows: &mut dyn Rows,
        _: &mut dyn Progress,
    ) -> Result<Option<KeptNeighbours>, EstimateError> {
        Ok(Some(KeptNeighbours::of(lists.full, p.neighbourhood.k, lists.labels.map(|l| l.ids))))
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
            KeptNeighbours { k: 0, indices: vec![], labels: None },
            KeptNeighbours { k: 2, indices: vec![1, 2, 0], labels: None },
            KeptNeighbours { k: 1, indices: vec![1, 0], labels: Some(vec![0]) },
        ] {
            assert!(!bad.is_valid(), "{bad:?}");
        }
    }
}
