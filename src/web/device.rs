//! The worker's entries for the GPU (driven by `www/gpu.js`): the WGSL sources, the dispatch
//! plans under the device's limits (the candidate kernel's, a streamed layer's Gram's), the GPU's
//! lists checked and cut for phase 2, and the calibration that decides whether the GPU beats the
//! WASM pool.

use js_sys::{Array, Float32Array, Object, Reflect, Uint32Array};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use wasm_bindgen::prelude::*;

use super::to_js;
use crate::knn::wgsl::{self, DeviceRows};
use crate::knn::{self, CandidateLists, Metric, Search};
use crate::support::progress::Silent;

/// The WGSL candidate kernel.
#[wasm_bindgen(js_name = gpuShader)]
pub fn gpu_shader() -> String {
    wgsl::SHADER.to_owned()
}

/// The kernel's dispatches for `n` rows of `stride` columns and `m` slots per list on a device
/// binding at most `binding` bytes per buffer: `{panels: [{start, end}], dispatches: [{query,
/// candidates, tiles: {start, end}}]}`.
#[wasm_bindgen(js_name = gpuPlan)]
pub fn gpu_plan(n: usize, stride: usize, m: usize, binding: f64) -> Result<JsValue, JsValue> {
    let plan = wgsl::plan(n, stride, m, binding as u64).map_err(|e| JsError::new(&e.to_string()))?;
    Ok(to_js(&plan)?)
}

/// The streamed layers' Gram kernel.
#[wasm_bindgen(js_name = gpuGramShader)]
pub fn gpu_gram_shader() -> String {
    wgsl::gram::SHADER.to_owned()
}

/// The Gram kernel's pieces and bands for `n` rows of `cols` columns on a device binding at most
/// `binding` bytes per buffer: `{n, piece, bands: [{rows, entries, dispatches}]}` (ranges as
/// `{start, end}`).
#[wasm_bindgen(js_name = gpuGramPlan)]
pub fn gpu_gram_plan(n: usize, cols: usize, binding: f64) -> Result<JsValue, JsValue> {
    let plan = wgsl::gram::plan(n, cols, binding as u64).map_err(|e| JsError::new(&e.to_string()))?;
    Ok(to_js(&plan)?)
}

/// The GPU's lists of `n` rows × `m` slots, checked ([`CandidateLists::from_device`]) and cut into
/// `parts` row slices for phase 2, in the shape `Session.candidatesPart` returns.
#[wasm_bindgen(js_name = deviceLists)]
pub fn device_lists(n: usize, m: usize, indices: Vec<u32>, approx: Vec<f32>, parts: usize) -> Result<JsValue, JsValue> {
    let lists = CandidateLists::from_device(n, m, indices, approx).map_err(|e| JsError::new(&e.to_string()))?;
    slices_to_js(&lists.split(parts))
}

/// Seeded uniform rows (`n` × `d`, `k` neighbours) for the calibration, prepared for the GPU, with
/// `seconds`: how long this worker's phase 1 of the same search takes in WASM.
#[wasm_bindgen(js_name = calibrationRows)]
pub fn calibration_rows(n: usize, d: usize, k: usize) -> Result<JsValue, JsValue> {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let data: Vec<f32> = (0..n * d).map(|_| rng.random::<f32>() - 0.5).collect();
    let x = ndarray::ArrayView2::from_shape((n, d), &data).map_err(|e| JsError::new(&e.to_string()))?;
    let search = Search::new(k, Metric::Euclidean);
    let start = web_time::Instant::now();
    knn::candidates_part(x, &search, 0, 1, &mut Silent).map_err(|e| JsError::new(&e.to_string()))?;
    let seconds = start.elapsed().as_secs_f64();
    let rows = wgsl::device_rows(x, &search).map_err(|e| JsError::new(&e.to_string()))?;
    let out = rows_to_js(&rows)?;
    Reflect::set(&out, &"seconds".into(), &JsValue::from_f64(seconds))?;
    Ok(out.into())
}

/// `{n, d, stride, m, rows: Float32Array, norms: Float32Array}`.
pub(super) fn rows_to_js(rows: &DeviceRows) -> Result<Object, JsValue> {
    let o = Object::new();
    for (name, v) in [("n", rows.n), ("d", rows.d), ("stride", rows.stride), ("m", rows.m)] {
        Reflect::set(&o, &name.into(), &JsValue::from_f64(v as f64))?;
    }
    Reflect::set(&o, &"rows".into(), &Float32Array::from(rows.rows.as_slice()))?;
    Reflect::set(&o, &"norms".into(), &Float32Array::from(rows.norms.as_slice()))?;
    Ok(o)
}

/// Candidate list slices as `[{m, part, parts, first, kernel, indices: Uint32Array, approx:
/// Float32Array}]`, what phase 2 reads back with `candidates_from_js`.
pub(super) fn slices_to_js(slices: &[CandidateLists]) -> Result<JsValue, JsValue> {
    let out = Array::new();
    for slice in slices {
        let o = Object::new();
        for (name, v) in [("m", slice.m), ("part", slice.part), ("parts", slice.parts), ("first", slice.first)] {
            Reflect::set(&o, &name.into(), &JsValue::from_f64(v as f64))?;
        }
        Reflect::set(&o, &"kernel".into(), &to_js(&slice.kernel)?)?;
        Reflect::set(&o, &"indices".into(), &Uint32Array::from(slice.indices.as_slice()))?;
        Reflect::set(&o, &"approx".into(), &Float32Array::from(slice.approx.as_slice()))?;
        out.push(&o);
    }
    Ok(out.into())
}
