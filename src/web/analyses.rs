//! The analyses across models for the page ([`crate::compare`]), the overlaps between layers and
//! models, and the numbers behind the `per_class` chart's CSV (inputs as in [`super::draw`]).

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use super::draw::ModelSeries;
use super::{from_js, to_js};
use crate::compare::neighbourhood::{
    self, LayerNeighbourhood, LayerRanks, ModelNeighbourhoods, Neighbourhoods, PointRows, RankPass,
};
use crate::compare::{self, ClassSpread, LayerIds, ModelInput};
use crate::estimators::neighbourhood::{Deeper, KeptNeighbours};
use crate::estimators::overlap::OverlapAverage;

/// Input of [`compare`]: the models in display order and the correlation's layer choice.
#[derive(Deserialize)]
struct CompareInput {
    models: Vec<ModelInput>,
    #[serde(default)]
    choice: Option<String>,
}

/// `{models: [{model, hidden, last_hidden, accuracy: {measure, value} | null, layers: [{name,
/// result: LayerResult | null}]}], choice}` → the [`compare::Comparison`]: per-model depth points
/// and class spreads, the accuracy points and fit, the layer choices, the correlation at `choice`.
#[wasm_bindgen]
pub fn compare(data: JsValue) -> Result<JsValue, JsError> {
    let d: CompareInput = from_js(data, "models compared")?;
    to_js(&compare::compare(&d.models, d.choice.as_deref()))
}

/// One model's per-layer class spread.
#[derive(Serialize)]
struct ModelSpread {
    model: String,
    layers: Vec<Option<ClassSpread>>,
}

/// `[{model, layers: [LayerResult | null]}]` → `[{model, layers: [{mean, std, n_classes} |
/// null]}]`, same order (null where the layer is missing or has no per-class IDs).
#[wasm_bindgen]
pub fn per_class_summary(data: JsValue) -> Result<JsValue, JsError> {
    let models: Vec<ModelSeries> = from_js(data, "per-class data")?;
    let out: Vec<ModelSpread> = models
        .into_iter()
        .map(|m| ModelSpread {
            model: m.model,
            layers: m
                .layers
                .iter()
                .map(|l| l.as_ref().and_then(|l| compare::class_spread(&LayerIds::from(l))))
                .collect(),
        })
        .collect();
    to_js(&out)
}

/// A model of [`neighbourhoods`]' input.
#[derive(Deserialize)]
struct WireModel {
    model: String,
    seed: u32,
    layers: Vec<WireLayer>,
    #[serde(default)]
    ranks: Vec<WireRanks>,
}

/// Where one rank list of a model is in the ranks handed in: `ranks[start .. start + len]`, the
/// ranks in its layer `layer` of layer `target`'s nearest neighbours (display positions).
#[derive(Deserialize)]
struct WireRanks {
    layer: usize,
    target: usize,
    start: usize,
    len: usize,
}

/// A layer of [`neighbourhoods`]' input: its kept lists are `indices[start .. start + len]`.
#[derive(Deserialize)]
struct WireLayer {
    name: String,
    #[serde(default)]
    rows: PointRows,
    #[serde(default)]
    label_overlap: Option<f64>,
    #[serde(default)]
    label_average: OverlapAverage,
    #[serde(default)]
    label_std: Option<f64>,
    #[serde(default)]
    kept: Option<WireKept>,
}

/// Where a layer's lists are in the indices handed in.
#[derive(Deserialize)]
struct WireKept {
    k: usize,
    start: usize,
    len: usize,
    #[serde(default)]
    labels: Option<Vec<u32>>,
    #[serde(default)]
    deeper: Option<WireDeeper>,
}

/// Where a layer's error-bar subsets and further neighbours are in the indices handed in: from
/// `start`, `members` membership words, then `offsets` offsets, then `len` indices.
#[derive(Deserialize)]
struct WireDeeper {
    repeats: usize,
    fraction: f64,
    k: usize,
    start: usize,
    members: usize,
    offsets: usize,
    len: usize,
}

