//! Neighbourhood overlaps between representations of the same points (Doimo et al. 2020; DADApy
//! 0.3.4's `return_data_overlap`): χ(A, B) is the mean over the points of the fraction of their k
//! nearest neighbours in A that are among their k nearest in B. Read from each layer's kept
//! neighbourhoods (`crate::estimators::neighbourhood`), for every pair of layers of a model
//! (χ^out: each layer against the last, and against the first), and for the layers of two models
//! on the same inputs (the mutual k-NN alignment of Huh et al. 2024). Layers whose points do not
//! correspond are refused with a note saying why. The information imbalances of each layer with
//! the last and the first (Glielmo et al. 2022) come from exact rank passes over the layers' rows:
//! [`rank_passes`] says which each model needs, its [`LayerRanks`] hold their lists. The error
//! bars of χ^gt, χ^out and χ^in come from [`spread`].

mod spread;

use std::collections::BTreeMap;

use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

pub use spread::SpreadMemo;
use spread::spreads;

use crate::estimators::PointLabels;
use crate::estimators::neighbourhood::KeptNeighbours;
use crate::estimators::overlap::{Neighbourhood, OverlapAverage, label_overlap};
use crate::results::LayerResult;

/// Neighbours per point compared when none is asked for.
pub const DEFAULT_K: usize = 10;

/// Which rows of its file a layer's points are: layers compare when these agree.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PointRows {
    /// Rows in the file.
    pub n_input: usize,
    /// Rows dropped for NaN/±Inf.
    pub non_finite_dropped: usize,
    /// Rows left out by the subsample to `max_points`.
    pub subsampled_out: usize,
    /// Rows removed as copies of earlier rows (`duplicates: keep-one`).
    pub duplicates_dropped: usize,
}

/// One layer as the overlaps read it.
#[derive(Deserialize, Debug, Clone, PartialEq)]
pub struct LayerNeighbourhood {
    /// Layer name.
    pub name: String,
    /// Which rows its points are.
    pub rows: PointRows,
    /// Its kept neighbourhoods (None: not kept, or not computed yet).
    #[serde(default)]
    pub neighbourhood: Option<KeptNeighbours>,
    /// Its overlap with the labels χ^gt, when computed (by the estimator, at its own k).
    #[serde(default)]
    pub label_overlap: Option<f64>,
    /// How that overlap averages the points: χ with the labels at another k is averaged so too.
    #[serde(default)]
    pub label_average: OverlapAverage,
    /// That overlap's spread over the random subsets, when computed.
    #[serde(default)]
    pub label_std: Option<f64>,
}

impl From<&LayerResult> for LayerNeighbourhood {
    fn from(l: &LayerResult) -> Self {
        let rows = PointRows {
            n_input: l.n_input,
            non_finite_dropped: l.non_finite_dropped,
            subsampled_out: l.subsampled_out,
            duplicates_dropped: l.estimates.duplicates.dropped,
        };
        let e = &l.estimates;
        Self {
            name: l.name.clone(),
            rows,
            neighbourhood: e.neighbourhood.clone(),
            label_overlap: e.overlap.as_ref().map(|o| o.overlap),
            label_average: e.overlap.as_ref().map(|o| o.average).unwrap_or_default(),
            label_std: e.overlap.as_ref().and_then(|o| o.repeats).map(|r| r.std),
        }
    }
}

/// One model's shown layers, in display order.
#[derive(Deserialize, Debug, Clone, PartialEq)]
pub struct ModelNeighbourhoods {
    /// Model name.
    pub model: String,
    /// The seed its subsample was drawn with.
    pub seed: u32,
    /// Its layers.
    pub layers: Vec<LayerNeighbourhood>,
    /// The rank passes' lists computed so far (the imbalances read them).
    #[serde(default)]
    pub ranks: Vec<LayerRanks>,
}

