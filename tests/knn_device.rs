//! The GPU's phase 1 (knn::wgsl): candidate lists computed as the WGSL kernel computes them (the
//! same centred f32 rows and norms, products summed in another order) and checked by
//! `CandidateLists::from_device` are refined by phase 2 into exactly the CPU search's neighbours.
//! The browser test (tests/e2e/gpu.test.js) runs the kernel itself on SwiftShader.

mod common;

use idscope::knn::wgsl::{DeviceRows, EMPTY, device_rows};
use idscope::knn::{CandidateLists, Kernel, KnnError, Metric, Neighbours, Search, finish, neighbours};
use idscope::support::progress::Silent;
use ndarray::Array2;

/// The order the products of a row pair are summed in.
#[derive(Clone, Copy)]
enum Order {
    /// As candidates.wgsl writes it: a running sum of 4-wide dot products.
    Kernel,
    /// Backwards, one product at a time (another order a compiler may choose).
    Reversed,
}

/// Row `i` · row `j` of the padded rows in f32, in `order`.
fn dot(rows: &DeviceRows, i: usize, j: usize, order: Order) -> f32 {
    let (a, b) = (&rows.rows[i * rows.stride..][..rows.stride], &rows.rows[j * rows.stride..][..rows.stride]);
    match order {
        Order::Kernel => a
            .chunks(4)
            .zip(b.chunks(4))
            .fold(0.0f32, |s, (a, b)| s + ((a[0] * b[0] + a[1] * b[1]) + (a[2] * b[2] + a[3] * b[3]))),
        Order::Reversed => a.iter().zip(b).rev().fold(0.0f32, |s, (x, y)| x.mul_add(*y, s)),
    }
}

/// The lists the kernel leaves: for each row, the m smallest (‖a‖² + ‖b‖²) − 2·a·b offered in
/// column order, strictly below the last slot, ties after the earlier offer.
fn device_lists(rows: &DeviceRows, order: Order) -> CandidateLists {
    let (n, m) = (rows.n, rows.m);
    let mut d = vec![EMPTY; n * m];
    let mut idx = vec![u32::MAX; n * m];
    for i in 0..n {
        let (d, idx) = (&mut d[i * m..(i + 1) * m], &mut idx[i * m..(i + 1) * m]);
        for j in (0..n).filter(|&j| j != i) {
            let v = (rows.norms[i] + rows.norms[j]) - 2.0 * dot(rows, i, j, order);
            if v < d[m - 1] {
                let pos = d.partition_point(|&x| x <= v);
                d.copy_within(pos..m - 1, pos + 1);
                idx.copy_within(pos..m - 1, pos + 1);
                d[pos] = v;
                idx[pos] = j as u32;
            }
        }
    }
    CandidateLists::from_device(n, m, idx, d).unwrap()
}

fn assert_gpu_equals_cpu(x: &Array2<f32>, search: &Search, what: &str) {
    let cpu = neighbours(x.view(), search, &mut Silent).unwrap();
    let rows = device_rows(x.view(), search).unwrap();
    assert_eq!(rows.stride % idscope::knn::wgsl::DEPTH, 0);
    for order in [Order::Kernel, Order::Reversed] {
        let lists = device_lists(&rows, order);
        assert_eq!(lists.kernel, Kernel::Wgsl);
        // Phase 2 as the pool runs it: the lists cut into row slices, each finished alone.
        let parts: Vec<Neighbours> = lists
            .split(3)
            .iter()
            .map(|slice| finish(x.view(), std::slice::from_ref(slice), search, &mut Silent).unwrap())
            .collect();
        let gpu = Neighbours::concat(&parts).unwrap();
        assert_eq!(gpu.indices, cpu.indices, "{what}: indices");
        let bits = |nb: &Neighbours| nb.distances.iter().map(|d| d.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&gpu), bits(&cpu), "{what}: distance bits");
    }
}

#[test]
fn device_lists_refine_to_the_cpu_neighbours() {
    assert_gpu_equals_cpu(&common::hypercube(300, 5, 40, 1), &Search::new(10, Metric::Euclidean), "hypercube");
    assert_gpu_equals_cpu(&common::sphere(200, 4, 21, 2), &Search::new(64, Metric::Euclidean), "sphere, k = 64");
    let shifted = common::hypercube(150, 4, 12, 4).mapv(|v| v + 0.5);
    assert_gpu_equals_cpu(&shifted, &Search::new(5, Metric::Cosine), "cosine");
}

#[test]
fn near_duplicates_at_large_norm_and_exact_duplicates_refine_exactly() {
    // As in tests/knn.rs: four clusters 1e3 apart, points 1e-3 apart within each, so the f32
    // products' error dwarfs the distances and only the exact phase gets them right.
    let mut x = common::hypercube(160, 3, 32, 3).mapv(|v| v * 1e-3);
    for (i, mut row) in x.rows_mut().into_iter().enumerate() {
        row[i % 2] += if i % 4 < 2 { 1e3 } else { -1e3 };
    }
    assert_gpu_equals_cpu(&x, &Search::new(5, Metric::Euclidean), "near duplicates");
    let mut dup = common::hypercube(100, 3, 7, 5);
    for i in 0..10 {
        let row = dup.row(i).to_owned();
        dup.row_mut(50 + i).assign(&row);
    }
    assert_gpu_equals_cpu(&dup, &Search::new(4, Metric::Euclidean), "exact duplicates");
}

#[test]
fn rows_too_large_for_f32_distances_stay_on_the_cpu() {
    let x = Array2::from_shape_fn((20, 3), |(i, c)| if c == 0 && i % 2 == 0 { 1e19 } else { i as f32 });
    let err = device_rows(x.view(), &Search::new(3, Metric::Euclidean)).unwrap_err();
    assert!(err.to_string().contains("too large for the GPU"), "{err}");
}

#[test]
fn a_device_whose_distances_break_the_bound_is_caught() {
    let x = common::hypercube(120, 4, 16, 6);
    let search = Search::new(5, Metric::Euclidean);
    let rows = device_rows(x.view(), &search).unwrap();
    let good = device_lists(&rows, Order::Kernel);
    assert!(finish(x.view(), std::slice::from_ref(&good), &search, &mut Silent).is_ok());
    // One nearest candidate's squared distance off by 1 %: far beyond f32 rounding, still sorted.
    let mut approx = good.approx.clone();
    approx[7 * good.m] *= 0.99;
    let bad = CandidateLists::from_device(rows.n, rows.m, good.indices.clone(), approx).unwrap();
    let err = finish(x.view(), &[bad], &search, &mut Silent).unwrap_err();
    assert!(matches!(err, KnnError::DeviceBound { row: 7, .. }), "{err}");
}
