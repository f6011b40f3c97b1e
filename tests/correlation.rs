//! Pearson r, Spearman ρ (average ranks for ties), their two-sided p-values, the least-squares
//! line and the model × model table equal scipy.stats on the vectors of
//! tests/fixtures/correlation (made by make_correlation.py there); the per-class mean ± std,
//! the class matching across models and the accuracy fit on hand-computed cases.

use idscope::analysis::{LayerInput, analyse_layer};
use idscope::compare::correlation::{least_squares, pearson, spearman};
use idscope::compare::{
    AccuracyData, AccuracyPoint, ClassIds, ComparisonError, CorrelationTable, LayerIds, Measure, accuracy_fit,
    class_spread, correlation_table, shared_class_ids,
};
use idscope::estimators::Params;
use idscope::estimators::PointLabels;
use idscope::estimators::twonn::TwoNnParams;
use idscope::results::LayerResult;
use idscope::support::progress::Silent;
use ndarray::Array2;
use serde::Deserialize;

#[derive(Deserialize)]
struct Fixture {
    cases: Vec<Case>,
    tables: Vec<Table>,
}

/// The input ids and scipy's matrices (the same fields as [`CorrelationTable`]).
#[derive(Deserialize)]
struct Table {
    models: Vec<String>,
    classes: Vec<String>,
    ids: Vec<Vec<f64>>,
    pearson: Vec<Vec<f64>>,
    pearson_p: Vec<Vec<f64>>,
    spearman: Vec<Vec<f64>>,
    spearman_p: Vec<Vec<f64>>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    x: Vec<f64>,
    y: Vec<f64>,
    pearson_r: f64,
    pearson_p: f64,
    spearman_rho: f64,
    spearman_p: f64,
    slope: f64,
    intercept: f64,
}

fn fixture() -> Fixture {
    serde_json::from_str(include_str!("fixtures/correlation/correlation.json")).expect("fixture parses")
}

fn cases() -> Vec<Case> {
    fixture().cases
}

/// |a − b| ≤ tol·max(1, |b|) for coefficients; relative for p-values (they reach 1e-87).
fn close(what: &str, a: f64, b: f64, tol: f64) {
    assert!(
        (a - b).abs() <= tol * b.abs().max(if what.ends_with("p") { 0.0 } else { 1.0 }),
        "{what}: {a} vs scipy {b}"
    );
}

#[test]
fn pearson_matches_scipy() {
    for c in cases() {
        let r = pearson(&c.x, &c.y).unwrap();
        close(&format!("{} r", c.name), r.r, c.pearson_r, 1e-10);
        close(&format!("{} p", c.name), r.p, c.pearson_p, 1e-9);
        assert_eq!(r.n, c.x.len());
    }
}

#[test]
fn spearman_with_ties_matches_scipy() {
    for c in cases() {
        let s = spearman(&c.x, &c.y).unwrap();
        close(&format!("{} rho", c.name), s.r, c.spearman_rho, 1e-10);
        close(&format!("{} p", c.name), s.p, c.spearman_p, 1e-9);
    }
}

#[test]
fn least_squares_line_matches_scipy() {
    for c in cases() {
        let l = least_squares(&c.x, &c.y).unwrap();
        close(&format!("{} slope", c.name), l.slope, c.slope, 1e-10);
        close(&format!("{} intercept", c.name), l.intercept, c.intercept, 1e-9);
    }
}

#[test]
fn correlation_table_matches_scipy_in_every_cell() {
    for t in fixture().tables {
        let ids =
            ClassIds { layer: "fc".into(), models: t.models.clone(), classes: t.classes.clone(), ids: t.ids.clone() };
        let got: CorrelationTable = correlation_table(&ids).unwrap();
        assert_eq!((got.n, &got.models, &got.classes), (t.classes.len(), &t.models, &t.classes));
        let cells = |what: &str, a: &[Vec<Option<f64>>], b: &[Vec<f64>], tol: f64| {
            for (i, (ra, rb)) in a.iter().zip(b).enumerate() {
                for (j, (va, vb)) in ra.iter().zip(rb).enumerate() {
                    close(&format!("{what}[{i}][{j}]"), va.expect("defined"), *vb, tol);
                }
            }
        };
        cells("pearson", &got.pearson, &t.pearson, 1e-10);
        cells("pearson_p", &got.pearson_p, &t.pearson_p, 1e-9);
        cells("spearman", &got.spearman, &t.spearman, 1e-10);
        cells("spearman_p", &got.spearman_p, &t.spearman_p, 1e-9);
    }
}

