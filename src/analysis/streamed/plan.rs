//! The memory plan of a streamed layer: how many columns one chunk may hold under the limit.
//!
//! Bytes held at once, for N rows in the file, n rows analysed (n ≤ N), D columns of `es`-byte
//! elements, m candidates per row and w columns per chunk:
//!
//! ```text
//! 2·n·(n−1)                 the packed N×N Gram in f32 (upper triangle)
//! + 2·n·(n−1)               exact rescans: ⌊2·(n−1)/8⌋ rows × n f64 per pass
//! + 16·n·m                  candidate indices and distances, their exact f64 sums
//! + 96·N                    per-row state (hash, norms, scales, row indices)
//! + 4·min(n + 47, 256)²·T   the kernel's tiles, one per thread (T threads; 1 in wasm)
//! + (4·N + es)·w            one chunk in f32, one row's bytes (at most 256 MiB)
//! + 4·(n + 47)·min(w, P)    the chunk's piece packed for the kernel (P = 1024 columns, rows
//!                           padded to the kernel's panel)
//! ```
//!
//! What the chunk's rounding leaves, up to 256 KiB (`readers::READ_AHEAD`), the source may read
//! ahead (the browser's Blob reader, for which every read is a round trip).
//!
//! Chunks are capped at 256 MiB: wider ones read no faster (each row's range is already long) and
//! would only delay progress reports and grow wasm memory, which never shrinks.
//!
//! The Gram stays while the subsets (error bars, decimation blocks) take their candidates from it.

use super::gram::PIECE;
use crate::knn::gram::KC as CHUNK;
use crate::readers::READ_AHEAD;

/// Bytes of per-row state kept across passes (hasher state, sums, scale, indices).
const PER_ROW: u64 = 96;
/// Largest chunk buffer.
const MAX_CHUNK_BYTES: u64 = 256 << 20;

/// How a layer is streamed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    /// Columns per chunk: a multiple of the kernel's [`CHUNK`] (so the Gram's summation order is
    /// fixed), or D.
    pub width: usize,
    /// Rows whose exact distances to every row are accumulated in one extra pass.
    pub rescan_rows: usize,
    /// Bytes the source may read ahead: what the plan leaves under the limit, at most [`READ_AHEAD`].
    pub read_ahead: usize,
}

/// Why a layer cannot be streamed under the limit.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error(
    "{rows} points need at least {need_mb} MiB to be streamed (N×N Gram and rescans 4·N·(N−1) bytes \
     + lists 16·N·m + one chunk of {min_width} columns), above the memory limit of {limit_mb} MiB: \
     set max_points lower or raise memory_limit_mb"
)]
pub struct TooLarge {
    /// Points analysed.
    pub rows: usize,
    /// Least memory that would do, MiB (rounded up).
    pub need_mb: u64,
    /// The limit, MiB.
    pub limit_mb: u64,
    /// Narrowest chunk allowed.
    pub min_width: usize,
}

/// Bytes that do not depend on the chunk width.
fn fixed_bytes(n_file: usize, n: usize, m: usize) -> u64 {
    let (big, n, m) = (n_file as u64, n as u64, m as u64);
    4 * n * n.saturating_sub(1) + 16 * n * m + PER_ROW * big + tile_bytes(n as usize)
}

/// Bytes of the kernel's tiles for `n` rows: one tile per thread.
pub fn tile_bytes(n: usize) -> u64 {
    let side = (n as u64 + 47).min(256);
    4 * side * side * crate::support::parallel::threads() as u64
}

/// Bytes per column of the packed piece, for its first [`PIECE`] columns.
pub fn piece_bytes(n: usize) -> u64 {
    4 * (n as u64 + 47)
}

/// Bytes per column of a chunk.
fn column_bytes(n_file: usize, es: usize) -> u64 {
    4 * n_file as u64 + es as u64
}

