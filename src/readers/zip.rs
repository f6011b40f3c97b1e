//! The zip container under .npz files: end-of-central-directory (with ZIP64), the central
//! directory read in one range, local headers resolved per member. Written for hostile input:
//! counts and sizes are checked against the file and the caps before anything is allocated, and
//! member data ranges may not overlap (the overlapping-member zip bomb).

use super::Limits;
use super::error::{ErrorKind, group_digits};
use super::source::ByteSource;

/// One member of the archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// Name as stored (UTF-8, lossy).
    pub name: String,
    /// 0 = stored, 8 = deflate.
    pub method: u16,
    /// General-purpose flags (bit 0 = encrypted).
    pub flags: u16,
    /// Compressed bytes.
    pub compressed: u64,
    /// Uncompressed bytes, as declared.
    pub uncompressed: u64,
    /// CRC-32 of the uncompressed bytes, from the central directory.
    pub crc32: u32,
    /// Offset of the local header.
    pub local_offset: u64,
    /// Offset of the member's data (after the local header).
    pub data_offset: u64,
}

fn bad(m: impl Into<String>) -> ErrorKind {
    ErrorKind::BadZip(m.into())
}

fn u16_at(b: &[u8], i: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(i..i + 2)?.try_into().ok()?))
}
fn u32_at(b: &[u8], i: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(i..i + 4)?.try_into().ok()?))
}
fn u64_at(b: &[u8], i: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(i..i + 8)?.try_into().ok()?))
}

fn read(src: &dyn ByteSource, offset: u64, len: u64) -> Result<Vec<u8>, ErrorKind> {
    super::source::check_range(offset, len, src.len())?;
    let mut v = vec![0u8; len as usize];
    src.read_at(offset, &mut v)?;
    Ok(v)
}

const EOCD_SIG: u32 = 0x0605_4b50;
const EOCD64_LOC_SIG: u32 = 0x0706_4b50;
const EOCD64_SIG: u32 = 0x0606_4b50;
const CEN_SIG: u32 = 0x0201_4b50;
const LOC_SIG: u32 = 0x0403_4b50;

