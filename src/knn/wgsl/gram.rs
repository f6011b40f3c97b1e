//! The streamed path's Gram pass on the browser's GPU: the WGSL kernel (`gram.wgsl`) adds each
//! column chunk's dot products to the packed upper triangle ([`crate::support::triangle`]) kept
//! on the device in bands of rows, which are read back whole once every chunk is in. The CPU then
//! takes its candidates from them under the WGSL bound, as from its own Gram.

use serde::Serialize;

use super::{DEPTH, DISPATCH_WORK, TILE};
use crate::knn::KnnError;
use crate::support::triangle::offset;

/// The kernel's source (with the tile product it shares with the candidate kernel).
pub const SHADER: &str = concat!(include_str!("tile.wgsl"), include_str!("gram.wgsl"));

/// Rows of the packed triangle bound at once, and the dispatches that fill them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Band {
    /// Its rows: whole tiles of [`TILE`] rows but the last band's end.
    pub rows: std::ops::Range<usize>,
    /// Its entries: `offset(n, rows.start) .. offset(n, rows.end)` of the packed triangle.
    pub entries: std::ops::Range<usize>,
    /// Row tiles per dispatch (global tile indices), about [`DISPATCH_WORK`] multiply-adds each
    /// for a piece of [`GramPlan::piece`] columns.
    pub dispatches: Vec<std::ops::Range<usize>>,
}

/// How the kernel covers the packed triangle of n rows within the device's binding limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GramPlan {
    /// Rows.
    pub n: usize,
    /// Columns uploaded at once (a multiple of [`DEPTH`]): a chunk goes up in pieces of at most
    /// this many columns, each n × piece f32, zero-padded.
    pub piece: usize,
    /// Row bands, consecutive, covering every entry once.
    pub bands: Vec<Band>,
}

/// The plan for `n` rows of `cols` columns on a device that binds at most `binding` bytes per
/// buffer, or why none fits (a piece of [`DEPTH`] columns).
pub fn plan(n: usize, cols: usize, binding: u64) -> Result<GramPlan, KnnError> {
    let fit = |bytes_per: u64| (binding / bytes_per.max(1)) as usize;
    let piece = (fit(4 * n as u64) / DEPTH * DEPTH).min(cols.max(1).next_multiple_of(DEPTH));
    let tiles = n.div_ceil(TILE);
    let tile_rows = |t: usize| t * TILE..((t + 1) * TILE).min(n);
    let tile_bytes = |t: usize| 4 * (offset(n, tile_rows(t).end) - offset(n, tile_rows(t).start)) as u64;
    // A tile of rows holds fewer than 32·n entries, so where a piece of 32 columns binds, so does it.
    if piece == 0 {
        return Err(KnnError::DevicePiece { binding, rows: n, need: 4 * (n * DEPTH) as u64 });
    }
    let mut bands = Vec::new();
    let mut t0 = 0;
    while t0 < tiles {
        let (mut t1, mut bytes) = (t0, 0);
        while t1 < tiles && bytes + tile_bytes(t1) <= binding {
            bytes += tile_bytes(t1);
            t1 += 1;
        }
        let mut dispatches = Vec::new();
        let mut d0 = t0;
        while d0 < t1 {
            // Tile pairs (i, j ≥ i) of row tile t: tiles − t; TILE² · piece multiply-adds each.
            let per_tile = (tiles - d0) * TILE * TILE * piece;
            let d1 = (d0 + (DISPATCH_WORK / per_tile).max(1)).min(t1);
            dispatches.push(d0..d1);
            d0 = d1;
        }
        let rows = tile_rows(t0).start..tile_rows(t1 - 1).end;
        bands.push(Band { entries: offset(n, rows.start)..offset(n, rows.end), rows, dispatches });
        t0 = t1;
    }
    Ok(GramPlan { n, piece, bands })
}

/// Columns `cols` of a chunk (`buf`: n rows of `w` f32) laid out as the kernel reads them: pieces
/// of at most `piece` columns one after another, each n rows of its width padded with zeros to a
/// multiple of [`DEPTH`]; with each piece's padded width.
pub fn pieces(buf: &[f32], n: usize, w: usize, piece: usize) -> Vec<(usize, Vec<f32>)> {
    (0..w)
        .step_by(piece.max(1))
        .map(|c0| {
            let c1 = (c0 + piece).min(w);
            let stride = (c1 - c0).next_multiple_of(DEPTH);
            let mut out = vec![0.0f32; n * stride];
            for (dst, src) in out.chunks_exact_mut(stride).zip(buf.chunks_exact(w)) {
                dst[..c1 - c0].copy_from_slice(&src[c0..c1]);
            }
            (stride, out)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bands_cover_the_triangle_once_and_the_dispatches_their_tiles() {
        for (n, cols, binding) in [(100, 16, 1 << 30), (1000, 700, 256 * 1024), (70, 40, 4 * 2400), (33, 1, 1 << 20)] {
            let p = plan(n, cols, binding).unwrap();
            assert!(p.piece.is_multiple_of(DEPTH) && p.piece > 0 && (4 * n * p.piece) as u64 <= binding);
            assert_eq!(p.bands.first().unwrap().rows.start, 0);
            assert_eq!(p.bands.last().unwrap().rows.end, n);
            assert_eq!(p.bands.last().unwrap().entries.end, n * (n - 1) / 2);
            for w in p.bands.windows(2) {
                assert_eq!(w[0].rows.end, w[1].rows.start);
                assert_eq!(w[0].entries.end, w[1].entries.start);
                assert!(w[0].rows.len().is_multiple_of(TILE));
            }
            for b in &p.bands {
                assert!((4 * b.entries.len()) as u64 <= binding, "{n}: a band binds");
                let tiles: Vec<usize> = b.dispatches.iter().flat_map(|d| d.clone()).collect();
                let want: Vec<usize> = (b.rows.start / TILE..b.rows.end.div_ceil(TILE)).collect();
                assert_eq!(tiles, want, "{n}: every row tile of the band once");
            }
        }
        let p = plan(1000, 700, 256 * 1024).unwrap();
        assert_eq!((p.piece, p.bands.len()), (64, 9), "64 columns of 1000 rows, 9 bands of 256 KiB");
        assert_eq!(
            plan(1000, 700, 4 * 1000 * 31),
            Err(KnnError::DevicePiece { binding: 124_000, rows: 1000, need: 128_000 }),
            "no piece of 32 columns"
        );
        assert_eq!(plan(1, 10, 1 << 20).unwrap().bands[0].entries, 0..0, "one row: an empty triangle");
    }

    #[test]
    fn pieces_hold_the_chunk_padded_with_zeros() {
        let buf: Vec<f32> = (0..3 * 40).map(|v| v as f32).collect();
        let p = pieces(&buf, 3, 40, 32);
        assert_eq!(p.iter().map(|(s, v)| (*s, v.len())).collect::<Vec<_>>(), [(32, 96), (32, 96)]);
        assert_eq!(&p[0].1[32..35], &[40.0, 41.0, 42.0], "row 1 starts a stride on");
        assert_eq!(
            &p[1].1[..9],
            &[32.0, 33.0, 34.0, 35.0, 36.0, 37.0, 38.0, 39.0, 0.0],
            "the last 8 columns, then zeros"
        );
    }
}
