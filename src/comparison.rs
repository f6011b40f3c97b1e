//! Analyses across classes and models: the mean ± std of the per-class ID per layer (Ansuini et
//! al. Fig 3A), the model × model correlation table of per-class IDs (Scheidt & Hansen), and the
//! last hidden layer's ID against accuracy (Ansuini et al. Fig 4).
//!
//! The ID of a class is its TwoNN fit estimate (`twonn.fit.id`, the paper's estimator and the one
//! the hunchback plots when repeats were computed).

use serde::{Deserialize, Serialize};

use crate::correlation::{Correlation, CorrelationError, least_squares, pearson, spearman};
use crate::results::{ClassResult, LayerResult};
use crate::stats::mean_std;

/// Why an analysis across models could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ComparisonError {
    /// `ids` does not hold one row per model of one ID per class.
    #[error("expected {models} rows of {classes} IDs (one per model and class), got {got}")]
    Shape { models: usize, classes: usize, got: String },
    /// A per-class ID is NaN or ±∞.
    #[error("model {model:?} has no finite ID for class {class:?}")]
    NonFinite { model: String, class: String },
}

/// The ID of one class: its TwoNN fit estimate.
pub fn class_id(c: &ClassResult) -> f64 {
    c.estimates.twonn.fit.id
}

/// Mean and spread of the per-class IDs of one layer.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq)]
pub struct ClassSpread {
    /// Mean over the classes of the per-class ID.
    pub mean: f64,
    /// Standard deviation (ddof = 0, as numpy's default) over the classes.
    pub std: f64,
    /// Classes with a finite ID.
    pub n_classes: usize,
}

/// The mean ± std of the finite per-class IDs of `layer` (None without any).
pub fn class_spread(layer: &LayerResult) -> Option<ClassSpread> {
    let ids: Vec<f64> = layer.classes.iter().map(class_id).filter(|v| v.is_finite()).collect();
    if ids.is_empty() {
        return None;
    }
    let (mean, std) = mean_std(&ids);
    Some(ClassSpread { mean, std, n_classes: ids.len() })
}

/// Per-class IDs of several models at one layer each, aligned by class: the input of
/// [`correlation_table`] and of the correlation chart.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct ClassIds {
    /// What layer was chosen (a name or a relative depth, for the legend).
    pub layer: String,
    /// Model names.
    pub models: Vec<String>,
    /// Class names, in the order of each row of `ids`.
    pub classes: Vec<String>,
    /// `ids[m][c]`: the ID of class `c` in model `m`.
    pub ids: Vec<Vec<f64>>,
}

/// The IDs of the classes present (with a finite ID) in every model, matched by class name and
/// sorted by it.
pub fn shared_class_ids(layer: impl Into<String>, models: &[(String, &LayerResult)]) -> ClassIds {
    let finite = |l: &LayerResult| -> Vec<(String, f64)> {
        l.classes.iter().map(|c| (c.name.clone(), class_id(c))).filter(|(_, v)| v.is_finite()).collect()
    };
    let per_model: Vec<Vec<(String, f64)>> = models.iter().map(|(_, l)| finite(l)).collect();
    let mut classes: Vec<String> = per_model.first().map(|m| m.iter().map(|c| c.0.clone()).collect()).unwrap_or_default();
    classes.retain(|name| per_model.iter().all(|m| m.iter().any(|c| &c.0 == name)));
    classes.sort_unstable();
    classes.dedup();
    let ids = per_model
        .iter()
        .map(|m| classes.iter().map(|name| m.iter().find(|c| &c.0 == name).map_or(f64::NAN, |c| c.1)).collect())
        .collect();
    ClassIds { layer: layer.into(), models: models.iter().map(|m| m.0.clone()).collect(), classes, ids }
}

/// Model × model correlations of per-class IDs (full symmetric matrices; `None` where undefined:
/// fewer than 3 classes or a constant vector). The diagonal is r = 1, p = 0.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct CorrelationTable {
    /// Model names (rows and columns).
    pub models: Vec<String>,
    /// Class names the vectors run over.
    pub classes: Vec<String>,
    /// Number of classes (pairs in every correlation).
    pub n: usize,
    /// Pearson r.
    pub pearson: Vec<Vec<Option<f64>>>,
    /// Two-sided p-value of each Pearson r.
    pub pearson_p: Vec<Vec<Option<f64>>>,
    /// Spearman ρ.
    pub spearman: Vec<Vec<Option<f64>>>,
    /// Two-sided p-value of each Spearman ρ.
    pub spearman_p: Vec<Vec<Option<f64>>>,
}

