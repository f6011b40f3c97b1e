//! Layers larger than memory: the neighbour search and the estimates built on it, streaming the
//! file in column chunks so memory stays under `Params::memory_limit_mb` whatever D is.
//!
//! Passes over the file, each reading every analysed row's bytes of one column chunk (one
//! contiguous range per row in row-major files, per column in Fortran order; a deflated .npz
//! member is re-inflated for each chunk, which is slow but bounded):
//! 0. [`scan`]: finite rows, row hashes (duplicates, confirmed value by value) and squared norms
//!    (cosine scales);
//! 1. [`gram`]: the f32 Gram matrix of the centred rows, in a fixed order with a proven error bound,
//!    and `k + spare` candidates per row;
//! 2. [`exact`]: exact f64 distances to the candidates, the same completeness bound as `knn`, and
//!    exact rescans (in batches) of the rows where it fails; then the error-bar subsets and the
//!    decimation blocks ([`subsets`]), rescanning the points whose list holds too few members
//!    (for small blocks nearly all: about 4 more passes over the file).
//!
//! The neighbour lists, and so every estimate made from them, equal the in-memory path's.
//! Supported: TwoNN (ML, fit, μ, scale), its error bars (any subset fraction), Gride, the
//! decimation, PC-ID ([`pca`]: one more pass; its spectrum agrees with the in-memory one to f32
//! rounding, see there), both duplicate policies, max_points, cosine. Refused with a message: the
//! Gaussian surrogate (as large as the layer) and per-class estimates (a pipeline per class).
//! Memory: see [`plan`].

mod chunks;
pub mod device;
mod exact;
mod gram;
mod pca;
pub mod plan;
mod scan;
mod subsets;

use crate::analysis::estimate::search_k;
use crate::analysis::{AnalysisError, LayerError};
use crate::estimators::pcid::PcId;
use crate::estimators::{self, Duplicates, EstimateError, Estimates, Plan, PointLabels, Rows};
use crate::estimators::{CheckedParams, Params};
use crate::knn::{self, KnnError, Metric, Neighbours};
use crate::params::DuplicatePolicy;
use crate::readers::{Labels, LayerInfo, LayerReader, ReadError};
use crate::results::LayerResult;
use crate::support::progress::{Cancelled, Progress, Stage};
use crate::support::rng::{self, Stream};
use chunks::{Chunks, ReadAhead, alloc};

/// Why a streamed analysis stopped early.
#[derive(Debug)]
pub enum Stop {
    /// Reading failed.
    Read(ReadError),
    /// An estimate failed or was cancelled.
    Estimate(EstimateError),
    /// The layer cannot be streamed with these parameters.
    Refused(Refusal),
}

impl From<ReadError> for Stop {
    fn from(e: ReadError) -> Self {
        Self::Read(e)
    }
}
impl From<Cancelled> for Stop {
    fn from(_: Cancelled) -> Self {
        Self::Estimate(EstimateError::Cancelled)
    }
}
impl From<EstimateError> for Stop {
    fn from(e: EstimateError) -> Self {
        Self::Estimate(e)
    }
}
impl From<KnnError> for Stop {
    fn from(e: KnnError) -> Self {
        Self::Estimate(e.into())
    }
}

/// What the streamed path cannot do for a layer.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Refusal {
    /// Estimates that need the rows in memory.
    #[error(
        "the layer ({mb} MiB in memory) is over the memory limit ({limit_mb} MiB) and is streamed by column chunks, \
         which does not support {}: turn them off, set max_points lower, or raise memory_limit_mb",
        .what.join(", ")
    )]
    Unsupported {
        /// Memory the in-memory path would need, MiB.
        mb: u64,
        /// The limit, MiB.
        limit_mb: u64,
        /// The estimates asked for that cannot be streamed.
        what: Vec<&'static str>,
    },
    /// The PCA's N×N matrix does not fit.
    #[error(
        "PC-ID on {rows} points needs about {need_mb} MiB (32·N² bytes for the N×N matrix and its eigenvalues), \
         above the memory limit of {limit_mb} MiB: set pc_max_points lower"
    )]
    Pca {
        /// Points the PCA would use.
        rows: usize,
        /// Memory it needs, MiB.
        need_mb: u64,
        /// The limit, MiB.
        limit_mb: u64,
    },
    /// Even the streamed path does not fit.
    #[error(transparent)]
    TooLarge(#[from] plan::TooLarge),
    /// A GPU's Gram was handed back before every column chunk had gone to the GPU.
    #[error("the GPU's Gram came back after {handed} of the layer's {chunks} column chunks")]
    Incomplete {
        /// Chunks handed out.
        handed: usize,
        /// Chunks of the layer.
        chunks: usize,
    },
    /// A single buffer could not be allocated.
    #[error("out of memory allocating {what}")]
    OutOfMemory {
        /// What it was for.
        what: &'static str,
    },
}

