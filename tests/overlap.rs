//! The neighbourhood overlaps against DADApy 0.3.4 (tests/fixtures/overlap/, made by
//! make_overlap.py): with the labels (χ^gt, `return_label_overlap`) on an integer grid with ties,
//! duplicated rows and imbalanced classes (both duplicate policies) and on two layers of the demo
//! MLP, a fixed k and a class fraction, in memory and streamed, per class too; between two
//! representations of the same points (χ(A, B), `return_data_overlap`) from the kept lists; the
//! information imbalance both ways (`_return_imbalance` on complete lists) from the exact rank pass.
#![cfg(not(target_arch = "wasm32"))]

use idscope::analysis::{analyse_model_layer, layer_ranks, streamed};
use idscope::compare::neighbourhood::{
    LayerNeighbourhood, LayerRanks, ModelNeighbourhoods, data_overlap, imbalance, neighbourhoods, pass_targets,
    rank_passes,
};
use idscope::estimators::neighbourhood::KeptNeighbours;
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

/// A fixture of tests/fixtures/overlap/.
fn fixture(file: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(format!("tests/fixtures/overlap/{file}")).unwrap()).unwrap()
}

/// The grid and two other representations of its points, as one model's layers.
fn grid_representations() -> Model {
    let dir = "tests/fixtures/overlap";
    model(&[&format!("{dir}/grid.npy"), &format!("{dir}/grid_projected.npy"), &format!("{dir}/grid_squared.npy")])
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
    let fixture = fixture("overlap.json");
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

/// Each layer's kept neighbourhoods, `k` deep, every row kept (duplicates: keep), by layer name.
fn kept(m: &Model, k: usize) -> Vec<(String, LayerNeighbourhood)> {
    let mut p = Params::default();
    (p.twonn.repeats, p.duplicates, p.neighbourhood.run, p.neighbourhood.k) = (0, DuplicatePolicy::Keep, true, k);
    let p = p.check().unwrap();
    (0..m.layers.len())
        .map(|i| {
            let r = analyse_model_layer(m, i, None, &p, &mut Silent).unwrap();
            (r.name.clone(), LayerNeighbourhood::from(&r))
        })
        .collect()
}

#[test]
fn data_overlap_matches_dadapy_from_the_kept_lists() {
    let fixture = fixture("data_overlap.json");
    let (grid, demo) = (grid_representations(), model(&["www/demo/digits_trained.npz"]));
    let mut layers = kept(&grid, 30);
    layers.extend(kept(&demo, 30));
    let lists = |name: &str| -> &KeptNeighbours {
        layers.iter().find(|(n, _)| n == name).and_then(|(_, l)| l.neighbourhood.as_ref()).unwrap()
    };
    let cases = fixture["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 12);
    for case in cases {
        let (a, b, k) =
            (case["a"].as_str().unwrap(), case["b"].as_str().unwrap(), case["k"].as_u64().unwrap() as usize);
        let (la, lb) = (lists(a), lists(b));
        assert_eq!(la.points() as u64, case["points"].as_u64().unwrap());
        let want = case["overlap"].as_f64().unwrap();
        let got = data_overlap(la, lb, k);
        assert!((got - want).abs() <= 1e-12, "{a} × {b}, k = {k}: {got} vs DADApy {want}");
        assert!((data_overlap(lb, la, k) - want).abs() <= 1e-12, "symmetric: {b} × {a}");
    }
    // The same numbers in the model's layer × layer matrix and its χ^out profile, at k = 10.
    let demo_layers: Vec<LayerNeighbourhood> = kept(&demo, 10).into_iter().map(|(_, l)| l).collect();
    let names: Vec<&str> = demo_layers.iter().map(|l| l.name.as_str()).collect();
    let m = ModelNeighbourhoods { model: "trained".into(), seed: 0, layers: demo_layers.clone(), ranks: Vec::new() };
    let o = neighbourhoods(&[m], None);
    assert_eq!((o.k, o.matrices.len(), o.notes.len()), (10, 1, 0));
    let at = |name: &str| names.iter().position(|n| *n == name).unwrap();
    let want = |a: &str, b: &str| {
        cases.iter().find(|c| c["a"] == a && c["b"] == b && c["k"] == 10).unwrap()["overlap"].as_f64().unwrap()
    };
    let v = o.matrices[0].values[at("input")][at("hidden4")].unwrap();
    assert!((v - want("input", "hidden4")).abs() <= 1e-12);
    let out = o.profiles[0].layers[at("hidden1")].output.unwrap();
    assert_eq!(names.last(), Some(&"logits"));
    assert!((out - want("hidden1", "logits")).abs() <= 1e-12);
    assert_eq!(o.profiles[0].layers[at("input")].input, Some(1.0));
}

#[test]
fn streamed_layers_keep_the_same_neighbourhoods() {
    let m = model(&["tests/fixtures/overlap/grid.npy", "tests/fixtures/overlap/grid_labels.npy"]);
    let labels = m.read_labels().unwrap().unwrap();
    let mut p = Params::default();
    (p.twonn.repeats, p.neighbourhood.run, p.neighbourhood.k) = (0, true, 12);
    let s = streamed::analyse_layer(
        m.layer(0).unwrap(),
        0,
        Some(&labels),
        &p.clone().check().unwrap(),
        64 << 20,
        &mut Silent,
    )
    .unwrap();
    p.per_class = true;
    let r = analyse_model_layer(&m, 0, Some(&labels), &p.check().unwrap(), &mut Silent).unwrap();
    let kept = r.estimates.neighbourhood.as_ref().unwrap();
    assert_eq!((kept.k, kept.points()), (12, r.estimates.n + r.estimates.duplicates.zero_r1_excluded));
    assert_eq!(s.estimates.neighbourhood.as_ref(), Some(kept));
    assert!(!r.classes.is_empty());
    assert!(r.classes.iter().all(|c| c.estimates.neighbourhood.is_none()), "not kept per class");
}

#[test]
fn information_imbalance_matches_dadapy_both_ways_from_the_exact_ranks() {
    let fixture = fixture("imbalance.json");
    let (grid, demo) = (grid_representations(), model(&["www/demo/digits_trained.npz"]));
    let mut p = Params::default();
    (p.twonn.repeats, p.duplicates) = (0, DuplicatePolicy::Keep);
    let p = p.check().unwrap();
    let layers: Vec<(&Model, String, LayerNeighbourhood)> =
        [&grid, &demo].into_iter().flat_map(|m| kept(m, 1).into_iter().map(move |(name, l)| (m, name, l))).collect();
    let find = |name: &str| layers.iter().find(|(_, n, _)| n == name).unwrap();
    // Δ(A → B): the ranks, in B's rows, of each point's nearest neighbour in A.
    let delta = |a: &str, b: &str| {
        let nn = find(a).2.neighbourhood.as_ref().unwrap().indices.clone();
        let (m, name, _) = find(b);
        let index = m.layers.iter().position(|l| &l.name == name).unwrap();
        imbalance(&layer_ranks(m, index, &p, &[nn], &mut Silent).unwrap()[0])
    };
    let cases = fixture["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 4);
    for case in cases {
        let (a, b) = (case["a"].as_str().unwrap(), case["b"].as_str().unwrap());
        for (got, want) in [(delta(a, b), &case["a_to_b"]), (delta(b, a), &case["b_to_a"])] {
            let want = want.as_f64().unwrap();
            assert!((got - want).abs() <= 1e-12, "{a} × {b}: {got} vs DADApy {want}");
        }
    }
    // The same numbers in the model's profile: every layer against the last and the first.
    let demo_layers: Vec<LayerNeighbourhood> = kept(&demo, 10).into_iter().map(|(_, l)| l).collect();
    let mut m = ModelNeighbourhoods { model: "trained".into(), seed: 0, layers: demo_layers, ranks: Vec::new() };
    let passes = rank_passes(std::slice::from_ref(&m));
    let (last, middle) = (m.layers.len() - 1, 2);
    let pass = |layer| passes.iter().find(|p| p.layer == layer).unwrap();
    assert_eq!(passes.len(), m.layers.len(), "one pass per layer");
    assert_eq!(pass(middle).targets, [0, last], "a middle layer ranks the first's and the last's");
    assert_eq!(pass(last).targets, (0..=last).collect::<Vec<_>>(), "the last ranks every layer's");
    assert!(passes.iter().all(|p| p.missing == p.targets));
    for rp in &passes {
        let ranks = layer_ranks(&demo, rp.layer, &p, &pass_targets(&m, rp), &mut Silent).unwrap();
        for (&target, ranks) in rp.targets.iter().zip(ranks) {
            m.ranks.push(LayerRanks { layer: rp.layer, target, ranks });
        }
    }
    assert!(rank_passes(std::slice::from_ref(&m)).iter().all(|p| p.missing.is_empty()), "nothing left to rank");
    let o = neighbourhoods(std::slice::from_ref(&m), None);
    let at = |name: &str| o.profiles[0].layers.iter().find(|l| l.layer == name).unwrap().imbalance.unwrap();
    let case =
        |a: &str, b: &str, key: &str| cases.iter().find(|c| c["a"] == a && c["b"] == b).unwrap()[key].as_f64().unwrap();
    assert!((at("hidden1").to_output - case("hidden1", "logits", "a_to_b")).abs() <= 1e-12);
    assert!((at("hidden1").from_output - case("hidden1", "logits", "b_to_a")).abs() <= 1e-12);
    assert!((at("hidden4").from_input - case("input", "hidden4", "a_to_b")).abs() <= 1e-12);
    assert!((at("hidden4").to_input - case("input", "hidden4", "b_to_a")).abs() <= 1e-12);
    let n = 1797.0;
    assert_eq!(
        (at("logits").to_output, at("input").to_input),
        (2.0 / n, 2.0 / n),
        "a layer's own nearest neighbours: rank 1"
    );
}

#[test]
fn chi_with_the_labels_at_another_k_comes_from_the_kept_lists() {
    let demo = model(&["www/demo/digits_trained.npz"]);
    let labels = demo.read_labels().unwrap().unwrap();
    let index = demo.layers.iter().position(|l| l.name == "hidden4").unwrap();
    let mut p = Params::default();
    (p.twonn.repeats, p.overlap.run, p.neighbourhood.run) = (0, true, true);
    let r = analyse_model_layer(&demo, index, Some(&labels), &p.check().unwrap(), &mut Silent).unwrap();
    let layer = LayerNeighbourhood::from(&r);
    assert_eq!(layer.neighbourhood.as_ref().unwrap().labels.as_ref().map(Vec::len), Some(1797));
    let m = ModelNeighbourhoods { model: "trained".into(), seed: 0, layers: vec![layer], ranks: Vec::new() };
    let at = |k| neighbourhoods(std::slice::from_ref(&m), Some(k)).profiles[0].layers[0].label.unwrap();
    assert_eq!(at(10), r.estimates.overlap.as_ref().unwrap().overlap, "the estimator's k, the same number");
    let fixture = fixture("overlap.json");
    let want =
        fixture["cases"].as_array().unwrap().iter().find(|c| {
            c["layer"] == "hidden4" && c["k"] == 1 && c["class_fraction"].is_null() && c["average"] == "class"
        });
    let want = want.unwrap()["overlap"].as_f64().unwrap();
    assert!((at(1) - want).abs() <= 1e-12, "k = 1: {} vs DADApy {want}", at(1));
}
