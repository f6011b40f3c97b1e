//! The page's chart entries in headless Chromium (main thread): every chart kind draws ink on a
//! canvas and exports as SVG; a bad kind or bad data is an error, not a trap.
#![cfg(target_arch = "wasm32")]

use idscope::analysis::{LayerInput, analyse_layer};
use idscope::params::Params;
use idscope::progress::Silent;
use idscope::readers::{ByteSource, MemorySource, group};
use idscope::results::LayerResult;
use idscope::web::draw::{draw_chart, svg_chart};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

wasm_bindgen_test_configure!(run_in_browser);

const FIXTURE: &[u8] = include_bytes!("fixtures/reference/gauss8_d40.npy");

fn result() -> LayerResult {
    let sources: Vec<Box<dyn ByteSource>> =
        vec![Box::new(MemorySource::new("gauss8_d40.npy", FIXTURE))];
    let model = group(sources).unwrap();
    let layer = model.read_layer(0).unwrap();
    let params = Params {
        repeats: 5,
        gride: true,
        decimation: true,
        pc_id: true,
        ..Params::default()
    }
    .check()
    .unwrap();
    let input = LayerInput {
        name: "gauss",
        index: 0,
        data: layer.data.view(),
        n_input: layer.data.nrows(),
        non_finite_dropped: 0,
        labels: None,
    };
    analyse_layer(input, &params, &mut Silent).unwrap()
}

fn js<T: serde::Serialize>(v: &T) -> JsValue {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap()
}

fn canvas(w: u32, h: u32) -> HtmlCanvasElement {
    let doc = web_sys::window().unwrap().document().unwrap();
    let c: HtmlCanvasElement = doc.create_element("canvas").unwrap().dyn_into().unwrap();
    c.set_width(w);
    c.set_height(h);
    c
}

/// Share of sampled pixels that differ from the top-left (background) pixel.
fn ink(c: &HtmlCanvasElement) -> f64 {
    let ctx: CanvasRenderingContext2d = c.get_context("2d").unwrap().unwrap().dyn_into().unwrap();
    let d = ctx
        .get_image_data(0.0, 0.0, c.width() as f64, c.height() as f64)
        .unwrap()
        .data();
    let bg = [d[0], d[1], d[2]];
    let (mut other, mut n) = (0usize, 0usize);
    for px in d.chunks_exact(4).step_by(5) {
        n += 1;
        if px[..3]
            .iter()
            .zip(bg)
            .map(|(a, b)| a.abs_diff(b) as u32)
            .sum::<u32>()
            > 30
        {
            other += 1;
        }
    }
    other as f64 / n as f64
}

#[wasm_bindgen_test]
fn every_layer_chart_draws_ink_and_exports_svg() {
    let r = js(&result());
    for kind in ["mu", "cdf", "decimation", "gride", "spectrum"] {
        let c = canvas(800, 500);
        let opts = js(&serde_json::json!({ "scale": 1.0, "log_x": kind == "mu" }));
        let hovers = draw_chart(c.clone(), kind, r.clone(), opts.clone())
            .unwrap_or_else(|_| panic!("{kind} draws"));
        assert!(
            js_sys::Array::from(&hovers).length() > 0,
            "{kind}: hover points"
        );
        let share = ink(&c);
        assert!(share > 0.01, "{kind}: {share} of the canvas inked");
        let svg =
            svg_chart(kind, r.clone(), opts, 640, 400).unwrap_or_else(|_| panic!("{kind} exports"));
        assert!(svg.starts_with("<svg") && svg.len() > 1000, "{kind}: SVG");
    }
}

#[wasm_bindgen_test]
fn the_hunchback_draws_models_with_missing_layers_in_dark_mode() {
    let one = result();
    let data = serde_json::json!([{ "model": "a", "layers": [one, null, one] }, { "model": "b", "layers": [one] }]);
    let c = canvas(1000, 400);
    let hovers = draw_chart(
        c.clone(),
        "hunchback",
        js(&data),
        js(&serde_json::json!({ "dark": true, "depth": true })),
    )
    .unwrap();
    assert!(js_sys::Array::from(&hovers).length() >= 3);
    assert!(ink(&c) > 0.01);
}

#[wasm_bindgen_test]
fn bad_kind_or_data_is_an_error_not_a_trap() {
    let c = canvas(300, 200);
    assert!(draw_chart(c.clone(), "pie", js(&result()), JsValue::NULL).is_err());
    assert!(draw_chart(c, "mu", JsValue::from_str("nope"), JsValue::NULL).is_err());
}
