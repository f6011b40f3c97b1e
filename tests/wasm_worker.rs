//! The worker's side in a real dedicated worker (headless Chromium): a `Blob` read in slices
//! with `FileReaderSync` gives the same model and the same IDs as the bytes in memory, and read
//! errors name the file; a layer over `memory_limit_mb` is streamed from the `Blob` by column
//! chunks with the same IDs; the split path (tile parts, row parts, final estimates on the
//! loaded layer) gives the IDs of one analysis.
#![cfg(target_arch = "wasm32")]

use idscope::analysis::{LayerInput, analyse_layer, analyse_model_layer};
use idscope::estimators::Params;
use idscope::estimators::decimation::DecimationParams;
use idscope::estimators::gride::GrideParams;
use idscope::estimators::pcid::PcIdParams;
use idscope::estimators::twonn::TwoNnParams;
use idscope::readers::{ByteSource, MemorySource, SourceError, group};
use idscope::results::LayerResult;
use idscope::support::progress::Silent;
use idscope::web::session::Session;
use idscope::web::source::BlobSource;
use js_sys::{Array, Float64Array, Object, Reflect, Uint8Array, Uint32Array};
use serde::Serialize;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::Blob;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

const FIXTURE: &[u8] = include_bytes!("fixtures/reference/gauss8_d40.npy");

fn blob(bytes: &[u8]) -> Blob {
    let parts = Array::of1(&Uint8Array::from(bytes));
    Blob::new_with_u8_array_sequence(&parts).unwrap()
}

#[wasm_bindgen_test]
fn blob_source_reads_ranges_like_memory() {
    let b = BlobSource::new("g.npy", blob(FIXTURE)).unwrap();
    assert_eq!(b.len(), FIXTURE.len() as u64);
    let mut buf = vec![0u8; 1000];
    b.read_at(123, &mut buf).unwrap();
    assert_eq!(&buf[..], &FIXTURE[123..1123]);
    let err = b.read_at(FIXTURE.len() as u64 - 10, &mut buf).unwrap_err();
    assert!(matches!(err, SourceError::OutOfBounds { .. }), "{err}");
}

#[wasm_bindgen_test]
fn blob_source_reads_ahead_of_close_forward_reads_only() {
    // 1 MiB of distinct bytes; rows of 4 KiB read 1 KiB each, as a streamed chunk reads them.
    let data: Vec<u8> = (0..1u32 << 20).map(|i| (i * 7 + i / 251) as u8).collect();
    let b = BlobSource::new("rows.npy", blob(&data)).unwrap();
    let mut buf = vec![0u8; 1024];
    // Not allowed to (the default): one round trip per read.
    for row in 0..4u64 {
        b.read_at(row * 4096 + 512, &mut buf).unwrap();
    }
    assert_eq!(b.fetches(), 4);
    assert_eq!(b.read_ahead(1 << 30), 0, "the allowance before");
    let before = b.fetches();
    for row in 0..256u64 {
        b.read_at(row * 4096 + 512, &mut buf).unwrap();
        assert_eq!(&buf[..], &data[(row * 4096 + 512) as usize..][..1024], "row {row}");
    }
    // One round trip per 256 KiB window of rows (the most it reads ahead, however much it may).
    assert_eq!(b.fetches() - before, 4, "{} fetches for 256 rows", b.fetches() - before);
    // Backward and far reads fetch only what is asked.
    let before = b.fetches();
    for at in [10u64, 700_000, 10, (1 << 20) - 1024] {
        b.read_at(at, &mut buf).unwrap();
        assert_eq!(&buf[..], &data[at as usize..][..1024], "at {at}");
    }
    assert_eq!(b.fetches() - before, 4);
    // A read as large as the window goes straight to the blob, and out of bounds is still refused.
    let mut big = vec![0u8; 300_000];
    b.read_at(5, &mut big).unwrap();
    assert_eq!(&big[..], &data[5..300_005]);
    let err = b.read_at((1 << 20) - 10, &mut buf).unwrap_err();
    assert!(matches!(err, SourceError::OutOfBounds { .. }), "{err}");
    // Withdrawn: one round trip per read again.
    assert_eq!(b.read_ahead(0), 256 << 10);
    let before = b.fetches();
    for row in 0..4u64 {
        b.read_at(row * 4096 + 512, &mut buf).unwrap();
        assert_eq!(&buf[..], &data[(row * 4096 + 512) as usize..][..1024]);
    }
    assert_eq!(b.fetches() - before, 4);
}