thread_local! {
    /// The error bars computed by earlier calls of [`neighbourhoods`] (the page calls it again as
    /// each layer arrives; each layer's are computed once).
    static SPREADS: std::cell::RefCell<neighbourhood::SpreadMemo> = std::cell::RefCell::default();
}

/// The overlaps and the rank passes their imbalances still need.
#[derive(Serialize)]
struct PageNeighbourhoods {
    #[serde(flatten)]
    overlaps: Neighbourhoods,
    /// Per ranking layer, the nearest neighbours it ranks (`model`: its position in the input).
    rank_passes: Vec<RankPass>,
}

/// `[{model, seed, layers: [{name, rows: {n_input, non_finite_dropped, subsampled_out,
/// duplicates_dropped}, label_overlap, label_average, label_std, kept: {k, start, len, labels,
/// deeper: {repeats, fraction, k, start, members, offsets, len} | null} | null}],
/// ranks: [{layer, target, start, len}]}]` with every layer's kept neighbourhoods concatenated in
/// `indices` and every rank list in `ranks` (Uint32Arrays: one copy, no per-number conversion) →
/// the [`neighbourhood::Neighbourhoods`] over `k` neighbours (default 10), with the imbalances of
/// the ranks given, and `rank_passes` ([`neighbourhood::rank_passes`]).
#[wasm_bindgen]
pub fn neighbourhoods(models: JsValue, indices: &[u32], ranks: &[u32], k: Option<usize>) -> Result<JsValue, JsError> {
    let wire: Vec<WireModel> = from_js(models, "neighbourhoods")?;
    let span = |what: &str, all: &[u32], start: usize, len: usize| {
        let part = start.checked_add(len).and_then(|end| all.get(start..end));
        part.map(<[u32]>::to_vec).ok_or_else(|| JsError::new(&format!("{what}: out of range")))
    };
    let mut models = Vec::with_capacity(wire.len());
    for m in wire {
        let mut layers = Vec::with_capacity(m.layers.len());
        for l in m.layers {
            let neighbourhood = match l.kept {
                None => None,
                Some(w) => {
                    let what = format!("layer {}: its lists", l.name);
                    let part = span(&what, indices, w.start, w.len)?;
                    let deeper = match w.deeper {
                        None => None,
                        Some(d) => {
                            let members = span(&what, indices, d.start, d.members)?;
                            let at = d.start.saturating_add(d.members);
                            let offsets = span(&what, indices, at, d.offsets)?;
                            let further = span(&what, indices, at.saturating_add(d.offsets), d.len)?;
                            let (repeats, fraction, k) = (d.repeats, d.fraction, d.k);
                            Some(Deeper { repeats, fraction, k, members, offsets, indices: further })
                        }
                    };
                    Some(KeptNeighbours { k: w.k, indices: part, labels: w.labels, deeper })
                }
            };
            layers.push(LayerNeighbourhood {
                name: l.name,
                rows: l.rows,
                neighbourhood,
                label_overlap: l.label_overlap,
                label_average: l.label_average,
                label_std: l.label_std,
            });
        }
        let ranks = m
            .ranks
            .iter()
            .map(|r| {
                let list = span(&format!("{}: ranks of layer {}", m.model, r.layer), ranks, r.start, r.len)?;
                Ok(LayerRanks { layer: r.layer, target: r.target, ranks: list })
            })
            .collect::<Result<_, JsError>>()?;
        models.push(ModelNeighbourhoods { model: m.model, seed: m.seed, layers, ranks });
    }
    let overlaps = SPREADS.with(|memo| neighbourhood::neighbourhoods_with(&models, k, &mut memo.borrow_mut()));
    let out = PageNeighbourhoods { overlaps, rank_passes: neighbourhood::rank_passes(&models) };
    to_js(&out)
}
