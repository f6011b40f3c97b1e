//! An `.npz` archive: each `.npy` member (stored or deflated) is a layer or a labels candidate.

use super::Builder;
use crate::readers::error::{ErrorKind, ReadError};
use crate::readers::layer::{Storage, check_data_len};
use crate::readers::npy;
use crate::readers::seq::{InflateSeq, RawSeq};
use crate::readers::zip;

impl Builder<'_> {
    /// Lists the archive's members and reads each `.npy` member's header.
    pub(super) fn npz(&mut self) -> Result<(), ReadError> {
        let members = zip::read_members(self.src.as_ref(), self.limits).map_err(|k| ReadError::new(self.file, k))?;
        if members.iter().any(|m| m.name.ends_with("data.pkl") || m.name.ends_with(".pkl")) {
            return Err(ReadError::new(self.file, ErrorKind::PyTorch));
        }
        for m in members {
            if m.name.ends_with('/') {
                continue;
            }
            let Some(name) = m.name.strip_suffix(".npy").map(str::to_string) else {
                self.skip(&m.name, "not a .npy member");
                continue;
            };
            if m.flags & 1 != 0 {
                self.skip(&name, "encrypted");
                continue;
            }
            let h = match m.method {
                0 => npy::read_header(&mut RawSeq::member(self.src.as_ref(), &m, false), self.limits.max_npy_header),
                8 => npy::read_header(&mut InflateSeq::new(self.src.as_ref(), &m, false), self.limits.max_npy_header),
                other => {
                    self.skip(&name, format!("compression method {other} (only stored and deflate are read)"));
                    continue;
                }
            };
            let h = match h {
                Ok(h) => h,
                Err(k @ (ErrorKind::UnsupportedDtype { .. } | ErrorKind::Pickle(_))) => {
                    self.skip(&name, k.to_string());
                    continue;
                }
                Err(k) => return Err(self.err(&name, k)),
            };
            let present = m.uncompressed.saturating_sub(h.header_len);
            check_data_len(&h.shape, &h.dtype.name(), h.data_len, present, "member").map_err(|k| self.err(&name, k))?;
            let skip = h.header_len;
            let (storage, comp) = if m.method == 0 {
                (Storage::Stored { member: m, skip }, None)
            } else {
                let comp = m.compressed;
                (Storage::Deflated { member: m, skip }, Some(comp))
            };
            self.place_array(&name, &h, storage, comp)?;
        }
        Ok(())
    }
}
