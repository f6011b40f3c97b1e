//! One layer: what it is (`LayerInfo`), where its bytes are (`Storage`), and reading rows of it
//! (`LayerReader`), with the NaN/Inf policy applied by `read_all`.

use std::ops::Range;
use std::sync::Arc;

use ndarray::Array2;

use super::Limits;
use super::dtype::DType;
use super::error::{ErrorKind, ReadError, shape_text};
use super::seq::{InflateSeq, RawSeq, SeqRead};
use super::source::ByteSource;
use super::text::TextLayer;
use super::zip::Member;

/// What a layer holds, from headers alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerInfo {
    /// Layer name (member, tensor, or file stem).
    pub name: String,
    /// The file it lives in.
    pub file: String,
    /// Points (first dimension).
    pub rows: usize,
    /// Features per point (product of the remaining dimensions).
    pub cols: usize,
    /// Element type, e.g. `float32`, `bfloat16`, `float64 (big-endian)`, `text`.
    pub dtype: String,
    /// Bytes of element data (uncompressed).
    pub byte_size: u64,
    /// Shape as declared.
    pub shape: Vec<u64>,
    /// Column-major storage (NumPy Fortran order).
    pub fortran_order: bool,
    /// Compressed size for a deflated zip member.
    pub compressed_size: Option<u64>,
}

/// A layer read whole, after the NaN/Inf policy.
#[derive(Debug, Clone)]
pub struct LayerData {
    /// Kept rows × features.
    pub data: Array2<f32>,
    /// Rows dropped because they held NaN or ±Inf.
    pub non_finite_dropped: usize,
    /// Original row index of each kept row (to subset labels).
    pub kept_rows: Vec<usize>,
}

/// Where a layer's (or a labels array's) bytes are.
#[derive(Debug, Clone)]
pub(crate) enum Storage {
    /// Elements start at this offset of the source (a .npy file, a tensor).
    Raw { offset: u64 },
    /// A stored zip member; the element data starts `skip` bytes into it.
    Stored { member: Member, skip: u64 },
    /// A deflated zip member; the element data starts `skip` bytes into the inflated stream.
    Deflated { member: Member, skip: u64 },
    /// A text table.
    Text(Arc<TextLayer>),
}

impl Storage {
    /// Where the elements start in the source, when they are stored as they are.
    fn raw_offset(&self) -> Option<u64> {
        match self {
            Storage::Raw { offset } => Some(*offset),
            Storage::Stored { member, skip } => Some(member.data_offset.saturating_add(*skip)),
            Storage::Deflated { .. } | Storage::Text(_) => None,
        }
    }

    /// Opens a sequential reader positioned at the first element. Over a zip member with
    /// `check` (the caller will read to the end), it has hashed the member's .npy header, and a
    /// read to the end checks the member's CRC-32.
    pub(crate) fn seq<'a>(&self, src: &'a dyn ByteSource, data_len: u64, check: bool) -> Result<Seq<'a>, ErrorKind> {
        match self {
            Storage::Raw { offset } => Ok(Seq::Raw(RawSeq::new(src, *offset, offset.saturating_add(data_len)))),
            Storage::Stored { member, skip } => {
                let mut s = RawSeq::member(src, member, check);
                if check {
                    s.read_exact(&mut header_scratch(*skip)?)?;
                } else {
                    s.skip(*skip)?;
                }
                Ok(Seq::Raw(s))
            }
            Storage::Deflated { member, skip } => {
                let mut s = InflateSeq::new(src, member, check);
                s.skip(*skip)?;
                Ok(Seq::Inflate(s))
            }
            Storage::Text(_) => Err(ErrorKind::BadLabels("text storage has no byte stream".into())),
        }
    }
}

/// Room for a member's .npy header, whose length was capped when the file was opened.
fn header_scratch(len: u64) -> Result<Vec<u8>, ErrorKind> {
    let len = usize::try_from(len).map_err(|_| ErrorKind::ShapeOverflow(len.to_string()))?;
    Ok(vec![0u8; len])
}

