//! The worker's side: opened models and the per-layer analysis entry.

use std::collections::BTreeMap;

use js_sys::{Array, Float32Array, Float64Array, Function, Object, Reflect, Uint32Array};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use web_sys::Blob;

use super::source::BlobSource;
use super::{from_js, to_js};
use crate::analysis::streamed::device::DeviceLayer;
use crate::analysis::{
    LayerError, LayerPoints, analyse_layer_with, analyse_model_layer, kept_ids, layer_candidates_part,
    layer_device_rows, layer_input, layer_neighbours_part, layer_ranks,
};
use crate::compare::{Accuracy, metadata_accuracy};
use crate::estimators::{CheckedParams, Params};
use crate::knn::{CandidateLists, FlatNeighbours, Kernel, Neighbours};
use crate::readers::{ByteSource, Labels, LayerData, LayerInfo, Model, ReadError, group};
use crate::support::progress::Cancelled;

/// Opened models, by id. Several models live side by side so the page can overlay them; each
/// reads its files lazily, in slices, from the `Blob`s it was opened with.
#[wasm_bindgen]
#[derive(Default)]
pub struct Session {
    pub(super) models: BTreeMap<u32, Model>,
    /// The layer whose split analysis is under way, read once for all its requests (tile part,
    /// row part, final estimates) until [`Session::release`] or another layer is loaded.
    loaded: Option<Loaded>,
    /// The streamed layer whose Gram pass is on the GPU, between requests.
    pub(super) streaming: Option<Streaming>,
}

/// A streamed layer between the GPU's requests (`super::stream_gpu`).
pub(super) struct Streaming {
    pub(super) model: u32,
    pub(super) layer: usize,
    pub(super) device: DeviceLayer,
}

/// A layer read into memory with its whole-layer points settled.
struct Loaded {
    model: u32,
    layer: usize,
    data: LayerData,
    points: LayerPoints,
}

/// What the page learns about a model at once, from the headers alone.
#[derive(Serialize)]
struct ModelInfo<'a> {
    id: u32,
    name: &'a str,
    files: &'a [String],
    layers: Vec<LayerRow<'a>>,
    labels: Option<LabelsRow<'a>>,
    skipped: Vec<[&'a str; 2]>,
    metadata: &'a [(String, String)],
    /// The accuracy the metadata names, if any (the models panel's default).
    accuracy: Option<Accuracy>,
    description: String,
}

#[derive(Serialize)]
struct LayerRow<'a> {
    name: &'a str,
    file: &'a str,
    rows: usize,
    cols: usize,
    dtype: &'a str,
    byte_size: u64,
    /// Bytes the layer would take in memory (null for text tables): over `memory_limit_mb` it is
    /// streamed by one worker instead of split across the pool.
    memory_bytes: Option<u64>,
}

#[derive(Serialize)]
struct LabelsRow<'a> {
    name: &'a str,
    file: &'a str,
    len: usize,
}

impl<'a> From<&'a LayerInfo> for LayerRow<'a> {
    fn from(l: &'a LayerInfo) -> Self {
        Self {
            name: &l.name,
            file: &l.file,
            rows: l.rows,
            cols: l.cols,
            dtype: &l.dtype,
            byte_size: l.byte_size,
            memory_bytes: crate::analysis::streamed::streamable_bytes(l),
        }
    }
}