/// The widest chunk that keeps the bytes above under `limit` bytes, or why none does.
pub fn plan(limit: u64, n_file: usize, n: usize, d: usize, es: usize, m: usize) -> Result<Plan, TooLarge> {
    let (fixed, per_column) = (fixed_bytes(n_file, n, m), (column_bytes(n_file, es), piece_bytes(n)));
    let width = chunk_width(limit, fixed, per_column, d).map_err(|need| TooLarge {
        rows: n,
        need_mb: need.div_ceil(1 << 20),
        limit_mb: limit >> 20,
        min_width: d.min(CHUNK),
    })?;
    let read_ahead = read_ahead(limit, planned(fixed, per_column, width));
    Ok(Plan { width, rescan_rows: (2 * n.saturating_sub(1) / 8).max(1), read_ahead })
}

/// Bytes planned with chunks of `width` columns, `fixed` and `per_column` as in [`chunk_width`].
pub fn planned(fixed: u64, per_column: (u64, u64), width: usize) -> u64 {
    fixed + per_column.0 * width as u64 + per_column.1 * width.min(PIECE) as u64
}

/// What a source may read ahead once `used` of `limit` bytes are planned: the rest, at most
/// [`READ_AHEAD`].
pub fn read_ahead(limit: u64, used: u64) -> usize {
    limit.saturating_sub(used).min(READ_AHEAD as u64) as usize
}

/// Columns per chunk when `fixed` bytes are held besides `per_column.0` bytes per column and
/// `per_column.1` more for each of the first [`PIECE`] (the packed piece): D if all fit (the
/// chunk itself in at most [`MAX_CHUNK_BYTES`]), else a multiple of [`CHUNK`]; `Err(bytes
/// needed)` when not even min(D, CHUNK) fit.
pub fn chunk_width(limit: u64, fixed: u64, per_column: (u64, u64), d: usize) -> Result<usize, u64> {
    let (column, piece) = per_column;
    let avail = limit.saturating_sub(fixed);
    let fits = if avail >= (column + piece) * PIECE as u64 {
        (avail - piece * PIECE as u64) / column
    } else {
        avail / (column + piece)
    };
    let fits = fits.min(MAX_CHUNK_BYTES / column);
    let width = if fits >= d as u64 { d } else { (fits as usize / CHUNK) * CHUNK };
    if width < d.min(CHUNK) {
        return Err(fixed + (column + piece) * d.min(CHUNK) as u64);
    }
    Ok(width)
}

/// Bytes the whole layer would take in memory: the f32 rows and their centred copy.
pub fn in_memory_bytes(n: usize, d: usize) -> u64 {
    8 * n as u64 * d as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widest_multiple_of_the_kernel_chunk_that_fits() {
        let p = plan(10 << 20, 1000, 1000, 100_000, 4, 24).unwrap();
        let used = |w| planned(fixed_bytes(1000, 1000, 24), (column_bytes(1000, 4), piece_bytes(1000)), w);
        assert!(used(p.width) <= 10 << 20);
        assert_eq!(p.width % CHUNK, 0);
        assert!(used(p.width + CHUNK) > 10 << 20);
        // The rounding's rest, up to 256 KiB, is the source's read-ahead; none when nothing is left.
        assert_eq!(p.read_ahead as u64, (10 << 20) - used(p.width).max((10 << 20) - (256 << 10)));
        assert_eq!(read_ahead(1000, 1200), 0);
    }

    #[test]
    fn chunks_stay_under_256_mib_whatever_the_limit() {
        let p = plan(64 << 30, 2000, 2000, 800_000, 4, 24).unwrap();
        assert!(p.width as u64 * column_bytes(2000, 4) <= MAX_CHUNK_BYTES);
        assert!(p.width > 30_000);
    }

    #[test]
    fn a_small_layer_is_one_chunk_and_a_huge_n_is_refused() {
        assert_eq!(plan(1 << 30, 100, 100, 300, 4, 24).unwrap().width, 300);
        let e = plan(1 << 30, 40_000, 40_000, 10, 4, 24).unwrap_err();
        assert!(e.need_mb > 1024 && e.to_string().contains("max_points"), "{e}");
    }
}
