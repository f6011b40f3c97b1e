//! The page's chart entries in headless Chromium (main thread): every chart kind draws ink on a
//! canvas and exports as SVG; a bad kind or bad data is an error, not a trap; the analyses'
//! table exports return the documented JSON shapes.
#![cfg(target_arch = "wasm32")]

use idscope::analysis::{LayerInput, analyse_layer};
use idscope::estimators::Params;
use idscope::estimators::PointLabels;
use idscope::estimators::decimation::DecimationParams;
use idscope::estimators::gride::GrideParams;
use idscope::estimators::pcid::PcIdParams;
use idscope::estimators::surrogate::SurrogateParams;
use idscope::estimators::twonn::TwoNnParams;
use idscope::readers::{ByteSource, MemorySource, group};
use idscope::results::LayerResult;
use idscope::support::progress::Silent;
use idscope::web::analyses::{compare, per_class_summary};
use idscope::web::draw::{draw_chart, svg_chart};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

wasm_bindgen_test_configure!(run_in_browser);

const FIXTURE: &[u8] = include_bytes!("fixtures/reference/gauss8_d40.npy");

fn result() -> LayerResult {
    let sources: Vec<Box<dyn ByteSource>> = vec![Box::new(MemorySource::new("gauss8_d40.npy", FIXTURE))];
    let model = group(sources).unwrap();
    let layer = model.read_layer(0).unwrap();
    let params = Params {
        per_class: true,
        twonn: TwoNnParams { repeats: 5, ..Default::default() },
        gride: GrideParams { run: true, ..Default::default() },
        decimation: DecimationParams { run: true, ..Default::default() },
        surrogate: SurrogateParams { run: true },
        pc_id: PcIdParams { run: true, ..Default::default() },
        ..Params::default()
    }
    .check()
    .unwrap();
    let ids: Vec<u32> = (0..layer.data.nrows() as u32).map(|i| i % 3).collect();
    let names: Vec<String> = ["cat", "dog", "eel"].map(String::from).to_vec();
    let input = LayerInput {
        name: "gauss",
        index: 0,
        data: layer.data.view(),
        n_input: layer.data.nrows(),
        non_finite_dropped: 0,
        labels: Some(PointLabels { ids: &ids, names: &names }),
    };
    analyse_layer(input, &params, &mut Silent).unwrap()
}

fn js<T: serde::Serialize>(v: &T) -> JsValue {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).unwrap()
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
    let d = ctx.get_image_data(0.0, 0.0, c.width() as f64, c.height() as f64).unwrap().data();
    let bg = [d[0], d[1], d[2]];
    let (mut other, mut n) = (0usize, 0usize);
    for px in d.chunks_exact(4).step_by(5) {
        n += 1;
        if px[..3].iter().zip(bg).map(|(a, b)| a.abs_diff(b) as u32).sum::<u32>() > 30 {
            other += 1;
        }
    }
    other as f64 / n as f64
}

#[wasm_bindgen_test]
fn every_layer_chart_draws_ink_and_exports_svg() {
    let r = js(&result());
    for kind in ["mu", "cdf", "decimation", "gride", "spectrum", "surrogate"] {
        let c = canvas(800, 500);
        let opts = js(&serde_json::json!({ "scale": 1.0, "log_x": kind == "mu" }));
        let hovers = draw_chart(c.clone(), kind, r.clone(), opts.clone()).unwrap_or_else(|_| panic!("{kind} draws"));
        assert!(js_sys::Array::from(&hovers).length() > 0, "{kind}: hover points");
        let share = ink(&c);
        assert!(share > 0.01, "{kind}: {share} of the canvas inked");
        let svg = svg_chart(kind, r.clone(), opts, 640, 400).unwrap_or_else(|_| panic!("{kind} exports"));
        assert!(svg.starts_with("<svg") && svg.len() > 1000, "{kind}: SVG");
    }
}

#[wasm_bindgen_test]
fn the_hunchback_draws_models_with_missing_layers_in_dark_mode() {
    let one = result();
    let data = serde_json::json!([{ "model": "a", "layers": [one, null, one] }, { "model": "b", "layers": [one] }]);
    let c = canvas(1000, 400);
    let hovers =
        draw_chart(c.clone(), "hunchback", js(&data), js(&serde_json::json!({ "dark": true, "depth": true }))).unwrap();
    assert!(js_sys::Array::from(&hovers).length() >= 3);
    assert!(ink(&c) > 0.01);
}

#[wasm_bindgen_test]
fn bad_kind_or_data_is_an_error_not_a_trap() {
    let c = canvas(300, 200);
    assert!(draw_chart(c.clone(), "pie", js(&result()), JsValue::NULL).is_err());
    assert!(draw_chart(c, "mu", JsValue::from_str("nope"), JsValue::NULL).is_err());
}