#[wasm_bindgen]
impl Session {
    /// An empty session.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Session {
        Session::default()
    }

    /// Opens `blobs` (named `names`) as one model under `id` (files given together form one
    /// model, as on the command line) and returns its layers from the headers. Throws an `Error`
    /// with a `file` property when a file cannot be read.
    pub fn open(&mut self, id: u32, blobs: Array, names: Array) -> Result<JsValue, JsValue> {
        let mut sources: Vec<Box<dyn ByteSource>> = Vec::new();
        for (blob, name) in blobs.iter().zip(names.iter()) {
            let name = name.as_string().unwrap_or_else(|| "(unnamed)".into());
            let blob: Blob = blob.dyn_into().map_err(|_| file_error(&name, "not a Blob or File"))?;
            let source = BlobSource::new(name.clone(), blob).map_err(|e| file_error(&name, e))?;
            sources.push(Box::new(source));
        }
        let model = group(sources).map_err(|e| read_error(&e))?;
        let info = to_js(&describe(id, &model)).map_err(JsValue::from)?;
        self.models.insert(id, model);
        Ok(info)
    }

    /// Forgets a model (and its loaded layer).
    pub fn close(&mut self, id: u32) {
        self.models.remove(&id);
        if self.loaded.as_ref().is_some_and(|l| l.model == id) {
            self.loaded = None;
        }
        if self.streaming.as_ref().is_some_and(|s| s.model == id) {
            self.streaming = None;
        }
    }

    /// Reads layer `layer` of model `id` and settles its points for `params` (a `Params` object),
    /// unless they are loaded already: the requests of a split analysis (tile part, row part,
    /// final estimates) then share one read. The layer loaded before is dropped first, so one
    /// layer at most is held; [`Session::release`] drops it when its analysis is done.
    pub fn load(&mut self, id: u32, layer: usize, params: JsValue) -> Result<(), JsValue> {
        let params = self.checked(id, layer, params)?;
        self.loaded_layer(id, layer, &params).map(drop)
    }

    /// Drops the loaded layer, and a streamed layer waiting for the GPU.
    pub fn release(&mut self) {
        self.loaded = None;
        self.streaming = None;
    }

    /// Analyses layer `layer` of model `id` with `params` (a `Params` object; missing fields take
    /// their defaults) and returns the `LayerResult`; a layer over the memory limit is streamed.
    /// `progress(fraction)` is called between blocks of work; returning `false` cancels (the page
    /// normally cancels by terminating the worker).
    pub fn analyse(&mut self, id: u32, layer: usize, params: JsValue, progress: &Function) -> Result<JsValue, JsValue> {
        self.loaded = None;
        let params = self.checked(id, layer, params)?;
        let model = self.model(id)?;
        let labels = labels_for(model, &params)?;
        let mut sink = progress_sink(progress);
        let result = analyse_model_layer(model, layer, labels.as_ref(), &params, &mut sink)
            .map_err(|e| layer_error(model, layer, &e))?;
        to_js(&result).map_err(JsValue::from)
    }

    /// [`Session::analyse`] with the whole-layer neighbour lists given as
    /// `{k, indices: Uint32Array, distances: Float64Array}` (row-major, joined in order from every
    /// [`Session::neighbours_part`]) instead of searched here; on the loaded layer.
    #[wasm_bindgen(js_name = analyseWithNeighbours)]
    pub fn analyse_with_neighbours(
        &mut self,
        id: u32,
        layer: usize,
        params: JsValue,
        neighbours: &JsValue,
        progress: &Function,
    ) -> Result<JsValue, JsValue> {
        let full = Neighbours::try_from(flat_from_js(neighbours)?).map_err(|e| JsError::new(&e.to_string()))?;
        let params = self.checked(id, layer, params)?;
        let (model, loaded) = self.loaded_layer(id, layer, &params)?;
        let labels = labels_for(model, &params)?;
        let ids = labels.as_ref().map(|l| kept_ids(&loaded.data, l));
        let input = layer_input(model, layer, &loaded.data, ids.as_deref(), labels.as_ref());
        let mut sink = progress_sink(progress);
        let result = analyse_layer_with(input, &loaded.points, &params, Some(full), &mut sink)
            .map_err(|e| layer_error(model, layer, &e.into()))?;
        to_js(&result).map_err(JsValue::from)
    }

    /// Phase 1 of layer `layer`'s split neighbour search: the candidate lists of every row from
    /// part `part` of `parts` of its Gram tiles, cut into `parts` row slices (one per worker of
    /// phase 2), as an array of `{m, part, parts, first, indices: Uint32Array, approx: Float32Array}`
    /// (row-major, `m` per row, from row `first`); on the loaded layer.
    #[wasm_bindgen(js_name = candidatesPart)]
    pub fn candidates_part(
        &mut self,
        id: u32,
        layer: usize,
        params: JsValue,
        part: usize,
        parts: usize,
        progress: &Function,
    ) -> Result<JsValue, JsValue> {
        let params = self.checked(id, layer, params)?;
        let (model, loaded) = self.loaded_layer(id, layer, &params)?;
        let input = layer_input(model, layer, &loaded.data, None, None);
        let mut sink = progress_sink(progress);
        let lists = layer_candidates_part(input, &loaded.points, &params, part, parts, &mut sink)
            .map_err(|e| layer_error(model, layer, &e.into()))?;
        super::device::slices_to_js(&lists.split(parts))
    }

    /// Phase 1 on the GPU: layer `layer`'s rows prepared for the WGSL kernel, as `{n, d, stride,
    /// m, rows: Float32Array, norms: Float32Array}`; on the loaded layer. The kernel's lists go
    /// through `deviceLists` to [`Session::neighbours_part`].
    #[wasm_bindgen(js_name = deviceRows)]
    pub fn device_rows(&mut self, id: u32, layer: usize, params: JsValue) -> Result<JsValue, JsValue> {
        let params = self.checked(id, layer, params)?;
        let (model, loaded) = self.loaded_layer(id, layer, &params)?;
        let input = layer_input(model, layer, &loaded.data, None, None);
        let rows =
            layer_device_rows(input, &loaded.points, &params).map_err(|e| layer_error(model, layer, &e.into()))?;
        Ok(super::device::rows_to_js(&rows)?.into())
    }

    /// Phase 2: layer `layer`'s neighbour lists of the rows `candidates` cover (an array of the
    /// same row slice from every [`Session::candidates_part`]), as
    /// `{k, indices: Uint32Array, distances: Float64Array}`; on the loaded layer.
    #[wasm_bindgen(js_name = neighboursPart)]
    pub fn neighbours_part(
        &mut self,
        id: u32,
        layer: usize,
        params: JsValue,
        candidates: &Array,
        progress: &Function,
    ) -> Result<JsValue, JsValue> {
        let candidates = candidates.iter().map(|c| candidates_from_js(&c)).collect::<Result<Vec<_>, _>>()?;
        let params = self.checked(id, layer, params)?;
        let (model, loaded) = self.loaded_layer(id, layer, &params)?;
        let input = layer_input(model, layer, &loaded.data, None, None);
        let mut sink = progress_sink(progress);
        let nb = layer_neighbours_part(input, &loaded.points, &params, &candidates, &mut sink)
            .map_err(|e| layer_error(model, layer, &e.into()))?;
        let flat = FlatNeighbours::from(&nb);
        let out = Object::new();
        Reflect::set(&out, &"k".into(), &JsValue::from_f64(flat.k as f64))?;
        Reflect::set(&out, &"indices".into(), &Uint32Array::from(flat.indices.as_slice()))?;
        Reflect::set(&out, &"distances".into(), &Float64Array::from(flat.distances.as_slice()))?;
        Ok(out.into())
    }

    /// The exact ranks, among the points of layer `layer` of model `id` under `params` (its
    /// whole-set estimates' points), of each point's target in every list of `targets` (an array
    /// of Uint32Array, one entry per point: another layer's nearest neighbours), as an array of
    /// Uint32Array in the same order: the information imbalances' rank pass.
    pub fn ranks(
        &mut self,
        id: u32,
        layer: usize,
        params: JsValue,
        targets: &Array,
        progress: &Function,
    ) -> Result<JsValue, JsValue> {
        self.loaded = None;
        let lists = targets
            .iter()
            .map(|t| t.dyn_into::<Uint32Array>().map(|t| t.to_vec()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| JsError::new("ranks: every target list must be a Uint32Array"))?;
        let params = self.checked(id, layer, params)?;
        let model = self.model(id)?;
        let mut sink = progress_sink(progress);
        let ranks = layer_ranks(model, layer, &params, &lists, &mut sink).map_err(|e| layer_error(model, layer, &e))?;
        Ok(ranks.iter().map(|r| JsValue::from(Uint32Array::from(r.as_slice()))).collect::<Array>().into())
    }

    /// Ids of the open models.
    pub fn models(&self) -> Vec<u32> {
        self.models.keys().copied().collect()
    }
}

