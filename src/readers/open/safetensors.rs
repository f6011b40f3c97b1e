//! A safetensors file: tensors in natural name order, `__metadata__` kept as metadata.

use super::Builder;
use crate::readers::error::{ErrorKind, ReadError};
use crate::readers::layer::Storage;
use crate::readers::natural::natural_cmp;
use crate::readers::npy::{NpyDtype, NpyHeader};
use crate::readers::safetensors;

impl Builder<'_> {
    /// Reads the JSON header: tensors, their types and offsets, and `__metadata__`.
    pub(super) fn safetensors(&mut self) -> Result<(), ReadError> {
        let len = self.src.len();
        let mut nb = [0u8; 8];
        self.src.read_at(0, &mut nb).map_err(|e| ReadError::new(self.file, e.into()))?;
        let n = u64::from_le_bytes(nb);
        safetensors::check_header_len(n, len, self.limits).map_err(|k| ReadError::new(self.file, k))?;
        let mut json = vec![0u8; n as usize];
        self.src.read_at(8, &mut json).map_err(|e| ReadError::new(self.file, e.into()))?;
        let mut header = safetensors::parse_header(&json, len).map_err(|k| ReadError::new(self.file, k))?;
        drop(json);
        header.tensors.sort_by(|a, b| natural_cmp(&a.name, &b.name));
        self.c.metadata = header.metadata;
        for t in header.tensors {
            let dt = match t.dtype {
                Ok(d) => d,
                Err(why) => {
                    let k = ErrorKind::UnsupportedDtype { dtype: t.dtype_text.clone(), why };
                    self.skip(&t.name, k.to_string());
                    continue;
                }
            };
            let h = NpyHeader {
                dtype: NpyDtype::Num(dt),
                fortran_order: false,
                shape: t.shape.clone(),
                header_len: 0,
                elements: 0,
                data_len: t.len,
            };
            self.place_array(&t.name, &h, Storage::Raw { offset: t.offset }, None)?;
        }
        Ok(())
    }
}
