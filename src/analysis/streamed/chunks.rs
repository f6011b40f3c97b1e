//! Some rows of a streamed layer read from its file in chunks of columns, and the buffers the
//! passes hold (allocated fallibly: a refusal, not an abort, when memory runs out).

use std::ops::Range;

use super::{Refusal, Stop};
use crate::readers::LayerReader;
use crate::support::progress::Progress;

/// A zeroed f32 buffer, or a refusal instead of an abort when memory runs out.
pub(super) fn alloc(len: usize, what: &'static str) -> Result<Vec<f32>, Stop> {
    let mut v = Vec::new();
    v.try_reserve_exact(len).map_err(|_| Stop::Refused(Refusal::OutOfMemory { what }))?;
    v.resize(len, 0.0);
    Ok(v)
}

/// Some rows of a layer read in chunks of `width` columns.
pub struct Chunks {
    pub(super) reader: LayerReader,
    /// File row index of each analysed row, in analysis order.
    pub(super) rows: Vec<usize>,
    pub(super) cols: usize,
    pub(super) width: usize,
}

impl Chunks {
    /// The chunks' column ranges, in order.
    pub(super) fn columns(&self) -> impl Iterator<Item = Range<usize>> + '_ {
        (0..self.cols).step_by(self.width).map(|c0| c0..(c0 + self.width).min(self.cols))
    }

    /// A buffer for one chunk.
    pub(super) fn buffer(&self) -> Result<Vec<f32>, Stop> {
        alloc(self.rows.len() * self.width.min(self.cols), "a column chunk")
    }

    /// Reads columns `cols` of the rows into `buf` (rows one after another, rows × cols.len()
    /// f32, as stored) and returns that part of it.
    pub(super) fn read<'b>(&self, cols: Range<usize>, buf: &'b mut [f32]) -> Result<&'b mut [f32], Stop> {
        let buf = &mut buf[..self.rows.len() * cols.len()];
        self.reader.read_columns(&self.rows, cols, buf)?;
        Ok(buf)
    }

    /// Calls `f(columns, width, buffer)` for each chunk in column order (`buffer` as [`Self::read`]
    /// leaves it), and reports progress per chunk.
    pub(super) fn for_each(
        &self,
        progress: &mut dyn Progress,
        mut f: impl FnMut(Range<usize>, usize, &mut [f32]),
    ) -> Result<(), Stop> {
        let mut buf = self.buffer()?;
        for cols in self.columns() {
            let buf = self.read(cols.clone(), &mut buf)?;
            f(cols.clone(), cols.len(), buf);
            progress.update(cols.end as f64 / self.cols as f64)?;
        }
        Ok(())
    }

    /// Whether file rows `a` and `b` hold the same values (−0 equal to +0).
    pub(super) fn rows_equal(&self, a: usize, b: usize) -> Result<bool, Stop> {
        let mut buf = alloc(2 * self.width.min(self.cols), "a column chunk")?;
        for c0 in (0..self.cols).step_by(self.width) {
            let cols = c0..(c0 + self.width).min(self.cols);
            let w = cols.len();
            self.reader.read_columns(&[a, b], cols, &mut buf[..2 * w])?;
            if buf[..w] != buf[w..2 * w] {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// The same columns of other rows.
    pub(super) fn with_rows(&self, rows: Vec<usize>) -> Self {
        Self { rows, reader: self.reader.clone(), cols: self.cols, width: self.width }
    }
}

/// A layer's source allowed to read ahead while a streamed pass holds this, under the pass's
/// memory plan; the allowance before is restored when it is dropped.
pub(super) struct ReadAhead {
    reader: LayerReader,
    before: usize,
}

impl ReadAhead {
    /// Lets `reader`'s source read `bytes` ahead.
    pub(super) fn new(reader: &LayerReader, bytes: usize) -> Self {
        Self { reader: reader.clone(), before: reader.read_ahead(bytes) }
    }
}

impl Drop for ReadAhead {
    fn drop(&mut self) {
        self.reader.read_ahead(self.before);
    }
}
