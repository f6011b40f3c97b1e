//! What the user can set for an analysis, validated once into [`CheckedParams`] before any work.
//!
//! Defaults follow Ansuini et al. (2019): 10 % of the largest μ discarded from the fit, error bars
//! from 20 random subsets of 90 % of the points.

use serde::{Deserialize, Serialize};

use crate::knn::Metric;

/// What to do with rows that occur more than once (their r₁ would be 0 and μ undefined).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "kebab-case")]
pub enum DuplicatePolicy {
    /// Keep one copy of each duplicated row (intRinsic; DADApy after `remove_identical_points`).
    #[default]
    KeepOne,
    /// Keep every row and exclude from the estimate the points whose r₁ = 0.
    Keep,
}

/// Analysis parameters as the user gives them (CLI flags, page controls, a results file).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Distance used for the neighbours.
    pub metric: Metric,
    /// Handling of duplicated rows.
    pub duplicates: DuplicatePolicy,
    /// Fraction of the smallest μ kept by the TwoNN linear fit (0 < f ≤ 1).
    pub mu_fraction: f64,
    /// Number of random subsets for the error bars (0 = none).
    pub repeats: usize,
    /// Size of each random subset as a fraction of the points (0 < f < 1).
    pub subset_fraction: f64,
    /// Seed of every random choice; the same seed gives the same numbers natively and in wasm.
    pub seed: u32,
    /// Random subsample (with `seed`) of at most this many points per layer; `None` uses all.
    pub max_points: Option<usize>,
    /// Run the Gride scale analysis.
    pub gride: bool,
    /// Largest neighbour order used by the Gride scale analysis (n₂ ≤ this).
    pub gride_range: usize,
    /// Run the decimation (ID vs number of points).
    pub decimation: bool,
    /// Smallest block size of the decimation.
    pub min_block: usize,
    /// Compute the PC-ID and the normalised PCA spectrum.
    pub pc_id: bool,
    /// Fraction of variance the PC-ID must explain.
    pub pc_threshold: f64,
    /// Cap on the points used by the PCA (random subsample with `seed` above it).
    pub pc_max_points: usize,
    /// Run the decimation on a Gaussian surrogate with the data's covariance.
    pub surrogate: bool,
    /// With labels: repeat every estimate on each class's points.
    pub per_class: bool,
    /// Memory (MiB) a layer may take in memory; a larger layer is streamed by column chunks
    /// (see `streamed`), which keeps the working memory under this bound whatever the file size.
    pub memory_limit_mb: u64,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            metric: Metric::Euclidean,
            duplicates: DuplicatePolicy::KeepOne,
            mu_fraction: 0.9,
            repeats: 20,
            subset_fraction: 0.9,
            seed: 0,
            max_points: None,
            gride: false,
            gride_range: 64,
            decimation: false,
            min_block: 20,
            pc_id: false,
            pc_threshold: 0.9,
            pc_max_points: 5000,
            surrogate: false,
            per_class: false,
            memory_limit_mb: 1024,
        }
    }
}

impl Params {
    /// The page's defaults: [`Params::default`] with every estimate its charts plot turned on
    /// (Gride, decimation, PC-ID, the Gaussian surrogate); its form is filled from these.
    pub fn page() -> Self {
        Self { gride: true, decimation: true, pc_id: true, surrogate: true, ..Self::default() }
    }
}

/// One control of the page's parameter form: `www/params.js` builds the form from [`FORM`], so a
/// new parameter the page should offer is added here, beside its field and default.
#[derive(Serialize, Debug, Clone, Copy, PartialEq)]
pub struct FormField {
    /// The [`Params`] field it sets.
    pub name: &'static str,
    /// Its label.
    pub label: &'static str,
    /// Its tooltip, if any.
    pub title: Option<&'static str>,
    /// What kind of control.
    pub kind: FormKind,
}

