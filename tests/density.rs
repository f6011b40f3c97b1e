//! The densities and the density-peak clusters against DADApy 0.3.4 (tests/fixtures/density/,
//! made by make_density.py): k* exactly, the kNN and kstarNN log densities to 1e-12, PAk's to
//! 1e-9 relative (its maximisation stops at a relative gradient of 1e-3, so last-bit differences
//! of numpy's vectorised logarithms carry a little), ADP's peaks, assignments (with and without
//! halo) and borders identically, its saddles to 1e-9, the dendrogram's merges; on three
//! separated Gaussians in 5-D (3 peaks), three overlapping ones (Z = 1.65 merges them into 1,
//! Z = 0.5 keeps 3), a uniform square (1 peak), and data with exact duplicates (refused).
#![cfg(not(target_arch = "wasm32"))]

use idscope::density::adp::cluster;
use idscope::density::dendrogram::dendrogram;
use idscope::density::local::{knn, kstar, kstar_nn, kstar_threshold};
use idscope::density::pak::pak;
use idscope::density::{DensityError, PointDensities};
use idscope::knn::{self, Metric, Neighbours, Search};
use idscope::support::progress::Silent;
use ndarray::Array2;
use serde_json::Value;

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/density/{name}.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The fixture's points (float32, as idscope reads layers) and their exact 100-neighbour lists.
fn lists(f: &Value) -> Neighbours {
    let rows: Vec<Vec<f32>> = f["X"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_array().unwrap().iter().map(|v| v.as_f64().unwrap() as f32).collect())
        .collect();
    let x = Array2::from_shape_fn((rows.len(), rows[0].len()), |(i, j)| rows[i][j]);
    knn::neighbours(x.view(), &Search::new(f["maxk"].as_u64().unwrap() as usize, Metric::Euclidean), &mut Silent)
        .unwrap()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap_or(f64::NAN)).collect()
}

fn close(got: &[f64], want: &[f64], rel: f64, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!((g - w).abs() <= rel * w.abs().max(1.0), "{what}[{i}]: {g} vs DADApy {w}");
    }
}

fn matrix(v: &Value) -> Vec<Vec<f64>> {
    v.as_array().unwrap().iter().map(floats).collect()
}

