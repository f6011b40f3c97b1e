//! CRC-32 of a zip member, computed as its bytes pass through a reader and compared with the
//! archive's record once the last byte has passed (the `crc` crate, its tables built at compile time).
//!
//! What is checked: a member read whole — a whole layer (`read_all`, `read_rows` from row 0 to
//! the end), labels, and any read of a deflated member that reaches its end (every such read
//! inflates from the member's start). A slice of a stored member that skips bytes (rows from the
//! middle, columns) is not checked: its skipped bytes are never read.

use crc::{CRC_32_ISO_HDLC, Crc, Digest, Table};

use super::error::ErrorKind;
use super::zip::Member;

/// Table slices: 16 natively (several GB/s); 1 on wasm32, where slice-by-16's 16 KiB of tables
/// would add as much to the gzipped download, for a CRC that is not the bottleneck there.
#[cfg(not(target_arch = "wasm32"))]
type Slices = Table<16>;
#[cfg(target_arch = "wasm32")]
type Slices = Table<1>;

/// The zip CRC-32 (ISO-HDLC: reflected polynomial 0x04C11DB7).
static ZIP_CRC: Crc<u32, Slices> = Crc::<u32, Slices>::new(&CRC_32_ISO_HDLC);

/// The running CRC of one member, valid while every byte from the member's start has passed.
pub(crate) struct MemberCrc {
    member: String,
    recorded: u32,
    hasher: Option<Digest<'static, u32, Slices>>,
}

impl MemberCrc {
    /// Starts at the first byte of `member`'s (uncompressed) data.
    pub(crate) fn new(member: &Member) -> Self {
        Self {
            member: member.name.clone(),
            recorded: member.crc32,
            hasher: Some(ZIP_CRC.digest()),
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
        match self.hasher.take().map(|h| h.finalize()) {
            Some(computed) if computed != self.recorded => Err(ErrorKind::Checksum {
                member: self.member.clone(),
                computed,
                recorded: self.recorded,
            }),
            _ => Ok(()),
        }
    }
}
