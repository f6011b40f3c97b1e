//! What the analyses across models read of a layer's result: its TwoNN fit ID with the error bar
//! of the repeats, and each class's fit ID (the estimator Ansuini et al. plot).

use serde::Deserialize;

use crate::results::{LayerResult, TwoNn};

/// A layer's IDs. Deserialised from a whole `LayerResult` (the page hands over its slim results,
/// without per-point arrays): one deserialiser for results, shared with the charts, keeps the wasm small.
#[derive(Deserialize, Debug, Clone, PartialEq)]
#[serde(from = "LayerResult")]
pub struct LayerIds {
    /// The TwoNN fit ID.
    pub id: f64,
    /// Its error bar: the std of the fit over the repeats (None without repeats).
    pub id_err: Option<f64>,
    /// `(class name, fit ID)` per estimated class, in the result's order.
    pub classes: Vec<(String, f64)>,
}

impl From<&LayerResult> for LayerIds {
    fn from(r: &LayerResult) -> Self {
        let (id, id_err) = layer_id(&r.estimates.twonn);
        LayerIds { id, id_err, classes: r.classes.iter().map(|c| (c.name.clone(), c.estimates.twonn.fit.id)).collect() }
    }
}

impl From<LayerResult> for LayerIds {
    fn from(r: LayerResult) -> Self {
        LayerIds::from(&r)
    }
}

/// The fit ID and its error bar, the numbers every multi-model chart plots.
pub fn layer_id(t: &TwoNn) -> (f64, Option<f64>) {
    (t.fit.id, t.repeats.as_ref().map(|r| r.fit_std))
}
