//! Neighbourhood overlap with the labels, χ^gt (Doimo et al. 2020): the fraction of each point's
//! k nearest neighbours that share its label, averaged over the points — DADApy 0.3.4's
//! `return_label_overlap(labels, k, class_fraction, weighted)`. Weighted (DADApy's default), each
//! point counts inversely to its class's population, so every class weighs the same. With a class
//! fraction f, a point of a class of c points compares its max(1, ⌊c·f⌋) nearest neighbours
//! (DADApy's `int(count * class_fraction)`), so small classes are not swamped by large ones.
//!
//! Its error bar is the spread over the TwoNN repeats' random subsets, each searched alone (the
//! lists within a subset of at least half the points read off the whole-set lists, so no second
//! search but for the rare point whose lists hold too few of the subset's members; smaller
//! subsets are searched afresh).
//!
//! It reads the whole-set neighbour lists the search keeps (no second search; N·k indices): ties
//! are ordered by row index there, as everywhere in idscope; with `duplicates: keep-one` a
//! duplicated row is one point (the first copy, with its label), with `keep` its copies are each
//! other's neighbours at distance 0, like any other neighbour.

use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

use crate::estimators::{Column, EstimateError, Estimator, Lists, Params, PointLabels, Rows, twonn};
use crate::knn::{MAX_K, covered, covering_depth};
use crate::params::{ParamError, Setting, SettingKind, Shown, in_unit, settings};
use crate::support::progress::Progress;
use crate::support::stats::mean_std;

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
        /// Instead of `k`: this fraction of the point's class size (0 < f ≤ 1).
        class_fraction as "overlap_class_fraction": Option<f64> = None,
        /// How the points' overlaps are averaged.
        average as "overlap_average": OverlapAverage = OverlapAverage::Class,
    }
}

/// How many neighbours each point compares with its label.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Neighbourhood {
    /// The same k for every point (at most the lists' depth).
    Fixed(usize),
    /// max(1, ⌊c·f⌋) for a point of a class of c points.
    ClassFraction(f64),
}

/// χ^gt of a set of labelled points.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct LabelOverlap {
    /// Neighbours per point compared: the parameter, or N − 1 on fewer points; with a class
    /// fraction, the largest class's.
    pub k: usize,
    /// The class fraction the neighbourhoods were sized by (`None`: the fixed `k`).
    #[serde(default)]
    pub class_fraction: Option<f64>,
    /// How the points' overlaps were averaged.
    pub average: OverlapAverage,
    /// Points compared (with `duplicates: keep`, also those TwoNN leaves out for r₁ = 0).
    pub points: usize,
    /// χ^gt: the (weighted) mean over the points of the fraction of their neighbours that share
    /// their label.
    pub overlap: f64,
    /// The mean over each class's points, by class id.
    pub classes: Vec<ClassOverlap>,
    /// Its mean and spread over the TwoNN repeats' random subsets (absent when `repeats` = 0).
    #[serde(default)]
    pub repeats: Option<Spread>,
}

/// An overlap's mean and standard deviation over random subsets of the points, each subset's
/// neighbours found among its own points: the error bar.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub struct Spread {
    /// Number of subsets.
    pub repeats: usize,
    /// Size of each subset as a fraction of the points.
    pub fraction: f64,
    /// Mean over the subsets.
    pub mean: f64,
    /// Standard deviation (ddof = 0) over the subsets.
    pub std: f64,
}

