//! Random-access byte sources: a native file, a slice of memory, or (in the web layer) a browser
//! `Blob`. Readers never assume the whole file fits in memory; they ask for coarse ranges (a header
//! in one call, rows in contiguous ranges, a zip member in one range or streamed in chunks).

use std::sync::Arc;

use thiserror::Error;

/// `Send + Sync` natively (so a worker pool can share one source), nothing on wasm32 (a browser
/// `Blob` is tied to its thread; each Web Worker opens its own).
#[cfg(not(target_arch = "wasm32"))]
pub trait MaybeSendSync: Send + Sync {}
#[cfg(not(target_arch = "wasm32"))]
impl<T: Send + Sync + ?Sized> MaybeSendSync for T {}
/// `Send + Sync` natively (so a worker pool can share one source), nothing on wasm32 (a browser
/// `Blob` is tied to its thread; each Web Worker opens its own).
#[cfg(target_arch = "wasm32")]
pub trait MaybeSendSync {}
#[cfg(target_arch = "wasm32")]
impl<T: ?Sized> MaybeSendSync for T {}

/// The most a streamed layer lets its source read ahead ([`ByteSource::read_ahead`]): a
/// browser `Blob` read is a round trip of about a millisecond whatever its size, and a streamed
/// layer reads one chunk's range of each row in turn.
pub const READ_AHEAD: usize = 256 << 10;

/// Why a byte source could not deliver a range.
#[derive(Debug, Error)]
pub enum SourceError {
    /// The range asked for lies (partly) past the end of the source.
    #[error("read of {len} bytes at offset {offset} is past the end ({size} bytes)")]
    OutOfBounds {
        /// First byte asked for.
        offset: u64,
        /// Number of bytes asked for.
        len: u64,
        /// Length of the source.
        size: u64,
    },
    /// The operating system failed the read.
    #[error("read failed: {0}")]
    Io(#[from] std::io::Error),
    /// Any other failure (e.g. a browser `FileReaderSync` exception), as text.
    #[error("read failed: {0}")]
    Other(String),
}

/// A random-access, read-only sequence of bytes with a name (the file name shown in messages).
pub trait ByteSource: MaybeSendSync {
    /// File name used in messages and for natural sorting (no directory needed).
    fn name(&self) -> &str;
    /// Length in bytes.
    fn len(&self) -> u64;
    /// Whether the source is empty.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Fills `buf` with the bytes at `offset..offset + buf.len()`; fails if any lies past the end.
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<(), SourceError>;
    /// Lets the source read up to `bytes` ahead of a small forward read and keep them for the
    /// next ones (0: none, and what it keeps is freed), within the caller's memory plan; returns
    /// the allowance before. Only a source whose every read is a round trip uses it.
    fn read_ahead(&self, _bytes: usize) -> usize {
        0
    }
}

/// Checks that `offset..offset+len` lies inside a source of `size` bytes.
pub(crate) fn check_range(offset: u64, len: u64, size: u64) -> Result<(), SourceError> {
    match offset.checked_add(len) {
        Some(end) if end <= size => Ok(()),
        _ => Err(SourceError::OutOfBounds { offset, len, size }),
    }
}

/// Bytes held in memory (fixtures, tests, small uploads).
#[derive(Debug, Clone)]
pub struct MemorySource {
    name: String,
    bytes: Arc<[u8]>,
}

impl MemorySource {
    /// A named source over `bytes`.
    pub fn new(name: impl Into<String>, bytes: impl Into<Arc<[u8]>>) -> Self {
        Self { name: name.into(), bytes: bytes.into() }
    }
    /// The bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

impl ByteSource for MemorySource {
    fn name(&self) -> &str {
        &self.name
    }
    fn len(&self) -> u64 {
        self.bytes.len() as u64
    }
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<(), SourceError> {
        check_range(offset, buf.len() as u64, self.len())?;
        let start = usize::try_from(offset).map_err(|_| SourceError::OutOfBounds {
            offset,
            len: buf.len() as u64,
            size: self.len(),
        })?;
        let src = self.bytes.get(start..start + buf.len()).ok_or(SourceError::OutOfBounds {
            offset,
            len: buf.len() as u64,
            size: self.len(),
        })?;
        buf.copy_from_slice(src);
        Ok(())
    }
}

/// A file on disk, read with positioned reads (never loaded whole).
#[cfg(not(target_arch = "wasm32"))]
#[derive(Debug)]
pub struct FileSource {
    name: String,
    file: std::fs::File,
    len: u64,
    #[cfg(not(unix))]
    lock: std::sync::Mutex<()>,
}

#[cfg(not(target_arch = "wasm32"))]
impl FileSource {
    /// Opens `path`; the source is named by the path's last component.
    pub fn open(path: impl AsRef<std::path::Path>) -> Result<Self, SourceError> {
        let path = path.as_ref();
        let file = std::fs::File::open(path)?;
        let len = file.metadata()?.len();
        let name =
            path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string());
        Ok(Self {
            name,
            file,
            len,
            #[cfg(not(unix))]
            lock: std::sync::Mutex::new(()),
        })
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl ByteSource for FileSource {
    fn name(&self) -> &str {
        &self.name
    }
    fn len(&self) -> u64 {
        self.len
    }
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<(), SourceError> {
        check_range(offset, buf.len() as u64, self.len)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileExt;
            self.file.read_exact_at(buf, offset)?;
        }
        #[cfg(not(unix))]
        {
            use std::io::{Read, Seek, SeekFrom};
            let _guard = self.lock.lock().map_err(|_| SourceError::Other("file lock poisoned".into()))?;
            let mut f = &self.file;
            f.seek(SeekFrom::Start(offset))?;
            f.read_exact(buf)?;
        }
        Ok(())
    }
}

impl<T: ByteSource + ?Sized> ByteSource for Box<T> {
    fn name(&self) -> &str {
        (**self).name()
    }
    fn len(&self) -> u64 {
        (**self).len()
    }
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<(), SourceError> {
        (**self).read_at(offset, buf)
    }
    fn read_ahead(&self, bytes: usize) -> usize {
        (**self).read_ahead(bytes)
    }
}

impl<T: ByteSource + ?Sized> ByteSource for Arc<T> {
    fn name(&self) -> &str {
        (**self).name()
    }
    fn len(&self) -> u64 {
        (**self).len()
    }
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<(), SourceError> {
        (**self).read_at(offset, buf)
    }
    fn read_ahead(&self, bytes: usize) -> usize {
        (**self).read_ahead(bytes)
    }
}