/// Pearson and Spearman correlation of every pair of models' per-class ID vectors.
pub fn correlation_table(d: &ClassIds) -> Result<CorrelationTable, ComparisonError> {
    let rows = d.ids.iter().map(|r| r.len().to_string()).collect::<Vec<_>>().join(", ");
    if d.ids.len() != d.models.len() || d.ids.iter().any(|r| r.len() != d.classes.len()) {
        return Err(ComparisonError::Shape { models: d.models.len(), classes: d.classes.len(), got: format!("[{rows}]") });
    }
    for (m, row) in d.ids.iter().enumerate() {
        if let Some(c) = row.iter().position(|v| !v.is_finite()) {
            return Err(ComparisonError::NonFinite { model: d.models[m].clone(), class: d.classes[c].clone() });
        }
    }
    let k = d.models.len();
    let matrix = |f: fn(&[f64], &[f64]) -> Result<Correlation, CorrelationError>| {
        let mut r = vec![vec![None; k]; k];
        let mut p = vec![vec![None; k]; k];
        for i in 0..k {
            for j in 0..k {
                let c = if i == j { Some((1.0, 0.0)) } else { f(&d.ids[i], &d.ids[j]).ok().map(|c| (c.r, c.p)) };
                (r[i][j], p[i][j]) = (c.map(|c| c.0), c.map(|c| c.1));
            }
        }
        (r, p)
    };
    let (pearson, pearson_p) = matrix(pearson);
    let (spearman, spearman_p) = matrix(spearman);
    Ok(CorrelationTable { models: d.models.clone(), classes: d.classes.clone(), n: d.classes.len(), pearson, pearson_p, spearman, spearman_p })
}

/// What [`AccuracyData`] values are.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Test accuracy (fraction or %, as entered).
    #[default]
    Accuracy,
    /// Top-5 error (fraction or %, as entered).
    Top5Error,
}

/// One model's last-hidden-layer ID and its accuracy (or error).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct AccuracyPoint {
    /// Model name.
    pub model: String,
    /// The layer whose ID is used.
    pub layer: String,
    /// The ID.
    pub id: f64,
    /// Its error bar (± this), if known.
    pub id_err: Option<f64>,
    /// Accuracy or top-5 error.
    pub value: f64,
}

/// The input of [`accuracy_fit`] and of the accuracy chart.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct AccuracyData {
    /// What `value` is.
    #[serde(default)]
    pub measure: Measure,
    /// One point per model.
    pub points: Vec<AccuracyPoint>,
}

/// Least-squares line and correlations of value against ID (over the points with finite ID and
/// value); the fields are `None` when undefined (fewer than 3 points, constant ID or value).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct AccuracyFit {
    /// Points used.
    pub n: usize,
    /// Slope of value against ID.
    pub slope: Option<f64>,
    /// Value at ID 0.
    pub intercept: Option<f64>,
    /// Pearson r.
    pub pearson_r: Option<f64>,
    /// Its two-sided p-value.
    pub pearson_p: Option<f64>,
    /// Spearman ρ.
    pub spearman_rho: Option<f64>,
    /// Its two-sided p-value.
    pub spearman_p: Option<f64>,
    /// Why the fit is missing, e.g. "2 pairs: at least 3 are needed" (`None` when computed).
    pub note: Option<String>,
}

/// The fit of value against ID over the finite points of `d`.
pub fn accuracy_fit(d: &AccuracyData) -> AccuracyFit {
    let (x, y): (Vec<f64>, Vec<f64>) = d.points.iter().filter(|p| p.id.is_finite() && p.value.is_finite()).map(|p| (p.id, p.value)).unzip();
    let (line, p, s) = (least_squares(&x, &y), pearson(&x, &y), spearman(&x, &y));
    let note = [line.as_ref().err(), p.as_ref().err(), s.as_ref().err()].into_iter().flatten().next().map(|e| e.to_string());
    AccuracyFit {
        n: x.len(),
        slope: line.as_ref().ok().map(|l| l.slope),
        intercept: line.as_ref().ok().map(|l| l.intercept),
        pearson_r: p.as_ref().ok().map(|c| c.r),
        pearson_p: p.as_ref().ok().map(|c| c.p),
        spearman_rho: s.as_ref().ok().map(|c| c.r),
        spearman_p: s.as_ref().ok().map(|c| c.p),
        note,
    }
}