/// A sequential reader of either kind.
pub(crate) enum Seq<'a> {
    Raw(RawSeq<'a>),
    Inflate(InflateSeq<'a>),
}

impl Seq<'_> {
    pub(crate) fn as_dyn(&mut self) -> &mut dyn SeqRead {
        match self {
            Seq::Raw(s) => s,
            Seq::Inflate(s) => s,
        }
    }
}

/// Reads rows of one layer. Cheap to clone (the source is shared), `Send + Sync` natively, so
/// several workers can read disjoint row ranges of the same layer at once.
#[derive(Clone)]
pub struct LayerReader {
    pub(crate) info: LayerInfo,
    pub(crate) source: Arc<dyn ByteSource>,
    pub(crate) storage: Storage,
    /// `None` for text.
    pub(crate) dtype: Option<DType>,
    pub(crate) limits: Limits,
}

impl std::fmt::Debug for LayerReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LayerReader").field("info", &self.info).field("storage", &self.storage).finish()
    }
}

/// Bytes decoded per step when streaming (bounded scratch memory): 16 MiB, because a browser's
/// `FileReaderSync` reads a file several times faster in 16 MiB slices than in 1 MiB ones.
const CHUNK_BYTES: usize = 1 << 24;
/// Fortran-order reads switch to one read per column when a column's skipped part exceeds this.
const COLUMN_GAP: u64 = 1 << 20;

pub(crate) fn alloc_f32(n: usize, what: impl FnOnce() -> String) -> Result<Vec<f32>, ErrorKind> {
    let mut v: Vec<f32> = Vec::new();
    v.try_reserve_exact(n).map_err(|_| ErrorKind::OutOfMemory { bytes: (n as u64).saturating_mul(4), what: what() })?;
    v.resize(n, 0.0);
    Ok(v)
}

impl LayerReader {
    /// What the layer holds.
    pub fn info(&self) -> &LayerInfo {
        &self.info
    }

    fn err(&self, kind: ErrorKind) -> ReadError {
        ReadError::layer(self.info.file.clone(), self.info.name.clone(), kind)
    }

    /// Rows `rows` as `f32`, exactly as stored (no NaN policy). A zip member read to its end
    /// has its CRC-32 checked: every row of it, or any rows of a deflated member (see `crc`).
    pub fn read_rows(&self, rows: Range<usize>) -> Result<Array2<f32>, ReadError> {
        self.read_rows_kind(rows.clone()).map_err(|k| self.err(k))
    }

    fn read_rows_kind(&self, rows: Range<usize>) -> Result<Array2<f32>, ErrorKind> {
        let (n, cols) = (self.info.rows, self.info.cols);
        if rows.start > rows.end || rows.end > n {
            return Err(ErrorKind::RowRange { start: rows.start, end: rows.end, rows: n });
        }
        let count = rows.end - rows.start;
        let total = count
            .checked_mul(cols)
            .ok_or_else(|| ErrorKind::OutOfMemory { bytes: u64::MAX, what: format!("{count}×{cols} values") })?;
        let mut out = alloc_f32(total, || format!("{count}×{cols} float32 values"))?;
        if total > 0 {
            match (&self.storage, self.dtype) {
                (Storage::Text(t), _) => t.read_rows(self.source.as_ref(), rows.clone(), &mut out)?,
                (storage, Some(dt)) => {
                    let waste = (n - count) as u64 * dt.size() as u64;
                    match storage.raw_offset() {
                        Some(offset) if self.info.fortran_order && waste > COLUMN_GAP => {
                            read_fortran_by_column(self.source.as_ref(), offset, dt, n, cols, rows.clone(), &mut out)?
                        }
                        _ => {
                            let mut seq = storage.seq(self.source.as_ref(), self.info.byte_size, rows.end == n)?;
                            if self.info.fortran_order {
                                read_fortran_stream(seq.as_dyn(), dt, n, cols, rows.clone(), &mut out)?;
                            } else {
                                let es = dt.size() as u64;
                                seq.as_dyn().skip(rows.start as u64 * cols as u64 * es)?;
                                read_stream(seq.as_dyn(), dt, &mut out)?;
                            }
                        }
                    }
                }
                (_, None) => return Err(ErrorKind::NoColumns),
            }
        }
        Array2::from_shape_vec((count, cols), out).map_err(|e| ErrorKind::ShapeOverflow(e.to_string()))
    }

