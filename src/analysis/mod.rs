//! One layer of one model: subsample, estimate on all points and per class, and time it; a layer
//! over the memory limit goes to [`streamed`], which reads it from its file.

pub mod duplicates;
pub mod estimate;
pub mod passes;
pub mod streamed;

use ndarray::{ArrayView2, Axis};

use crate::analysis::estimate::{candidates_part, estimate, estimate_with, neighbours_part};
use crate::estimators::EstimateError;
use crate::estimators::{CheckedParams, Params, PointLabels};
use crate::knn::wgsl::DeviceRows;
use crate::knn::{CandidateLists, Neighbours};
use crate::readers::{Labels, LayerData, Model, ReadError};
use crate::results::{ClassResult, LayerResult, SkippedClass};
use crate::support::progress::{Progress, Stage};
use crate::support::rng::{self, Stream};
use duplicates::Duplicates;

/// A layer's finite rows and what the reader reported about it.
#[derive(Debug, Clone, Copy)]
pub struct LayerInput<'a> {
    /// Layer name.
    pub name: &'a str,
    /// Position in the model.
    pub index: usize,
    /// The rows (finite values), N × D.
    pub data: ArrayView2<'a, f32>,
    /// Rows in the file before non-finite rows were dropped.
    pub n_input: usize,
    /// Rows the reader dropped for NaN/±Inf.
    pub non_finite_dropped: usize,
    /// Labels of the rows of `data`, if any.
    pub labels: Option<PointLabels<'a>>,
}

/// Why a layer could not be analysed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnalysisError {
    /// Labels do not match the rows.
    #[error("layer \"{layer}\": {labels} labels for {rows} rows")]
    LabelCount {
        /// Layer name.
        layer: String,
        /// Labels given.
        labels: usize,
        /// Rows in the layer.
        rows: usize,
    },
    /// The estimates failed.
    #[error("layer \"{layer}\": {source}")]
    Estimate {
        /// Layer name.
        layer: String,
        /// Why.
        source: EstimateError,
    },
    /// The layer is over the memory limit and cannot be streamed as asked.
    #[error("layer \"{layer}\": {source}")]
    Streamed {
        /// Layer name.
        layer: String,
        /// Why.
        source: crate::analysis::streamed::Refusal,
    },
}

impl AnalysisError {
    /// Whether the computation was cancelled rather than failed.
    pub fn is_cancelled(&self) -> bool {
        matches!(self, Self::Estimate { source: EstimateError::Cancelled, .. })
    }
}

/// Analyses one layer: optional random subsample to `max_points`, then every requested estimate
/// on all its points and, with labels and `per_class`, on each class (a class where an estimate
/// fails is listed in `skipped_classes` with the reason).
pub fn analyse_layer(
    input: LayerInput<'_>,
    params: &CheckedParams,
    progress: &mut dyn Progress,
) -> Result<LayerResult, AnalysisError> {
    analyse_layer_with(input, &LayerPoints::new(input.data, params.get()), params, None, progress)
}

/// The rows of the random subsample to `max_points` (stream `Subsample`), or `None` for all.
fn subsample(n: usize, p: &Params) -> Option<Vec<usize>> {
    p.max_points.filter(|&m| m < n).map(|m| rng::subset(n, m, &mut rng::rng(p.seed, Stream::Subsample)))
}

/// The points of a layer's whole-layer estimate, settled once: the rows the subsample keeps and
/// which of them are duplicates. Every phase of a split neighbour search and the final estimates
/// need them; a worker keeps them with the read layer so it hashes the layer once, not per phase.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerPoints {
    /// Rows of the layer.
    n: usize,
    /// The parameters the subsample depends on.
    max_points: Option<usize>,
    seed: u32,
    /// Rows the subsample keeps (`None`: all).
    keep: Option<Vec<usize>>,
    /// Duplicates among the kept rows.
    dups: Duplicates,
}

impl LayerPoints {
    /// The whole-layer points of the rows `data` with `p`'s subsample.
    pub fn new(data: ArrayView2<f32>, p: &Params) -> Self {
        let n = data.nrows();
        let keep = subsample(n, p);
        let dups = match &keep {
            Some(rows) => duplicates::find(data.select(Axis(0), rows).view()),
            None => duplicates::find(data),
        };
        Self { n, max_points: p.max_points, seed: p.seed, keep, dups }
    }

    /// Whether these are the points of `n` rows with `p`'s subsample.
    pub fn fits(&self, n: usize, p: &Params) -> bool {
        self.n == n && self.max_points == p.max_points && self.seed == p.seed
    }

