#![no_main]
//! .npz: zip structure (end records, central directory, ZIP64, deflate) around .npy members.
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let mut bytes = b"PK\x03\x04".to_vec();
    bytes.extend_from_slice(data.strip_prefix(b"PK\x03\x04".as_slice()).unwrap_or(data));
    common::exercise("fuzz.npz", &bytes);
});