/// The ranks, in the rows of one layer of a model, of the nearest neighbours of another layer's
/// points: one list of a rank pass (`crate::knn::ranks`).
#[derive(Deserialize, Debug, Clone, PartialEq)]
pub struct LayerRanks {
    /// The ranking layer's display position.
    pub layer: usize,
    /// The display position of the layer whose nearest neighbours are ranked.
    pub target: usize,
    /// One rank per point.
    pub ranks: Vec<u32>,
}

/// A rank pass a model's imbalances need: its layer `layer` ranks the nearest neighbours of the
/// layers `targets` (display positions); `missing` are those not yet among its ranks.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct RankPass {
    /// The model's position among those compared.
    pub model: usize,
    /// The ranking layer's display position.
    pub layer: usize,
    /// The layers whose nearest neighbours it ranks.
    pub targets: Vec<usize>,
    /// Those of `targets` whose ranks are not given yet.
    pub missing: Vec<usize>,
}

/// χ^gt, χ^out and χ^in of one layer.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct ProfilePoint {
    /// Layer name.
    pub layer: String,
    /// Display position.
    pub position: usize,
    /// Position / (shown layers − 1).
    pub relative_depth: f64,
    /// Overlap with the labels, χ^gt.
    pub label: Option<f64>,
    /// Overlap with the model's last layer, χ^out.
    pub output: Option<f64>,
    /// Overlap with the model's first layer (its input).
    pub input: Option<f64>,
    /// The standard deviations of χ^gt, χ^out and χ^in over the random subsets (the error bars).
    #[serde(default)]
    pub label_std: Option<f64>,
    /// Of χ^out.
    #[serde(default)]
    pub output_std: Option<f64>,
    /// Of χ^in.
    #[serde(default)]
    pub input_std: Option<f64>,
    /// Information imbalances with the last and the first layer, when computed.
    #[serde(default)]
    pub imbalance: Option<Imbalances>,
}

/// The information imbalances of a layer with its model's last layer and first layer:
/// Δ(A→B) = 2/N · mean over the points of the rank in B of their nearest neighbour in A (0: A's
/// neighbourhoods predict B's; about 1: they say nothing of them).
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq)]
pub struct Imbalances {
    /// Δ(layer → last layer).
    pub to_output: f64,
    /// Δ(last layer → layer).
    pub from_output: f64,
    /// Δ(layer → first layer).
    pub to_input: f64,
    /// Δ(first layer → layer).
    pub from_input: f64,
}

/// One model's overlap profile, layer by layer.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct OverlapProfile {
    /// Model name.
    pub model: String,
    /// Its layers.
    pub layers: Vec<ProfilePoint>,
}

/// χ between every layer of model `a` (rows) and every layer of model `b` (columns).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct OverlapMatrix {
    /// Model of the rows.
    pub a: String,
    /// Model of the columns (`a` itself for a layer × layer matrix).
    pub b: String,
    /// Its layers' names.
    pub rows: Vec<String>,
    /// Their layers' names.
    pub cols: Vec<String>,
    /// `values[i][j]` = χ(row i, column j); None where a layer has no neighbourhoods or the points
    /// differ.
    pub values: Vec<Vec<Option<f64>>>,
}

/// Every overlap between representations of the models compared.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Neighbourhoods {
    /// Neighbours per point compared.
    pub k: usize,
    /// The random subsets the error bars are over (0: none).
    #[serde(default)]
    pub repeats: usize,
    /// Each subset's size as a fraction of the points.
    #[serde(default)]
    pub subset_fraction: f64,
    /// Per model: χ^gt, χ^out, χ^in by layer.
    pub profiles: Vec<OverlapProfile>,
    /// Per model its layer × layer matrix, then per pair of models theirs.
    pub matrices: Vec<OverlapMatrix>,
    /// Why some pairs of layers could not be compared.
    pub notes: Vec<String>,
}

/// χ(A, B) over each point's first `k` neighbours (both hold at least `k`, for the same points).
pub fn data_overlap(a: &KeptNeighbours, b: &KeptNeighbours, k: usize) -> f64 {
    match (a.view(), b.view()) {
        (Some(a), Some(b)) => shared_fraction(a, b, k),
        _ => f64::NAN,
    }
}

