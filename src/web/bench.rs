//! Benchmark entries for the bench command (feature `bench`, which scripts/bench.sh builds): the wasm SIMD peak and the Gram kernel's speed, run
//! in Node or a worker (each blocks for about `minSeconds`). V8 first runs a function from its
//! baseline compiler and uses the optimised code from a later call on, so call each once briefly
//! (e.g. `minSeconds` 0.3) before the timed call.

use wasm_bindgen::prelude::*;

/// GFLOP/s of a pure f32x4 loop of the kernel's multiply-add (fused in the relaxed-SIMD build)
/// on this core (see [`crate::knn::bench`]).
#[wasm_bindgen(js_name = simdPeakGflops)]
pub fn simd_peak_gflops(min_seconds: f64) -> f64 {
    crate::knn::bench::simd_peak_gflops(min_seconds)
}

/// GFLOP/s of a pure f32x4 mul-then-add loop on this core, in any build (the plain SIMD128 peak).
#[wasm_bindgen(js_name = unfusedPeakGflops)]
pub fn unfused_peak_gflops(min_seconds: f64) -> f64 {
    crate::knn::bench::unfused_peak_gflops(min_seconds)
}

/// GFLOP/s of the production Gram kernel on seeded n × d data, symmetric work counted once.
#[wasm_bindgen(js_name = gramGflops)]
pub fn gram_gflops(n: usize, d: usize, min_seconds: f64) -> f64 {
    crate::knn::bench::gram_gflops(n, d, min_seconds)
}
