//! Sequential readers over a byte range: plain (a stored array) or inflating (a deflated zip
//! member). Both stop at the range's declared end; the inflating one refuses to produce more
//! bytes than declared (zip bombs) and never loops without progress. Over a zip member, both
//! check its CRC-32 when a read passes every byte of it (see [`super::crc`]).

use miniz_oxide::inflate::stream::{InflateState, inflate};
use miniz_oxide::{DataFormat, MZError, MZFlush, MZStatus};

use super::crc::MemberCrc;
use super::error::{ErrorKind, group_digits};
use super::source::{ByteSource, SourceError};
use super::zip::Member;

/// Bytes read from a range in order.
pub trait SeqRead {
    /// Fills `buf`; fails (without partial success) if the range ends first.
    fn read_exact(&mut self, buf: &mut [u8]) -> Result<(), ErrorKind>;
    /// Skips `n` bytes.
    fn skip(&mut self, n: u64) -> Result<(), ErrorKind>;
    /// Bytes left before the declared end.
    fn remaining(&self) -> u64;
    /// The current offset and the declared end, for error messages.
    fn bounds(&self) -> (u64, u64);
    /// Fails with `OutOfBounds` if fewer than `n` bytes remain.
    fn ensure(&self, n: u64) -> Result<(), ErrorKind> {
        if n > self.remaining() {
            let (offset, size) = self.bounds();
            return Err(SourceError::OutOfBounds { offset, len: n, size }.into());
        }
        Ok(())
    }
}

/// Read-ahead for small reads (headers): one request serves a whole .npy header.
const READAHEAD: usize = 4096;

/// A plain range `[pos, end)` of a source, with a small read-ahead buffer.
pub struct RawSeq<'a> {
    src: &'a dyn ByteSource,
    pos: u64,
    end: u64,
    buf: Vec<u8>,
    buf_start: u64,
    crc: Option<MemberCrc>,
}

impl<'a> RawSeq<'a> {
    /// Reads `src[start..end]` (end clipped to the source length).
    pub fn new(src: &'a dyn ByteSource, start: u64, end: u64) -> Self {
        let end = end.min(src.len());
        Self { src, pos: start.min(end), end, buf: Vec::new(), buf_start: 0, crc: None }
    }

    /// Reads a stored zip member's bytes; with `check`, its CRC-32 is checked if they are all read
    /// in order.
    pub fn member(src: &'a dyn ByteSource, member: &Member, check: bool) -> Self {
        let start = member.data_offset;
        Self {
            crc: Some(MemberCrc::new(member, check)),
            ..Self::new(src, start, start.saturating_add(member.compressed))
        }
    }

    fn fill(&mut self, out: &mut [u8]) -> Result<(), ErrorKind> {
        let n = out.len() as u64;
        self.ensure(n)?;
        let mut done = 0usize;
        let buf_end = self.buf_start + self.buf.len() as u64;
        if self.pos >= self.buf_start && self.pos < buf_end {
            let from = (self.pos - self.buf_start) as usize;
            let avail = self.buf.get(from..).unwrap_or(&[]);
            let k = avail.len().min(out.len());
            if let (Some(dst), Some(src)) = (out.get_mut(..k), avail.get(..k)) {
                dst.copy_from_slice(src);
            }
            done = k;
            self.pos += k as u64;
        }
        let rest = out.get_mut(done..).unwrap_or(&mut []);
        if rest.is_empty() {
            return Ok(());
        }
        if rest.len() >= READAHEAD {
            self.src.read_at(self.pos, rest)?;
        } else {
            let len = (READAHEAD as u64).min(self.end - self.pos) as usize;
            self.buf.resize(len, 0);
            self.src.read_at(self.pos, &mut self.buf)?;
            self.buf_start = self.pos;
            let k = rest.len();
            if let Some(src) = self.buf.get(..k) {
                rest.copy_from_slice(src);
            }
        }
        self.pos += rest.len() as u64;
        Ok(())
    }
}

impl SeqRead for RawSeq<'_> {
    fn read_exact(&mut self, out: &mut [u8]) -> Result<(), ErrorKind> {
        self.fill(out)?;
        if let Some(crc) = &mut self.crc {
            crc.update(out);
            if self.pos == self.end {
                crc.finish()?;
            }
        }
        Ok(())
    }
    fn skip(&mut self, n: u64) -> Result<(), ErrorKind> {
        self.ensure(n)?;
        if n > 0
            && let Some(crc) = &mut self.crc
        {
            crc.forget();
        }
        self.pos += n;
        Ok(())
    }
    fn remaining(&self) -> u64 {
        self.end - self.pos
    }
    fn bounds(&self) -> (u64, u64) {
        (self.pos, self.end)
    }
}

const IN_CHUNK: u64 = 256 * 1024;
const OUT_CHUNK: usize = 256 * 1024;

/// A raw-deflate stream inflated on the fly, capped at its declared size.
pub struct InflateSeq<'a> {
    src: &'a dyn ByteSource,
    comp_pos: u64,
    comp_end: u64,
    state: Box<InflateState>,
    inbuf: Vec<u8>,
    in_pos: usize,
    outbuf: Vec<u8>,
    out_pos: usize,
    out_len: usize,
    produced: u64,
    declared: u64,
    handed: u64,
    finished: bool,
    crc: MemberCrc,
}

