//! The one result schema (`idscope/1`), shared by the CLI's `--json`, the worker's messages and
//! exported files. Plain serde structs: README documents every field.

pub mod table;

use serde::{Deserialize, Serialize};

use crate::params::{DuplicatePolicy, Params};

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

/// Every estimate computed on one set of points.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Estimates {
    /// Points that entered the estimates (after duplicates and exclusions).
    pub n: usize,
    /// How duplicated rows and ties were handled.
    pub duplicates: DuplicateReport,
    /// TwoNN on μ = r₂/r₁.
    pub twonn: TwoNn,
    /// Gride scale analysis, n₁ = 1, 2, 4, … (empty when not requested).
    pub gride: Vec<GridePoint>,
    /// Decimation: ID vs number of points (empty when not requested).
    pub decimation: Vec<DecimationPoint>,
    /// The same decimation on a Gaussian surrogate with the data's covariance (empty when not requested).
    pub surrogate: Vec<DecimationPoint>,
    /// PC-ID and the PCA spectrum (absent when not requested).
    pub pc_id: Option<PcId>,
}

/// Counts of duplicated rows and ties, reported with every estimate.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct DuplicateReport {
    /// The policy applied.
    pub policy: DuplicatePolicy,
    /// Rows equal to an earlier row (bit for bit).
    pub duplicate_rows: usize,
    /// Rows removed before the neighbour search (`keep-one`).
    pub dropped: usize,
    /// Points left out of the estimate because r₁ = 0 (`keep`).
    pub zero_r1_excluded: usize,
    /// Points with r₁ = r₂ > 0 (μ = 1), kept.
    pub mu_one_ties: usize,
}

/// TwoNN estimates on μ = r₂/r₁.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct TwoNn {
    /// Maximum likelihood, d = (N−1)/Σ log μ, with its 95 % interval.
    pub ml: MlEstimate,
    /// Linear fit of −log(1−F(μ)) against log μ through the origin.
    pub fit: FitEstimate,
    /// Mean ± std over random subsets (absent when `repeats` = 0).
    pub repeats: Option<RepeatStats>,
    /// Mean distance to the second neighbour: the length scale of the estimate.
    pub scale: f64,
    /// Every μ used, sorted ascending (the μ histogram).
    pub mu: Vec<f64>,
}

/// Maximum-likelihood TwoNN estimate.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct MlEstimate {
    /// d = (N−1)/Σ log μ.
    pub id: f64,
    /// Lower end of the 95 % interval (Σ log μ ~ Gamma(N, d)).
    pub ci_low: f64,
    /// Upper end of the 95 % interval.
    pub ci_high: f64,
}

/// Linear-fit TwoNN estimate with the points it was fitted to.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct FitEstimate {
    /// Slope through the origin, Σxy/Σx².
    pub id: f64,
    /// Coefficient of determination of the line through the origin (1 − SSres/SStot).
    pub r2: f64,
    /// Fraction of the smallest μ kept.
    pub mu_fraction: f64,
    /// Fitted points (log μ₍ᵢ₎, −log(1 − i/N)), i = 1..⌊fN⌋.
    pub points: Vec<[f64; 2]>,
    /// Discarded points i = ⌊fN⌋+1..N−1 (i = N has y = ∞ and is left out).
    pub discarded: Vec<[f64; 2]>,
}

/// Mean and standard deviation of the estimates over random subsets.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct RepeatStats {
    /// Number of subsets.
    pub repeats: usize,
    /// Size of each subset as a fraction of the points.
    pub fraction: f64,
    /// Mean of the ML estimates.
    pub ml_mean: f64,
    /// Standard deviation (ddof = 0) of the ML estimates.
    pub ml_std: f64,
    /// Mean of the fit estimates.
    pub fit_mean: f64,
    /// Standard deviation (ddof = 0) of the fit estimates.
    pub fit_std: f64,
}

/// One Gride estimate at neighbour orders n₁ < n₂.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct GridePoint {
    /// First neighbour order.
    pub n1: usize,
    /// Second neighbour order (2·n₁).
    pub n2: usize,
    /// Maximum-likelihood ID.
    pub id: f64,
    /// 1/√(observed Fisher information).
    pub err: f64,
    /// Mean of r_{n₁} and r_{n₂} over the points: the length scale.
    pub scale: f64,
}

/// The TwoNN fit estimate at one decimation level.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct DecimationPoint {
    /// Points per block.
    pub size: usize,
    /// Number of disjoint blocks.
    pub blocks: usize,
    /// Mean ID over the blocks.
    pub id_mean: f64,
    /// Standard deviation (ddof = 0) of the ID over the blocks (0 for one block).
    pub id_std: f64,
    /// Mean r₂ over the blocks' points: the length scale.
    pub scale: f64,
}

/// PC-ID: principal components of the correlation matrix needed for a fraction of the variance.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct PcId {
    /// Smallest k whose cumulative explained-variance ratio reaches the threshold.
    pub id: usize,
    /// The threshold (0.9 in the paper; its script printed k − 1).
    pub threshold: f64,
    /// Explained-variance ratios, descending, summing to 1.
    pub spectrum: Vec<f64>,
    /// Constant columns (e.g. dead ReLUs) dropped before standardising.
    pub constant_columns: usize,
    /// Points the PCA used (after the `pc_max_points` subsample).
    pub n_used: usize,
}

/// The flat JSON shape of a layer's and a class's result, read field by field: serde's
/// `flatten` would buffer every field (the μ arrays too) and adds ~12 KB to the gzipped wasm.
mod wire {
    use serde::Deserialize;

    use super::{
        ClassResult, DecimationPoint, DuplicateReport, Estimates, GridePoint, LayerResult, PcId, SkippedClass, TwoNn,
    };

    /// A wire struct with `$target`'s own fields and [`Estimates`]' beside them, as `flatten`
    /// writes them, and its conversion.
    macro_rules! flat {
        ($name:ident => $target:ident { $($field:ident: $ty:ty),* $(,)? }) => {
            #[doc = concat!("A [`", stringify!($target), "`] as written.")]
            #[derive(Deserialize)]
            pub struct $name {
                $($field: $ty,)*
                n: usize,
                duplicates: DuplicateReport,
                twonn: TwoNn,
                gride: Vec<GridePoint>,
                decimation: Vec<DecimationPoint>,
                surrogate: Vec<DecimationPoint>,
                pc_id: Option<PcId>,
            }

            impl From<$name> for $target {
                fn from(w: $name) -> Self {
                    let estimates = Estimates { n: w.n, duplicates: w.duplicates, twonn: w.twonn, gride: w.gride, decimation: w.decimation, surrogate: w.surrogate, pc_id: w.pc_id };
                    $target { estimates, $($field: w.$field),* }
                }
            }
        };
    }

    flat!(Layer => LayerResult { name: String, index: usize, n_input: usize, dim: usize, non_finite_dropped: usize, subsampled_out: usize, classes: Vec<ClassResult>, skipped_classes: Vec<SkippedClass>, seconds: f64 });
    flat!(Class => ClassResult { class: u32, name: String });
}
