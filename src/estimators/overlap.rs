//! Neighbourhood overlap with the labels, χ^gt (Doimo et al. 2020): the fraction of each point's
//! k nearest neighbours that share its label, averaged over the points — DADApy 0.3.4's
//! `return_label_overlap(labels, k, weighted)`. Weighted (DADApy's default), each point counts
//! inversely to its class's population, so every class weighs the same.
//!
//! It reads the whole-set neighbour lists the search keeps (no second search; N·k indices): ties
//! are ordered by row index there, as everywhere in idscope; with `duplicates: keep-one` a
//! duplicated row is one point (the first copy, with its label), with `keep` its copies are each
//! other's neighbours at distance 0, like any other neighbour.

use serde::{Deserialize, Serialize};

use crate::estimators::{Column, EstimateError, Estimator, Lists, Params, PointLabels, Rows};
use crate::knn::{MAX_K, Neighbours};
use crate::params::{ParamError, Setting, SettingKind, Shown, settings};
use crate::support::progress::Progress;

/// How the per-point overlaps are averaged.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "kebab-case")]
pub enum OverlapAverage {
    /// Each class weighs the same (points weighted by 1 / class size; DADApy's `weighted=True`).
    #[default]
    Class,
    /// Each point weighs the same (DADApy's `weighted=False`).
    Point,
}

settings! {
    /// The label overlap's parameters.
    pub struct OverlapParams {
        /// Compute it (on layers with labels).
        run as "overlap": bool = false,
        /// Neighbours per point compared with its label.
        k as "overlap_k": usize = 10,
        /// How the points' overlaps are averaged.
        average as "overlap_average": OverlapAverage = OverlapAverage::Class,
    }
}

/// χ^gt of a set of labelled points.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct LabelOverlap {
    /// Neighbours per point compared (the parameter, or N − 1 on fewer points).
    pub k: usize,
    /// How the points' overlaps were averaged.
    pub average: OverlapAverage,
    /// Points compared (with `duplicates: keep`, also those TwoNN leaves out for r₁ = 0).
    pub points: usize,
    /// χ^gt: the (weighted) mean over the points of the fraction of their neighbours that share
    /// their label.
    pub overlap: f64,
    /// The mean over each class's points, by class id.
    pub classes: Vec<ClassOverlap>,
}

/// χ^gt of one class's points (their neighbours among all points).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ClassOverlap {
    /// Class id.
    pub class: u32,
    /// Class name.
    pub name: String,
    /// Points of the class.
    pub points: usize,
    /// Mean fraction of their neighbours in the class.
    pub overlap: f64,
}

/// χ^gt on the whole-set neighbour lists, for layers with labels (`None` without).
pub struct OverlapEstimator;

impl Estimator for OverlapEstimator {
    type Output = Option<LabelOverlap>;
    type Params = OverlapParams;
    const NAME: &'static str = "the label overlap";
    const LABELS: bool = true;
    const SETTINGS: &'static [Setting] = &[
        Setting {
            name: "overlap",
            label: "label overlap χ",
            help: "With labels: the fraction of each point's k nearest neighbours that share its label (χ^gt)",
            kind: SettingKind::Check,
            shown: Shown::Both,
            alias: None,
        },
        Setting {
            name: "overlap_k",
            label: "overlap k",
            help: "Neighbours per point the label overlap compares",
            kind: SettingKind::Number { min: 1.0, max: Some(MAX_K as f64), step: 1.0, empty: None },
            shown: Shown::Both,
            alias: None,
        },
        Setting {
            name: "overlap_average",
            label: "overlap average",
            help: "Average of the label overlap: every class the same (DADApy's weighted), or every point",
            kind: SettingKind::Choice { options: &[("class", "per class"), ("point", "per point")] },
            shown: Shown::Both,
            alias: None,
        },
    ];

    fn check(p: &OverlapParams) -> Result<(), ParamError> {
        ParamError::unless((1..=MAX_K).contains(&p.k), "overlap_k", p.k as f64, "between 1 and 128")
    }

    fn depth(p: &Params) -> usize {
        p.overlap.k
    }

    fn estimate(
        p: &Params,
        lists: &Lists,
        _rows: &mut dyn Rows,
        _: &mut dyn Progress,
    ) -> Result<Option<LabelOverlap>, EstimateError> {
        Ok(lists.labels.map(|labels| label_overlap(lists.full, labels, p.overlap.k, p.overlap.average)))
    }

    const COLUMNS: &'static [Column] =
        &[Column { key: "label_overlap", header: Some("χ label"), value: "/overlap", spread: None, digits: 3 }];

    fn section(o: &Option<LabelOverlap>) -> Option<(String, Vec<String>)> {
        let o = o.as_ref()?;
        let mut lines = vec![format!("{:>24} {:>7} {:>8}", "class", "points", "overlap")];
        lines.extend(o.classes.iter().map(|c| format!("{:>24} {:>7} {:>8.4}", c.name, c.points, c.overlap)));
        Some((format!("Label overlap χ (k = {}, average per {:?}): {:.4}", o.k, o.average, o.overlap), lines))
    }
}