impl<'a> InflateSeq<'a> {
    /// Inflates a deflated zip member, which should yield exactly its declared bytes; with
    /// `check`, its CRC-32 is checked when the last byte is reached.
    pub fn new(src: &'a dyn ByteSource, member: &Member, check: bool) -> Self {
        let comp_start = member.data_offset;
        Self {
            src,
            comp_pos: comp_start,
            comp_end: comp_start.saturating_add(member.compressed).min(src.len()),
            state: InflateState::new_boxed(DataFormat::Raw),
            inbuf: Vec::new(),
            in_pos: 0,
            outbuf: Vec::new(),
            out_pos: 0,
            out_len: 0,
            produced: 0,
            declared: member.uncompressed,
            handed: 0,
            finished: false,
            crc: MemberCrc::new(member, check),
        }
    }

    /// Inflates the next piece into `outbuf`; returns false at the end of the stream.
    fn fill(&mut self) -> Result<bool, ErrorKind> {
        if self.outbuf.is_empty() {
            self.outbuf = vec![0u8; OUT_CHUNK];
        }
        self.out_pos = 0;
        self.out_len = 0;
        loop {
            if self.finished {
                return Ok(false);
            }
            if self.in_pos >= self.inbuf.len() && self.comp_pos < self.comp_end {
                let len = IN_CHUNK.min(self.comp_end - self.comp_pos) as usize;
                self.inbuf.resize(len, 0);
                self.src.read_at(self.comp_pos, &mut self.inbuf)?;
                self.comp_pos += len as u64;
                self.in_pos = 0;
            }
            let input = self.inbuf.get(self.in_pos..).unwrap_or(&[]);
            let more_input = self.comp_pos < self.comp_end;
            // Never MZFlush::Finish: it demands that all remaining output fit in one buffer.
            let res = inflate(&mut self.state, input, &mut self.outbuf, MZFlush::None);
            self.in_pos += res.bytes_consumed;
            self.out_len = res.bytes_written;
            self.produced += res.bytes_written as u64;
            if self.produced > self.declared {
                return Err(ErrorKind::ZipBomb(format!(
                    "member inflates beyond its declared {} bytes",
                    group_digits(self.declared)
                )));
            }
            match res.status {
                Ok(MZStatus::StreamEnd) => self.finished = true,
                Ok(_) => {}
                Err(MZError::Buf) => {
                    if res.bytes_written == 0 && res.bytes_consumed == 0 && !more_input {
                        return Err(ErrorKind::Inflate("compressed stream ends early".into()));
                    }
                }
                Err(e) => return Err(ErrorKind::Inflate(format!("deflate error {e:?}"))),
            }
            if self.out_len > 0 {
                return Ok(true);
            }
            if self.finished {
                return Ok(false);
            }
            if res.bytes_consumed == 0 && self.in_pos >= self.inbuf.len() && !more_input {
                return Err(ErrorKind::Inflate("compressed stream ends early".into()));
            }
            if res.bytes_consumed == 0 && self.in_pos < self.inbuf.len() {
                return Err(ErrorKind::Inflate("decompressor made no progress".into()));
            }
        }
    }

    /// After all declared bytes were read: fails if the stream would yield more (a lying size).
    fn check_end(&mut self) -> Result<(), ErrorKind> {
        if self.out_pos < self.out_len {
            return Err(self.beyond());
        }
        match self.fill() {
            Ok(true) => Err(self.beyond()),
            Ok(false) => Ok(()),
            // A missing end-of-stream marker after all declared bytes is tolerated.
            Err(ErrorKind::Inflate(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }

    fn beyond(&self) -> ErrorKind {
        ErrorKind::ZipBomb(format!("member inflates beyond its declared {} bytes", group_digits(self.declared)))
    }

    fn take(&mut self, mut out: Option<&mut [u8]>, mut n: usize) -> Result<(), ErrorKind> {
        let mut done = 0usize;
        while n > 0 {
            if self.out_pos >= self.out_len && !self.fill()? {
                return Err(ErrorKind::Inflate(format!(
                    "compressed data ends after {} of the declared {} bytes",
                    group_digits(self.handed),
                    group_digits(self.declared)
                )));
            }
            let k = n.min(self.out_len - self.out_pos);
            let src = self.outbuf.get(self.out_pos..self.out_pos + k).unwrap_or(&[]);
            self.crc.update(src);
            if let Some(o) = out.as_deref_mut()
                && let Some(dst) = o.get_mut(done..done + k)
            {
                dst.copy_from_slice(src);
            }
            self.out_pos += k;
            self.handed += k as u64;
            done += k;
            n -= k;
        }
        if self.handed == self.declared {
            self.check_end()?;
            self.crc.finish()?;
        }
        Ok(())
    }
}

impl SeqRead for InflateSeq<'_> {
    fn read_exact(&mut self, buf: &mut [u8]) -> Result<(), ErrorKind> {
        self.ensure(buf.len() as u64)?;
        let n = buf.len();
        self.take(Some(buf), n)
    }
    fn skip(&mut self, mut n: u64) -> Result<(), ErrorKind> {
        self.ensure(n)?;
        while n > 0 {
            let k = n.min(1 << 30) as usize;
            self.take(None, k)?;
            n -= k as u64;
        }
        Ok(())
    }
    fn remaining(&self) -> u64 {
        self.declared.saturating_sub(self.handed)
    }
    fn bounds(&self) -> (u64, u64) {
        (self.handed, self.declared)
    }
}
