#![no_main]
//! Any bytes: format sniffing and every reader behind it, alone and grouped with labels.
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    common::exercise("fuzz.bin", data);
    common::exercise_group(data, "layer2.npy", "labels.npy");
});