#[test]
fn correlation_table_rejects_ragged_or_non_finite_ids_and_leaves_undefined_cells_empty() {
    let ids = |rows: Vec<Vec<f64>>| ClassIds {
        layer: "fc".into(),
        models: vec!["a".into(), "b".into()],
        classes: vec!["x".into(), "y".into(), "z".into()],
        ids: rows,
    };
    assert!(matches!(
        correlation_table(&ids(vec![vec![1.0, 2.0, 3.0], vec![1.0, 2.0]])),
        Err(ComparisonError::Shape { .. })
    ));
    let e = correlation_table(&ids(vec![vec![1.0, 2.0, 3.0], vec![1.0, f64::NAN, 2.0]])).unwrap_err();
    assert_eq!(e, ComparisonError::NonFinite { model: "b".into(), class: "y".into() });
    // A constant vector: r undefined off the diagonal, the diagonal still 1.
    let t = correlation_table(&ids(vec![vec![1.0, 2.0, 3.0], vec![5.0, 5.0, 5.0]])).unwrap();
    assert_eq!(
        (t.pearson[0][1], t.spearman_p[1][0], t.pearson[1][1], t.pearson_p[1][1]),
        (None, None, Some(1.0), Some(0.0))
    );
}

/// A real layer result with three labelled classes "c0", "c1", "c2" whose TwoNN fit IDs are then
/// set to `ids` (so the aggregation is checked against hand-computed values).
fn layer_with_class_ids(names: &[&str], ids: &[f64]) -> LayerResult {
    let x = Array2::from_shape_fn((90, 3), |(i, j)| ((i * 7 + j * 13) % 17) as f32 + (i as f32 * 0.37).sin());
    let labels: Vec<u32> = (0..90).map(|i| (i % names.len()) as u32).collect();
    let class_names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    let params =
        Params { per_class: true, twonn: TwoNnParams { repeats: 0, ..Default::default() }, ..Default::default() }
            .check()
            .unwrap();
    let input = LayerInput {
        name: "fc",
        index: 0,
        data: x.view(),
        n_input: 90,
        non_finite_dropped: 0,
        labels: Some(PointLabels { ids: &labels, names: &class_names }),
    };
    let mut r = analyse_layer(input, &params, &mut Silent).unwrap();
    assert_eq!(r.classes.len(), names.len());
    for (c, id) in r.classes.iter_mut().zip(ids) {
        c.estimates.twonn.fit.id = *id;
    }
    r
}

#[test]
fn class_spread_is_the_mean_and_population_std_of_the_finite_class_ids() {
    let l = layer_with_class_ids(&["b", "a", "c"], &[2.0, 4.0, 6.0]);
    let s = class_spread(&LayerIds::from(&l)).unwrap();
    assert_eq!((s.mean, s.n_classes), (4.0, 3));
    assert!((s.std - (8.0f64 / 3.0).sqrt()).abs() < 1e-15, "ddof = 0: {}", s.std);
    let l = layer_with_class_ids(&["b", "a", "c"], &[1.0, f64::NAN, 3.0]);
    let s = class_spread(&LayerIds::from(&l)).unwrap();
    assert_eq!((s.mean, s.std, s.n_classes), (2.0, 1.0, 2));
    let mut none = l.clone();
    none.classes.clear();
    assert_eq!(class_spread(&LayerIds::from(&none)), None);
}

