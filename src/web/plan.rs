//! The pass plan ([`crate::analysis::passes`]) for the page: which job runs next and what each pass adds.

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use super::{from_js, to_js};
use crate::analysis::passes::{self, Pass, PlanModel, RankRequest, Selected};
use crate::estimators::Params;

/// Input of [`plan`].
#[derive(Deserialize)]
struct PlanInput {
    params: Params,
    models: Vec<PlanModel>,
    #[serde(default)]
    selected: Option<Selected>,
    #[serde(default)]
    ranks: Vec<RankRequest>,
}

/// `{params, models: [{id, restored, labelled, layers: [{index, memory_bytes, key, extras: {pass:
/// key}}]}], selected: {model, layer} | null, ranks: [{model, layer, missing: [layer]}]}` →
/// `{key, jobs: [{model, layer, pass, params, key, partial, streamed, done, targets?}]}`, in run
/// order (`targets`: a rank pass's layers still to rank).
#[wasm_bindgen]
pub fn plan(data: JsValue) -> Result<JsValue, JsError> {
    let d: PlanInput = from_js(data, "pass plan input")?;
    to_js(&passes::plan(&d.params, &d.models, d.selected, &d.ranks))
}

/// What a later pass adds to a layer's first result.
#[derive(Serialize)]
struct Adds {
    pass: Pass,
    fields: Vec<&'static str>,
    whole: bool,
}

/// `[{pass, fields: ["twonn.repeats", …], whole}]` for every pass after the first: the result
/// fields each adds, and whether they are whole-set estimates.
#[wasm_bindgen]
pub fn pass_adds() -> Result<JsValue, JsError> {
    let adds: Vec<Adds> = [Pass::Scale, Pass::Surrogate, Pass::Classes]
        .into_iter()
        .map(|pass| {
            let (fields, whole) = pass.adds();
            Adds { pass, fields, whole }
        })
        .collect();
    to_js(&adds)
}

/// The key of the whole-set estimates under the form's `params`: a layer whose result has another
/// key is stale.
#[wasm_bindgen]
pub fn plan_key(params: JsValue) -> Result<String, JsError> {
    let p: Params = from_js(params, "params")?;
    Ok(passes::key(&passes::whole_params(&p)))
}