impl Session {
    /// The open model `id`.
    pub(super) fn model(&self, id: u32) -> Result<&Model, JsValue> {
        self.models.get(&id).ok_or_else(|| JsError::new(&format!("no open model {id}")).into())
    }

    /// The checked `params` of a request for layer `layer` of the open model `id`.
    pub(super) fn checked(&self, id: u32, layer: usize, params: JsValue) -> Result<CheckedParams, JsValue> {
        let model = self.model(id)?;
        let params: Params = from_js(params, "params")?;
        let params = params.check().map_err(|e| JsError::new(&e.to_string()))?;
        if layer >= model.layers.len() {
            return Err(JsError::new(&format!("{}: no layer {layer}", model.name)).into());
        }
        Ok(params)
    }

    /// Model `id` and its layer `layer` loaded for `params` (read now unless it already is).
    fn loaded_layer(&mut self, id: u32, layer: usize, params: &CheckedParams) -> Result<(&Model, &Loaded), JsValue> {
        let Session { models, loaded, .. } = self;
        let model = models.get(&id).ok_or_else(|| JsError::new(&format!("no open model {id}")))?;
        let hit = loaded
            .as_ref()
            .is_some_and(|l| l.model == id && l.layer == layer && l.points.fits(l.data.data.nrows(), params.get()));
        if !hit {
            *loaded = None;
            let data = model.read_layer(layer).map_err(|e| read_error(&e))?;
            let points = LayerPoints::new(data.data.view(), params.get());
            *loaded = Some(Loaded { model: id, layer, data, points });
        }
        let loaded = loaded.as_ref().ok_or_else(|| JsError::new("no layer loaded"))?;
        Ok((model, loaded))
    }
}

