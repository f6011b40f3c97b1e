//! A lone `.npy` file: one array, a layer named after the file, or labels if it is 1-D.

use super::Builder;
use crate::readers::container::file_stem;
use crate::readers::error::ReadError;
use crate::readers::layer::{Storage, check_data_len};
use crate::readers::npy;
use crate::readers::seq::RawSeq;

impl Builder<'_> {
    /// Reads a lone `.npy` file's header: its one array.
    pub(super) fn npy(&mut self) -> Result<(), ReadError> {
        let name = file_stem(self.file).to_string();
        let mut seq = RawSeq::new(self.src.as_ref(), 0, self.src.len());
        let h = npy::read_header(&mut seq, self.limits.max_npy_header).map_err(|k| ReadError::new(self.file, k))?;
        let present = self.src.len() - h.header_len.min(self.src.len());
        check_data_len(&h.shape, &h.dtype.name(), h.data_len, present, "file")
            .map_err(|k| ReadError::new(self.file, k))?;
        self.place_array(&name, &h, Storage::Raw { offset: h.header_len }, None)?;
        // A lone 1-D .npy is labels, whatever its name or type.
        for c in &mut self.label_candidates {
            c.1 = true;
        }
        Ok(())
    }
}