    /// The whole layer with the NaN/Inf policy: rows holding NaN or ±Inf are dropped and counted;
    /// the layer is refused if more than `Limits::max_non_finite_fraction` of its rows are dropped,
    /// if it is empty, has no features, or keeps fewer than 3 rows.
    pub fn read_all(&self) -> Result<LayerData, ReadError> {
        self.check_shape()?;
        let data = self.read_rows(0..self.info.rows)?;
        let (data, kept, dropped) = drop_non_finite(data);
        self.check_kept(kept.len(), dropped)?;
        Ok(LayerData { data, non_finite_dropped: dropped, kept_rows: kept })
    }

    /// Refuses a layer that is empty, has no features or fewer than 3 rows (before reading it).
    pub fn check_shape(&self) -> Result<(), ReadError> {
        let (n, cols) = (self.info.rows, self.info.cols);
        if n == 0 || (cols == 0 && n < 3) {
            return Err(self.err(ErrorKind::Empty(shape_text(&self.info.shape))));
        }
        if cols == 0 {
            return Err(self.err(ErrorKind::NoColumns));
        }
        if n < 3 {
            return Err(self.err(ErrorKind::TooFewRows(n)));
        }
        Ok(())
    }

    /// The NaN/Inf policy once `dropped` rows held non-finite values and `kept` rows did not.
    pub fn check_kept(&self, kept: usize, dropped: usize) -> Result<(), ReadError> {
        let (n, max) = (self.info.rows, self.limits.max_non_finite_fraction);
        if dropped as f64 > max * n as f64 {
            return Err(self.err(ErrorKind::TooManyNonFinite { bad: dropped, rows: n, max_percent: max * 100.0 }));
        }
        if kept < 3 {
            return Err(self.err(ErrorKind::TooFewRows(kept)));
        }
        Ok(())
    }

    /// Lets its source read up to `bytes` ahead ([`ByteSource::read_ahead`]); returns the
    /// allowance before.
    pub fn read_ahead(&self, bytes: usize) -> usize {
        self.source.read_ahead(bytes)
    }

    /// Columns `cols` of the rows `rows` (any order), written row after row into `out`
    /// (`rows.len()` × `cols.len()`), as stored (no NaN policy). Reads only those bytes where the
    /// layout allows: one range per row (row-major) or per column (Fortran order); a deflated
    /// member is inflated from its start on each call (and its CRC-32 checked when the call reads
    /// its last byte; a stored member's is not checked here). Scratch memory is one row's or one
    /// column's bytes; text tables cannot be read by columns.
    pub fn read_columns(&self, rows: &[usize], cols: Range<usize>, out: &mut [f32]) -> Result<(), ReadError> {
        self.read_columns_kind(rows, cols, out).map_err(|k| self.err(k))
    }