/// Every estimate of one fixture against DADApy's; returns the peaks found per ADP run.
fn check(name: &str) -> Vec<usize> {
    let f = fixture(name);
    let nb = lists(&f);
    let (dist, ind) = (nb.distances.view(), nb.indices.view());
    let d = f["intrinsic_dim"].as_f64().unwrap();
    let raw = &f["raw"];
    let k = raw["knn"]["k"].as_u64().unwrap() as usize;
    let kn = knn(dist, k, d).unwrap();
    close(&kn.log_den, &floats(&raw["knn"]["log_den"]), 1e-12, &format!("{name} kNN"));
    close(&kn.log_den_err, &floats(&raw["knn"]["log_den_err"]), 1e-15, &format!("{name} kNN error"));
    let ks = kstar(dist, ind, d, kstar_threshold(f["alpha"].as_f64().unwrap())).unwrap();
    let want: Vec<u32> = raw["kstar"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap() as u32).collect();
    assert_eq!(ks, want, "{name}: k*");
    let ksn = kstar_nn(dist, &ks, d).unwrap();
    close(&ksn.log_den, &floats(&raw["kstarNN"]["log_den"]), 1e-12, &format!("{name} kstarNN"));
    close(&ksn.log_den_err, &floats(&raw["kstarNN"]["log_den_err"]), 1e-15, &format!("{name} kstarNN error"));
    let pk = pak(dist, &ks, d).unwrap();
    close(&pk.log_den, &floats(&raw["pak"]["log_den"]), 1e-9, &format!("{name} PAk"));
    close(&pk.log_den_err, &floats(&raw["pak"]["log_den_err"]), 1e-15, &format!("{name} PAk error"));
    let mut peaks = Vec::new();
    for run in raw["adp"].as_array().unwrap() {
        let (z, halo) = (run["Z"].as_f64().unwrap(), run["halo"].as_bool().unwrap());
        let what = format!("{name} ADP Z = {z}, halo {halo}");
        let c = cluster(&pk, &ks, ind, z, halo).unwrap();
        assert!(run["unassigned"].as_array().unwrap().is_empty(), "{what}: the fixture assigns every point");
        let ints = |v: &Value| -> Vec<i64> { v.as_array().unwrap().iter().map(|x| x.as_i64().unwrap()).collect() };
        assert_eq!(
            c.centers.iter().map(|&p| p as i64).collect::<Vec<_>>(),
            ints(&run["cluster_centers"]),
            "{what}: peaks"
        );
        assert_eq!(
            c.assignment.iter().map(|&l| l as i64).collect::<Vec<_>>(),
            ints(&run["cluster_assignment"]),
            "{what}"
        );
        assert_eq!(c.sizes.iter().map(|&s| s as i64).collect::<Vec<_>>(), ints(&run["cluster_sizes"]), "{what}: sizes");
        assert!((c.log_den_min - run["log_den_min"].as_f64().unwrap()).abs() <= 1e-9, "{what}: log_den_min");
        for (got, want) in c.saddles.iter().zip(matrix(&run["log_den_bord"])) {
            close(got, &want, 1e-9, &format!("{what}: saddles"));
        }
        for (got, want) in c.saddle_errors.iter().zip(matrix(&run["log_den_bord_err"])) {
            close(got, &want, 1e-12, &format!("{what}: saddle errors"));
        }
        let points: Vec<Vec<i64>> =
            c.saddle_points.iter().map(|r| r.iter().map(|p| p.map_or(-1, |p| p as i64)).collect()).collect();
        let want: Vec<Vec<i64>> = run["bord_indices"].as_array().unwrap().iter().map(ints).collect();
        assert_eq!(points, want, "{what}: saddle points");
        match (dendrogram(&c, &pk.log_den), run["dendrogram"].as_object()) {
            (None, None) => assert_eq!(c.centers.len(), 1),
            (Some(t), Some(want)) => {
                // DADApy numbers its merges from clusters + 1; here from clusters.
                let links = want["links"].as_array().unwrap();
                assert_eq!(t.links.len(), links.len(), "{what}: merges");
                for (l, w) in t.links.iter().zip(links) {
                    let w = ints(&Value::Array(w.as_array().unwrap()[..3].to_vec()));
                    let shift = |id: i64| if id > t.leaves as i64 { id - 1 } else { id };
                    assert_eq!(
                        [l.node, l.a, l.b].map(|x| x as i64),
                        [shift(w[0]), shift(w[1]), shift(w[2])],
                        "{what}: merge"
                    );
                }
                let heights: Vec<f64> = links.iter().map(|l| l[3].as_f64().unwrap()).collect();
                close(
                    &t.links.iter().map(|l| l.saddle).collect::<Vec<_>>(),
                    &heights,
                    1e-9,
                    &format!("{what}: heights"),
                );
                let order: Vec<i64> = ints(&want["leaf_order"]);
                assert_eq!(t.order.iter().map(|&x| x as i64).collect::<Vec<_>>(), order, "{what}: leaf order");
            }
            (got, want) => panic!("{what}: dendrogram {got:?} vs {want:?}"),
        }
        peaks.push(c.centers.len());
    }
    peaks
}

#[test]
fn three_separated_gaussians_give_three_peaks_at_every_z() {
    assert_eq!(check("gauss3_5d"), [3, 3, 3, 3]);
}

#[test]
fn three_overlapping_gaussians_merge_at_z_1_65_and_stay_three_at_0_5() {
    assert_eq!(check("gauss3_5d_close"), [1, 1, 3, 3]);
}

#[test]
fn a_uniform_square_has_one_peak() {
    assert_eq!(check("uniform_2d")[..2], [1, 1]);
}

#[test]
fn exact_duplicates_are_refused_where_dadapy_gives_nan() {
    let f = fixture("duplicates_2d");
    let nb = lists(&f);
    let d = f["intrinsic_dim"].as_f64().unwrap();
    let nan = f["raw"]["pak"]["n_nan"].as_u64().unwrap() as usize;
    assert_eq!(nan, 9, "DADApy: NaN PAk for each copy, and ADP fails");
    assert_eq!(knn(nb.distances.view(), 10, d), Err(DensityError::Duplicates(nan)));
    assert_eq!(pak(nb.distances.view(), &vec![10; 305], d), Err(DensityError::Duplicates(nan)));
    let den = PointDensities { log_den: vec![f64::NAN; 305], log_den_err: vec![0.1; 305] };
    assert_eq!(cluster(&den, &vec![10; 305], nb.indices.view(), 1.65, false), Err(DensityError::NotFinite(305)));
}

#[test]
fn the_kstar_threshold_is_dadapys() {
    assert!((kstar_threshold(1e-6) - 23.928126976934827).abs() <= 1e-12, "{}", kstar_threshold(1e-6));
}

