//! CRC-32 of a zip member, computed as its bytes pass through a reader and compared with the
//! archive's record once the last byte has passed (crc32fast: SIMD natively, portable on wasm32).
//!
//! What is checked: a member read whole — a whole layer (`read_all`, `read_rows` from row 0 to
//! the end), labels, and any read of a deflated member that reaches its end (every such read
//! inflates from the member's start). A slice of a stored member that skips bytes (rows from the
//! middle, columns) is not checked: its skipped bytes are never read.

use super::error::ErrorKind;
use super::zip::Member;

/// The running CRC of one member, valid while every byte from the member's start has passed.
pub(crate) struct MemberCrc {
    member: String,
    recorded: u32,
    hasher: Option<crc32fast::Hasher>,
}

impl MemberCrc {
    /// Starts at the first byte of `member`'s (uncompressed) data.
    pub(crate) fn new(member: &Member) -> Self {
        Self {
            member: member.name.clone(),
            recorded: member.crc32,
            hasher: Some(crc32fast::Hasher::new()),
        }
    }

    /// Bytes that passed, in order.
    pub(crate) fn update(&mut self, bytes: &[u8]) {
        if let Some(h) = &mut self.hasher {
            h.update(bytes);
        }
    }

    /// Bytes were skipped unread: this reader can no longer check the member.
    pub(crate) fn forget(&mut self) {
        self.hasher = None;
    }

    /// At the member's end: fails if every byte passed and their CRC differs from the record.
    pub(crate) fn finish(&mut self) -> Result<(), ErrorKind> {
        match self.hasher.take().map(crc32fast::Hasher::finalize) {
            Some(computed) if computed != self.recorded => Err(ErrorKind::Checksum {
                member: self.member.clone(),
                computed,
                recorded: self.recorded,
            }),
            _ => Ok(()),
        }
    }
}