    /// `f(kept rows, points)` on `data` (the rows these were settled for; if they do not fit
    /// `data` and `p`, settled again).
    fn with_kept<T>(&self, data: ArrayView2<f32>, p: &Params, f: impl FnOnce(ArrayView2<f32>, &Self) -> T) -> T {
        let fresh;
        let points = if self.fits(data.nrows(), p) {
            self
        } else {
            fresh = Self::new(data, p);
            &fresh
        };
        match &points.keep {
            Some(rows) => f(data.select(Axis(0), rows).view(), points),
            None => f(data, points),
        }
    }
}

/// Phase 1 of the whole-layer neighbour search, split for workers: the candidate lists from
/// part `part` of `parts` of its Gram tiles; every part goes to [`layer_neighbours_part`].
/// `points`: [`LayerPoints::new`] of `input`'s rows and `params`.
pub fn layer_candidates_part(
    input: LayerInput<'_>,
    points: &LayerPoints,
    params: &CheckedParams,
    part: usize,
    parts: usize,
    progress: &mut dyn Progress,
) -> Result<CandidateLists, AnalysisError> {
    points
        .with_kept(input.data, params.get(), |x, points| {
            candidates_part(x, &points.dups, params, part, parts, progress)
        })
        .map_err(|source| AnalysisError::Estimate { layer: input.name.to_owned(), source })
}

/// Phase 1 on a GPU: the whole-layer search's rows prepared for the WGSL kernel (see
/// [`estimate::device_rows`]); its lists go to [`layer_neighbours_part`] like a tile part's.
pub fn layer_device_rows(
    input: LayerInput<'_>,
    points: &LayerPoints,
    params: &CheckedParams,
) -> Result<DeviceRows, AnalysisError> {
    points
        .with_kept(input.data, params.get(), |x, points| estimate::device_rows(x, &points.dups, params))
        .map_err(|source| AnalysisError::Estimate { layer: input.name.to_owned(), source })
}

/// Phase 2: the whole-layer estimate's neighbour lists of the rows `candidates` cover (the same
/// row slice of every [`layer_candidates_part`]); join the row parts in order and pass them to
/// [`analyse_layer_with`].
pub fn layer_neighbours_part(
    input: LayerInput<'_>,
    points: &LayerPoints,
    params: &CheckedParams,
    candidates: &[CandidateLists],
    progress: &mut dyn Progress,
) -> Result<Neighbours, AnalysisError> {
    points
        .with_kept(input.data, params.get(), |x, points| neighbours_part(x, &points.dups, params, candidates, progress))
        .map_err(|source| AnalysisError::Estimate { layer: input.name.to_owned(), source })
}

/// [`analyse_layer`] on the settled `points` of `input`, with the neighbour lists of the
/// whole-layer estimate given when `full` is `Some` (joined from [`layer_neighbours_part`]s);
/// per-class estimates search their own.
pub fn analyse_layer_with(
    input: LayerInput<'_>,
    points: &LayerPoints,
    params: &CheckedParams,
    full: Option<Neighbours>,
    progress: &mut dyn Progress,
) -> Result<LayerResult, AnalysisError> {
    let start = web_time::Instant::now();
    let p = params.get();
    let fail = |source| AnalysisError::Estimate { layer: input.name.to_owned(), source };
    let n = input.data.nrows();
    if let Some(l) = input.labels.filter(|l| l.ids.len() != n) {
        return Err(AnalysisError::LabelCount { layer: input.name.to_owned(), labels: l.ids.len(), rows: n });
    }
    let classes_wanted = p.per_class && input.labels.is_some();
    let share = if classes_wanted { 0.5 } else { 1.0 };
    points.with_kept(input.data, p, |x, points| {
        let ids: Option<Vec<u32>> = input.labels.map(|l| match &points.keep {
            Some(rows) => rows.iter().map(|&i| l.ids[i]).collect(),
            None => l.ids.to_vec(),
        });
        let labelled = ids.as_deref().zip(input.labels).map(|(ids, l)| PointLabels { ids, names: l.names });
        let estimates = estimate_with(x, &points.dups, labelled, params, full, &mut Stage::new(progress, 0.0, share))
            .map_err(fail)?;
        let mut classes = Vec::new();
        let mut skipped_classes = Vec::new();
        if let (true, Some(ids), Some(labels)) = (classes_wanted, &ids, input.labels) {
            let class_params = params.for_classes();
            let mut present: Vec<u32> = ids.clone();
            present.sort_unstable();
            present.dedup();
            for (c, &class) in present.iter().enumerate() {
                let rows: Vec<usize> = (0..ids.len()).filter(|&i| ids[i] == class).collect();
                let (a, b) = (
                    share + (1.0 - share) * c as f64 / present.len() as f64,
                    share + (1.0 - share) * (c + 1) as f64 / present.len() as f64,
                );
                let name = labels.names.get(class as usize).cloned().unwrap_or_else(|| class.to_string());
                match estimate(x.select(Axis(0), &rows).view(), &class_params, &mut Stage::new(progress, a, b)) {
                    Ok(estimates) => classes.push(ClassResult { class, name, estimates }),
                    Err(EstimateError::Cancelled) => return Err(fail(EstimateError::Cancelled)),
                    Err(e) => skipped_classes.push(SkippedClass { class, name, reason: e.to_string() }),
                }
            }
        }
        Ok(LayerResult {
            name: input.name.to_owned(),
            index: input.index,
            n_input: input.n_input,
            dim: input.data.ncols(),
            non_finite_dropped: input.non_finite_dropped,
            subsampled_out: points.keep.as_ref().map_or(0, |k| n - k.len()),
            estimates,
            classes,
            skipped_classes,
            seconds: start.elapsed().as_secs_f64(),
        })
    })
}

