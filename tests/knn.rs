//! The neighbour search returns exact float64 neighbours, whatever the norms and ties.

mod common;

use idscope::knn::{
    CandidateLists, FlatNeighbours, KnnError, MAX_K, Metric, Neighbours, Search, candidates_part, finish, neighbours,
    within,
};
use idscope::support::progress::{Cancelled, Silent};
use ndarray::{Array2, Axis};

fn assert_exact(x: &Array2<f32>, k: usize, block: Option<usize>) {
    let nb = neighbours(x.view(), &Search { k, metric: Metric::Euclidean, block }, &mut Silent).unwrap();
    for i in 0..x.nrows() {
        let truth = common::brute_force(x, i);
        for (c, &(d, j)) in truth.iter().enumerate().take(k) {
            assert_eq!(nb.indices[(i, c)], j, "row {i}, neighbour {c}");
            assert!(
                (nb.distances[(i, c)] - d).abs() <= 1e-12 * d,
                "row {i}, neighbour {c}: {} vs {d}",
                nb.distances[(i, c)]
            );
        }
    }
}

#[test]
fn matches_brute_force_on_a_hypercube_with_several_block_sizes() {
    let x = common::hypercube(300, 5, 40, 1);
    for block in [None, Some(1), Some(7), Some(1000)] {
        assert_exact(&x, 10, block);
    }
}

#[test]
fn k_64_is_exact() {
    assert_exact(&common::sphere(200, 4, 20, 2), 64, None);
}

#[test]
fn the_search_goes_to_128_neighbours() {
    assert_eq!(MAX_K, 128);
    // 300 columns: the exact distances sum several blocks.
    assert_exact(&common::sphere(400, 5, 300, 3), MAX_K, None);
}

#[test]
fn near_duplicates_at_large_norm_are_resolved_exactly() {
    // Four tight clusters ~1e3 apart, points ~1e-3 apart inside each: centring cannot shrink the
    // norms, and the f32 Gram error (~1e-7·‖x‖² ≈ 0.1) dwarfs d² ≈ 1e-6, so only the exact f64
    // re-ranking (and the rescan where completeness cannot be proven) gets these right.
    let base = common::hypercube(160, 3, 32, 3).mapv(|v| v * 1e-3);
    let mut x = base.clone();
    for (i, mut row) in x.rows_mut().into_iter().enumerate() {
        let sign = if i % 4 < 2 { 1.0 } else { -1.0 };
        let axis = i % 2;
        row[axis] += sign * 1e3;
    }
    assert_exact(&x, 5, None);
}

#[test]
fn ties_go_to_the_lower_index_and_duplicates_have_zero_distance() {
    // A 1-D lattice: every interior point has two neighbours at distance 1.
    let mut x = Array2::from_shape_fn((20, 1), |(i, _)| i as f32);
    x[(19, 0)] = 5.0; // a duplicate of row 5
    let nb = neighbours(x.view(), &Search::new(3, Metric::Euclidean), &mut Silent).unwrap();
    assert_eq!(nb.indices.row(10).to_vec(), vec![9, 11, 8]);
    assert_eq!(nb.indices.row(5).to_vec(), vec![19, 4, 6]);
    assert_eq!(nb.distances.row(5).to_vec(), vec![0.0, 1.0, 1.0]);
}

#[test]
fn cosine_distance_is_the_chord_between_unit_vectors() {
    let x = common::hypercube(120, 4, 12, 4).mapv(|v| v + 0.5);
    let nb = neighbours(x.view(), &Search::new(4, Metric::Cosine), &mut Silent).unwrap();
    let cos_dist = |i: usize, j: usize| {
        let (a, b) = (x.row(i).mapv(|v| v as f64), x.row(j).mapv(|v| v as f64));
        (2.0 * (1.0 - a.dot(&b) / (a.dot(&a).sqrt() * b.dot(&b).sqrt()))).max(0.0).sqrt()
    };
    for i in 0..x.nrows() {
        let mut all: Vec<(f64, u32)> = (0..x.nrows()).filter(|&j| j != i).map(|j| (cos_dist(i, j), j as u32)).collect();
        all.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        for (c, &(d, j)) in all.iter().enumerate().take(4) {
            assert_eq!(nb.indices[(i, c)], j, "row {i}");
            assert!((nb.distances[(i, c)] - d).abs() < 1e-7, "row {i}");
        }
    }
}

