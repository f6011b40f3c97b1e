//! The worker's side: opened models and the per-layer analysis entry.

use std::collections::BTreeMap;

use js_sys::{Array, Function, Reflect};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use web_sys::Blob;

use super::source::BlobSource;
use super::{from_js, to_js};
use crate::analysis::{LayerError, analyse_model_layer};
use crate::params::Params;
use crate::progress::Cancelled;
use crate::readers::{ByteSource, LayerInfo, Model, ReadError, group};

/// Opened models, by id. Several models live side by side so the page can overlay them; each
/// reads its files lazily, in slices, from the `Blob`s it was opened with.
#[wasm_bindgen]
#[derive(Default)]
pub struct Session {
    models: BTreeMap<u32, Model>,
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
            let blob: Blob = blob
                .dyn_into()
                .map_err(|_| file_error(&name, "not a Blob or File"))?;
            let source = BlobSource::new(name.clone(), blob)
                .map_err(|e| file_error(&name, &e.to_string()))?;
            sources.push(Box::new(source));
        }
        let model = group(sources).map_err(|e| read_error(&e))?;
        let info = to_js(&describe(id, &model)).map_err(JsValue::from)?;
        self.models.insert(id, model);
        Ok(info)
    }

    /// Forgets a model.
    pub fn close(&mut self, id: u32) {
        self.models.remove(&id);
    }

    /// Analyses layer `layer` of model `id` with `params` (a `Params` object; missing fields take
    /// their defaults) and returns the `LayerResult`. `progress(fraction)` is called between blocks
    /// of work; returning `false` cancels (the page normally cancels by terminating the worker).
    pub fn analyse(
        &self,
        id: u32,
        layer: usize,
        params: JsValue,
        progress: &Function,
    ) -> Result<JsValue, JsValue> {
        let model = self
            .models
            .get(&id)
            .ok_or_else(|| JsError::new(&format!("no open model {id}")))?;
        let params: Params = from_js(params, "params")?;
        let params = params.check().map_err(|e| JsError::new(&e.to_string()))?;
        let info = model
            .layers
            .get(layer)
            .ok_or_else(|| JsError::new(&format!("{}: no layer {layer}", model.name)))?;
        let labels = if params.get().per_class {
            model.read_labels().map_err(|e| read_error(&e))?
        } else {
            None
        };
        let mut sink = |f: f64| match progress.call1(&JsValue::NULL, &JsValue::from_f64(f)) {
            Ok(v) if v == JsValue::FALSE => Err(Cancelled),
            Ok(_) => Ok(()),
            Err(_) => Err(Cancelled),
        };
        let result = analyse_model_layer(model, layer, labels.as_ref(), &params, &mut sink).map_err(|e| match e {
            LayerError::Read(e) => read_error(&e),
            LayerError::Analysis(e) => file_error(&info.file, &e.to_string()),
        })?;
        to_js(&result).map_err(JsValue::from)
    }

    /// Ids of the open models.
    pub fn models(&self) -> Vec<u32> {
        self.models.keys().copied().collect()
    }
}

fn describe(id: u32, m: &Model) -> ModelInfo<'_> {
    ModelInfo {
        id,
        name: &m.name,
        files: &m.files,
        layers: m.layers.iter().map(LayerRow::from).collect(),
        labels: m.labels.as_ref().map(|l| LabelsRow {
            name: &l.name,
            file: &l.file,
            len: l.len,
        }),
        skipped: m
            .skipped
            .iter()
            .map(|s| [s.name.as_str(), s.reason.as_str()])
            .collect(),
        metadata: &m.metadata,
        description: m.describe(),
    }
}

/// A JS `Error` whose `file` property names the file concerned.
fn file_error(file: &str, message: &str) -> JsValue {
    let e = js_sys::Error::new(message);
    let _ = Reflect::set(&e, &"file".into(), &file.into());
    e.into()
}

fn read_error(e: &ReadError) -> JsValue {
    file_error(&e.file, &e.to_string())
}
