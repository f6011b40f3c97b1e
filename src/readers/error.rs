//! Reader errors: every message names the file, the layer (where there is one) and the problem.

use std::fmt;

use thiserror::Error;

use super::source::SourceError;

/// A file could not be read. `Display` gives `file: layer "name": problem`.
#[derive(Debug, Error)]
pub struct ReadError {
    /// The file (source name).
    pub file: String,
    /// The layer, member, tensor or labels entry concerned, if any.
    pub layer: Option<String>,
    /// What went wrong.
    #[source]
    pub kind: ErrorKind,
}

impl ReadError {
    /// An error about `file` as a whole.
    pub fn new(file: impl Into<String>, kind: ErrorKind) -> Self {
        Self { file: file.into(), layer: None, kind }
    }
    /// An error about one layer (member, tensor) of `file`.
    pub fn layer(file: impl Into<String>, layer: impl Into<String>, kind: ErrorKind) -> Self {
        Self { file: file.into(), layer: Some(layer.into()), kind }
    }
    /// The problem, without file and layer.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.layer {
            Some(layer) => write!(f, "{}: layer \"{}\": {}", self.file, layer, self.kind),
            None => write!(f, "{}: {}", self.file, self.kind),
        }
    }
}

/// Formats a count with spaces between groups of three digits: `32 768 000`.
pub fn group_digits(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// Formats a shape as `2000×4096`.
pub fn shape_text(shape: &[u64]) -> String {
    if shape.is_empty() {
        return "scalar".to_string();
    }
    shape.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("×")
}

/// What went wrong while reading.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The byte source failed.
    #[error("{0}")]
    Source(#[from] SourceError),
    /// Fewer bytes than the header declares.
    #[error("data truncated: header says {array} ({} bytes), {container} has {}", group_digits(*expected), group_digits(*actual))]
    Truncated {
        /// Declared shape and element type, as text (`2000×4096 float32`).
        array: String,
        /// Bytes the header implies.
        expected: u64,
        /// Bytes present.
        actual: u64,
        /// "file" or "member" or "data section".
        container: &'static str,
    },
    /// More bytes than the header declares (the shape disagrees with the byte count).
    #[error("size mismatch: header says {array} ({} bytes), {container} has {}", group_digits(*expected), group_digits(*actual))]
    SizeMismatch {
        /// Declared shape and element type, as text (`2000×4096 float32`).
        array: String,
        /// Bytes the header implies.
        expected: u64,
        /// Bytes present.
        actual: u64,
        /// "file" or "member" or "tensor".
        container: &'static str,
    },
    /// The product of the dimensions does not fit in 64 bits (or in memory indices).
    #[error("shape {0} is too large (the element count overflows)")]
    ShapeOverflow(String),
    /// A malformed .npy header.
    #[error("bad .npy header: {0}")]
    BadNpyHeader(String),
    /// A header longer than the cap.
    #[error("header of {} bytes exceeds the cap of {}", group_digits(*len), group_digits(*limit))]
    HeaderTooLarge {
        /// Declared header length.
        len: u64,
        /// Cap.
        limit: u64,
    },
    /// An element type that idscope does not read.
    #[error("unsupported dtype {dtype}: {why}")]
    UnsupportedDtype {
        /// The dtype as written in the file.
        dtype: String,
        /// Why it is refused.
        why: String,
    },
    /// A malformed zip archive.
    #[error("bad zip archive: {0}")]
    BadZip(String),
    /// More zip members than the cap.
    #[error("zip archive has {count} members, more than the cap of {limit}")]
    TooManyMembers {
        /// Members declared.
        count: u64,
        /// Cap.
        limit: u64,
    },
    /// A member that would inflate beyond what its compressed size can justify or beyond the cap.
    #[error("zip bomb refused: {0}")]
    ZipBomb(String),
    /// Deflate stream errors.
    #[error("corrupt compressed data: {0}")]
    Inflate(String),
    /// A zip member whose bytes do not match the CRC-32 the archive records (a damaged file).
    #[error(
        "member \"{member}\" is corrupted: its data has CRC-32 {computed:08x}, the archive records {recorded:08x}; re-save or re-download the file"
    )]
    Checksum {
        /// Member name as stored (`conv3.npy`).
        member: String,
        /// CRC-32 of the bytes read.
        computed: u32,
        /// CRC-32 in the central directory.
        recorded: u32,
    },
    /// A member compressed with a method other than stored/deflate, or encrypted.
    #[error("unsupported zip member: {0}")]
    UnsupportedMember(String),
    /// A malformed safetensors file.
    #[error("bad safetensors file: {0}")]
    BadSafetensors(String),
    /// A malformed text (CSV/TSV) file.
    #[error("line {line}: {problem}")]
    Text {
        /// 1-based line number.
        line: u64,
        /// What is wrong on that line.
        problem: String,
    },
    /// Too many rows with NaN or ±Inf.
    #[error("{bad} of {rows} rows contain NaN or ±Inf (more than {max_percent} %); layer refused")]
    TooManyNonFinite {
        /// Rows with non-finite values.
        bad: usize,
        /// All rows.
        rows: usize,
        /// Allowed share in percent.
        max_percent: f64,
    },
    /// An array with no elements.
    #[error("empty array (shape {0})")]
    Empty(String),
    /// Fewer than three usable points.
    #[error("only {0} usable rows; at least 3 points are needed")]
    TooFewRows(usize),
    /// Zero features per point.
    #[error("no features (D = 0)")]
    NoColumns,
    /// Labels whose length differs from the layer's number of rows.
    #[error("labels \"{labels}\" have {len} entries but the layer has {rows} rows")]
    LabelsLength {
        /// Labels entry (file or member).
        labels: String,
        /// Labels count.
        len: usize,
        /// Rows of the layer.
        rows: usize,
    },
    /// Labels that cannot be turned into classes.
    #[error("bad labels: {0}")]
    BadLabels(String),
    /// A PyTorch checkpoint (pickle): refused, never unpickled.
    #[error("{}", super::PYTORCH_HELP)]
    PyTorch,
    /// A Python pickle (or a NumPy object array): refused, never unpickled.
    #[error("{0}")]
    Pickle(String),
    /// A format idscope does not read.
    #[error("unrecognised format: {0}")]
    UnknownFormat(String),
    /// Nothing to read in the file.
    #[error("no layers found{0}")]
    NoLayers(String),
    /// A layer index or name that does not exist.
    #[error("no such layer (index {index}, the file has {count})")]
    NoSuchLayer {
        /// Index asked for.
        index: usize,
        /// Layers present.
        count: usize,
    },
    /// A row range outside the layer.
    #[error("rows {start}..{end} asked for, the layer has {rows}")]
    RowRange {
        /// Start of the range.
        start: usize,
        /// End of the range.
        end: usize,
        /// Rows in the layer.
        rows: usize,
    },
    /// Columns outside the layer (or an output of the wrong size).
    #[error("columns {start}..{end} asked for, the layer has {cols}")]
    ColumnRange {
        /// Start of the range.
        start: usize,
        /// End of the range.
        end: usize,
        /// Columns in the layer.
        cols: usize,
    },
    /// The memory for the result could not be reserved.
    #[error("out of memory: {} bytes needed for {what}", group_digits(*bytes))]
    OutOfMemory {
        /// Bytes asked for.
        bytes: u64,
        /// What they were for.
        what: String,
    },
    /// A text table asked for by columns (only binary layers can be streamed).
    #[error(
        "a text table cannot be read by columns: convert it to .npy or safetensors to analyse it beyond the memory limit"
    )]
    NotByColumns,
    /// Files given together that do not fit together.
    #[error("{0}")]
    Group(String),
}
