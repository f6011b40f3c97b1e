//! The one result schema (`idscope/1`), shared by the CLI's `--json`, the worker's messages and
//! exported files. Plain serde structs: README documents every field. A layer's estimates are
//! the registered estimators' outputs (`crate::estimators`), re-exported here.

pub mod table;

use serde::{Deserialize, Serialize};

use crate::estimators::Params;
pub use crate::estimators::decimation::DecimationPoint;
pub use crate::estimators::gride::GridePoint;
pub use crate::estimators::pcid::PcId;
pub use crate::estimators::twonn::{FitEstimate, MlEstimate, RepeatStats, TwoNn};
pub use crate::estimators::{DuplicateReport, Estimates};

/// Schema tag written into every report, so a dropped results file can be recognised.
pub const SCHEMA: &str = "idscope/1";

/// Everything computed for one model (one file, or one group of per-layer files).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Report {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// Version of idscope that computed it.
    pub idscope_version: String,
    /// Model name (file name by default).
    pub model: String,
    /// Parameters the estimates were computed with.
    pub params: Params,
    /// One entry per analysed layer, in model order.
    pub layers: Vec<LayerResult>,
}

impl Report {
    /// An empty report for `model` computed with `params`.
    pub fn new(model: impl Into<String>, params: Params) -> Self {
        Self {
            schema: SCHEMA.to_owned(),
            idscope_version: env!("CARGO_PKG_VERSION").to_owned(),
            model: model.into(),
            params,
            layers: Vec::new(),
        }
    }
}

/// The estimates for one layer: its points as a whole, and per class when labels were given.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(from = "wire::Layer")]
pub struct LayerResult {
    /// Layer name as the file gives it.
    pub name: String,
    /// Position of the layer in the model (0-based).
    pub index: usize,
    /// Rows in the file.
    pub n_input: usize,
    /// Columns (embedding dimension).
    pub dim: usize,
    /// Rows dropped because they held NaN or ±Inf.
    pub non_finite_dropped: usize,
    /// Rows removed by the random subsample to `max_points` (0 when all were used).
    pub subsampled_out: usize,
    /// The estimates on all (kept) points.
    #[serde(flatten)]
    pub estimates: Estimates,
    /// The same estimates on each class's points (empty without labels or `per_class`).
    pub classes: Vec<ClassResult>,
    /// Classes that could not be estimated, and why (e.g. fewer than 3 distinct points).
    pub skipped_classes: Vec<SkippedClass>,
    /// Wall-clock seconds spent on this layer.
    pub seconds: f64,
}

/// The estimates restricted to one class.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(from = "wire::Class")]
pub struct ClassResult {
    /// Class id (index into the label names).
    pub class: u32,
    /// Class name from the labels file (the id as text when the labels were integers).
    pub name: String,
    /// The estimates on this class's points.
    #[serde(flatten)]
    pub estimates: Estimates,
}

/// A class left out of the per-class estimates.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct SkippedClass {
    /// Class id.
    pub class: u32,
    /// Class name.
    pub name: String,
    /// Why it has no estimate.
    pub reason: String,
}

/// The flat JSON shape of a layer's and a class's result, read field by field: serde's
/// `flatten` would buffer every field (the μ arrays too) and adds ~12 KB to the gzipped wasm.
mod wire {
    use serde::Deserialize;

    use super::{ClassResult, DuplicateReport, Estimates, LayerResult, SkippedClass};
    use crate::estimators::{Estimator, registry};

    /// A wire struct with `$target`'s own fields and [`Estimates`]' beside them (every registered
    /// estimator's), as `flatten` writes them, and its conversion.
    macro_rules! flat {
        ($name:ident => $target:ident { $($own:ident: $oty:ty),* $(,)? } ; $( $(#[$doc:meta])* $field:ident: $ty:ty ),* $(,)?) => {
            #[doc = concat!("A [`", stringify!($target), "`] as written.")]
            #[derive(Deserialize)]
            pub struct $name {
                $($own: $oty,)*
                n: usize,
                duplicates: DuplicateReport,
                $($field: <$ty as Estimator>::Output,)*
            }

            impl From<$name> for $target {
                fn from(w: $name) -> Self {
                    let estimates = Estimates { n: w.n, duplicates: w.duplicates, $($field: w.$field),* };
                    $target { estimates, $($own: w.$own),* }
                }
            }
        };
    }

    registry!(flat, Layer => LayerResult { name: String, index: usize, n_input: usize, dim: usize, non_finite_dropped: usize, subsampled_out: usize, classes: Vec<ClassResult>, skipped_classes: Vec<SkippedClass>, seconds: f64 });
    registry!(flat, Class => ClassResult { class: u32, name: String });
}