/// The mean fraction of shared neighbours among the first `k` of each row of `a` and `b`
/// (points × at least `k`, indices of the same points).
fn shared_fraction(a: ArrayView2<u32>, b: ArrayView2<u32>, k: usize) -> f64 {
    let n = a.nrows();
    let k = k.min(a.ncols()).min(b.ncols());
    // mark[j] == i + 1: j is among point i's neighbours in B.
    let mut mark = vec![0u32; n];
    let mut shared = 0usize;
    for (i, (ra, rb)) in a.outer_iter().zip(b.outer_iter()).enumerate() {
        let stamp = i as u32 + 1;
        for &j in rb.iter().take(k) {
            mark[j as usize] = stamp;
        }
        shared += ra.iter().take(k).filter(|&&j| mark[j as usize] == stamp).count();
    }
    shared as f64 / (n * k).max(1) as f64
}

/// Why layers `a` and `b` (named for the note) cannot be compared, if they cannot.
fn mismatch(a: (&str, &PointRows, u32), b: (&str, &PointRows, u32)) -> Option<String> {
    let ((na, ra, sa), (nb, rb, sb)) = (a, b);
    let why = if ra.n_input != rb.n_input {
        format!("{na} has {} rows, {nb} {}", ra.n_input, rb.n_input)
    } else if ra.non_finite_dropped + rb.non_finite_dropped > 0 {
        let (name, r) = if ra.non_finite_dropped > 0 { (na, ra) } else { (nb, rb) };
        format!("{name} lost {} rows with NaN/Inf", r.non_finite_dropped)
    } else if ra.duplicates_dropped + rb.duplicates_dropped > 0 {
        let (name, r) = if ra.duplicates_dropped > 0 { (na, ra) } else { (nb, rb) };
        format!("{name} had {} duplicate rows removed (duplicates: keep-one; use keep)", r.duplicates_dropped)
    } else if ra.subsampled_out != rb.subsampled_out || (ra.subsampled_out > 0 && sa != sb) {
        format!("{na} and {nb} are different subsamples")
    } else {
        return None;
    };
    Some(format!("{na} × {nb}: {why}, so their points do not correspond"))
}

/// χ with the labels of layer `l` over `k` neighbours, from its kept lists and labels.
fn label_at(l: &LayerNeighbourhood, k: usize) -> Option<f64> {
    let kept = lists_of(l)?;
    let ids = kept.labels.as_deref()?;
    let labels = PointLabels { ids, names: &[] };
    label_overlap(kept.view_checked()?, labels, Neighbourhood::Fixed(k), l.label_average).ok().map(|o| o.overlap)
}

/// A layer's kept neighbourhoods, if they are lists of its points.
fn valid(l: &LayerNeighbourhood) -> Option<&KeptNeighbours> {
    l.neighbourhood.as_ref().filter(|n| n.is_valid())
}

/// A checked layer's kept neighbourhoods (see [`checked`]).
fn lists_of(l: &LayerNeighbourhood) -> Option<&KeptNeighbours> {
    l.neighbourhood.as_ref()
}

/// `models` with every layer's kept neighbourhoods checked once ([`KeptNeighbours::is_valid`]:
/// a pass over all of them), those that are not lists of its points left out with a note (only
/// the error bars' part, when that alone is malformed).
fn checked(models: &[ModelNeighbourhoods]) -> (Vec<ModelNeighbourhoods>, Vec<String>) {
    let mut notes = Vec::new();
    let mut out = models.to_vec();
    for l in out.iter_mut().flat_map(|m| &mut m.layers) {
        let Some(n) = l.neighbourhood.as_mut().filter(|n| !n.is_valid()) else { continue };
        n.deeper = None;
        if n.is_valid() {
            notes.push(format!("{}: its kept subsets for the error bars are malformed, left out", l.name));
        } else {
            notes.push(format!("{}: its kept neighbourhoods are not lists of its points, left out", l.name));
            l.neighbourhood = None;
        }
    }
    (out, notes)
}

