//! Why a neighbour search cannot run.

use super::MAX_K;
use crate::support::progress::Cancelled;

/// Why a neighbour search cannot run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum KnnError {
    /// k outside 1..=MAX_K.
    #[error("the number of neighbours must be between 1 and {MAX_K}, got {0}")]
    K(usize),
    /// Not enough points for k neighbours each.
    #[error("{n} points are too few for {k} neighbours each (at least {} needed)", k + 1)]
    TooFewPoints {
        /// Points given.
        n: usize,
        /// Neighbours asked for.
        k: usize,
    },
    /// Rows of length 0.
    #[error("the points have no coordinates (D = 0)")]
    NoColumns,
    /// A rank was asked of a point that is not another row.
    #[error("row {row}: the point ranked, {target}, is not another of the {n} rows")]
    Target {
        /// The row.
        row: usize,
        /// The point asked for.
        target: usize,
        /// Rows.
        n: usize,
    },
    /// A list of points to rank does not hold one per row.
    #[error("{given} points to rank given for {n} rows")]
    TargetCount {
        /// Points given.
        given: usize,
        /// Rows.
        n: usize,
    },
    /// Values too large for the GPU kernel's f32 squared distances.
    #[error("the centred rows reach a squared norm of {norm2:e}, too large for the GPU's f32 distances")]
    DeviceRange {
        /// The largest squared norm.
        norm2: f64,
    },
    /// The device binds too little for one tile of rows.
    #[error(
        "the GPU binds at most {binding} bytes per buffer: too little for one tile of rows ({row_bytes} bytes a row) or for the norms of every row"
    )]
    DeviceLimit {
        /// The device's limit.
        binding: u64,
        /// Bytes per row of the larger of the rows and the lists.
        row_bytes: u64,
    },
    /// The device binds too little for a streamed layer's Gram kernel: one piece of 32 columns.
    #[error(
        "the GPU binds at most {binding} bytes per buffer: too little for 32 columns of the layer's {rows} rows ({need} bytes)"
    )]
    DevicePiece {
        /// The device's limit.
        binding: u64,
        /// Rows of the layer.
        rows: usize,
        /// Bytes of one piece of 32 columns.
        need: u64,
    },
    /// The GPU's candidate lists break what the exact phase relies on.
    #[error("the GPU's candidate list of row {row} is unusable: {problem}")]
    DeviceLists {
        /// The first bad row.
        row: usize,
        /// What is wrong.
        problem: &'static str,
    },
    /// A GPU's approximate distance off by more than WGSL's rounding allows.
    #[error(
        "the GPU's squared distance of rows {row} and {col}, {approx}, is outside the error bound of the exact distance {exact}"
    )]
    DeviceBound {
        /// The row.
        row: usize,
        /// Its candidate.
        col: usize,
        /// The GPU's squared distance.
        approx: f32,
        /// The exact distance.
        exact: f64,
    },
    /// NaN or ±Inf in the data.
    #[error("row {row}, column {col} is not a finite number ({value})")]
    NonFinite {
        /// Row of the first non-finite value.
        row: usize,
        /// Its column.
        col: usize,
        /// The value.
        value: f32,
    },
    /// A zero row has no direction, so its cosine distance is undefined.
    #[error("row {0} is all zeros: its cosine distance is undefined")]
    ZeroRow(usize),
    /// A query row range that is not inside the points.
    #[error("query rows {start}..{end} are not inside the {n} points")]
    Rows {
        /// First query row.
        start: usize,
        /// One past the last query row.
        end: usize,
        /// Points given.
        n: usize,
    },
    /// Candidate lists whose shape does not fit the points and the search.
    #[error(
        "candidate lists from row {first} of {indices} indices and {approx} distances with {m} per row do not fit {n} points with {expected_m} per row, or each other"
    )]
    CandidateShape {
        /// Slots per row claimed.
        m: usize,
        /// First row claimed.
        first: usize,
        /// Indices given.
        indices: usize,
        /// Distances given.
        approx: usize,
        /// Points.
        n: usize,
        /// Slots per row the search keeps.
        expected_m: usize,
    },
    /// Candidate lists that are not every tile part once: a missing part would leave neighbours
    /// unseen.
    #[error("candidate lists of tile parts {given:?} were given, not each of {parts} parts once")]
    TileParts {
        /// The tile parts given, sorted.
        given: Vec<usize>,
        /// Parts the first list says the tiles were split into.
        parts: usize,
    },
    /// Row-range results with different k cannot be joined.
    #[error("cannot join neighbour lists with k = {first} and k = {other}")]
    MixedK {
        /// k of the first part.
        first: usize,
        /// k of a part that differs.
        other: usize,
    },
    /// A flat neighbour list whose lengths do not fit its k.
    #[error("flat neighbour lists of {indices} indices and {distances} distances do not fit k = {k}")]
    FlatShape {
        /// Neighbours per point claimed.
        k: usize,
        /// Indices given.
        indices: usize,
        /// Distances given.
        distances: usize,
    },
    /// The progress sink asked to stop.
    #[error(transparent)]
    Cancelled(#[from] Cancelled),
}
