//! Per-class IDs across models: the mean ± std of a layer's per-class IDs (Ansuini et al. Fig 3A)
//! and the model × model correlation table of per-class IDs (Scheidt & Hansen).

use serde::{Deserialize, Serialize};

use super::ComparisonError;
use super::ids::LayerIds;
use crate::compare::correlation::{Correlation, CorrelationError, pearson, spearman};
use crate::support::stats::mean_std;

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
pub fn class_spread(layer: &LayerIds) -> Option<ClassSpread> {
    let ids: Vec<f64> = layer.classes.iter().map(|c| c.1).filter(|v| v.is_finite()).collect();
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
pub fn shared_class_ids(layer: impl Into<String>, models: &[(String, &LayerIds)]) -> ClassIds {
    let finite =
        |l: &LayerIds| -> Vec<(String, f64)> { l.classes.iter().filter(|c| c.1.is_finite()).cloned().collect() };
    let per_model: Vec<Vec<(String, f64)>> = models.iter().map(|(_, l)| finite(l)).collect();
    let mut classes: Vec<String> =
        per_model.first().map(|m| m.iter().map(|c| c.0.clone()).collect()).unwrap_or_default();
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
        return Err(ComparisonError::Shape {
            models: d.models.len(),
            classes: d.classes.len(),
            got: format!("[{rows}]"),
        });
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
    Ok(CorrelationTable {
        models: d.models.clone(),
        classes: d.classes.clone(),
        n: d.classes.len(),
        pearson,
        pearson_p,
        spearman,
        spearman_p,
    })
}
