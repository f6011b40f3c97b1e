#![no_main]
//! CSV/TSV: delimiter, header and label sniffing, ragged rows, numbers; and tensors + metadata.
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    // Text never holds NUL (the sniffer would call it binary).
    let text: Vec<u8> = data
        .iter()
        .map(|&b| if b == 0 { b'\t' } else { b })
        .collect();
    common::exercise("fuzz.csv", &text);
    common::exercise_group(&text, "tensors.tsv", "metadata.tsv");
});
