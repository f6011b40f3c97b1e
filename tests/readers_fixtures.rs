//! Files written by the real writers (numpy, the safetensors package, Embedding Projector TSV; see
//! scripts/make_reader_fixtures.py) read back bit for bit, whole and in row ranges.

use std::path::{Path, PathBuf};

use idscope::readers::{ByteSource, FileSource, Model, group, open};
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/readers")
}

fn source(rel: &str) -> Box<dyn ByteSource> {
    Box::new(FileSource::open(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}")))
}

fn model_of(case: &Value) -> Model {
    let path = case["path"].as_str().unwrap();
    if case["format"] == "group" {
        let files = case["files"].as_array().unwrap().iter().map(|f| source(f.as_str().unwrap())).collect();
        group(files).unwrap_or_else(|e| panic!("{e}"))
    } else {
        let c = open(source(path)).unwrap_or_else(|e| panic!("{e}"));
        let fmt = case["format"].as_str().unwrap();
        assert!(c.format.to_string().starts_with(fmt), "{path}: format {} vs {fmt}", c.format);
        Model::from_container(c).unwrap_or_else(|e| panic!("{e}"))
    }
}

#[test]
fn every_fixture_reads_back_bit_for_bit() {
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("manifest.json")).unwrap()).unwrap();
    let cases = manifest["cases"].as_array().unwrap();
    assert!(cases.len() >= 30);
    for case in cases {
        let path = case["path"].as_str().unwrap();
        let model = model_of(case);
        let want_layers = case["layers"].as_array().unwrap();
        let names: Vec<&str> = model.layers.iter().map(|l| l.name.as_str()).collect();
        let want_names: Vec<&str> = want_layers.iter().map(|l| l["name"].as_str().unwrap()).collect();
        assert_eq!(names, want_names, "{path}: layer order");
        for (i, want) in want_layers.iter().enumerate() {
            let (rows, cols) = (want["rows"].as_u64().unwrap() as usize, want["cols"].as_u64().unwrap() as usize);
            let bits: Vec<u32> = want["f32_bits"].as_array().unwrap().iter().map(|b| b.as_u64().unwrap() as u32).collect();
            let info = &model.layers[i];
            assert_eq!((info.rows, info.cols), (rows, cols), "{path}: {}", info.name);
            let all = model.read_rows(i, 0..rows).unwrap();
            let got: Vec<u32> = all.iter().map(|v| v.to_bits()).collect();
            assert_eq!(got, bits, "{path}: layer {} values", info.name);
            // Any row range equals the same slice of the whole.
            for (a, b) in [(1, rows - 1), (rows - 2, rows), (0, 1), (2, 2)] {
                let part = model.read_rows(i, a..b).unwrap();
                let got: Vec<u32> = part.iter().map(|v| v.to_bits()).collect();
                assert_eq!(got, bits[a * cols..b * cols], "{path}: layer {} rows {a}..{b}", info.name);
            }
            let data = model.read_layer(i).unwrap();
            assert_eq!(data.non_finite_dropped, 0);
            assert_eq!(data.kept_rows, (0..rows).collect::<Vec<_>>());
        }
        match &case["labels"] {
            Value::Null => assert!(model.labels.is_none(), "{path}: unexpected labels"),
            want => {
                let labels = model
                    .read_labels()
                    .unwrap_or_else(|e| panic!("{e}"))
                    .unwrap_or_else(|| panic!("{path}: labels missing"));
                let names: Vec<String> = serde_json::from_value(want["names"].clone()).unwrap();
                let ids: Vec<u32> = serde_json::from_value(want["ids"].clone()).unwrap();
                assert_eq!(labels.names, names, "{path}: label names");
                assert_eq!(labels.ids, ids, "{path}: label ids");
            }
        }
    }
}

#[test]
fn listing_shows_shapes_dtypes_and_metadata_from_headers() {
    let c = open(source("mixed.safetensors")).unwrap();
    let d = c.describe();
    assert!(d.contains("layer \"layer.10\": 4 points × 5 features (4×5 bfloat16"), "{d}");
    assert!(d.contains("model: fixture"), "{d}");
    assert_eq!(c.labels.as_ref().map(|l| l.len), Some(4));
    let c = open(source("savez_compressed.npz")).unwrap();
    assert_eq!(c.entries[0].shape, [6, 2, 2]);
    assert!(c.entries[0].compressed_size.is_some());
    let c = open(source("f4_fortran.npy")).unwrap();
    assert!(c.entries[0].fortran_order);
    assert_eq!(c.entries[0].dtype, "float32");
    let c = open(source("f8_be.npy")).unwrap();
    assert_eq!(c.entries[0].dtype, "float64 (big-endian)");
}

#[test]
fn layers_are_shareable_across_threads() {
    let model = model_of(&serde_json::json!({"path": "savez_compressed.npz", "format": "npz"}));
    let reader = model.layer(0).unwrap().clone();
    let whole = reader.read_rows(0..6).unwrap();
    let parts: Vec<_> = std::thread::scope(|s| {
        let hs: Vec<_> = [0..3, 3..6]
            .into_iter()
            .map(|r| {
                let reader = reader.clone();
                s.spawn(move || reader.read_rows(r).unwrap())
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let joined: Vec<f32> = parts.iter().flat_map(|p| p.iter().copied()).collect();
    assert_eq!(joined, whole.iter().copied().collect::<Vec<_>>());
}
