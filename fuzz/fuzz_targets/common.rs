#![allow(dead_code)]
//! Shared by every fuzz target: open the bytes and read everything they claim to hold.

use idscope::readers::{ByteSource, Limits, MemorySource, Model, group_with, open_with};

pub fn limits() -> Limits {
    Limits {
        max_inflated_total: 16 << 20,
        max_text_line: 1 << 20,
        ..Limits::default()
    }
}

pub fn mem(name: &str, bytes: &[u8]) -> Box<dyn ByteSource> {
    Box::new(MemorySource::new(name, bytes.to_vec()))
}

/// Opens `bytes` as `name` and reads every layer (whole and a row range) and the labels.
pub fn exercise(name: &str, bytes: &[u8]) {
    if let Ok(c) = open_with(mem(name, bytes), &limits()) {
        let _ = c.describe();
        for (i, e) in c.entries.iter().enumerate() {
            if (e.rows as u64).saturating_mul(e.cols as u64) <= 1 << 22 {
                let _ = c.read_layer(i);
                let _ = c.read_rows(i, e.rows / 2..e.rows);
            }
        }
        let _ = c.read_labels();
        if let Ok(m) = Model::from_container(c) {
            let _ = m.describe();
        }
    }
}

/// Splits `bytes` into a layer file and a labels file and groups them.
pub fn exercise_group(bytes: &[u8], layer_name: &str, labels_name: &str) {
    let k = bytes.first().map_or(0, |&b| b as usize * bytes.len() / 256);
    let (a, b) = bytes.split_at(k.min(bytes.len()));
    if let Ok(m) = group_with(vec![mem(layer_name, a), mem(labels_name, b)], &limits()) {
        for i in 0..m.layers.len() {
            let _ = m.read_layer(i);
        }
        let _ = m.read_labels();
    }
}