/// The overlaps of `models` (hidden ones left out by the caller) over `k` neighbours per point
/// (default [`DEFAULT_K`]; at most the fewest any layer kept).
pub fn neighbourhoods(models: &[ModelNeighbourhoods], k: Option<usize>) -> Neighbourhoods {
    neighbourhoods_with(models, k, &mut SpreadMemo::default())
}

/// [`neighbourhoods`], with the error bars `memo` already knows from an earlier call.
pub fn neighbourhoods_with(models: &[ModelNeighbourhoods], k: Option<usize>, memo: &mut SpreadMemo) -> Neighbourhoods {
    let (models, mut notes) = checked(models);
    let models = &models[..];
    let kept = models.iter().flat_map(|m| &m.layers).filter_map(lists_of).map(|n| n.k).min();
    let k = k.unwrap_or(DEFAULT_K).min(kept.unwrap_or(DEFAULT_K)).max(1);
    let mut chi =
        |ma: &ModelNeighbourhoods, a: &LayerNeighbourhood, mb: &ModelNeighbourhoods, b: &LayerNeighbourhood| {
            let (la, lb) = (lists_of(a)?, lists_of(b)?);
            let name = |m: &ModelNeighbourhoods, l: &LayerNeighbourhood| {
                if models.len() > 1 { format!("{} {}", m.model, l.name) } else { l.name.clone() }
            };
            let (na, nb) = (name(ma, a), name(mb, b));
            if let Some(why) = mismatch((&na, &a.rows, ma.seed), (&nb, &b.rows, mb.seed)) {
                if !notes.contains(&why) {
                    notes.push(why);
                }
                return None;
            }
            if la.points() != lb.points() {
                notes.push(format!("{na} × {nb}: {} and {} points kept", la.points(), lb.points()));
                return None;
            }
            Some(shared_fraction(la.view_checked()?, lb.view_checked()?, k))
        };
    let mut matrices = Vec::new();
    for (i, ma) in models.iter().enumerate() {
        for (j, mb) in models.iter().enumerate().skip(i) {
            // A model's own matrix is symmetric: its lower half is the upper half mirrored.
            let mut values = vec![vec![None; mb.layers.len()]; ma.layers.len()];
            for (r, a) in ma.layers.iter().enumerate() {
                for (c, b) in mb.layers.iter().enumerate() {
                    values[r][c] = if i == j && c < r { values[c][r] } else { chi(ma, a, mb, b) };
                }
            }
            let names = |m: &ModelNeighbourhoods| m.layers.iter().map(|l| l.name.clone()).collect();
            matrices.push(OverlapMatrix {
                a: ma.model.clone(),
                b: mb.model.clone(),
                rows: names(ma),
                cols: names(mb),
                values,
            });
        }
    }
    let profiles = models
        .iter()
        .zip(matrices.iter().filter(|m| m.a == m.b))
        .map(|(m, own)| {
            let last = m.layers.len().saturating_sub(1);
            let spreads = spreads(m, k, memo);
            let layers =
                m.layers.iter().zip(spreads).enumerate().map(|(position, (l, [label_std, output_std, input_std]))| {
                    let label = label_at(l, k);
                    ProfilePoint {
                        layer: l.name.clone(),
                        position,
                        relative_depth: position as f64 / last.max(1) as f64,
                        label: label.or(l.label_overlap),
                        output: own.values[position][last],
                        input: own.values[position][0],
                        // The estimator's own error bar goes with its value, at its own k.
                        label_std: match label {
                            Some(_) => label_std,
                            None => l.label_std.filter(|_| l.label_overlap.is_some()),
                        },
                        output_std: output_std.filter(|_| own.values[position][last].is_some()),
                        input_std: input_std.filter(|_| own.values[position][0].is_some()),
                        imbalance: imbalances(m, position),
                    }
                });
            OverlapProfile { model: m.model.clone(), layers: layers.collect() }
        })
        .collect();
    memo.forget_unseen();
    let draw = models.iter().flat_map(|m| &m.layers).filter_map(lists_of).find_map(|n| n.deeper.as_ref());
    let (repeats, subset_fraction) = draw.map_or((0, 0.0), |d| (d.repeats, d.fraction));
    Neighbourhoods { k, repeats, subset_fraction, profiles, matrices, notes }
}

