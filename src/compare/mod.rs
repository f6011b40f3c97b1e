//! Analyses across models (Ansuini et al. Figs 3–4, Scheidt & Hansen): which layer of each model
//! is compared, the per-class ID summaries, ID vs accuracy and the model × model correlation of
//! per-class IDs. The page (through `web::analyses`) and `idscope compare` both call [`compare`].

mod accuracy;
mod classes;
pub mod correlation;
mod ids;
pub mod neighbourhood;
mod report;
mod selection;

pub use accuracy::{Accuracy, AccuracyData, AccuracyFit, AccuracyPoint, Measure, accuracy_fit, metadata_accuracy};
pub use classes::{ClassIds, ClassSpread, CorrelationTable, class_spread, correlation_table, shared_class_ids};
pub use ids::{LayerIds, layer_id};
pub use report::{ClassCorrelation, Comparison, DepthPoint, MIN_CLASSES, ModelComparison, compare};
pub use selection::{Choice, ModelInput, ShownLayer, chosen_layer, layer_choices};

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
