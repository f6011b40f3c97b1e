//! Layers over the memory limit are streamed by column chunks with the same results as in memory:
//! the same neighbour lists (indices and distance bits) and every supported estimate equal to the
//! bit, for each file layout, with the limit forced low enough for several chunks; the reads stay
//! within the chunk; unsupported options are refused clearly.
// Native only: these tests read files by path (the wasm build reads Blobs, tests/wasm_worker.rs).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use idscope::estimators::decimation::DecimationParams;
use idscope::estimators::gride::GrideParams;
use idscope::estimators::pcid::PcIdParams;
use idscope::estimators::twonn::TwoNnParams;
use std::sync::atomic::Ordering;

use idscope::analysis::streamed;
use idscope::analysis::streamed::device::DeviceLayer;
use idscope::analysis::{
    LayerError, LayerPoints, analyse_model_layer, layer_candidates_part, layer_input, layer_neighbours_part,
};
use idscope::estimators::{CheckedParams, Params};
use idscope::knn::{Metric, Neighbours};
use idscope::params::DuplicatePolicy;
use idscope::readers::{MemorySource, Model, group};
use idscope::results::LayerResult;
use idscope::support::progress::Silent;
use ndarray::Array2;
use rand_distr::{Distribution, StandardNormal, Uniform};

/// N points on a d-dimensional linear manifold in `dim` coordinates (a random Gaussian map, no
/// rotation, so large `dim` stays cheap), plus a copy of row 3 and a NaN in row 5.
fn data(n: usize, d: usize, dim: usize, seed: u64) -> Array2<f32> {
    let mut r = common::rng(seed);
    let u = Uniform::new(0.0, 1.0).unwrap();
    let latent = Array2::from_shape_fn((n, d), |_| u.sample(&mut r));
    let map = Array2::from_shape_fn((d, dim), |_| StandardNormal.sample(&mut r));
    let mut x = latent.dot(&map).mapv(|v: f64| v as f32);
    let copy = x.row(3).to_owned();
    x.row_mut(n - 1).assign(&copy);
    x[(5, dim / 2)] = f32::NAN;
    x.column_mut(17).fill(0.5);
    x
}

fn f32_bytes(x: &Array2<f32>) -> Vec<u8> {
    x.iter().flat_map(|v| v.to_le_bytes()).collect()
}

fn npy(x: &Array2<f32>, descr: &str, fortran: bool) -> Vec<u8> {
    let (n, d) = x.dim();
    let mut out = common::npy_header(descr, &format!("({n}, {d})"), fortran);
    match (descr, fortran) {
        ("<f2", _) => out.extend(x.iter().flat_map(|&v| half::f16::from_f32(v).to_le_bytes())),
        (_, true) => out.extend(x.t().iter().flat_map(|v| v.to_le_bytes())),
        _ => out.extend(f32_bytes(x)),
    }
    out
}