    fn read_columns_kind(&self, rows: &[usize], cols: Range<usize>, out: &mut [f32]) -> Result<(), ErrorKind> {
        let (n, d, w) = (self.info.rows, self.info.cols, cols.len());
        let dt = match (&self.storage, self.dtype) {
            (Storage::Text(_), _) | (_, None) => return Err(ErrorKind::NotByColumns),
            (_, Some(dt)) => dt,
        };
        if cols.start > cols.end || cols.end > d || out.len() != rows.len() * w {
            return Err(ErrorKind::ColumnRange { start: cols.start, end: cols.end, cols: d });
        }
        if let Some(&bad) = rows.iter().find(|&&r| r >= n) {
            return Err(ErrorKind::RowRange { start: bad, end: bad + 1, rows: n });
        }
        let es = dt.size() as u64;
        // (row, position) pairs in row order: the file is read forward.
        let mut order: Vec<(usize, usize)> = rows.iter().copied().zip(0..).collect();
        order.sort_unstable();
        // Elements stored as they are: straight to the source, no read-ahead beyond the bytes
        // wanted. Deflated: through the inflating reader, at offset `pos` of the element data.
        let raw = self.storage.raw_offset();
        let mut seq = match raw {
            Some(_) => None,
            None => {
                // The read passes the member's last byte: the last column, down to the last row.
                let last_row = n.checked_sub(1).is_some_and(|last| rows.contains(&last));
                let to_end = cols.end == d && (self.info.fortran_order || last_row);
                Some(self.storage.seq(self.source.as_ref(), self.info.byte_size, to_end)?)
            }
        };
        let mut pos = 0u64;
        let mut read_at = |at: u64, bytes: &mut [u8]| -> Result<(), ErrorKind> {
            if let Some(offset) = raw {
                self.source.read_at(offset + at, bytes)?;
            } else if let Some(seq) = seq.as_mut() {
                seq.as_dyn().skip(at - pos)?;
                seq.as_dyn().read_exact(bytes)?;
                pos = at + bytes.len() as u64;
            }
            Ok(())
        };
        if self.info.fortran_order {
            let mut bytes = vec![0u8; n * es as usize];
            let mut column = vec![0f32; n];
            for (c, col) in cols.clone().enumerate() {
                read_at(col as u64 * n as u64 * es, &mut bytes)?;
                dt.decode_f32(&bytes, &mut column);
                for (p, &r) in rows.iter().enumerate() {
                    out[p * w + c] = column[r];
                }
            }
        } else {
            let mut bytes = vec![0u8; w * es as usize];
            for (r, p) in order {
                read_at((r as u64 * d as u64 + cols.start as u64) * es, &mut bytes)?;
                dt.decode_f32(&bytes, &mut out[p * w..(p + 1) * w]);
            }
        }
        Ok(())
    }
}

/// Removes rows holding NaN/±Inf in place; returns (data, kept row indices, dropped count).
fn drop_non_finite(data: Array2<f32>) -> (Array2<f32>, Vec<usize>, usize) {
    let (n, cols) = data.dim();
    let bad_rows = data.rows().into_iter().filter(|r| r.iter().any(|v| !v.is_finite())).count();
    if bad_rows == 0 {
        return (data, (0..n).collect(), 0);
    }
    let (mut v, _) = data.into_raw_vec_and_offset();
    let mut kept = Vec::with_capacity(n - bad_rows);
    let mut w = 0usize;
    for r in 0..n {
        let start = r * cols;
        let finite = v.get(start..start + cols).is_some_and(|row| row.iter().all(|x| x.is_finite()));
        if finite {
            if w != r {
                v.copy_within(start..start + cols, w * cols);
            }
            kept.push(r);
            w += 1;
        }
    }
    v.truncate(w * cols);
    let arr = Array2::from_shape_vec((w, cols), v).unwrap_or_else(|_| Array2::zeros((0, cols)));
    (arr, kept, bad_rows)
}

/// Decodes `out.len()` consecutive elements from `seq`.
pub(crate) fn read_stream(seq: &mut dyn SeqRead, dt: DType, out: &mut [f32]) -> Result<(), ErrorKind> {
    let es = dt.size();
    let per = (CHUNK_BYTES / es).max(1);
    let mut scratch = vec![0u8; per.min(out.len()) * es];
    for chunk in out.chunks_mut(per) {
        let bytes = scratch.get_mut(..chunk.len() * es).unwrap_or(&mut []);
        seq.read_exact(bytes)?;
        dt.decode_f32(bytes, chunk);
    }
    Ok(())
}