#[wasm_bindgen_test]
fn session_analyses_a_blob_like_the_core_analyses_memory() {
    let mut s = Session::new();
    let info = s.open(1, Array::of1(&blob(FIXTURE)), Array::of1(&"gauss8_d40.npy".into())).unwrap();
    let layers = Reflect::get(&info, &"layers".into()).unwrap();
    assert_eq!(Array::from(&layers).length(), 1);

    let params = serde_json::json!({ "seed": 7, "repeats": 5, "gride": true });
    let params_js = params.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).unwrap();
    let progress = js_sys::Function::new_with_args("f", "return true");
    let got: LayerResult = serde_wasm_bindgen::from_value(s.analyse(1, 0, params_js, &progress).unwrap()).unwrap();

    let sources: Vec<Box<dyn ByteSource>> = vec![Box::new(MemorySource::new("gauss8_d40.npy", FIXTURE))];
    let model = group(sources).unwrap();
    let layer = model.read_layer(0).unwrap();
    let p: Params = serde_json::from_value(params).unwrap();
    let input = LayerInput {
        name: &model.layers[0].name,
        index: 0,
        data: layer.data.view(),
        n_input: model.layers[0].rows,
        non_finite_dropped: 0,
        labels: None,
    };
    let want = analyse_layer(input, &p.check().unwrap(), &mut Silent).unwrap();
    assert_eq!(got.estimates, want.estimates);

    // Cancelling through the progress callback stops the analysis with an error.
    let cancel = js_sys::Function::new_with_args("f", "return false");
    assert!(s.analyse(1, 0, JsValue::UNDEFINED, &cancel).is_err());
}

#[wasm_bindgen_test]
fn a_corrupt_file_is_an_error_naming_it() {
    let mut s = Session::new();
    let e = s.open(2, Array::of1(&blob(&FIXTURE[..60])), Array::of1(&"broken.npy".into())).unwrap_err();
    let file = Reflect::get(&e, &"file".into()).unwrap();
    assert_eq!(file.as_string().as_deref(), Some("broken.npy"));
}