/// The model's labels when `params` asks for per-class estimates or an estimator that reads them.
pub(super) fn labels_for(model: &Model, params: &CheckedParams) -> Result<Option<Labels>, JsValue> {
    let p = params.get();
    if p.per_class || crate::estimators::reads_labels(p) {
        model.read_labels().map_err(|e| read_error(&e))
    } else {
        Ok(None)
    }
}

/// Neighbour lists from `{k, indices: Uint32Array, distances: Float64Array}` (as
/// [`Session::neighbours_part`] returns them, joined by the page).
fn flat_from_js(v: &JsValue) -> Result<FlatNeighbours, JsValue> {
    let field = |name: &str| Reflect::get(v, &name.into());
    let k = field("k")?.as_f64().ok_or_else(|| JsError::new("neighbours: k is not a number"))? as usize;
    let indices = field("indices")?
        .dyn_into::<Uint32Array>()
        .map_err(|_| JsError::new("neighbours: indices is not a Uint32Array"))?;
    let distances = field("distances")?
        .dyn_into::<Float64Array>()
        .map_err(|_| JsError::new("neighbours: distances is not a Float64Array"))?;
    Ok(FlatNeighbours { k, indices: indices.to_vec(), distances: distances.to_vec() })
}

/// Candidate lists from `{m, part, parts, first, kernel?, indices: Uint32Array, approx: Float32Array}` (as
/// [`Session::candidates_part`] returns them).
fn candidates_from_js(v: &JsValue) -> Result<CandidateLists, JsValue> {
    let field = |name: &str| Reflect::get(v, &name.into());
    let number = |name: &str| {
        field(name)?.as_f64().ok_or_else(|| JsValue::from(JsError::new(&format!("candidates: {name} is not a number"))))
    };
    let [m, part, parts, first] =
        [number("m")?, number("part")?, number("parts")?, number("first")?].map(|v| v as usize);
    let indices = field("indices")?
        .dyn_into::<Uint32Array>()
        .map_err(|_| JsError::new("candidates: indices is not a Uint32Array"))?;
    let approx = field("approx")?
        .dyn_into::<Float32Array>()
        .map_err(|_| JsError::new("candidates: approx is not a Float32Array"))?;
    let kernel = match field("kernel")? {
        k if k.is_undefined() => Kernel::Simd,
        k => from_js(k, "candidates: kernel")?,
    };
    Ok(CandidateLists { m, part, parts, first, indices: indices.to_vec(), approx: approx.to_vec(), kernel })
}

/// The page's `progress(fraction)` callback as a progress sink: `false` (or a throw) cancels.
pub(super) fn progress_sink(progress: &Function) -> impl FnMut(f64) -> Result<(), Cancelled> + '_ {
    move |f: f64| match progress.call1(&JsValue::NULL, &JsValue::from_f64(f)) {
        Ok(v) if v == JsValue::FALSE => Err(Cancelled),
        Ok(_) => Ok(()),
        Err(_) => Err(Cancelled),
    }
}

/// A layer's failure as a JS `Error` naming the file (in its message too: the page shows that).
pub(super) fn layer_error(model: &Model, layer: usize, e: &LayerError) -> JsValue {
    match e {
        LayerError::Read(e) => read_error(e),
        LayerError::Analysis(e) => {
            let file = model.layers.get(layer).map_or("", |l| l.file.as_str());
            file_error(file, e)
        }
    }
}

fn describe(id: u32, m: &Model) -> ModelInfo<'_> {
    ModelInfo {
        id,
        name: &m.name,
        files: &m.files,
        layers: m.layers.iter().map(LayerRow::from).collect(),
        labels: m.labels.as_ref().map(|l| LabelsRow { name: &l.name, file: &l.file, len: l.len }),
        skipped: m.skipped.iter().map(|s| [s.name.as_str(), s.reason.as_str()]).collect(),
        metadata: &m.metadata,
        accuracy: metadata_accuracy(&m.metadata),
        description: m.describe(),
    }
}

/// A JS `Error` with `message`, whose `file` property names the file concerned.
fn error_in(file: &str, message: &str) -> JsValue {
    let e = js_sys::Error::new(message);
    let _ = Reflect::set(&e, &"file".into(), &file.into());
    e.into()
}

/// [`error_in`] with the message `file: problem`, as the readers' own errors read.
fn file_error(file: &str, problem: impl std::fmt::Display) -> JsValue {
    error_in(file, &format!("{file}: {problem}"))
}

/// A reader's error, whose message already names the file.
fn read_error(e: &ReadError) -> JsValue {
    error_in(&e.file, &e.to_string())
}