impl Spread {
    /// The spread of `values`, one per subset of `fraction` of the points; `None` for none.
    pub fn of(values: &[f64], fraction: f64) -> Option<Self> {
        if values.is_empty() {
            return None;
        }
        let (mean, std) = mean_std(values);
        Some(Self { repeats: values.len(), fraction, mean, std })
    }
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
    /// Neighbours each of its points compared.
    #[serde(default)]
    pub k: usize,
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
    const PER_CLASS: bool = false;
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
            name: "overlap_class_fraction",
            label: "overlap class fraction",
            help: "Instead of overlap_k: each point compares max(1, ⌊c·f⌋) neighbours, c its class size (DADApy's class_fraction)",
            kind: SettingKind::Number { min: 0.01, max: Some(1.0), step: 0.01, empty: Some("fixed k") },
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
        ParamError::unless((1..=MAX_K).contains(&p.k), "overlap_k", p.k as f64, "between 1 and 128")?;
        match p.class_fraction {
            Some(f) => ParamError::unless(in_unit(f), "overlap_class_fraction", f, "in (0, 1]"),
            None => Ok(()),
        }
    }

    /// With a class fraction f, ⌊n·f⌋ (no class of the n points needs more), at most [`MAX_K`];
    /// with error bars, deep enough for the subsets' k to be read off the lists.
    fn depth(p: &Params, n: usize) -> usize {
        let own = own_depth(p, n);
        match error_bars(p, n) {
            Some(k) => own.max(covering_depth(k, p.twonn.subset_fraction)),
            None => own,
        }
    }

    /// The TwoNN repeats' subsets, for the error bar.
    fn subsets(p: &Params, n: usize) -> Vec<Vec<usize>> {
        match error_bars(p, n) {
            Some(_) => twonn::repeat_subsets(n, p.twonn.repeats, p.twonn.subset_fraction, p.seed),
            None => Vec::new(),
        }
    }

    /// As deep as on the whole set (a class fraction sizes it by the subset).
    fn within_depth(p: &Params, n: usize) -> usize {
        own_depth(p, n).min(n.saturating_sub(1))
    }

    fn estimate(
        p: &Params,
        lists: &Lists,
        _rows: &mut dyn Rows,
        _: &mut dyn Progress,
    ) -> Result<Option<LabelOverlap>, EstimateError> {
        let size = match p.overlap.class_fraction {
            Some(f) => Neighbourhood::ClassFraction(f),
            None => Neighbourhood::Fixed(p.overlap.k),
        };
        let Some(labels) = lists.labels else { return Ok(None) };
        let average = p.overlap.average;
        let each = lists
            .subsets
            .iter()
            .zip(lists.within)
            .map(|(members, within)| subset_overlap(members, within.indices.view(), labels.ids, size, average))
            .collect::<Result<Vec<f64>, EstimateError>>()?;
        let whole = label_overlap(lists.full.indices.view(), labels, size, average)?;
        Ok(Some(LabelOverlap { repeats: Spread::of(&each, p.twonn.subset_fraction), ..whole }))
    }

    const COLUMNS: &'static [Column] = &[
        Column {
            key: "label_overlap",
            header: Some("χ label"),
            value: "/overlap",
            spread: Some("/repeats/std"),
            digits: 3,
        },
        Column { key: "label_overlap_std", header: None, value: "/repeats/std", spread: None, digits: 3 },
    ];

    fn section(o: &Option<LabelOverlap>) -> Option<(String, Vec<String>)> {
        let o = o.as_ref()?;
        let mut lines = vec![format!("{:>24} {:>7} {:>4} {:>8}", "class", "points", "k", "overlap")];
        lines.extend(o.classes.iter().map(|c| format!("{:>24} {:>7} {:>4} {:>8.4}", c.name, c.points, c.k, c.overlap)));
        let k = match o.class_fraction {
            Some(f) => format!("k = {f} of each class"),
            None => format!("k = {}", o.k),
        };
        let spread = o.repeats.map(|r| format!(" ± {:.4} (std over {} subsets)", r.std, r.repeats)).unwrap_or_default();
        Some((format!("Label overlap χ ({k}, average per {:?}): {:.4}{spread}", o.average, o.overlap), lines))
    }
}

/// Neighbours per point χ^gt compares on `n` points: k, or with a class fraction f the largest
/// class's ⌊n·f⌋ at most (no class needs more), at most [`MAX_K`].
fn own_depth(p: &Params, n: usize) -> usize {
    match p.overlap.class_fraction {
        Some(f) => p.overlap.k.max(((n as f64 * f) as usize).min(MAX_K)),
        None => p.overlap.k,
    }
}

/// Neighbours per point χ^gt compares within each error-bar subset of `n` points, when it gets
/// error bars: with TwoNN's repeats, and a depth the whole-set search can serve ([`covered`]: up
/// to 97 at subsets of 90 %).
fn error_bars(p: &Params, n: usize) -> Option<usize> {
    let t = &p.twonn;
    let k = own_depth(p, (t.subset_fraction * n as f64).round() as usize);
    (t.repeats > 0 && covered(k, t.subset_fraction) == k).then_some(k)
}

/// χ^gt of the subset `members` of points labelled `ids` from its own neighbour lists `lists`
/// (indices local to the subset): one error-bar subset's value.
pub fn subset_overlap(
    members: &[usize],
    lists: ArrayView2<u32>,
    ids: &[u32],
    size: Neighbourhood,
    average: OverlapAverage,
) -> Result<f64, EstimateError> {
    let local: Vec<u32> = members.iter().map(|&i| ids[i]).collect();
    Ok(label_overlap(lists, PointLabels { ids: &local, names: &[] }, size, average)?.overlap)
}

