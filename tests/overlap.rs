//! The neighbourhood overlap with the labels (χ^gt) against DADApy 0.3.4's
//! `return_label_overlap` (tests/fixtures/overlap/, made by make_overlap.py): on an integer grid
//! with ties, duplicated rows and imbalanced classes (both duplicate policies) and on two layers
//! of the demo MLP; a fixed k and a class fraction; in memory and streamed; per class too.
#![cfg(not(target_arch = "wasm32"))]

use idscope::analysis::{analyse_model_layer, streamed};
use idscope::estimators::overlap::{LabelOverlap, OverlapAverage};
use idscope::estimators::{CheckedParams, Params};
use idscope::params::DuplicatePolicy;
use idscope::readers::{ByteSource, FileSource, Model, group};
use idscope::support::progress::Silent;
use serde_json::Value;

fn model(files: &[&str]) -> Model {
    let sources: Vec<Box<dyn ByteSource>> =
        files.iter().map(|f| Box::new(FileSource::open(f).unwrap()) as Box<dyn ByteSource>).collect();
    group(sources).unwrap()
}

fn params(case: &Value) -> CheckedParams {
    let mut p = Params::default();
    p.twonn.repeats = 0;
    p.duplicates = if case["duplicates"] == "keep" { DuplicatePolicy::Keep } else { DuplicatePolicy::KeepOne };
    (p.overlap.run, p.overlap.k) = (true, case["k"].as_u64().unwrap() as usize);
    p.overlap.class_fraction = case["class_fraction"].as_f64();
    p.overlap.average = if case["average"] == "point" { OverlapAverage::Point } else { OverlapAverage::Class };
    p.check().unwrap()
}

fn check(case: &Value, o: &LabelOverlap, how: &str) {
    let what = format!(
        "{how} {} {} k={} f={} {}",
        case["layer"], case["duplicates"], case["k"], case["class_fraction"], case["average"]
    );
    assert_eq!(o.points as u64, case["points"].as_u64().unwrap(), "{what}: points");
    assert_eq!(
        (o.k as u64, o.class_fraction),
        (case["k"].as_u64().unwrap(), case["class_fraction"].as_f64()),
        "{what}"
    );
    let want = case["overlap"].as_f64().unwrap();
    assert!((o.overlap - want).abs() <= 1e-12, "{what}: {} vs DADApy {want}", o.overlap);
    let classes = case["classes"].as_array().unwrap();
    assert_eq!(o.classes.len(), classes.len(), "{what}");
    for (c, w) in o.classes.iter().zip(classes) {
        let want = (w["class"].as_u64().unwrap(), w["points"].as_u64().unwrap(), w["k"].as_u64().unwrap());
        assert_eq!((c.class as u64, c.points as u64, c.k as u64), want, "{what}");
        assert!((c.overlap - w["overlap"].as_f64().unwrap()).abs() <= 1e-12, "{what}: class {}", c.class);
        assert_eq!(c.name, c.class.to_string(), "integer labels are named by their number");
    }
}

#[test]
fn label_overlap_matches_dadapy_in_memory_and_streamed() {
    let fixture: Value =
        serde_json::from_str(&std::fs::read_to_string("tests/fixtures/overlap/overlap.json").unwrap()).unwrap();
    let grid = model(&["tests/fixtures/overlap/grid.npy", "tests/fixtures/overlap/grid_labels.npy"]);
    let demo = model(&["www/demo/digits_trained.npz"]);
    let cases = fixture["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 40);
    assert_eq!(cases.iter().filter(|c| c["class_fraction"].is_f64()).count(), 16);
    for case in cases {
        let (m, name) = match case["layer"].as_str().unwrap() {
            "grid" => (&grid, "grid"),
            layer => (&demo, layer),
        };
        let index = m.layers.iter().position(|l| l.name == name).unwrap();
        let labels = m.read_labels().unwrap().unwrap();
        let p = params(case);
        let r = analyse_model_layer(m, index, Some(&labels), &p, &mut Silent).unwrap();
        check(case, r.estimates.overlap.as_ref().unwrap(), "in memory");
        if name != "hidden4" {
            let s = streamed::analyse_layer(m.layer(index).unwrap(), index, Some(&labels), &p, 64 << 20, &mut Silent)
                .unwrap();
            check(case, s.estimates.overlap.as_ref().unwrap(), "streamed");
        }
    }
}

#[test]
fn without_labels_there_is_no_overlap_and_with_them_the_cli_prints_it() {
    let m = model(&["tests/fixtures/overlap/grid.npy"]);
    let mut p = Params::default();
    (p.twonn.repeats, p.overlap.run) = (0, true);
    let r = analyse_model_layer(&m, 0, None, &p.check().unwrap(), &mut Silent).unwrap();
    assert_eq!(r.estimates.overlap, None);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_idscope"))
        .args(["estimate", "www/demo/digits_trained.npz", "--layer", "hidden4", "--repeats", "0", "--overlap"])
        .args(["--overlap-k", "10", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let o = &v["layers"][0]["overlap"];
    assert_eq!((o["k"].as_u64(), o["average"].as_str()), (Some(10), Some("class")));
    assert!((o["overlap"].as_f64().unwrap() - 0.9828695978791314).abs() <= 1e-12, "{o}");
    assert_eq!(o["classes"].as_array().unwrap().len(), 10);
    assert_eq!(v["params"]["overlap_k"], 10);
}
