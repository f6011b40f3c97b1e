//! The page's tables and CSV for the analyses across models (numbers behind the `per_class`,
//! `accuracy` and `correlation` charts; inputs as in [`super::draw`]).

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use super::draw::ModelSeries;
use super::{from_js, to_js};
use crate::comparison::{self, AccuracyData, ClassIds, ClassSpread};
use crate::results::LayerResult;

/// Input of [`class_ids`]: the chosen layer of each model.
#[derive(Deserialize)]
struct ChosenLayers {
    /// What was chosen (legend text), e.g. "fc1" or "depth 0.8".
    layer: String,
    models: Vec<ChosenLayer>,
}

#[derive(Deserialize)]
struct ChosenLayer {
    model: String,
    result: LayerResult,
}

/// `{layer, models: [{model, result: LayerResult}]}` → `{layer, models, classes, ids}`: the
/// per-class IDs (TwoNN fit) of the classes every model has, matched by name, sorted by name —
/// the input of the `correlation` chart and of [`correlation_table`].
#[wasm_bindgen]
pub fn class_ids(data: JsValue) -> Result<JsValue, JsError> {
    let d: ChosenLayers = from_js(data, "chosen layers")?;
    let models: Vec<(String, &LayerResult)> = d.models.iter().map(|m| (m.model.clone(), &m.result)).collect();
    to_js(&comparison::shared_class_ids(d.layer, &models))
}

/// `{layer, models, classes, ids}` → `{models, classes, n, pearson, pearson_p, spearman,
/// spearman_p}`: full symmetric k × k matrices, `null` where undefined, diagonal 1 and 0.
#[wasm_bindgen]
pub fn correlation_table(data: JsValue) -> Result<JsValue, JsError> {
    let d: ClassIds = from_js(data, "per-class IDs")?;
    to_js(&comparison::correlation_table(&d).map_err(|e| JsError::new(&e.to_string()))?)
}

/// `{measure, points: [{model, layer, id, id_err, value}]}` → `{n, slope, intercept, pearson_r,
/// pearson_p, spearman_rho, spearman_p, note}` (`null`s and a `note` when undefined).
#[wasm_bindgen]
pub fn accuracy_fit(data: JsValue) -> Result<JsValue, JsError> {
    let d: AccuracyData = from_js(data, "accuracy data")?;
    to_js(&comparison::accuracy_fit(&d))
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
        .map(|m| ModelSpread { model: m.model, layers: m.layers.iter().map(|l| l.as_ref().and_then(comparison::class_spread)).collect() })
        .collect();
    to_js(&out)
}