/// Column-major data streamed from the first element of the range to the last, scattering the
/// wanted rows into row-major `out`.
fn read_fortran_stream(
    seq: &mut dyn SeqRead,
    dt: DType,
    n: usize,
    cols: usize,
    rows: Range<usize>,
    out: &mut [f32],
) -> Result<(), ErrorKind> {
    let es = dt.size();
    let (n64, r0) = (n as u64, rows.start as u64);
    let k_end = (cols as u64 - 1) * n64 + rows.end as u64;
    seq.skip(r0 * es as u64)?;
    let per = (CHUNK_BYTES / es).max(1) as u64;
    let mut scratch = vec![0u8; per.min(k_end - r0) as usize * es];
    let mut vals = vec![0f32; per.min(k_end - r0) as usize];
    let mut k = r0;
    while k < k_end {
        let m = per.min(k_end - k) as usize;
        let bytes = scratch.get_mut(..m * es).unwrap_or(&mut []);
        seq.read_exact(bytes)?;
        let vs = vals.get_mut(..m).unwrap_or(&mut []);
        dt.decode_f32(bytes, vs);
        for (i, &v) in vs.iter().enumerate() {
            let kk = k + i as u64;
            let (c, r) = ((kk / n64) as usize, (kk % n64) as usize);
            if rows.contains(&r)
                && let Some(o) = out.get_mut((r - rows.start) * cols + c)
            {
                *o = v;
            }
        }
        k += m as u64;
    }
    Ok(())
}

/// Column-major data read one column slice at a time (when rows are a small part of each column).
fn read_fortran_by_column(
    src: &dyn ByteSource,
    offset: u64,
    dt: DType,
    n: usize,
    cols: usize,
    rows: Range<usize>,
    out: &mut [f32],
) -> Result<(), ErrorKind> {
    let es = dt.size() as u64;
    let count = rows.end - rows.start;
    let mut bytes = vec![0u8; count * es as usize];
    let mut vals = vec![0f32; count];
    for c in 0..cols {
        let at = offset + (c as u64 * n as u64 + rows.start as u64) * es;
        src.read_at(at, &mut bytes)?;
        dt.decode_f32(&bytes, &mut vals);
        for (i, &v) in vals.iter().enumerate() {
            if let Some(o) = out.get_mut(i * cols + c) {
                *o = v;
            }
        }
    }
    Ok(())
}

/// Checks that a declared array fits in what is present; `container` names the holder.
pub(crate) fn check_data_len(
    shape: &[u64],
    dtype: &str,
    expected: u64,
    actual: u64,
    container: &'static str,
) -> Result<(), ErrorKind> {
    if actual < expected {
        return Err(ErrorKind::Truncated {
            array: format!("{} {dtype}", shape_text(shape)),
            expected,
            actual,
            container,
        });
    }
    if actual > expected {
        return Err(ErrorKind::SizeMismatch {
            array: format!("{} {dtype}", shape_text(shape)),
            expected,
            actual,
            container,
        });
    }
    Ok(())
}

/// Converts declared dims into (rows, cols) for this platform.
pub(crate) fn rows_cols(shape: &[u64], rows: u64, cols: u64) -> Result<(usize, usize), ErrorKind> {
    let r = usize::try_from(rows).map_err(|_| ErrorKind::ShapeOverflow(shape_text(shape)))?;
    let c = usize::try_from(cols).map_err(|_| ErrorKind::ShapeOverflow(shape_text(shape)))?;
    Ok((r, c))
}

/// The reader of layer `layer` among `readers`, or a `NoSuchLayer` error naming `source`: the
/// lookup behind `Container` and `Model`'s read methods.
pub(crate) fn layer_reader<'a>(
    readers: &'a [LayerReader],
    source: &str,
    layer: usize,
) -> Result<&'a LayerReader, ReadError> {
    readers
        .get(layer)
        .ok_or_else(|| ReadError::new(source, ErrorKind::NoSuchLayer { index: layer, count: readers.len() }))
}
