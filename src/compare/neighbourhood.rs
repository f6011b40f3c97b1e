//! Neighbourhood overlaps between representations of the same points (Doimo et al. 2020; DADApy
//! 0.3.4's `return_data_overlap`): χ(A, B) is the mean over the points of the fraction of their k
//! nearest neighbours in A that are among their k nearest in B. Read from each layer's kept
//! neighbourhoods (`crate::estimators::neighbourhood`), for every pair of layers of a model
//! (χ^out: each layer against the last, and against the first), and for the layers of two models
//! on the same inputs (the mutual k-NN alignment of Huh et al. 2024). Layers whose points do not
//! correspond are refused with a note saying why. The information imbalances of each layer with
//! the last and the first (Glielmo et al. 2022) come from exact rank passes over the layers' rows
//! ([`imbalance_targets`] says which, [`add_imbalances`] reads them).

use serde::{Deserialize, Serialize};

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
    /// Per model: χ^gt, χ^out, χ^in by layer.
    pub profiles: Vec<OverlapProfile>,
    /// Per model its layer × layer matrix, then per pair of models theirs.
    pub matrices: Vec<OverlapMatrix>,
    /// Why some pairs of layers could not be compared.
    pub notes: Vec<String>,
}

/// χ(A, B) over each point's first `k` neighbours (both hold at least `k`, for the same points).
pub fn data_overlap(a: &KeptNeighbours, b: &KeptNeighbours, k: usize) -> f64 {
    let n = a.points();
    // mark[j] == i + 1: j is among point i's neighbours in B.
    let mut mark = vec![0u32; n];
    let mut shared = 0usize;
    for i in 0..n {
        let stamp = i as u32 + 1;
        for &j in b.of_point(i, k) {
            mark[j as usize] = stamp;
        }
        shared += a.of_point(i, k).iter().filter(|&&j| mark[j as usize] == stamp).count();
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
    let kept = valid(l)?;
    let ids = kept.labels.as_deref()?;
    let labels = PointLabels { ids, names: &[] };
    label_overlap(kept.view()?, labels, Neighbourhood::Fixed(k), l.label_average).ok().map(|o| o.overlap)
}

/// A layer's kept neighbourhoods, if they are lists of its points.
fn valid(l: &LayerNeighbourhood) -> Option<&KeptNeighbours> {
    l.neighbourhood.as_ref().filter(|n| n.is_valid())
}

/// The overlaps of `models` (hidden ones left out by the caller) over `k` neighbours per point
/// (default [`DEFAULT_K`]; at most the fewest any layer kept).
pub fn neighbourhoods(models: &[ModelNeighbourhoods], k: Option<usize>) -> Neighbourhoods {
    let mut notes = Vec::new();
    for l in models.iter().flat_map(|m| &m.layers) {
        if l.neighbourhood.as_ref().is_some_and(|n| !n.is_valid()) {
            notes.push(format!("{}: its kept neighbourhoods are not lists of its points, left out", l.name));
        }
    }
    let kept = models.iter().flat_map(|m| &m.layers).filter_map(valid).map(|n| n.k).min();
    let k = k.unwrap_or(DEFAULT_K).min(kept.unwrap_or(DEFAULT_K)).max(1);
    let mut chi =
        |ma: &ModelNeighbourhoods, a: &LayerNeighbourhood, mb: &ModelNeighbourhoods, b: &LayerNeighbourhood| {
            let (la, lb) = (valid(a)?, valid(b)?);
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
            Some(data_overlap(la, lb, k))
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
            let layers = m.layers.iter().enumerate().map(|(position, l)| ProfilePoint {
                layer: l.name.clone(),
                position,
                relative_depth: position as f64 / last.max(1) as f64,
                label: label_at(l, k).or(l.label_overlap),
                output: own.values[position][last],
                input: own.values[position][0],
                imbalance: None,
            });
            OverlapProfile { model: m.model.clone(), layers: layers.collect() }
        })
        .collect();
    Neighbourhoods { k, profiles, matrices, notes }
}

/// Δ from the ranks in B of the points' nearest neighbours in A: 2/N · their mean.
pub fn imbalance(ranks: &[u32]) -> f64 {
    let n = ranks.len() as f64;
    2.0 * ranks.iter().map(|&r| r as f64).sum::<f64>() / (n * n)
}

/// Each point's nearest neighbour.
fn nearest(l: &KeptNeighbours) -> Vec<u32> {
    l.indices.iter().step_by(l.k.max(1)).copied().collect()
}

/// The rank passes `m`'s imbalances need: for each layer, the points its rows rank — the nearest
/// neighbours in the last layer and in the first; the last and the first layer rank every layer's
/// (their own and each other's among them). `None` when a layer has no valid kept neighbourhoods
/// or its points are not the first layer's.
pub fn imbalance_targets(m: &ModelNeighbourhoods) -> Option<Vec<Vec<Vec<u32>>>> {
    let first = m.layers.first()?;
    if m.layers.iter().any(|l| mismatch((&first.name, &first.rows, m.seed), (&l.name, &l.rows, m.seed)).is_some()) {
        return None;
    }
    let nn: Vec<Vec<u32>> = m.layers.iter().map(|l| valid(l).map(nearest)).collect::<Option<_>>()?;
    let last = nn.len() - 1;
    Some(
        (0..nn.len())
            .map(|i| if i == last || i == 0 { nn.clone() } else { vec![nn[last].clone(), nn[0].clone()] })
            .collect(),
    )
}

/// Fills the imbalances of `profile` from the `ranks` of the passes [`imbalance_targets`] named
/// for its model, in the same order.
pub fn add_imbalances(profile: &mut OverlapProfile, ranks: &[Vec<Vec<u32>>]) {
    let last = ranks.len().saturating_sub(1);
    for (i, p) in profile.layers.iter_mut().enumerate() {
        let (Some(own), Some(out), Some(inp)) = (ranks.get(i), ranks.get(last), ranks.first()) else {
            continue;
        };
        let at = |r: &Vec<Vec<u32>>, t: usize| r.get(t).map_or(f64::NAN, |r| imbalance(r));
        // The last and the first layer ranked every layer's neighbours, the others those two's.
        let (of_last, of_first) = if i == last || i == 0 { (last, 0) } else { (0, 1) };
        p.imbalance = Some(Imbalances {
            to_output: at(out, i),
            from_output: at(own, of_last),
            to_input: at(inp, i),
            from_input: at(own, of_first),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kept(k: usize, indices: &[u32]) -> KeptNeighbours {
        KeptNeighbours { k, indices: indices.to_vec(), labels: None }
    }

    fn layer(name: &str, n: KeptNeighbours) -> LayerNeighbourhood {
        let rows = PointRows { n_input: n.points(), ..PointRows::default() };
        LayerNeighbourhood {
            name: name.into(),
            rows,
            neighbourhood: Some(n),
            label_overlap: None,
            label_average: OverlapAverage::Class,
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
        };
        let other = ModelNeighbourhoods { model: "o".into(), seed: 0, layers: vec![short, deduped] };
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
        let m = ModelNeighbourhoods { model: "m".into(), seed: 0, layers: vec![good, bad] };
        let r = neighbourhoods(&[m], None);
        assert_eq!(r.k, 1);
        assert_eq!(r.matrices[0].values, [[Some(1.0), None], [None, None]]);
        assert_eq!(r.notes, ["bad: its kept neighbourhoods are not lists of its points, left out"]);
    }
}