/// χ^gt of the points whose neighbour lists (their indices, points × searched) are `lists` and
/// labels `labels`, each over its first neighbours as `size` says. A fixed k beyond the lists
/// uses all of them; a class's k beyond them is refused, unless the lists already hold every
/// other point.
pub fn label_overlap(
    lists: ArrayView2<u32>,
    labels: PointLabels,
    size: Neighbourhood,
    average: OverlapAverage,
) -> Result<LabelOverlap, EstimateError> {
    let ids = labels.ids;
    // The classes present, ascending (as usize: the sort the subsets use, no new one in the wasm).
    let mut present: Vec<usize> = ids.iter().map(|&c| c as usize).collect();
    present.sort_unstable();
    present.dedup();
    let slot: Vec<usize> = ids.iter().map(|&c| present.binary_search(&(c as usize)).unwrap_or(0)).collect();
    let mut count = vec![0usize; present.len()];
    for &s in &slot {
        count[s] += 1;
    }
    let searched = lists.ncols();
    let all_others = searched + 1 >= ids.len();
    let class_k = count
        .iter()
        .zip(&present)
        .map(|(&c, &class)| match size {
            Neighbourhood::Fixed(k) => Ok(k.min(searched)),
            Neighbourhood::ClassFraction(f) => match ((c as f64 * f) as usize).max(1) {
                k if k <= searched => Ok(k),
                _ if all_others => Ok(searched),
                k => Err(EstimateError::OverlapDepth { class: labels.name(class as u32), k, searched }),
            },
        })
        .collect::<Result<Vec<usize>, _>>()?;
    let own: Vec<f64> = lists
        .outer_iter()
        .zip(ids.iter().zip(&slot))
        .map(|(row, (&c, &s))| {
            let k = class_k[s];
            row.iter().take(k).filter(|&&j| ids[j as usize] == c).count() as f64 / k.max(1) as f64
        })
        .collect();
    let mut sum = vec![0.0f64; present.len()];
    for (&s, &o) in slot.iter().zip(&own) {
        sum[s] += o;
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
        .zip(count.iter().zip(sum.iter().zip(&class_k)))
        .map(|(&c, (&points, (&sum, &k)))| {
            let class = c as u32;
            ClassOverlap { class, name: labels.name(class), points, k, overlap: sum / points as f64 }
        })
        .collect();
    let k = class_k.iter().copied().max().unwrap_or(0);
    let class_fraction = match size {
        Neighbourhood::ClassFraction(f) => Some(f),
        Neighbourhood::Fixed(_) => None,
    };
    Ok(LabelOverlap { k, class_fraction, average, points: ids.len(), overlap, classes, repeats: None })
}

#[cfg(test)]
mod tests {
    use ndarray::array;

    use crate::knn::Neighbours;

    use super::*;

    use Neighbourhood::{ClassFraction, Fixed};
    use OverlapAverage::{Class, Point};

    fn overlap(full: &Neighbours, l: PointLabels, size: Neighbourhood, average: OverlapAverage) -> LabelOverlap {
        label_overlap(full.indices.view(), l, size, average).unwrap()
    }

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
        let point = overlap(&full, l, Fixed(2), Point);
        assert_eq!(point.overlap, 2.5 / 4.0);
        // Per class: class 0 has mean 5/6, class 1 has 0: (5/6 + 0) / 2.
        let class = overlap(&full, l, Fixed(2), Class);
        assert!((class.overlap - 5.0 / 12.0).abs() < 1e-15, "{}", class.overlap);
        let c: Vec<(&str, usize, f64)> = class.classes.iter().map(|c| (c.name.as_str(), c.points, c.overlap)).collect();
        assert_eq!(c.len(), 2);
        assert_eq!((c[0].0, c[0].1, c[1].0, c[1].1, c[1].2), ("a", 3, "b", 1, 0.0));
        assert!((c[0].2 - 5.0 / 6.0).abs() < 1e-15);
        // k = 1: only the nearest (the first of each list, ties already ordered by index).
        assert_eq!(overlap(&full, l, Fixed(1), Point).overlap, 3.0 / 4.0);
        // A k beyond the lists uses all of them.
        assert_eq!(overlap(&full, l, Fixed(5), Point).k, 2);
    }

    #[test]
    fn a_class_fraction_sizes_each_class_neighbourhood() {
        // Class 0: points 0–3, class 1: points 4, 5; two neighbours each, of six points.
        let full = Neighbours {
            indices: array![[1, 4], [0, 2], [4, 3], [2, 5], [5, 0], [3, 4]],
            distances: array![[1.0, 2.0], [1.0, 2.0], [1.0, 2.0], [1.0, 2.0], [1.0, 2.0], [1.0, 2.0]],
        };
        let ids = [0, 0, 0, 0, 1, 1];
        let names = names();
        let l = PointLabels { ids: &ids, names: &names };
        // f = 0.5: class 0 compares ⌊4·0.5⌋ = 2 neighbours (1/2, 1, 1/2, 1/2), class 1 ⌊2·0.5⌋ = 1 (1, 0).
        let point = overlap(&full, l, ClassFraction(0.5), Point);
        assert!((point.overlap - 3.5 / 6.0).abs() < 1e-15, "{}", point.overlap);
        let class = overlap(&full, l, ClassFraction(0.5), Class);
        assert!((class.overlap - (0.625 + 0.5) / 2.0).abs() < 1e-15, "{}", class.overlap);
        let ks: Vec<(usize, f64)> = class.classes.iter().map(|c| (c.k, c.overlap)).collect();
        assert_eq!(ks, [(2, 0.625), (1, 0.5)]);
        assert_eq!((class.k, class.class_fraction), (2, Some(0.5)));
        // ⌊c·f⌋ = 0 becomes 1, as in DADApy.
        let tiny = overlap(&full, l, ClassFraction(0.1), Point);
        assert_eq!(tiny.classes.iter().map(|c| c.k).collect::<Vec<_>>(), [1, 1]);
        // Four neighbours of class 0 are more than the lists hold: refused, naming the class.
        let err = label_overlap(full.indices.view(), l, ClassFraction(1.0), Point).unwrap_err();
        assert_eq!(err, EstimateError::OverlapDepth { class: "a".into(), k: 4, searched: 2 });
        assert!(err.to_string().contains("class a needs 4 neighbours"), "{err}");
    }

    #[test]
    fn a_class_fraction_beyond_lists_of_every_other_point_uses_them_all() {
        let full = Neighbours {
            indices: array![[1, 2], [0, 2], [0, 1]],
            distances: array![[1.0, 2.0], [1.0, 2.0], [1.0, 2.0]],
        };
        let ids = [0, 0, 0];
        let names = names();
        let l = PointLabels { ids: &ids, names: &names };
        let o = overlap(&full, l, ClassFraction(1.0), Point);
        assert_eq!((o.k, o.overlap), (2, 1.0));
    }

    #[test]
    fn its_k_and_class_fraction_are_checked_and_deepen_the_search() {
        let mut p = Params::default();
        (p.overlap.run, p.overlap.k, p.twonn.repeats) = (true, 40, 0);
        let depth = |p: &Params, n| crate::estimators::depth(p, n);
        assert_eq!(depth(&p, 1000), 40);
        // With error bars, deep enough for 40 members of a 90 % subset: ⌈40/0.9 + 5·√4/0.9 + 2⌉.
        p.twonn.repeats = 20;
        assert_eq!(depth(&p, 1000), 58);
        assert_eq!(crate::knn::covered(MAX_K, 0.9), 97, "error bars up to k = 97");
        p.overlap.k = 98;
        assert_eq!((depth(&p, 1000), OverlapEstimator::subsets(&p, 1000).len()), (98, 0));
        p.overlap.k = 40;
        p.overlap.class_fraction = Some(0.1);
        // A subset's largest class compares at most ⌊900·0.1⌋ = 90: covered from 119 deep.
        assert_eq!(depth(&p, 1000), 119);
        assert_eq!(OverlapEstimator::within_depth(&p, 900), 90);
        p.twonn.repeats = 0;
        assert_eq!(depth(&p, 1000), 100);
        assert_eq!(depth(&p, 100_000), MAX_K);
        assert_eq!(depth(&p, 200), 40);
        p.overlap.class_fraction = Some(1.5);
        assert_eq!(p.clone().check().unwrap_err().to_string(), "overlap_class_fraction must be in (0, 1], got 1.5");
        (p.overlap.class_fraction, p.overlap.k) = (None, 0);
        assert_eq!(p.check().unwrap_err().to_string(), "overlap_k must be between 1 and 128, got 0");
    }
}
