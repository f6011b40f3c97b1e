//! idscope: the intrinsic dimension of neural-network representations.
//!
//! A plain-Rust core (neighbour search, TwoNN, Gride, decimation, PC-ID, file readers) that runs
//! unchanged natively and compiled to wasm32 with SIMD128; the `web` module is a thin wasm-bindgen
//! layer over it and the `idscope` binary a command line over it.

// A failure is a typed error for the caller to report, never a panic (tests may unwrap).
#![deny(clippy::unwrap_used, clippy::expect_used)]

pub mod analysis;
pub mod charts;
pub mod compare;
pub mod density;
pub mod estimators;
pub mod knn;
pub mod lesson;
pub mod params;
pub mod readers;
pub mod results;
pub mod support;
#[cfg(target_arch = "wasm32")]
pub mod web;