/// Why a layer of a model could not be analysed: reading it, or estimating on it.
#[derive(Debug, thiserror::Error)]
pub enum LayerError {
    /// The layer could not be read (the message names the file and the layer).
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The estimates failed.
    #[error(transparent)]
    Analysis(#[from] AnalysisError),
}

/// Reads layer `index` of `model` (NaN/Inf rows dropped by the reader), gives it the labels of
/// the rows it kept, and analyses it: the per-layer step of the CLI and of the worker. A layer
/// over `memory_limit_mb` is streamed from its file instead (`crate::analysis::streamed`).
pub fn analyse_model_layer(
    model: &Model,
    index: usize,
    labels: Option<&Labels>,
    params: &CheckedParams,
    progress: &mut dyn Progress,
) -> Result<LayerResult, LayerError> {
    if let Some(reader) = model.layer(index).filter(|r| crate::analysis::streamed::wanted(r, params)) {
        let limit = params.get().memory_limit_mb << 20;
        return crate::analysis::streamed::analyse_layer(reader, index, labels, params, limit, progress);
    }
    let layer = model.read_layer(index)?;
    let ids = labels.map(|l| kept_ids(&layer, l));
    let input = layer_input(model, index, &layer, ids.as_deref(), labels);
    Ok(analyse_layer(input, params, progress)?)
}

/// The exact ranks, among the points of layer `index`'s whole-layer estimate (the same subsample,
/// duplicates as the policy says), of one chosen point per point, per list of `targets`
/// ([`crate::knn::ranks`]): the information imbalance's pass over the layer's rows. A layer over
/// the memory limit is refused (its rows would be read again chunk by chunk for each pass).
pub fn layer_ranks(
    model: &Model,
    index: usize,
    params: &CheckedParams,
    targets: &[Vec<u32>],
    progress: &mut dyn Progress,
) -> Result<Vec<Vec<u32>>, LayerError> {
    let p = params.get();
    if let Some(reader) = model.layer(index).filter(|r| crate::analysis::streamed::wanted(r, params)) {
        let mb = crate::analysis::streamed::streamable_bytes(reader.info()).unwrap_or(0) >> 20;
        let source = crate::analysis::streamed::Refusal::Unsupported {
            mb,
            limit_mb: p.memory_limit_mb,
            what: vec!["the information imbalance"],
        };
        return Err(AnalysisError::Streamed { layer: reader.info().name.clone(), source }.into());
    }
    let layer = model.read_layer(index)?;
    let name = &model.layers[index].name;
    let data = layer.data.view();
    let points = LayerPoints::new(data, p);
    points
        .with_kept(data, p, |x, points| {
            let x = estimate::distinct_points(x, &points.dups, p);
            crate::knn::ranks(x.view(), p.metric, targets, progress)
        })
        .map_err(|e| AnalysisError::Estimate { layer: name.clone(), source: e.into() }.into())
}

/// The class ids of the rows the reader kept of `layer`.
pub fn kept_ids(layer: &LayerData, labels: &Labels) -> Vec<u32> {
    layer.kept_rows.iter().filter_map(|&r| labels.ids.get(r).copied()).collect()
}

/// Layer `index` of `model`, read into `layer`, as the estimates' input; `ids`: [`kept_ids`]
/// of `labels`.
pub fn layer_input<'a>(
    model: &'a Model,
    index: usize,
    layer: &'a LayerData,
    ids: Option<&'a [u32]>,
    labels: Option<&'a Labels>,
) -> LayerInput<'a> {
    let (name, n_input) = model.layers.get(index).map_or(("", layer.data.nrows()), |l| (l.name.as_str(), l.rows));
    LayerInput {
        name,
        index,
        data: layer.data.view(),
        n_input,
        non_finite_dropped: layer.non_finite_dropped,
        labels: ids.zip(labels).map(|(ids, l)| PointLabels { ids, names: &l.names }),
    }
}