#[test]
fn shared_class_ids_keeps_the_classes_every_model_has_sorted_by_name() {
    let a = layer_with_class_ids(&["dog", "cat", "ant"], &[3.0, 2.0, 1.0]);
    let b = layer_with_class_ids(&["cat", "ant", "dog"], &[20.0, 10.0, 30.0]);
    let c = layer_with_class_ids(&["ant", "cat", "eel"], &[100.0, 200.0, 300.0]);
    let (a, b, c) = (LayerIds::from(&a), LayerIds::from(&b), LayerIds::from(&c));
    let d = shared_class_ids("fc", &[("a".into(), &a), ("b".into(), &b), ("c".into(), &c)]);
    assert_eq!(d.classes, vec!["ant", "cat"]);
    assert_eq!(d.ids, vec![vec![1.0, 2.0], vec![10.0, 20.0], vec![100.0, 200.0]]);
    assert_eq!((d.layer.as_str(), d.models.len()), ("fc", 3));
    // A class whose ID is not finite in one model is left out for all.
    let e = LayerIds::from(&layer_with_class_ids(&["dog", "cat", "ant"], &[3.0, f64::NAN, 1.0]));
    let d = shared_class_ids("fc", &[("e".into(), &e), ("b".into(), &b)]);
    assert_eq!(d.classes, vec!["ant", "dog"]);
    assert_eq!(d.ids, vec![vec![1.0, 3.0], vec![10.0, 30.0]]);
}

#[test]
fn accuracy_fit_uses_finite_points_and_says_why_when_there_are_too_few() {
    let point = |id: f64, value: f64| AccuracyPoint { model: "m".into(), layer: "fc".into(), id, id_err: None, value };
    let c = &fixture().cases[7];
    let data =
        AccuracyData { measure: Measure::Accuracy, points: c.x.iter().zip(&c.y).map(|(x, y)| point(*x, *y)).collect() };
    let f = accuracy_fit(&data);
    assert_eq!((f.n, f.note.as_deref()), (14, None));
    close("r", f.pearson_r.unwrap(), c.pearson_r, 1e-10);
    close("p", f.pearson_p.unwrap(), c.pearson_p, 1e-9);
    close("rho", f.spearman_rho.unwrap(), c.spearman_rho, 1e-10);
    close("slope", f.slope.unwrap(), c.slope, 1e-10);
    let few = AccuracyData {
        measure: Measure::Top5Error,
        points: vec![point(1.0, 0.5), point(2.0, 0.4), point(f64::NAN, 0.1)],
    };
    let f = accuracy_fit(&few);
    assert_eq!((f.n, f.slope, f.pearson_r), (2, None, None));
    assert_eq!(f.note.as_deref(), Some("2 pairs: at least 3 are needed"));
}

#[test]
fn json_shapes_are_the_ones_the_page_reads() {
    let data: AccuracyData = serde_json::from_str(
        r#"{"measure":"top5_error","points":[{"model":"m","layer":"fc","id":3.5,"id_err":null,"value":0.2}]}"#,
    )
    .unwrap();
    assert_eq!(data.measure, Measure::Top5Error);
    let f = serde_json::to_value(accuracy_fit(&data)).unwrap();
    let keys: Vec<&str> = f.as_object().unwrap().keys().map(String::as_str).collect();
    for k in ["n", "slope", "intercept", "pearson_r", "pearson_p", "spearman_rho", "spearman_p", "note"] {
        assert!(keys.contains(&k), "{k} in {keys:?}");
    }
    let t = serde_json::to_value(
        correlation_table(
            &serde_json::from_str(
                r#"{"layer":"fc","models":["a","b"],"classes":["x","y","z"],"ids":[[1,2,3],[2,1,4]]}"#,
            )
            .unwrap(),
        )
        .unwrap(),
    )
    .unwrap();
    for k in ["models", "classes", "n", "pearson", "pearson_p", "spearman", "spearman_p"] {
        assert!(t.get(k).is_some(), "{k}");
    }
    assert_eq!(t["n"], 3);
    assert_eq!(t["pearson"][0][0], 1.0);
}