/// The kinds of form control.
#[derive(Serialize, Debug, Clone, Copy, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FormKind {
    /// A number in `min..=max` by `step`; with `empty`, it may be left empty (`null`), which the
    /// placeholder `empty` describes.
    Number {
        /// Smallest value.
        min: f64,
        /// Largest value, if bounded.
        max: Option<f64>,
        /// Step of the control.
        step: f64,
        /// Placeholder of an empty (null) value; `None`: a value is required.
        empty: Option<&'static str>,
    },
    /// One of `options`: (value as in JSON, label).
    Choice {
        /// The values and their labels.
        options: &'static [(&'static str, &'static str)],
    },
    /// On or off.
    Check,
}

/// The page's parameter form, in order.
pub const FORM: &[FormField] = &[
    FormField {
        name: "mu_fraction",
        label: "TwoNN fit fraction",
        title: None,
        kind: FormKind::Number { min: 0.05, max: Some(1.0), step: 0.05, empty: None },
    },
    FormField {
        name: "repeats",
        label: "Repeats",
        title: Some("Random subsets for the error bars (0: none)"),
        kind: FormKind::Number { min: 0.0, max: Some(MAX_REPEATS as f64), step: 1.0, empty: None },
    },
    FormField {
        name: "seed",
        label: "Seed",
        title: None,
        kind: FormKind::Number { min: 0.0, max: Some(u32::MAX as f64), step: 1.0, empty: None },
    },
    FormField {
        name: "duplicates",
        label: "Duplicates",
        title: None,
        kind: FormKind::Choice { options: &[("keep-one", "keep one copy"), ("keep", "keep all, skip r₁ = 0")] },
    },
    FormField {
        name: "metric",
        label: "Metric",
        title: None,
        kind: FormKind::Choice { options: &[("euclidean", "Euclidean"), ("cosine", "cosine")] },
    },
    FormField {
        name: "max_points",
        label: "Max points per layer",
        title: None,
        kind: FormKind::Number { min: 3.0, max: None, step: 1.0, empty: Some("all") },
    },
    FormField { name: "pc_id", label: "PC-ID", title: None, kind: FormKind::Check },
    FormField { name: "surrogate", label: "Gaussian surrogate", title: None, kind: FormKind::Check },
    FormField {
        name: "per_class",
        label: "per-class ID",
        title: Some(
            "With labels: the TwoNN estimates on each class's points (a second pass after the whole-set estimates)",
        ),
        kind: FormKind::Check,
    },
];

impl DuplicatePolicy {
    /// The policy's name in JSON, on the command line and in the page's form.
    pub fn name(self) -> &'static str {
        match self {
            Self::KeepOne => "keep-one",
            Self::Keep => "keep",
        }
    }
}

/// A parameter outside its valid range.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParamError {
    /// `mu_fraction` must lie in (0, 1].
    #[error("mu_fraction must be in (0, 1], got {0}")]
    MuFraction(f64),
    /// `subset_fraction` must lie in (0, 1).
    #[error("subset_fraction must be in (0, 1), got {0}")]
    SubsetFraction(f64),
    /// `pc_threshold` must lie in (0, 1].
    #[error("pc_threshold must be in (0, 1], got {0}")]
    PcThreshold(f64),
    /// The Gride range must allow n₁ = 1, n₂ = 2 and stay within the neighbour search's limit.
    #[error("gride_range must be between 2 and {max}, got {got}")]
    GrideRange {
        /// The value given.
        got: usize,
        /// The largest supported neighbour order.
        max: usize,
    },
    /// Blocks of fewer than 3 points have no second neighbour.
    #[error("min_block must be at least 3, got {0}")]
    MinBlock(usize),
    /// A cap below 3 points leaves nothing to estimate.
    #[error("{name} must be at least 3, got {got}")]
    PointCap {
        /// Which cap.
        name: &'static str,
        /// The value given.
        got: usize,
    },
    /// A memory limit of 0.
    #[error("memory_limit_mb must be at least 1, got 0")]
    MemoryLimit,
    /// More repeats than anyone can wait for.
    #[error("repeats must be at most {max}, got {got}")]
    Repeats {
        /// The value given.
        got: usize,
        /// The largest accepted value.
        max: usize,
    },
}

