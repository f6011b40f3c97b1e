#![no_main]
//! .npy: the bytes after the magic (header dict, shape, data).
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let mut bytes = b"\x93NUMPY".to_vec();
    bytes.extend_from_slice(data.strip_prefix(b"\x93NUMPY".as_slice()).unwrap_or(data));
    common::exercise("fuzz.npy", &bytes);
});