/// Reads the member list (central directory and local headers).
pub fn read_members(src: &dyn ByteSource, limits: &Limits) -> Result<Vec<Member>, ErrorKind> {
    let len = src.len();
    let tail_len = len.min(22 + 65535 + 20);
    let tail_start = len - tail_len;
    let tail = read(src, tail_start, tail_len)?;
    // The last EOCD signature whose comment fits in the tail.
    let pos = (0..tail.len().saturating_sub(21))
        .rev()
        .find(|&p| {
            u32_at(&tail, p) == Some(EOCD_SIG)
                && u16_at(&tail, p + 20).is_some_and(|c| p + 22 + c as usize <= tail.len())
        })
        .ok_or_else(|| bad("no end-of-central-directory record (not a zip, or truncated)"))?;
    let f = |i| u16_at(&tail, pos + i).unwrap_or(0);
    let g = |i| u32_at(&tail, pos + i).unwrap_or(0);
    let (mut count, mut cd_size, mut cd_offset) = (u64::from(f(10)), u64::from(g(12)), u64::from(g(16)));
    let eocd_abs = tail_start + pos as u64;
    let mut cd_end_limit = eocd_abs;
    if f(10) == 0xFFFF || g(12) == 0xFFFF_FFFF || g(16) == 0xFFFF_FFFF || f(8) == 0xFFFF {
        // ZIP64: the locator sits just before the EOCD.
        if pos >= 20 && u32_at(&tail, pos - 20) == Some(EOCD64_LOC_SIG) {
            let rec_off = u64_at(&tail, pos - 20 + 8).unwrap_or(u64::MAX);
            if rec_off.checked_add(56).is_none_or(|e| e > eocd_abs) {
                return Err(bad("ZIP64 end record offset lies outside the archive"));
            }
            let rec = read(src, rec_off, 56)?;
            if u32_at(&rec, 0) != Some(EOCD64_SIG) {
                return Err(bad("ZIP64 end record signature missing"));
            }
            count = u64_at(&rec, 32).unwrap_or(0);
            cd_size = u64_at(&rec, 40).unwrap_or(0);
            cd_offset = u64_at(&rec, 48).unwrap_or(0);
            cd_end_limit = rec_off;
        }
    }
    if count > limits.max_zip_members as u64 {
        return Err(ErrorKind::TooManyMembers { count, limit: limits.max_zip_members as u64 });
    }
    if cd_offset.checked_add(cd_size).is_none_or(|e| e > cd_end_limit) {
        return Err(bad(format!(
            "central directory ({} bytes at {}) lies outside the archive",
            group_digits(cd_size),
            group_digits(cd_offset)
        )));
    }
    // Each entry takes at least 46 bytes; a directory much larger than its entries is hostile.
    if cd_size > count.saturating_mul(46 + 3 * 65535) || count.saturating_mul(46) > cd_size {
        return Err(bad(format!("central directory of {} bytes cannot hold {count} entries", group_digits(cd_size))));
    }
    let cd = read(src, cd_offset, cd_size)?;
    let mut members = Vec::with_capacity(count as usize);
    let mut p = 0usize;
    for i in 0..count {
        let e = |m: &str| bad(format!("central directory entry {i}: {m}"));
        if u32_at(&cd, p) != Some(CEN_SIG) {
            return Err(e("bad signature"));
        }
        let h = |o| u16_at(&cd, p + o).unwrap_or(0);
        let w = |o| u32_at(&cd, p + o).unwrap_or(0);
        let (flags, method, crc32) = (h(8), h(10), w(16));
        let (mut comp, mut uncomp, mut local) = (u64::from(w(20)), u64::from(w(24)), u64::from(w(42)));
        let (nlen, xlen, clen) = (h(28) as usize, h(30) as usize, h(32) as usize);
        let name_bytes = cd.get(p + 46..p + 46 + nlen).ok_or_else(|| e("name runs past the directory"))?;
        let extra =
            cd.get(p + 46 + nlen..p + 46 + nlen + xlen).ok_or_else(|| e("extra field runs past the directory"))?;
        // ZIP64 extra field: 64-bit values for the 32-bit fields that are saturated.
        let mut q = 0usize;
        while q + 4 <= extra.len() {
            let (id, size) = (u16_at(extra, q).unwrap_or(0), u16_at(extra, q + 2).unwrap_or(0) as usize);
            let body = extra.get(q + 4..q + 4 + size).unwrap_or(&[]);
            if id == 0x0001 {
                let mut r = 0usize;
                for field in [&mut uncomp, &mut comp, &mut local] {
                    if *field == 0xFFFF_FFFF {
                        *field = u64_at(body, r).ok_or_else(|| e("short ZIP64 extra field"))?;
                        r += 8;
                    }
                }
            }
            q += 4 + size;
        }
        let name = String::from_utf8_lossy(name_bytes).into_owned();
        members.push(Member {
            name,
            method,
            flags,
            compressed: comp,
            uncompressed: uncomp,
            crc32,
            local_offset: local,
            data_offset: 0,
        });
        p += 46 + nlen + xlen + clen;
    }
    // Local headers: where each member's data starts.
    for m in &mut members {
        let e = |msg: &str| bad(format!("member \"{}\": {msg}", m.name));
        let hdr = read(src, m.local_offset, 30).map_err(|_| e("local header lies outside the archive"))?;
        if u32_at(&hdr, 0) != Some(LOC_SIG) {
            return Err(e("local header signature missing"));
        }
        let skip = 30 + u64::from(u16_at(&hdr, 26).unwrap_or(0)) + u64::from(u16_at(&hdr, 28).unwrap_or(0));
        m.data_offset = m.local_offset + skip;
        if m.data_offset.checked_add(m.compressed).is_none_or(|end| end > cd_offset) {
            return Err(e(&format!(
                "data ({} bytes at {}) runs past the start of the central directory",
                group_digits(m.compressed),
                group_digits(m.data_offset)
            )));
        }
        if m.method == 0 && m.compressed != m.uncompressed {
            return Err(e("stored member whose compressed and uncompressed sizes differ"));
        }
    }
    // Member data may not overlap (a classic way to make a small zip inflate enormously).
    let mut spans: Vec<(u64, u64, usize)> =
        members.iter().enumerate().map(|(i, m)| (m.local_offset, m.data_offset + m.compressed, i)).collect();
    spans.sort_unstable();
    for w in spans.windows(2) {
        if let [a, b] = w
            && b.0 < a.1
        {
            let an = members.get(a.2).map_or("", |m| m.name.as_str());
            let bn = members.get(b.2).map_or("", |m| m.name.as_str());
            return Err(ErrorKind::ZipBomb(format!("members \"{an}\" and \"{bn}\" overlap")));
        }
    }
    // Inflated sizes: each bounded by deflate's best ratio, all together by the cap.
    let mut total: u64 = 0;
    for m in &members {
        if m.method == 8 {
            let most = m.compressed.saturating_mul(1032).saturating_add(1024);
            if m.uncompressed > most {
                return Err(ErrorKind::ZipBomb(format!(
                    "member \"{}\" declares {} bytes from {} compressed, beyond deflate's 1032:1 limit",
                    m.name,
                    group_digits(m.uncompressed),
                    group_digits(m.compressed)
                )));
            }
            total = total.saturating_add(m.uncompressed);
        }
    }
    if total > limits.max_inflated_total {
        return Err(ErrorKind::ZipBomb(format!(
            "members would inflate to {} bytes, above the cap of {}",
            group_digits(total),
            group_digits(limits.max_inflated_total)
        )));
    }
    Ok(members)
}
