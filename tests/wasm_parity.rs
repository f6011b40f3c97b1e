//! Native and wasm32 give the same IDs for the same seed: this file runs as a normal `#[test]`
//! natively and under wasm-bindgen-test in Node, and both are pinned to the same constants (taken
//! from the native run), so any drift between the two builds fails one of them. PC-ID is checked
//! against numpy here too, since its eigenvalues come from faer natively and nalgebra in wasm.

use idscope::analysis::estimate::estimate;
use idscope::analysis::{LayerInput, analyse_layer};
use idscope::estimators::Params;
use idscope::estimators::decimation::DecimationParams;
use idscope::estimators::gride::GrideParams;
use idscope::estimators::pcid::PcIdParams;
use idscope::estimators::twonn::TwoNnParams;
use idscope::knn::{Metric, Search, neighbours};
use idscope::params::DuplicatePolicy;
use idscope::readers::{ByteSource, ErrorKind, MemorySource, group, open};
use idscope::results::LayerResult;
use idscope::support::progress::Silent;
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test;

const FIXTURE: &[u8] = include_bytes!("fixtures/reference/gauss8_d40.npy");

fn analyse_fixture() -> LayerResult {
    let sources: Vec<Box<dyn ByteSource>> = vec![Box::new(MemorySource::new("gauss8_d40.npy", FIXTURE))];
    let model = group(sources).expect("fixture opens");
    let layer = model.read_layer(0).expect("fixture reads");
    let params = Params {
        seed: 7,
        twonn: TwoNnParams { repeats: 20, ..Default::default() },
        gride: GrideParams { run: true, ..Default::default() },
        decimation: DecimationParams { run: true, ..Default::default() },
        ..Params::default()
    }
    .check()
    .unwrap();
    let input = LayerInput {
        name: &model.layers[0].name,
        index: 0,
        data: layer.data.view(),
        n_input: model.layers[0].rows,
        non_finite_dropped: layer.non_finite_dropped,
        labels: None,
    };
    analyse_layer(input, &params, &mut Silent).expect("analysis succeeds")
}

fn assert_rel(name: &str, got: f64, want: f64) {
    let tol = 1e-9 * want.abs().max(1e-300);
    assert!((got - want).abs() <= tol, "{name}: got {got:.17e}, pinned {want:.17e}");
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn same_ids_natively_and_in_wasm_for_the_same_seed() {
    let r = analyse_fixture();
    let t = &r.estimates.twonn;
    let rep = t.repeats.as_ref().expect("repeats computed");
    let g = &r.estimates.gride[0];
    let d = &r.estimates.decimation;
    if std::env::var_os("IDSCOPE_PRINT_PINS").is_some() {
        println!(
            "ML {:?}\nFIT {:?}\nML_MEAN {:?}\nML_STD {:?}\nFIT_MEAN {:?}\nFIT_STD {:?}\nGRIDE0 {:?}\nDEC0 {:?}\nDEC_LAST {:?}",
            t.ml.id,
            t.fit.id,
            rep.ml_mean,
            rep.ml_std,
            rep.fit_mean,
            rep.fit_std,
            g.id,
            d[0].id_mean,
            d[d.len() - 1].id_mean
        );
    }
    assert_eq!(r.estimates.n, PINNED_N);
    assert_rel("ML", t.ml.id, ML);
    assert_rel("fit", t.fit.id, FIT);
    assert_rel("repeats ML mean", rep.ml_mean, ML_MEAN);
    assert_rel("repeats ML std", rep.ml_std, ML_STD);
    assert_rel("repeats fit mean", rep.fit_mean, FIT_MEAN);
    assert_rel("repeats fit std", rep.fit_std, FIT_STD);
    assert_rel("first Gride", g.id, GRIDE0);
    assert_rel("decimation, all points", d[0].id_mean, DEC0);
    assert_rel("decimation, smallest blocks", d[d.len() - 1].id_mean, DEC_LAST);
}

/// Every neighbour distance's bits folded into one word (FNV-1a over the little-endian bytes).
fn distance_bits(metric: Metric) -> u64 {
    let model = group(vec![Box::new(MemorySource::new("gauss8_d40.npy", FIXTURE)) as Box<dyn ByteSource>])
        .expect("fixture opens");
    let layer = model.read_layer(0).expect("fixture reads");
    let nb = neighbours(layer.data.view(), &Search::new(8, metric), &mut Silent).expect("search succeeds");
    nb.distances
        .iter()
        .flat_map(|d| d.to_bits().to_le_bytes())
        .fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// The exact f64 distances (D = 40: two blocks of 16 partial sums and a tail of 8) have the same
/// bits natively (AVX-512, AVX2 or portable) and in wasm (SIMD128), for both metrics.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn same_distance_bits_natively_and_in_wasm() {
    let (e, c) = (distance_bits(Metric::Euclidean), distance_bits(Metric::Cosine));
    if std::env::var_os("IDSCOPE_PRINT_PINS").is_some() {
        println!("EUCLIDEAN_BITS {e:#018x}\nCOSINE_BITS {c:#018x}");
    }
    assert_eq!((e, c), (EUCLIDEAN_BITS, COSINE_BITS));
}

const EUCLIDEAN_BITS: u64 = 0x32f1_3abd_d874_ef88;
const COSINE_BITS: u64 = 0x9289_75b7_bd6e_33a6;

/// The zip CRC-32 check (crc32fast natively, the `crc` crate on wasm32): the intact np.savez
/// (stored) and np.savez_compressed (deflated) fixtures read, so the computed CRC equals numpy's
/// record; with one byte of the record changed, the whole-layer read fails naming the member.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn zip_crc_is_computed_the_same_natively_and_in_wasm() {
    let fixtures: [(&str, &[u8]); 2] = [
        ("savez.npz", include_bytes!("fixtures/readers/savez.npz")),
        ("savez_compressed.npz", include_bytes!("fixtures/readers/savez_compressed.npz")),
    ];
    for (name, bytes) in fixtures {
        let read = |bytes: Vec<u8>| {
            let c = open(Box::new(MemorySource::new(name, bytes)) as Box<dyn ByteSource>).expect("archive opens");
            let layer = c.layer_index("layer2").expect("layer2 listed");
            c.read_layer(layer).map(|_| ())
        };
        read(bytes.to_vec()).unwrap_or_else(|e| panic!("{name}: intact file fails: {e}"));
        // The central directory entry of layer2.npy: signature, then its CRC-32 at offset 16.
        let entry = (0..bytes.len() - 56)
            .find(|&p| bytes[p..p + 4] == *b"PK\x01\x02" && bytes[p + 46..].starts_with(b"layer2.npy"))
            .expect("central entry of layer2.npy");
        let mut edited = bytes.to_vec();
        edited[entry + 16] ^= 0x01;
        let err = read(edited).expect_err("a changed CRC record must fail");
        assert!(matches!(&err.kind, ErrorKind::Checksum { member, .. } if member == "layer2.npy"), "{name}: {err}");
    }
}

