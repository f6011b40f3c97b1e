//! For the streamed-path bench in the page (`scripts/bench/streamed_browser.mjs`, feature `bench`):
//! how large this instance's wasm memory has grown.

use wasm_bindgen::prelude::*;

/// Bytes of wasm linear memory this instance holds (memory grows and never shrinks, so after an
/// analysis this is its peak).
#[wasm_bindgen(js_name = wasmMemoryBytes)]
pub fn wasm_memory_bytes() -> f64 {
    (core::arch::wasm32::memory_size::<0>() as f64) * 65536.0
}