/// Each point's nearest neighbour (the first of its kept neighbours).
pub fn nearest(l: &KeptNeighbours) -> Vec<u32> {
    l.indices.iter().step_by(l.k.max(1)).copied().collect()
}

/// Whether layers `a` and `b` of `m` (display positions) hold lists of the same points.
fn correspond(m: &ModelNeighbourhoods, a: usize, b: usize) -> bool {
    let (la, lb) = (&m.layers[a], &m.layers[b]);
    lists_of(la).zip(lists_of(lb)).is_some_and(|(x, y)| x.points() == y.points())
        && mismatch((&la.name, &la.rows, m.seed), (&lb.name, &lb.rows, m.seed)).is_none()
}

/// The rank passes the imbalances of `models` need, one per ranking layer: every layer ranks the
/// nearest neighbours of the last layer and of the first, and those two rank every layer's (their
/// own too), wherever the points correspond.
pub fn rank_passes(models: &[ModelNeighbourhoods]) -> Vec<RankPass> {
    let (models, _) = checked(models);
    let mut passes = Vec::new();
    for (model, m) in models.iter().enumerate() {
        let Some(last) = m.layers.len().checked_sub(1) else { continue };
        let mut by_layer: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for i in 0..m.layers.len() {
            for end in [0, last] {
                if correspond(m, i, end) {
                    by_layer.entry(end).or_default().push(i);
                    by_layer.entry(i).or_default().push(end);
                }
            }
        }
        for (layer, mut targets) in by_layer {
            targets.sort_unstable();
            targets.dedup();
            let missing = targets.iter().copied().filter(|&t| ranked(m, layer, t).is_none()).collect();
            passes.push(RankPass { model, layer, targets, missing });
        }
    }
    passes
}

/// The lists rank pass `pass` of model `m` ranks: each point's nearest neighbour in each target.
pub fn pass_targets(m: &ModelNeighbourhoods, pass: &RankPass) -> Vec<Vec<u32>> {
    pass.targets.iter().filter_map(|&t| m.layers.get(t).and_then(valid).map(nearest)).collect()
}

/// The ranks in layer `layer` of `m` of layer `target`'s nearest neighbours, if given for its points.
fn ranked(m: &ModelNeighbourhoods, layer: usize, target: usize) -> Option<&[u32]> {
    let points = m.layers.get(layer).and_then(lists_of)?.points();
    let r = m.ranks.iter().find(|r| r.layer == layer && r.target == target && r.ranks.len() == points)?;
    Some(&r.ranks)
}

/// Δ from the ranks in B of the points' nearest neighbours in A: 2/N · their mean.
pub fn imbalance(ranks: &[u32]) -> f64 {
    let n = ranks.len() as f64;
    2.0 * ranks.iter().map(|&r| r as f64).sum::<f64>() / (n * n)
}