const PINNED_N: usize = 1000;
const ML: f64 = 7.746814281775019;
const FIT: f64 = 7.764625060825534;
const ML_MEAN: f64 = 7.729196499746917;
const ML_STD: f64 = 0.11855024838145231;
const FIT_MEAN: f64 = 7.750925507679936;
const FIT_STD: f64 = 0.1441813936735852;
const GRIDE0: f64 = 7.746814281775018;
const DEC0: f64 = 7.764625060825534;
const DEC_LAST: f64 = 7.404070888522143;

/// The reference datasets with numpy's PCA values (tests/fixtures/reference/make_reference.py).
const PCA_FIXTURES: [(&str, &[u8]); 7] = [
    ("gauss8_d40.npy", FIXTURE),
    ("sphere4_d50.npy", include_bytes!("fixtures/reference/sphere4_d50.npy")),
    ("swissroll_noisy.npy", include_bytes!("fixtures/reference/swissroll_noisy.npy")),
    ("dups.npy", include_bytes!("fixtures/reference/dups.npy")),
    ("relu_dead.npy", include_bytes!("fixtures/reference/relu_dead.npy")),
    ("cosine_d30.npy", include_bytes!("fixtures/reference/cosine_d30.npy")),
    ("near_dup_large_norm.npy", include_bytes!("fixtures/reference/near_dup_large_norm.npy")),
];

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn pc_id_and_spectrum_equal_numpy_corrcoef_eigenvalues() {
    let refs: serde_json::Value = serde_json::from_str(include_str!("fixtures/reference/reference.json")).unwrap();
    for (file, bytes) in PCA_FIXTURES {
        let pca = &refs[file]["pca"];
        let model = group(vec![Box::new(MemorySource::new(file, bytes)) as Box<dyn ByteSource>]).unwrap();
        let x = model.read_layer(0).unwrap().data;
        let p = Params {
            duplicates: DuplicatePolicy::Keep,
            twonn: TwoNnParams { repeats: 0, ..Default::default() },
            pc_id: PcIdParams { run: true, ..Default::default() },
            ..Params::default()
        };
        let got = estimate(x.view(), &p.check().unwrap(), &mut Silent).unwrap().pc_id.unwrap();
        assert_eq!(got.id as u64, pca["pc_id"].as_u64().unwrap(), "{file} PC-ID");
        assert_eq!(got.constant_columns, pca["constant_columns"].as_array().unwrap().len(), "{file}");
        for (i, want) in pca["spectrum"].as_array().unwrap().iter().enumerate().take(got.spectrum.len()) {
            let want = want.as_f64().unwrap();
            // The Gram matrix is accumulated from f32 products: ~1e-6 of the largest ratio.
            assert!((got.spectrum[i] - want).abs() < 2e-6, "{file} spectrum[{i}]: {} vs {want}", got.spectrum[i]);
        }
    }
}