/// Whether layer `reader` is analysed by streaming: its in-memory form would exceed the limit and
/// it is a binary array (text tables are always read whole).
pub fn wanted(reader: &LayerReader, params: &CheckedParams) -> bool {
    over_limit(streamable_bytes(reader.info()), params.get())
}

/// The streaming rule: a layer of `bytes` in memory (`None`: a text table) is streamed when over
/// `memory_limit_mb`. The pass plan applies it to the page's layers too.
pub fn over_limit(bytes: Option<u64>, params: &Params) -> bool {
    bytes.is_some_and(|b| b > params.memory_limit_mb << 20)
}

/// The in-memory size of layer `info` (bytes) that decides whether it is streamed, or `None` for a
/// text table, which is never streamed; the page uses it to keep such layers in one worker.
pub fn streamable_bytes(info: &LayerInfo) -> Option<u64> {
    (info.dtype != "text").then(|| plan::in_memory_bytes(info.rows, info.cols))
}

/// What `params` asks for that a streamed layer cannot give: the estimators that need the rows in
/// memory, and per-class estimates (a pipeline per class).
fn unsupported(params: &CheckedParams, labels: bool) -> Vec<&'static str> {
    let p = params.get();
    let mut what = estimators::in_memory_only(p);
    if p.per_class && labels {
        what.push("per-class estimates");
    }
    what
}

/// Analyses layer `index` (read by `reader`) by streaming it under `limit` bytes: the streamed
/// twin of `analysis::analyse_model_layer`, with the same results for the estimates it supports.
pub fn analyse_layer(
    reader: &LayerReader,
    index: usize,
    labels: Option<&Labels>,
    params: &CheckedParams,
    limit: u64,
    progress: &mut dyn Progress,
) -> Result<LayerResult, LayerError> {
    let start = web_time::Instant::now();
    admit(reader, labels, params, limit)?;
    let outcome = stream(reader, labels, params, limit, progress);
    layer_result(reader.info(), index, start, outcome)
}

/// Refuses what a streamed layer cannot give, and labels that do not match its rows.
fn admit(reader: &LayerReader, labels: Option<&Labels>, params: &CheckedParams, limit: u64) -> Result<(), LayerError> {
    let info = reader.info();
    let what = unsupported(params, labels.is_some());
    if !what.is_empty() {
        let mb = plan::in_memory_bytes(info.rows, info.cols) >> 20;
        let source = Refusal::Unsupported { mb, limit_mb: limit >> 20, what };
        return Err(LayerError::Analysis(AnalysisError::Streamed { layer: info.name.clone(), source }));
    }
    if let Some(l) = labels.filter(|l| l.ids.len() != info.rows) {
        let (layer, labels, rows) = (info.name.clone(), l.ids.len(), info.rows);
        return Err(LayerError::Analysis(AnalysisError::LabelCount { layer, labels, rows }));
    }
    Ok(())
}

/// The layer's result from the passes' outcome: (estimates, rows dropped for NaN/Inf, rows left
/// out by `max_points`), or the failure, named for layer `info`.
fn layer_result(
    info: &LayerInfo,
    index: usize,
    start: web_time::Instant,
    outcome: Result<(Estimates, usize, usize), Stop>,
) -> Result<LayerResult, LayerError> {
    let (estimates, dropped, subsampled_out) = outcome.map_err(|stop| stop_error(info, stop))?;
    Ok(LayerResult {
        name: info.name.clone(),
        index,
        n_input: info.rows,
        dim: info.cols,
        non_finite_dropped: dropped,
        subsampled_out,
        estimates,
        classes: Vec::new(),
        skipped_classes: Vec::new(),
        seconds: start.elapsed().as_secs_f64(),
    })
}

/// Why the passes over layer `info` stopped, as the layer's error.
fn stop_error(info: &LayerInfo, stop: Stop) -> LayerError {
    let layer = info.name.clone();
    match stop {
        Stop::Read(e) => LayerError::Read(e),
        Stop::Estimate(source) => LayerError::Analysis(AnalysisError::Estimate { layer, source }),
        Stop::Refused(source) => LayerError::Analysis(AnalysisError::Streamed { layer, source }),
    }
}

/// The points of a streamed layer, settled by pass 0: which file rows are analysed (finite, the
/// `max_points` subsample, duplicates kept once as the policy says), their scales, and the plan.
struct Points {
    /// The source's read-ahead under the plan, withdrawn with the points.
    _read_ahead: ReadAhead,
    chunks: Chunks,
    scale: Vec<f64>,
    duplicate_rows: usize,
    dropped: usize,
    subsampled_out: usize,
    k: usize,
    m: usize,
    rescan_rows: usize,
    es: usize,
}