#[test]
fn subsets_equal_a_fresh_search_on_their_rows() {
    let x = common::hypercube(400, 6, 30, 5);
    let search = Search::new(16, Metric::Euclidean);
    let full = neighbours(x.view(), &search, &mut Silent).unwrap();
    for (take, step) in [(360, 1), (100, 3), (50, 7)] {
        let members: Vec<usize> = (0..x.nrows()).step_by(step).take(take).collect();
        let two = Search::new(2, Metric::Euclidean);
        let got = within(x.view(), &full, &members, &two).unwrap();
        let fresh = neighbours(x.select(Axis(0), &members).view(), &two, &mut Silent).unwrap();
        assert_eq!(got, fresh, "subset of {} points", members.len());
    }
}

#[test]
fn bad_input_is_a_typed_error() {
    let x = Array2::<f32>::zeros((3, 2));
    assert!(
        neighbours(x.view(), &Search::new(3, Metric::Euclidean), &mut Silent)
            .unwrap_err()
            .to_string()
            .contains("too few")
    );
    let y = common::hypercube(300, 3, 4, 1);
    assert_eq!(
        neighbours(y.view(), &Search::new(MAX_K + 1, Metric::Euclidean), &mut Silent).unwrap_err(),
        KnnError::K(MAX_K + 1)
    );
    assert!(
        neighbours(x.view(), &Search::new(1, Metric::Cosine), &mut Silent)
            .unwrap_err()
            .to_string()
            .contains("all zeros")
    );
    let mut y = Array2::<f32>::ones((5, 2));
    y[(3, 1)] = f32::NAN;
    let e = neighbours(y.view(), &Search::new(1, Metric::Euclidean), &mut Silent).unwrap_err();
    assert_eq!(e.to_string(), "row 3, column 1 is not a finite number (NaN)");
    let z = Array2::<f32>::zeros((5, 0));
    assert!(neighbours(z.view(), &Search::new(1, Metric::Euclidean), &mut Silent).is_err());
}

#[test]
fn progress_is_monotone_and_cancel_stops_the_search() {
    let x = common::hypercube(500, 3, 8, 6);
    let mut seen = Vec::new();
    let mut sink = |f: f64| {
        seen.push(f);
        Ok(())
    };
    neighbours(x.view(), &Search { k: 2, metric: Metric::Euclidean, block: Some(50) }, &mut sink).unwrap();
    assert!(seen.windows(2).all(|w| w[0] <= w[1]) && *seen.last().unwrap() == 1.0 && seen.len() > 2);
    let mut cancel = |f: f64| if f > 0.2 { Err(Cancelled) } else { Ok(()) };
    let r = neighbours(x.view(), &Search { k: 2, metric: Metric::Euclidean, block: Some(50) }, &mut cancel);
    assert!(matches!(r, Err(idscope::knn::KnnError::Cancelled(_))));
}

/// The search split as a pool of `tiles` workers does it (tile parts, then the rows cut into
/// `tiles` slices finished apart) and joined, through the flat forms the workers exchange.
fn split_search(x: &Array2<f32>, search: &Search, tiles: usize) -> Neighbours {
    let lists: Vec<CandidateLists> =
        (0..tiles).map(|p| candidates_part(x.view(), search, p, tiles, &mut Silent).unwrap()).collect();
    let slices: Vec<Vec<CandidateLists>> = lists.iter().map(|l| l.split(tiles)).collect();
    let rows: Vec<Neighbours> = (0..tiles)
        .map(|q| {
            let mine: Vec<CandidateLists> = slices.iter().map(|s| s[q].clone()).collect();
            let nb = finish(x.view(), &mine, search, &mut Silent).unwrap();
            Neighbours::try_from(FlatNeighbours::from(&nb)).unwrap()
        })
        .collect();
    Neighbours::concat(&rows).unwrap()
}

fn assert_same_bits(a: &Neighbours, b: &Neighbours, what: &str) {
    assert_eq!(a.indices, b.indices, "{what}");
    let bits = |nb: &Neighbours| nb.distances.iter().map(|d| d.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(a), bits(b), "{what}");
}

