//! CRC-32 of a zip member, computed as its bytes pass through a reader and compared with the
//! archive's record (central directory) once the last byte has passed (crc32fast: PCLMULQDQ
//! natively, slice-by-16 on wasm32).
//!
//! What is checked: every read that passes the whole member — a whole layer (`read_all`,
//! `read_rows` to the last row), labels, and on a deflated member (inflated from its start on
//! every read) any rows or columns read up to its last byte. A slice that stops short, or a
//! stored member's rows or columns read by skipping bytes, is not checked: those bytes are never
//! read. Readers hash only when their read will reach the end, so partial reads cost nothing.

use super::error::ErrorKind;
use super::zip::Member;

/// The running CRC of one member, valid while every byte from the member's start has passed.
pub(crate) struct MemberCrc {
    member: String,
    recorded: u32,
    hasher: Option<crc32fast::Hasher>,
}

impl MemberCrc {
    /// Starts at the first byte of `member`'s (uncompressed) data; `check`: the read will pass
    /// every byte (else nothing is hashed).
    pub(crate) fn new(member: &Member, check: bool) -> Self {
        Self {
            member: member.name.clone(),
            recorded: member.crc32,
            hasher: check.then(crc32fast::Hasher::new),
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
