//! CRC-32 of a zip member, computed as its bytes pass through a reader and compared with the
//! archive's record (central directory) once the last byte has passed (crc32fast natively, with
//! PCLMULQDQ; on wasm32 the `crc` crate's slice-by-16 with its table built at first use, which
//! keeps 16 KiB of tables out of the download).
//!
//! What is checked: every read that passes the whole member — a whole layer (`read_all`,
//! `read_rows` to the last row), labels, and on a deflated member (inflated from its start on
//! every read) any rows or columns read up to its last byte. A slice that stops short, or a
//! stored member's rows or columns read by skipping bytes, is not checked: those bytes are never
//! read. Readers hash only when their read will reach the end, so partial reads cost nothing.

use super::error::ErrorKind;
use super::zip::Member;

#[cfg(not(target_arch = "wasm32"))]
use crc32fast::Hasher;

/// CRC-32 (ISO-HDLC, zip's) over bytes fed in order.
#[cfg(target_arch = "wasm32")]
struct Hasher(crc::Digest<'static, u32, crc::Table<16>>);

#[cfg(target_arch = "wasm32")]
impl Hasher {
    fn new() -> Self {
        /// Built at first use rather than at compile time, so the tables are not in the module.
        static CRC: std::sync::LazyLock<crc::Crc<u32, crc::Table<16>>> =
            std::sync::LazyLock::new(|| crc::Crc::<u32, crc::Table<16>>::new(&crc::CRC_32_ISO_HDLC));
        Self(CRC.digest())
    }

    fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    fn finalize(self) -> u32 {
        self.0.finalize()
    }
}

/// The running CRC of one member, valid while every byte from the member's start has passed.
pub(crate) struct MemberCrc {
    member: String,
    recorded: u32,
    hasher: Option<Hasher>,
}

impl MemberCrc {
    /// Starts at the first byte of `member`'s (uncompressed) data; `check`: the read will pass
    /// every byte (else nothing is hashed).
    pub(crate) fn new(member: &Member, check: bool) -> Self {
        Self { member: member.name.clone(), recorded: member.crc32, hasher: check.then(Hasher::new) }
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
        match self.hasher.take().map(Hasher::finalize) {
            Some(computed) if computed != self.recorded => {
                Err(ErrorKind::Checksum { member: self.member.clone(), computed, recorded: self.recorded })
            }
            _ => Ok(()),
        }
    }
}