/// Draws `kind` of `data` with `opts` on an 800 × 500 canvas: the hover count and the ink share.
fn draw(kind: &str, data: &serde_json::Value, opts: serde_json::Value) -> (u32, f64) {
    let c = canvas(800, 500);
    let hovers = draw_chart(c.clone(), kind, js(data), js(&opts)).unwrap_or_else(|_| panic!("{kind} draws"));
    let svg = svg_chart(kind, js(data), js(&opts), 640, 400).unwrap_or_else(|_| panic!("{kind} exports"));
    assert!(svg.starts_with("<svg") && svg.len() > 1000, "{kind}: SVG");
    (js_sys::Array::from(&hovers).length(), ink(&c))
}

#[wasm_bindgen_test]
fn the_analyses_across_models_draw_ink() {
    let one = result();
    let models =
        serde_json::json!([{ "model": "a", "layers": [one, null, one] }, { "model": "b", "layers": [one, one] }]);
    let (hovers, share) = draw("per_class", &models, serde_json::json!({ "classes": true, "depth": true }));
    assert!(hovers >= 4 + 4 * 3 && share > 0.01, "per_class: {hovers} hovers, {share} inked");
    let (hovers, _) = draw("hunchback", &models, serde_json::json!({ "pc_id": true }));
    assert_eq!(hovers, 2 * 4, "TwoNN and PC-ID per layer");
    let (hovers, _) = draw("hunchback", &models, serde_json::json!({}));
    assert_eq!(hovers, 4, "PC-ID off by default");
    let acc = serde_json::json!({ "measure": "top5_error", "points": [
        { "model": "a", "layer": "fc", "id": 10.0, "id_err": 0.5, "value": 0.3 },
        { "model": "b", "layer": "fc", "id": 14.0, "id_err": null, "value": 0.25 },
        { "model": "c", "layer": "fc", "id": 20.0, "id_err": 1.0, "value": 0.1 }] });
    let (hovers, share) = draw("accuracy", &acc, serde_json::json!({ "dark": true, "scale": 2.0 }));
    assert!(hovers == 3 && share > 0.01, "accuracy: {hovers}, {share}");
    let ids: idscope::compare::ClassIds =
        serde_json::from_value(serde_json::json!({ "layer": "fc", "models": ["a", "b", "c"],
        "classes": ["x", "y", "z", "w"], "ids": [[1.0, 2.0, 3.0, 4.0], [2.0, 1.0, 4.0, 3.0], [4.0, 3.0, 2.0, 1.5]] }))
        .unwrap();
    let corr =
        serde_json::json!({ "table": idscope::compare::correlation_table(&ids).unwrap(), "ids": ids, "note": null });
    let (hovers, share) = draw("correlation", &corr, serde_json::json!({}));
    assert!(hovers == 9 && share > 0.3, "correlation: {hovers}, {share}");
}

/// `value` (a JS object) as JSON.
fn json(value: JsValue) -> serde_json::Value {
    serde_wasm_bindgen::from_value(value).unwrap()
}

#[wasm_bindgen_test]
fn the_analyses_tables_have_the_documented_shapes() {
    let one = result();
    let layers = serde_json::json!([{ "name": "in", "result": one }, { "name": "gauss", "result": one }, { "name": "out", "result": null }]);
    let model = |name: &str, value: f64| serde_json::json!({ "model": name, "layers": layers, "accuracy": { "measure": "accuracy", "value": value } });
    let input =
        serde_json::json!({ "models": [model("a", 0.5), model("b", 0.7), model("c", 0.9)], "choice": "name:in" });
    let c = json(compare(js(&input)).unwrap());
    assert_eq!(c["models"][0]["last_hidden"], "gauss", "the layer before the output");
    assert_eq!(c["models"][1]["layers"][2]["relative_depth"], 1.0);
    assert_eq!(c["choice"]["value"], "name:in");
    let corr = &c["correlation"];
    assert_eq!(corr["ids"]["classes"], serde_json::json!(["cat", "dog", "eel"]));
    assert_eq!(corr["ids"]["ids"][0], corr["ids"]["ids"][1]);
    let t = &corr["table"];
    assert_eq!((t["n"].as_u64(), &t["models"]), (Some(3), &serde_json::json!(["a", "b", "c"])));
    let r = t["pearson"][1][0].as_f64().unwrap();
    assert!((r - 1.0).abs() < 1e-12, "identical vectors: r = {r}");
    for k in ["pearson_p", "spearman", "spearman_p"] {
        assert_eq!(t[k].as_array().unwrap().len(), 3, "{k}");
    }
    let points = c["accuracy"]["points"].as_array().unwrap();
    assert_eq!(points.len(), 3);
    assert_eq!(points[2]["layer"], "gauss");
    assert_eq!(c["accuracy_fit"]["n"], 3);
    assert!(c["accuracy_fit"]["slope"].is_null(), "one ID for three accuracies: no line");
    let summary = json(per_class_summary(js(&serde_json::json!([{ "model": "a", "layers": [one, null] }]))).unwrap());
    assert_eq!(summary[0]["model"], "a");
    assert_eq!(summary[0]["layers"][0]["n_classes"], 3);
    assert!(summary[0]["layers"][0]["mean"].as_f64().unwrap() > 1.0);
    assert!(summary[0]["layers"][1].is_null());
    assert!(
        compare(js(&serde_json::json!({ "models": [{ "model": "a" }] }))).is_err(),
        "a model without layers is malformed"
    );
}
