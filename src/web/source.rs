//! A browser `Blob` (or `File`) as a random-access byte source.

use wasm_bindgen::JsCast;
use web_sys::{Blob, FileReaderSync};

use crate::readers::{ByteSource, SourceError};

/// Reads a `Blob` in slices with `FileReaderSync`, so a multi-gigabyte `File` is never copied
/// whole into memory. `FileReaderSync` exists only in workers: use this in the module worker.
#[derive(Debug)]
pub struct BlobSource {
    name: String,
    blob: Blob,
    len: u64,
    reader: FileReaderSync,
}

impl BlobSource {
    /// A source named `name` over `blob`.
    pub fn new(name: impl Into<String>, blob: Blob) -> Result<Self, SourceError> {
        let reader = FileReaderSync::new().map_err(|e| SourceError::Other(js_text(&e)))?;
        let len = blob.size() as u64;
        Ok(Self { name: name.into(), blob, len, reader })
    }
}

impl ByteSource for BlobSource {
    fn name(&self) -> &str {
        &self.name
    }
    fn len(&self) -> u64 {
        self.len
    }
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<(), SourceError> {
        let n = buf.len() as u64;
        if offset.checked_add(n).is_none_or(|end| end > self.len) {
            return Err(SourceError::OutOfBounds { offset, len: n, size: self.len });
        }
        if buf.is_empty() {
            return Ok(());
        }
        // Offsets of real files stay far below 2^53, so f64 is exact here.
        let slice = self
            .blob
            .slice_with_f64_and_f64(offset as f64, (offset + n) as f64)
            .map_err(|e| SourceError::Other(js_text(&e)))?;
        let bytes = self.reader.read_as_array_buffer(&slice).map_err(|e| SourceError::Other(js_text(&e)))?;
        let view = js_sys::Uint8Array::new(&bytes);
        if view.length() as u64 != n {
            return Err(SourceError::Other(format!("{}: short read ({} of {n} bytes)", self.name, view.length())));
        }
        view.copy_to(buf);
        Ok(())
    }
}

/// The message of a JS exception (or its string form).
pub(crate) fn js_text(e: &wasm_bindgen::JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| format!("{e:?}"))
}
