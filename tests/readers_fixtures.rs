//! Files written by the real writers (numpy, the safetensors package, Embedding Projector TSV; see
//! scripts/make_reader_fixtures.py) read back bit for bit, whole and in row ranges.
// Native only: these tests read files by path (the wasm build reads Blobs, tests/wasm_worker.rs).
#![cfg(not(target_arch = "wasm32"))]

mod common;

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

/// The cases of a manifest (`manifest.json` under the fixtures, or one beside its own fixtures).
fn cases(manifest: &str) -> Vec<Value> {
    let m: Value = serde_json::from_str(&std::fs::read_to_string(root().join(manifest)).unwrap()).unwrap();
    m["cases"].as_array().unwrap().clone()
}

#[test]
fn every_fixture_reads_back_bit_for_bit() {
    let cases = cases("manifest.json");
    assert!(cases.len() >= 30);
    cases.iter().for_each(reads_back);
}

/// pandas' `to_csv` quoting (tests/fixtures/readers/quoted/make_quoted.py): labels with commas,
/// `""` escapes, newlines and a CRLF inside quotes.
#[test]
fn pandas_quoted_csv_reads_back_bit_for_bit() {
    cases("quoted/manifest.json").iter().for_each(reads_back);
}

/// One case: its layers' values (whole and in row ranges) and its labels.
fn reads_back(case: &Value) {
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

fn small_npy(rows: usize, cols: usize, descr: &str) -> Vec<u8> {
    let mut out = common::npy_header(descr, &format!("({rows}, {cols})"), false);
    out.extend((0..rows * cols).flat_map(|i| (i as f32).to_le_bytes()));
    out
}

fn mem(name: &str, bytes: Vec<u8>) -> Box<dyn ByteSource> {
    Box::new(idscope::readers::MemorySource::new(name, bytes))
}

#[test]
fn groups_sort_files_naturally_and_find_the_labels_file() {
    let m = group(vec![
        mem("block10.npy", small_npy(4, 2, "<f4")),
        mem("targets.txt", b"1\n2\n1\n3\n".to_vec()),
        mem("block2.npy", small_npy(4, 3, "<f4")),
        mem("Block1.npy", small_npy(4, 1, "<f4")),
    ])
    .unwrap();
    let names: Vec<&str> = m.layers.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["Block1", "block2", "block10"]);
    let labels = m.read_labels().unwrap().unwrap();
    assert_eq!(
        (labels.names.clone(), labels.ids.clone()),
        (vec!["1".to_string(), "2".into(), "3".into()], vec![0, 1, 0, 2])
    );
    assert_eq!(m.labels.as_ref().unwrap().file, "targets.txt");
    // --layer NAME keeps the named layers in the order asked.
    let s = m.select(&["block10".into(), "Block1".into()]).unwrap();
    assert_eq!(s.layers.iter().map(|l| l.cols).collect::<Vec<_>>(), [2, 1]);
    assert!(m.select(&["nope".into()]).unwrap_err().to_string().contains("layers are: Block1, block2, block10"));
    // Layers read through the group come from their own files.
    assert_eq!(m.read_rows(2, 3..4).unwrap().as_slice().unwrap(), [6.0, 7.0]);
    // A lone 1-D .npy (any name) is labels too.
    let y = open(source("labels_int.npy")).unwrap();
    assert!(y.entries.is_empty() && y.labels.is_some());
}

#[test]
fn sniffing_ignores_extensions() {
    let c = open(mem("actually_npy.csv", small_npy(3, 2, "<f4"))).unwrap();
    assert_eq!(c.format.to_string(), "npy");
    let bytes = std::fs::read(root().join("mixed.safetensors")).unwrap();
    assert_eq!(open(mem("weights.bin", bytes)).unwrap().format.to_string(), "safetensors");
    let bytes = std::fs::read(root().join("savez.npz")).unwrap();
    assert_eq!(open(mem("acts.zip", bytes)).unwrap().format.to_string(), "npz");
}

#[test]
fn fortran_rows_read_by_column_match_the_streamed_path() {
    // 300 000 × 3 column-major: a few rows take the one-read-per-column path, all rows the stream.
    let (n, d) = (300_000usize, 3usize);
    let mut b = common::npy_header("<f4", &format!("({n}, {d})"), true);
    for c in 0..d {
        b.extend((0..n).flat_map(|r| ((r * 10 + c) as f32).to_le_bytes()));
    }
    let c = open(mem("f.npy", b)).unwrap();
    let few = c.read_rows(0, 1000..1002).unwrap();
    assert_eq!(few.as_slice().unwrap(), [10000.0, 10001.0, 10002.0, 10010.0, 10011.0, 10012.0]);
    let all = c.read_rows(0, 0..n).unwrap();
    assert_eq!(all.row(1001).to_vec(), [10010.0, 10011.0, 10012.0]);
    assert_eq!(all.row(n - 1).to_vec(), [(n * 10 - 10) as f32, (n * 10 - 9) as f32, (n * 10 - 8) as f32]);
}

#[test]
fn open_paths_reads_one_file_or_several_and_names_missing_ones() {
    let m = idscope::readers::open_paths(&[root().join("savez.npz")]).unwrap();
    assert_eq!(m.layers.len(), 3);
    print!("{}", m.describe());
    let e = idscope::readers::open_paths(&[root().join("nope.npy")]).unwrap_err();
    assert!(e.to_string().contains("nope.npy"), "{e}");
}
