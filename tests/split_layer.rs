//! A layer's neighbour search split into row parts (as the browser's worker pool does) and joined
//! gives exactly the estimates of the unsplit analysis.

mod common;

use idscope::analysis::{
    LayerInput, LayerPoints, analyse_layer, analyse_layer_with, layer_candidates_part, layer_neighbours_part,
};
use idscope::estimators::EstimateError;
use idscope::estimators::Params;
use idscope::estimators::PointLabels;
use idscope::estimators::decimation::DecimationParams;
use idscope::estimators::gride::GrideParams;
use idscope::estimators::pcid::PcIdParams;
use idscope::estimators::twonn::TwoNnParams;
use idscope::knn::{CandidateLists, FlatNeighbours, Neighbours};
use idscope::results::LayerResult;
use idscope::support::progress::Silent;
use ndarray::{Array2, Axis, concatenate};

/// A 5-dimensional sphere in 40 coordinates with 30 rows repeated (so duplicates are removed
/// before the search), two classes.
fn layer() -> (Array2<f32>, Vec<u32>) {
    let x = common::sphere(600, 5, 40, 11);
    let x = concatenate(Axis(0), &[x.view(), x.slice(ndarray::s![..30, ..])]).unwrap();
    let ids = (0..x.nrows() as u32).map(|i| i % 2).collect();
    (x, ids)
}

fn input<'a>(x: &'a Array2<f32>, ids: &'a [u32], names: &'a [String]) -> LayerInput<'a> {
    LayerInput {
        name: "l",
        index: 0,
        data: x.view(),
        n_input: x.nrows(),
        non_finite_dropped: 0,
        labels: Some(PointLabels { ids, names }),
    }
}

fn without_time(mut r: LayerResult) -> LayerResult {
    r.seconds = 0.0;
    r
}

/// The row parts of `inp`'s neighbour lists as `parts` workers compute them: tile parts, then
/// each worker's row slice of every part finished.
fn row_parts(inp: LayerInput<'_>, p: &idscope::estimators::CheckedParams, parts: usize) -> Vec<Neighbours> {
    let points = LayerPoints::new(inp.data, p.get());
    let slices: Vec<Vec<CandidateLists>> = (0..parts)
        .map(|i| layer_candidates_part(inp, &points, p, i, parts, &mut Silent).unwrap().split(parts))
        .collect();
    (0..parts)
        .map(|q| {
            let mine: Vec<CandidateLists> = slices.iter().map(|s| s[q].clone()).collect();
            layer_neighbours_part(inp, &points, p, &mine, &mut Silent).unwrap()
        })
        .collect()
}

/// [`analyse_layer_with`] given the joined lists, its points settled here.
fn analyse_joined(
    inp: LayerInput<'_>,
    p: &idscope::estimators::CheckedParams,
    joined: Neighbours,
) -> Result<LayerResult, idscope::analysis::AnalysisError> {
    analyse_layer_with(inp, &LayerPoints::new(inp.data, p.get()), p, Some(joined), &mut Silent)
}

fn check(params: Params, parts: usize) {
    let (x, ids) = layer();
    let names = vec!["a".to_owned(), "b".to_owned()];
    let p = params.check().unwrap();
    let whole = analyse_layer(input(&x, &ids, &names), &p, &mut Silent).unwrap();
    let lists = row_parts(input(&x, &ids, &names), &p, parts);
    let joined = Neighbours::concat(&lists).unwrap();
    let split = analyse_joined(input(&x, &ids, &names), &p, joined).unwrap();
    assert_eq!(without_time(split), without_time(whole));
}

#[test]
fn three_parts_give_the_unsplit_estimates_with_the_app_defaults() {
    check(
        Params {
            per_class: true,
            gride: GrideParams { run: true, ..Default::default() },
            decimation: DecimationParams { run: true, ..Default::default() },
            pc_id: PcIdParams { run: true, ..Default::default() },
            ..Params::default()
        },
        3,
    );
}

#[test]
fn parts_of_a_subsample_give_the_unsplit_estimates() {
    check(
        Params { max_points: Some(400), twonn: TwoNnParams { repeats: 5, ..Default::default() }, ..Params::default() },
        4,
    );
}

#[test]
fn more_parts_than_points_leave_empty_parts() {
    let x = common::sphere(5, 2, 3, 1);
    let p = Params { twonn: TwoNnParams { repeats: 0, ..Default::default() }, ..Params::default() }.check().unwrap();
    let inp = LayerInput { name: "t", index: 0, data: x.view(), n_input: 5, non_finite_dropped: 0, labels: None };
    let lists = row_parts(inp, &p, 8);
    assert_eq!(lists.iter().map(|l| l.indices.nrows()).sum::<usize>(), 5);
    let split = analyse_joined(inp, &p, Neighbours::concat(&lists).unwrap()).unwrap();
    assert_eq!(without_time(split), without_time(analyse_layer(inp, &p, &mut Silent).unwrap()));
}

#[test]
fn lists_that_do_not_fit_the_points_are_refused() {
    let (x, ids) = layer();
    let names = vec!["a".to_owned(), "b".to_owned()];
    let p = Params::default().check().unwrap();
    let half = row_parts(input(&x, &ids, &names), &p, 2).swap_remove(0);
    let err = analyse_joined(input(&x, &ids, &names), &p, half).unwrap_err();
    assert!(
        matches!(
            err,
            idscope::analysis::AnalysisError::Estimate {
                source: EstimateError::GivenNeighbours { rows: 300, k: 16, n: 600, expected_k: 16 },
                ..
            }
        ),
        "{err}"
    );
    let flat = FlatNeighbours { k: 16, indices: vec![0; 16], distances: vec![0.0; 16] };
    let one_row = Neighbours::try_from(flat).unwrap();
    assert!(analyse_joined(input(&x, &ids, &names), &p, one_row).is_err());
}

#[test]
fn points_settled_for_another_subsample_are_settled_again() {
    let (x, ids) = layer();
    let names = vec!["a".to_owned(), "b".to_owned()];
    let p =
        Params { max_points: Some(400), twonn: TwoNnParams { repeats: 0, ..Default::default() }, ..Params::default() }
            .check()
            .unwrap();
    let all_rows = LayerPoints::new(x.view(), &Params::default());
    let inp = input(&x, &ids, &names);
    let given = analyse_layer_with(inp, &all_rows, &p, None, &mut Silent).unwrap();
    assert_eq!(given.subsampled_out, x.nrows() - 400);
    assert_eq!(without_time(given), without_time(analyse_layer(inp, &p, &mut Silent).unwrap()));
}