#[test]
fn the_estimator_matches_dadapy_on_two_layers_of_the_demo_mlp() {
    use idscope::analysis::analyse_model_layer;
    use idscope::estimators::Params;
    use idscope::readers::{ByteSource, FileSource, group};
    let f = fixture("demo_trained");
    let path = format!("{}/www/demo/digits_trained.npz", env!("CARGO_MANIFEST_DIR"));
    let source: Box<dyn ByteSource> = Box::new(FileSource::open(std::path::Path::new(&path)).unwrap());
    let model = group(vec![source]).unwrap();
    let labels = model.read_labels().unwrap();
    let mut p = Params::default();
    (p.twonn.repeats, p.density.run) = (0, true);
    let p = p.check().unwrap();
    for (name, want) in f["layers"].as_object().unwrap() {
        let index = model.layers.iter().position(|l| &l.name == name).unwrap();
        let r = analyse_model_layer(&model, index, labels.as_ref(), &p, &mut Silent).unwrap();
        let o = r.estimates.density.as_ref().unwrap();
        assert!(
            o.id_from_twonn && (o.id - want["intrinsic_dim"].as_f64().unwrap()).abs() <= 1e-9,
            "{name}: d {}",
            o.id
        );
        let ks: Vec<u32> = want["kstar"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap() as u32).collect();
        assert_eq!(o.kstar, ks, "{name}: k*");
        close(&o.knn, &floats(&want["knn"]), 1e-9, &format!("{name} kNN"));
        close(&o.kstar_nn, &floats(&want["kstarNN"]), 1e-9, &format!("{name} kstarNN"));
        close(&o.pak.log_den, &floats(&want["pak"]["log_den"]), 1e-9, &format!("{name} PAk"));
        let adp = &want["adp"];
        let ints = |v: &Value| -> Vec<i64> { v.as_array().unwrap().iter().map(|x| x.as_i64().unwrap()).collect() };
        assert_eq!(o.peaks as u64, adp["N_clusters"].as_u64().unwrap(), "{name}: peaks");
        assert_eq!(o.clusters.centers.iter().map(|&c| c as i64).collect::<Vec<_>>(), ints(&adp["cluster_centers"]));
        assert_eq!(
            o.clusters.assignment.iter().map(|&c| c as i64).collect::<Vec<_>>(),
            ints(&adp["cluster_assignment"])
        );
        for (got, want) in o.clusters.saddles.iter().zip(matrix(&adp["log_den_bord"])) {
            close(got, &want, 1e-9, &format!("{name}: saddles"));
        }
        let heights: Vec<f64> =
            adp["dendrogram"]["links"].as_array().unwrap().iter().map(|l| l[3].as_f64().unwrap()).collect();
        let t = o.dendrogram.as_ref().unwrap();
        close(&t.links.iter().map(|l| l.saddle).collect::<Vec<_>>(), &heights, 1e-9, &format!("{name}: dendrogram"));
        let agree = o.labels.as_ref().unwrap();
        assert!(agree.ari > 0.8 && agree.purity > 0.85, "{name}: the trained MLP's peaks follow the digits: {agree:?}");
    }
}

#[test]
fn a_streamed_layer_gets_the_same_density_profile_from_its_streamed_lists() {
    use idscope::analysis::{analyse_model_layer, streamed};
    use idscope::estimators::Params;
    use idscope::readers::{ByteSource, FileSource, group};
    let path = format!("{}/www/demo/digits_trained.npz", env!("CARGO_MANIFEST_DIR"));
    let source: Box<dyn ByteSource> = Box::new(FileSource::open(std::path::Path::new(&path)).unwrap());
    let model = group(vec![source]).unwrap();
    let labels = model.read_labels().unwrap();
    let index = model.layers.iter().position(|l| l.name == "logits").unwrap();
    let mut p = Params::default();
    (p.twonn.repeats, p.density.run) = (0, true);
    let p = p.check().unwrap();
    let whole = analyse_model_layer(&model, index, labels.as_ref(), &p, &mut Silent).unwrap();
    let s = streamed::analyse_layer(model.layer(index).unwrap(), index, labels.as_ref(), &p, 64 << 20, &mut Silent)
        .unwrap();
    assert_eq!(s.estimates.density, whole.estimates.density, "the streamed lists, the same numbers");
    assert_eq!(whole.estimates.density.as_ref().unwrap().peaks, 11);
}
