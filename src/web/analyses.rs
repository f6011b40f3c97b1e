//! The analyses across models for the page ([`crate::compare`]), and the numbers behind the
//! `per_class` chart's CSV (inputs as in [`super::draw`]).

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use super::draw::ModelSeries;
use super::{from_js, to_js};
use crate::compare::{self, ClassSpread, LayerIds, ModelInput};

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