fn safetensors(x: &Array2<f32>) -> Vec<u8> {
    let (n, d) = x.dim();
    let data = f32_bytes(x);
    let header = format!(r#"{{"acts":{{"dtype":"F32","shape":[{n},{d}],"data_offsets":[0,{}]}}}}"#, data.len());
    let mut out = (header.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(header.as_bytes());
    out.extend(data);
    out
}

/// A one-member zip holding `member` (stored, or deflated when `deflate`).
fn npz(member: &[u8], deflate: bool) -> Vec<u8> {
    let payload = if deflate { miniz_oxide::deflate::compress_to_vec(member, 6) } else { member.to_vec() };
    let name = b"acts.npy";
    let sizes = [payload.len() as u32, member.len() as u32];
    let method: u16 = if deflate { 8 } else { 0 };
    let mut head = method.to_le_bytes().to_vec();
    head.extend_from_slice(&[0; 4]); // time, date
    head.extend_from_slice(&crc32fast::hash(member).to_le_bytes());
    sizes.iter().for_each(|s| head.extend_from_slice(&s.to_le_bytes()));
    head.extend_from_slice(&(name.len() as u16).to_le_bytes());
    let mut out = vec![0x50, 0x4b, 3, 4, 20, 0, 0, 0];
    out.extend(&head);
    out.extend_from_slice(&[0, 0]);
    out.extend_from_slice(name);
    out.extend(&payload);
    let cd = out.len() as u32;
    out.extend_from_slice(&[0x50, 0x4b, 1, 2, 20, 0, 20, 0, 0, 0]);
    out.extend(&head);
    out.extend_from_slice(&[0; 16]);
    out.extend_from_slice(name);
    let cd_len = out.len() as u32 - cd;
    out.extend_from_slice(&[0x50, 0x4b, 5, 6, 0, 0, 0, 0, 1, 0, 1, 0]);
    out.extend_from_slice(&cd_len.to_le_bytes());
    out.extend_from_slice(&cd.to_le_bytes());
    out.extend_from_slice(&[0, 0]);
    out
}

fn model(name: &str, bytes: Vec<u8>) -> Model {
    group(vec![Box::new(MemorySource::new(name, bytes))]).unwrap()
}

fn params(f: impl FnOnce(&mut Params)) -> CheckedParams {
    let mut p = Params {
        twonn: TwoNnParams { repeats: 5, ..Default::default() },
        gride: GrideParams { run: true, range: 16 },
        decimation: DecimationParams { run: true, min_block: 10 },
        pc_id: PcIdParams { run: true, max_points: 100, ..Default::default() },
        ..Params::default()
    };
    f(&mut p);
    p.check().unwrap()
}

fn in_memory(m: &Model, p: &CheckedParams) -> LayerResult {
    analyse_model_layer(m, 0, None, p, &mut Silent).unwrap()
}

fn streamed(m: &Model, p: &CheckedParams, limit: u64) -> LayerResult {
    streamed::analyse_layer(m.layer(0).unwrap(), 0, None, p, limit, &mut Silent).unwrap()
}

/// The in-memory path's whole-layer neighbour lists: its two search phases, in one part.
fn in_memory_lists(m: &Model, p: &CheckedParams) -> Neighbours {
    let layer = m.read_layer(0).unwrap();
    let input = layer_input(m, 0, &layer, None, None);
    let points = LayerPoints::new(input.data, p.get());
    let lists = layer_candidates_part(input, &points, p, 0, 1, &mut Silent).unwrap();
    layer_neighbours_part(input, &points, p, &[lists], &mut Silent).unwrap()
}

/// The same neighbours, in the same order, at the same distance bits.
fn assert_same_lists(m: &Model, p: &CheckedParams, limit: u64, what: &str) {
    let want = in_memory_lists(m, p);
    let got = streamed::neighbours(m.layer(0).unwrap(), p, limit, &mut Silent).unwrap();
    assert_eq!(got.indices, want.indices, "{what}: indices");
    let bits = |n: &Neighbours| n.distances.mapv(f64::to_bits);
    assert_eq!(bits(&got), bits(&want), "{what}: distance bits");
}

/// Everything but the timing equal: integers, counts and numbers exactly (the same neighbour
/// lists give the same bits), the PCA spectrum (ratios summing to 1) to 1e-6, the rounding of the
/// in-memory path's f32 dot products.
fn assert_same(a: &LayerResult, b: &LayerResult, what: &str) {
    assert_eq!(
        (&a.name, a.n_input, a.dim, a.non_finite_dropped, a.subsampled_out),
        (&b.name, b.n_input, b.dim, b.non_finite_dropped, b.subsampled_out),
        "{what}"
    );
    let json = |r: &LayerResult| serde_json::to_value(&r.estimates).unwrap();
    assert_close(&json(a), &json(b), what);
}

fn assert_close(a: &serde_json::Value, b: &serde_json::Value, at: &str) {
    use serde_json::Value;
    match (a, b) {
        (Value::Number(x), Value::Number(y)) if x.is_f64() || y.is_f64() => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            if at.contains("spectrum") {
                assert!((x - y).abs() <= 1e-6, "{at}: {x} vs {y}");
            } else {
                assert_eq!(x.to_bits(), y.to_bits(), "{at}: {x} vs {y}");
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            assert_eq!(x.len(), y.len(), "{at}: lengths");
            x.iter().zip(y).enumerate().for_each(|(i, (x, y))| assert_close(x, y, &format!("{at}[{i}]")));
        }
        (Value::Object(x), Value::Object(y)) => {
            assert_eq!(x.keys().collect::<Vec<_>>(), y.keys().collect::<Vec<_>>(), "{at}: fields");
            x.iter().for_each(|(k, v)| assert_close(v, &y[k], &format!("{at}.{k}")));
        }
        _ => assert_eq!(a, b, "{at}"),
    }
}

/// A limit that leaves room for one 256-column chunk of 150 rows and the kernel's tiles and piece
/// (two threads): D = 700 gives 3 chunks.
const LIMIT: u64 = 1_000_000;

#[test]
fn every_layout_streams_to_the_in_memory_results() {
    let x = data(150, 6, 700, 1);
    let p = params(|_| {});
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("f32.npy", npy(&x, "<f4", false)),
        ("f16.npy", npy(&x, "<f2", false)),
        ("fortran.npy", npy(&x, "<f4", true)),
        ("acts.safetensors", safetensors(&x)),
        ("stored.npz", npz(&npy(&x, "<f4", false), false)),
        ("deflated.npz", npz(&npy(&x, "<f4", false), true)),
    ];
    for (name, bytes) in files {
        let m = model(name, bytes);
        let want = in_memory(&m, &p);
        assert_eq!((want.non_finite_dropped, want.estimates.duplicates.duplicate_rows), (1, 1), "{name}");
        assert!(want.estimates.twonn.repeats.is_some() && want.estimates.gride.len() >= 4, "{name}");
        assert_eq!(want.estimates.decimation.len(), 4, "{name}");
        assert_eq!(want.estimates.pc_id.as_ref().map(|p| p.constant_columns), Some(1), "{name}");
        assert_same(&streamed(&m, &p, LIMIT), &want, name);
        assert_same_lists(&m, &p, LIMIT, name);
    }
}

#[test]
fn metric_duplicates_subsample_and_small_subsets_stream_identically() {
    let m = model("f32.npy", npy(&data(150, 4, 600, 2), "<f4", false));
    let cases: Vec<(&str, CheckedParams)> = vec![
        ("cosine", params(|p| p.metric = Metric::Cosine)),
        ("keep duplicates", params(|p| p.duplicates = DuplicatePolicy::Keep)),
        ("max_points", params(|p| p.max_points = Some(90))),
        ("PCA subsample", params(|p| p.pc_id.max_points = 60)),
        // 20 % subsets: most points need an exact rescan inside their subset.
        ("small subsets", params(|p| (p.twonn.subset_fraction, p.gride.run) = (0.2, false))),
        ("k = 64", params(|p| p.gride.range = 64)),
    ];
    for (what, p) in cases {
        assert_same(&streamed(&m, &p, LIMIT), &in_memory(&m, &p), what);
        assert_same_lists(&m, &p, LIMIT, what);
    }
}

#[test]
fn near_duplicates_at_large_norm_stream_exactly() {
    // Clusters ~1e3 apart, points ~1e-3 apart inside each (tests/knn.rs): the f32 Gram cannot
    // rank them, so the exact re-ranking and the rescans decide, chunk by chunk.
    let mut x = data(120, 3, 520, 3).mapv(|v| v * 1e-3);
    for (i, mut row) in x.rows_mut().into_iter().enumerate() {
        row[i % 2 * 7] += if i % 4 < 2 { 1e3 } else { -1e3 };
    }
    x[(5, 260)] = 0.0;
    let m = model("tight.npy", npy(&x, "<f4", false));
    let p = params(|p| (p.gride.range, p.pc_id.run) = (32, false));
    assert_same(&streamed(&m, &p, 700_000), &in_memory(&m, &p), "near duplicates");
    assert_same_lists(&m, &p, 700_000, "near duplicates");
}

#[test]
fn reads_stay_within_one_chunk_row_and_the_file_is_read_a_few_times() {
    let x = data(150, 5, 1000, 4);
    let bytes = npy(&x, "<f4", false);
    let size = bytes.len() as u64;
    let src = common::Counting::new(MemorySource::new("big.npy", bytes));
    let (largest, total) = (src.largest.clone(), src.total.clone());
    let (ahead, most_ahead) = (src.ahead.clone(), src.most_ahead.clone());
    let m = group(vec![Box::new(src)]).unwrap();
    largest.store(0, Ordering::Relaxed);
    total.store(0, Ordering::Relaxed);
    let p = params(|_| {});
    let got = streamed(&m, &p, LIMIT);
    // One chunk of one row per read, the chunk narrower than the file (counted after opening):
    // the widest chunk is PC-ID's (100 rows, 32·n² bytes for its matrices besides the kernel's).
    use streamed::plan::{chunk_width, piece_bytes, plan, tile_bytes};
    let width = plan(LIMIT, 150, 149, 1000, 4, 24).unwrap().width;
    let pca_width =
        chunk_width(LIMIT, 32 * 100 * 100 + tile_bytes(100), (4 * 100 + 4, piece_bytes(100)), 1000).unwrap();
    assert!(width.max(pca_width) < 1000);
    assert_eq!(largest.load(Ordering::Relaxed), 4 * width.max(pca_width) as u64);
    // Pass 0, the Gram, the exact distances, the rescans of the decimation's small blocks
    // (n/4 points per pass): a few times the file, not N times.
    let passes = total.load(Ordering::Relaxed) as f64 / size as f64;
    assert!((2.9..=8.0).contains(&passes), "read the file {passes} times");
    // The source was let read ahead what the plan left (at most 256 KiB), and no longer is.
    let most = most_ahead.load(Ordering::Relaxed);
    assert!(most > 0 && most <= idscope::readers::READ_AHEAD as u64, "read-ahead {most}");
    assert!(most <= LIMIT - 4 * 150 * 149, "within the limit");
    assert_eq!(ahead.load(Ordering::Relaxed), 0, "withdrawn after the layer");
    assert_same(&got, &in_memory(&model("big.npy", npy(&x, "<f4", false)), &p), "counted");
}

#[test]
fn the_analysis_streams_a_layer_over_memory_limit_mb() {
    // 200 × 1000 float32 needs 1.6 MB in memory: over a 1 MiB limit, so the analysis streams it.
    let m = model("acts.npy", npy(&data(200, 5, 1000, 5), "<f4", false));
    let p = params(|p| p.memory_limit_mb = 1);
    assert!(streamed::wanted(m.layer(0).unwrap(), &p));
    assert!(!streamed::wanted(m.layer(0).unwrap(), &params(|_| {})));
    assert_same(&in_memory(&m, &p), &in_memory(&m, &params(|_| {})), "memory_limit_mb = 1");
    let refused =
        analyse_model_layer(&m, 0, None, &params(|p| (p.memory_limit_mb, p.surrogate.run) = (1, true)), &mut Silent)
            .unwrap_err()
            .to_string();
    assert!(
        refused.contains("streamed by column chunks") && refused.contains("does not support the Gaussian surrogate"),
        "{refused}"
    );
}

#[test]
fn a_limit_too_small_even_for_streaming_is_a_clear_refusal() {
    let m = model("acts.npy", npy(&data(150, 5, 700, 6), "<f4", false));
    let e = streamed::analyse_layer(m.layer(0).unwrap(), 0, None, &params(|_| {}), 100_000, &mut Silent)
        .unwrap_err()
        .to_string();
    assert!(e.contains("points need at least") && e.contains("max_points"), "{e}");
    let e = streamed::analyse_layer(
        m.layer(0).unwrap(),
        0,
        None,
        &params(|p| p.pc_id.max_points = 1000),
        LIMIT,
        &mut Silent,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("PC-ID on 148 points needs about 2 MiB") && e.contains("pc_max_points"), "{e}");
}

/// The layer streamed with its Gram pass made as `gram.wgsl` makes it on a device that binds at
/// most `binding` bytes: the plan's pieces and bands, each band's entries at the kernel's
/// band-local index, each piece's products summed backwards (an order other than the CPU's) and
/// scaled by `scale` (1: a faithful device; else one off its bound), then copied in band by band.
fn on_device(m: &Model, p: &CheckedParams, limit: u64, binding: u64, scale: f32) -> Result<LayerResult, LayerError> {
    use idscope::knn::wgsl::{TILE, gram};
    let mut layer = DeviceLayer::begin(m.layer(0).unwrap(), 0, None, p, limit, &mut Silent)?;
    let n = layer.rows();
    let plan = gram::plan(n, layer.cols(), binding).unwrap();
    let mut bands: Vec<Vec<f32>> = plan.bands.iter().map(|b| vec![0.0; b.entries.len()]).collect();
    for _ in layer.chunks() {
        for (stride, rows) in layer.next_chunk(plan.piece)? {
            let row = |i: usize| &rows[i * stride..(i + 1) * stride];
            for (band, out) in plan.bands.iter().zip(&mut bands) {
                let r0 = band.rows.start;
                for ti in band.dispatches.iter().flat_map(|d| d.clone()) {
                    for i in (ti * TILE..(ti + 1) * TILE).filter(|&i| i < band.rows.end) {
                        let start = (i - r0) * (2 * n - i - r0 - 1) / 2;
                        for j in i + 1..n {
                            let dot = row(i).iter().zip(row(j)).rev().fold(0.0f32, |s, (a, b)| a.mul_add(*b, s));
                            out[start + j - i - 1] += dot * scale;
                        }
                    }
                }
            }
        }
    }
    for (band, out) in plan.bands.iter().zip(&bands) {
        layer.gram_mut()[band.entries.clone()].copy_from_slice(out);
    }
    layer.finish(None, p, &mut Silent)
}

/// Room for 32 columns of 150 rows per piece, and the triangle in 3 bands.
const BINDING: u64 = 4 * 150 * 32;

#[test]
fn a_gram_from_the_gpu_streams_to_the_cpus_results() {
    let m = model("f32.npy", npy(&data(150, 6, 700, 1), "<f4", false));
    let plan = idscope::knn::wgsl::gram::plan(149, 700, BINDING).unwrap();
    assert!(plan.piece == 32 && plan.bands.len() == 3, "several pieces per chunk and bands: {plan:?}");
    let cases: Vec<(&str, CheckedParams)> = vec![
        ("defaults", params(|_| {})),
        ("cosine", params(|p| p.metric = Metric::Cosine)),
        ("keep duplicates", params(|p| p.duplicates = DuplicatePolicy::Keep)),
        ("small subsets", params(|p| (p.twonn.subset_fraction, p.gride.run) = (0.2, false))),
    ];
    for (what, p) in cases {
        assert_same(&on_device(&m, &p, LIMIT, BINDING, 1.0).unwrap(), &streamed(&m, &p, LIMIT), what);
    }
    let mut x = data(120, 3, 520, 3).mapv(|v| v * 1e-3);
    for (i, mut row) in x.rows_mut().into_iter().enumerate() {
        row[i % 2 * 7] += if i % 4 < 2 { 1e3 } else { -1e3 };
    }
    let m = model("tight.npy", npy(&x, "<f4", false));
    let p = params(|p| (p.gride.range, p.pc_id.run) = (32, false));
    let got = on_device(&m, &p, 700_000, 4 * 120 * 32, 1.0).unwrap();
    assert_same(&got, &streamed(&m, &p, 700_000), "near duplicates at large norm");
}

#[test]
fn a_gpu_gram_off_its_bound_or_incomplete_is_refused() {
    use idscope::analysis::AnalysisError;
    use idscope::estimators::EstimateError;
    use idscope::knn::KnnError;
    let m = model("f32.npy", npy(&data(150, 6, 700, 1), "<f4", false));
    let p = params(|_| {});
    let e = on_device(&m, &p, LIMIT, BINDING, 1.01).unwrap_err();
    assert!(
        matches!(
            e,
            LayerError::Analysis(AnalysisError::Estimate {
                source: EstimateError::Knn(KnnError::DeviceBound { .. }),
                ..
            })
        ),
        "products 1 % off: {e}"
    );
    let mut layer = DeviceLayer::begin(m.layer(0).unwrap(), 0, None, &p, LIMIT, &mut Silent).unwrap();
    assert_eq!(layer.chunks().len(), 2);
    layer.next_chunk(64).unwrap();
    let e = layer.finish(None, &p, &mut Silent).unwrap_err();
    assert!(e.to_string().contains("after 1 of the layer's 2 column chunks"), "{e}");
}
