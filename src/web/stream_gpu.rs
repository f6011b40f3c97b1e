//! A streamed layer's Gram pass on the GPU, driven by `www/gpu.js` between the worker's requests:
//! pass 0 here (`streamBegin`), the centred chunks out one by one (`streamChunk`), the GPU's
//! packed Gram back band by band (`streamGram`), then the passes after it and the layer's result
//! (`streamFinish`) exactly as the WASM path computes them ([`DeviceLayer`]).

use js_sys::{Array, Float32Array, Function, Object, Reflect};
use wasm_bindgen::prelude::*;

use super::session::{Session, Streaming, labels_for, layer_error, progress_sink};
use super::to_js;
use crate::analysis::streamed::device::DeviceLayer;
use crate::analysis::streamed::wanted;
use crate::analysis::{AnalysisError, LayerError};
use crate::estimators::EstimateError;
use crate::knn::KnnError;

#[wasm_bindgen]
impl Session {
    /// Pass 0 of layer `layer` of model `id` (over the memory limit of `params`), which then waits
    /// for the GPU's Gram: `{n, cols, chunks}` (rows analysed, columns, column chunks to hand out).
    #[wasm_bindgen(js_name = streamBegin)]
    pub fn stream_begin(
        &mut self,
        id: u32,
        layer: usize,
        params: JsValue,
        progress: &Function,
    ) -> Result<JsValue, JsValue> {
        self.release();
        let params = self.checked(id, layer, params)?;
        let model = self.model(id)?;
        let reader = model.layer(layer).filter(|r| wanted(r, &params)).ok_or_else(|| {
            JsError::new(&format!("{}: layer {layer} is not over the memory limit, so it is not streamed", model.name))
        })?;
        let labels = labels_for(model, &params)?;
        let limit = params.get().memory_limit_mb << 20;
        let mut sink = progress_sink(progress);
        let device = DeviceLayer::begin(reader, layer, labels.as_ref(), &params, limit, &mut sink)
            .map_err(|e| layer_error(model, layer, &e))?;
        let out = Object::new();
        for (name, v) in [("n", device.rows()), ("cols", device.cols()), ("chunks", device.chunks().len())] {
            Reflect::set(&out, &name.into(), &JsValue::from_f64(v as f64))?;
        }
        self.streaming = Some(Streaming { model: id, layer, device });
        Ok(out.into())
    }

    /// The next column chunk's centred rows in the Gram kernel's pieces of at most `piece` columns
    /// (`gpuGramPlan`'s): `[{stride, rows: Float32Array}]`, n × stride each.
    #[wasm_bindgen(js_name = streamChunk)]
    pub fn stream_chunk(&mut self, piece: usize) -> Result<JsValue, JsValue> {
        let Session { models, streaming, .. } = self;
        let s = streaming.as_mut().ok_or_else(|| JsError::new("no streamed layer is waiting for the GPU"))?;
        let model = models.get(&s.model).ok_or_else(|| JsError::new("the streamed layer's model was closed"))?;
        let pieces = s.device.next_chunk(piece).map_err(|e| layer_error(model, s.layer, &e))?;
        let out = Array::new();
        for (stride, rows) in pieces {
            let o = Object::new();
            Reflect::set(&o, &"stride".into(), &JsValue::from_f64(stride as f64))?;
            Reflect::set(&o, &"rows".into(), &Float32Array::from(rows.as_slice()))?;
            out.push(&o);
        }
        Ok(out.into())
    }

    /// Copies one band of the GPU's packed Gram into entries `start ..` of the layer's.
    #[wasm_bindgen(js_name = streamGram)]
    pub fn stream_gram(&mut self, start: usize, band: &Float32Array) -> Result<(), JsValue> {
        let s = self.streaming.as_mut().ok_or_else(|| JsError::new("no streamed layer is waiting for the GPU"))?;
        let gram = s.device.gram_mut();
        let (len, entries) = (band.length() as usize, gram.len());
        let to = gram.get_mut(start..start + len).ok_or_else(|| {
            JsError::new(&format!("the GPU's band {start}..{} is outside the Gram's {entries} entries", start + len))
        })?;
        band.copy_to(to);
        Ok(())
    }

    /// The streamed layer's passes after the Gram and its `LayerResult`. An error whose `gpu`
    /// property is true means the GPU's products broke their bound: the page redoes the layer
    /// on WASM.
    #[wasm_bindgen(js_name = streamFinish)]
    pub fn stream_finish(
        &mut self,
        id: u32,
        layer: usize,
        params: JsValue,
        progress: &Function,
    ) -> Result<JsValue, JsValue> {
        let params = self.checked(id, layer, params)?;
        let s = self.streaming.take().filter(|s| s.model == id && s.layer == layer);
        let s = s.ok_or_else(|| JsError::new(&format!("layer {layer} of model {id} is not waiting for the GPU")))?;
        let model = self.model(id)?;
        let labels = labels_for(model, &params)?;
        let mut sink = progress_sink(progress);
        let result = s.device.finish(labels.as_ref(), &params, &mut sink).map_err(|e| {
            let js = layer_error(model, layer, &e);
            let _ = Reflect::set(&js, &"gpu".into(), &JsValue::from_bool(off_bound(&e)));
            js
        })?;
        to_js(&result).map_err(JsValue::from)
    }
}

/// Whether the layer failed because the GPU's products broke the WGSL bound.
fn off_bound(e: &LayerError) -> bool {
    matches!(
        e,
        LayerError::Analysis(AnalysisError::Estimate { source: EstimateError::Knn(KnnError::DeviceBound { .. }), .. })
    )
}
