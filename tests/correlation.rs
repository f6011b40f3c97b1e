//! Pearson r, Spearman ρ (average ranks for ties), their two-sided p-values and the
//! least-squares line equal scipy.stats on the vectors of tests/fixtures/correlation
//! (made by make_correlation.py there).

use idscope::correlation::{least_squares, pearson, spearman};
use serde::Deserialize;

#[derive(Deserialize)]
struct Fixture {
    cases: Vec<Case>,
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

fn cases() -> Vec<Case> {
    let text = include_str!("fixtures/correlation/correlation.json");
    serde_json::from_str::<Fixture>(text).expect("fixture parses").cases
}

/// |a − b| ≤ tol·max(1, |b|) for coefficients; relative for p-values (they reach 1e-87).
fn close(what: &str, a: f64, b: f64, tol: f64) {
    assert!((a - b).abs() <= tol * b.abs().max(if what.ends_with("p") { 0.0 } else { 1.0 }), "{what}: {a} vs scipy {b}");
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
