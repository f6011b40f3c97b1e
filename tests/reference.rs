//! The estimators against independent reference values: DADApy 0.3.4, scikit-dimension and numpy
//! on committed data (see tests/fixtures/reference/README.md and make_reference.py).
// Native only: these tests read files by path (the wasm build reads Blobs, tests/wasm_worker.rs).
#![cfg(not(target_arch = "wasm32"))]

use idscope::estimators::gride::GrideParams;
use idscope::estimators::twonn::TwoNnParams;
use std::path::Path;

use idscope::analysis::estimate::estimate;
use idscope::estimators::Params;
use idscope::knn::{Metric, Search, neighbours};
use idscope::params::DuplicatePolicy;
use idscope::readers::{FileSource, group};
use idscope::support::progress::Silent;
use ndarray::Array2;
use serde_json::Value;

const DIR: &str = "tests/fixtures/reference";

fn load(file: &str) -> Array2<f32> {
    let src = FileSource::open(Path::new(DIR).join(file)).unwrap();
    group(vec![Box::new(src)]).unwrap().read_layer(0).unwrap().data
}

fn reference() -> Value {
    serde_json::from_str(&std::fs::read_to_string(Path::new(DIR).join("reference.json")).unwrap()).unwrap()
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn assert_rel(got: f64, want: f64, tol: f64, what: &str) {
    assert!(
        ((got - want) / want).abs() <= tol,
        "{what}: idscope {got} vs reference {want} (tolerance {tol:e} relative)"
    );
}

fn params(gride: bool) -> Params {
    Params {
        twonn: TwoNnParams { repeats: 0, ..Default::default() },
        gride: GrideParams { run: gride, ..Default::default() },
        ..Params::default()
    }
}

/// Datasets whose DADApy values are well defined (cube_ties is degenerate by design).
const DATASETS: [&str; 7] = [
    "gauss8_d40.npy",
    "sphere4_d50.npy",
    "swissroll_noisy.npy",
    "dups.npy",
    "relu_dead.npy",
    "cosine_d30.npy",
    "near_dup_large_norm.npy",
];

#[test]
fn twonn_equals_dadapy_compute_id_2nn() {
    let refs = reference();
    for file in DATASETS {
        let r = &refs[file];
        let e = estimate(load(file).view(), &params(false).check().unwrap(), &mut Silent).unwrap();
        assert_eq!(e.n, r["n_unique"].as_u64().unwrap() as usize, "{file}: points after keep-one");
        if file == "near_dup_large_norm.npy" {
            // DADApy's own kNN (sklearn's f64 Gram trick) is off by up to 1e-3 here; compare with
            // TwoNN on the exact distances instead.
            assert_rel(e.twonn.fit.id, num(&r["r1_r2_exact"]["twonn_fit_from_exact"]), 1e-9, file);
            assert_rel(e.twonn.ml.id, num(&r["r1_r2_exact"]["twonn_ml_from_exact"]), 1e-9, file);
            continue;
        }
        // Both compute the same formulas on exact distances; 1e-6 as the issue asks (seen: ~1e-10).
        assert_rel(e.twonn.fit.id, num(&r["dadapy"]["twonn_fit"]), 1e-6, &format!("{file} fit"));
        assert_rel(e.twonn.ml.id, num(&r["dadapy"]["twonn_ml"]), 1e-6, &format!("{file} ml"));
        assert_rel(e.twonn.scale, num(&r["dadapy"]["twonn_scale"]), 1e-6, &format!("{file} scale"));
        assert_rel(e.twonn.fit.id, num(&r["skdim"]["twonn"]), 1e-6, &format!("{file} skdim"));
    }
}

#[test]
fn gride_scaling_equals_dadapy_return_id_scaling_gride() {
    let refs = reference();
    for file in DATASETS.iter().filter(|f| **f != "near_dup_large_norm.npy") {
        let g = &refs[*file]["dadapy"]["gride"];
        let e = estimate(load(file).view(), &params(true).check().unwrap(), &mut Silent).unwrap();
        assert_eq!(e.gride.len(), 6, "{file}");
        for (i, p) in e.gride.iter().enumerate() {
            assert_eq!(p.n1, g["n1"][i].as_u64().unwrap() as usize);
            // DADApy bisects to 1e-7 in d and takes sklearn's Gram-trick distances: 1e-4 (the bound).
            assert_rel(p.id, num(&g["ids"][i]), 1e-4, &format!("{file} gride id n1={}", p.n1));
            assert_rel(p.err, num(&g["errs"][i]), 1e-4, &format!("{file} gride err n1={}", p.n1));
            assert_rel(p.scale, num(&g["scales"][i]), 1e-6, &format!("{file} gride scale n1={}", p.n1));
        }
    }
}

#[test]
fn cosine_twonn_and_gride_equal_dadapy_on_unit_rows() {
    let c = &reference()["cosine_d30.npy"]["cosine"]["dadapy_chord"];
    let p = Params {
        metric: Metric::Cosine,
        twonn: TwoNnParams { repeats: 0, ..Default::default() },
        gride: GrideParams { run: true, ..Default::default() },
        ..Params::default()
    };
    let e = estimate(load("cosine_d30.npy").view(), &p.check().unwrap(), &mut Silent).unwrap();
    assert_rel(e.twonn.fit.id, num(&c["twonn_fit"]), 1e-6, "cosine fit");
    assert_rel(e.twonn.ml.id, num(&c["twonn_ml"]), 1e-6, "cosine ml");
    for (i, g) in e.gride.iter().enumerate() {
        assert_rel(g.id, num(&c["gride"]["ids"][i]), 1e-4, "cosine gride");
    }
}

#[test]
fn neighbour_distances_equal_numpy_float64_difference_form() {
    let refs = reference();
    for file in DATASETS {
        let knn = &refs[file]["knn"];
        let x = load(file);
        let nb = neighbours(x.view(), &Search::new(64, Metric::Euclidean), &mut Silent).unwrap();
        for (a, row) in knn["rows"].as_array().unwrap().iter().enumerate() {
            let i = row.as_u64().unwrap() as usize;
            for c in 0..64 {
                let want = num(&knn["dist"][a][c]);
                let got = nb.distances[(i, c)];
                assert!(
                    (got - want).abs() <= 1e-14 * want.max(1e-300),
                    "{file} row {i} neighbour {c}: {got} vs {want}"
                );
                // Indices agree except inside exact ties, where the order is by index on both sides.
                assert_eq!(
                    nb.indices[(i, c)] as u64,
                    knn["idx"][a][c].as_u64().unwrap(),
                    "{file} row {i} neighbour {c}"
                );
            }
        }
    }
}

#[test]
fn r1_and_r2_are_exact_at_large_norm() {
    let r = &reference()["near_dup_large_norm.npy"]["r1_r2_exact"];
    let x = load("near_dup_large_norm.npy");
    let nb = neighbours(x.view(), &Search::new(2, Metric::Euclidean), &mut Silent).unwrap();
    for i in 0..x.nrows() {
        for (c, key) in ["r1", "r2"].iter().enumerate() {
            let want = num(&r[key][i]);
            assert!(
                (nb.distances[(i, c)] - want).abs() <= 1e-9 * want,
                "row {i} {key}: {} vs {want}",
                nb.distances[(i, c)]
            );
        }
    }
}

#[test]
fn duplicates_are_counted_and_dropped_or_excluded() {
    let x = load("dups.npy");
    let keep_one = estimate(x.view(), &params(false).check().unwrap(), &mut Silent).unwrap();
    assert_eq!(
        (keep_one.duplicates.duplicate_rows, keep_one.duplicates.dropped, keep_one.duplicates.zero_r1_excluded),
        (40, 40, 0)
    );
    let p = Params {
        duplicates: DuplicatePolicy::Keep,
        twonn: TwoNnParams { repeats: 0, ..Default::default() },
        ..Params::default()
    };
    let keep = estimate(x.view(), &p.check().unwrap(), &mut Silent).unwrap();
    assert_eq!((keep.duplicates.dropped, keep.n), (0, 500 - keep.duplicates.zero_r1_excluded));
    // Every row that has a copy has r1 = 0: the 15 sources and their 40 copies.
    assert_eq!(keep.duplicates.zero_r1_excluded, 55);
    // The same exclusion on numpy float64 difference-form distances (r1 > 0 kept, N = 445, fit on
    // int(0.9·445) = 400) gives 4.457829692280493. skdim does the same exclusion, but its sklearn
    // Gram-trick distances give r1 = 2.1e-8 instead of 0 for 4 of the duplicates, hence its 4.491.
    assert_rel(keep.twonn.fit.id, 4.457829692280493, 1e-12, "keep policy vs numpy exact");
    let skdim = num(&reference()["dups.npy"]["skdim"]["twonn_raw_with_duplicates"]);
    assert!((keep.twonn.fit.id / skdim - 1.0).abs() < 0.01);
}
