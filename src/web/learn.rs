//! The teaching view's worker entry: one generated cloud ([`Lesson`]) with its estimates, Gride at
//! any order and per-point read-outs. Its charts are the app's (`draw_chart` on a LayerResult).

use wasm_bindgen::prelude::*;

use super::to_js;
use crate::lesson::Lesson;
use crate::lesson::manifolds::Manifold;

/// A generated cloud and everything the lesson shows about it, kept in the worker's memory.
#[wasm_bindgen(js_name = Lesson)]
pub struct WebLesson {
    lesson: Lesson,
    manifold: Manifold,
}

#[wasm_bindgen(js_class = Lesson)]
impl WebLesson {
    /// Generates `n` points of `manifold` (e.g. `"swiss-roll"`) with Gaussian `noise` and `seed`,
    /// then searches neighbours and estimates TwoNN.
    #[wasm_bindgen(constructor)]
    pub fn new(manifold: &str, n: usize, noise: f64, seed: u32) -> Result<WebLesson, JsError> {
        let manifold: Manifold = manifold.parse()?;
        Ok(Self { lesson: Lesson::new(manifold, n, noise, seed)?, manifold })
    }

    /// Adds Gride at n = 1, 2, 4 … 32 and the decimation (the slower part, asked for separately
    /// so the first numbers come sooner).
    #[wasm_bindgen(js_name = addScales)]
    pub fn add_scales(&mut self) -> Result<(), JsError> {
        Ok(self.lesson.add_scales()?)
    }

    /// The coordinates of the distinct points, row-major N × `dim` (a copy, to transfer to the page).
    pub fn points(&self) -> Vec<f32> {
        self.lesson.points.iter().copied().collect()
    }

    /// Each distinct point's label: the half of the manifold it lies on (0 or 1).
    pub fn labels(&self) -> Vec<u32> {
        self.lesson.labels.clone()
    }

    /// χ^gt of those labels over each point's 10 nearest neighbours: the app's `LabelOverlap`
    /// (`{k, average, points, overlap, classes}`).
    #[wasm_bindgen(js_name = labelOverlap)]
    pub fn label_overlap(&self) -> Result<JsValue, JsError> {
        to_js(&self.lesson.label_overlap()?)
    }

    /// The density step at `z` errors: `{d, z, log_den, centers, assignment, saddles}`.
    pub fn density(&self, z: f64) -> Result<JsValue, JsError> {
        to_js(&self.lesson.density(z)?)
    }

    /// Embedding dimension (2 or 3).
    pub fn dim(&self) -> usize {
        self.lesson.points.ncols()
    }

    /// The manifold's intrinsic dimension by construction.
    #[wasm_bindgen(js_name = trueId)]
    pub fn true_id(&self) -> usize {
        self.manifold.id()
    }

    /// Largest Gride order n offered: 64, at most N/8.
    #[wasm_bindgen(js_name = maxOrder)]
    pub fn max_order(&self) -> usize {
        self.lesson.max_order()
    }

    /// The estimates as a LayerResult for the app's `draw_chart` kinds `mu`, `cdf`, `gride`, `decimation`.
    pub fn result(&self, seconds: f64) -> Result<JsValue, JsError> {
        to_js(&self.lesson.layer_result(self.manifold.name(), seconds))
    }

    /// Gride at order `n`: `{n1, n2, id, err, scale}`.
    pub fn gride(&self, n: usize) -> Result<JsValue, JsError> {
        to_js(&self.lesson.gride(n)?)
    }

    /// Point `index`'s neighbours, r₁, r₂, μ and rₙ, r₂ₙ, r₂ₙ/rₙ at order `n`; its label, its 10
    /// nearest neighbours' labels and the fraction of them with its own.
    pub fn readout(&self, index: usize, n: usize) -> Result<JsValue, JsError> {
        to_js(&self.lesson.readout(index, n)?)
    }
}
