//! The last hidden layer's ID against test accuracy or top-5 error (Ansuini et al. Fig 4): the
//! least-squares line and the Pearson / Spearman correlations, and where a model's accuracy comes from.

use serde::{Deserialize, Serialize};

use crate::compare::correlation::{least_squares, pearson, spearman};

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
    let (x, y): (Vec<f64>, Vec<f64>) =
        d.points.iter().filter(|p| p.id.is_finite() && p.value.is_finite()).map(|p| (p.id, p.value)).unzip();
    let (line, p, s) = (least_squares(&x, &y), pearson(&x, &y), spearman(&x, &y));
    let note =
        [line.as_ref().err(), p.as_ref().err(), s.as_ref().err()].into_iter().flatten().next().map(|e| e.to_string());
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

/// A model's accuracy (or top-5 error), typed by the user or read from its file's metadata.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq)]
pub struct Accuracy {
    /// What `value` is.
    #[serde(default)]
    pub measure: Measure,
    /// The value (fraction or %, as entered).
    pub value: f64,
}

/// The accuracy a file's metadata names (keys such as `accuracy`, `test_accuracy`, `top5_error`,
/// case-insensitive; a group's keys are prefixed `file: key`), if one holds a number.
pub fn metadata_accuracy(metadata: &[(String, String)]) -> Option<Accuracy> {
    metadata.iter().find_map(|(k, v)| {
        let key = k.rsplit(": ").next().unwrap_or(k).to_ascii_lowercase();
        let measure = match key.as_str() {
            "accuracy" | "test_accuracy" | "acc" | "top1_accuracy" => Measure::Accuracy,
            "top5_error" | "top_5_error" => Measure::Top5Error,
            _ => return None,
        };
        let value: f64 = v.trim().parse().ok()?;
        value.is_finite().then_some(Accuracy { measure, value })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn metadata_accuracy_reads_the_known_keys() {
        assert_eq!(
            metadata_accuracy(&meta(&[("source", "x"), ("Test_Accuracy", " 0.91 ")])),
            Some(Accuracy { measure: Measure::Accuracy, value: 0.91 })
        );
        assert_eq!(
            metadata_accuracy(&meta(&[("a.npy: top5_error", "12.5")])),
            Some(Accuracy { measure: Measure::Top5Error, value: 12.5 })
        );
        assert_eq!(metadata_accuracy(&meta(&[("accuracy", "high"), ("acc", "NaN")])), None);
        assert_eq!(metadata_accuracy(&meta(&[("accuracy_note", "0.5")])), None);
    }
}
