//! A streamed layer whose Gram pass runs on the browser's GPU (`knn::wgsl::gram`): pass 0 here,
//! then the centred column chunks handed out one by one, the packed Gram taken back band by band,
//! and the passes after it as [`super::analyse_layer`] runs them, the GPU's dot products checked
//! against the WGSL bound on every pair measured. The neighbour lists, and so the estimates,
//! equal the CPU path's. A request at a time from the worker, which awaits the GPU in between.

use std::ops::Range;

use super::gram::{self, Gram, prepare};
use super::{Points, Refusal, Stop, admit, estimate, layer_result, points, stop_error};
use crate::analysis::LayerError;
use crate::estimators::CheckedParams;
use crate::knn::Kernel;
use crate::knn::wgsl::gram::pieces;
use crate::readers::{Labels, LayerReader};
use crate::results::LayerResult;
use crate::support::progress::Progress;

/// A streamed layer between its passes, waiting for the GPU's Gram.
pub struct DeviceLayer {
    index: usize,
    limit: u64,
    start: web_time::Instant,
    pts: Points,
    /// Squared norms of the centred rows, summed chunk by chunk as they are handed out.
    sum2: Vec<f64>,
    /// Chunks handed out so far (they must all be, in order, before the Gram is taken).
    handed: usize,
    packed: Vec<f32>,
}

impl DeviceLayer {
    /// Pass 0 of layer `index` (read by `reader`) streamed under `limit` bytes, after the same
    /// refusals as [`super::analyse_layer`].
    pub fn begin(
        reader: &LayerReader,
        index: usize,
        labels: Option<&Labels>,
        params: &CheckedParams,
        limit: u64,
        progress: &mut dyn Progress,
    ) -> Result<Self, LayerError> {
        let start = web_time::Instant::now();
        admit(reader, labels, params, limit)?;
        let fail = |stop| stop_error(reader.info(), stop);
        let pts = points(reader, params, limit, progress).map_err(fail)?;
        let packed = gram::packed(pts.chunks.rows.len()).map_err(fail)?;
        let sum2 = vec![0.0; pts.chunks.rows.len()];
        Ok(Self { index, limit, start, pts, sum2, handed: 0, packed })
    }

    /// Points analysed (rows of the Gram).
    pub fn rows(&self) -> usize {
        self.pts.chunks.rows.len()
    }

    /// Columns of the layer.
    pub fn cols(&self) -> usize {
        self.pts.chunks.cols
    }

    /// The column ranges of the chunks, in the order they are handed out.
    pub fn chunks(&self) -> Vec<Range<usize>> {
        self.pts.chunks.columns().collect()
    }

    /// The next chunk's rows centred (and scaled) as the CPU's Gram pass centres them, cut into
    /// the kernel's pieces of at most `piece` columns ([`pieces`]): (padded width, n × width);
    /// none once every chunk was handed out.
    pub fn next_chunk(&mut self, piece: usize) -> Result<Vec<(usize, Vec<f32>)>, LayerError> {
        let cols = self.pts.chunks.columns().nth(self.handed).unwrap_or(0..0);
        let mut buf = self.pts.chunks.buffer().map_err(|stop| self.stopped(stop))?;
        let buf = self.pts.chunks.read(cols.clone(), &mut buf).map_err(|stop| self.stopped(stop))?;
        prepare(buf, cols.len(), &self.pts.scale, &mut self.sum2);
        self.handed += 1;
        Ok(pieces(buf, self.rows(), cols.len(), piece))
    }

    /// The packed Gram (upper triangle, `support::triangle`) for the GPU's bands to be copied in.
    pub fn gram_mut(&mut self) -> &mut [f32] {
        &mut self.packed
    }

    /// The passes after the Gram and the layer's result, once every chunk was handed out and the
    /// GPU's dot products copied in; a GPU that broke its bound fails with `KnnError::DeviceBound`.
    pub fn finish(
        self,
        labels: Option<&Labels>,
        params: &CheckedParams,
        progress: &mut dyn Progress,
    ) -> Result<LayerResult, LayerError> {
        let Self { index, limit, start, pts, sum2, handed, packed } = self;
        let chunks = pts.chunks.columns().count();
        let outcome = if handed < chunks {
            Err(Stop::Refused(Refusal::Incomplete { handed, chunks }))
        } else {
            let gram = Gram::new(packed, &sum2, pts.chunks.cols, Kernel::Wgsl);
            estimate(&pts, gram, labels, params, limit, progress)
        };
        layer_result(pts.chunks.reader.info(), index, start, outcome)
    }

    fn stopped(&self, stop: Stop) -> LayerError {
        stop_error(self.pts.chunks.reader.info(), stop)
    }
}