/// Largest Gride range accepted (the scale analysis's last order, n = 32, needs the 64th
/// neighbour); the search itself goes to [`crate::knn::MAX_K`].
pub const MAX_GRIDE_RANGE: usize = 64;
/// Largest number of repeats accepted.
pub const MAX_REPEATS: usize = 1000;

/// Parameters that passed [`Params::check`] (in `crate::estimators`); estimators take only this form.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedParams(Params);

impl CheckedParams {
    /// The validated values.
    pub fn get(&self) -> &Params {
        &self.0
    }
}

impl CheckedParams {
    /// Parameters that passed [`Params::check`] (`crate::estimators`: the shared checks and
    /// every estimator's own).
    pub(crate) fn new(p: Params) -> Self {
        Self(p)
    }
}

impl Params {
    /// The checks of the parameters every pass reads (the estimators check their own).
    pub(crate) fn check_shared(&self) -> Result<(), ParamError> {
        if let Some(m) = self.max_points.filter(|&m| m < 3) {
            return Err(ParamError::PointCap { name: "max_points", got: m });
        }
        if self.memory_limit_mb == 0 {
            return Err(ParamError::MemoryLimit);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_papers_and_valid() {
        let p = Params::default().check().unwrap();
        assert_eq!(p.get().mu_fraction, 0.9);
        assert_eq!(p.get().repeats, 20);
        assert_eq!(p.get().subset_fraction, 0.9);
    }

    #[test]
    fn out_of_range_values_are_typed_errors() {
        let bad = |f: fn(&mut Params)| {
            let mut p = Params::default();
            f(&mut p);
            p.check().unwrap_err()
        };
        assert_eq!(bad(|p| p.mu_fraction = 0.0), ParamError::MuFraction(0.0));
        assert_eq!(bad(|p| p.mu_fraction = f64::NAN).to_string(), "mu_fraction must be in (0, 1], got NaN");
        assert_eq!(bad(|p| p.subset_fraction = 1.0), ParamError::SubsetFraction(1.0));
        assert_eq!(bad(|p| p.gride_range = 65), ParamError::GrideRange { got: 65, max: 64 });
        assert_eq!(bad(|p| p.min_block = 2), ParamError::MinBlock(2));
        assert_eq!(bad(|p| p.max_points = Some(2)), ParamError::PointCap { name: "max_points", got: 2 });
    }

    #[test]
    fn params_round_trip_through_json_with_defaults_filled_in() {
        let p: Params = serde_json::from_str(r#"{"seed": 7, "duplicates": "keep"}"#).unwrap();
        assert_eq!(p.seed, 7);
        assert_eq!(p.duplicates, DuplicatePolicy::Keep);
        assert_eq!(p.repeats, 20);
        assert!(serde_json::from_str::<Params>(r#"{"sed": 7}"#).is_err());
    }

    #[test]
    fn every_form_field_is_a_param_and_its_bounds_pass_the_checks() {
        let defaults = serde_json::to_value(Params::default()).unwrap();
        for f in FORM {
            assert!(defaults.get(f.name).is_some(), "{} is not a Params field", f.name);
            let set = |v: serde_json::Value| {
                let mut p = defaults.clone();
                p[f.name] = v;
                serde_json::from_value::<Params>(p).unwrap_or_else(|e| panic!("{}: {e}", f.name))
            };
            match f.kind {
                FormKind::Number { min, max, step, empty } => {
                    // Whole steps: an integer field.
                    let check = |x: f64| {
                        let v = if step.fract() == 0.0 { serde_json::json!(x as u64) } else { serde_json::json!(x) };
                        set(v).check().unwrap_or_else(|e| panic!("{} = {x}: {e}", f.name));
                    };
                    check(min);
                    if let Some(max) = max {
                        check(max);
                    }
                    if empty.is_some() {
                        set(serde_json::Value::Null).check().unwrap();
                    }
                }
                FormKind::Choice { options } => {
                    for (value, _) in options {
                        set(serde_json::json!(value));
                    }
                }
                FormKind::Check => {
                    set(serde_json::json!(true));
                }
            }
        }
    }
}