/// Pass 0 and the choices after it: the rows `stream` searches, as the in-memory path picks them.
fn points(
    reader: &LayerReader,
    params: &CheckedParams,
    limit: u64,
    progress: &mut dyn Progress,
) -> Result<Points, Stop> {
    let p = params.get();
    let info = reader.info();
    reader.check_shape()?;
    let (n_file, d) = (info.rows, info.cols);
    let es = (info.byte_size / (n_file as u64 * d as u64).max(1)).max(1) as usize;
    let max_m = knn::width(n_file, search_k(p, n_file));
    let scan_plan = plan::plan(limit, n_file, n_file, d, es, max_m).map_err(|e| Stop::Refused(e.into()))?;
    let all = Chunks { reader: reader.clone(), rows: (0..n_file).collect(), cols: d, width: scan_plan.width };
    let scan_ahead = ReadAhead::new(reader, scan_plan.read_ahead);

    let rows_scan = scan::scan(&all, progress)?;
    let kept: Vec<usize> = (0..n_file).filter(|&r| rows_scan.finite[r]).collect();
    reader.check_kept(kept.len(), n_file - kept.len())?;
    let dropped = n_file - kept.len();
    let rows: Vec<usize> = match p.max_points.filter(|&m| m < kept.len()) {
        Some(m) => {
            rng::subset(kept.len(), m, &mut rng::rng(p.seed, Stream::Subsample)).into_iter().map(|i| kept[i]).collect()
        }
        None => kept.clone(),
    };
    let subsampled_out = kept.len() - rows.len();
    let dups = scan::duplicates(&rows_scan, &all, &rows)?;
    let used: Vec<usize> =
        if p.duplicates == DuplicatePolicy::KeepOne { dups.distinct.iter().map(|&q| rows[q]).collect() } else { rows };
    let n = used.len();
    if n < 3 {
        return Err(EstimateError::TooFewPoints { n, duplicates: dups.duplicate_rows }.into());
    }
    let scale: Vec<f64> = match p.metric {
        Metric::Euclidean => vec![1.0; n],
        Metric::Cosine => {
            if let Some(i) = used.iter().position(|&r| rows_scan.sum_sq[r] == 0.0) {
                return Err(KnnError::ZeroRow(i).into());
            }
            used.iter().map(|&r| 1.0 / rows_scan.sum_sq[r].sqrt()).collect()
        }
    };
    let k = search_k(p, n);
    let m = knn::width(n, k);
    let plan = plan::plan(limit, n_file, n, d, es, m).map_err(|e| Stop::Refused(e.into()))?;
    drop(scan_ahead);
    let read_ahead = ReadAhead::new(reader, plan.read_ahead);
    let chunks = Chunks { width: plan.width, ..all.with_rows(used) };
    Ok(Points {
        _read_ahead: read_ahead,
        chunks,
        scale,
        duplicate_rows: dups.duplicate_rows,
        dropped,
        subsampled_out,
        k,
        m,
        rescan_rows: plan.rescan_rows,
        es,
    })
}

/// Passes 1 and 2: the Gram candidates and the exact whole-layer neighbour lists.
fn search(pts: &Points, progress: &mut dyn Progress) -> Result<(gram::Gram, Neighbours), Stop> {
    let gram = gram::Gram::build(&pts.chunks, &pts.scale, &mut Stage::new(progress, 0.0, 0.8))?;
    let full = neighbours_from(pts, &gram, &mut Stage::new(progress, 0.8, 1.0))?;
    Ok((gram, full))
}

/// Pass 2: the exact whole-layer neighbour lists from the Gram's candidates.
fn neighbours_from(pts: &Points, gram: &gram::Gram, progress: &mut dyn Progress) -> Result<Neighbours, Stop> {
    exact::neighbours(&pts.chunks, &pts.scale, gram, pts.m, pts.k, pts.rescan_rows, progress)
}

/// The whole-layer neighbour lists of layer `reader` streamed under `limit` bytes: those the
/// in-memory search finds on the same points, to the index and the distance bit.
pub fn neighbours(
    reader: &LayerReader,
    params: &CheckedParams,
    limit: u64,
    progress: &mut dyn Progress,
) -> Result<Neighbours, Stop> {
    let pts = points(reader, params, limit, &mut Stage::new(progress, 0.0, 0.2))?;
    Ok(search(&pts, &mut Stage::new(progress, 0.2, 1.0))?.1)
}