#[test]
fn tile_parts_merged_and_finished_equal_the_whole_search() {
    // Rows 0..20 repeated at 200.. (exact duplicates) and near-ties at large norm.
    let mut x = common::hypercube(230, 6, 30, 7);
    for i in 0..20 {
        let row = x.row(i).to_owned();
        x.row_mut(200 + i).assign(&row);
        x.row_mut(180 + i).assign(&row.mapv(|v| v + 1e-6));
    }
    for metric in [Metric::Euclidean, Metric::Cosine] {
        for block in [Some(16), Some(7), None] {
            let search = Search { k: 9, metric, block };
            let whole = neighbours(x.view(), &search, &mut Silent).unwrap();
            for tiles in [1, 2, 3, 5] {
                assert_same_bits(
                    &split_search(&x, &search, tiles),
                    &whole,
                    &format!("{metric:?} {block:?} {tiles} parts"),
                );
            }
        }
    }
}

#[test]
fn more_parts_than_tiles_or_rows_leave_empty_parts() {
    let x = common::sphere(12, 2, 4, 3);
    for metric in [Metric::Euclidean, Metric::Cosine] {
        for k in [3, 11] {
            let search = Search { k, metric, block: Some(5) };
            let whole = neighbours(x.view(), &search, &mut Silent).unwrap();
            for tiles in [2, 3, 5, 7, 16] {
                assert_same_bits(&split_search(&x, &search, tiles), &whole, &format!("{metric:?} k {k} {tiles} parts"));
            }
        }
    }
}

#[test]
fn candidate_lists_that_do_not_fit_are_refused() {
    let x = common::hypercube(40, 3, 5, 1);
    let search = Search::new(4, Metric::Euclidean);
    let lists = candidates_part(x.view(), &search, 0, 1, &mut Silent).unwrap();
    let other = candidates_part(x.view(), &Search::new(5, Metric::Euclidean), 0, 1, &mut Silent).unwrap();
    assert!(matches!(finish(x.view(), &[other], &search, &mut Silent), Err(KnnError::CandidateShape { m: 13, .. })));
    let [p0, p1] = [0, 1].map(|p| candidates_part(x.view(), &search, p, 2, &mut Silent).unwrap().split(2));
    let crossed = finish(x.view(), &[p0[0].clone(), p1[1].clone()], &search, &mut Silent);
    assert!(matches!(crossed, Err(KnnError::CandidateShape { first: 20, .. })), "{crossed:?}");
    let mut stray = lists.clone();
    stray.indices[5] = 40;
    assert!(matches!(finish(x.view(), &[stray], &search, &mut Silent), Err(KnnError::CandidateShape { .. })));
    let empty =
        CandidateLists { indices: vec![u32::MAX; 40 * 12], approx: vec![f32::INFINITY; 40 * 12], ..lists.clone() };
    let rescanned = finish(x.view(), &[empty], &search, &mut Silent).unwrap();
    assert_same_bits(&rescanned, &neighbours(x.view(), &search, &mut Silent).unwrap(), "empty lists are rescanned");
    let halves = lists.split(2);
    let small = common::hypercube(20, 3, 5, 1);
    assert!(matches!(
        finish(small.view(), &[lists], &search, &mut Silent),
        Err(KnnError::CandidateShape { n: 20, .. })
    ));
    let missing = finish(x.view(), &[p0[0].clone()], &search, &mut Silent);
    assert_eq!(missing, Err(KnnError::TileParts { given: vec![0], parts: 2 }));
    let twice = finish(x.view(), &[halves[0].clone(), halves[0].clone()], &search, &mut Silent);
    assert_eq!(twice, Err(KnnError::TileParts { given: vec![0, 0], parts: 1 }));
    let a = neighbours(x.view(), &search, &mut Silent).unwrap();
    let b = neighbours(x.view(), &Search::new(5, Metric::Euclidean), &mut Silent).unwrap();
    assert_eq!(Neighbours::concat(&[a, b]), Err(KnnError::MixedK { first: 4, other: 5 }));
    let bad = FlatNeighbours { k: 3, indices: vec![1, 2, 3, 4], distances: vec![0.0; 4] };
    assert!(matches!(Neighbours::try_from(bad), Err(KnnError::FlatShape { k: 3, indices: 4, distances: 4 })));
}
