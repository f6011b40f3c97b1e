//! Why the estimates for a set of points could not be made.

use crate::density::DensityError;
use crate::estimators::gride::GrideError;
use crate::estimators::pcid::PcaError;
use crate::estimators::twonn::TwoNnError;
use crate::knn::KnnError;
use crate::support::progress::Cancelled;

/// Why the estimates for a set of points could not be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EstimateError {
    /// Fewer than 3 points left after removing duplicates.
    #[error("{n} distinct points ({duplicates} duplicate rows removed): at least 3 are needed")]
    TooFewPoints {
        /// Distinct points left.
        n: usize,
        /// Duplicate rows removed.
        duplicates: usize,
    },
    /// The neighbour search failed.
    #[error(transparent)]
    Knn(KnnError),
    /// TwoNN is undefined on these points.
    #[error("TwoNN: {0}")]
    TwoNn(#[from] TwoNnError),
    /// Gride failed at one scale.
    #[error("Gride at n1 = {n1}: {source}")]
    Gride {
        /// The scale that failed.
        n1: usize,
        /// Why.
        source: GrideError,
    },
    /// The PCA failed.
    #[error("PC-ID: {0}")]
    Pca(#[from] PcaError),
    /// Neighbour lists handed in (joined from the workers' parts) do not fit the points.
    #[error("neighbour lists of {rows} × {k} given for {n} points × {expected_k} neighbours")]
    GivenNeighbours {
        /// Rows of the lists given.
        rows: usize,
        /// Neighbours per row given.
        k: usize,
        /// Points estimated on.
        n: usize,
        /// Neighbours per point needed.
        expected_k: usize,
    },
    /// The label overlap's class fraction asks more neighbours of a class than the search keeps.
    #[error(
        "the label overlap: class {class} needs {k} neighbours per point (overlap_class_fraction), the search keeps {searched} (at most 128): lower overlap_class_fraction"
    )]
    OverlapDepth {
        /// The class's name.
        class: String,
        /// Neighbours its points compare.
        k: usize,
        /// Neighbours per point the search kept.
        searched: usize,
    },
    /// An estimator that needs the rows in memory was run on a streamed layer.
    #[error("{0} needs the layer in memory")]
    InMemoryOnly(&'static str),
    /// The densities or their clusters could not be computed.
    #[error("density: {0}")]
    Density(DensityError),
    /// The progress sink asked to stop.
    #[error("cancelled")]
    Cancelled,
    /// The rows could not be reached (a streamed layer's read error or refusal): the [`Rows`]
    /// that answered this keeps the failure and its caller reports that instead.
    ///
    /// [`Rows`]: crate::estimators::Rows
    #[error("the rows could not be reached")]
    Rows,
}

impl From<KnnError> for EstimateError {
    fn from(e: KnnError) -> Self {
        match e {
            KnnError::Cancelled(_) => Self::Cancelled,
            e => Self::Knn(e),
        }
    }
}

impl From<Cancelled> for EstimateError {
    fn from(_: Cancelled) -> Self {
        Self::Cancelled
    }
}
