//! The wasm-bindgen layer: a thin shell over the core that only converts types and forwards.
//!
//! * [`source::BlobSource`]: a browser `Blob`/`File` as a [`crate::readers::ByteSource`], read in
//!   slices with `FileReaderSync` (worker only).
//! * [`session::Session`]: the worker's opened models and the per-layer `analyse` entry.
//! * [`device`]: the GPU's phase 1 of a search (WGSL source, dispatch plan, lists back).
//! * [`stream_gpu`]: a streamed layer's Gram pass on the GPU (chunks out, the Gram back).
//! * [`learn::WebLesson`]: the teaching view's generated cloud, estimates and point read-outs.
//! * [`draw`]: the main thread's chart entries (canvas for the screen, SVG strings for export).
//!
//! Two modules are built from it (scripts/build-web.sh): the workers' (feature `worker`: files,
//! neighbour searches and estimates) and the page's (feature `page`: charts, plans, comparisons;
//! plotters lays out text through `window()`, so charts can only be drawn on the main thread).
//! Each holds only its side's code, so each stays within the size budget. The lesson computes in
//! the learn view's worker.

#[cfg(feature = "page")]
pub mod analyses;
#[cfg(feature = "page")]
pub mod backend;
#[cfg(all(feature = "worker", feature = "bench"))]
pub mod bench;
#[cfg(feature = "worker")]
pub mod device;
#[cfg(feature = "page")]
pub mod draw;
#[cfg(feature = "worker")]
pub mod learn;
#[cfg(feature = "page")]
pub mod plan;
#[cfg(feature = "worker")]
pub mod session;
#[cfg(feature = "worker")]
pub mod source;
#[cfg(feature = "worker")]
pub mod stream_gpu;
#[cfg(all(feature = "worker", feature = "bench"))]
pub mod streamed;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// Runs when the module is instantiated: a panic's message goes to the console and, when the
/// global scope defines `idscopePanic(message)` (the worker does), to that function, so the page
/// can show it after the trap that follows (a trapped instance is unusable: the page restarts the
/// worker).
#[wasm_bindgen(start)]
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        let global = js_sys::global();
        if let Ok(f) = js_sys::Reflect::get(&global, &"idscopePanic".into())
            && let Some(f) = f.dyn_ref::<js_sys::Function>()
        {
            let _ = f.call1(&JsValue::NULL, &info.to_string().into());
        }
    }));
}

/// The crate version, shown in the page footer and written into exported reports.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

/// The page's default parameters (`Params::page`), which fill its form: the one place they are set.
#[cfg(feature = "page")]
#[wasm_bindgen(js_name = pageParams)]
pub fn page_params() -> Result<JsValue, JsError> {
    to_js(&crate::estimators::Params::page())
}

/// The page's parameter form: the settings it shows (`crate::estimators::settings`), in order.
#[cfg(feature = "page")]
#[wasm_bindgen(js_name = paramForm)]
pub fn param_form() -> Result<JsValue, JsError> {
    let page: Vec<_> = crate::estimators::settings().into_iter().filter(|s| s.on_page()).collect();
    to_js(&page)
}

/// Every registered estimator's result columns (`crate::estimators::columns`): the page's layers
/// table and CSV export render them.
#[cfg(feature = "page")]
#[wasm_bindgen(js_name = estimatorColumns)]
pub fn estimator_columns() -> Result<JsValue, JsError> {
    to_js(&crate::estimators::columns())
}

/// The Gram kernel this build runs, e.g. "simd128 4x8" or "simd128+relaxed-madd 4x8" (the tests
/// check which build each thread loaded).
#[cfg(feature = "worker")]
#[wasm_bindgen(js_name = gramKernel)]
pub fn gram_kernel() -> String {
    crate::knn::gram::kernel_name().to_owned()
}

/// Converts a Rust value to a plain JS object (maps as objects, `None` as `null`).
pub(crate) fn to_js<T: serde::Serialize + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(|e| JsError::new(&e.to_string()))
}

/// Converts a JS value to a Rust value, naming what was expected on failure.
#[cfg(any(feature = "page", feature = "worker"))]
pub(crate) fn from_js<T: serde::de::DeserializeOwned>(value: JsValue, what: &str) -> Result<T, JsError> {
    serde_wasm_bindgen::from_value(value).map_err(|e| JsError::new(&format!("{what}: {e}")))
}

/// Panics on purpose, so the end-to-end tests can check that a trap in the worker becomes a
/// message in the page and the worker restarts (sent only by the tests' `{type: 'panic'}`, to the
/// test build: `scripts/build-test-pkg.sh`).
#[cfg(all(feature = "worker", feature = "test-hooks"))]
#[wasm_bindgen(js_name = panicForTest)]
pub fn panic_for_test() {
    panic!("panic requested by the test");
}