/// The passes: (estimates, rows dropped for NaN/Inf, rows left out by `max_points`); `labels`
/// by file row.
fn stream(
    reader: &LayerReader,
    labels: Option<&Labels>,
    params: &CheckedParams,
    limit: u64,
    progress: &mut dyn Progress,
) -> Result<(Estimates, usize, usize), Stop> {
    let pts = points(reader, params, limit, &mut Stage::new(progress, 0.0, 0.15))?;
    let gram = gram::Gram::build(&pts.chunks, &pts.scale, &mut Stage::new(progress, 0.15, 0.7))?;
    estimate(&pts, gram, labels, params, limit, &mut Stage::new(progress, 0.7, 1.0))
}

/// The passes after the Gram (built here or on a GPU): the exact neighbour lists, the subsets'
/// lists, and the estimates.
fn estimate(
    pts: &Points,
    gram: gram::Gram,
    labels: Option<&Labels>,
    params: &CheckedParams,
    limit: u64,
    progress: &mut dyn Progress,
) -> Result<(Estimates, usize, usize), Stop> {
    let p = params.get();
    let full = neighbours_from(pts, &gram, &mut Stage::new(progress, 0.0, 0.45))?;
    let plan = Plan::new(p, pts.chunks.rows.len());
    // Every estimator's subsets (the repeats', the decimation's blocks) share one set of rescans.
    let within = subsets::within_all(
        &pts.chunks,
        &pts.scale,
        &gram,
        &full,
        plan.subsets(),
        plan.depths(),
        pts.rescan_rows,
        &mut Stage::new(progress, 0.45, 0.85),
    )?;
    drop(gram);
    let dups = Duplicates::new(pts.duplicate_rows, p);
    let mut rows = Streamed { chunks: &pts.chunks, limit, es: pts.es, failure: None };
    let ids: Option<Vec<u32>> = labels.map(|l| pts.chunks.rows.iter().map(|&r| l.ids[r]).collect());
    let labels = labels.zip(ids.as_deref()).map(|(l, ids)| PointLabels { ids, names: &l.names });
    let estimates =
        estimators::run(p, &full, labels, &plan, &within, dups, &mut rows, &mut Stage::new(progress, 0.85, 1.0));
    // A failure of the streamed rows themselves (read, refusal) is theirs to report.
    if let Some(stop) = rows.failure.take() {
        return Err(stop);
    }
    let estimates = estimates?;
    Ok((estimates, pts.dropped, pts.subsampled_out))
}

/// The rows of a streamed layer as the estimators reach them: by column chunks, under `limit`
/// bytes (`es`: bytes per value in the file); `failure`: why a pass over them stopped, if one did.
struct Streamed<'a> {
    chunks: &'a Chunks,
    limit: u64,
    es: usize,
    failure: Option<Stop>,
}

impl Rows for Streamed<'_> {
    fn in_memory(&self) -> Option<ndarray::ArrayView2<'_, f32>> {
        None
    }

    /// One more pass over the file (see [`pca`]); refused when its N×N matrix does not fit. A
    /// read error or a refusal is kept in `failure` (answered as [`EstimateError::Rows`]).
    fn pc_id(
        &mut self,
        points: Option<Vec<usize>>,
        threshold: f64,
        progress: &mut dyn Progress,
    ) -> Result<PcId, EstimateError> {
        match self.pass_pc_id(points, threshold, progress) {
            Ok(pc) => Ok(pc),
            Err(Stop::Estimate(e)) => Err(e),
            Err(stop) => {
                self.failure = Some(stop);
                Err(EstimateError::Rows)
            }
        }
    }
}

impl Streamed<'_> {
    /// The PC-ID pass over the file (see [`Rows::pc_id`]).
    fn pass_pc_id(
        &self,
        points: Option<Vec<usize>>,
        threshold: f64,
        progress: &mut dyn Progress,
    ) -> Result<PcId, Stop> {
        let chunks = self.chunks;
        let rows: Vec<usize> = match points {
            None => chunks.rows.clone(),
            Some(points) => points.into_iter().map(|i| chunks.rows[i]).collect(),
        };
        let fixed = pca::bytes(rows.len()) + plan::tile_bytes(rows.len());
        let per_col = (4 * rows.len() as u64 + self.es as u64, plan::piece_bytes(rows.len()));
        let width = plan::chunk_width(self.limit, fixed, per_col, chunks.cols).map_err(|need| {
            Stop::Refused(Refusal::Pca {
                rows: rows.len(),
                need_mb: need.div_ceil(1 << 20),
                limit_mb: self.limit >> 20,
            })
        })?;
        let _ahead = ReadAhead::new(&chunks.reader, plan::read_ahead(self.limit, plan::planned(fixed, per_col, width)));
        let chunks = Chunks { width, ..chunks.with_rows(rows) };
        pca::pc_id(&chunks, threshold, progress)
    }
}
