//! A browser `Blob` (or `File`) as a random-access byte source.

use std::cell::{Cell, RefCell};

use wasm_bindgen::JsCast;
use web_sys::{Blob, FileReaderSync};

use crate::readers::{ByteSource, READ_AHEAD, SourceError};

/// Reads a `Blob` in slices with `FileReaderSync`, so a multi-gigabyte `File` is never copied
/// whole into memory. `FileReaderSync` exists only in workers: use this in the module worker.
///
/// Each slice read is a round trip of about a millisecond, whatever its size, so while a
/// streamed layer allows it ([`ByteSource::read_ahead`], at most [`READ_AHEAD`]), a small read
/// that follows closely after the previous one reads that much and keeps it: reading one chunk's
/// range of every row in turn then makes one round trip per window of rows instead of one per
/// row. Reads far apart (rows wider than the window) and large reads go straight to the blob.
#[derive(Debug)]
pub struct BlobSource {
    name: String,
    blob: Blob,
    len: u64,
    reader: FileReaderSync,
    /// The bytes last read, and their offset.
    window: RefCell<(u64, Vec<u8>)>,
    /// Bytes it may read ahead.
    ahead: Cell<usize>,
    /// Slice reads made so far.
    fetches: Cell<usize>,
}

impl BlobSource {
    /// A source named `name` over `blob`.
    pub fn new(name: impl Into<String>, blob: Blob) -> Result<Self, SourceError> {
        let reader = FileReaderSync::new().map_err(|e| SourceError::Other(js_text(&e)))?;
        let len = blob.size() as u64;
        let (window, ahead, fetches) = (RefCell::new((0, Vec::new())), Cell::new(0), Cell::new(0));
        Ok(Self { name: name.into(), blob, len, reader, window, ahead, fetches })
    }

    /// Slice reads of the blob so far (each a round trip).
    pub fn fetches(&self) -> usize {
        self.fetches.get()
    }

    /// Fills `buf` with the blob's bytes from `offset` on, in one slice read.
    fn fetch(&self, offset: u64, buf: &mut [u8]) -> Result<(), SourceError> {
        self.fetches.set(self.fetches.get() + 1);
        let n = buf.len() as u64;
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

impl ByteSource for BlobSource {
    fn name(&self) -> &str {
        &self.name
    }
    fn len(&self) -> u64 {
        self.len
    }
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<(), SourceError> {
        let n = buf.len() as u64;
        let end = offset.checked_add(n).filter(|&end| end <= self.len);
        let Some(end) = end else {
            return Err(SourceError::OutOfBounds { offset, len: n, size: self.len });
        };
        if buf.is_empty() {
            return Ok(());
        }
        let ahead = self.ahead.get();
        let mut window = self.window.borrow_mut();
        let (start, bytes) = &*window;
        let held = *start..*start + bytes.len() as u64;
        if !(held.contains(&offset) && end <= held.end) {
            if n as usize >= ahead {
                return self.fetch(offset, buf);
            }
            // Within a window's length after the bytes held: read ahead; else only what is asked.
            let close = offset >= held.start && offset < held.end + ahead as u64;
            let upto = if close { (offset + ahead as u64).min(self.len) } else { end };
            // The old window's buffer takes the new one (never two at once).
            let (start, bytes) = &mut *window;
            bytes.clear();
            bytes.resize((upto - offset) as usize, 0);
            *start = offset;
            self.fetch(offset, bytes)?;
        }
        let at = (offset - window.0) as usize;
        buf.copy_from_slice(&window.1[at..at + n as usize]);
        Ok(())
    }
    fn read_ahead(&self, bytes: usize) -> usize {
        let bytes = bytes.min(READ_AHEAD);
        if bytes == 0 {
            *self.window.borrow_mut() = (0, Vec::new());
        }
        self.ahead.replace(bytes)
    }
}

/// The message of a JS exception (or its string form).
pub(crate) fn js_text(e: &wasm_bindgen::JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| format!("{e:?}"))
}