/// χ^gt of the points whose neighbour lists are `full` and labels `labels`, over their first
/// `k` neighbours (all of them when the lists are shorter).
pub fn label_overlap(full: &Neighbours, labels: PointLabels, k: usize, average: OverlapAverage) -> LabelOverlap {
    let k = k.min(full.k());
    let ids = labels.ids;
    let own: Vec<f64> = full
        .indices
        .outer_iter()
        .zip(ids)
        .map(|(row, &c)| row.iter().take(k).filter(|&&j| ids[j as usize] == c).count() as f64 / k.max(1) as f64)
        .collect();
    // The classes present, ascending (as usize: the sort the subsets use, no new one in the wasm).
    let mut present: Vec<usize> = ids.iter().map(|&c| c as usize).collect();
    present.sort_unstable();
    present.dedup();
    let slot: Vec<usize> = ids.iter().map(|&c| present.binary_search(&(c as usize)).unwrap_or(0)).collect();
    let mut count = vec![0usize; present.len()];
    let mut sum = vec![0.0f64; present.len()];
    for (&s, &o) in slot.iter().zip(&own) {
        (count[s], sum[s]) = (count[s] + 1, sum[s] + o);
    }
    let overlap = match average {
        OverlapAverage::Point => own.iter().sum::<f64>() / own.len().max(1) as f64,
        // np.average(overlaps, weights = 1 / the size of the point's class), summed in point order.
        OverlapAverage::Class => {
            let (num, den) = slot.iter().zip(&own).fold((0.0, 0.0), |(n, d), (&s, &o)| {
                let w = 1.0 / count[s] as f64;
                (n + w * o, d + w)
            });
            num / den
        }
    };
    let classes = present
        .iter()
        .zip(count.iter().zip(&sum))
        .map(|(&c, (&points, &sum))| {
            let class = c as u32;
            ClassOverlap { class, name: labels.name(class), points, overlap: sum / points as f64 }
        })
        .collect();
    LabelOverlap { k, average, points: ids.len(), overlap, classes }
}

#[cfg(test)]
mod tests {
    use ndarray::array;

    use super::*;

    fn names() -> Vec<String> {
        vec!["a".into(), "b".into()]
    }

    #[test]
    fn a_hand_computed_case_weighted_and_not() {
        // Points 0, 1, 2 of class 0 and 3 of class 1; two neighbours each.
        let full = Neighbours {
            indices: array![[1, 3], [0, 2], [1, 0], [2, 1]],
            distances: array![[1.0, 2.0], [1.0, 1.0], [1.0, 2.0], [1.0, 2.0]],
        };
        let ids = [0, 0, 0, 1];
        let names = names();
        let l = PointLabels { ids: &ids, names: &names };
        // Per point: 1/2, 1, 1, 0.
        let point = label_overlap(&full, l, 2, OverlapAverage::Point);
        assert_eq!(point.overlap, 2.5 / 4.0);
        // Per class: class 0 has mean 5/6, class 1 has 0: (5/6 + 0) / 2.
        let class = label_overlap(&full, l, 2, OverlapAverage::Class);
        assert!((class.overlap - 5.0 / 12.0).abs() < 1e-15, "{}", class.overlap);
        let c: Vec<(&str, usize, f64)> = class.classes.iter().map(|c| (c.name.as_str(), c.points, c.overlap)).collect();
        assert_eq!(c.len(), 2);
        assert_eq!((c[0].0, c[0].1, c[1].0, c[1].1, c[1].2), ("a", 3, "b", 1, 0.0));
        assert!((c[0].2 - 5.0 / 6.0).abs() < 1e-15);
        // k = 1: only the nearest (the first of each list, ties already ordered by index).
        assert_eq!(label_overlap(&full, l, 1, OverlapAverage::Point).overlap, 3.0 / 4.0);
        // A k beyond the lists uses all of them.
        assert_eq!(label_overlap(&full, l, 5, OverlapAverage::Point).k, 2);
    }

    #[test]
    fn its_k_is_checked_and_deepens_the_search() {
        let mut p = Params::default();
        (p.overlap.run, p.overlap.k) = (true, 40);
        assert_eq!(crate::estimators::depth(&p, 1000), 40);
        p.overlap.k = 0;
        assert_eq!(p.check().unwrap_err().to_string(), "overlap_k must be between 1 and 128, got 0");
    }
}