/// The imbalances of layer `i` of `m` with its last and first layer from the ranks given (NaN
/// where one is missing; None when all are).
fn imbalances(m: &ModelNeighbourhoods, i: usize) -> Option<Imbalances> {
    let last = m.layers.len().checked_sub(1)?;
    let at = |layer, target| ranked(m, layer, target).map(imbalance);
    let all = [at(last, i), at(i, last), at(0, i), at(i, 0)];
    all.iter().any(Option::is_some).then(|| {
        let [to_output, from_output, to_input, from_input] = all.map(|v| v.unwrap_or(f64::NAN));
        Imbalances { to_output, from_output, to_input, from_input }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kept(k: usize, indices: &[u32]) -> KeptNeighbours {
        KeptNeighbours { k, indices: indices.to_vec(), labels: None, deeper: None }
    }

    fn layer(name: &str, n: KeptNeighbours) -> LayerNeighbourhood {
        let rows = PointRows { n_input: n.points(), ..PointRows::default() };
        LayerNeighbourhood {
            name: name.into(),
            rows,
            neighbourhood: Some(n),
            label_overlap: None,
            label_average: OverlapAverage::Class,
            label_std: None,
        }
    }

    #[test]
    fn a_hand_computed_overlap() {
        // Four points, two neighbours each: shared 2, 1, 1, 1 of 2.
        let a = kept(2, &[1, 2, 0, 2, 0, 1, 2, 1]);
        let b = kept(2, &[2, 1, 3, 0, 3, 0, 0, 2]);
        assert_eq!(data_overlap(&a, &b, 2), 5.0 / 8.0);
        assert_eq!(data_overlap(&b, &a, 2), 5.0 / 8.0);
        // k = 1: only the nearest, never the same (1 ≠ 2, 0 ≠ 3, 0 ≠ 3, 2 ≠ 0).
        assert_eq!(data_overlap(&a, &b, 1), 0.0);
        assert_eq!(data_overlap(&a, &a, 2), 1.0);
    }

    #[test]
    fn profiles_and_matrices_and_why_layers_do_not_compare() {
        let a = kept(2, &[1, 2, 0, 2, 0, 1, 2, 1]);
        let b = kept(2, &[2, 1, 3, 0, 3, 0, 0, 2]);
        let mut short = layer("short", kept(2, &[1, 2, 0, 2, 0, 1]));
        short.rows.n_input = 3;
        let mut deduped = layer("deduped", a.clone());
        deduped.rows.duplicates_dropped = 1;
        let m = ModelNeighbourhoods {
            model: "m".into(),
            seed: 0,
            layers: vec![layer("in", a.clone()), layer("mid", b), layer("out", a)],
            ranks: Vec::new(),
        };
        let other = ModelNeighbourhoods { model: "o".into(), seed: 0, layers: vec![short, deduped], ranks: Vec::new() };
        let r = neighbourhoods(std::slice::from_ref(&m), None);
        assert_eq!(r.k, 2);
        let p: Vec<(Option<f64>, Option<f64>)> = r.profiles[0].layers.iter().map(|l| (l.input, l.output)).collect();
        assert_eq!(p, [(Some(1.0), Some(1.0)), (Some(0.625), Some(0.625)), (Some(1.0), Some(1.0))]);
        assert_eq!(r.profiles[0].layers[1].relative_depth, 0.5);
        assert_eq!(r.matrices.len(), 1);
        assert!(r.notes.is_empty());
        let both = neighbourhoods(&[m, other], Some(1));
        assert_eq!(both.k, 1);
        assert_eq!(
            both.matrices.iter().map(|x| (x.a.as_str(), x.b.as_str())).collect::<Vec<_>>(),
            [("m", "m"), ("m", "o"), ("o", "o")]
        );
        assert!(both.matrices[1].values.iter().flatten().all(Option::is_none));
        assert!(
            both.notes
                .iter()
                .any(|n| n == "m in × o short: m in has 4 rows, o short 3, so their points do not correspond"),
            "{:?}",
            both.notes
        );
        assert!(both.notes.iter().any(|n| n.contains("o deduped had 1 duplicate rows removed")), "{:?}", both.notes);
    }

    #[test]
    fn malformed_lists_are_left_out_with_a_note() {
        let good = layer("good", kept(1, &[1, 0, 1]));
        let bad = layer("bad", kept(1, &[1, 7, 0]));
        let m = ModelNeighbourhoods { model: "m".into(), seed: 0, layers: vec![good, bad], ranks: Vec::new() };
        let r = neighbourhoods(&[m], None);
        assert_eq!(r.k, 1);
        assert_eq!(r.matrices[0].values, [[Some(1.0), None], [None, None]]);
        assert_eq!(r.notes, ["bad: its kept neighbourhoods are not lists of its points, left out"]);
    }
}
