//! Recognising a file's format by its first bytes (never by its extension).

use super::error::ErrorKind;
use super::{Format, npy, safetensors};

/// How much of the start of a file sniffing looks at.
pub(super) const HEAD: u64 = 4096;

/// Recognises a format from the first bytes of a file (`head`, up to 4 KiB) and its length.
/// PyTorch checkpoints and other pickles, HDF5 and gzip are refused here with a hint.
pub fn sniff(head: &[u8], len: u64) -> Result<Format, ErrorKind> {
    if head.starts_with(npy::MAGIC) {
        return Ok(Format::Npy);
    }
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return Ok(Format::Npz);
    }
    if let [0x80, 2..=5, ..] = head {
        return Err(ErrorKind::PyTorch);
    }
    if safetensors::sniff(head, len) {
        return Ok(Format::Safetensors);
    }
    if head.starts_with(b"\x89HDF\r\n\x1a\n") {
        return Err(ErrorKind::UnknownFormat(
            "HDF5 (.h5) is not read; save the datasets with np.savez(\"acts.npz\", **arrays)".into(),
        ));
    }
    if head.starts_with(b"\x1f\x8b") {
        return Err(ErrorKind::UnknownFormat("gzip-compressed; decompress it first".into()));
    }
    if head.is_empty() {
        return Err(ErrorKind::UnknownFormat("the file is empty".into()));
    }
    let texty = !head.contains(&0)
        && match std::str::from_utf8(head) {
            Ok(_) => true,
            Err(e) => e.error_len().is_none() && len > head.len() as u64, // a character cut at the end
        };
    if texty {
        return Ok(Format::Text(super::Delimiter::Comma)); // refined by the text scan
    }
    Err(ErrorKind::UnknownFormat(
        "not .npy, .npz, safetensors or CSV/TSV text (formats are recognised by content, not extension)".into(),
    ))
}
