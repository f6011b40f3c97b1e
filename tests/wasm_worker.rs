//! The worker's side in a real dedicated worker (headless Chromium): a `Blob` read in slices
//! with `FileReaderSync` gives the same model and the same IDs as the bytes in memory, and read
//! errors name the file.
#![cfg(target_arch = "wasm32")]

use idscope::analysis::{LayerInput, analyse_layer};
use idscope::params::Params;
use idscope::progress::Silent;
use idscope::readers::{ByteSource, MemorySource, SourceError, group};
use idscope::results::LayerResult;
use idscope::web::session::Session;
use idscope::web::source::BlobSource;
use js_sys::{Array, Reflect, Uint8Array};
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
fn session_analyses_a_blob_like_the_core_analyses_memory() {
    let mut s = Session::new();
    let info = s
        .open(
            1,
            Array::of1(&blob(FIXTURE)),
            Array::of1(&"gauss8_d40.npy".into()),
        )
        .unwrap();
    let layers = Reflect::get(&info, &"layers".into()).unwrap();
    assert_eq!(Array::from(&layers).length(), 1);

    let params = serde_json::json!({ "seed": 7, "repeats": 5, "gride": true });
    let params_js = params
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap();
    let progress = js_sys::Function::new_with_args("f", "return true");
    let got: LayerResult =
        serde_wasm_bindgen::from_value(s.analyse(1, 0, params_js, &progress).unwrap()).unwrap();

    let sources: Vec<Box<dyn ByteSource>> =
        vec![Box::new(MemorySource::new("gauss8_d40.npy", FIXTURE))];
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
    let e = s
        .open(
            2,
            Array::of1(&blob(&FIXTURE[..60])),
            Array::of1(&"broken.npy".into()),
        )
        .unwrap_err();
    let file = Reflect::get(&e, &"file".into()).unwrap();
    assert_eq!(file.as_string().as_deref(), Some("broken.npy"));
}