/// 200 × 1000 float32 (1.6 MB in memory with its centred copy) on a 3-dimensional linear
/// manifold, as a .npy file.
fn wide_npy() -> Vec<u8> {
    let (n, d) = (200usize, 1000usize);
    let dict = format!("{{'descr': '<f4', 'fortran_order': False, 'shape': ({n}, {d}), }}");
    let mut header = format!("{dict:<117}\n").into_bytes();
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.append(&mut header);
    let t = |i: usize, l: usize| {
        ((i * (7 + 2 * l) + 3 * l) % 101) as f32 / 101.0 + (i as f32 * 0.37 + l as f32).sin() * 0.2
    };
    let w = |l: usize, c: usize| ((c * 31 + l * 17) % 13) as f32 - 6.0;
    for i in 0..n {
        for c in 0..d {
            let v: f32 = (0..3).map(|l| t(i, l) * w(l, c)).sum();
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
    out
}

#[wasm_bindgen_test]
fn a_layer_over_the_memory_limit_is_streamed_from_the_blob_with_the_same_ids() {
    let bytes = wide_npy();
    let mut s = Session::new();
    s.open(2, Array::of1(&blob(&bytes)), Array::of1(&"wide.npy".into())).unwrap();
    let to_js = |v: &serde_json::Value| v.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).unwrap();
    let params = serde_json::json!({ "repeats": 5, "gride": true, "gride_range": 16, "decimation": true, "pc_id": true, "pc_max_points": 100, "memory_limit_mb": 1 });
    let progress = js_sys::Function::new_with_args("f", "return true");
    let got: LayerResult = serde_wasm_bindgen::from_value(s.analyse(2, 0, to_js(&params), &progress).unwrap()).unwrap();

    let model = group(vec![Box::new(MemorySource::new("wide.npy", bytes)) as Box<dyn ByteSource>]).unwrap();
    let p = Params {
        twonn: TwoNnParams { repeats: 5, ..Default::default() },
        gride: GrideParams { run: true, range: 16 },
        decimation: DecimationParams { run: true, ..Default::default() },
        pc_id: PcIdParams { run: true, max_points: 100, ..Default::default() },
        ..Params::default()
    }
    .check()
    .unwrap();
    let want = analyse_model_layer(&model, 0, None, &p, &mut Silent).unwrap();
    // The same to 1e-9 relative: the streamed exact distances sum in column-chunk order.
    let (g, w) = (&got.estimates, &want.estimates);
    assert_eq!(g.pc_id.as_ref().map(|p| p.id), w.pc_id.as_ref().map(|p| p.id));
    let numbers = |e: &idscope::results::Estimates| {
        let t = &e.twonn;
        let r = t.repeats.as_ref().map_or([0.0; 2], |r| [r.ml_mean, r.fit_mean]);
        [t.ml.id, t.fit.id, r[0], r[1], t.scale]
            .into_iter()
            .chain(e.gride.iter().map(|p| p.id))
            .chain(e.decimation.iter().map(|p| p.id_mean))
            .collect::<Vec<f64>>()
    };
    let (a, b) = (numbers(g), numbers(w));
    assert_eq!(a.len(), b.len());
    assert!(a.iter().zip(&b).all(|(x, y)| (x - y).abs() <= 1e-9 * y.abs()), "{a:?} vs {b:?}");

    let surrogate = serde_json::json!({ "surrogate": true, "memory_limit_mb": 1 });
    let err = s.analyse(2, 0, to_js(&surrogate), &progress).unwrap_err();
    let message = Reflect::get(&err, &"message".into()).unwrap().as_string().unwrap();
    assert!(message.contains("streamed by column chunks") && message.contains("surrogate"), "{message}");
}

/// The joined row parts' `{k, indices, distances}`, as the page's `joinParts` builds them.
fn join(parts: &[JsValue]) -> JsValue {
    let field = |p: &JsValue, name: &str| Reflect::get(p, &name.into()).unwrap();
    let indices: Vec<u32> = parts.iter().flat_map(|p| Uint32Array::from(field(p, "indices")).to_vec()).collect();
    let distances: Vec<f64> = parts.iter().flat_map(|p| Float64Array::from(field(p, "distances")).to_vec()).collect();
    let out = Object::new();
    Reflect::set(&out, &"k".into(), &field(&parts[0], "k")).unwrap();
    Reflect::set(&out, &"indices".into(), &Uint32Array::from(&indices[..])).unwrap();
    Reflect::set(&out, &"distances".into(), &Float64Array::from(&distances[..])).unwrap();
    out.into()
}

#[wasm_bindgen_test]
fn a_layer_split_over_two_parts_of_the_loaded_layer_gives_the_result_of_one_analysis() {
    let mut s = Session::new();
    s.open(3, Array::of1(&blob(FIXTURE)), Array::of1(&"gauss8_d40.npy".into())).unwrap();
    let params = serde_json::json!({ "seed": 3, "repeats": 4, "gride": true, "max_points": 300 })
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap();
    let progress = js_sys::Function::new_with_args("f", "return true");
    let whole: LayerResult =
        serde_wasm_bindgen::from_value(s.analyse(3, 0, params.clone(), &progress).unwrap()).unwrap();

    s.load(3, 0, params.clone()).unwrap();
    let tiles: Vec<Array> =
        (0..2).map(|p| Array::from(&s.candidates_part(3, 0, params.clone(), p, 2, &progress).unwrap())).collect();
    let rows: Vec<JsValue> = (0..2)
        .map(|q| {
            let slice: Array = tiles.iter().map(|t| t.get(q)).collect();
            s.neighbours_part(3, 0, params.clone(), &slice, &progress).unwrap()
        })
        .collect();
    let split: LayerResult = serde_wasm_bindgen::from_value(
        s.analyse_with_neighbours(3, 0, params.clone(), &join(&rows), &progress).unwrap(),
    )
    .unwrap();
    assert_eq!(split.subsampled_out, whole.subsampled_out);
    assert_eq!(split.estimates, whole.estimates);

    // Released (or never loaded), the layer is read again for the next request.
    s.release();
    let again: LayerResult =
        serde_wasm_bindgen::from_value(s.analyse_with_neighbours(3, 0, params, &join(&rows), &progress).unwrap())
            .unwrap();
    assert_eq!(again.estimates, whole.estimates);
}
