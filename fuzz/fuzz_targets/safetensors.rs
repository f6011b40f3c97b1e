#![no_main]
//! safetensors: header length, JSON header, offsets.
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    common::exercise("fuzz.safetensors", data);
});
